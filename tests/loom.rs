//! Model checks of the gates' concurrency with loom: every interleaving of the threads below,
//! under the C11 memory model as loom simulates it, of the lock-free gate's compare-and-swap
//! loop (`EpochFencer::check`, `promote`), the holder gate's lock (`HolderFencer`) and the
//! registry's (`FenceRegistry`).
//!
//! Only in a build with `--cfg loom`, where `src/sync.rs` hands the core loom's atomics and
//! locks:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test --test loom --target-dir target/loom
//! ```

#![cfg(loom)]

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;

use loom::sync::Arc;
use loom::thread;
use tael_coord::{
    Counting, EpochFencer, FenceRegistry, GateRegistry, HolderFencer, HolderGate, Status, Verdict,
};

/// Runs `body` under every interleaving loom can reach. Asserts that loom explored more than
/// one: a single execution would mean the gates were not built on loom's primitives (a build
/// without `src/sync.rs` in effect), and nothing would have been checked.
fn model<F: Fn() + Sync + Send + 'static>(body: F) {
    // A std atomic, outside the model: it counts executions and is not itself explored.
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = executions.clone();
    let mut builder = loom::model::Builder::new();
    // Every interleaving: the bodies below are small enough for an exhaustive search.
    builder.preemption_bound = None;
    builder.check(move || {
        counter.fetch_add(1, SeqCst);
        body();
    });
    let n = executions.load(SeqCst);
    println!("loom explored {n} interleavings");
    assert!(n > 1, "loom explored only {n} interleaving");
}

/// The highest epoch a verdict shows the gate at; each thread must see it never go down.
fn seen(v: &Verdict) -> u64 {
    v.highest()
}

#[test]
fn two_threads_advancing_end_at_the_max_and_each_sees_monotonic_acceptance() {
    model(|| {
        let gate = Arc::new(EpochFencer::new());
        let run = |gate: Arc<EpochFencer>, epochs: [u64; 2]| {
            thread::spawn(move || epochs.map(|e| gate.check(e)))
        };
        let a = run(gate.clone(), [2, 5]);
        let b = run(gate.clone(), [3, 4]);
        let (a, b) = (a.join().unwrap(), b.join().unwrap());

        assert_eq!(
            gate.highest(),
            5,
            "the gate ends at the max of every accepted epoch"
        );
        for (verdicts, epochs) in [(&a, [2, 5]), (&b, [3, 4])] {
            // Each thread sees the gate's highest never go down, and every verdict is the rule
            // applied to some highest the gate really had.
            assert!(seen(&verdicts[0]) <= seen(&verdicts[1]), "{verdicts:?}");
            for (v, e) in verdicts.iter().zip(epochs) {
                assert_eq!(v.epoch(), e);
                match v {
                    Verdict::Advanced { from, to } => assert!(from < to && *to == e),
                    Verdict::Stale { highest, .. } => assert!(*highest > e),
                    Verdict::Current { .. } => panic!("no epoch is offered twice: {v:?}"),
                    other => panic!("no cap, so {other:?} is impossible"),
                }
            }
        }
        // 5 is the largest epoch offered, so it is always accepted; every accepted epoch moved
        // the gate from a lower mark, and the advances chain up to 5 without a gap.
        assert!(a[1].accepted());
        let mut steps: Vec<(u64, u64)> = a
            .iter()
            .chain(&b)
            .filter_map(|v| match v {
                Verdict::Advanced { from, to } => Some((*from, *to)),
                _ => None,
            })
            .collect();
        steps.sort();
        assert_eq!(steps.first().map(|s| s.0), Some(0));
        assert!(steps.windows(2).all(|w| w[0].1 == w[1].0), "{steps:?}");
        assert_eq!(steps.last().map(|s| s.1), Some(5));
    });
}

#[test]
fn promote_racing_check_never_loses_an_advance() {
    model(|| {
        let gate = Arc::new(EpochFencer::with_highest(10));
        let g = gate.clone();
        let promoter = thread::spawn(move || g.promote());
        let g = gate.clone();
        let checker = thread::spawn(move || g.check(11));
        let promoted = promoter.join().unwrap().expect("far from the top");
        let verdict = checker.join().unwrap();

        // Whichever came first, 11 is reached exactly once by each; nothing is lost.
        match verdict {
            // The check came first: the promotion moved past it.
            Verdict::Advanced { from: 10, to: 11 } => assert_eq!(promoted, 12),
            // The promotion came first: the record at 11 is the new leader's own epoch.
            Verdict::Current { epoch: 11 } => assert_eq!(promoted, 11),
            other => panic!("impossible verdict {other:?}"),
        }
        assert_eq!(gate.highest(), promoted);
    });
}

#[test]
fn promotion_past_a_floor_racing_a_record_at_the_floor() {
    // A new leader promotes past its view's next epoch (7) while a record of another claimant
    // at 7 arrives: either the record came first and the promotion moved past it, or the
    // promotion took 7 and the record is the leader's own epoch. The leader never announces an
    // epoch its gate did not give it.
    model(|| {
        let gate = Arc::new(EpochFencer::with_highest(3));
        let g = gate.clone();
        let promoter = thread::spawn(move || g.promote_to_at_least(7));
        let g = gate.clone();
        let checker = thread::spawn(move || g.check(7));
        let promoted = promoter.join().unwrap().expect("far from the top");
        match checker.join().unwrap() {
            Verdict::Advanced { from: 3, to: 7 } => assert_eq!(promoted, 8),
            Verdict::Current { epoch: 7 } => assert_eq!(promoted, 7),
            other => panic!("impossible verdict {other:?}"),
        }
        assert_eq!(gate.highest(), promoted);
    });
}

#[test]
fn a_holder_promotion_past_a_floor_owns_its_epoch() {
    // The same race on a holder gate: the promoted epoch is recorded for the promoting holder,
    // and a rival's record at it is a CONFLICT, never accepted.
    model(|| {
        let gate = Arc::new(HolderFencer::with_highest(3));
        let g = gate.clone();
        let promoter = thread::spawn(move || g.promote_to_at_least(7, "a"));
        let g = gate.clone();
        let rival = thread::spawn(move || g.check(7, "b").unwrap());
        let promoted = promoter.join().unwrap().expect("far from the top");
        match rival.join().unwrap() {
            Verdict::Advanced { from: 3, to: 7 } => assert_eq!(promoted, 8),
            Verdict::Conflict { epoch: 7, holder } => {
                assert_eq!((promoted, holder.as_str()), (7, "a"))
            }
            other => panic!("impossible verdict {other:?}"),
        }
        assert_eq!(gate.state(), (promoted, Some("a".to_owned())));
    });
}

#[test]
fn racing_promotions_get_distinct_epochs_and_never_wrap() {
    model(|| {
        let gate = Arc::new(EpochFencer::with_highest(u64::MAX - 1));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let g = gate.clone();
                thread::spawn(move || g.promote())
            })
            .collect();
        let mut results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        results.sort_by_key(|r| r.is_err());
        assert_eq!(
            results[0],
            Ok(u64::MAX),
            "exactly one promotion reaches the top"
        );
        let err = results[1]
            .clone()
            .expect_err("the other finds no epoch left");
        assert_eq!(err.status(), Status::EpochOverflow);
        assert_eq!(gate.highest(), u64::MAX, "the gate never wraps");
    });
}

#[test]
fn a_check_racing_a_check_and_a_promotion_keeps_the_max() {
    model(|| {
        let gate = Arc::new(EpochFencer::with_highest(1).with_jump_cap(3));
        let g = gate.clone();
        let t1 = thread::spawn(move || g.check(4));
        let g = gate.clone();
        let t2 = thread::spawn(move || g.promote());
        let v = t1.join().unwrap();
        let p = t2.join().unwrap().unwrap();
        // 4 is within the cap of 1 or of 2 (after the promotion), so it is always accepted.
        assert!(v.accepted(), "{v:?}");
        match v {
            Verdict::Advanced { from: 1, to: 4 } => assert_eq!(p, 5),
            Verdict::Advanced { from: 2, to: 4 } => assert_eq!(p, 2),
            other => panic!("impossible verdict {other:?}"),
        }
        assert_eq!(gate.highest(), p.max(4));
    });
}

#[test]
fn holder_gate_two_claimants_of_one_epoch_one_advances_one_conflicts() {
    model(|| {
        let gate = Arc::new(HolderFencer::new());
        let claim = |gate: Arc<HolderFencer>, who: &'static str| {
            thread::spawn(move || gate.check(1, who).unwrap())
        };
        let a = claim(gate.clone(), "a");
        let b = claim(gate.clone(), "b");
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let (winner, loser, holder) = match (&a, &b) {
            (Verdict::Advanced { .. }, _) => (&a, &b, "a"),
            (_, Verdict::Advanced { .. }) => (&b, &a, "b"),
            _ => panic!("nobody advanced: {a:?} {b:?}"),
        };
        assert_eq!(*winner, Verdict::Advanced { from: 0, to: 1 });
        assert_eq!(
            *loser,
            Verdict::Conflict {
                epoch: 1,
                holder: holder.into()
            }
        );
        assert_eq!(gate.state(), (1, Some(holder.into())));
    });
}

#[test]
fn holder_gate_first_claimant_of_a_fresh_gate_takes_epoch_zero() {
    model(|| {
        let gate = Arc::new(HolderFencer::new());
        let g = gate.clone();
        let a = thread::spawn(move || g.check(0, "a").unwrap());
        let b = gate.check(0, "b").unwrap();
        let a = a.join().unwrap();
        let codes = [a.status(), b.status()];
        assert!(
            codes == [Status::Current, Status::Conflict]
                || codes == [Status::Conflict, Status::Current],
            "{codes:?}"
        );
        let holder = if a.status() == Status::Current {
            "a"
        } else {
            "b"
        };
        assert_eq!(gate.state(), (0, Some(holder.into())));
    });
}

#[test]
fn holder_gate_promotion_racing_a_token_of_the_same_epoch() {
    model(|| {
        let gate = Arc::new(HolderFencer::with_highest(4));
        let g = gate.clone();
        let promoter = thread::spawn(move || g.promote("a").unwrap());
        let g = gate.clone();
        let writer = thread::spawn(move || g.check(5, "b").unwrap());
        let epoch = promoter.join().unwrap();
        let verdict = writer.join().unwrap();
        match verdict {
            // b reached 5 first: a's promotion moves past b's reign.
            Verdict::Advanced { from: 4, to: 5 } => {
                assert_eq!(epoch, 6);
                assert_eq!(gate.state(), (6, Some("a".into())));
            }
            // a took 5 first: b's token at 5 claims a's reign, a conflict.
            Verdict::Conflict { epoch: 5, holder } => {
                assert_eq!((epoch, holder.as_str()), (5, "a"));
                assert_eq!(gate.state(), (5, Some("a".into())));
            }
            other => panic!("impossible verdict {other:?}"),
        }
    });
}

#[test]
fn a_close_racing_a_late_record_of_its_reign() {
    model(|| {
        let gate = Arc::new(HolderFencer::with_holder(4, Some("a")).unwrap());
        let g = gate.clone();
        let late = thread::spawn(move || g.check(4, "a").unwrap());
        let closed = gate.close(4, "a").unwrap();
        let late = late.join().unwrap();
        let verdict_of_closed = Verdict::Closed {
            epoch: 4,
            holder: "a".into(),
        };
        assert_eq!(closed, verdict_of_closed);
        // Before the close the record is the reign's own; after it, refused.
        assert!(
            late == Verdict::Current { epoch: 4 } || late == verdict_of_closed,
            "{late:?}"
        );
        assert!(gate.closed());
        assert_eq!(gate.state(), (4, Some("a".into())));
    });
}

#[test]
fn counted_verdicts_add_up_under_racing_checks() {
    model(|| {
        let gate = Arc::new(Counting::new(HolderFencer::new()));
        let g = gate.clone();
        let other = thread::spawn(move || g.check(1, "b").unwrap());
        let mine = gate.check(1, "a").unwrap();
        let other = other.join().unwrap();
        let c = gate.counters().unwrap();
        assert_eq!((c.advanced, c.conflict), (1, 1), "{mine:?} {other:?}");
    });
}

#[test]
fn registry_check_racing_restore_keeps_the_max() {
    model(|| {
        let registry = Arc::new(FenceRegistry::new());
        registry.add("s", 1).unwrap();
        let r = registry.clone();
        let checker = thread::spawn(move || r.check("s", 3).unwrap());
        let r = registry.clone();
        let restorer = thread::spawn(move || {
            let snapshot = tael_coord::Snapshot::from_json(r#"{"streams":{"s":"5","t":"2"}}"#);
            r.restore(&snapshot.unwrap()).unwrap()
        });
        let verdict = checker.join().unwrap();
        restorer.join().unwrap();
        match verdict {
            Verdict::Advanced { from: 1, to: 3 }
            | Verdict::Stale {
                epoch: 3,
                highest: 5,
            } => {}
            other => panic!("impossible verdict {other:?}"),
        }
        assert_eq!(
            registry.highest("s"),
            Ok(5),
            "a restore never lowers a mark"
        );
        assert_eq!(registry.highest("t"), Ok(2));
    });
}
