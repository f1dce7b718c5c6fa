//! The [`Verdict`] every gate returns, and the one rule every gate applies to reach it.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::{Error, Status};

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
    /// A holder gate saw a token of a reign that `holder` closed (SEMANTICS.md §16): the reign is
    /// over. Rejected.
    Closed { epoch: u64, holder: String },
}

impl Verdict {
    /// The verdict's status: `CURRENT`, `ADVANCED`, `STALE_EPOCH`, `TOO_FAR_AHEAD`, `CONFLICT`
    /// or `CLOSED`.
    pub fn status(&self) -> Status {
        match self {
            Verdict::Current { .. } => Status::Current,
            Verdict::Advanced { .. } => Status::Advanced,
            Verdict::Stale { .. } => Status::StaleEpoch,
            Verdict::TooFarAhead { .. } => Status::TooFarAhead,
            Verdict::Conflict { .. } => Status::Conflict,
            Verdict::Closed { .. } => Status::Closed,
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
            | Verdict::Conflict { epoch, .. }
            | Verdict::Closed { epoch, .. } => epoch,
            Verdict::Advanced { to, .. } => to,
        }
    }

    /// The gate's highest epoch once this verdict was reached.
    pub fn highest(&self) -> u64 {
        match *self {
            Verdict::Current { epoch }
            | Verdict::Conflict { epoch, .. }
            | Verdict::Closed { epoch, .. } => epoch,
            Verdict::Advanced { to, .. } => to,
            Verdict::Stale { highest, .. } | Verdict::TooFarAhead { highest, .. } => highest,
        }
    }

    /// `ADVANCED` only: the gate's highest before the record.
    pub fn from(&self) -> Option<u64> {
        match *self {
            Verdict::Advanced { from, .. } => Some(from),
            _ => None,
        }
    }

    /// `TOO_FAR_AHEAD` only: the gate's jump cap.
    pub fn cap(&self) -> Option<u64> {
        match *self {
            Verdict::TooFarAhead { cap, .. } => Some(cap),
            _ => None,
        }
    }

    /// `CONFLICT`: the holder the gate had recorded for the epoch; `CLOSED`: the holder whose
    /// reign was closed.
    pub fn holder(&self) -> Option<&str> {
        match self {
            Verdict::Conflict { holder, .. } | Verdict::Closed { holder, .. } => Some(holder),
            _ => None,
        }
    }

    /// The pinned verdict JSON (see the `Serialize` impl).
    pub fn to_json(&self) -> String {
        crate::json::to_json(self)
    }
}

/// The pinned verdict JSON: `code`, `accepted`, `epoch`, `highest`, plus `from` (ADVANCED),
/// `cap` (TOO_FAR_AHEAD) or `holder` (CONFLICT, CLOSED); u64 values as decimal strings.
impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("accepted", &self.accepted())?;
        map.serialize_entry("epoch", &self.epoch().to_string())?;
        map.serialize_entry("highest", &self.highest().to_string())?;
        if let Some(from) = self.from() {
            map.serialize_entry("from", &from.to_string())?;
        }
        if let Some(cap) = self.cap() {
            map.serialize_entry("cap", &cap.to_string())?;
        }
        if let Some(holder) = self.holder() {
            map.serialize_entry("holder", holder)?;
        }
        map.end()
    }
}

/// Whether the reign at `epoch` is **established**: admitted by a strict majority of its
/// group's `configured` gates (SEMANTICS.md §16). `verdicts` are the answers the reign's token
/// (`epoch` and its holder) got from distinct holder-aware gates of the group; an accepted
/// verdict (`CURRENT` or `ADVANCED`) at `epoch` is a vote, anything else is not. A holder gate
/// admits one holder per epoch, and any two majorities share a gate, so at most one reign per
/// epoch is established.
pub fn established(epoch: u64, verdicts: &[Verdict], configured: u64) -> bool {
    let votes = verdicts
        .iter()
        .filter(|v| v.accepted() && v.epoch() == epoch)
        .count();
    (votes as u128) * 2 > u128::from(configured)
}

/// How an epoch compares with a gate's highest, before any holder is considered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Stale,
    Current,
    Advance,
    TooFarAhead(u64),
}

impl Step {
    /// The one rule every gate applies: lower is stale, equal is current, higher advances
    /// unless it is more than `cap` above the highest.
    #[inline]
    pub(crate) fn of(highest: u64, epoch: u64, cap: Option<u64>) -> Step {
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

    /// The verdict of this step for `epoch` against `highest` (for an advance, the highest it
    /// replaced). A holder gate decides `Current` itself (§6).
    #[inline]
    pub(crate) fn verdict(self, epoch: u64, highest: u64) -> Verdict {
        match self {
            Step::Stale => Verdict::Stale { epoch, highest },
            Step::Current => Verdict::Current { epoch },
            Step::TooFarAhead(cap) => Verdict::TooFarAhead {
                epoch,
                highest,
                cap,
            },
            Step::Advance => Verdict::Advanced {
                from: highest,
                to: epoch,
            },
        }
    }

    /// The verdict when the step moves nothing; `None` for an advance (which a gate must first
    /// make happen, e.g. on disk).
    #[inline]
    pub(crate) fn settled(self, epoch: u64, highest: u64) -> Option<Verdict> {
        (self != Step::Advance).then(|| self.verdict(epoch, highest))
    }
}

/// The epoch a promotion past `floor` moves a gate at `highest` to: `max(floor, highest + 1)`,
/// or `EPOCH_OVERFLOW` at 2^64-1 (§5).
#[inline]
pub(crate) fn promoted(highest: u64, floor: u64) -> crate::Result<u64> {
    match highest.checked_add(1) {
        Some(next) => Ok(next.max(floor)),
        None => Err(Error::new(
            Status::EpochOverflow,
            format!("cannot promote past epoch {highest}: it is the largest u64"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_is_pinned() {
        let cases = [
            (
                Verdict::Current { epoch: 3 },
                r#"{"code":"CURRENT","accepted":true,"epoch":"3","highest":"3"}"#,
            ),
            (
                Verdict::Advanced { from: 1, to: 9 },
                r#"{"code":"ADVANCED","accepted":true,"epoch":"9","highest":"9","from":"1"}"#,
            ),
            (
                Verdict::Stale {
                    epoch: 1,
                    highest: 2,
                },
                r#"{"code":"STALE_EPOCH","accepted":false,"epoch":"1","highest":"2"}"#,
            ),
            (
                Verdict::TooFarAhead {
                    epoch: u64::MAX,
                    highest: 2,
                    cap: 0,
                },
                r#"{"code":"TOO_FAR_AHEAD","accepted":false,"epoch":"18446744073709551615","highest":"2","cap":"0"}"#,
            ),
            (
                Verdict::Conflict {
                    epoch: 4,
                    holder: "é\"".into(),
                },
                r#"{"code":"CONFLICT","accepted":false,"epoch":"4","highest":"4","holder":"é\""}"#,
            ),
            (
                Verdict::Closed {
                    epoch: 5,
                    holder: "node-a".into(),
                },
                r#"{"code":"CLOSED","accepted":false,"epoch":"5","highest":"5","holder":"node-a"}"#,
            ),
        ];
        for (verdict, json) in cases {
            assert_eq!(verdict.to_json(), json);
        }
    }

    #[test]
    fn promotion_takes_the_larger_of_floor_and_one_past() {
        assert_eq!(promoted(4, 0), Ok(5));
        assert_eq!(promoted(4, 5), Ok(5));
        assert_eq!(promoted(4, 9), Ok(9));
        assert_eq!(promoted(u64::MAX - 1, 0), Ok(u64::MAX));
        assert_eq!(
            promoted(u64::MAX, u64::MAX).unwrap_err().status(),
            Status::EpochOverflow
        );
    }
}
