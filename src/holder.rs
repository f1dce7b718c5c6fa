//! The holder-aware gate: fencing over `(epoch, holder)` tokens, with the reign's end.

use crate::election::validate_id;
use crate::sync::{Mutex, MutexGuard};
use crate::verdict::{promoted, Step};
use crate::{HolderGate, Result, Verdict};

/// What a holder gate holds: its highest epoch, the holder recorded for it, and whether that
/// reign was closed. The one place the rules of SEMANTICS.md §6 and §16 are written; the
/// in-memory and the durable holder gates apply them to their own copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reign {
    pub(crate) epoch: u64,
    pub(crate) holder: Option<String>,
    pub(crate) closed: bool,
}

impl Reign {
    pub(crate) fn new(epoch: u64, holder: Option<String>, closed: bool) -> Reign {
        Reign {
            epoch,
            holder,
            closed,
        }
    }

    /// A new reign of `holder` at `epoch`, open.
    fn held(epoch: u64, holder: &str) -> Reign {
        Reign::new(epoch, Some(holder.to_owned()), false)
    }

    /// The verdict for any token at a closed reign's epoch.
    fn closed_verdict(&self) -> Verdict {
        Verdict::Closed {
            epoch: self.epoch,
            holder: self.holder.clone().unwrap_or_default(),
        }
    }

    /// Judge the token `(epoch, holder)` (§6; a closed reign answers `CLOSED`, §16).
    pub(crate) fn check(&mut self, epoch: u64, holder: &str, cap: Option<u64>) -> Verdict {
        match Step::of(self.epoch, epoch, cap) {
            Step::Advance => {
                let from = self.epoch;
                *self = Reign::held(epoch, holder);
                Verdict::Advanced { from, to: epoch }
            }
            Step::Current if self.closed => self.closed_verdict(),
            Step::Current => match &self.holder {
                Some(recorded) if recorded != holder => Verdict::Conflict {
                    epoch,
                    holder: recorded.clone(),
                },
                Some(_) => Verdict::Current { epoch },
                None => {
                    self.holder = Some(holder.to_owned());
                    Verdict::Current { epoch }
                }
            },
            step => step.verdict(epoch, self.epoch),
        }
    }

    /// `holder` ends its reign at `epoch` (§16): `CLOSED` once the reign is closed (also when
    /// it already was), else the verdict that refused it.
    pub(crate) fn close(&mut self, epoch: u64, holder: &str, cap: Option<u64>) -> Verdict {
        let other = self
            .holder
            .as_deref()
            .is_some_and(|recorded| recorded != holder);
        match Step::of(self.epoch, epoch, cap) {
            Step::Current if self.closed => self.closed_verdict(),
            Step::Current if other => Verdict::Conflict {
                epoch,
                holder: self.holder.clone().unwrap_or_default(),
            },
            Step::Current | Step::Advance => {
                *self = Reign::new(epoch, Some(holder.to_owned()), true);
                self.closed_verdict()
            }
            step => step.verdict(epoch, self.epoch),
        }
    }

    /// Move the gate to the reign `(epoch, holder)` (§16): never below the highest, never into
    /// a closed reign; the jump cap does not apply.
    pub(crate) fn adopt(&mut self, epoch: u64, holder: &str) -> Verdict {
        match Step::of(self.epoch, epoch, None) {
            Step::Current if self.closed => self.closed_verdict(),
            Step::Current => {
                self.holder = Some(holder.to_owned());
                Verdict::Current { epoch }
            }
            Step::Advance => {
                let from = self.epoch;
                *self = Reign::held(epoch, holder);
                Verdict::Advanced { from, to: epoch }
            }
            step => step.verdict(epoch, self.epoch),
        }
    }

    /// `holder` takes a new reign at `max(floor, epoch + 1)`.
    pub(crate) fn promote(&mut self, floor: u64, holder: &str) -> Result<u64> {
        let epoch = promoted(self.epoch, floor)?;
        *self = Reign::held(epoch, holder);
        Ok(epoch)
    }
}

/// An epoch gate that also records who holds the current epoch, so two writers claiming one
/// reign are caught instead of both being accepted. Its operations are those of
/// [`HolderGate`].
///
/// A higher epoch from anyone advances the gate and records its holder; the current epoch from
/// the recorded holder is `CURRENT`; the current epoch from anyone else is `CONFLICT`; a lower
/// epoch is `STALE_EPOCH`. A gate with no recorded holder (fresh, or resumed with
/// [`with_highest`](Self::with_highest)) gives its current epoch to the first holder that
/// presents it (`CURRENT`), and from then on behaves as above.
///
/// Thread-safe; each call holds a short internal lock.
#[derive(Debug, Default)]
pub struct HolderFencer {
    reign: Mutex<Reign>,
    jump_cap: Option<u64>,
}

impl HolderFencer {
    /// A fresh gate: highest 0, no holder, no jump cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// A gate resuming from a known high-water mark, with no recorded holder.
    pub fn with_highest(highest: u64) -> Self {
        HolderFencer {
            reign: Mutex::new(Reign::new(highest, None, false)),
            jump_cap: None,
        }
    }

    /// A gate resuming from a known reign: `highest`, held by `holder` (`None` for no recorded
    /// holder, as [`with_highest`](Self::with_highest)). `INVALID_ID` for a holder that is not
    /// an id.
    pub fn with_holder(highest: u64, holder: Option<&str>) -> Result<Self> {
        if let Some(holder) = holder {
            validate_id(holder)?;
        }
        Ok(HolderFencer {
            reign: Mutex::new(Reign::new(highest, holder.map(str::to_owned), false)),
            jump_cap: None,
        })
    }

    /// This gate with a jump cap, `None` for none (as
    /// [`EpochFencer::with_jump_cap`](crate::EpochFencer::with_jump_cap)).
    pub fn with_jump_cap(self, cap: impl Into<Option<u64>>) -> Self {
        HolderFencer {
            jump_cap: cap.into(),
            ..self
        }
    }

    fn lock(&self) -> MutexGuard<'_, Reign> {
        // No code panics while holding the lock, and the state is valid at every step,
        // so a poisoned lock still holds a good state.
        self.reign.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl HolderGate for HolderFencer {
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        Ok(self.lock().check(epoch, holder, self.jump_cap))
    }

    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64> {
        validate_id(holder)?;
        self.lock().promote(floor, holder)
    }

    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        Ok(self.lock().close(epoch, holder, self.jump_cap))
    }

    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        Ok(self.lock().adopt(epoch, holder))
    }

    fn state(&self) -> (u64, Option<String>) {
        let reign = self.lock();
        (reign.epoch, reign.holder.clone())
    }

    fn closed(&self) -> bool {
        self.lock().closed
    }

    fn jump_cap(&self) -> Option<u64> {
        self.jump_cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn a_resumed_reign_keeps_its_holder() {
        let g = HolderFencer::with_holder(7, Some("a")).unwrap();
        assert_eq!(g.state(), (7, Some("a".into())));
        assert_eq!(g.check(7, "b").unwrap().status(), Status::Conflict);
        assert_eq!(g.check(7, "a"), Ok(Verdict::Current { epoch: 7 }));
        assert_eq!(
            HolderFencer::with_holder(7, None).unwrap().state(),
            (7, None)
        );
        assert_eq!(
            HolderFencer::with_holder(7, Some("")).unwrap_err().status(),
            Status::InvalidId
        );
    }

    #[test]
    fn promotion_past_a_floor_records_the_holder() {
        let g = HolderFencer::with_highest(3).with_jump_cap(1);
        assert_eq!(g.promote_to_at_least(10, "b"), Ok(10));
        assert_eq!(g.state(), (10, Some("b".into())));
        assert_eq!(g.promote_to_at_least(0, "c"), Ok(11));
        assert_eq!(g.check_and_advance(11, "b"), Ok(false));
        assert_eq!(g.check_and_advance(11, "c"), Ok(true));
        assert_eq!(
            g.promote_to_at_least(20, "").unwrap_err().status(),
            Status::InvalidId
        );
        assert_eq!(
            g.state(),
            (11, Some("c".into())),
            "a refused holder changes nothing"
        );
    }

    #[test]
    fn conflict_on_same_epoch_other_holder() {
        let g = HolderFencer::new();
        assert_eq!(g.check(3, "a"), Ok(Verdict::Advanced { from: 0, to: 3 }));
        assert_eq!(g.check(3, "a"), Ok(Verdict::Current { epoch: 3 }));
        assert_eq!(
            g.check(3, "b"),
            Ok(Verdict::Conflict {
                epoch: 3,
                holder: "a".into()
            })
        );
        assert_eq!(
            g.check(2, "a"),
            Ok(Verdict::Stale {
                epoch: 2,
                highest: 3
            })
        );
        assert_eq!(g.check(4, "b"), Ok(Verdict::Advanced { from: 3, to: 4 }));
        assert_eq!(g.state(), (4, Some("b".into())));
    }

    #[test]
    fn fresh_gate_gives_epoch_zero_to_first_claimant() {
        let g = HolderFencer::new();
        assert_eq!(g.check(0, "a"), Ok(Verdict::Current { epoch: 0 }));
        assert_eq!(g.check(0, "b").unwrap().status(), Status::Conflict);
    }

    #[test]
    fn promote_records_holder_and_never_wraps() {
        let g = HolderFencer::with_highest(u64::MAX - 1);
        assert_eq!(g.promote("a"), Ok(u64::MAX));
        assert_eq!(g.promote("b").unwrap_err().status(), Status::EpochOverflow);
        assert_eq!(g.state(), (u64::MAX, Some("a".into())));
        assert_eq!(g.check(1, "").unwrap_err().status(), Status::InvalidId);
    }
}
