//! Properties of epoch histories (SEMANTICS.md §15): the divergence point against a per-offset
//! model, and the follower's network step against the divergence point for logs made by one
//! sequence of reigns, simulated record by record.

use proptest::prelude::*;
use tael_coord::{divergence_point, follower_step, EpochEntry, EpochHistory};

/// Which reign wrote an offset: its epoch and, when the history records one, its holder.
type Reign = (u64, Option<u8>);

/// A valid history over small offsets, with or without holders, and a log end that fits it.
fn history() -> impl Strategy<Value = (EpochHistory, u64)> {
    let entry = (1..4u64, 0..4u64, proptest::option::of(0..3u8));
    (proptest::collection::vec(entry, 0..5), 0..4u64, 0..6u64).prop_map(|(steps, first, tail)| {
        let (mut epoch, mut start) = (0, first);
        let mut entries = Vec::new();
        for (i, (de, ds, holder)) in steps.into_iter().enumerate() {
            epoch += de;
            if i > 0 {
                start += ds + 1;
            }
            entries.push(EpochEntry {
                epoch,
                start_offset: start,
                holder: holder.map(|h| format!("node-{h}")),
            });
        }
        let end = entries.last().map_or(0, |e| e.start_offset + tail);
        (EpochHistory::from_entries(entries).unwrap(), end)
    })
}

/// The reign of every offset of a log, `None` below its history's first start.
fn reigns(h: &EpochHistory, end: u64) -> Vec<Option<(u64, Option<&str>)>> {
    (0..end)
        .map(|x| {
            h.entries()
                .iter()
                .rev()
                .find(|e| e.start_offset <= x)
                .map(|e| (e.epoch, e.holder.as_deref()))
        })
        .collect()
}

/// §15, offset by offset: the first compared offset whose reigns differ, else the smaller end.
fn model(a: &EpochHistory, a_end: u64, b: &EpochHistory, b_end: u64) -> u64 {
    let (ra, rb) = (reigns(a, a_end), reigns(b, b_end));
    let end = a_end.min(b_end);
    (0..end)
        .find(|&x| match (ra[x as usize], rb[x as usize]) {
            (Some((ea, ha)), Some((eb, hb))) => {
                ea != eb || matches!((ha, hb), (Some(p), Some(q)) if p != q)
            }
            _ => false,
        })
        .unwrap_or(end)
}

/// A follower's truncations, step by step, against a leader it can only ask.
fn iterate_steps(leader: &EpochHistory, leader_end: u64, follower: &EpochHistory, end: u64) -> u64 {
    let (mut follower, mut end) = (follower.clone(), end);
    for _ in 0..=follower.len() {
        let answer = match follower.latest_epoch() {
            Some(latest) => leader.end_offset_for(latest, leader_end).unwrap(),
            None => None,
        };
        let step = follower_step(&follower, end, answer).unwrap();
        assert!(step.offset <= end, "a step never passes the log end");
        follower.truncate_from_end(step.offset);
        end = step.offset;
        if step.done {
            return end;
        }
    }
    panic!("every step that is not done removes an entry, so the loop ends");
}

proptest! {
    #[test]
    fn the_divergence_point_is_the_per_offset_model((a, a_end) in history(), (b, b_end) in history()) {
        let point = divergence_point(&a, a_end, &b, b_end).unwrap();
        prop_assert_eq!(point, model(&a, a_end, &b, b_end));
        prop_assert_eq!(divergence_point(&b, b_end, &a, a_end), Ok(point), "symmetric");
        prop_assert!(point <= a_end && point <= b_end, "never above either end");
        let longer = if a.is_empty() { 0 } else { a_end + b_end };
        prop_assert_eq!(divergence_point(&a, a_end, &a, longer), Ok(a_end), "equal histories");
    }

    #[test]
    fn assign_and_truncations_keep_a_history_valid(
        (h, _) in history(),
        ops in proptest::collection::vec((0..3u8, 0..6u64, 0..12u64, proptest::option::of(0..2u8)), 0..8),
    ) {
        let mut h = h;
        for (op, epoch, offset, holder) in ops {
            let holder = holder.map(|n| format!("node-{n}"));
            let before = h.clone();
            let changed = match op {
                0 => h.assign(epoch, offset, holder.as_deref()).unwrap(),
                1 => h.truncate_from_end(offset),
                _ => h.truncate_from_start(offset),
            };
            prop_assert_eq!(changed, h != before, "reports whether it changed");
            let rebuilt = EpochHistory::from_entries(h.entries().to_vec());
            prop_assert_eq!(rebuilt, Ok(h.clone()), "the rules hold");
            if op == 0 {
                let last = h.entries().last().unwrap();
                prop_assert_eq!(last.epoch, epoch, "the assigned reign is the latest");
                prop_assert!(last.start_offset <= offset);
            }
        }
    }

    /// §15: for logs made by one sequence of reigns (one holder per epoch, no prefix deleted),
    /// the iterated network step reaches the divergence point whenever the follower's latest
    /// epoch is not above the leader's. Three nodes elect, write, crash-free diverge and
    /// replicate; every pair is checked after every event.
    #[test]
    fn the_network_step_reaches_the_divergence_point_for_one_sequence_of_reigns(
        events in proptest::collection::vec((0..3u8, 0..3usize, 0..4usize), 1..24),
    ) {
        let mut logs: Vec<Vec<Reign>> = vec![Vec::new(); 3];
        let mut histories = vec![EpochHistory::new(); 3];
        let mut leader: Option<usize> = None;
        let mut epoch = 0u64;
        for (kind, node, count) in events {
            match (kind, leader) {
                // An election: one holder per epoch, the epoch above every other.
                (0, _) | (_, None) => {
                    epoch += 1;
                    leader = Some(node);
                    let holder = format!("node-{node}");
                    histories[node].assign(epoch, logs[node].len() as u64, Some(&holder)).unwrap();
                }
                // The leader writes `count` records.
                (1, Some(l)) => {
                    for _ in 0..count {
                        logs[l].push((epoch, Some(l as u8)));
                    }
                }
                // A follower truncates to the divergence point and copies up to `count` records.
                (_, Some(l)) if l != node => {
                    let (le, fe) = (logs[l].len() as u64, logs[node].len() as u64);
                    let point = divergence_point(&histories[l], le, &histories[node], fe).unwrap() as usize;
                    logs[node].truncate(point);
                    histories[node].truncate_from_end(point as u64);
                    for x in point..logs[l].len().min(point + count) {
                        let reign = logs[l][x];
                        let holder = format!("node-{}", reign.1.unwrap());
                        histories[node].assign(reign.0, x as u64, Some(&holder)).unwrap();
                        logs[node].push(reign);
                    }
                }
                _ => {}
            }
            for a in 0..3 {
                let a_end = logs[a].len() as u64;
                for b in 0..3 {
                    let b_end = logs[b].len() as u64;
                    let point = divergence_point(&histories[a], a_end, &histories[b], b_end).unwrap();
                    // The histories describe the logs: the point is where the records differ.
                    let shared = logs[a].iter().zip(&logs[b]).take_while(|(x, y)| x == y).count() as u64;
                    prop_assert_eq!(point, shared);
                    let below = histories[b].latest_epoch() <= histories[a].latest_epoch();
                    if below {
                        prop_assert_eq!(iterate_steps(&histories[a], a_end, &histories[b], b_end), point);
                    }
                }
            }
        }
    }
}

/// The counterexample SEMANTICS.md §15 gives: two reigns share epoch 2, and the step cannot see it.
#[test]
fn the_step_is_not_the_divergence_point_for_two_reigns_of_one_epoch() {
    let leader = EpochHistory::from_pairs(&[(1, 0), (2, 5)]).unwrap();
    let follower = EpochHistory::from_pairs(&[(1, 0), (2, 3)]).unwrap();
    assert_eq!(iterate_steps(&leader, 10, &follower, 10), 10);
    assert_eq!(divergence_point(&leader, 10, &follower, 10), Ok(3));
}
