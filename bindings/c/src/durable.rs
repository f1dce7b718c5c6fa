//! The durable gate (`TaelDurableFencer`) and the durable registry (`TaelDurableRegistry`):
//! the epoch gate and the fence registry with their marks in a file, on disk before an advance
//! is acknowledged (SEMANTICS.md §12).

use std::ffi::c_char;
use std::path::PathBuf;
use std::ptr::NonNull;

use tael::{DurableFencer, DurableRegistry, Result, Snapshot};

use crate::gates::{self, TaelVerdict};
use crate::guard::{self, put, OwnedOut, TextOut};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// The path `(p, len)`: any bytes but NUL on POSIX systems (UTF-8 elsewhere); the core refuses
/// an empty path or one with a NUL byte as INVALID_ARGUMENT.
///
/// # Safety
///
/// As [`guard::bytes`].
unsafe fn path(p: *const c_char, len: usize) -> Result<PathBuf> {
    // SAFETY: the caller's contract above.
    let bytes = unsafe { guard::bytes(p, len, "path") }?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        guard::utf8(bytes, "path").map(PathBuf::from)
    }
}

/// Hand a new handle to the caller through `out`.
///
/// # Safety
///
/// `out` is writable for one pointer.
unsafe fn give<T>(out: NonNull<*mut T>, value: T) -> Result<TaelStatus> {
    // SAFETY: the caller's contract above.
    unsafe { put(out, Box::into_raw(Box::new(value))) };
    Ok(TAEL_STATUS_OK)
}

fn opened<T>(result: Result<T>, cap: Option<u64>, with_cap: fn(T, u64) -> T) -> Result<T> {
    let opened = result?;
    Ok(match cap {
        Some(cap) => with_cap(opened, cap),
        None => opened,
    })
}

/// An epoch gate whose high-water mark lives in a file: an advance (a check that moves the
/// gate, a promotion) returns only after the new mark is on disk (written to `<path>.tmp`,
/// fsynced, renamed over `<path>`, the directory fsynced). Thread-safe: advances are serialized
/// by an internal lock held across the write. One owner at a time: the handle holds an
/// exclusive lock on `<path>.lock` until it is freed or its process dies.
pub struct TaelDurableFencer(DurableFencer);

/// Open the durable gate stored at `(path, path_len)`.
///
/// An existing file is read back (never reset); a missing one is a fresh gate at 0, written
/// before this returns, only when `create` is true.
///
/// \param path The file's path, `path_len` bytes (no NUL needed; a NUL inside is refused).
/// \param create Whether a missing file starts a fresh gate.
/// \param out_fencer Receives a handle the caller owns and frees with tael_durable_fencer_free;
///        written only on success.
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
pub unsafe extern "C" fn tael_durable_fencer_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_fencer: *mut *mut TaelDurableFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { open_fencer(path, path_len, create, None, out_fencer) }
}

/// Open the durable gate stored at `(path, path_len)` (as tael_durable_fencer_open), with a
/// jump cap: a record more than `cap` above the highest is TOO_FAR_AHEAD. The cap belongs to
/// the handle; the file holds only the mark.
///
/// # Safety
///
/// As tael_durable_fencer_open.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_open_with_jump_cap(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: u64,
    out_fencer: *mut *mut TaelDurableFencer,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { open_fencer(path, path_len, create, Some(cap), out_fencer) }
}

/// # Safety
///
/// As tael_durable_fencer_open.
unsafe fn open_fencer(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: Option<u64>,
    out_fencer: *mut *mut TaelDurableFencer,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let path = unsafe { self::path(path, path_len) }?;
        let out = guard::out(out_fencer, "out_fencer")?;
        let gate = if create {
            DurableFencer::open_or_create(path)
        } else {
            DurableFencer::open(path)
        };
        let gate = opened(gate, cap, DurableFencer::with_jump_cap)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { give(out, TaelDurableFencer(gate)) }
    })
}

/// Free a durable gate and release its file. NULL is a no-op. Its mark is already on disk.
///
/// Must not race with another call on the same gate. Leaves the last error as it is.
///
/// # Safety
///
/// `fencer` is NULL or a handle from tael_durable_fencer_open* not freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_free(fencer: *mut TaelDurableFencer) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(fencer) }
}

/// Accept a record stamped with `epoch`? The boolean form of tael_durable_fencer_check, with
/// the same effect; true is returned for a higher epoch only once it is on disk.
///
/// \retval TAEL_STATUS_OK `*out_accepted` is set (false for a stale or too-far epoch).
/// \retval TAEL_STATUS_STORAGE The new mark could not be written; the gate did not move.
/// \retval TAEL_STATUS_NULL_POINTER `fencer` or `out_accepted` is NULL.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_accepted` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_check_and_advance(
    fencer: *const TaelDurableFencer,
    epoch: u64,
    out_accepted: *mut bool,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_accepted, "out_accepted")?;
        let accepted = gate.0.check_and_advance(epoch)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, accepted) };
        Ok(TAEL_STATUS_OK)
    })
}

/// Judge a record stamped with `epoch` (as tael_fencer_check). TAEL_STATUS_ADVANCED is
/// returned only once the new mark is on disk.
///
/// \param out_verdict Receives the full verdict.
/// \return The verdict's code (TAEL_STATUS_CURRENT, _ADVANCED, _STALE_EPOCH or
///         _TOO_FAR_AHEAD), or an error: TAEL_STATUS_STORAGE (the write failed; the gate did
///         not move), TAEL_STATUS_NULL_POINTER.
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_verdict` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_check(
    fencer: *const TaelDurableFencer,
    epoch: u64,
    out_verdict: *mut TaelVerdict,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let out = guard::out(out_verdict, "out_verdict")?;
        let v = gate.0.check(epoch)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { gates::verdict(&v, out) })
    })
}

/// A new leader's step: the gate moves one past its highest, and the new epoch is returned
/// once it is on disk. The jump cap does not apply.
///
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_STORAGE The new mark could not be written; the gate did not move.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_promote(
    fencer: *const TaelDurableFencer,
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

/// The highest epoch the durable gate has accepted (it is on disk).
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_highest(
    fencer: *const TaelDurableFencer,
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

/// The durable gate's jump cap: `*out_has_cap` is false (and `*out_cap` 0) without one.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `fencer` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_fencer_jump_cap(
    fencer: *const TaelDurableFencer,
    out_has_cap: *mut bool,
    out_cap: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let gate = unsafe { guard::get(fencer, "fencer") }?;
        let has = guard::out(out_has_cap, "out_has_cap")?;
        let cap = guard::out(out_cap, "out_cap")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { gates::jump_cap(gate.0.jump_cap(), has, cap) }
    })
}

/// A fence registry whose marks all live in one file: every change of a mark (an advancing
/// check, promote, add, remove, a restore that raises a mark) rewrites the file durably before
/// the call returns. Thread-safe; one owner at a time, as TaelDurableFencer.
pub struct TaelDurableRegistry(DurableRegistry);

/// Open the durable registry stored at `(path, path_len)` (as tael_durable_fencer_open; a
/// fresh registry is empty).
///
/// \param out_registry Receives a handle the caller owns and frees with
///        tael_durable_registry_free; written only on success.
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
pub unsafe extern "C" fn tael_durable_registry_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_registry: *mut *mut TaelDurableRegistry,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { open_registry(path, path_len, create, None, out_registry) }
}

/// Open the durable registry stored at `(path, path_len)` with a jump cap on every gate (as
/// tael_durable_registry_open; restore is not capped).
///
/// # Safety
///
/// As tael_durable_registry_open.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_open_with_jump_cap(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: u64,
    out_registry: *mut *mut TaelDurableRegistry,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { open_registry(path, path_len, create, Some(cap), out_registry) }
}

/// # Safety
///
/// As tael_durable_registry_open.
unsafe fn open_registry(
    path: *const c_char,
    path_len: usize,
    create: bool,
    cap: Option<u64>,
    out_registry: *mut *mut TaelDurableRegistry,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let path = unsafe { self::path(path, path_len) }?;
        let out = guard::out(out_registry, "out_registry")?;
        let registry = if create {
            DurableRegistry::open_or_create(path)
        } else {
            DurableRegistry::open(path)
        };
        let registry = opened(registry, cap, DurableRegistry::with_jump_cap)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { give(out, TaelDurableRegistry(registry)) }
    })
}

/// Free a durable registry and release its file. NULL is a no-op.
///
/// Must not race with another call on the same registry. Leaves the last error as it is.
///
/// # Safety
///
/// `registry` is NULL or a handle from tael_durable_registry_open* not freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_free(registry: *mut TaelDurableRegistry) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(registry) }
}

/// Add the stream `(stream, stream_len)` with a gate at `highest`, on disk before this returns.
///
/// \retval TAEL_STATUS_OK Added.
/// \retval TAEL_STATUS_STREAM_EXISTS The name is taken; its gate is left as it was.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The name is not an id.
/// \retval TAEL_STATUS_STORAGE The file could not be written; nothing changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_add(
    registry: *const TaelDurableRegistry,
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

/// Judge a record of `stream` stamped with `epoch` (as tael_durable_fencer_check).
///
/// \return The verdict's code, or an error: TAEL_STATUS_UNKNOWN_STREAM, _INVALID_UTF8,
///         _STORAGE (the write failed; nothing changed), _NULL_POINTER.
///
/// Thread-safe. Sets or clears the last error (a verdict is a success).
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_verdict` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_check(
    registry: *const TaelDurableRegistry,
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

/// Promote `stream`'s gate (as tael_durable_fencer_promote).
///
/// \retval TAEL_STATUS_OK `*out_epoch` is the new epoch, on disk.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW The gate is at 2^64-1; nothing changed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_STORAGE The file could not be written; nothing changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_promote(
    registry: *const TaelDurableRegistry,
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

/// The highest epoch `stream` has accepted (it is on disk).
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
pub unsafe extern "C" fn tael_durable_registry_highest(
    registry: *const TaelDurableRegistry,
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

/// Remove `stream`, returning its last highest epoch in `*out_highest`, once the file no
/// longer has it.
///
/// \retval TAEL_STATUS_OK Removed.
/// \retval TAEL_STATUS_UNKNOWN_STREAM No such stream.
/// \retval TAEL_STATUS_STORAGE The file could not be written; nothing changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `stream` is NULL or readable for `stream_len` bytes;
/// `out_highest` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_remove(
    registry: *const TaelDurableRegistry,
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

/// The number of streams in the durable registry.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_len(
    registry: *const TaelDurableRegistry,
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

/// The durable registry's jump cap: `*out_has_cap` is false (and `*out_cap` 0) without one.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_jump_cap(
    registry: *const TaelDurableRegistry,
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

/// Every stream's mark as snapshot JSON (as tael_registry_snapshot), written into `buf`.
///
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
pub unsafe extern "C" fn tael_durable_registry_snapshot(
    registry: *const TaelDurableRegistry,
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

/// The snapshot JSON (as tael_durable_registry_snapshot) in a string the library allocates.
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
pub unsafe extern "C" fn tael_durable_registry_snapshot_alloc(
    registry: *const TaelDurableRegistry,
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

/// Merge a snapshot (as tael_registry_restore: missing streams added, lower marks raised,
/// none lowered, no jump cap); the file is rewritten, durably, only when a mark changed.
///
/// \retval TAEL_STATUS_OK Merged (and on disk).
/// \retval TAEL_STATUS_INVALID_SNAPSHOT Malformed; nothing changed.
/// \retval TAEL_STATUS_INVALID_UTF8 The text is not UTF-8; nothing changed.
/// \retval TAEL_STATUS_STORAGE The file could not be written; nothing changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `registry` is NULL or a live handle; `snapshot_json` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tael_durable_registry_restore(
    registry: *const TaelDurableRegistry,
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

#[cfg(test)]
mod tests {
    use super::*;
    use tael::{Error, Status};

    #[test]
    #[cfg(unix)]
    fn paths_are_bytes_on_posix() {
        let bytes = b"dir/\xffgate";
        // SAFETY: a live array and its length.
        let p = unsafe { path(bytes.as_ptr().cast(), bytes.len()) }.unwrap();
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(p.as_os_str().as_bytes(), bytes);
        // SAFETY: (NULL, 0) is the empty path; (NULL, 1) is refused before any read.
        let empty = unsafe { path(std::ptr::null(), 0) }.unwrap();
        assert!(empty.as_os_str().is_empty());
        // SAFETY: as above.
        let null = unsafe { path(std::ptr::null(), 1) }.unwrap_err();
        assert_eq!(null.status(), Status::NullPointer);
    }

    #[test]
    fn a_cap_is_applied_only_when_given() {
        let e: Result<u64> = Err(Error::new(Status::Storage, "x"));
        assert_eq!(
            opened(e, Some(1), |v, _| v).unwrap_err().status(),
            Status::Storage
        );
        assert_eq!(opened(Ok(5u64), None, |_, c| c), Ok(5));
        assert_eq!(opened(Ok(5u64), Some(9), |_, c| c), Ok(9));
    }
}
