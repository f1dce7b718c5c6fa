//! Policies and per-group decisions with their explanation.

use std::collections::HashMap;

use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

use crate::json::{self, id, objects, opt_id, opt_u64_text, quote, u64_text};
use crate::verdict::promoted;
use crate::view::{Group, Member, View};
use crate::{Error, Policy, Result, Status};

/// An enum whose values have stable snake_case names, serialized as those names: the name,
/// the list of every value and the lookup by name are all written from one table.
macro_rules! named {
    ($(#[$meta:meta])* $vis:vis enum $ty:ident {
        $( $(#[$doc:meta])* $variant:ident = $name:literal, )*
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $ty {
            $( $(#[$doc])* $variant, )*
        }

        impl $ty {
            /// Every value, in the order SEMANTICS.md lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The pinned snake_case name, e.g. `"smallest_id"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $ty::$variant => $name, )*
                }
            }

            /// The value with this pinned name, if there is one.
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $( $name => Some($ty::$variant), )*
                    _ => None,
                }
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let name = std::borrow::Cow::<str>::deserialize(d)?;
                $ty::from_name(&name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{} is not a {} name",
                        quote(&name),
                        stringify!($ty)
                    ))
                })
            }
        }
    };
}

named! {
    /// Why a group has the leader it has (or none).
    pub enum Reason {
        /// Exactly one candidate reached the ranking rules.
        OnlyCandidate = "only_candidate",
        /// The sticky-incumbent rule kept the incumbent.
        Incumbent = "incumbent",
        /// Priority left one candidate.
        Priority = "priority",
        /// The rendezvous score left one candidate.
        Rendezvous = "rendezvous",
        /// The smallest id among the remaining candidates.
        SmallestId = "smallest_id",
        /// No leader: the group lists no members.
        NoMembers = "no_members",
        /// No leader: no member is live.
        NoLiveMembers = "no_live_members",
        /// No leader: no live member is eligible (eligibility policy).
        NoEligibleMembers = "no_eligible_members",
        /// No leader: the live members are not a majority of the configured size (quorum guard).
        NoQuorum = "no_quorum",
        /// No leader: every candidate's log is behind the freshest live member's (freshness).
        NoFreshMembers = "no_fresh_members",
        /// No leader: every live member is leaving.
        NoStayingMembers = "no_staying_members",
        /// The group's `handover_to` named a candidate.
        Handover = "handover",
    }
}

named! {
    /// Why a member is not the leader.
    pub enum Exclusion {
        /// Another entry with the same id won (higher generation, or listed first).
        Duplicate = "duplicate",
        /// Not live in this view.
        Dead = "dead",
        /// Not eligible (eligibility policy).
        Ineligible = "ineligible",
        /// A candidate, but the group has no quorum.
        NoQuorum = "no_quorum",
        /// A candidate, but the incumbent was kept.
        OutrankedByIncumbent = "outranked_by_incumbent",
        /// A candidate of lower priority.
        OutrankedByPriority = "outranked_by_priority",
        /// A candidate of lower rendezvous score.
        OutrankedByRendezvous = "outranked_by_rendezvous",
        /// A candidate with a larger id.
        OutrankedBySmallerId = "outranked_by_smaller_id",
        /// Its log is behind the freshest live member's (freshness policy).
        Behind = "behind",
        /// It is leaving (a clean shutdown).
        Leaving = "leaving",
        /// A candidate, but the group hands over to another.
        OutrankedByHandover = "outranked_by_handover",
    }
}

/// One member that is not the leader, and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    #[serde(deserialize_with = "id::deserialize")]
    pub id: String,
    /// The generation of the listed entry (tells duplicates apart).
    #[serde(with = "u64_text")]
    pub generation: u64,
    pub reason: Exclusion,
}

/// The decision for one group: its leader (if any), the reason, every listed member that is
/// not the leader, with why, in the order the view lists them, and which listed entry leads.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[serde(deserialize_with = "id::deserialize")]
    pub group: String,
    #[serde(deserialize_with = "opt_id::deserialize")]
    pub leader: Option<String>,
    pub reason: Reason,
    #[serde(deserialize_with = "objects::deserialize")]
    pub excluded: Vec<Excluded>,
    /// The index of the leader's entry in the group's `members` (an id may be listed more than
    /// once; this is the entry that won), or `None` without a leader.
    pub leader_index: Option<usize>,
    /// The generation of the leader's entry, or `None` without a leader.
    #[serde(with = "opt_u64_text")]
    pub leader_generation: Option<u64>,
    /// The epoch the leader's entry announced (its `epoch`), or `None` without a leader.
    #[serde(default, with = "opt_u64_text")]
    pub leader_epoch: Option<u64>,
    /// Every live entry that survived the duplicates rule, other than the leader's, that
    /// claims to lead (`claims_epoch`), in the order the view lists them: more than none means
    /// more than one node believes it leads.
    #[serde(default, deserialize_with = "objects::deserialize")]
    pub claimants: Vec<Claimant>,
}

/// A member that claims to lead without being the decision's leader.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimant {
    #[serde(deserialize_with = "id::deserialize")]
    pub id: String,
    /// The generation of the listed entry.
    #[serde(with = "u64_text")]
    pub generation: u64,
    /// The epoch at which it claims to lead.
    #[serde(with = "u64_text")]
    pub claims_epoch: u64,
}

impl Decision {
    /// The pinned decision JSON of SEMANTICS.md §8 (one object of the decisions array).
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

// ---- the pinned JSON of decisions, written once --------------------------------------------
//
// A `Decision` and a decision still borrowed from its view (`Decided`, which
// `elect_leaders_to_json` writes without making a `Decision`) are written through the same
// structs below, so the two cannot disagree on the format of SEMANTICS.md §8. The one front
// that builds decision objects without this JSON, the WebAssembly package's `electLeaders`
// (numbers and text handed to JavaScript), is compared with the corpus's text by its
// conformance run, key order included.

/// A decision as written: its fields in their pinned order, the lists as sequences.
#[derive(Serialize)]
struct Written<'a, X, C> {
    group: &'a str,
    leader: Option<&'a str>,
    reason: Reason,
    excluded: X,
    leader_index: Option<usize>,
    #[serde(with = "opt_u64_text")]
    leader_generation: Option<u64>,
    #[serde(with = "opt_u64_text")]
    leader_epoch: Option<u64>,
    claimants: C,
}

/// An entry of `excluded` as written.
#[derive(Serialize)]
struct WrittenExcluded<'a> {
    id: &'a str,
    #[serde(with = "u64_text")]
    generation: u64,
    reason: Exclusion,
}

/// An entry of `claimants` as written.
#[derive(Serialize)]
struct WrittenClaimant<'a> {
    id: &'a str,
    #[serde(with = "u64_text")]
    generation: u64,
    #[serde(with = "u64_text")]
    claims_epoch: u64,
}

/// A sequence written from the iterator its function makes.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Written {
            group: &self.group,
            leader: self.leader.as_deref(),
            reason: self.reason,
            excluded: Seq(|| self.excluded.iter().map(Excluded::written)),
            leader_index: self.leader_index,
            leader_generation: self.leader_generation,
            leader_epoch: self.leader_epoch,
            claimants: Seq(|| self.claimants.iter().map(Claimant::written)),
        }
        .serialize(s)
    }
}

impl Excluded {
    fn written(&self) -> WrittenExcluded<'_> {
        WrittenExcluded {
            id: &self.id,
            generation: self.generation,
            reason: self.reason,
        }
    }
}

impl Serialize for Excluded {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.written().serialize(s)
    }
}

impl Claimant {
    fn written(&self) -> WrittenClaimant<'_> {
        WrittenClaimant {
            id: &self.id,
            generation: self.generation,
            claims_epoch: self.claims_epoch,
        }
    }
}

impl Serialize for Claimant {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.written().serialize(s)
    }
}

/// The rendezvous (highest-random-weight) score of `id` in `group`: 64-bit FNV-1a over the
/// group's UTF-8 bytes, one 0x00 byte, then the id's UTF-8 bytes.
pub fn rendezvous_score(group: &str, id: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    group
        .bytes()
        .chain([0u8])
        .chain(id.bytes())
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// Decide every group of `view` under `policy`, in group-name order. The view's own
/// [`policy`](View::policy) (what its cluster decides with) is never applied here: `policy`
/// decides, so a caller can ask "what if" of any view.
///
/// Fails only on a view built in code that breaks the id rules (`INVALID_VIEW`).
pub fn elect_leaders(view: &View, policy: &Policy) -> Result<Vec<Decision>> {
    view.validate()?;
    let mut scratch = Scratch::default();
    Ok(view
        .groups
        .iter()
        .map(|(name, group)| decide_group(name, group, policy, &mut scratch).to_decision())
        .collect())
}

/// [`elect_leaders`] written as [`decisions_to_json`] writes its answer, the same text, without
/// making the decisions first: each group's decision is written from the view as it is
/// decided (no copy of an id), which is what the fronts that answer in JSON want.
pub fn elect_leaders_to_json(view: &View, policy: &Policy) -> Result<String> {
    view.validate()?;
    Ok(json::to_json(&AllDecided { view, policy }))
}

/// Every group of a view, decided as it is written.
struct AllDecided<'v> {
    view: &'v View,
    policy: &'v Policy,
}

impl Serialize for AllDecided<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut scratch = Scratch::default();
        let mut seq = s.serialize_seq(Some(self.view.groups.len()))?;
        for (name, group) in &self.view.groups {
            seq.serialize_element(&decide_group(name, group, self.policy, &mut scratch).written())?;
        }
        seq.end()
    }
}

/// Parse a view and a policy from JSON text and decide every group (what the corpus's `decide`
/// step runs). The view's own `policy`, if any, is not applied: `policy` decides.
pub fn elect_leaders_json(view: &str, policy: &str) -> Result<Vec<Decision>> {
    let view = View::from_json(view)?;
    let policy = Policy::from_json(policy)?;
    elect_leaders(&view, &policy)
}

/// The decisions as pinned JSON: an array of decision objects.
pub fn decisions_to_json(decisions: &[Decision]) -> String {
    json::to_json(decisions)
}

/// Read decisions back from their pinned JSON (an array of decision objects, as
/// [`decisions_to_json`] writes them; `leader_epoch` and `claimants` may be absent, as in
/// decisions written before they existed). Anything else is `INVALID_ARGUMENT`, with the path
/// and cause.
pub fn decisions_from_json(text: &str) -> Result<Vec<Decision>> {
    json::list_from_json(text, Status::InvalidArgument)
}

/// The epoch a newly elected leader of `group` should promote to: one past every epoch any
/// listed member of the group announced (live or dead, duplicates included).
/// `UNKNOWN_GROUP` when the view has no such group, `EPOCH_OVERFLOW` past 2^64-1.
pub fn next_epoch(view: &View, group: &str) -> Result<u64> {
    let g = view.groups.get(group).ok_or_else(|| {
        Error::new(
            Status::UnknownGroup,
            format!("the view has no group {}", quote(group)),
        )
    })?;
    let highest = g.members.iter().map(|m| m.epoch).max().unwrap_or(0);
    promoted(highest, 0)
}

/// The working lists of a decision, kept from one group to the next: deciding a view allocates
/// them once, not for every group.
#[derive(Default)]
struct Scratch {
    /// Why each member is out, by index (`None`: still a candidate).
    why: Vec<Option<Exclusion>>,
    /// The entry kept for each distinct id so far.
    kept: Vec<usize>,
    /// The candidates still in the running.
    candidates: Vec<usize>,
}

/// A group's decision as deciding finds it, borrowed from the view and the working lists: made
/// into a [`Decision`], or written as JSON without one.
struct Decided<'v, 's> {
    group: &'v str,
    members: &'v [Member],
    /// Why each member is out (`None`: the leader).
    why: &'s [Option<Exclusion>],
    leader: Option<usize>,
    reason: Reason,
}

fn decide_group<'v, 's>(
    name: &'v str,
    group: &'v Group,
    policy: &Policy,
    scratch: &'s mut Scratch,
) -> Decided<'v, 's> {
    let members = &group.members;
    let why = &mut scratch.why;
    why.clear();
    why.resize(members.len(), None);

    // 1. One entry per id: the highest generation, then the first listed.
    let distinct = mark_duplicates(members, why, &mut scratch.kept);

    // 2. Dead members drop out, then leaving ones (still live for the quorum guard); 3. so do
    // ineligible ones when the policy asks.
    let (mut live, mut staying) = (0usize, 0usize);
    for (i, m) in members.iter().enumerate() {
        if why[i].is_some() {
            continue;
        }
        if !m.live {
            why[i] = Some(Exclusion::Dead);
            continue;
        }
        live += 1;
        if m.leaving {
            why[i] = Some(Exclusion::Leaving);
            continue;
        }
        staying += 1;
        if policy.eligibility && !m.eligible {
            why[i] = Some(Exclusion::Ineligible);
        }
    }
    let eligible = why.iter().any(Option::is_none);

    // 4. Freshness: a candidate must be on the freshest live log's epoch, within `max_lag`.
    if policy.freshness {
        // Leaving and ineligible members still hold acknowledged records.
        let counted = |i: &usize| !matches!(why[*i], Some(Exclusion::Duplicate | Exclusion::Dead));
        let position = |m: &Member| (m.log_epoch, m.log_end);
        let freshest = (0..members.len())
            .filter(counted)
            .map(|i| position(&members[i]))
            .max();
        if let Some((epoch, end)) = freshest {
            // Every candidate is counted, so on the freshest epoch its end is at most `end`.
            for (i, m) in members.iter().enumerate() {
                if why[i].is_none() && (m.log_epoch != epoch || end - m.log_end > policy.max_lag) {
                    why[i] = Some(Exclusion::Behind);
                }
            }
        }
    }
    let candidates = &mut scratch.candidates;
    candidates.clear();
    candidates.extend((0..members.len()).filter(|&i| why[i].is_none()));

    let leader_less = |reason, why: &'s [Option<Exclusion>]| Decided {
        group: name,
        members,
        why,
        leader: None,
        reason,
    };
    if candidates.is_empty() {
        let reason = if members.is_empty() {
            Reason::NoMembers
        } else if live == 0 {
            Reason::NoLiveMembers
        } else if staying == 0 {
            Reason::NoStayingMembers
        } else if !eligible {
            Reason::NoEligibleMembers
        } else {
            Reason::NoFreshMembers
        };
        return leader_less(reason, why);
    }

    // 5. Quorum guard: live members must be a strict majority of the configured size.
    if policy.quorum_guard {
        let configured = group.configured.unwrap_or(distinct as u64);
        if (live as u128) * 2 <= u128::from(configured) {
            for &i in candidates.iter() {
                why[i] = Some(Exclusion::NoQuorum);
            }
            return leader_less(Reason::NoQuorum, why);
        }
    }

    // 6. Ranking rules, each keeping the best candidates; the reason is the rule that left one.
    let mut rank = Ranking {
        members,
        reason: (candidates.len() == 1).then_some(Reason::OnlyCandidate),
        candidates,
        why,
    };
    if let Some(successor) = group.handover_to.as_deref() {
        if rank.ids().any(|id| id == successor) {
            rank.narrow(
                |m| m.id == successor,
                Exclusion::OutrankedByHandover,
                Reason::Handover,
            );
        }
    }
    if policy.sticky_incumbent {
        if let Some(incumbent) = group.incumbent.as_deref() {
            if rank.ids().any(|id| id == incumbent) {
                rank.narrow(
                    |m| m.id == incumbent,
                    Exclusion::OutrankedByIncumbent,
                    Reason::Incumbent,
                );
            }
        }
    }
    if policy.priority {
        let top = rank.candidates.iter().map(|&i| members[i].priority).max();
        rank.narrow(
            |m| Some(m.priority) == top,
            Exclusion::OutrankedByPriority,
            Reason::Priority,
        );
    }
    if policy.rendezvous {
        let top = rank.ids().map(|id| rendezvous_score(name, id)).max();
        rank.narrow(
            |m| Some(rendezvous_score(name, &m.id)) == top,
            Exclusion::OutrankedByRendezvous,
            Reason::Rendezvous,
        );
    }
    // Ids are distinct by now, so the smallest is unique.
    let smallest = rank.ids().min();
    rank.narrow(
        |m| Some(m.id.as_str()) == smallest,
        Exclusion::OutrankedBySmallerId,
        Reason::SmallestId,
    );

    Decided {
        group: name,
        members,
        leader: rank.candidates.first().copied(),
        reason: rank.reason.unwrap_or(Reason::SmallestId),
        why: rank.why,
    }
}

impl<'v> Decided<'v, '_> {
    fn leader(&self) -> Option<&'v Member> {
        self.leader.map(|i| &self.members[i])
    }

    /// Every member but the leader, with why, in the order the view lists them.
    fn excluded(&self) -> impl Iterator<Item = (&'v Member, Exclusion)> + '_ {
        let members = self.members;
        members
            .iter()
            .zip(self.why)
            .filter_map(|(m, w)| w.map(|w| (m, w)))
    }

    /// The live entries, but the duplicates and the leader's, that claim to lead, with the
    /// epoch each claims.
    fn claimants(&self) -> impl Iterator<Item = (&'v Member, u64)> + '_ {
        let members = self.members;
        members.iter().enumerate().filter_map(|(i, m)| {
            let counted =
                m.live && Some(i) != self.leader && self.why[i] != Some(Exclusion::Duplicate);
            m.claims_epoch.filter(|_| counted).map(|epoch| (m, epoch))
        })
    }

    fn to_decision(&self) -> Decision {
        let leader = self.leader();
        Decision {
            group: self.group.to_owned(),
            leader: leader.map(|m| m.id.clone()),
            reason: self.reason,
            excluded: self
                .excluded()
                .map(|(m, reason)| Excluded {
                    id: m.id.clone(),
                    generation: m.generation,
                    reason,
                })
                .collect(),
            leader_index: self.leader,
            leader_generation: leader.map(|m| m.generation),
            leader_epoch: leader.map(|m| m.epoch),
            claimants: self
                .claimants()
                .map(|(m, claims_epoch)| Claimant {
                    id: m.id.clone(),
                    generation: m.generation,
                    claims_epoch,
                })
                .collect(),
        }
    }

    fn written(&self) -> Written<'v, impl Serialize + '_, impl Serialize + '_> {
        let leader = self.leader();
        Written {
            group: self.group,
            leader: leader.map(|m| m.id.as_str()),
            reason: self.reason,
            excluded: Seq(|| {
                self.excluded().map(|(m, reason)| WrittenExcluded {
                    id: &m.id,
                    generation: m.generation,
                    reason,
                })
            }),
            leader_index: self.leader,
            leader_generation: leader.map(|m| m.generation),
            leader_epoch: leader.map(|m| m.epoch),
            claimants: Seq(|| {
                self.claimants().map(|(m, claims_epoch)| WrittenClaimant {
                    id: &m.id,
                    generation: m.generation,
                    claims_epoch,
                })
            }),
        }
    }
}

/// The candidates still in the running, and why every other member is out.
struct Ranking<'a, 's> {
    members: &'a [Member],
    candidates: &'s mut Vec<usize>,
    why: &'s mut [Option<Exclusion>],
    reason: Option<Reason>,
}

impl<'a> Ranking<'a, '_> {
    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.candidates.iter().map(|&i| self.members[i].id.as_str())
    }

    /// Keep the candidates `keep` accepts; once one is left the later rules change nothing.
    fn narrow(&mut self, keep: impl Fn(&Member) -> bool, rule: Exclusion, reason: Reason) {
        if self.reason.is_some() {
            return;
        }
        let (members, why) = (self.members, &mut *self.why);
        self.candidates.retain(|&i| {
            let kept = keep(&members[i]);
            if !kept {
                why[i] = Some(rule);
            }
            kept
        });
        if self.candidates.len() == 1 {
            self.reason = Some(reason);
        }
    }
}

/// Mark every entry that loses to another entry of the same id as a duplicate; returns the
/// number of distinct ids. `kept` is working room (cleared first).
fn mark_duplicates(
    members: &[Member],
    why: &mut [Option<Exclusion>],
    kept: &mut Vec<usize>,
) -> usize {
    let mut kept_of = |kept: Option<usize>, i: usize| match kept {
        None => i,
        Some(k) if members[i].generation > members[k].generation => {
            why[k] = Some(Exclusion::Duplicate);
            i
        }
        Some(k) => {
            why[i] = Some(Exclusion::Duplicate);
            k
        }
    };
    // Groups are small: a linear scan beats hashing until they are not.
    if members.len() <= 16 {
        kept.clear();
        for i in 0..members.len() {
            match kept.iter().position(|&k| members[k].id == members[i].id) {
                Some(at) => kept[at] = kept_of(Some(kept[at]), i),
                None => kept.push(i),
            }
        }
        kept.len()
    } else {
        let mut kept: HashMap<&str, usize> = HashMap::with_capacity(members.len());
        for (i, m) in members.iter().enumerate() {
            let k = kept.get(m.id.as_str()).copied();
            kept.insert(&m.id, kept_of(k, i));
        }
        kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(json: &str) -> View {
        View::from_json(json).unwrap()
    }

    #[test]
    fn names_round_trip_through_json() {
        for &reason in Reason::ALL {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.name()));
            assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), reason);
            assert_eq!(Reason::from_name(reason.name()), Some(reason));
        }
        for &exclusion in Exclusion::ALL {
            let json = serde_json::to_string(&exclusion).unwrap();
            assert_eq!(serde_json::from_str::<Exclusion>(&json).unwrap(), exclusion);
        }
        assert_eq!(Reason::ALL.len(), 12);
        assert_eq!(Exclusion::ALL.len(), 11);
        assert!(serde_json::from_str::<Reason>("\"dead\"").is_err());
        assert_eq!(Exclusion::from_name("smallest_id"), None);
    }

    #[test]
    fn fnv1a_reference_values() {
        // FNV-1a 64 of the empty input is the offset basis; of one 0x00 byte it is this.
        assert_eq!(rendezvous_score("", ""), 0xaf63_bd4c_8601_b7df);
    }

    #[test]
    fn restarted_node_counts_once_with_newest_generation() {
        let v = view(
            r#"{"groups":{"g":{"members":[
                {"id":"a","live":false,"generation":"1"},
                {"id":"a","live":true,"generation":"2"},
                {"id":"b","live":true}]}}}"#,
        );
        let d = &elect_leaders(&v, &Policy::default()).unwrap()[0];
        assert_eq!(d.leader.as_deref(), Some("a"));
        assert_eq!(d.reason, Reason::SmallestId);
        assert_eq!((d.leader_index, d.leader_generation), (Some(1), Some(2)));
        assert_eq!(
            d.excluded,
            vec![
                Excluded {
                    id: "a".into(),
                    generation: 1,
                    reason: Exclusion::Duplicate
                },
                Excluded {
                    id: "b".into(),
                    generation: 0,
                    reason: Exclusion::OutrankedBySmallerId
                }
            ]
        );
    }

    #[test]
    fn large_groups_dedupe_like_small_ones() {
        // 20 entries take the hashing path; each id appears twice, the second newer.
        let members: Vec<Member> = (0..20)
            .map(|i| Member {
                generation: i / 10,
                live: i >= 10,
                ..Member::live(format!("n{}", i % 10))
            })
            .collect();
        let v = View {
            groups: [(
                "g".to_owned(),
                Group {
                    members,
                    ..Group::default()
                },
            )]
            .into(),
            ..View::default()
        };
        let d = &elect_leaders(&v, &Policy::default()).unwrap()[0];
        assert_eq!(d.leader.as_deref(), Some("n0"));
        assert_eq!((d.leader_index, d.leader_generation), (Some(10), Some(1)));
        let dups = d
            .excluded
            .iter()
            .filter(|x| x.reason == Exclusion::Duplicate);
        assert!(dups.clone().all(|x| x.generation == 0));
        assert_eq!(dups.count(), 10);
    }

    /// §7: a view built in code is held to the id rules a parsed view meets; deciding it
    /// fails with `INVALID_VIEW` naming where.
    #[test]
    fn a_view_built_in_code_must_have_valid_ids() {
        let group = |members: Vec<Member>, incumbent: Option<&str>| Group {
            members,
            incumbent: incumbent.map(str::to_owned),
            ..Group::default()
        };
        let cases = [
            ("", group(vec![Member::live("a")], None), "groups"),
            ("g", group(vec![Member::live("a\n")], None), "members[0].id"),
            ("g", group(vec![Member::live("a")], Some("")), "incumbent"),
        ];
        for (name, group, place) in cases {
            let v = View {
                groups: [(name.to_owned(), group)].into(),
                ..View::default()
            };
            let e = elect_leaders(&v, &Policy::default()).unwrap_err();
            assert_eq!(e.status(), Status::InvalidView);
            assert!(e.message().contains(place), "{e}");
        }
    }

    #[test]
    fn next_epoch_passes_every_announced_epoch() {
        let v = view(
            r#"{"groups":{"g":{"members":[{"id":"a","live":false,"epoch":"7"},{"id":"b","live":true,"epoch":3}]}}}"#,
        );
        assert_eq!(next_epoch(&v, "g"), Ok(8));
        assert_eq!(
            next_epoch(&v, "h").unwrap_err().status(),
            Status::UnknownGroup
        );
    }
}
