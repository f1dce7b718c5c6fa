//! Membership views: decisions (with their explanation) and the next epoch, JSON text in.

use std::ffi::c_char;

use tael::{decisions_to_json, elect_leaders_json, Result, View};

use crate::guard::{self, put, OwnedOut, TextOut};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// Parse both documents and decide every group, as the core does for every front.
///
/// # Safety
///
/// Both pointers are NULL or NUL-terminated.
unsafe fn decide(view_json: *const c_char, policy_json: *const c_char) -> Result<String> {
    // SAFETY: the caller's contract above.
    let view = unsafe { guard::c_text(view_json, "view_json") }?;
    // SAFETY: the caller's contract above.
    let policy = unsafe { guard::c_text(policy_json, "policy_json") }?;
    Ok(decisions_to_json(&elect_leaders_json(view, policy)?))
}

/// Decide the leader of every group of a membership view under a policy, with why: the
/// decisions JSON of SEMANTICS.md §8, one object per group in name order,
/// `[{"group","leader","reason","excluded":[{"id","generation","reason"}]}]`, written into `buf`.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON (SEMANTICS.md §7).
/// \param policy_json The policy, NUL-terminated UTF-8 JSON, e.g. `{}` (all toggles off) or
///        `{"sticky_incumbent":true,"priority":true}`.
/// \param buf Receives the JSON and a NUL; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \param out_len Receives the JSON's length in bytes without the NUL, also when the buffer is
///        too small (the buffer needs `*out_len + 1` bytes).
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_BUFFER_TOO_SMALL Only `*out_len` was written.
/// \retval TAEL_STATUS_INVALID_VIEW, TAEL_STATUS_INVALID_POLICY, TAEL_STATUS_INVALID_UTF8 A
///         document is malformed (the last error names the place).
///
/// Pure: reads its inputs only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `view_json` and `policy_json` are NULL or NUL-terminated; `buf` is NULL or writable for
/// `cap` bytes; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_elect_leaders(
    view_json: *const c_char,
    policy_json: *const c_char,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> TaelStatus {
    guard::status(|| {
        let out = TextOut::new(buf, cap, out_len)?;
        // SAFETY: the caller's contract above.
        let json = unsafe { decide(view_json, policy_json) }?;
        // SAFETY: checked by TextOut::new; writable per the caller's contract.
        unsafe { out.put(&json) }
    })
}

/// The decisions JSON (as tael_elect_leaders) in a string the library allocates.
///
/// \param out_json Receives the NUL-terminated JSON, which the caller owns and frees with
///        tael_string_free; set to NULL on failure.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `view_json` and `policy_json` are NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_elect_leaders_alloc(
    view_json: *const c_char,
    policy_json: *const c_char,
    out_json: *mut *mut c_char,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let out = unsafe { OwnedOut::new(out_json) }?;
        // SAFETY: the caller's contract above.
        out.put(unsafe { decide(view_json, policy_json) }?)
    })
}

/// The epoch a newly elected leader of `group` should promote to: one past every epoch any
/// listed member of the group announced (live or dead); 1 when none did.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON.
/// \param group The group name, `group_len` bytes (no NUL needed).
/// \param out_epoch Receives the epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is set.
/// \retval TAEL_STATUS_UNKNOWN_GROUP The view has no such group.
/// \retval TAEL_STATUS_EPOCH_OVERFLOW A member announced 2^64-1.
/// \retval TAEL_STATUS_INVALID_VIEW, TAEL_STATUS_INVALID_UTF8 Malformed input.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `view_json` is NULL or NUL-terminated; `group` is NULL or readable for `group_len` bytes;
/// `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_next_epoch(
    view_json: *const c_char,
    group: *const c_char,
    group_len: usize,
    out_epoch: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        let out = guard::out(out_epoch, "out_epoch")?;
        // SAFETY: the caller's contract above.
        let group = unsafe { guard::bytes(group, group_len, "group") }?;
        // SAFETY: the caller's contract above.
        let view = View::from_json(unsafe { guard::c_text(view_json, "view_json") }?)?;
        let epoch = tael::next_epoch(&view, guard::utf8(group, "group")?)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, epoch) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The rendezvous (highest-random-weight) score of `id` in `group`, as the rendezvous policy
/// ranks candidates: 64-bit FNV-1a over the group's bytes, one 0x00 byte, then the id's bytes.
///
/// \retval TAEL_STATUS_OK `*out_score` is set.
/// \retval TAEL_STATUS_INVALID_UTF8 `group` or `id` is not UTF-8.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `group` and `id` are NULL or readable for their lengths; `out_score` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_rendezvous_score(
    group: *const c_char,
    group_len: usize,
    id: *const c_char,
    id_len: usize,
    out_score: *mut u64,
) -> TaelStatus {
    guard::status(|| {
        let out = guard::out(out_score, "out_score")?;
        // SAFETY: the caller's contract above.
        let group = unsafe { guard::bytes(group, group_len, "group") }?;
        // SAFETY: the caller's contract above.
        let id = unsafe { guard::bytes(id, id_len, "id") }?;
        let score = tael::rendezvous_score(guard::utf8(group, "group")?, guard::utf8(id, "id")?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, score) };
        Ok(TAEL_STATUS_OK)
    })
}
