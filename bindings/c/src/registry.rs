//! The fence registry (`TaelRegistry`): epoch gates keyed by stream name, with snapshots.

use std::ffi::c_char;

use tael::{FenceRegistry, Snapshot};

use crate::gates::{self, TaelVerdict};
use crate::guard::{self, put, OwnedOut, TextOut};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// Epoch gates keyed by stream name, with an optional jump cap on every gate, and snapshots of
/// their high-water marks. Thread-safe: checks run in parallel; add, remove and restore take
/// an internal lock exclusively.
pub struct TaelRegistry(FenceRegistry);

/// A new, empty registry whose gates have no jump cap.
///
/// \return A handle the caller owns and frees with tael_registry_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_registry_new() -> *mut TaelRegistry {
    guard::handle(|| TaelRegistry(FenceRegistry::new()))
}

/// A new, empty registry whose gates all have the jump cap `cap` (restore is not capped).
///
/// \return A handle the caller owns and frees with tael_registry_free; NULL only after an
///         internal failure.
///
/// Thread-safe. Sets or clears the last error.
#[no_mangle]
pub extern "C" fn tael_registry_new_with_jump_cap(cap: u64) -> *mut TaelRegistry {
    guard::handle(|| TaelRegistry(FenceRegistry::new().with_jump_cap(cap)))
}

/// Free a registry and all its gates. NULL is a no-op.
///
/// Must not race with another call on the same registry. Leaves the last error as it is.
///
/// # Safety
///
/// `registry` is NULL or a handle from tael_registry_new* not freed before.
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let stream = unsafe { guard::bytes(stream, stream_len, "stream") }?;
        registry.0.add(guard::id(stream, "stream")?, highest)?;
        Ok(TAEL_STATUS_OK)
    })
}

/// Judge a record of `stream` stamped with `epoch` (as tael_fencer_check).
///
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or an error: TAEL_STATUS_UNKNOWN_STREAM, _INVALID_UTF8,
///         _NULL_POINTER (nothing changed).
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let stream = unsafe { guard::bytes(stream, stream_len, "stream") }?;
        let out = guard::out(out_verdict, "out_verdict")?;
        let v = registry.0.check(guard::utf8(stream, "stream")?, epoch)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { gates::verdict(&v, out) })
    })
}

/// Promote `stream`'s gate (as tael_fencer_promote).
///
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let stream = unsafe { guard::bytes(stream, stream_len, "stream") }?;
        let out = guard::out(out_epoch, "out_epoch")?;
        let epoch = registry.0.promote(guard::utf8(stream, "stream")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, epoch) };
        Ok(TAEL_STATUS_OK)
    })
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let stream = unsafe { guard::bytes(stream, stream_len, "stream") }?;
        let out = guard::out(out_highest, "out_highest")?;
        let highest = registry.0.highest(guard::utf8(stream, "stream")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, highest) };
        Ok(TAEL_STATUS_OK)
    })
}

/// Remove `stream`, returning its gate's last highest epoch in `*out_highest`.
///
/// \retval TAEL_STATUS_OK Removed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let stream = unsafe { guard::bytes(stream, stream_len, "stream") }?;
        let out = guard::out(out_highest, "out_highest")?;
        let highest = registry.0.remove(guard::utf8(stream, "stream")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, highest) };
        Ok(TAEL_STATUS_OK)
    })
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        let out = guard::out(out_len, "out_len")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, registry.0.len()) };
        Ok(TAEL_STATUS_OK)
    })
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        let has = guard::out(out_has_cap, "out_has_cap")?;
        let cap = guard::out(out_cap, "out_cap")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { gates::jump_cap(registry.0.jump_cap(), has, cap) }
    })
}

/// Every stream's high-water mark as snapshot JSON, `{"streams":{"<stream>":"<highest>"}}`
/// (marks as decimal strings, names in byte order, read under one lock), written into `buf`.
///
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        let out = TextOut::new(buf, cap, out_len)?;
        // SAFETY: checked by TextOut::new; writable per the caller's contract.
        unsafe { out.put(&registry.0.snapshot().to_json()) }
    })
}

/// The snapshot JSON (as tael_registry_snapshot) in a string the library allocates.
///
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let out = unsafe { OwnedOut::new(out_json) }?;
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        out.put(registry.0.snapshot().to_json())
    })
}

/// Merge a snapshot (JSON as tael_registry_snapshot writes it; marks may also be exact JSON
/// integers): a missing stream is added at its mark, an existing one is raised to the mark if
/// that is higher and never lowered, streams the snapshot does not name are kept. The jump cap
/// does not apply.
///
/// \param snapshot_json NUL-terminated UTF-8 JSON.
/// \retval TAEL_STATUS_OK Merged.
/// \retval TAEL_STATUS_INVALID_SNAPSHOT Malformed; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8 The text is not UTF-8; nothing changed.
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let registry = unsafe { guard::get(registry, "registry") }?;
        // SAFETY: the caller's contract above.
        let text = unsafe { guard::c_text(snapshot_json, "snapshot_json") }?;
        registry.0.restore(&Snapshot::from_json(text)?)?;
        Ok(TAEL_STATUS_OK)
    })
}
