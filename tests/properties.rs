//! Properties of the core against small sequential models.

use std::sync::Arc;
use std::thread;

use proptest::prelude::*;
use tael_coord::{
    elect_leaders, try_elect_leader, EpochFencer, Exclusion, FenceRegistry, GateRegistry, Group,
    HolderFencer, HolderGate, Member, Policy, Snapshot, Status, Verdict, View,
};

/// Ids drawn from a small alphabet with multi-byte characters, so ties, prefixes and the
/// UTF-8/UTF-16 order difference all occur.
fn id() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just('-'),
            Just('é'),
            Just('\u{FF61}'),
            Just('😀')
        ],
        1..6,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn epoch() -> impl Strategy<Value = u64> {
    prop_oneof![0..20u64, Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()]
}

#[derive(Clone, Debug)]
enum Op {
    Check(u64),
    Promote,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![4 => epoch().prop_map(Op::Check), 1 => Just(Op::Promote)]
}

/// The sequential model of a gate, written from the spec.
struct Model {
    highest: u64,
    cap: Option<u64>,
}

impl Model {
    fn check(&mut self, e: u64) -> Verdict {
        let h = self.highest;
        if e < h {
            Verdict::Stale {
                epoch: e,
                highest: h,
            }
        } else if e == h {
            Verdict::Current { epoch: e }
        } else if self.cap.is_some_and(|c| e - h > c) {
            Verdict::TooFarAhead {
                epoch: e,
                highest: h,
                cap: self.cap.unwrap(),
            }
        } else {
            self.highest = e;
            Verdict::Advanced { from: h, to: e }
        }
    }

    fn promote(&mut self) -> Option<u64> {
        self.highest = self.highest.checked_add(1)?;
        Some(self.highest)
    }
}

proptest! {
    #[test]
    fn election_is_permutation_invariant_and_minimal(
        ids in proptest::collection::vec(id(), 1..8),
        seed in any::<u64>(),
    ) {
        // The first occurrence of the smallest id in byte order (String's order).
        let index = try_elect_leader(&ids).unwrap().unwrap();
        let smallest = ids.iter().min().unwrap();
        prop_assert_eq!(Some(index), ids.iter().position(|id| id == smallest));
        let winner = &ids[index];
        let mut shuffled = ids.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (seed.rotate_left(i as u32) as usize) % n);
        }
        let again = &shuffled[try_elect_leader(&shuffled).unwrap().unwrap()];
        prop_assert_eq!(winner, again);
    }

    #[test]
    fn gate_matches_sequential_model(
        start in epoch(),
        cap in proptest::option::of(prop_oneof![0..10u64, any::<u64>()]),
        ops in proptest::collection::vec(op(), 0..40),
    ) {
        let gate = EpochFencer::with_highest(start);
        let gate = match cap { Some(c) => gate.with_jump_cap(c), None => gate };
        let mut model = Model { highest: start, cap };
        for op in ops {
            match op {
                Op::Check(e) => prop_assert_eq!(gate.check(e), model.check(e)),
                Op::Promote => prop_assert_eq!(gate.promote().ok(), model.promote()),
            }
            prop_assert_eq!(gate.highest(), model.highest);
        }
    }

    #[test]
    fn holder_gate_matches_sequential_model(
        start in 0..5u64,
        steps in proptest::collection::vec((0..8u64, 0..3usize, any::<bool>()), 0..40),
    ) {
        let names = ["a", "b", "c"];
        let gate = HolderFencer::with_highest(start);
        let (mut highest, mut holder): (u64, Option<&str>) = (start, None);
        for (e, who, promote) in steps {
            let h = names[who];
            if promote {
                highest += 1;
                holder = Some(h);
                prop_assert_eq!(gate.promote(h), Ok(highest));
                continue;
            }
            let want = if e < highest {
                Verdict::Stale { epoch: e, highest }
            } else if e > highest {
                let from = highest;
                highest = e;
                holder = Some(h);
                Verdict::Advanced { from, to: e }
            } else if holder.is_some_and(|x| x != h) {
                Verdict::Conflict { epoch: e, holder: holder.unwrap().to_owned() }
            } else {
                holder = Some(h);
                Verdict::Current { epoch: e }
            };
            prop_assert_eq!(gate.check(e, h), Ok(want));
            prop_assert_eq!(gate.state(), (highest, holder.map(str::to_owned)));
        }
    }

    #[test]
    fn rendezvous_leader_survives_removal_of_non_leaders(
        group in id(),
        ids in proptest::collection::btree_set(id(), 2..7),
        drop_mask in any::<u8>(),
    ) {
        let policy = Policy { rendezvous: true, ..Policy::default() };
        let decide = |members: Vec<Member>| {
            let view = View { groups: [(group.clone(), Group { members, ..Group::default() })].into(), ..View::default() };
            elect_leaders(&view, &policy).unwrap().remove(0).leader
        };
        let all: Vec<Member> = ids.iter().map(Member::live).collect();
        let leader = decide(all.clone()).unwrap();
        let kept: Vec<Member> = all
            .into_iter()
            .enumerate()
            .filter(|(i, m)| m.id == leader || drop_mask & (1 << (i % 8)) == 0)
            .map(|(_, m)| m)
            .collect();
        prop_assert_eq!(decide(kept), Some(leader));
    }

    #[test]
    fn every_listed_member_is_leader_or_explained_once(
        members in proptest::collection::vec((id(), any::<bool>(), 0..3u64, 0..3u64, any::<bool>(), (0..3u64, 0..12u64), proptest::bool::weighted(0.2), proptest::option::weighted(0.3, 0..4u64)), 0..8),
        policy in any::<(bool, bool, bool, bool, bool, bool)>(),
        max_lag in 0..4u64,
        incumbent in proptest::option::of(id()),
        handover_to in proptest::option::of(id()),
    ) {
        let members: Vec<Member> = members
            .into_iter()
            .map(|(id, live, generation, priority, eligible, (log_epoch, log_end), leaving, claims_epoch)| {
                Member { id, live, generation, priority, eligible, epoch: claims_epoch.unwrap_or(0), log_epoch, log_end, leaving, claims_epoch }
            })
            .collect();
        let policy = Policy {
            eligibility: policy.0, quorum_guard: policy.1, sticky_incumbent: policy.2,
            priority: policy.3, rendezvous: policy.4, freshness: policy.5, max_lag,
        };
        let view = View { groups: [("g".to_owned(), Group { members: members.clone(), incumbent, handover_to: handover_to.clone(), configured: None })].into(), ..View::default() };
        let d = elect_leaders(&view, &policy).unwrap().remove(0);
        let leaders = usize::from(d.leader.is_some());
        prop_assert_eq!(d.excluded.len() + leaders, members.len());
        prop_assert_eq!(d.leader.is_some(), d.leader_index.is_some());
        prop_assert_eq!(d.leader.is_some(), d.leader_generation.is_some());
        prop_assert_eq!(d.leader_index.map(|i| members[i].epoch), d.leader_epoch);
        // An entry is shadowed by a newer entry of its id, or an equal one listed before it.
        let shadowed = |i: usize| {
            let m = &members[i];
            members.iter().enumerate().any(|(j, n)| n.id == m.id
                && (n.generation > m.generation || (n.generation == m.generation && j < i)))
        };
        // Claimants: exactly the live entries that claim, but the leader's and the duplicates'.
        let claiming = |i: usize| {
            let m = &members[i];
            m.live && m.claims_epoch.is_some() && Some(i) != d.leader_index && !shadowed(i)
        };
        let claimants: Vec<(&str, u64, u64)> = d.claimants.iter().map(|c| (c.id.as_str(), c.generation, c.claims_epoch)).collect();
        let want: Vec<(&str, u64, u64)> = (0..members.len()).filter(|&i| claiming(i))
            .map(|i| (members[i].id.as_str(), members[i].generation, members[i].claims_epoch.unwrap())).collect();
        prop_assert_eq!(claimants, want);
        if let (Some(leader), Some(index)) = (&d.leader, d.leader_index) {
            // The leading entry: live, eligible when asked, the newest of its id (first listed
            // among equals), and the one entry of that id the explanation leaves out.
            let entry = &members[index];
            prop_assert_eq!(&entry.id, leader);
            prop_assert_eq!(Some(entry.generation), d.leader_generation);
            prop_assert!(entry.live && !entry.leaving && (entry.eligible || !policy.eligibility));
            // A handover to a candidate is obeyed.
            if let Some(successor) = &handover_to {
                if d.excluded.iter().any(|x| x.reason == Exclusion::OutrankedByHandover) {
                    prop_assert_eq!(leader, successor);
                }
            }
            // Under freshness the leader is on the freshest live log's epoch, and no live
            // member that is not shadowed is more than `max_lag` records ahead of it.
            if policy.freshness {
                for (_, m) in members.iter().enumerate().filter(|&(i, m)| m.live && !shadowed(i)) {
                    prop_assert!(m.log_epoch < entry.log_epoch
                        || (m.log_epoch == entry.log_epoch && m.log_end <= entry.log_end + policy.max_lag),
                        "{m:?} is ahead of the leader {entry:?}");
                }
            }
            for (i, m) in members.iter().enumerate().filter(|(_, m)| &m.id == leader) {
                prop_assert!(m.generation < entry.generation || (m.generation == entry.generation && i >= index));
            }
            let same_id = members.iter().filter(|m| &m.id == leader).count();
            let explained = d.excluded.iter().filter(|x| &x.id == leader).count();
            prop_assert_eq!(explained + 1, same_id);
        }
        for x in &d.excluded {
            if x.reason == Exclusion::Dead {
                prop_assert!(members.iter().any(|m| m.id == x.id && !m.live));
            }
            if x.reason == Exclusion::Leaving {
                prop_assert!(members.iter().any(|m| m.id == x.id && m.live && m.leaving));
            }
        }
        // The view survives its own JSON form.
        prop_assert_eq!(View::from_json(&view.to_json()).unwrap(), view);
    }

    /// SEMANTICS.md §16: whatever the order two claimants' tokens at one epoch reach a group's
    /// holder gates, at most one claimant is established.
    #[test]
    fn at_most_one_claimant_is_established_per_epoch(
        gates in 1..7usize,
        configured_extra in 0..3u64,
        order in proptest::collection::vec((0..7usize, any::<bool>()), 0..24),
        start in 0..3u64,
    ) {
        let group: Vec<HolderFencer> = (0..gates).map(|_| HolderFencer::with_highest(start)).collect();
        let configured = gates as u64 + configured_extra;
        let epoch = start + 1;
        // Each claimant's latest verdict from each gate: one answer per gate.
        let mut answers: [std::collections::BTreeMap<usize, Verdict>; 2] = Default::default();
        for (gate, second) in order {
            let holder = if second { "b" } else { "a" };
            let verdict = group[gate % gates].check(epoch, holder).unwrap();
            answers[usize::from(second)].insert(gate % gates, verdict);
        }
        let votes: Vec<Vec<Verdict>> = answers.iter().map(|a| a.values().cloned().collect()).collect();
        let won = votes.iter().filter(|v| tael_coord::established(epoch, v, configured)).count();
        prop_assert!(won <= 1, "{votes:?}");
    }

    #[test]
    fn restore_never_lowers(marks in proptest::collection::btree_map(id(), epoch(), 0..5), start in epoch()) {
        let registry = FenceRegistry::new();
        for name in marks.keys() {
            registry.add(name, start).unwrap();
        }
        let snapshot = Snapshot::from_json(&format!(
            "{{\"streams\":{{{}}}}}",
            marks.iter().map(|(k, v)| format!("{k:?}:\"{v}\"")).collect::<Vec<_>>().join(",")
        )).unwrap();
        registry.restore(&snapshot).unwrap();
        for (name, mark) in &marks {
            prop_assert_eq!(registry.highest(name), Ok(start.max(*mark)));
        }
    }
}

#[test]
fn threads_accept_non_decreasing_epochs_and_end_at_the_max() {
    let gate = Arc::new(EpochFencer::new());
    let offers: Vec<Vec<u64>> = (0..4u64)
        .map(|t| (0..10_000u64).map(|i| (i * 31 + t * 17) % 50_021).collect())
        .collect();
    let max = *offers.iter().flatten().max().unwrap();
    thread::scope(|s| {
        for o in &offers {
            let gate = &gate;
            s.spawn(move || {
                let mut last = 0;
                for &e in o {
                    if gate.check_and_advance(e) {
                        assert!(e >= last, "accepted {e} after {last}");
                        last = e;
                    }
                }
            });
        }
    });
    assert_eq!(gate.highest(), max);
    assert_eq!(gate.check(max).status(), Status::Current);
}
