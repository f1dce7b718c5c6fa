//! Names of statuses and the library's versions.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use tael::Status;

use crate::guard;
use crate::status::TaelStatus;

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

/// Whether `status` is a gate's verdict (CURRENT, ADVANCED, STALE_EPOCH, TOO_FAR_AHEAD,
/// CONFLICT or CLOSED) rather than the outcome of a call. False for unknown numbers.
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
pub const TAEL_ABI_VERSION: u32 = 2;

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

#[cfg(test)]
mod tests {
    use super::*;

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
        // 23 (once reserved) is CLOSED, a verdict; one past the largest is unknown.
        let past = Status::ALL.iter().map(|s| s.number()).max().unwrap() + 1;
        assert_eq!(name(TaelStatus(22)), "INVALID_HISTORY");
        assert_eq!(name(TaelStatus(23)), "CLOSED");
        assert!(tael_status_is_verdict(TaelStatus(23)));
        assert_eq!(name(TaelStatus(24)), "UNDEFINED_EPOCH");
        for unknown in [past, 1000, u32::MAX] {
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
