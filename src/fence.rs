//! The lock-free epoch gate, [`EpochFencer`].

use crate::sync::{AtomicU64, Ordering};
use crate::verdict::{promoted, Step};
use crate::{EpochGate, Result, Verdict};

/// Monotonic epoch gate that fences a deposed leader out of a record stream.
///
/// Each leadership reign carries a strictly higher epoch (a freshly promoted leader bumps past
/// every epoch it has seen). A standby records the highest epoch it has accepted and **rejects
/// any record stamped with a lower epoch**, so a stale leader that kept shipping after losing
/// leadership cannot corrupt the new leader's replicas. Records at the current epoch are
/// accepted; a higher epoch advances the gate.
///
/// Lock-free and thread-safe: every method takes `&self` and is one atomic read or
/// compare-and-swap loop. This is best-effort fencing on an eventually consistent membership
/// view, not the linearizable guarantee of a consensus log (see SEMANTICS.md).
#[derive(Debug, Default)]
pub struct EpochFencer {
    highest: AtomicU64,
    jump_cap: Option<u64>,
}

impl EpochFencer {
    /// A fresh gate: highest 0, no jump cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// A gate resuming from a known high-water mark.
    pub fn with_highest(highest: u64) -> Self {
        EpochFencer {
            highest: AtomicU64::new(highest),
            jump_cap: None,
        }
    }

    /// This gate with a jump cap (`None` for none): a record more than `cap` above the highest
    /// is [`Verdict::TooFarAhead`], so one stray huge epoch cannot brick the gate.
    pub fn with_jump_cap(self, cap: impl Into<Option<u64>>) -> Self {
        EpochFencer {
            jump_cap: cap.into(),
            ..self
        }
    }

    /// The jump cap, if the gate has one.
    pub fn jump_cap(&self) -> Option<u64> {
        self.jump_cap
    }

    /// Accept a record stamped with `epoch`? The boolean form of [`check`](Self::check), with
    /// the same effect: it accepts `epoch >= highest` (advancing on a higher one, within the
    /// cap) and rejects a strictly older one.
    #[inline]
    pub fn check_and_advance(&self, epoch: u64) -> bool {
        // The common case, the current leader's stream, in one load and one comparison.
        let current = self.highest.load(Ordering::Acquire);
        if epoch <= current {
            return epoch == current;
        }
        matches!(self.judge(epoch).0, Step::Current | Step::Advance)
    }

    /// Judge a record stamped with `epoch`, advancing the gate when it is higher.
    #[inline]
    pub fn check(&self, epoch: u64) -> Verdict {
        let (step, highest) = self.judge(epoch);
        step.verdict(epoch, highest)
    }

    /// The one compare-and-swap loop behind both checks: which rule applied, and the highest
    /// it applied to (for an advance, the highest it replaced).
    #[inline]
    fn judge(&self, epoch: u64) -> (Step, u64) {
        let mut current = self.highest.load(Ordering::Acquire);
        loop {
            let rule = Step::of(current, epoch, self.jump_cap);
            if rule != Step::Advance {
                return (rule, current);
            }
            match self.highest.compare_exchange_weak(
                current,
                epoch,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return (rule, current),
                Err(actual) => current = actual,
            }
        }
    }

    /// A new leader's step: atomically move the gate one past every epoch it has seen and
    /// return the new epoch. At 2^64-1 this fails with `EPOCH_OVERFLOW` and changes nothing.
    /// The jump cap does not apply (the step is exactly one).
    pub fn promote(&self) -> Result<u64> {
        self.promote_to_at_least(0)
    }

    /// A new leader's step past a floor, usually [`next_epoch`](crate::next_epoch) of the view
    /// that elected it: atomically move the gate to `max(floor, highest + 1)` and return that
    /// epoch, so the reign's epoch is above every epoch the gate and the group have seen. At
    /// 2^64-1 this fails with `EPOCH_OVERFLOW` and changes nothing; the jump cap does not apply.
    pub fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        let mut current = self.highest.load(Ordering::Acquire);
        loop {
            let next = promoted(current, floor)?;
            match self.highest.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(next),
                Err(actual) => current = actual,
            }
        }
    }

    /// The highest epoch accepted so far.
    #[inline]
    pub fn highest(&self) -> u64 {
        self.highest.load(Ordering::Acquire)
    }

    /// Raise the mark to `mark` if it is higher (restoring a trusted snapshot); never lowers it.
    pub(crate) fn raise_to(&self, mark: u64) {
        self.highest.fetch_max(mark, Ordering::AcqRel);
    }
}

/// The gate's infallible methods, as the trait every front wraps.
impl EpochGate for EpochFencer {
    #[inline]
    fn check(&self, epoch: u64) -> Result<Verdict> {
        Ok(EpochFencer::check(self, epoch))
    }

    #[inline]
    fn check_and_advance(&self, epoch: u64) -> Result<bool> {
        Ok(EpochFencer::check_and_advance(self, epoch))
    }

    fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        EpochFencer::promote_to_at_least(self, floor)
    }

    #[inline]
    fn highest(&self) -> u64 {
        EpochFencer::highest(self)
    }

    fn jump_cap(&self) -> Option<u64> {
        EpochFencer::jump_cap(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn fencer_accepts_equal_and_higher_rejects_lower() {
        let f = EpochFencer::new();
        assert!(f.check_and_advance(5), "first record sets the gate");
        assert!(
            f.check_and_advance(5),
            "same epoch (same leader) is accepted"
        );
        assert!(f.check_and_advance(7), "newer epoch advances the gate");
        assert_eq!(f.highest(), 7);
        assert!(
            !f.check_and_advance(6),
            "a deposed leader's older epoch is fenced out"
        );
        assert!(!f.check_and_advance(5));
        assert_eq!(f.highest(), 7, "rejected records don't move the gate");
    }

    #[test]
    fn typed_verdicts() {
        let f = EpochFencer::with_highest(5);
        assert_eq!(f.check(5), Verdict::Current { epoch: 5 });
        assert_eq!(f.check(9), Verdict::Advanced { from: 5, to: 9 });
        assert_eq!(
            f.check(8),
            Verdict::Stale {
                epoch: 8,
                highest: 9
            }
        );
        assert_eq!(f.check(8).status(), Status::StaleEpoch);
        assert!(!f.check(8).accepted());
    }

    #[test]
    fn jump_cap_is_strictly_more_than_cap() {
        let f = EpochFencer::with_highest(10).with_jump_cap(5);
        assert_eq!(
            f.check(16),
            Verdict::TooFarAhead {
                epoch: 16,
                highest: 10,
                cap: 5
            }
        );
        assert_eq!(f.check(15), Verdict::Advanced { from: 10, to: 15 });
        assert_eq!(f.check(u64::MAX).status(), Status::TooFarAhead);
        assert_eq!(f.highest(), 15);
    }

    #[test]
    fn promotion_past_a_floor_takes_the_larger() {
        let f = EpochFencer::with_highest(4).with_jump_cap(0);
        assert_eq!(f.promote_to_at_least(2), Ok(5), "one past the highest");
        assert_eq!(
            f.promote_to_at_least(9),
            Ok(9),
            "the floor, the cap not applied"
        );
        assert_eq!(
            f.promote_to_at_least(10),
            Ok(10),
            "a floor of one past is one past"
        );
        assert_eq!(f.highest(), 10);
        let top = EpochFencer::with_highest(u64::MAX);
        assert_eq!(
            top.promote_to_at_least(u64::MAX).unwrap_err().status(),
            Status::EpochOverflow
        );
        assert_eq!(top.highest(), u64::MAX, "an overflow changes nothing");
    }

    #[test]
    fn promote_never_wraps() {
        let f = EpochFencer::with_highest(u64::MAX - 1);
        assert_eq!(f.promote(), Ok(u64::MAX));
        assert_eq!(f.promote().unwrap_err().status(), Status::EpochOverflow);
        assert_eq!(f.highest(), u64::MAX);
    }
}
