//! The per-thread last-error message every failing call leaves for its caller.

use std::cell::{Cell, RefCell};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use tael::Error;

thread_local! {
    static LAST_ERROR: Slot = const {
        Slot { message: RefCell::new(String::new()), set: Cell::new(false) }
    };
}

/// How many threads' slots are set. While it is 0, as in a program whose calls succeed, a
/// success (every successful call clears) reads this and nothing per thread: in the shared
/// library each access to thread-local storage is a call into the dynamic loader, which
/// would double the cost of the fastest calls. Never below the number of set slots: a thread
/// counts itself when it sets its slot and uncounts itself once it cleared it or ends. Only
/// the thread itself relies on its own count, so relaxed order suffices.
static THREADS_WITH_ERROR: AtomicUsize = AtomicUsize::new(0);

/// A thread's last-error message, and whether it may hold one (a success then clears it with
/// one read of a flag instead of touching the string). One thread-local, so that the message
/// and its flag are there, or gone at the thread's end, together; dropping it uncounts the
/// thread when its flag is set.
struct Slot {
    message: RefCell<String>,
    set: Cell<bool>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.set.get() {
            THREADS_WITH_ERROR.fetch_sub(1, Relaxed);
        }
    }
}

/// Record `error` as this thread's last error.
pub(crate) fn set(error: &Error) {
    let text = error.to_string();
    // During thread teardown the slot may be gone; there is then no one left to read it.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut message) = slot.message.try_borrow_mut() {
            *message = text;
        }
        if !slot.set.replace(true) {
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
    let _ = LAST_ERROR.try_with(|slot| {
        if slot.set.replace(false) {
            if let Ok(mut message) = slot.message.try_borrow_mut() {
                message.clear();
            }
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
                let Ok(message) = slot.message.try_borrow() else {
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
