//! The structs a gate fills: its verdict on one record, and a holder gate's state.

use std::ffi::c_char;

use tael::Verdict;

use crate::election::TAEL_MAX_ID_BYTES;
use crate::guard;
use crate::status::TaelStatus;

/// The size of the id fields of TaelVerdict and TaelHolderState: the longest id and its NUL.
pub const TAEL_ID_FIELD_BYTES: usize = 256;

const _: () = assert!(TAEL_ID_FIELD_BYTES == TAEL_MAX_ID_BYTES + 1);

/// What a gate decided about one record (SEMANTICS.md §5, §6).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelVerdict {
    /// TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH, _TOO_FAR_AHEAD or _CONFLICT.
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
    /// CONFLICT: the holder the gate had recorded for the epoch, NUL-terminated; "" otherwise.
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
