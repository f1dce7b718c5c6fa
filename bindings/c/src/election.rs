//! Election over a list of ids, and the id and u64 text checks.

use std::ffi::{c_char, CStr};

use tael::{Error, Result, Status};

use crate::guard;
use crate::ops::{self, Arg};
use crate::status::TaelStatus;

/// The longest id, in UTF-8 bytes (node ids, holders, stream and group names).
pub const TAEL_MAX_ID_BYTES: usize = 255;

const _: () = assert!(TAEL_MAX_ID_BYTES == tael::MAX_ID_BYTES);

/// `error` about `ids[i]` (the index is formatted only when an id is refused).
fn at(i: usize, error: Error) -> Error {
    Error::new(error.status(), format!("ids[{i}]: {}", error.message()))
}

/// `ids[i]` as an id.
fn id(i: usize, bytes: &[u8]) -> Result<&str> {
    tael::validate_id_bytes(bytes).map_err(|e| at(i, e))
}

/// The index of the smallest of `ids`, or `NO_LEADER` for none (C has no "none" to return).
fn elect(ids: Vec<&str>) -> Result<usize> {
    tael::try_elect_leader(&ids)?
        .ok_or_else(|| Error::new(Status::NoLeader, "no ids were given, so there is no leader"))
}

/// Elect the leader among live node ids: the smallest id in UTF-8 byte order wins.
///
/// Every id is validated first, in order; the first invalid one fails the whole election with
/// its status (TAEL_STATUS_INVALID_UTF8 or TAEL_STATUS_INVALID_ID) and its index in the last
/// error. With duplicates, `*out_index` is the first occurrence of the smallest.
///
/// The ids are NUL-terminated, so an id with a NUL byte inside cannot be passed here (it would
/// be cut short): use tael_elect_leader_n for ids that are bytes.
///
/// \param ids `len` pointers to NUL-terminated UTF-8 ids; may be NULL when `len` is 0.
/// \param len The number of ids.
/// \param out_index Receives the index of the leader in `ids`.
/// \retval TAEL_STATUS_OK `*out_index` is the leader.
/// \retval TAEL_STATUS_NO_LEADER `len` is 0.
/// \retval TAEL_STATUS_NULL_POINTER `out_index`, or `ids` with `len > 0`, or one `ids[i]` is NULL.
///
/// Reads the ids only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `ids` is NULL or points to `len` pointers, each NULL or a NUL-terminated string;
/// `out_index` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_elect_leader(
    ids: *const *const c_char,
    len: usize,
    out_index: *mut usize,
) -> TaelStatus {
    let texts = || {
        // SAFETY: the caller's contract above.
        let pointers = unsafe { guard::array(ids, len, "ids") }?;
        let id_at = |(i, &p): (usize, &*const c_char)| {
            if p.is_null() {
                return Err(guard::null(&format!("ids[{i}]")));
            }
            // SAFETY: non-NULL and NUL-terminated per the caller's contract.
            id(i, unsafe { CStr::from_ptr(p) }.to_bytes())
        };
        pointers
            .iter()
            .enumerate()
            .map(id_at)
            .collect::<Result<Vec<_>>>()
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_index, "out_index"), || elect(texts()?)) }
}

/// Elect the leader among live node ids given as bytes with lengths: as tael_elect_leader, but
/// `ids[i]` is `lens[i]` bytes (no NUL needed), so an id with a NUL byte inside is seen whole
/// and refused (TAEL_STATUS_INVALID_ID).
///
/// \param ids `len` pointers to ids; may be NULL when `len` is 0; `ids[i]` may be NULL when
///            `lens[i]` is 0 (an empty id, which is TAEL_STATUS_INVALID_ID).
/// \param lens `len` lengths in bytes; may be NULL when `len` is 0.
/// \param len The number of ids.
/// \param out_index Receives the index of the leader in `ids`.
/// \retval TAEL_STATUS_OK `*out_index` is the leader.
/// \retval TAEL_STATUS_NO_LEADER `len` is 0.
///
/// Reads the ids only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `ids` and `lens` are NULL or point to `len` elements; each `ids[i]` is NULL or readable for
/// `lens[i]` bytes; `out_index` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_elect_leader_n(
    ids: *const *const c_char,
    lens: *const usize,
    len: usize,
    out_index: *mut usize,
) -> TaelStatus {
    let texts = || {
        // SAFETY: the caller's contract above.
        let pointers = unsafe { guard::array(ids, len, "ids") }?;
        // SAFETY: the caller's contract above.
        let lens = unsafe { guard::array(lens, len, "lens") }?;
        let id_at = |(i, (&p, &n)): (usize, (&*const c_char, &usize))| {
            // SAFETY: the caller's contract above.
            let bytes = unsafe { guard::bytes(p, n, "the id") }.map_err(|e| at(i, e))?;
            id(i, bytes)
        };
        pointers
            .iter()
            .zip(lens)
            .enumerate()
            .map(id_at)
            .collect::<Result<Vec<_>>>()
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_index, "out_index"), || elect(texts()?)) }
}

/// Check that `(id, id_len)` is a valid id: UTF-8, 1 to TAEL_MAX_ID_BYTES bytes, no control
/// character.
///
/// \retval TAEL_STATUS_OK The id is valid.
/// \retval TAEL_STATUS_INVALID_UTF8 The bytes are not UTF-8.
/// \retval TAEL_STATUS_INVALID_ID The id is empty, too long or has a control character.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `id` is NULL or readable for `id_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn tael_id_validate(id: *const c_char, id_len: usize) -> TaelStatus {
    let id = Arg::Id((id, id_len, "id"));
    // SAFETY: the caller's contract above.
    unsafe { ops::run((), || ops::texts([id]).map(drop)) }
}

/// Parse a u64 written as canonical decimal text (ASCII digits, no sign, no leading zero except
/// "0", at most 18446744073709551615), as the core reads epochs in JSON.
///
/// \param text The digits (no NUL needed); may be NULL when `text_len` is 0.
/// \param text_len Their length in bytes.
/// \param out_value Receives the value.
/// \retval TAEL_STATUS_OK `*out_value` is the value.
/// \retval TAEL_STATUS_INVALID_EPOCH The text is not a canonical decimal u64.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `text` is NULL or readable for `text_len` bytes; `out_value` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_u64_parse(
    text: *const c_char,
    text_len: usize,
    out_value: *mut u64,
) -> TaelStatus {
    let parse = || {
        // SAFETY: the caller's contract above.
        let [text] = unsafe { ops::texts([Arg::Name((text, text_len, "text"))]) }?;
        tael::parse_u64(text)
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_value, "out_value"), parse) }
}
