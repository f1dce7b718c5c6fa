//! The epoch gate (`TaelFencer`, in memory or kept in a file) and the holder-aware gate
//! (`TaelHolderFencer`). Each function is one call to the wrapper of its operation in `ops`.

use std::ffi::c_char;

use tael::{DurableFencer, EpochFencer, EpochGate, HolderFencer, HolderGate};

use crate::guard;
use crate::ops::{self, handle, Arg, CapOut, VerdictOut};
use crate::status::TaelStatus;
use crate::verdict::{TaelHolderState, TaelVerdict};

/// An epoch gate: accepts records at or above the highest epoch it has seen, rejects older
/// ones, so a deposed leader cannot write to the replicas. Thread-safe.
///
/// Made in memory (tael_fencer_new*: lock-free) or kept in a file (tael_fencer_open*: an advance
/// returns only once its mark is on disk, SEMANTICS.md §12); every tael_fencer_* call works on
/// both. Only a gate kept in a file can answer TAEL_STATUS_STORAGE (its write failed; nothing
/// moved).
pub struct TaelFencer(Box<dyn EpochGate>);

handle!(TaelFencer => dyn EpochGate, "fencer");

/// A new epoch gate resuming from `highest` (0 for a fresh gate), with no jump cap.
///
/// \return A handle the caller owns and frees with tael_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_fencer_new(highest: u64) -> *mut TaelFencer {
    guard::handle(|| TaelFencer(Box::new(EpochFencer::with_highest(highest))))
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
    guard::handle(|| {
        let gate = EpochFencer::with_highest(highest).with_jump_cap(cap);
        TaelFencer(Box::new(gate))
    })
}

/// Open the epoch gate kept in the file `(path, path_len)` (SEMANTICS.md §12).
///
/// An existing file is read back (never reset); a missing one is a fresh gate at 0, written
/// before this returns, only when `create` is true. Every advance of the gate returns only once
/// its new mark is on disk (written to `<path>.tmp`, fsynced, renamed over `<path>`, the
/// directory fsynced); advances are serialized by an internal lock held across the write. One
/// owner at a time: the handle holds an exclusive lock on `<path>.lock` until it is freed or its
/// process dies.
///
/// \param path The file's path, `path_len` bytes (no NUL needed; a NUL inside is refused).
/// \param create Whether a missing file starts a fresh gate.
/// \param out_fencer Receives a handle the caller owns and frees with tael_fencer_free (which
///        releases the file); written only on success.
/// \retval TAEL_STATUS_OK Opened.
/// \retval TAEL_STATUS_STORAGE The file is missing (and `create` is false), unreadable, corrupt
///         or held by another owner, or the fresh file could not be written. Nothing was reset.
/// \retval TAEL_STATUS_INVALID_ARGUMENT The path is empty, holds a NUL byte or names no file.
/// \retval TAEL_STATUS_NULL_POINTER `out_fencer` is NULL, or `path` is NULL with a length.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `path` is NULL or readable for `path_len` bytes; `out_fencer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_fencer: *mut *mut TaelFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), (out_fencer, "out_fencer"), |p| {
            gate_at(p, create, None)
        })
    }
}

/// Open the epoch gate kept in the file `(path, path_len)` (as tael_fencer_open), with a jump
/// cap: a record more than `cap` above the highest is TOO_FAR_AHEAD. The cap belongs to the
/// handle; the file holds only the mark.
///
/// # Safety
///
/// As tael_fencer_open.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_open_with_jump_cap(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: u64,
    out_fencer: *mut *mut TaelFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), (out_fencer, "out_fencer"), |p| {
            gate_at(p, create, Some(cap))
        })
    }
}

fn gate_at(path: std::path::PathBuf, create: bool, cap: Option<u64>) -> tael::Result<TaelFencer> {
    let gate = DurableFencer::open_with(path, create)?.with_jump_cap(cap);
    Ok(TaelFencer(Box::new(gate)))
}

/// Free an epoch gate (releasing its file, for a gate from tael_fencer_open*; its mark is
/// already on disk). NULL is a no-op.
///
/// Must not race with another call on the same gate. Leaves the last error as it is.
///
/// # Safety
///
/// `fencer` is NULL or a handle from tael_fencer_new* or tael_fencer_open* not freed before.
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
/// \retval TAEL_STATUS_STORAGE A gate kept in a file could not write the new mark; it did not
///         move.
///
/// Thread-safe (lock-free in memory). Sets or clears the last error.
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_accepted, "out_accepted"), |g, _| {
            g.check_and_advance(epoch)
        })
    }
}

/// Judge a record stamped with `epoch`, advancing the gate when it is higher (within the cap).
///
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or an error after which the gate is unchanged:
///         TAEL_STATUS_NULL_POINTER, or TAEL_STATUS_STORAGE (a gate kept in a file could not
///         write the new mark). ADVANCED comes only once the new mark is on disk.
///
/// Thread-safe (lock-free in memory). Sets or clears the last error (a verdict is a success).
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, VerdictOut(out_verdict), |g, _| {
            g.check(epoch)
        })
    }
}

/// A new leader's step: move the gate one past every epoch it has seen, atomically, and
/// return the new epoch. The jump cap does not apply.
///
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch (on disk, for a gate kept in a file).
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_STORAGE The new mark could not be written; nothing changed.
///
/// Thread-safe (lock-free in memory). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_promote(
    fencer: *const TaelFencer,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_epoch, "out_epoch"), |g, _| {
            g.promote()
        })
    }
}

/// A new leader's step past a floor (usually tael_next_epoch of the view that elected it):
/// atomically move the gate to `max(floor, highest + 1)` and return that epoch. The jump cap
/// does not apply.
///
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch (on disk, for a gate kept in a file).
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_STORAGE The new mark could not be written; nothing changed.
///
/// Thread-safe (lock-free in memory). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_promote_to_at_least(
    fencer: *const TaelFencer,
    floor: u64,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_epoch, "out_epoch"), |g, _| {
            g.promote_to_at_least(floor)
        })
    }
}

/// The highest epoch the gate has accepted (or was created or promoted to; on disk, for a gate
/// kept in a file).
///
/// Thread-safe (lock-free in memory). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_highest(
    fencer: *const TaelFencer,
    out_highest: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_highest, "out_highest"), |g, _| {
            Ok(g.highest())
        })
    }
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, CapOut(out_has_cap, out_cap), |g, _| {
            Ok(g.jump_cap())
        })
    }
}

/// An epoch gate over `(epoch, holder)` tokens that also records who holds the current epoch,
/// so two writers claiming one reign are caught (CONFLICT). Thread-safe (a short lock per call).
pub struct TaelHolderFencer(HolderFencer);

handle!(TaelHolderFencer => HolderFencer, "fencer");

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

/// A new holder gate resuming a known reign: `highest`, held by `(holder, holder_len)`, with an
/// optional jump cap (e.g. what a restarted standby read back from its own records).
///
/// \param holder The recorded holder, `holder_len` bytes (no NUL needed).
/// \param jump_cap The jump cap, or NULL for none.
/// \param out_fencer Receives a handle the caller owns and frees with tael_holder_fencer_free;
///        written only on success.
/// \retval TAEL_STATUS_OK Created.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id.
/// \retval TAEL_STATUS_NULL_POINTER `out_fencer` is NULL, or `holder` is NULL with a length.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `holder` is NULL or readable for `holder_len` bytes; `jump_cap` is NULL or readable;
/// `out_fencer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_new_with_holder(
    highest: u64,
    holder: *const c_char,
    holder_len: usize,
    jump_cap: *const u64,
    out_fencer: *mut *mut TaelHolderFencer,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let holder = unsafe { guard::bytes(holder, holder_len, "holder") }?;
        let out = guard::out(out_fencer, "out_fencer")?;
        // SAFETY: the caller's contract above.
        let cap = unsafe { jump_cap.as_ref() }.copied();
        let gate = HolderFencer::with_holder(highest, Some(guard::id(holder, "holder")?))?;
        let handle = Box::new(TaelHolderFencer(gate.with_jump_cap(cap)));
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { guard::put(out, Box::into_raw(handle)) };
        Ok(crate::status::TAEL_STATUS_OK)
    })
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            fencer,
            Arg::Id((holder, holder_len, "holder")),
            VerdictOut(out_verdict),
            |g, h| g.check(epoch, h),
        )
    }
}

/// The boolean form of tael_holder_fencer_check, with the same effect.
///
/// \param out_accepted Receives whether the record is accepted (CURRENT or ADVANCED).
/// \retval TAEL_STATUS_OK `*out_accepted` is set.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// As tael_holder_fencer_check, with `out_accepted` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_check_and_advance(
    fencer: *const TaelHolderFencer,
    epoch: u64,
    holder: *const c_char,
    holder_len: usize,
    out_accepted: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            fencer,
            Arg::Id((holder, holder_len, "holder")),
            (out_accepted, "out_accepted"),
            |g, h| g.check_and_advance(epoch, h),
        )
    }
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            fencer,
            Arg::Id((holder, holder_len, "holder")),
            (out_epoch, "out_epoch"),
            |g, h| g.promote(h),
        )
    }
}

/// `holder` takes a new reign at `max(floor, highest + 1)` (as tael_fencer_promote_to_at_least),
/// recorded for `holder`.
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
/// As tael_holder_fencer_promote.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_promote_to_at_least(
    fencer: *const TaelHolderFencer,
    floor: u64,
    holder: *const c_char,
    holder_len: usize,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            fencer,
            Arg::Id((holder, holder_len, "holder")),
            (out_epoch, "out_epoch"),
            |g, h| g.promote_to_at_least(floor, h),
        )
    }
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_highest, "out_highest"), |g, _| {
            Ok(g.highest())
        })
    }
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_state, "out_state"), |g, _| {
            Ok(g.state().into())
        })
    }
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, CapOut(out_has_cap, out_cap), |g, _| {
            Ok(g.jump_cap())
        })
    }
}
