//! The structs a gate fills: its verdict on one record (and back into the core's, for
//! `tael_established`), a holder gate's state, and the counts of a gate's verdicts.

use std::ffi::c_char;

use tael::{Counters, Error, Result, Status, Verdict};

use crate::election::TAEL_MAX_ID_BYTES;
use crate::guard;
use crate::status::TaelStatus;

/// The size of the id fields of TaelVerdict and TaelHolderState: the longest id and its NUL.
pub const TAEL_ID_FIELD_BYTES: usize = 256;

const _: () = assert!(TAEL_ID_FIELD_BYTES == TAEL_MAX_ID_BYTES + 1);

/// What a gate decided about one record (SEMANTICS.md §5, §6, §16).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelVerdict {
    /// TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH, _TOO_FAR_AHEAD, _CONFLICT or _CLOSED.
    pub code: TaelStatus,
    /// Whether the record is accepted: true exactly for CURRENT and ADVANCED.
    pub accepted: bool,
    /// The epoch the record carried.
    pub epoch: u64,
    /// The gate's highest epoch once the verdict was reached.
    pub highest: u64,
    /// ADVANCED: the gate's highest before the record; 0 otherwise.
    pub from: u64,
    /// TOO_FAR_AHEAD: the gate's jump cap; 0 otherwise.
    pub cap: u64,
    /// CONFLICT: the holder the gate had recorded for the epoch; CLOSED: the holder whose reign
    /// was closed; NUL-terminated; "" otherwise.
    pub holder: [c_char; TAEL_ID_FIELD_BYTES],
}

impl TaelVerdict {
    pub(crate) fn from_core(verdict: &Verdict) -> TaelVerdict {
        TaelVerdict {
            code: verdict.status().into(),
            accepted: verdict.accepted(),
            epoch: verdict.epoch(),
            highest: verdict.highest(),
            from: verdict.from().unwrap_or(0),
            cap: verdict.cap().unwrap_or(0),
            holder: guard::id_field(verdict.holder().unwrap_or("")),
        }
    }

    /// The core's verdict this struct describes, the inverse of [`TaelVerdict::from_core`];
    /// `name` names the struct in errors (e.g. `verdicts[2]`).
    ///
    /// The code decides the verdict, and only the fields that verdict has are read: `epoch`;
    /// `highest` (STALE_EPOCH, TOO_FAR_AHEAD); `from` (ADVANCED); `cap` (TOO_FAR_AHEAD);
    /// `holder` (CONFLICT, CLOSED: up to its first NUL, an id). A code that is not a verdict's,
    /// or an `accepted` that disagrees with the code, is `INVALID_ARGUMENT`; a CONFLICT's or
    /// CLOSED's holder that is not an id is `INVALID_UTF8` or `INVALID_ID`.
    pub(crate) fn core_verdict(&self, name: &str) -> Result<Verdict> {
        let invalid = |what: String| Error::new(Status::InvalidArgument, format!("{name}.{what}"));
        let (epoch, highest) = (self.epoch, self.highest);
        let verdict = match Status::from_number(self.code.0) {
            Some(Status::Current) => Verdict::Current { epoch },
            Some(Status::Advanced) => Verdict::Advanced {
                from: self.from,
                to: epoch,
            },
            Some(Status::StaleEpoch) => Verdict::Stale { epoch, highest },
            Some(Status::TooFarAhead) => Verdict::TooFarAhead {
                epoch,
                highest,
                cap: self.cap,
            },
            Some(Status::Conflict) => Verdict::Conflict {
                epoch,
                holder: self.holder(name)?,
            },
            Some(Status::Closed) => Verdict::Closed {
                epoch,
                holder: self.holder(name)?,
            },
            _ => {
                let code = self.code.0;
                return Err(invalid(format!("code: {code} is not a verdict's code")));
            }
        };
        if self.accepted != verdict.accepted() {
            let (accepted, code) = (self.accepted, verdict.code());
            return Err(invalid(format!(
                "accepted is {accepted}, which a {code} verdict is not"
            )));
        }
        Ok(verdict)
    }

    /// The `holder` field as an id: its bytes up to the first NUL (all of them without one).
    fn holder(&self, name: &str) -> Result<String> {
        let field = self.holder.map(|c| c as u8);
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        let bytes = field.get(..end).unwrap_or(&field);
        guard::id(bytes, &format!("{name}.holder")).map(str::to_owned)
    }
}

/// A holder gate's highest epoch and the holder recorded for it, read together.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelHolderState {
    /// The highest epoch.
    pub highest: u64,
    /// Whether a holder is recorded (false on a gate made from a highest alone, until a token
    /// arrives; true from the start on one resumed with tael_holder_fencer_new_with_holder).
    pub has_holder: bool,
    /// The recorded holder, NUL-terminated; "" when `has_holder` is false.
    pub holder: [c_char; TAEL_ID_FIELD_BYTES],
}

impl From<(u64, Option<String>)> for TaelHolderState {
    /// A holder gate's state as the core reads it: `(highest, holder)`.
    fn from((highest, holder): (u64, Option<String>)) -> Self {
        TaelHolderState {
            highest,
            has_holder: holder.is_some(),
            holder: guard::id_field(holder.as_deref().unwrap_or("")),
        }
    }
}

/// How many checks of a gate or registry got each verdict (SEMANTICS.md §16), as
/// tael_fencer_counters, tael_holder_fencer_counters and tael_registry_counters read them.
/// Only checks count (tael_*_check and tael_*_check_and_advance); a call that fails (an invalid
/// holder, a refused epoch 0, an unknown stream) does not. Each count is read atomically on its
/// own, not all six at one instant.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaelCounters {
    /// Whether the gate counts (it was made with TaelGateOptions.counters); when false, every
    /// count is 0.
    pub counting: bool,
    /// Checks answered TAEL_STATUS_CURRENT.
    pub current: u64,
    /// Checks answered TAEL_STATUS_ADVANCED.
    pub advanced: u64,
    /// Checks answered TAEL_STATUS_STALE_EPOCH.
    pub stale_epoch: u64,
    /// Checks answered TAEL_STATUS_TOO_FAR_AHEAD.
    pub too_far_ahead: u64,
    /// Checks answered TAEL_STATUS_CONFLICT.
    pub conflict: u64,
    /// Checks answered TAEL_STATUS_CLOSED.
    pub closed: u64,
}

impl From<Option<Counters>> for TaelCounters {
    /// A gate's counters as the core reads them: `None` for a gate that does not count.
    fn from(counters: Option<Counters>) -> Self {
        let c = counters.unwrap_or_default();
        TaelCounters {
            counting: counters.is_some(),
            current: c.current,
            advanced: c.advanced,
            stale_epoch: c.stale_epoch,
            too_far_ahead: c.too_far_ahead,
            conflict: c.conflict,
            closed: c.closed,
        }
    }
}
