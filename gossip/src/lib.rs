//! Membership views for tael-coord from [chitchat] gossip.
//!
//! Every node publishes a few keys in its own chitchat state ([`Announcement`]); any node
//! (or an observer that belongs to no group) turns its local chitchat state into a
//! [`View`] with [`view_of`], and decides through the core. Nodes that see the
//! same gossip state therefore build the same view and make the same decision.
//!
//! What the adapter decides, so every caller agrees:
//! - a member is **live** when chitchat's failure detector lists it live;
//! - its **generation** is chitchat's generation id; a node restarted before its old
//!   incarnation was declared dead is listed twice, and the core counts it once (the newest
//!   generation wins);
//! - its **epoch** is the last epoch it announced leading with (0 if never), and its
//!   **claims_epoch** that epoch while it announces it leads ([`KEY_LEADING`] `"1"`), so a
//!   decision lists every other node that believes it leads as a claimant;
//! - its **log position** (`log_epoch`, `log_end`, for the freshness policy) is what it
//!   announces under [`KEY_LOG_EPOCH`] and [`KEY_LOG_END`] (0 when absent);
//! - the group's **incumbent** is the member (of any generation, live or not) that announces it
//!   leads with the highest epoch, ties to the smallest id; the core's sticky policy keeps it
//!   only while it is live, so a revived smaller id does not take leadership back;
//! - a member is **leaving** when it announces [`KEY_LEAVING`] `"1"` (a clean shutdown), and the
//!   group's **handover_to** is the successor a live leaving member announces under
//!   [`KEY_HANDOVER_TO`] (the smallest such member's, when several do);
//! - the group's **configured** size, for the quorum guard, is the largest any member
//!   announces;
//! - the view's **policy** (what the cluster decides with, carried for watchers such as the
//!   dashboard) is the one announced by the smallest node id that announces one (live or not,
//!   newest generation first); nodes of one cluster are expected to announce the same;
//! - nodes without a group key (observers) are not members of any group.

use std::collections::{BTreeMap, BTreeSet};

use chitchat::{Chitchat, ChitchatId, NodeState};
use tael_coord::{parse_u64, Counters, Group, Member, Policy, View};

pub mod faults;

pub use faults::{
    Delivery, FaultCounters, Faults, FaultyUdpSocket, FaultyUdpTransport, InvalidLinkFaults,
    LinkFaults,
};

/// The chitchat key naming the replication group a node belongs to.
pub const KEY_GROUP: &str = "tael.group";
/// The chitchat key holding the epoch of the node's current or last reign (decimal).
pub const KEY_EPOCH: &str = "tael.epoch";
/// The chitchat key saying whether the node believes it leads (`"1"`) or not (`"0"`).
pub const KEY_LEADING: &str = "tael.leading";
/// The chitchat key holding the node's leadership priority (decimal, default 0).
pub const KEY_PRIORITY: &str = "tael.priority";
/// The chitchat key holding the size the node's group is configured to have (decimal; absent
/// when the node does not say). The view takes the largest size any member announces.
pub const KEY_CONFIGURED: &str = "tael.configured";
/// The chitchat key saying whether the node may lead (`"1"`, the default) or not (`"0"`).
pub const KEY_ELIGIBLE: &str = "tael.eligible";
/// The chitchat key holding the epoch of the last record in the node's log (decimal, default 0).
pub const KEY_LOG_EPOCH: &str = "tael.log_epoch";
/// The chitchat key holding the node's log end offset (decimal, default 0).
pub const KEY_LOG_END: &str = "tael.log_end";
/// The chitchat key saying whether the node is leaving (`"1"`) or not (`"0"`, the default).
pub const KEY_LEAVING: &str = "tael.leaving";
/// The chitchat key naming the successor a leaving node hands over to (absent when none).
pub const KEY_HANDOVER_TO: &str = "tael.handover_to";
/// The chitchat key holding the verdict counters of the node's gate (the counters JSON of
/// SEMANTICS.md §16, e.g. `{"CURRENT":"3",...}`; absent when the node does not count). Watchers
/// read it with [`counters_of`]; it plays no part in views.
pub const KEY_COUNTERS: &str = "tael.counters";
/// The chitchat key holding the policy the node decides with, as the policy JSON of
/// SEMANTICS.md §8 (absent when the node does not say).
pub const KEY_POLICY: &str = "tael.policy";

/// What a node publishes about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The replication group it belongs to.
    pub group: String,
    /// The epoch of its current or last reign (0 if it never led).
    pub epoch: u64,
    /// Whether it believes it leads now.
    pub leading: bool,
    /// Its leadership priority.
    pub priority: u64,
    /// Whether it may lead.
    pub eligible: bool,
    /// The size its group is configured to have, for the quorum guard.
    pub configured: Option<u64>,
    /// The policy it decides with.
    pub policy: Option<Policy>,
    /// The epoch of the last record in its log.
    pub log_epoch: u64,
    /// Its log end offset.
    pub log_end: u64,
    /// Whether it is leaving (a clean shutdown).
    pub leaving: bool,
    /// The successor it hands over to, when leaving.
    pub handover_to: Option<String>,
    /// Its gate's verdict counters, when it counts them.
    pub counters: Option<Counters>,
}

impl Announcement {
    /// A member of `group` that has never led.
    pub fn member_of(group: impl Into<String>) -> Self {
        Announcement {
            group: group.into(),
            epoch: 0,
            leading: false,
            priority: 0,
            eligible: true,
            configured: None,
            policy: None,
            log_epoch: 0,
            log_end: 0,
            leaving: false,
            handover_to: None,
            counters: None,
        }
    }

    /// The key-value pairs to publish, e.g. as chitchat's initial key values.
    pub fn key_values(&self) -> Vec<(String, String)> {
        let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
        let mut kvs = vec![
            (KEY_GROUP.to_owned(), self.group.clone()),
            (KEY_EPOCH.to_owned(), self.epoch.to_string()),
            (KEY_LEADING.to_owned(), flag(self.leading)),
            (KEY_PRIORITY.to_owned(), self.priority.to_string()),
            (KEY_ELIGIBLE.to_owned(), flag(self.eligible)),
            (KEY_LOG_EPOCH.to_owned(), self.log_epoch.to_string()),
            (KEY_LOG_END.to_owned(), self.log_end.to_string()),
            (KEY_LEAVING.to_owned(), flag(self.leaving)),
        ];
        if let Some(successor) = &self.handover_to {
            kvs.push((KEY_HANDOVER_TO.to_owned(), successor.clone()));
        }
        if let Some(size) = self.configured {
            kvs.push((KEY_CONFIGURED.to_owned(), size.to_string()));
        }
        if let Some(policy) = &self.policy {
            kvs.push((KEY_POLICY.to_owned(), policy.to_json()));
        }
        if let Some(counters) = &self.counters {
            kvs.push((KEY_COUNTERS.to_owned(), counters.to_json()));
        }
        kvs
    }

    /// Publish this announcement in the node's own chitchat state.
    pub fn publish(&self, state: &mut NodeState) {
        for (key, value) in self.key_values() {
            if state.get(&key) != Some(value.as_str()) {
                state.set(key, value);
            }
        }
    }
}

/// One node's contribution to a view, read from its gossip state. Values that do not parse are
/// taken as their defaults: a peer cannot make this node's view invalid.
fn member(
    id: &ChitchatId,
    state: &NodeState,
    live: bool,
) -> Option<(String, Member, bool, Option<u64>)> {
    let group = state.get(KEY_GROUP)?.to_owned();
    let number = |key| state.get(key).and_then(|v| parse_u64(v).ok());
    let leading = state.get(KEY_LEADING) == Some("1");
    let member = Member {
        id: id.node_id.to_string(),
        live,
        generation: id.generation_id,
        priority: number(KEY_PRIORITY).unwrap_or(0),
        eligible: state.get(KEY_ELIGIBLE) != Some("0"),
        epoch: number(KEY_EPOCH).unwrap_or(0),
        log_epoch: number(KEY_LOG_EPOCH).unwrap_or(0),
        log_end: number(KEY_LOG_END).unwrap_or(0),
        leaving: state.get(KEY_LEAVING) == Some("1"),
        claims_epoch: leading.then(|| number(KEY_EPOCH).unwrap_or(0)),
    };
    Some((group, member, leading, number(KEY_CONFIGURED)))
}

/// Build the view of every group from `nodes` (each node id with its gossip state) and the set
/// of nodes the failure detector holds live. Nodes whose id or group is not a valid id are left
/// out (the core would refuse the view).
pub fn view_from_states<'a>(
    nodes: impl IntoIterator<Item = (&'a ChitchatId, &'a NodeState)>,
    live: &BTreeSet<&ChitchatId>,
) -> View {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut claims: BTreeMap<String, (u64, String)> = BTreeMap::new();
    // Per group, the successor announced by the smallest live leaving member.
    let mut handovers: BTreeMap<String, (String, String)> = BTreeMap::new();
    // The announced policy of the smallest id, its newest generation first.
    let mut policy: Option<(&str, std::cmp::Reverse<u64>, Policy)> = None;
    for (id, state) in nodes {
        if let Some(announced) = state
            .get(KEY_POLICY)
            .and_then(|p| Policy::from_json(p).ok())
        {
            let rank = (id.node_id.as_ref(), std::cmp::Reverse(id.generation_id));
            if policy.as_ref().is_none_or(|(n, g, _)| rank < (*n, *g)) {
                policy = Some((rank.0, rank.1, announced));
            }
        }
        let Some((group, member, leading, configured)) = member(id, state, live.contains(id))
        else {
            continue;
        };
        if tael_coord::validate_id(&group).is_err() || tael_coord::validate_id(&member.id).is_err()
        {
            continue;
        }
        let successor = state
            .get(KEY_HANDOVER_TO)
            .filter(|s| tael_coord::validate_id(s).is_ok());
        if let Some(successor) = successor.filter(|_| member.leaving && member.live) {
            let offer = (member.id.clone(), successor.to_owned());
            let best = handovers
                .entry(group.clone())
                .or_insert_with(|| offer.clone());
            if offer.0 < best.0 {
                *best = offer;
            }
        }
        if leading {
            let claim = (member.epoch, member.id.clone());
            let best = claims.entry(group.clone()).or_insert_with(|| claim.clone());
            // Highest epoch first; on a tie the smallest id.
            if claim.0 > best.0 || (claim.0 == best.0 && claim.1 < best.1) {
                *best = claim;
            }
        }
        let g = groups.entry(group).or_default();
        g.configured = g.configured.max(configured);
        g.members.push(member);
    }
    for (group, (_, holder)) in claims {
        if let Some(g) = groups.get_mut(&group) {
            g.incumbent = Some(holder);
        }
    }
    for (group, (_, successor)) in handovers {
        if let Some(g) = groups.get_mut(&group) {
            g.handover_to = Some(successor);
        }
    }
    View {
        groups,
        policy: policy.map(|(_, _, p)| p),
    }
}

/// The view this chitchat instance holds now: every known node (live or dead, every
/// generation) that announces a group.
pub fn view_of(chitchat: &Chitchat) -> View {
    let live: BTreeSet<&ChitchatId> = chitchat.live_nodes().collect();
    view_from_states(chitchat.node_states(), &live)
}

/// The verdict counters a node announces under [`KEY_COUNTERS`], or `None` when it announces
/// none or something that is not the counters JSON (every verdict's name with a decimal count).
pub fn counters_of(state: &NodeState) -> Option<Counters> {
    let text = state.get(KEY_COUNTERS)?;
    let map: BTreeMap<String, String> = serde_json::from_str(text).ok()?;
    let count = |name: &str| parse_u64(map.get(name)?).ok();
    let counters = Counters {
        current: count("CURRENT")?,
        advanced: count("ADVANCED")?,
        stale_epoch: count("STALE_EPOCH")?,
        too_far_ahead: count("TOO_FAR_AHEAD")?,
        conflict: count("CONFLICT")?,
        closed: count("CLOSED")?,
    };
    (map.len() == 6).then_some(counters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tael_coord::{elect_leaders, Policy};

    fn node(name: &str, generation: u64) -> ChitchatId {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        ChitchatId::new(name.to_owned(), generation, addr)
    }

    fn state(a: &Announcement) -> NodeState {
        let mut s = NodeState::for_test();
        a.publish(&mut s);
        s
    }

    #[test]
    fn restarted_node_counts_once_and_incumbent_is_highest_claim() {
        let (a1, a2, b) = (node("node-a", 1), node("node-a", 2), node("node-b", 1));
        let old_a = Announcement {
            epoch: 3,
            leading: true,
            ..Announcement::member_of("wal-0")
        };
        let new_a = Announcement::member_of("wal-0");
        let new_b = Announcement {
            epoch: 4,
            leading: true,
            ..Announcement::member_of("wal-0")
        };
        let states = [
            (a1.clone(), state(&old_a)),
            (a2.clone(), state(&new_a)),
            (b.clone(), state(&new_b)),
        ];
        let live: BTreeSet<&ChitchatId> = [&a2, &b].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        let g = &view.groups["wal-0"];
        assert_eq!(g.members.len(), 3);
        assert_eq!(g.incumbent.as_deref(), Some("node-b"));
        let sticky = Policy {
            sticky_incumbent: true,
            ..Policy::default()
        };
        let d = &elect_leaders(&view, &sticky).unwrap()[0];
        assert_eq!(
            d.leader.as_deref(),
            Some("node-b"),
            "the live incumbent stays"
        );
        let d = &elect_leaders(&view, &Policy::default()).unwrap()[0];
        assert_eq!(
            d.leader.as_deref(),
            Some("node-a"),
            "without sticky the smaller id leads"
        );
        assert_eq!(view.policy, None, "no node announced a policy");
        assert_eq!(tael_coord::next_epoch(&view, "wal-0"), Ok(5));
    }

    /// The log position each node announces reaches the view, and the freshness policy skips
    /// the lagging smaller id.
    #[test]
    fn announced_log_positions_feed_freshness() {
        let (a, b) = (node("node-a", 1), node("node-b", 1));
        let at = |log_epoch, log_end| Announcement {
            log_epoch,
            log_end,
            ..Announcement::member_of("wal-0")
        };
        let states = [
            (a.clone(), state(&at(2, 40))),
            (b.clone(), state(&at(2, 45))),
        ];
        let live: BTreeSet<&ChitchatId> = [&a, &b].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        let positions: Vec<(u64, u64)> = view.groups["wal-0"]
            .members
            .iter()
            .map(|m| (m.log_epoch, m.log_end))
            .collect();
        assert_eq!(positions, [(2, 40), (2, 45)]);
        let fresh = |max_lag| Policy {
            freshness: true,
            max_lag,
            ..Policy::default()
        };
        let leader = |policy| elect_leaders(&view, &policy).unwrap()[0].leader.clone();
        assert_eq!(leader(fresh(0)).as_deref(), Some("node-b"));
        assert_eq!(leader(fresh(5)).as_deref(), Some("node-a"));
    }

    /// A live leaving member's successor becomes the group's handover target, and it leads.
    #[test]
    fn a_leaving_leader_hands_over() {
        let (a, b, c) = (node("node-a", 1), node("node-b", 1), node("node-c", 1));
        let leaving = Announcement {
            leaving: true,
            handover_to: Some("node-c".to_owned()),
            leading: true,
            epoch: 4,
            ..Announcement::member_of("wal-0")
        };
        let states = [
            (a.clone(), state(&leaving)),
            (b.clone(), state(&Announcement::member_of("wal-0"))),
            (c.clone(), state(&Announcement::member_of("wal-0"))),
        ];
        let live: BTreeSet<&ChitchatId> = [&a, &b, &c].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        let g = &view.groups["wal-0"];
        assert_eq!(g.handover_to.as_deref(), Some("node-c"));
        assert!(g.members[0].leaving && !g.members[1].leaving);
        let sticky = Policy {
            sticky_incumbent: true,
            ..Policy::default()
        };
        let d = &elect_leaders(&view, &sticky).unwrap()[0];
        assert_eq!(d.leader.as_deref(), Some("node-c"));
        // A dead leaving member hands over nothing.
        let live: BTreeSet<&ChitchatId> = [&b, &c].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        assert_eq!(view.groups["wal-0"].handover_to, None);
    }

    #[test]
    fn observers_and_bad_values_do_not_break_the_view() {
        let (a, o, x) = (node("node-a", 1), node("observer", 1), node("node-x", 1));
        let mut bad = state(&Announcement::member_of("wal-0"));
        bad.set(KEY_EPOCH, "-1");
        bad.set(KEY_PRIORITY, "lots");
        let states = [
            (a.clone(), bad),
            (o.clone(), NodeState::for_test()),
            (x.clone(), state(&Announcement::member_of(""))),
        ];
        let live: BTreeSet<&ChitchatId> = [&a, &o, &x].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        assert_eq!(view.groups.len(), 1);
        let m = &view.groups["wal-0"].members[0];
        assert_eq!((m.epoch, m.priority, m.live), (0, 0, true));
        assert!(view.validate().is_ok());
    }

    #[test]
    fn the_view_carries_the_policy_of_the_smallest_announcing_id() {
        let sticky = Policy {
            sticky_incumbent: true,
            ..Policy::default()
        };
        let priority = Policy {
            priority: true,
            ..Policy::default()
        };
        let announcing = |policy| Announcement {
            policy: Some(policy),
            ..Announcement::member_of("wal-0")
        };
        let (b, c1, c2) = (node("node-b", 1), node("node-c", 1), node("node-c", 2));
        let mut garbled = state(&Announcement::member_of("wal-0"));
        garbled.set(KEY_POLICY, "{\"sticky\": true}");
        let states = [
            (c1.clone(), state(&announcing(sticky))),
            (c2.clone(), state(&announcing(priority))),
            (b.clone(), garbled),
        ];
        let live: BTreeSet<&ChitchatId> = [&b, &c2].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        assert_eq!(
            view.policy,
            Some(priority),
            "node-b's policy does not parse; node-c's newest generation speaks"
        );
        let round_trip = View::from_json(&view.to_json()).unwrap();
        assert_eq!(round_trip, view, "the policy travels in the view's JSON");
    }

    #[test]
    fn leading_nodes_claim_their_epoch_and_a_dead_claim_never_counts() {
        let (a1, a2, b) = (node("node-a", 1), node("node-a", 2), node("node-b", 1));
        let leader = |epoch| Announcement {
            epoch,
            leading: true,
            ..Announcement::member_of("wal-0")
        };
        let states = [
            (a1.clone(), state(&leader(3))),
            (a2.clone(), state(&leader(5))),
            (b.clone(), state(&leader(4))),
        ];
        let live: BTreeSet<&ChitchatId> = [&a2, &b].into_iter().collect();
        let view = view_from_states(states.iter().map(|(i, s)| (i, s)), &live);
        let claims: Vec<Option<u64>> = view.groups["wal-0"]
            .members
            .iter()
            .map(|m| m.claims_epoch)
            .collect();
        assert_eq!(claims, [Some(3), Some(5), Some(4)]);
        let d = &elect_leaders(&view, &Policy::default()).unwrap()[0];
        assert_eq!(d.leader.as_deref(), Some("node-a"));
        assert_eq!(d.leader_epoch, Some(5));
        let claimants: Vec<(&str, u64)> = d
            .claimants
            .iter()
            .map(|c| (c.id.as_str(), c.claims_epoch))
            .collect();
        assert_eq!(
            claimants,
            [("node-b", 4)],
            "the dead generation 1 does not count"
        );
        let follower = Announcement::member_of("wal-0");
        let view = view_from_states([(&b, &state(&follower))], &[&b].into_iter().collect());
        assert_eq!(view.groups["wal-0"].members[0].claims_epoch, None);
    }

    #[test]
    fn counters_travel_in_their_own_key() {
        let counters = Counters {
            current: 7,
            stale_epoch: u64::MAX,
            ..Counters::default()
        };
        let counting = Announcement {
            counters: Some(counters),
            ..Announcement::member_of("wal-0")
        };
        assert_eq!(counters_of(&state(&counting)), Some(counters));
        assert_eq!(counters_of(&state(&Announcement::member_of("wal-0"))), None);
        let mut bad = NodeState::for_test();
        for text in ["{}", "[1]", r#"{"CURRENT":"1"}"#, "not json"] {
            bad.set(KEY_COUNTERS, text);
            assert_eq!(counters_of(&bad), None, "{text}");
        }
    }
}
