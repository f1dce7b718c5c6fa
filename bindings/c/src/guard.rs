//! The wrapper every exported body runs in, and the conversions from C arguments.
//!
//! Each exported function checks every pointer it was given *before* it calls the core, so a
//! call that fails with `NULL_POINTER` (or `INVALID_ARGUMENT`) has changed nothing.

use std::any::Any;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use tael::{Error, Result, Status};

use crate::last_error;
use crate::status::{TaelStatus, TAEL_STATUS_INTERNAL};

/// Run the body of a function that returns a status: a success clears the last error, an
/// error sets it, and a panic becomes `INTERNAL` with the panic's message.
///
/// `AssertUnwindSafe` is sound here: the bodies only read their arguments and call the core,
/// whose gates and registry are valid at every step (their locks recover from poisoning).
#[inline]
pub(crate) fn status(body: impl FnOnce() -> Result<TaelStatus>) -> TaelStatus {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => {
            last_error::clear();
            status
        }
        Ok(Err(error)) => {
            last_error::set(&error);
            TaelStatus::from(error.status())
        }
        Err(payload) => {
            last_error::set(&panicked(payload));
            TAEL_STATUS_INTERNAL
        }
    }
}

/// Run the body of a constructor: the new object in a box handed to C, or NULL after a panic.
pub(crate) fn handle<T>(body: impl FnOnce() -> T) -> *mut T {
    match catch_unwind(AssertUnwindSafe(|| Box::into_raw(Box::new(body())))) {
        Ok(handle) => {
            last_error::clear();
            handle
        }
        Err(payload) => {
            last_error::set(&panicked(payload));
            std::ptr::null_mut()
        }
    }
}

/// Run the body of a function that cannot fail; a panic (which should never happen) returns
/// `fallback` and sets the last error.
pub(crate) fn infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            last_error::set(&panicked(payload));
            fallback
        }
    }
}

/// Free a handle made by [`handle`]; NULL is a no-op.
///
/// # Safety
///
/// `handle` is NULL or came from [`handle`] with the same `T` and was not freed before.
pub(crate) unsafe fn free<T>(handle: *mut T) {
    infallible((), || {
        if !handle.is_null() {
            // SAFETY: the caller's contract above.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

fn panicked(payload: Box<dyn Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    // A payload whose destructor panics must not unwind into C either.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    Error::new(
        Status::Internal,
        format!("internal failure (please report it): {what}"),
    )
}

/// `NULL_POINTER` for the parameter `name`.
#[cold]
pub(crate) fn null(name: &str) -> Error {
    Error::new(Status::NullPointer, format!("{name} is NULL"))
}

/// The object behind a handle or input pointer.
///
/// # Safety
///
/// `p` is NULL or points to a live `T` for the lifetime `'a`.
#[inline]
pub(crate) unsafe fn get<'a, T>(p: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: the caller's contract above.
    unsafe { p.as_ref() }.ok_or_else(|| null(name))
}

/// An out-parameter, checked for NULL now and written later with [`put`].
#[inline]
pub(crate) fn out<T>(p: *mut T, name: &str) -> Result<NonNull<T>> {
    NonNull::new(p).ok_or_else(|| null(name))
}

/// Write a result through an out-parameter.
///
/// # Safety
///
/// `out` is writable for one `T` (what the header asks of the caller).
#[inline]
pub(crate) unsafe fn put<T>(out: NonNull<T>, value: T) {
    // SAFETY: the caller's contract above; `write` never reads the old (maybe uninit) value.
    unsafe { out.as_ptr().write(value) }
}

/// The array `(p, len)`; `(NULL, 0)` is the empty array.
///
/// # Safety
///
/// When `len > 0` and `p` is not NULL, `p` points to `len` readable `T`s for `'a`.
pub(crate) unsafe fn array<'a, T>(p: *const T, len: usize, name: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null(name));
    }
    if len.saturating_mul(size_of::<T>().max(1)) > isize::MAX as usize {
        return Err(Error::new(
            Status::InvalidArgument,
            format!("{name}: a length of {len} is larger than any array"),
        ));
    }
    // SAFETY: non-NULL, within isize::MAX bytes, and the caller's contract above.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// The bytes `(p, len)`; `(NULL, 0)` is empty.
///
/// # Safety
///
/// As [`array`].
pub(crate) unsafe fn bytes<'a>(p: *const c_char, len: usize, name: &str) -> Result<&'a [u8]> {
    // SAFETY: the caller's contract; c_char and u8 have the same layout.
    unsafe { array(p.cast::<u8>(), len, name) }
}

/// Optional bytes `(p, len)`: NULL with length 0 is none; otherwise the bytes, not yet
/// converted (an empty text, `("", 0)`, is some). Errors do not name the parameter.
///
/// # Safety
///
/// `p` is NULL or readable for `len` bytes.
pub(crate) unsafe fn optional_bytes<'a>(p: *const c_char, len: usize) -> Result<Option<&'a [u8]>> {
    if p.is_null() {
        if len == 0 {
            return Ok(None);
        }
        return Err(Error::new(
            Status::NullPointer,
            format!("NULL with a length of {len} (NULL is none, with length 0)"),
        ));
    }
    if len > isize::MAX as usize {
        return Err(Error::new(
            Status::InvalidArgument,
            format!("a length of {len} is larger than any array"),
        ));
    }
    // SAFETY: non-NULL, within isize::MAX bytes, and the caller's contract above.
    Ok(Some(unsafe {
        std::slice::from_raw_parts(p.cast::<u8>(), len)
    }))
}

/// Bytes as an id: well-formed UTF-8 and the id rules, both the core's
/// (`validate_id_bytes`). For ids the call creates or presents (holders, new streams, elections).
pub(crate) fn id<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str> {
    tael::validate_id_bytes(bytes)
        .map_err(|e| Error::new(e.status(), format!("{name}: {}", e.message())))
}

/// Bytes as text: UTF-8 only. For names the core looks up (a stream, a group), where the core
/// itself decides what an unknown or malformed name is.
pub(crate) fn utf8<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            Status::InvalidUtf8,
            format!(
                "{name} is not valid UTF-8 (bad byte at {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A NUL-terminated UTF-8 text (a JSON document).
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string readable for `'a`.
pub(crate) unsafe fn c_text<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    // SAFETY: the caller's contract above.
    utf8(unsafe { c_bytes(p, name) }?, name)
}

/// The bytes of a NUL-terminated text, without the NUL.
///
/// # Safety
///
/// As [`c_text`].
pub(crate) unsafe fn c_bytes<'a>(p: *const c_char, name: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        return Err(null(name));
    }
    // SAFETY: the caller's contract above.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// Copy an id (at most `TAEL_MAX_ID_BYTES` bytes, no NUL) into a fixed, NUL-terminated field.
pub(crate) fn id_field<const N: usize>(id: &str) -> [c_char; N] {
    let mut field = [0 as c_char; N];
    for (slot, &b) in field
        .iter_mut()
        .zip(id.as_bytes())
        .take(N.saturating_sub(1))
    {
        *slot = b as c_char;
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::last_error::tael_last_error_message;
    use crate::status::TAEL_STATUS_OK;

    fn last_error() -> String {
        let mut buf = [0 as c_char; 256];
        // SAFETY: buf is writable for its length.
        let n = unsafe { tael_last_error_message(buf.as_mut_ptr(), buf.len()) };
        // SAFETY: tael_last_error_message NUL-terminates.
        let text = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(n, text.to_bytes().len());
        text.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_panic_is_internal_with_a_message() {
        let status = status(|| panic!("boom {}", 42));
        assert_eq!(status, TAEL_STATUS_INTERNAL);
        let message = last_error();
        assert!(message.starts_with("INTERNAL:"), "{message}");
        assert!(message.contains("boom 42"), "{message}");

        assert!(handle::<u8>(|| panic!("no handle")).is_null());
        assert!(last_error().contains("no handle"));

        assert_eq!(infallible(7, || panic!("static message")), 7);
        assert!(last_error().contains("static message"));
    }

    #[test]
    fn success_clears_and_errors_set_the_last_error() {
        assert_eq!(
            status(|| Err(null("fencer"))),
            TaelStatus::from(Status::NullPointer)
        );
        assert_eq!(last_error(), "NULL_POINTER: fencer is NULL");
        assert_eq!(status(|| Ok(TAEL_STATUS_OK)), TAEL_STATUS_OK);
        assert_eq!(last_error(), "");
    }

    #[test]
    fn id_fields_are_nul_terminated() {
        let f: [c_char; 4] = id_field("abcdef");
        assert_eq!(f, [b'a' as c_char, b'b' as c_char, b'c' as c_char, 0]);
        let g: [c_char; 4] = id_field("a");
        assert_eq!(g, [b'a' as c_char, 0, 0, 0]);
    }
}
