//! The per-thread last-error message every failing call leaves for its caller.

use std::cell::{Cell, RefCell};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use tael::Error;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    // Whether LAST_ERROR may hold a message: a success then clears it with one read of a
    // plain flag instead of touching the string.
    static HAS_ERROR: Flag = const { Flag(Cell::new(false)) };
}

/// How many threads' HAS_ERROR is set. While it is 0, as in a program whose calls succeed, a
/// success (every successful call clears) reads this and nothing per thread: in the shared
/// library each access to thread-local storage is a call into the dynamic loader, which
/// would double the cost of the fastest calls. Never below the number of set flags: a thread
/// counts itself when it sets its flag and uncounts itself once it cleared it or ends. Only
/// the thread itself relies on its own count, so relaxed order suffices.
static THREADS_WITH_ERROR: AtomicUsize = AtomicUsize::new(0);

/// A thread's HAS_ERROR, which uncounts the thread when it ends with the flag set.
struct Flag(Cell<bool>);

impl Drop for Flag {
    fn drop(&mut self) {
        if self.0.get() {
            THREADS_WITH_ERROR.fetch_sub(1, Relaxed);
        }
    }
}

/// Record `error` as this thread's last error.
pub(crate) fn set(error: &Error) {
    let text = error.to_string();
    // During thread teardown the slots may be gone; there is then no one left to read them.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = text;
        }
    });
    let _ = HAS_ERROR.try_with(|flag| {
        if !flag.0.replace(true) {
            THREADS_WITH_ERROR.fetch_add(1, Relaxed);
        }
    });
}

/// Forget this thread's last error (a call succeeded).
#[inline]
pub(crate) fn clear() {
    if THREADS_WITH_ERROR.load(Relaxed) != 0 {
        clear_this_thread();
    }
}

fn clear_this_thread() {
    let _ = HAS_ERROR.try_with(|flag| {
        if flag.0.get() {
            let _ = LAST_ERROR.try_with(|slot| {
                if let Ok(mut slot) = slot.try_borrow_mut() {
                    slot.clear();
                }
            });
            flag.0.set(false);
            THREADS_WITH_ERROR.fetch_sub(1, Relaxed);
        }
    });
}

/// Copy this thread's last-error message (e.g. "INVALID_ID: holder: id is empty") into `buf`.
///
/// Copies at most `cap - 1` bytes and always NUL-terminates when `cap > 0`, like `snprintf`.
/// The message is empty when the last call that sets it succeeded.
///
/// \param buf Where to write; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \return The full length of the message in bytes, without the NUL: the message was cut
///         short exactly when the return value is `>= cap`.
///
/// Thread-safe (the message is per thread). Leaves the last error as it is.
///
/// # Safety
///
/// `buf` must be NULL or writable for `cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn tael_last_error_message(buf: *mut c_char, cap: usize) -> usize {
    // Nothing here can panic (the slot is never borrowed twice), and a panic could not be
    // reported anyway: it would have to overwrite the message being read.
    let copy = || {
        LAST_ERROR
            .try_with(|slot| {
                let Ok(message) = slot.try_borrow() else {
                    return 0;
                };
                let bytes = message.as_bytes();
                if !buf.is_null() && cap > 0 {
                    let n = bytes.len().min(cap.saturating_sub(1));
                    // SAFETY: the caller gave `cap` writable bytes at `buf`, and n < cap.
                    unsafe {
                        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
                        buf.add(n).write(0);
                    }
                }
                bytes.len()
            })
            .unwrap_or(0)
    };
    catch_unwind(AssertUnwindSafe(copy)).unwrap_or(0)
}
