//! Linearizability of the gates under real threads.
//!
//! Several threads hammer one gate (the lock-free `EpochFencer`, the locked `HolderFencer`, a
//! `FenceRegistry` stream), each recording every operation it makes with its invocation and
//! response on one global sequence (a SeqCst counter ticked just before the call and just after
//! it returns). A Wing–Gong search (with Lowe's memoisation of visited states) then looks for an
//! order of the operations that respects real time (an operation that returned before another
//! was invoked comes first) and in which a sequential model of the gate, written here from
//! SEMANTICS.md §5, §6 (with §16's close and adopt) and §9 and not from the core, gives every recorded result. A history with
//! no such order is a linearizability violation and fails the test with the history printed.
//!
//! Histories are small (4 threads × 5 operations) so the search is exact, and many (thousands
//! per gate), over a small range of epochs so that stale, current, advancing, capped, conflicting
//! and overflowing operations all race. The checker itself is tested on histories it must refuse.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::thread;

use tael_coord::{
    EpochFencer, FenceRegistry, GateRegistry, HolderFencer, HolderGate, Snapshot, Status, Verdict,
};

const THREADS: usize = 4;
const OPS_PER_THREAD: usize = 5;
const ROUNDS: u64 = 1500;

/// One completed operation: what was called, what it returned, and when, on the global clock.
#[derive(Clone, Debug)]
struct Event<Op, Out> {
    thread: usize,
    op: Op,
    out: Out,
    invoked: u64,
    returned: u64,
}

/// A sequential specification: the state, and the result an operation gives from it.
trait Model {
    type State: Clone + Eq + Hash + Debug;
    type Op: Clone + Debug;
    type Out: Clone + Eq + Debug;
    fn apply(state: &Self::State, op: &Self::Op) -> (Self::State, Self::Out);
}

/// Wing–Gong: is there a real-time-respecting order of `history` in which the model, from
/// `initial`, returns every recorded result? Visited (done-set, state) pairs are memoised.
fn linearizable<M: Model>(initial: &M::State, history: &[Event<M::Op, M::Out>]) -> bool {
    assert!(history.len() <= 64, "the done-set is a u64 bitmask");
    fn search<M: Model>(
        history: &[Event<M::Op, M::Out>],
        done: u64,
        state: &M::State,
        seen: &mut HashSet<(u64, M::State)>,
    ) -> bool {
        let all = if history.len() == 64 {
            u64::MAX
        } else {
            (1u64 << history.len()) - 1
        };
        if done == all {
            return true;
        }
        if !seen.insert((done, state.clone())) {
            return false;
        }
        // An operation can go next only if no pending operation returned before it was invoked.
        let pending = || (0..history.len()).filter(|&i| done & (1 << i) == 0);
        let first_return = pending()
            .map(|i| history[i].returned)
            .min()
            .unwrap_or(u64::MAX);
        for i in pending() {
            let e = &history[i];
            if e.invoked > first_return {
                continue;
            }
            let (next, out) = M::apply(state, &e.op);
            if out == e.out && search::<M>(history, done | (1 << i), &next, seen) {
                return true;
            }
        }
        false
    }
    search::<M>(history, 0, initial, &mut HashSet::new())
}

/// Pairs of operations from different threads whose [invoked, returned] intervals overlap: the
/// races a history actually contains.
fn overlaps<Op, Out>(history: &[Event<Op, Out>]) -> usize {
    let mut n = 0;
    for (i, a) in history.iter().enumerate() {
        for b in &history[i + 1..] {
            if a.thread != b.thread && a.invoked < b.returned && b.invoked < a.returned {
                n += 1;
            }
        }
    }
    n
}

/// A small deterministic generator (xorshift64*), so every run races the same operations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// All `n` threads arrive, then all go at once: a spinning barrier, so the threads start within
/// nanoseconds of each other rather than a scheduler wake-up apart (the operations take less).
struct StartLine {
    arrived: AtomicU64,
    n: u64,
}

impl StartLine {
    fn wait(&self) {
        self.arrived.fetch_add(1, SeqCst);
        let mut spins = 0u32;
        while self.arrived.load(SeqCst) < self.n {
            spins += 1;
            if spins.is_multiple_of(4096) {
                // More threads than cores: let the late ones run.
                thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// Runs one thread per list of `ops`, each making its operations on the shared gate as soon as
/// all are ready, and returns the history they recorded.
fn record<G: Sync, Op: Clone + Send + Sync, Out: Send>(
    gate: &G,
    ops: &[Vec<Op>],
    call: impl Fn(&G, &Op) -> Out + Sync,
) -> Vec<Event<Op, Out>> {
    let clock = AtomicU64::new(0);
    let start = StartLine {
        arrived: AtomicU64::new(0),
        n: ops.len() as u64,
    };
    thread::scope(|s| {
        let handles: Vec<_> = ops
            .iter()
            .enumerate()
            .map(|(thread, mine)| {
                let (clock, start, call) = (&clock, &start, &call);
                s.spawn(move || {
                    start.wait();
                    mine.iter()
                        .map(|op| {
                            let invoked = clock.fetch_add(1, SeqCst);
                            let out = call(gate, op);
                            let returned = clock.fetch_add(1, SeqCst);
                            Event {
                                thread,
                                op: op.clone(),
                                out,
                                invoked,
                                returned,
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker panicked"))
            .collect()
    })
}

/// The gate rule of SEMANTICS.md §5: (status, highest after).
fn rule(highest: u64, epoch: u64, cap: Option<u64>) -> (Status, u64) {
    if epoch < highest {
        (Status::StaleEpoch, highest)
    } else if epoch == highest {
        (Status::Current, highest)
    } else if cap.is_some_and(|c| epoch - highest > c) {
        (Status::TooFarAhead, highest)
    } else {
        (Status::Advanced, epoch)
    }
}

fn verdict(highest: u64, epoch: u64, cap: Option<u64>) -> (u64, Verdict) {
    let (status, after) = rule(highest, epoch, cap);
    let v = match status {
        Status::StaleEpoch => Verdict::Stale { epoch, highest },
        Status::Current => Verdict::Current { epoch },
        Status::TooFarAhead => Verdict::TooFarAhead {
            epoch,
            highest,
            cap: cap.unwrap_or(0),
        },
        _ => Verdict::Advanced {
            from: highest,
            to: epoch,
        },
    };
    (after, v)
}

// ---- The epoch gate ----

#[derive(Clone, Debug)]
enum GateOp {
    Check(u64),
    Promote,
    Highest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum GateOut {
    Verdict(Verdict),
    Promoted(Result<u64, Status>),
    Highest(u64),
}

/// The epoch gate's model; the state is (highest, cap), the cap fixed per history.
struct GateModel;

impl Model for GateModel {
    type State = (u64, Option<u64>);
    type Op = GateOp;
    type Out = GateOut;

    fn apply(&(highest, cap): &Self::State, op: &GateOp) -> (Self::State, GateOut) {
        match *op {
            GateOp::Check(epoch) => {
                let (after, v) = verdict(highest, epoch, cap);
                ((after, cap), GateOut::Verdict(v))
            }
            GateOp::Promote => match highest.checked_add(1) {
                Some(next) => ((next, cap), GateOut::Promoted(Ok(next))),
                None => (
                    (highest, cap),
                    GateOut::Promoted(Err(Status::EpochOverflow)),
                ),
            },
            GateOp::Highest => ((highest, cap), GateOut::Highest(highest)),
        }
    }
}

fn call_gate(gate: &EpochFencer, op: &GateOp) -> GateOut {
    match *op {
        GateOp::Check(epoch) => GateOut::Verdict(gate.check(epoch)),
        GateOp::Promote => GateOut::Promoted(gate.promote().map_err(|e| e.status())),
        GateOp::Highest => GateOut::Highest(gate.highest()),
    }
}

/// Epochs near the start or near the top (where promotions overflow), by the round.
fn base(round: u64) -> u64 {
    if round % 5 == 4 {
        u64::MAX - 6
    } else {
        0
    }
}

#[test]
fn epoch_gate_histories_are_linearizable() {
    let mut races = 0;
    for round in 0..ROUNDS {
        let mut rng = Rng::new(round);
        let (start, cap) = (base(round), [None, Some(2)][(round % 2) as usize]);
        let ops: Vec<Vec<GateOp>> = (0..THREADS)
            .map(|_| {
                (0..OPS_PER_THREAD)
                    .map(|_| match rng.below(8) {
                        0 | 1 => GateOp::Promote,
                        2 => GateOp::Highest,
                        _ => GateOp::Check(start + rng.below(7)),
                    })
                    .collect()
            })
            .collect();
        let gate = match cap {
            Some(c) => EpochFencer::with_highest(start).with_jump_cap(c),
            None => EpochFencer::with_highest(start),
        };
        let history = record(&gate, &ops, call_gate);
        races += overlaps(&history);
        assert!(
            linearizable::<GateModel>(&(start, cap), &history),
            "round {round}: not linearizable:\n{history:#?}"
        );
    }
    println!("epoch gate: {ROUNDS} histories, {races} racing pairs, all linearizable");
    if thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        assert!(
            races > 0,
            "no two operations ever overlapped: nothing was tested"
        );
    }
}

// ---- The holder gate, with reigns closed and adopted ----

#[derive(Clone, Debug)]
enum HolderOp {
    Check(u64, &'static str),
    Promote(&'static str),
    Close(u64, &'static str),
    Adopt(u64, &'static str),
    State,
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HolderOut {
    Verdict(Verdict),
    Promoted(Result<u64, Status>),
    State(u64, Option<String>),
    Closed(bool),
}

/// The holder gate's model (SEMANTICS.md §6 and §16); the state is (highest, holder, closed).
struct HolderModel;

type Reign = (u64, Option<&'static str>, bool);

impl HolderModel {
    fn closed(highest: u64, holder: Option<&str>) -> HolderOut {
        HolderOut::Verdict(Verdict::Closed {
            epoch: highest,
            holder: holder.expect("a closed reign has a holder").into(),
        })
    }
}

impl Model for HolderModel {
    type State = Reign;
    type Op = HolderOp;
    type Out = HolderOut;

    fn apply(&(highest, holder, closed): &Reign, op: &HolderOp) -> (Reign, HolderOut) {
        let same = (highest, holder, closed);
        let conflict = |epoch, h: &str| {
            HolderOut::Verdict(Verdict::Conflict {
                epoch,
                holder: h.into(),
            })
        };
        match *op {
            HolderOp::Check(epoch, who) => {
                let (after, v) = verdict(highest, epoch, None);
                match v {
                    Verdict::Advanced { .. } => ((after, Some(who), false), HolderOut::Verdict(v)),
                    Verdict::Current { .. } if closed => (same, Self::closed(highest, holder)),
                    Verdict::Current { .. } => match holder {
                        None => ((highest, Some(who), false), HolderOut::Verdict(v)),
                        Some(h) if h == who => (same, HolderOut::Verdict(v)),
                        Some(h) => (same, conflict(epoch, h)),
                    },
                    _ => (same, HolderOut::Verdict(v)),
                }
            }
            HolderOp::Close(epoch, who) => {
                let (after, v) = verdict(highest, epoch, None);
                match v {
                    Verdict::Current { .. } if closed => (same, Self::closed(highest, holder)),
                    Verdict::Current { .. } if holder.is_some_and(|h| h != who) => {
                        (same, conflict(epoch, holder.unwrap()))
                    }
                    Verdict::Current { .. } | Verdict::Advanced { .. } => {
                        ((after, Some(who), true), Self::closed(after, Some(who)))
                    }
                    _ => (same, HolderOut::Verdict(v)),
                }
            }
            HolderOp::Adopt(epoch, who) => {
                let (after, v) = verdict(highest, epoch, None);
                match v {
                    Verdict::Current { .. } if closed => (same, Self::closed(highest, holder)),
                    Verdict::Current { .. } | Verdict::Advanced { .. } => {
                        ((after, Some(who), false), HolderOut::Verdict(v))
                    }
                    _ => (same, HolderOut::Verdict(v)),
                }
            }
            HolderOp::Promote(who) => match highest.checked_add(1) {
                Some(next) => ((next, Some(who), false), HolderOut::Promoted(Ok(next))),
                None => (same, HolderOut::Promoted(Err(Status::EpochOverflow))),
            },
            HolderOp::State => (same, HolderOut::State(highest, holder.map(str::to_owned))),
            HolderOp::Closed => (same, HolderOut::Closed(closed)),
        }
    }
}

fn call_holder(gate: &HolderFencer, op: &HolderOp) -> HolderOut {
    match *op {
        HolderOp::Check(epoch, who) => {
            HolderOut::Verdict(gate.check(epoch, who).expect("valid holders"))
        }
        HolderOp::Promote(who) => HolderOut::Promoted(gate.promote(who).map_err(|e| e.status())),
        HolderOp::Close(epoch, who) => HolderOut::Verdict(gate.close(epoch, who).expect("valid")),
        HolderOp::Adopt(epoch, who) => HolderOut::Verdict(gate.adopt(epoch, who).expect("valid")),
        HolderOp::State => {
            let (highest, holder) = gate.state();
            HolderOut::State(highest, holder)
        }
        HolderOp::Closed => HolderOut::Closed(gate.closed()),
    }
}

#[test]
fn holder_gate_histories_are_linearizable() {
    let who = ["a", "b", "c"];
    let mut races = 0;
    for round in 0..ROUNDS {
        let mut rng = Rng::new(1_000_000 + round);
        let start = base(round);
        let ops: Vec<Vec<HolderOp>> = (0..THREADS)
            .map(|_| {
                (0..OPS_PER_THREAD)
                    .map(|_| {
                        let h = who[rng.below(3) as usize];
                        let epoch = start + rng.below(4);
                        match rng.below(11) {
                            0 => HolderOp::Promote(h),
                            1 => HolderOp::State,
                            10 => HolderOp::Closed,
                            2 => HolderOp::Close(epoch, h),
                            3 => HolderOp::Adopt(epoch, h),
                            _ => HolderOp::Check(epoch, h),
                        }
                    })
                    .collect()
            })
            .collect();
        let gate = HolderFencer::with_highest(start);
        let history = record(&gate, &ops, call_holder);
        races += overlaps(&history);
        assert!(
            linearizable::<HolderModel>(&(start, None, false), &history),
            "round {round}: not linearizable:\n{history:#?}"
        );
    }
    println!("holder gate: {ROUNDS} histories, {races} racing pairs, all linearizable");
    if thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        assert!(
            races > 0,
            "no two operations ever overlapped: nothing was tested"
        );
    }
}

// ---- A registry stream, with restores racing checks and promotions ----

#[derive(Clone, Debug)]
enum StreamOp {
    Check(u64),
    Promote,
    Restore(u64),
    Highest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum StreamOut {
    Verdict(Verdict),
    Promoted(Result<u64, Status>),
    Restored,
    Highest(u64),
}

/// One registry stream's model (SEMANTICS.md §9): a gate whose mark a restore only raises.
struct StreamModel;

impl Model for StreamModel {
    type State = u64;
    type Op = StreamOp;
    type Out = StreamOut;

    fn apply(&highest: &u64, op: &StreamOp) -> (u64, StreamOut) {
        match *op {
            StreamOp::Check(epoch) => {
                let (after, v) = verdict(highest, epoch, Some(3));
                (after, StreamOut::Verdict(v))
            }
            StreamOp::Promote => match highest.checked_add(1) {
                Some(next) => (next, StreamOut::Promoted(Ok(next))),
                None => (highest, StreamOut::Promoted(Err(Status::EpochOverflow))),
            },
            StreamOp::Restore(mark) => (highest.max(mark), StreamOut::Restored),
            StreamOp::Highest => (highest, StreamOut::Highest(highest)),
        }
    }
}

fn call_stream(registry: &FenceRegistry, op: &StreamOp) -> StreamOut {
    match *op {
        StreamOp::Check(epoch) => StreamOut::Verdict(registry.check("s", epoch).expect("known")),
        StreamOp::Promote => StreamOut::Promoted(registry.promote("s").map_err(|e| e.status())),
        StreamOp::Restore(mark) => {
            let text = format!(r#"{{"streams":{{"s":"{mark}"}}}}"#);
            registry
                .restore(&Snapshot::from_json(&text).expect("a valid snapshot"))
                .expect("restored");
            StreamOut::Restored
        }
        StreamOp::Highest => StreamOut::Highest(registry.highest("s").expect("known")),
    }
}

#[test]
fn registry_stream_histories_are_linearizable() {
    let mut races = 0;
    for round in 0..ROUNDS {
        let mut rng = Rng::new(2_000_000 + round);
        let start = base(round);
        let ops: Vec<Vec<StreamOp>> = (0..THREADS)
            .map(|_| {
                (0..OPS_PER_THREAD)
                    .map(|_| match rng.below(8) {
                        0 => StreamOp::Promote,
                        1 => StreamOp::Highest,
                        2 => StreamOp::Restore(start + rng.below(7)),
                        _ => StreamOp::Check(start + rng.below(7)),
                    })
                    .collect()
            })
            .collect();
        let registry = FenceRegistry::new().with_jump_cap(3);
        registry.add("s", start).expect("a new stream");
        let history = record(&registry, &ops, call_stream);
        races += overlaps(&history);
        assert!(
            linearizable::<StreamModel>(&start, &history),
            "round {round}: not linearizable:\n{history:#?}"
        );
    }
    println!("registry stream: {ROUNDS} histories, {races} racing pairs, all linearizable");
    if thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        assert!(
            races > 0,
            "no two operations ever overlapped: nothing was tested"
        );
    }
}

// ---- The checker refuses what it must ----

fn event(
    thread: usize,
    op: GateOp,
    out: GateOut,
    invoked: u64,
    returned: u64,
) -> Event<GateOp, GateOut> {
    Event {
        thread,
        op,
        out,
        invoked,
        returned,
    }
}

#[test]
fn the_checker_refuses_histories_no_order_explains() {
    let advanced = |from, to| GateOut::Verdict(Verdict::Advanced { from, to });
    // One after the other, both advancing from 0: the second must have seen 5.
    let sequential = [
        event(0, GateOp::Check(5), advanced(0, 5), 0, 1),
        event(1, GateOp::Check(3), advanced(0, 3), 2, 3),
    ];
    assert!(!linearizable::<GateModel>(&(0, None), &sequential));
    // The same two, overlapping: still no order, since each claims the gate was at 0 after the
    // other advanced it (a lost update).
    let lost_update = [
        event(0, GateOp::Check(5), advanced(0, 5), 0, 3),
        event(1, GateOp::Check(3), advanced(0, 3), 1, 2),
    ];
    assert!(!linearizable::<GateModel>(&(0, None), &lost_update));
    // Two promotions returning the same epoch.
    let twice = [
        event(0, GateOp::Promote, GateOut::Promoted(Ok(1)), 0, 3),
        event(1, GateOp::Promote, GateOut::Promoted(Ok(1)), 1, 2),
    ];
    assert!(!linearizable::<GateModel>(&(0, None), &twice));
    // A read that saw the future: 5 was read before the advance to 5 was invoked.
    let future = [
        event(0, GateOp::Highest, GateOut::Highest(5), 0, 1),
        event(1, GateOp::Check(5), advanced(0, 5), 2, 3),
    ];
    assert!(!linearizable::<GateModel>(&(0, None), &future));

    // And it accepts a real race in the order that explains it: the read overlaps the advance.
    let race = [
        event(0, GateOp::Highest, GateOut::Highest(5), 0, 3),
        event(1, GateOp::Check(5), advanced(0, 5), 1, 2),
        event(
            1,
            GateOp::Check(3),
            GateOut::Verdict(Verdict::Stale {
                epoch: 3,
                highest: 5,
            }),
            4,
            5,
        ),
    ];
    assert!(linearizable::<GateModel>(&(0, None), &race));
}
