//! The epoch gate (`TaelFencer`) and the holder-aware gate (`TaelHolderFencer`), each in
//! memory or kept in a file, made with their options (`TaelGateOptions`). Each function is one
//! call to the wrapper of its operation in `ops`.

use std::ffi::c_char;
use std::path::PathBuf;

use tael::{DurableFencer, DurableHolderFencer, EpochFencer, EpochGate, HolderFencer, HolderGate};

use crate::guard;
use crate::ops::{self, handle, Arg, CapOut, VerdictOut};
use crate::options::{Options, TaelGateOptions};
use crate::status::{TaelStatus, TAEL_STATUS_OK};
use crate::verdict::{TaelCounters, TaelHolderState, TaelVerdict};

/// An epoch gate: accepts records at or above the highest epoch it has seen, rejects older
/// ones, so a deposed leader cannot write to the replicas. Thread-safe.
///
/// Made in memory (tael_fencer_new*: lock-free) or kept in a file (tael_fencer_open*: an advance
/// returns only once its mark is on disk, SEMANTICS.md §12), either of them refusing epoch 0 or
/// counting its verdicts when made with those options (TaelGateOptions); every tael_fencer_*
/// call works on all of them. Only a gate kept in a file can answer TAEL_STATUS_STORAGE (its
/// write failed; nothing moved).
pub struct TaelFencer(Gate);

handle!(TaelFencer => Gate, "fencer");

/// The gate behind a `TaelFencer`: the plain gate in memory, called directly (the lock-free
/// check a hot path makes, with nothing between the ABI and the atomic), or any other gate
/// (with options, or in a file) through the trait, out of the checks' line.
pub(crate) enum Gate {
    Plain(EpochFencer),
    Other(Box<dyn EpochGate>),
}

impl Gate {
    fn get(&self) -> &dyn EpochGate {
        match self {
            Gate::Plain(gate) => gate,
            Gate::Other(gate) => &**gate,
        }
    }
}

/// A check on a gate that is not the plain one, kept out of line so that the plain gate's
/// check compiles to a few instructions in the ABI function.
#[cold]
#[inline(never)]
fn other<T>(gate: &dyn EpochGate, op: impl FnOnce(&dyn EpochGate) -> T) -> T {
    op(gate)
}

impl EpochGate for Gate {
    #[inline]
    fn check(&self, epoch: u64) -> tael::Result<tael::Verdict> {
        match self {
            Gate::Plain(gate) => EpochGate::check(gate, epoch),
            Gate::Other(gate) => other(&**gate, |g| g.check(epoch)),
        }
    }
    #[inline]
    fn check_and_advance(&self, epoch: u64) -> tael::Result<bool> {
        match self {
            Gate::Plain(gate) => Ok(gate.check_and_advance(epoch)),
            Gate::Other(gate) => other(&**gate, |g| g.check_and_advance(epoch)),
        }
    }
    fn promote(&self) -> tael::Result<u64> {
        self.get().promote()
    }
    fn promote_to_at_least(&self, floor: u64) -> tael::Result<u64> {
        self.get().promote_to_at_least(floor)
    }
    fn highest(&self) -> u64 {
        self.get().highest()
    }
    fn jump_cap(&self) -> Option<u64> {
        self.get().jump_cap()
    }
    fn refuses_epoch_zero(&self) -> bool {
        self.get().refuses_epoch_zero()
    }
    fn counters(&self) -> Option<tael::Counters> {
        self.get().counters()
    }
}

/// A new epoch gate resuming from `highest` (0 for a fresh gate), with no jump cap.
///
/// \return A handle the caller owns and frees with tael_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_fencer_new(highest: u64) -> *mut TaelFencer {
    guard::handle(|| TaelFencer(Gate::Plain(EpochFencer::with_highest(highest))))
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
    guard::handle(|| fencer(highest, Options::capped(Some(cap))))
}

/// A new epoch gate resuming from `highest`, made with `options`: a jump cap, refusing epoch 0
/// (TAEL_STATUS_INVALID_EPOCH), counting its verdicts (tael_fencer_counters).
///
/// \param highest The highest epoch the gate has seen (0 for a fresh gate).
/// \param options The options, read during the call only; NULL for the defaults (as
///        tael_fencer_new).
/// \return A handle the caller owns and frees with tael_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_new_with_options(
    highest: u64,
    options: *const TaelGateOptions,
) -> *mut TaelFencer {
    // SAFETY: the caller's contract above.
    let options = unsafe { Options::read(options) };
    guard::handle(|| fencer(highest, options))
}

fn fencer(highest: u64, options: Options) -> TaelFencer {
    let gate = EpochFencer::with_highest(highest).with_jump_cap(options.cap());
    if options.dresses() {
        TaelFencer(Gate::Other(options.gate(gate)))
    } else {
        TaelFencer(Gate::Plain(gate))
    }
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
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
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
            gate_at(p, create, Options::default())
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
            gate_at(p, create, Options::capped(Some(cap)))
        })
    }
}

/// Open the epoch gate kept in the file `(path, path_len)` (as tael_fencer_open), made with
/// `options` (as tael_fencer_new_with_options). The options belong to the handle; the file holds
/// only the mark.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh gate.
/// \param options The options, read during the call only; NULL for the defaults.
/// \param out_fencer Receives a handle the caller owns and frees with tael_fencer_free (which
///        releases the file); written only on success.
///
/// # Safety
///
/// As tael_fencer_open; `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_open_with_options(
    path: *const c_char,
    path_len: usize,
    create: bool,
    options: *const TaelGateOptions,
    out_fencer: *mut *mut TaelFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    let options = unsafe { Options::read(options) };
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), (out_fencer, "out_fencer"), |p| {
            gate_at(p, create, options)
        })
    }
}

fn gate_at(path: PathBuf, create: bool, options: Options) -> tael::Result<TaelFencer> {
    let gate = DurableFencer::open_with(path, create)?.with_jump_cap(options.cap());
    Ok(TaelFencer(Gate::Other(options.gate(gate))))
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
/// \param fencer The gate.
/// \param epoch The record's epoch.
/// \param out_accepted Receives whether the record is accepted.
/// \retval TAEL_STATUS_OK `*out_accepted` is set.
/// \retval TAEL_STATUS_NULL_POINTER `fencer` or `out_accepted` is NULL (the gate is unchanged).
/// \retval TAEL_STATUS_INVALID_EPOCH Epoch 0 on a gate that refuses it (the gate is unchanged).
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
/// \param fencer The gate.
/// \param epoch The record's epoch.
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or an error after which the gate is unchanged:
///         TAEL_STATUS_NULL_POINTER, TAEL_STATUS_INVALID_EPOCH (epoch 0 on a gate that refuses
///         it), or TAEL_STATUS_STORAGE (a gate kept in a file could not write the new mark).
///         ADVANCED comes only once the new mark is on disk.
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
/// \param fencer The gate.
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
/// \param fencer The gate.
/// \param floor The least epoch to move to.
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

/// Whether the gate refuses epoch 0 (made with TaelGateOptions.refuse_zero).
///
/// \param fencer The gate.
/// \param out_refuses Receives the setting.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_refuses` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_refuses_epoch_zero(
    fencer: *const TaelFencer,
    out_refuses: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_refuses, "out_refuses"), |g, _| {
            Ok(g.refuses_epoch_zero())
        })
    }
}

/// How many checks of the gate got each verdict (SEMANTICS.md §16). A gate made without
/// TaelGateOptions.counters answers TAEL_STATUS_OK with `counting` false and every count 0.
///
/// \param fencer The gate.
/// \param out_counters Receives the counts.
///
/// Thread-safe (lock-free). Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_counters` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_fencer_counters(
    fencer: *const TaelFencer,
    out_counters: *mut TaelCounters,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_counters, "out_counters"), |g, _| {
            Ok(g.counters().into())
        })
    }
}

/// An epoch gate over `(epoch, holder)` tokens that also records who holds the current epoch,
/// so two writers claiming one reign are caught (CONFLICT), and whether that reign was closed
/// (CLOSED, SEMANTICS.md §16). Thread-safe (a short lock per call).
///
/// Made in memory (tael_holder_fencer_new*) or kept in a file (tael_holder_fencer_open*: every
/// change of the reign, its vote, is on disk before the call returns, SEMANTICS.md §12), either
/// of them refusing epoch 0 or counting its verdicts when made with those options
/// (TaelGateOptions); every tael_holder_fencer_* call works on all of them. Only a gate kept in
/// a file can answer TAEL_STATUS_STORAGE (its write failed; nothing changed).
pub struct TaelHolderFencer(Box<dyn HolderGate>);

handle!(TaelHolderFencer => dyn HolderGate, "fencer");

/// A new holder gate resuming from `highest` with no recorded holder and no jump cap.
///
/// \return A handle the caller owns and frees with tael_holder_fencer_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_holder_fencer_new(highest: u64) -> *mut TaelHolderFencer {
    guard::handle(|| holder_fencer(HolderFencer::with_highest(highest), Options::default()))
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
    guard::handle(|| {
        holder_fencer(
            HolderFencer::with_highest(highest),
            Options::capped(Some(cap)),
        )
    })
}

/// A new holder gate resuming a known reign: `highest`, held by `(holder, holder_len)`, with an
/// optional jump cap (e.g. what a restarted standby read back from its own records).
///
/// \param highest The resumed reign's epoch: the gate's highest.
/// \param holder, holder_len The recorded holder, `holder_len` bytes (no NUL needed).
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
        let handle = Box::new(holder_fencer(gate, Options::capped(cap)));
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { guard::put(out, Box::into_raw(handle)) };
        Ok(TAEL_STATUS_OK)
    })
}

/// A new holder gate resuming from `highest`, held by `(holder, holder_len)` or by no recorded
/// holder, made with `options` (as tael_fencer_new_with_options: a jump cap, refusing epoch 0,
/// counting its verdicts).
///
/// \param highest The highest epoch the gate has seen (0 for a fresh gate).
/// \param holder, holder_len The recorded holder, `holder_len` bytes (no NUL needed), or NULL (with
///        `holder_len` 0) for none. An empty holder is not "none": it is TAEL_STATUS_INVALID_ID.
/// \param options The options, read during the call only; NULL for the defaults.
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
/// `holder` is NULL or readable for `holder_len` bytes; `options` is NULL or readable;
/// `out_fencer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_new_with_options(
    highest: u64,
    holder: *const c_char,
    holder_len: usize,
    options: *const TaelGateOptions,
    out_fencer: *mut *mut TaelHolderFencer,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let holder = unsafe { guard::optional_bytes(holder, holder_len) }
            .map_err(|e| tael::Error::new(e.status(), format!("holder: {}", e.message())))?;
        // SAFETY: the caller's contract above.
        let options = unsafe { Options::read(options) };
        let out = guard::out(out_fencer, "out_fencer")?;
        let holder = holder.map(|h| guard::id(h, "holder")).transpose()?;
        let gate = HolderFencer::with_holder(highest, holder)?;
        let handle = Box::new(holder_fencer(gate, options));
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { guard::put(out, Box::into_raw(handle)) };
        Ok(TAEL_STATUS_OK)
    })
}

fn holder_fencer(gate: HolderFencer, options: Options) -> TaelHolderFencer {
    TaelHolderFencer(options.holder_gate(gate.with_jump_cap(options.cap())))
}

/// Open the holder gate kept in the file `(path, path_len)` (SEMANTICS.md §12): its reign (the
/// highest epoch, its holder, whether it was closed) is its vote, and survives a restart.
///
/// As tael_fencer_open: an existing file is read back (never reset); a missing one is a fresh
/// gate at 0 with no holder, written before this returns, only when `create` is true; one owner
/// at a time. Every change (an advance, the first holder recorded at the current epoch, a
/// promotion, a close, an adoption) returns only once it is on disk; verdicts that change
/// nothing write nothing. The file is version 2 of the gate file; a plain gate's file
/// (tael_fencer_open's, version 1: its mark, no holder, open) opens too, and is rewritten as
/// version 2 on the first change, after which tael_fencer_open refuses it.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh gate.
/// \param out_fencer Receives a handle the caller owns and frees with tael_holder_fencer_free
///        (which releases the file); written only on success.
/// \retval TAEL_STATUS_OK Opened.
/// \retval TAEL_STATUS_STORAGE The file is missing (and `create` is false), unreadable, corrupt,
///         of another kind or held by another owner, or the fresh file could not be written.
///         Nothing was reset.
/// \retval TAEL_STATUS_INVALID_ARGUMENT The path is empty, holds a NUL byte or names no file.
/// \retval TAEL_STATUS_NULL_POINTER `out_fencer` is NULL, or `path` is NULL with a length.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `path` is NULL or readable for `path_len` bytes; `out_fencer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_fencer: *mut *mut TaelHolderFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), (out_fencer, "out_fencer"), |p| {
            holder_gate_at(p, create, Options::default())
        })
    }
}

/// Open the holder gate kept in the file `(path, path_len)` (as tael_holder_fencer_open), made
/// with `options` (as tael_fencer_new_with_options). The options belong to the handle; the file
/// holds only the reign.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh gate.
/// \param options The options, read during the call only; NULL for the defaults.
/// \param out_fencer Receives a handle the caller owns and frees with tael_holder_fencer_free
///        (which releases the file); written only on success.
///
/// # Safety
///
/// As tael_holder_fencer_open; `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_open_with_options(
    path: *const c_char,
    path_len: usize,
    create: bool,
    options: *const TaelGateOptions,
    out_fencer: *mut *mut TaelHolderFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    let options = unsafe { Options::read(options) };
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), (out_fencer, "out_fencer"), |p| {
            holder_gate_at(p, create, options)
        })
    }
}

fn holder_gate_at(path: PathBuf, create: bool, options: Options) -> tael::Result<TaelHolderFencer> {
    let gate = DurableHolderFencer::open_with(path, create)?.with_jump_cap(options.cap());
    Ok(TaelHolderFencer(options.holder_gate(gate)))
}

/// Free a holder gate (releasing its file, for a gate from tael_holder_fencer_open*; its reign
/// is already on disk). NULL is a no-op.
///
/// Must not race with another call on the same gate. Leaves the last error as it is.
///
/// # Safety
///
/// `fencer` is NULL or a handle from tael_holder_fencer_new* or tael_holder_fencer_open* not
/// freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_free(fencer: *mut TaelHolderFencer) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(fencer) }
}

/// Judge a record carrying the token `(epoch, holder)`: a higher epoch from anyone advances
/// and records the holder (an open reign); the current epoch of a closed reign is CLOSED, from
/// anyone; else from the recorded holder (or the first claimant, when none is recorded) it is
/// CURRENT, from anyone else CONFLICT; a lower epoch STALE_EPOCH.
///
/// \param fencer The holder gate.
/// \param epoch The token's epoch.
/// \param holder, holder_len The holder id, `holder_len` bytes (no NUL needed).
/// \param out_verdict Receives the full verdict (on CONFLICT, `holder` is the recorded one; on
///        CLOSED, the one that closed the reign).
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH, _TOO_FAR_AHEAD,
///         _CONFLICT or _CLOSED), or an error, after which the gate is unchanged:
///         TAEL_STATUS_INVALID_UTF8, _INVALID_ID, _NULL_POINTER, _INVALID_EPOCH (epoch 0 on a
///         gate that refuses it), _STORAGE (a gate kept in a file could not write the change).
///         ADVANCED comes only once the new reign is on disk.
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
            Arg::Name((holder, holder_len, "holder")),
            VerdictOut(out_verdict),
            |g, h| g.check(epoch, h),
        )
    }
}

/// The boolean form of tael_holder_fencer_check, with the same effect.
///
/// \param fencer The holder gate.
/// \param epoch The token's epoch.
/// \param holder, holder_len The holder id, `holder_len` bytes (no NUL needed).
/// \param out_accepted Receives whether the record is accepted (CURRENT or ADVANCED).
/// \retval TAEL_STATUS_OK `*out_accepted` is set.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
/// \retval TAEL_STATUS_INVALID_EPOCH Epoch 0 on a gate that refuses it; nothing changed.
/// \retval TAEL_STATUS_STORAGE A gate kept in a file could not write the change; nothing
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
            Arg::Name((holder, holder_len, "holder")),
            (out_accepted, "out_accepted"),
            |g, h| g.check_and_advance(epoch, h),
        )
    }
}

/// `holder` takes a new reign: the gate moves one past its highest and records `holder` (an
/// open reign).
///
/// \param fencer The holder gate.
/// \param holder, holder_len The new reign's holder (the new leader's id), `holder_len` bytes (no
///        NUL needed).
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch (on disk, for a gate kept in a file).
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
/// \retval TAEL_STATUS_STORAGE The new reign could not be written; nothing changed.
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
/// \param fencer The holder gate.
/// \param floor The least epoch to move to.
/// \param holder, holder_len The new reign's holder (the new leader's id), `holder_len` bytes (no
///        NUL needed).
/// \param out_epoch Receives the new epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch (on disk, for a gate kept in a file).
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
/// \retval TAEL_STATUS_STORAGE The new reign could not be written; nothing changed.
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

/// `holder` ends its reign at `epoch` (SEMANTICS.md §16): records of that epoch that arrive
/// later, from anyone, are CLOSED, until a higher epoch moves the gate. Closing a closed reign
/// answers CLOSED (with the holder that closed it) and changes nothing; closing the current
/// epoch of another holder is CONFLICT, an older epoch STALE_EPOCH; closing an epoch above the
/// highest moves the gate to it, closed (within the jump cap, else TOO_FAR_AHEAD).
///
/// \param fencer The holder gate.
/// \param epoch The epoch of the reign to close.
/// \param holder, holder_len The holder id, `holder_len` bytes (no NUL needed).
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CLOSED once the reign is closed, or the verdict that
///         refused the close: _CONFLICT, _STALE_EPOCH, _TOO_FAR_AHEAD), or an error, after
///         which the gate is unchanged: TAEL_STATUS_INVALID_UTF8, _INVALID_ID, _NULL_POINTER,
///         _INVALID_EPOCH (epoch 0 on a gate that refuses it), _STORAGE (a gate kept in a file
///         could not write the close). CLOSED comes only once the close is on disk.
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// As tael_holder_fencer_check.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_close(
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
            Arg::Name((holder, holder_len, "holder")),
            VerdictOut(out_verdict),
            |g, h| g.close(epoch, h),
        )
    }
}

/// Move the gate to the reign `(epoch, holder)` that its group established, after this replica
/// voted for another claimant and truncated its log to the divergence point (SEMANTICS.md §16):
/// CURRENT when `epoch` is the highest (the recorded holder is replaced), ADVANCED when it is
/// above (the jump cap does not apply); from then on the holder's tokens are accepted. Never
/// below the highest (STALE_EPOCH), never into a closed reign (CLOSED); both change nothing.
/// Adopting takes the gate's vote back: only for a reign a majority already established.
///
/// \param fencer The holder gate.
/// \param epoch The established reign's epoch.
/// \param holder, holder_len The holder id, `holder_len` bytes (no NUL needed).
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or _CLOSED), or an
///         error, after which the gate is unchanged: TAEL_STATUS_INVALID_UTF8, _INVALID_ID,
///         _NULL_POINTER, _INVALID_EPOCH (epoch 0 on a gate that refuses it), _STORAGE (a gate
///         kept in a file could not write the change).
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// As tael_holder_fencer_check.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_adopt(
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
            Arg::Name((holder, holder_len, "holder")),
            VerdictOut(out_verdict),
            |g, h| g.adopt(epoch, h),
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

/// Whether the reign at the holder gate's highest epoch was closed (tael_holder_fencer_close).
///
/// \param fencer The holder gate.
/// \param out_closed Receives whether it was.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_closed` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_closed(
    fencer: *const TaelHolderFencer,
    out_closed: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_closed, "out_closed"), |g, _| {
            Ok(g.closed())
        })
    }
}

/// Whether the holder gate refuses epoch 0 (made with TaelGateOptions.refuse_zero).
///
/// \param fencer The holder gate.
/// \param out_refuses Receives the setting.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_refuses` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_refuses_epoch_zero(
    fencer: *const TaelHolderFencer,
    out_refuses: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_refuses, "out_refuses"), |g, _| {
            Ok(g.refuses_epoch_zero())
        })
    }
}

/// How many checks of the holder gate got each verdict (as tael_fencer_counters; closes and
/// adoptions are not checks and are not counted).
///
/// \param fencer The holder gate.
/// \param out_counters Receives the counts.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_counters` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_holder_fencer_counters(
    fencer: *const TaelHolderFencer,
    out_counters: *mut TaelCounters,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(fencer, Arg::None, (out_counters, "out_counters"), |g, _| {
            Ok(g.counters().into())
        })
    }
}
