//! Text answers: into a caller's buffer, or in a string the library allocates and the caller
//! frees with [`tael_string_free`].

use std::ffi::{c_char, CString};
use std::ptr::{self, NonNull};

use tael::{Error, Result, Status};

use crate::guard::{self, put};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// Where a text answer goes: a caller's buffer of `cap` bytes and its length.
pub(crate) struct TextOut {
    buf: *mut c_char,
    cap: usize,
    len: NonNull<usize>,
}

impl TextOut {
    /// Check the buffer arguments: `buf` may be NULL only when `cap` is 0.
    pub(crate) fn new(buf: *mut c_char, cap: usize, out_len: *mut usize) -> Result<TextOut> {
        if buf.is_null() && cap > 0 {
            return Err(guard::null("buf"));
        }
        Ok(TextOut {
            buf,
            cap,
            len: guard::out(out_len, "out_len")?,
        })
    }

    /// Write `text` and its NUL, or, when it does not fit, only its length (`BUFFER_TOO_SMALL`).
    ///
    /// # Safety
    ///
    /// `buf` is writable for `cap` bytes and `out_len` for one `size_t`.
    pub(crate) unsafe fn put(self, text: &str) -> Result<TaelStatus> {
        // SAFETY: the caller's contract above.
        unsafe { put(self.len, text.len()) };
        if text.len() >= self.cap {
            return Err(Error::new(
                Status::BufferTooSmall,
                format!(
                    "the answer needs {} bytes with its NUL; the buffer has {}",
                    text.len().saturating_add(1),
                    self.cap
                ),
            ));
        }
        // SAFETY: text.len() + 1 <= cap writable bytes at buf (non-NULL since cap > 0).
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), self.buf.cast::<u8>(), text.len());
            self.buf.add(text.len()).write(0);
        }
        Ok(TAEL_STATUS_OK)
    }
}

/// Where an owned text answer goes; set to NULL as soon as it is checked, so it is NULL after
/// any failure.
pub(crate) struct OwnedOut(NonNull<*mut c_char>);

impl OwnedOut {
    /// # Safety
    ///
    /// `out_json` is NULL or writable for one pointer.
    pub(crate) unsafe fn new(out_json: *mut *mut c_char) -> Result<OwnedOut> {
        let slot = guard::out(out_json, "out_json")?;
        // SAFETY: the caller's contract above.
        unsafe { put(slot, ptr::null_mut()) };
        Ok(OwnedOut(slot))
    }

    /// Hand `text` to the caller as a NUL-terminated string it frees with `tael_string_free`.
    pub(crate) fn put(self, text: String) -> Result<TaelStatus> {
        let owned = CString::new(text).map_err(|_| {
            Error::new(Status::Internal, "the answer has a NUL byte inside (a bug)")
        })?;
        // SAFETY: checked writable by `new`.
        unsafe { put(self.0, owned.into_raw()) };
        Ok(TAEL_STATUS_OK)
    }
}

/// Free a string from an `_alloc` function. NULL is a no-op.
///
/// Thread-safe. Leaves the last error as it is.
///
/// # Safety
///
/// `s` must be NULL or a string returned by a `tael_*_alloc` function that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn tael_string_free(s: *mut c_char) {
    guard::infallible((), || {
        if !s.is_null() {
            // SAFETY: the caller's contract above: it came from CString::into_raw.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
