//! The status every call returns, its names, the last error and the versions.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use tael::{Error, Status};

use crate::guard;

/// The outcome of a call: 0 (`TAEL_STATUS_OK`) or one of the `TAEL_STATUS_*` numbers below,
/// which are the core's status table (SEMANTICS.md §10) and never change meaning.
///
/// A plain `uint32_t`, so every integer is a valid `TaelStatus`: functions that take one
/// answer for a number they do not know (`tael_status_name` says "UNKNOWN").
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaelStatus(pub u32);

/// The call succeeded.
pub const TAEL_STATUS_OK: TaelStatus = TaelStatus(0);
/// Verdict: the epoch equals the gate's highest (and, on a holder gate, the holder matches); accepted.
pub const TAEL_STATUS_CURRENT: TaelStatus = TaelStatus(1);
/// Verdict: the epoch is above the gate's highest; accepted, and the gate moved up to it.
pub const TAEL_STATUS_ADVANCED: TaelStatus = TaelStatus(2);
/// Verdict: the epoch is below the gate's highest; rejected.
pub const TAEL_STATUS_STALE_EPOCH: TaelStatus = TaelStatus(3);
/// Verdict: the epoch is more than the gate's jump cap above its highest; rejected.
pub const TAEL_STATUS_TOO_FAR_AHEAD: TaelStatus = TaelStatus(4);
/// Verdict: a holder gate saw its current epoch from a holder other than the recorded one; rejected.
pub const TAEL_STATUS_CONFLICT: TaelStatus = TaelStatus(5);
/// No member can lead (in C: an empty id list).
pub const TAEL_STATUS_NO_LEADER: TaelStatus = TaelStatus(6);
/// Promoting would pass 2^64-1; nothing changed.
pub const TAEL_STATUS_EPOCH_OVERFLOW: TaelStatus = TaelStatus(7);
/// An id breaks the id rules (empty, over TAEL_MAX_ID_BYTES bytes, control character).
pub const TAEL_STATUS_INVALID_ID: TaelStatus = TaelStatus(8);
/// Text that is not well-formed UTF-8.
pub const TAEL_STATUS_INVALID_UTF8: TaelStatus = TaelStatus(9);
/// A u64 value written as text that is out of range or not canonical decimal.
pub const TAEL_STATUS_INVALID_EPOCH: TaelStatus = TaelStatus(10);
/// A membership view that is not valid JSON or does not follow the view schema.
pub const TAEL_STATUS_INVALID_VIEW: TaelStatus = TaelStatus(11);
/// A policy that is not valid JSON or does not follow the policy schema.
pub const TAEL_STATUS_INVALID_POLICY: TaelStatus = TaelStatus(12);
/// A registry snapshot that is not valid JSON or does not follow the snapshot schema.
pub const TAEL_STATUS_INVALID_SNAPSHOT: TaelStatus = TaelStatus(13);
/// The view has no group of that name.
pub const TAEL_STATUS_UNKNOWN_GROUP: TaelStatus = TaelStatus(14);
/// The registry has no stream of that name.
pub const TAEL_STATUS_UNKNOWN_STREAM: TaelStatus = TaelStatus(15);
/// The registry already has a stream of that name.
pub const TAEL_STATUS_STREAM_EXISTS: TaelStatus = TaelStatus(16);
/// A required pointer was NULL; nothing changed.
pub const TAEL_STATUS_NULL_POINTER: TaelStatus = TaelStatus(17);
/// The caller's buffer is too small; nothing was written but the required length.
pub const TAEL_STATUS_BUFFER_TOO_SMALL: TaelStatus = TaelStatus(18);
/// An argument out of the range the call can take (e.g. a length above PTRDIFF_MAX).
pub const TAEL_STATUS_INVALID_ARGUMENT: TaelStatus = TaelStatus(19);
/// An internal failure that should never happen (e.g. a caught panic); please report it.
pub const TAEL_STATUS_INTERNAL: TaelStatus = TaelStatus(20);
/// A durable gate's file could not be used: missing (and not asked to create), unreadable,
/// corrupt, locked by another owner, or a write, fsync or rename failed; nothing moved.
pub const TAEL_STATUS_STORAGE: TaelStatus = TaelStatus(21);

impl From<Status> for TaelStatus {
    fn from(status: Status) -> Self {
        TaelStatus(status.number())
    }
}

/// The core's status names as static C strings, by number, built once from the core's table.
fn names() -> &'static [(u32, CString)] {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        Status::ALL
            .iter()
            .map(|s| (s.number(), CString::new(s.name()).unwrap_or_default()))
            .collect()
    })
}

/// The bare name of `status`, e.g. "STALE_EPOCH" for TAEL_STATUS_STALE_EPOCH, or "UNKNOWN" for
/// a number that is not a status.
///
/// \return A static NUL-terminated string; never NULL, never to be freed.
///
/// Thread-safe. Leaves the last error as it is.
#[no_mangle]
pub extern "C" fn tael_status_name(status: TaelStatus) -> *const c_char {
    const UNKNOWN: &CStr = c"UNKNOWN";
    guard::infallible(UNKNOWN.as_ptr(), || {
        names()
            .iter()
            .find(|(number, _)| *number == status.0)
            .map_or(UNKNOWN, |(_, name)| name.as_c_str())
            .as_ptr()
    })
}

/// Whether `status` is a gate's verdict (CURRENT, ADVANCED, STALE_EPOCH, TOO_FAR_AHEAD or
/// CONFLICT) rather than the outcome of a call. False for unknown numbers.
///
/// Thread-safe. Leaves the last error as it is.
#[no_mangle]
pub extern "C" fn tael_status_is_verdict(status: TaelStatus) -> bool {
    guard::infallible(false, || {
        Status::from_number(status.0).is_some_and(Status::is_verdict)
    })
}

/// The version of this C ABI. It changes only when a signature or a struct layout changes
/// incompatibly (and the soname's major number with it); compare it with TAEL_ABI_VERSION
/// from the header you compiled against.
pub const TAEL_ABI_VERSION: u32 = 1;

/// The ABI version of the loaded library (see TAEL_ABI_VERSION).
///
/// Thread-safe. Leaves the last error as it is.
#[no_mangle]
pub extern "C" fn tael_abi_version() -> u32 {
    guard::infallible(TAEL_ABI_VERSION, || TAEL_ABI_VERSION)
}

/// The version of the library (the tael-coord release), e.g. "0.1.0".
///
/// \return A static NUL-terminated string; never NULL, never to be freed.
///
/// Thread-safe. Leaves the last error as it is.
#[no_mangle]
pub extern "C" fn tael_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    guard::infallible(c"".as_ptr(), || {
        VERSION
            .get_or_init(|| CString::new(tael::VERSION).unwrap_or_default())
            .as_ptr()
    })
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    // Whether LAST_ERROR may hold a message: a success then clears it with one read of a
    // plain flag instead of touching the string (every successful call clears).
    static HAS_ERROR: Cell<bool> = const { Cell::new(false) };
}

/// Record `error` as this thread's last error.
pub(crate) fn set_last_error(error: &Error) {
    let text = error.to_string();
    // During thread teardown the slot may be gone; there is then no one left to read it.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = text);
    HAS_ERROR.set(true);
}

/// Forget this thread's last error (a call succeeded).
pub(crate) fn clear_last_error() {
    if HAS_ERROR.get() {
        let _ = LAST_ERROR.try_with(|slot| slot.borrow_mut().clear());
        HAS_ERROR.set(false);
    }
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
    guard::infallible(0, || {
        LAST_ERROR
            .try_with(|slot| {
                let message = slot.borrow();
                let bytes = message.as_bytes();
                if !buf.is_null() && cap > 0 {
                    let n = bytes.len().min(cap - 1);
                    // SAFETY: the caller gave `cap` writable bytes at `buf`, and n < cap.
                    unsafe {
                        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
                        buf.add(n).write(0);
                    }
                }
                bytes.len()
            })
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every TAEL_STATUS_* constant, with its name taken from its own identifier.
    macro_rules! constants {
        ($($c:ident),* $(,)?) => {
            vec![$((stringify!($c).strip_prefix("TAEL_STATUS_").unwrap(), $c)),*]
        };
    }

    fn constants() -> Vec<(&'static str, TaelStatus)> {
        constants![
            TAEL_STATUS_OK,
            TAEL_STATUS_CURRENT,
            TAEL_STATUS_ADVANCED,
            TAEL_STATUS_STALE_EPOCH,
            TAEL_STATUS_TOO_FAR_AHEAD,
            TAEL_STATUS_CONFLICT,
            TAEL_STATUS_NO_LEADER,
            TAEL_STATUS_EPOCH_OVERFLOW,
            TAEL_STATUS_INVALID_ID,
            TAEL_STATUS_INVALID_UTF8,
            TAEL_STATUS_INVALID_EPOCH,
            TAEL_STATUS_INVALID_VIEW,
            TAEL_STATUS_INVALID_POLICY,
            TAEL_STATUS_INVALID_SNAPSHOT,
            TAEL_STATUS_UNKNOWN_GROUP,
            TAEL_STATUS_UNKNOWN_STREAM,
            TAEL_STATUS_STREAM_EXISTS,
            TAEL_STATUS_NULL_POINTER,
            TAEL_STATUS_BUFFER_TOO_SMALL,
            TAEL_STATUS_INVALID_ARGUMENT,
            TAEL_STATUS_INTERNAL,
            TAEL_STATUS_STORAGE,
        ]
    }

    #[test]
    fn constants_match_the_core_table() {
        let constants = constants();
        assert_eq!(
            constants.len(),
            Status::ALL.len(),
            "one constant per status"
        );
        for (status, (name, constant)) in Status::ALL.iter().zip(constants) {
            assert_eq!(name, status.name(), "constants are in the core's order");
            assert_eq!(constant.0, status.number(), "TAEL_STATUS_{name}");
            assert_eq!(TaelStatus::from(*status), constant);
        }
    }

    fn name(status: TaelStatus) -> &'static str {
        // SAFETY: tael_status_name returns a static NUL-terminated string.
        unsafe { CStr::from_ptr(tael_status_name(status)) }
            .to_str()
            .unwrap()
    }

    #[test]
    fn names_come_from_the_core_and_unknown_numbers_are_unknown() {
        for status in Status::ALL {
            assert_eq!(name(TaelStatus::from(*status)), status.name());
            assert_eq!(
                tael_status_is_verdict(TaelStatus::from(*status)),
                status.is_verdict()
            );
        }
        for unknown in [Status::ALL.len() as u32, 1000, u32::MAX] {
            assert_eq!(name(TaelStatus(unknown)), "UNKNOWN");
            assert!(!tael_status_is_verdict(TaelStatus(unknown)));
        }
    }

    #[test]
    fn version_is_the_core_version() {
        // SAFETY: tael_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(tael_version()) };
        assert_eq!(v.to_str().unwrap(), tael::VERSION);
    }
}
