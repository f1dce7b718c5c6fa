//! The epoch gate (`TaelFencer`), the holder-aware gate (`TaelHolderFencer`) and the verdict
//! struct both fill.

use std::ffi::c_char;
use std::ptr::NonNull;

use tael::{EpochFencer, HolderFencer, Result, Verdict};

use crate::election::TAEL_MAX_ID_BYTES;
use crate::guard::{self, put};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

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
    fn from_core(verdict: &Verdict) -> TaelVerdict {
        let mut out = TaelVerdict {
            code: verdict.status().into(),
            accepted: verdict.accepted(),
            epoch: verdict.epoch(),
            highest: verdict.highest(),
            from: 0,
            cap: 0,
            holder: [0; TAEL_ID_FIELD_BYTES],
        };
        match verdict {
            Verdict::Advanced { from, .. } => out.from = *from,
            Verdict::TooFarAhead { cap, .. } => out.cap = *cap,
            Verdict::Conflict { holder, .. } => out.holder = guard::id_field(holder),
            Verdict::Current { .. } | Verdict::Stale { .. } => {}
        }
        out
    }
}

/// Write a verdict and return its status (what the typed check functions return).
///
/// # Safety
///
/// `out` is writable for one TaelVerdict.
pub(crate) unsafe fn verdict(verdict: &Verdict, out: NonNull<TaelVerdict>) -> TaelStatus {
    let v = TaelVerdict::from_core(verdict);
    // SAFETY: the caller's contract above.
    unsafe { put(out, v) };
    v.code
}

/// Write a jump cap query's answer.
///
/// # Safety
///
/// Both pointers are writable.
pub(crate) unsafe fn jump_cap(
    cap: Option<u64>,
    out_has_cap: NonNull<bool>,
    out_cap: NonNull<u64>,
) -> Result<TaelStatus> {
    // SAFETY: the caller's contract above.
    unsafe {
        put(out_has_cap, cap.is_some());
        put(out_cap, cap.unwrap_or(0));
    }
    Ok(TAEL_STATUS_OK)
}

/// An epoch gate: accepts records at or above the highest epoch it has seen, rejects older
/// ones, so a deposed leader cannot write to the replicas. Lock-free and thread-safe.
pub struct TaelFencer(EpochFencer);

/// A new epoch gate resuming from `highest` (0 for a fresh gate), with no jump cap.
///
/// \return A handle the caller owns and frees with tael_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_fencer_new(highest: u64) -> *mut TaelFencer {
    guard::handle(|| TaelFencer(EpochFencer::with_highest(highest)))
}

/// A new epoch gate resuming from `highest`, with a jump cap: a record more than `cap` above
/// the highest is TOO_FAR_AHEAD (rejected, the gate unchanged), so one stray huge epoch cannot
/// brick the gate. Cap 0 admits only the current epoch.
///
/// \return A handle the caller owns and frees with tael_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_fencer_new_with_jump_cap(highest: u64, cap: u64) -> *mut TaelFencer {
    guard::handle(|| TaelFencer(EpochFencer::with_highest(highest).with_jump_cap(cap)))
}

/// Free an epoch gate. NULL is a no-op.
///
/// Must not race with another call on the same gate. Leaves the last error as it is.
///
/// # Safety
///
/// `fencer` is NULL or a handle from tael_fencer_new* not freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_free(fencer: *mut TaelFencer) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(fencer) }
}

/// Accept a record stamped with `epoch`? The boolean form of tael_fencer_check, with the same
/// effect: accepts `epoch >= highest` (advancing on a higher one, within the cap), rejects an
/// older one.
///
/// The status reports the call, not the verdict: a stale epoch is TAEL_STATUS_OK with
/// `*out_accepted == false`.
///
/// \param out_accepted Receives whether the record is accepted.
/// \retval TAEL_STATUS_OK `*out_accepted` is set.
/// \retval TAEL_STATUS_NULL_POINTER `fencer` or `out_accepted` is NULL (the gate is unchanged).
///
/// Thread-safe (lock-free). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_accepted` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_check_and_advance(
    fencer: *const TaelFencer,
    epoch: u64,
    out_accepted: *mut bool,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_accepted, "out_accepted")?;
        let accepted = gate.0.check_and_advance(epoch);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, accepted) };
        Ok(TAEL_STATUS_OK)
    })
}

/// Judge a record stamped with `epoch`, advancing the gate when it is higher (within the cap).
///
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or TAEL_STATUS_NULL_POINTER (the gate is unchanged).
///
/// Thread-safe (lock-free). Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_verdict` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_check(
    fencer: *const TaelFencer,
    epoch: u64,
    out_verdict: *mut TaelVerdict,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_verdict, "out_verdict")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { verdict(&gate.0.check(epoch), out) })
    })
}

/// A new leader's step: move the gate one past every epoch it has seen, atomically, and
/// return the new epoch. The jump cap does not apply.
///
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
///
/// Thread-safe (lock-free). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_promote(
    fencer: *const TaelFencer,
    out_epoch: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_epoch, "out_epoch")?;
        let epoch = gate.0.promote()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, epoch) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The highest epoch the gate has accepted (or was created or promoted to).
///
/// Thread-safe (lock-free). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_highest(
    fencer: *const TaelFencer,
    out_highest: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_highest, "out_highest")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, gate.0.highest()) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The gate's jump cap: `*out_has_cap` is false (and `*out_cap` 0) for a gate without one.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_jump_cap(
    fencer: *const TaelFencer,
    out_has_cap: *mut bool,
    out_cap: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let has = guard::out(out_has_cap, "out_has_cap")?;
        let cap = guard::out(out_cap, "out_cap")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { jump_cap(gate.0.jump_cap(), has, cap) }
    })
}

/// A holder gate's highest epoch and the holder recorded for it, read together.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelHolderState {
    /// The highest epoch.
    pub highest: u64,
    /// Whether a holder is recorded (false on a fresh or resumed gate until a token arrives).
    pub has_holder: bool,
    /// The recorded holder, NUL-terminated; "" when `has_holder` is false.
    pub holder: [c_char; TAEL_ID_FIELD_BYTES],
}

/// An epoch gate over `(epoch, holder)` tokens that also records who holds the current epoch,
/// so two writers claiming one reign are caught (CONFLICT). Thread-safe (a short lock per call).
pub struct TaelHolderFencer(HolderFencer);

/// A new holder gate resuming from `highest` with no recorded holder and no jump cap.
///
/// \return A handle the caller owns and frees with tael_holder_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_holder_fencer_new(highest: u64) -> *mut TaelHolderFencer {
    guard::handle(|| TaelHolderFencer(HolderFencer::with_highest(highest)))
}

/// A new holder gate resuming from `highest`, with a jump cap (as tael_fencer_new_with_jump_cap).
///
/// \return A handle the caller owns and frees with tael_holder_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_holder_fencer_new_with_jump_cap(
    highest: u64,
    cap: u64,
) -> *mut TaelHolderFencer {
    guard::handle(|| TaelHolderFencer(HolderFencer::with_highest(highest).with_jump_cap(cap)))
}

/// Free a holder gate. NULL is a no-op.
///
/// Must not race with another call on the same gate. Leaves the last error as it is.
///
/// # Safety
///
/// `fencer` is NULL or a handle from tael_holder_fencer_new* not freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_free(fencer: *mut TaelHolderFencer) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(fencer) }
}

/// Judge a record carrying the token `(epoch, holder)`: a higher epoch from anyone advances
/// and records the holder; the current epoch from the recorded holder (or the first claimant,
/// when none is recorded) is CURRENT; from anyone else CONFLICT; a lower epoch STALE_EPOCH.
///
/// \param holder The holder id, `holder_len` bytes (no NUL needed).
/// \param out_verdict Receives the full verdict (on CONFLICT, `holder` is the recorded one).
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH, _TOO_FAR_AHEAD
///         or _CONFLICT), or an error, after which the gate is unchanged:
///         TAEL_STATUS_INVALID_UTF8, _INVALID_ID, _NULL_POINTER.
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `holder` is NULL or readable for `holder_len` bytes;
/// `out_verdict` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_check(
    fencer: *const TaelHolderFencer,
    epoch: u64,
    holder: *const c_char,
    holder_len: usize,
    out_verdict: *mut TaelVerdict,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        // SAFETY: the caller's contract above.
        let holder = unsafe { guard::bytes(holder, holder_len, "holder") }?;
        let out = guard::out(out_verdict, "out_verdict")?;
        let v = gate.0.check(epoch, guard::id(holder, "holder")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { verdict(&v, out) })
    })
}

/// `holder` takes a new reign: the gate moves one past its highest and records `holder`.
///
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `holder` is NULL or readable for `holder_len` bytes;
/// `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_promote(
    fencer: *const TaelHolderFencer,
    holder: *const c_char,
    holder_len: usize,
    out_epoch: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        // SAFETY: the caller's contract above.
        let holder = unsafe { guard::bytes(holder, holder_len, "holder") }?;
        let out = guard::out(out_epoch, "out_epoch")?;
        let epoch = gate.0.promote(guard::id(holder, "holder")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, epoch) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The highest epoch the holder gate has accepted.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_highest(
    fencer: *const TaelHolderFencer,
    out_highest: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_highest, "out_highest")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, gate.0.highest()) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The holder gate's highest epoch and recorded holder, read together under one lock.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_state` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_state(
    fencer: *const TaelHolderFencer,
    out_state: *mut TaelHolderState,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_state, "out_state")?;
        let (highest, holder) = gate.0.state();
        let state = TaelHolderState {
            highest,
            has_holder: holder.is_some(),
            holder: guard::id_field(holder.as_deref().unwrap_or("")),
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, state) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The holder gate's jump cap: `*out_has_cap` is false (and `*out_cap` 0) without one.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_jump_cap(
    fencer: *const TaelHolderFencer,
    out_has_cap: *mut bool,
    out_cap: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let has = guard::out(out_has_cap, "out_has_cap")?;
        let cap = guard::out(out_cap, "out_cap")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { jump_cap(gate.0.jump_cap(), has, cap) }
    })
}
