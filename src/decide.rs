//! Policies and per-group decisions with their explanation.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::json::{self, quote, u64_text};
use crate::view::{Group, Member, View};
use crate::{Error, Result, Status};

/// Election policy: toggles that combine, applied in one fixed order (SEMANTICS.md):
/// eligibility, quorum guard, sticky incumbent, priority, rendezvous, and last the smallest id.
/// The default (all off) is the plain smallest-live-id rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Only members with `eligible: true` may lead.
    pub eligibility: bool,
    /// No leader unless the live members are a strict majority of `configured`.
    pub quorum_guard: bool,
    /// Keep the group's `incumbent` while it is a candidate (no flapping when a smaller id rejoins).
    pub sticky_incumbent: bool,
    /// Only the candidates of highest `priority` remain.
    pub priority: bool,
    /// The candidate with the highest [`rendezvous_score`] for the group wins.
    pub rendezvous: bool,
}

impl Policy {
    /// Parse a policy from JSON, e.g. `{"priority": true}`. Absent toggles are off; unknown
    /// fields and non-boolean values are `INVALID_POLICY`.
    pub fn from_json(text: &str) -> Result<Policy> {
        json::from_json(text, Status::InvalidPolicy)
    }

    /// The policy as compact JSON with every toggle written.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

/// Why a group has the leader it has (or none). Serialized in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Exactly one candidate reached the ranking rules.
    OnlyCandidate,
    /// The sticky-incumbent rule kept the incumbent.
    Incumbent,
    /// Priority left one candidate.
    Priority,
    /// The rendezvous score left one candidate.
    Rendezvous,
    /// The smallest id among the remaining candidates.
    SmallestId,
    /// No leader: the group lists no members.
    NoMembers,
    /// No leader: no member is live.
    NoLiveMembers,
    /// No leader: no live member is eligible (eligibility policy).
    NoEligibleMembers,
    /// No leader: the live members are not a majority of the configured size (quorum guard).
    NoQuorum,
}

/// Why a member is not the leader. Serialized in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Another entry with the same id won (higher generation, or listed first).
    Duplicate,
    /// Not live in this view.
    Dead,
    /// Not eligible (eligibility policy).
    Ineligible,
    /// A candidate, but the group has no quorum.
    NoQuorum,
    /// A candidate, but the incumbent was kept.
    OutrankedByIncumbent,
    /// A candidate of lower priority.
    OutrankedByPriority,
    /// A candidate of lower rendezvous score.
    OutrankedByRendezvous,
    /// A candidate with a larger id.
    OutrankedBySmallerId,
}

/// One member that is not the leader, and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Excluded {
    pub id: String,
    /// The generation of the listed entry (tells duplicates apart).
    #[serde(with = "u64_text")]
    pub generation: u64,
    pub reason: Exclusion,
}

/// The decision for one group: its leader (if any), the reason, and every listed member that is
/// not the leader, with why, in the order the view lists them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    pub group: String,
    pub leader: Option<String>,
    pub reason: Reason,
    pub excluded: Vec<Excluded>,
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

/// Decide every group of `view` under `policy`, in group-name order.
///
/// Fails only on a view built in code that breaks the id rules (`INVALID_VIEW`).
pub fn elect_leaders(view: &View, policy: &Policy) -> Result<Vec<Decision>> {
    view.validate()?;
    Ok(view
        .groups
        .iter()
        .map(|(name, group)| decide_group(name, group, policy))
        .collect())
}

/// Parse a view and a policy from JSON text and decide every group. This is the path every
/// front takes, so all of them parse and decide identically.
pub fn elect_leaders_json(view: &str, policy: &str) -> Result<Vec<Decision>> {
    let view = View::from_json(view)?;
    let policy = Policy::from_json(policy)?;
    elect_leaders(&view, &policy)
}

/// The decisions as pinned JSON: an array of decision objects.
pub fn decisions_to_json(decisions: &[Decision]) -> String {
    json::to_json(decisions)
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
    highest
        .checked_add(1)
        .ok_or_else(|| crate::fence::overflow(highest))
}

fn decide_group(name: &str, group: &Group, policy: &Policy) -> Decision {
    let members = &group.members;
    let mut why: Vec<Option<Exclusion>> = vec![None; members.len()];

    // 1. One entry per id: the highest generation, then the first listed.
    let distinct = mark_duplicates(members, &mut why);

    // 2. Dead members drop out; 3. so do ineligible ones when the policy asks.
    let mut live = 0usize;
    for (i, m) in members.iter().enumerate() {
        if why[i].is_some() {
            continue;
        }
        if !m.live {
            why[i] = Some(Exclusion::Dead);
        } else {
            live += 1;
            if policy.eligibility && !m.eligible {
                why[i] = Some(Exclusion::Ineligible);
            }
        }
    }
    let candidates: Vec<usize> = (0..members.len()).filter(|&i| why[i].is_none()).collect();

    let leader_less = |reason, why: Vec<Option<Exclusion>>| Decision {
        group: name.to_owned(),
        leader: None,
        reason,
        excluded: explain(members, &why),
    };
    if candidates.is_empty() {
        let reason = if members.is_empty() {
            Reason::NoMembers
        } else if live == 0 {
            Reason::NoLiveMembers
        } else {
            Reason::NoEligibleMembers
        };
        return leader_less(reason, why);
    }

    // 4. Quorum guard: live members must be a strict majority of the configured size.
    if policy.quorum_guard {
        let configured = group.configured.unwrap_or(distinct as u64);
        if (live as u128) * 2 <= u128::from(configured) {
            for &i in &candidates {
                why[i] = Some(Exclusion::NoQuorum);
            }
            return leader_less(Reason::NoQuorum, why);
        }
    }

    // 5–8. Ranking rules, each keeping the best candidates; the reason is the rule that left one.
    let mut rank = Ranking {
        members,
        reason: (candidates.len() == 1).then_some(Reason::OnlyCandidate),
        candidates,
        why,
    };
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

    Decision {
        group: name.to_owned(),
        leader: rank.candidates.first().map(|&i| members[i].id.clone()),
        reason: rank.reason.unwrap_or(Reason::SmallestId),
        excluded: explain(members, &rank.why),
    }
}

/// The candidates still in the running, and why every other member is out.
struct Ranking<'a> {
    members: &'a [Member],
    candidates: Vec<usize>,
    why: Vec<Option<Exclusion>>,
    reason: Option<Reason>,
}

impl<'a> Ranking<'a> {
    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.candidates.iter().map(|&i| self.members[i].id.as_str())
    }

    /// Keep the candidates `keep` accepts; once one is left the later rules change nothing.
    fn narrow(&mut self, keep: impl Fn(&Member) -> bool, rule: Exclusion, reason: Reason) {
        if self.reason.is_some() {
            return;
        }
        let (members, why) = (self.members, &mut self.why);
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
/// number of distinct ids.
fn mark_duplicates(members: &[Member], why: &mut [Option<Exclusion>]) -> usize {
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
        let mut kept: Vec<usize> = Vec::with_capacity(members.len());
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

fn explain(members: &[Member], why: &[Option<Exclusion>]) -> Vec<Excluded> {
    members
        .iter()
        .zip(why)
        .filter_map(|(m, w)| {
            w.map(|reason| Excluded {
                id: m.id.clone(),
                generation: m.generation,
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(json: &str) -> View {
        View::from_json(json).unwrap()
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
        };
        let d = &elect_leaders(&v, &Policy::default()).unwrap()[0];
        assert_eq!(d.leader.as_deref(), Some("n0"));
        let dups = d
            .excluded
            .iter()
            .filter(|x| x.reason == Exclusion::Duplicate);
        assert!(dups.clone().all(|x| x.generation == 0));
        assert_eq!(dups.count(), 10);
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
