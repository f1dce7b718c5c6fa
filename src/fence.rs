//! Epoch gates: the lock-free [`EpochFencer`] and the [`Verdict`] every gate returns.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::sync::{AtomicU64, Ordering};
use crate::{Error, Result, Status};

/// What a gate decided about one record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The epoch equals the gate's highest: accepted (the current leader's ongoing stream).
    Current { epoch: u64 },
    /// The epoch is above the gate's highest: accepted, and the gate moved `from` → `to`.
    Advanced { from: u64, to: u64 },
    /// The epoch is below the gate's highest: rejected (a deposed leader).
    Stale { epoch: u64, highest: u64 },
    /// The epoch is more than `cap` above the gate's highest: rejected, the gate unchanged.
    TooFarAhead { epoch: u64, highest: u64, cap: u64 },
    /// A holder gate saw its current epoch from someone other than `holder`, who holds it:
    /// two writers claim one reign. Rejected.
    Conflict { epoch: u64, holder: String },
}

impl Verdict {
    /// The verdict's status: `CURRENT`, `ADVANCED`, `STALE_EPOCH`, `TOO_FAR_AHEAD` or `CONFLICT`.
    pub fn status(&self) -> Status {
        match self {
            Verdict::Current { .. } => Status::Current,
            Verdict::Advanced { .. } => Status::Advanced,
            Verdict::Stale { .. } => Status::StaleEpoch,
            Verdict::TooFarAhead { .. } => Status::TooFarAhead,
            Verdict::Conflict { .. } => Status::Conflict,
        }
    }

    /// The status name, e.g. `"STALE_EPOCH"`.
    pub fn code(&self) -> &'static str {
        self.status().name()
    }

    /// Whether the record is accepted: `CURRENT` or `ADVANCED`, nothing else.
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Current { .. } | Verdict::Advanced { .. })
    }

    /// The epoch the record carried.
    pub fn epoch(&self) -> u64 {
        match *self {
            Verdict::Current { epoch }
            | Verdict::Stale { epoch, .. }
            | Verdict::TooFarAhead { epoch, .. }
            | Verdict::Conflict { epoch, .. } => epoch,
            Verdict::Advanced { to, .. } => to,
        }
    }

    /// The gate's highest epoch once this verdict was reached.
    pub fn highest(&self) -> u64 {
        match *self {
            Verdict::Current { epoch } | Verdict::Conflict { epoch, .. } => epoch,
            Verdict::Advanced { to, .. } => to,
            Verdict::Stale { highest, .. } | Verdict::TooFarAhead { highest, .. } => highest,
        }
    }
}

/// The pinned verdict JSON: `code`, `accepted`, `epoch`, `highest`, plus `from` (ADVANCED),
/// `cap` (TOO_FAR_AHEAD) or `holder` (CONFLICT); u64 values as decimal strings.
impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let extra = match self {
            Verdict::Advanced { from, .. } => Some(("from", from.to_string())),
            Verdict::TooFarAhead { cap, .. } => Some(("cap", cap.to_string())),
            Verdict::Conflict { holder, .. } => Some(("holder", holder.clone())),
            Verdict::Current { .. } | Verdict::Stale { .. } => None,
        };
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("accepted", &self.accepted())?;
        map.serialize_entry("epoch", &self.epoch().to_string())?;
        map.serialize_entry("highest", &self.highest().to_string())?;
        if let Some((key, value)) = extra {
            map.serialize_entry(key, &value)?;
        }
        map.end()
    }
}

impl Verdict {
    /// The pinned verdict JSON (see the `Serialize` impl).
    pub fn to_json(&self) -> String {
        crate::json::to_json(self)
    }
}

/// How an epoch compares with a gate's highest, before any holder is considered.
pub(crate) enum Step {
    Stale,
    Current,
    Advance,
    TooFarAhead(u64),
}

/// The one rule both gates apply: lower is stale, equal is current, higher advances unless it
/// is more than `cap` above the highest.
#[inline]
pub(crate) fn step(highest: u64, epoch: u64, cap: Option<u64>) -> Step {
    if epoch < highest {
        Step::Stale
    } else if epoch == highest {
        Step::Current
    } else {
        match cap {
            Some(cap) if epoch - highest > cap => Step::TooFarAhead(cap),
            _ => Step::Advance,
        }
    }
}

pub(crate) fn overflow(highest: u64) -> Error {
    Error::new(
        Status::EpochOverflow,
        format!("cannot promote past epoch {highest}: it is the largest u64"),
    )
}

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

    /// This gate with a jump cap: a record more than `cap` above the highest is
    /// [`Verdict::TooFarAhead`], so one stray huge epoch cannot brick the gate.
    pub fn with_jump_cap(self, cap: u64) -> Self {
        EpochFencer {
            jump_cap: Some(cap),
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
        match self.judge(epoch) {
            (Step::Stale, highest) => Verdict::Stale { epoch, highest },
            (Step::Current, _) => Verdict::Current { epoch },
            (Step::TooFarAhead(cap), highest) => Verdict::TooFarAhead {
                epoch,
                highest,
                cap,
            },
            (Step::Advance, from) => Verdict::Advanced { from, to: epoch },
        }
    }

    /// The one compare-and-swap loop behind both checks: which rule applied, and the highest
    /// it applied to (for an advance, the highest it replaced).
    #[inline]
    fn judge(&self, epoch: u64) -> (Step, u64) {
        let mut current = self.highest.load(Ordering::Acquire);
        loop {
            let rule = step(current, epoch, self.jump_cap);
            if !matches!(rule, Step::Advance) {
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
        self.highest
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |h| h.checked_add(1))
            .map(|previous| previous + 1)
            .map_err(overflow)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn promote_never_wraps() {
        let f = EpochFencer::with_highest(u64::MAX - 1);
        assert_eq!(f.promote(), Ok(u64::MAX));
        assert_eq!(f.promote().unwrap_err().status(), Status::EpochOverflow);
        assert_eq!(f.highest(), u64::MAX);
    }
}
