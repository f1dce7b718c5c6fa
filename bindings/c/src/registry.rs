//! The fence registry (`TaelRegistry`, in memory or kept in a file): epoch gates keyed by stream
//! name, with snapshots. Each function is one call to the wrapper of its operation in `ops`.

use std::ffi::c_char;
use std::path::PathBuf;

use tael::{DurableRegistry, FenceRegistry, GateRegistry, Snapshot};

use crate::guard;
use crate::ops::{self, handle, AllocOut, Arg, BufferOut, CapOut, VerdictOut};
use crate::options::{Options, TaelGateOptions};
use crate::status::TaelStatus;
use crate::verdict::{TaelCounters, TaelVerdict};

/// Epoch gates keyed by stream name, with an optional jump cap on every gate, and snapshots of
/// their high-water marks. Thread-safe.
///
/// Made in memory (tael_registry_new*: checks run in parallel; add, remove and restore take an
/// internal lock exclusively) or kept in a file (tael_registry_open*: every change of a mark is
/// on disk before the call returns, SEMANTICS.md §12), either of them refusing epoch 0 or
/// counting its verdicts when made with those options (TaelGateOptions); every tael_registry_*
/// call works on all of them. Only a registry kept in a file can answer TAEL_STATUS_STORAGE (its
/// write failed; nothing changed).
pub struct TaelRegistry(Box<dyn GateRegistry>);

handle!(TaelRegistry => dyn GateRegistry, "registry");

/// A new, empty registry whose gates have no jump cap.
///
/// \return A handle the caller owns and frees with tael_registry_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_registry_new() -> *mut TaelRegistry {
    guard::handle(|| registry(Options::default()))
}

/// A new, empty registry whose gates all have the jump cap `cap` (restore is not capped).
///
/// \return A handle the caller owns and frees with tael_registry_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_registry_new_with_jump_cap(cap: u64) -> *mut TaelRegistry {
    guard::handle(|| registry(Options::capped(Some(cap))))
}

/// A new, empty registry made with `options` (as tael_fencer_new_with_options, for every gate:
/// a jump cap, which restore does not apply; refusing epoch 0, before the stream is looked up;
/// counting the verdicts of every stream's checks together, tael_registry_counters).
///
/// \param options The options, read during the call only; NULL for the defaults (as
///        tael_registry_new).
/// \return A handle the caller owns and frees with tael_registry_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_new_with_options(
    options: *const TaelGateOptions,
) -> *mut TaelRegistry {
    // SAFETY: the caller's contract above.
    let options = unsafe { Options::read(options) };
    guard::handle(|| registry(options))
}

fn registry(options: Options) -> TaelRegistry {
    TaelRegistry(options.registry(FenceRegistry::new().with_jump_cap(options.cap())))
}

/// Open the registry kept in the file `(path, path_len)` (SEMANTICS.md §12; as
/// tael_fencer_open, a fresh registry is empty). Every change of a mark (an advancing check, a
/// promotion, add, remove, a restore that raises a mark) is on disk before the call returns.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh, empty registry.
/// \param out_registry Receives a handle the caller owns and frees with tael_registry_free
///        (which releases the file); written only on success.
/// \retval TAEL_STATUS_OK Opened.
/// \retval TAEL_STATUS_STORAGE Missing (and `create` is false), unreadable, corrupt, held by
///         another owner, or the fresh file could not be written. Nothing was reset.
/// \retval TAEL_STATUS_INVALID_ARGUMENT The path is empty, holds a NUL byte or names no file.
/// \retval TAEL_STATUS_NULL_POINTER `out_registry` is NULL, or `path` is NULL with a length.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `path` is NULL or readable for `path_len` bytes; `out_registry` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_registry: *mut *mut TaelRegistry,
) -> TaelStatus {
    let out = (out_registry, "out_registry");
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), out, |p| {
            registry_at(p, create, Options::default())
        })
    }
}

/// Open the registry kept in the file `(path, path_len)` (as tael_registry_open) with a jump
/// cap on every gate (restore is not capped). The cap belongs to the handle.
///
/// # Safety
///
/// As tael_registry_open.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_open_with_jump_cap(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: u64,
    out_registry: *mut *mut TaelRegistry,
) -> TaelStatus {
    let out = (out_registry, "out_registry");
    let options = Options::capped(Some(cap));
    // SAFETY: the caller's contract above.
    unsafe { ops::open((path, path_len), out, |p| registry_at(p, create, options)) }
}

/// Open the registry kept in the file `(path, path_len)` (as tael_registry_open), made with
/// `options` (as tael_registry_new_with_options). The options belong to the handle; the file
/// holds only the marks.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh, empty registry.
/// \param options The options, read during the call only; NULL for the defaults.
/// \param out_registry Receives a handle the caller owns and frees with tael_registry_free (which
///        releases the file); written only on success.
///
/// # Safety
///
/// As tael_registry_open; `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_open_with_options(
    path: *const c_char,
    path_len: usize,
    create: bool,
    options: *const TaelGateOptions,
    out_registry: *mut *mut TaelRegistry,
) -> TaelStatus {
    let out = (out_registry, "out_registry");
    // SAFETY: the caller's contract above.
    let options = unsafe { Options::read(options) };
    // SAFETY: the caller's contract above.
    unsafe { ops::open((path, path_len), out, |p| registry_at(p, create, options)) }
}

fn registry_at(path: PathBuf, create: bool, options: Options) -> tael::Result<TaelRegistry> {
    let registry = DurableRegistry::open_with(path, create)?.with_jump_cap(options.cap());
    Ok(TaelRegistry(options.registry(registry)))
}

/// Free a registry and all its gates (releasing its file, for a registry from
/// tael_registry_open*; every mark is already on disk). NULL is a no-op.
///
/// Must not race with another call on the same registry. Leaves the last error as it is.
///
/// # Safety
///
/// `registry` is NULL or a handle from tael_registry_new* or tael_registry_open* not freed
/// before.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_free(registry: *mut TaelRegistry) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(registry) }
}

/// Add the stream `(stream, stream_len)` with a gate starting at `highest`.
///
/// \retval TAEL_STATUS_OK Added.
/// \retval TAEL_STATUS_STREAM_EXISTS The name is taken; its gate is left as it was.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The name is not an id.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_add(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    highest: u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Id((stream, stream_len, "stream")),
            (),
            |r, s| r.add(s, highest),
        )
    }
}

/// Judge a record of `stream` stamped with `epoch` (as tael_fencer_check).
///
/// \param registry The registry.
/// \param stream, stream_len The stream's name, `stream_len` bytes (no NUL needed).
/// \param epoch The record's epoch.
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or an error: TAEL_STATUS_UNKNOWN_STREAM, _INVALID_UTF8,
///         _NULL_POINTER, _INVALID_EPOCH (epoch 0 on a registry that refuses it, whatever the
///         stream), _STORAGE (a registry kept in a file could not write the new mark); nothing
///         changed. ADVANCED comes only once the new mark is on disk.
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_verdict` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_check(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    epoch: u64,
    out_verdict: *mut TaelVerdict,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            VerdictOut(out_verdict),
            |r, s| r.check(s, epoch),
        )
    }
}

/// The boolean form of tael_registry_check, with the same effect.
///
/// \param registry The registry.
/// \param stream, stream_len The stream's name, `stream_len` bytes (no NUL needed).
/// \param epoch The record's epoch.
/// \param out_accepted Receives whether the record is accepted (CURRENT or ADVANCED).
/// \retval TAEL_STATUS_OK `*out_accepted` is set.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_INVALID_EPOCH Epoch 0 on a registry that refuses it; nothing changed.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_accepted` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_check_and_advance(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    epoch: u64,
    out_accepted: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_accepted, "out_accepted"),
            |r, s| r.check_and_advance(s, epoch),
        )
    }
}

/// Promote `stream`'s gate (as tael_fencer_promote).
///
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_promote(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_epoch, "out_epoch"),
            |r, s| r.promote(s),
        )
    }
}

/// Promote `stream`'s gate past a floor (as tael_fencer_promote_to_at_least).
///
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_promote_to_at_least(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    floor: u64,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_epoch, "out_epoch"),
            |r, s| r.promote_to_at_least(s, floor),
        )
    }
}

/// The highest epoch `stream` has accepted.
///
/// \retval TAEL_STATUS_OK `*out_highest` is set.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_highest(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    out_highest: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_highest, "out_highest"),
            |r, s| r.highest(s),
        )
    }
}

/// Remove `stream`, returning its gate's last highest epoch in `*out_highest`.
///
/// \retval TAEL_STATUS_OK Removed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_remove(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    out_highest: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_highest, "out_highest"),
            |r, s| r.remove(s),
        )
    }
}

/// Whether the registry holds `stream` (a name that is not UTF-8 is
/// TAEL_STATUS_INVALID_UTF8; any other name the registry lacks is simply not held).
///
/// \param registry The registry.
/// \param stream, stream_len The stream's name, `stream_len` bytes (no NUL needed).
/// \param out_contains Receives whether the stream is there.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_contains` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_contains(
    registry: *const TaelRegistry,
    stream: *const c_char,
    stream_len: usize,
    out_contains: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::Name((stream, stream_len, "stream")),
            (out_contains, "out_contains"),
            |r, s| Ok(r.contains(s)),
        )
    }
}

/// The number of streams in the registry.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_len(
    registry: *const TaelRegistry,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::None,
            (out_len, "out_len"),
            |r, _| Ok(r.len()),
        )
    }
}

/// The registry's jump cap: `*out_has_cap` is false (and `*out_cap` 0) without one.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_jump_cap(
    registry: *const TaelRegistry,
    out_has_cap: *mut bool,
    out_cap: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(registry, Arg::None, CapOut(out_has_cap, out_cap), |r, _| {
            Ok(r.jump_cap())
        })
    }
}

/// Whether every gate of the registry refuses epoch 0 (made with TaelGateOptions.refuse_zero).
///
/// \param registry The registry.
/// \param out_refuses Receives the setting.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `out_refuses` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_refuses_epoch_zero(
    registry: *const TaelRegistry,
    out_refuses: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(registry, Arg::None, (out_refuses, "out_refuses"), |r, _| {
            Ok(r.refuses_epoch_zero())
        })
    }
}

/// How many checks of the registry, over all its streams, got each verdict (as
/// tael_fencer_counters; a check of an unknown stream fails and is not counted).
///
/// \param registry The registry.
/// \param out_counters Receives the counts.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `out_counters` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_counters(
    registry: *const TaelRegistry,
    out_counters: *mut TaelCounters,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            registry,
            Arg::None,
            (out_counters, "out_counters"),
            |r, _| Ok(r.counters().into()),
        )
    }
}

/// Every stream's high-water mark as snapshot JSON, `{"streams":{"<stream>":"<highest>"}}`
/// (marks as decimal strings, names in byte order, read under one lock), written into `buf`.
///
/// \param registry The registry.
/// \param buf Receives the JSON and a NUL; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \param out_len Receives the JSON's length in bytes without the NUL, also when the buffer is
///        too small (the buffer needs `*out_len + 1` bytes; a later call may need more if
///        streams were added meanwhile).
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_BUFFER_TOO_SMALL Only `*out_len` was written.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `buf` is NULL or writable for `cap` bytes; `out_len` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_snapshot(
    registry: *const TaelRegistry,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(registry, Arg::None, BufferOut(buf, cap, out_len), |r, _| {
            Ok(r.snapshot().to_json())
        })
    }
}

/// The snapshot JSON (as tael_registry_snapshot) in a string the library allocates.
///
/// \param registry The registry.
/// \param out_json Receives the NUL-terminated JSON, which the caller owns and frees with
///        tael_string_free; set to NULL on failure.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_snapshot_alloc(
    registry: *const TaelRegistry,
    out_json: *mut *mut c_char,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(registry, Arg::None, AllocOut(out_json), |r, _| {
            Ok(r.snapshot().to_json())
        })
    }
}

/// Merge a snapshot (JSON as tael_registry_snapshot writes it; marks may also be exact JSON
/// integers): a missing stream is added at its mark, an existing one is raised to the mark if
/// that is higher and never lowered, streams the snapshot does not name are kept. The jump cap
/// does not apply.
///
/// \param registry The registry.
/// \param snapshot_json NUL-terminated UTF-8 JSON.
/// \retval TAEL_STATUS_OK Merged.
/// \retval TAEL_STATUS_INVALID_SNAPSHOT Malformed; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8 The text is not UTF-8; nothing changed.
/// \retval TAEL_STATUS_STORAGE A registry kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `snapshot_json` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tael_registry_restore(
    registry: *const TaelRegistry,
    snapshot_json: *const c_char,
) -> TaelStatus {
    let snapshot = Arg::Json(snapshot_json, "snapshot_json");
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(registry, snapshot, (), |r, text| {
            r.restore(&Snapshot::from_json(text)?)
        })
    }
}
