//! Opt-in verdict counters for any gate or registry: [`Counting`].

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::sync::{AtomicU64, Ordering};
use crate::{EpochGate, GateRegistry, HolderGate, Result, Snapshot, Status, Verdict};

/// How many records got each verdict, as read at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counters {
    pub current: u64,
    pub advanced: u64,
    pub stale_epoch: u64,
    pub too_far_ahead: u64,
    pub conflict: u64,
    pub closed: u64,
}

impl Counters {
    /// Each verdict status with its count, in status-number order.
    pub fn by_status(&self) -> [(Status, u64); 6] {
        [
            (Status::Current, self.current),
            (Status::Advanced, self.advanced),
            (Status::StaleEpoch, self.stale_epoch),
            (Status::TooFarAhead, self.too_far_ahead),
            (Status::Conflict, self.conflict),
            (Status::Closed, self.closed),
        ]
    }

    /// The pinned counters JSON: every verdict's status name with its count as a decimal
    /// string, e.g. `{"CURRENT":"3","ADVANCED":"1",...,"CLOSED":"0"}`.
    pub fn to_json(&self) -> String {
        crate::json::to_json(self)
    }
}

impl Serialize for Counters {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        for (status, count) in self.by_status() {
            map.serialize_entry(status.name(), &count.to_string())?;
        }
        map.end()
    }
}

/// Any gate or registry that **counts the verdicts** of its checks (`check` and
/// `check_and_advance`; SEMANTICS.md §16), read with `counters()`. The counts are kept apart from
/// the gate's state: not in its snapshot or file, and a gate that is not wrapped pays nothing.
/// Each count is a relaxed atomic increment after the verdict; a read is a consistent view of
/// each count, not of all six at one instant. Everything else is the wrapped gate's.
///
/// ```
/// use tael_coord::{Counting, EpochFencer, EpochGate};
///
/// let gate = Counting::new(EpochFencer::new());
/// gate.check(3)?;
/// gate.check_and_advance(2)?;
/// let counters = gate.counters().unwrap();
/// assert_eq!((counters.advanced, counters.stale_epoch), (1, 1));
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Counting<G> {
    gate: G,
    counts: [AtomicU64; 6],
}

impl<G> Counting<G> {
    /// Count the verdicts of `gate`, from 0.
    pub fn new(gate: G) -> Self {
        Counting {
            gate,
            counts: Default::default(),
        }
    }

    /// The wrapped gate.
    pub fn inner(&self) -> &G {
        &self.gate
    }

    fn count(&self, verdict: Result<Verdict>) -> Result<Verdict> {
        if let Ok(v) = &verdict {
            let slot = match v {
                Verdict::Current { .. } => 0,
                Verdict::Advanced { .. } => 1,
                Verdict::Stale { .. } => 2,
                Verdict::TooFarAhead { .. } => 3,
                Verdict::Conflict { .. } => 4,
                Verdict::Closed { .. } => 5,
            };
            self.counts[slot].fetch_add(1, Ordering::Relaxed);
        }
        verdict
    }

    fn read(&self) -> Counters {
        let n = |i: usize| self.counts[i].load(Ordering::Relaxed);
        Counters {
            current: n(0),
            advanced: n(1),
            stale_epoch: n(2),
            too_far_ahead: n(3),
            conflict: n(4),
            closed: n(5),
        }
    }
}

impl<G: EpochGate> EpochGate for Counting<G> {
    fn check(&self, epoch: u64) -> Result<Verdict> {
        self.count(self.gate.check(epoch))
    }

    fn check_and_advance(&self, epoch: u64) -> Result<bool> {
        self.check(epoch).map(|v| v.accepted())
    }

    fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        self.gate.promote_to_at_least(floor)
    }

    fn highest(&self) -> u64 {
        self.gate.highest()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.gate.jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        self.gate.refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        Some(self.read())
    }
}

impl<G: HolderGate> HolderGate for Counting<G> {
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.count(self.gate.check(epoch, holder))
    }

    fn check_and_advance(&self, epoch: u64, holder: &str) -> Result<bool> {
        self.check(epoch, holder).map(|v| v.accepted())
    }

    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64> {
        self.gate.promote_to_at_least(floor, holder)
    }

    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.gate.close(epoch, holder)
    }

    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.gate.adopt(epoch, holder)
    }

    fn state(&self) -> (u64, Option<String>) {
        self.gate.state()
    }

    fn closed(&self) -> bool {
        self.gate.closed()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.gate.jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        self.gate.refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        Some(self.read())
    }
}

impl<G: GateRegistry> GateRegistry for Counting<G> {
    fn add(&self, stream: &str, highest: u64) -> Result<()> {
        self.gate.add(stream, highest)
    }

    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        self.count(self.gate.check(stream, epoch))
    }

    fn check_and_advance(&self, stream: &str, epoch: u64) -> Result<bool> {
        self.check(stream, epoch).map(|v| v.accepted())
    }

    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64> {
        self.gate.promote_to_at_least(stream, floor)
    }

    fn highest(&self, stream: &str) -> Result<u64> {
        self.gate.highest(stream)
    }

    fn remove(&self, stream: &str) -> Result<u64> {
        self.gate.remove(stream)
    }

    fn contains(&self, stream: &str) -> bool {
        self.gate.contains(stream)
    }

    fn len(&self) -> usize {
        self.gate.len()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.gate.jump_cap()
    }

    fn snapshot(&self) -> Snapshot {
        self.gate.snapshot()
    }

    fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        self.gate.restore(snapshot)
    }

    fn refuses_epoch_zero(&self) -> bool {
        self.gate.refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        Some(self.read())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FenceRegistry, HolderFencer, RefuseZero};

    #[test]
    fn every_verdict_is_counted_and_errors_are_not() {
        let gate = Counting::new(RefuseZero(HolderFencer::new().with_jump_cap(10)));
        assert!(gate.check(3, "a").unwrap().accepted());
        assert!(gate.check_and_advance(3, "a").unwrap());
        assert!(!gate.check_and_advance(2, "a").unwrap());
        assert!(!gate.check_and_advance(99, "a").unwrap());
        assert!(!gate.check_and_advance(3, "b").unwrap());
        assert_eq!(gate.close(3, "a").unwrap().status(), Status::Closed);
        assert_eq!(gate.check(3, "a").unwrap().status(), Status::Closed);
        assert!(gate.check(0, "a").is_err(), "refused epoch 0: no verdict");
        assert!(gate.check(4, "").is_err(), "bad holder: no verdict");
        assert!(gate.refuses_epoch_zero());
        let c = gate.counters().unwrap();
        assert_eq!(
            c.to_json(),
            r#"{"CURRENT":"1","ADVANCED":"1","STALE_EPOCH":"1","TOO_FAR_AHEAD":"1","CONFLICT":"1","CLOSED":"1"}"#
        );
        assert_eq!(HolderFencer::new().counters(), None, "opt-in");
        let registry = Counting::new(FenceRegistry::new());
        registry.add("s", 5).unwrap();
        registry.check("s", 5).unwrap();
        assert!(registry.check("t", 5).is_err());
        assert_eq!(registry.counters().unwrap().current, 1);
        assert_eq!(registry.snapshot().to_json(), r#"{"streams":{"s":"5"}}"#);
    }
}
