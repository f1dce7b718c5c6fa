//! Election over a list of ids, and the id and u64 text checks.

use std::ffi::{c_char, CStr};

use tael::{Error, Result, Status};

use crate::guard::{self, put};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// The longest id, in UTF-8 bytes (node ids, holders, stream and group names).
pub const TAEL_MAX_ID_BYTES: usize = 255;

const _: () = assert!(TAEL_MAX_ID_BYTES == tael::MAX_ID_BYTES);

fn elect(ids: &[&str], out_index: std::ptr::NonNull<usize>) -> Result<TaelStatus> {
    match tael::try_elect_leader(ids)? {
        Some(index) => {
            // SAFETY: checked non-NULL by the caller; writable per the header.
            unsafe { put(out_index, index) };
            Ok(TAEL_STATUS_OK)
        }
        None => Err(Error::new(
            Status::NoLeader,
            "no ids were given, so there is no leader",
        )),
    }
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
    guard::status(|| {
        let out = guard::out(out_index, "out_index")?;
        // SAFETY: the caller's contract above.
        let pointers = unsafe { guard::array(ids, len, "ids") }?;
        let mut texts = Vec::with_capacity(pointers.len());
        for (i, &p) in pointers.iter().enumerate() {
            let name = format!("ids[{i}]");
            if p.is_null() {
                return Err(guard::null(&name));
            }
            // SAFETY: non-NULL and NUL-terminated per the caller's contract.
            let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
            texts.push(guard::id(bytes, &name)?);
        }
        elect(&texts, out)
    })
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
    guard::status(|| {
        let out = guard::out(out_index, "out_index")?;
        // SAFETY: the caller's contract above.
        let pointers = unsafe { guard::array(ids, len, "ids") }?;
        // SAFETY: the caller's contract above.
        let lens = unsafe { guard::array(lens, len, "lens") }?;
        let mut texts = Vec::with_capacity(pointers.len());
        for (i, (&p, &n)) in pointers.iter().zip(lens).enumerate() {
            let name = format!("ids[{i}]");
            // SAFETY: the caller's contract above.
            let bytes = unsafe { guard::bytes(p, n, &name) }?;
            texts.push(guard::id(bytes, &name)?);
        }
        elect(&texts, out)
    })
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
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let bytes = unsafe { guard::bytes(id, id_len, "id") }?;
        guard::id(bytes, "id")?;
        Ok(TAEL_STATUS_OK)
    })
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
    guard::status(|| {
        let out = guard::out(out_value, "out_value")?;
        // SAFETY: the caller's contract above.
        let bytes = unsafe { guard::bytes(text, text_len, "text") }?;
        let value = tael::parse_u64(guard::utf8(bytes, "text")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, value) };
        Ok(TAEL_STATUS_OK)
    })
}
