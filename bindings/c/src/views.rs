//! Membership views: decisions (with their explanation) and the next epoch, JSON text in.

use std::ffi::c_char;

use tael::{elect_leaders_to_json, Policy, Result, View};

use crate::guard;
use crate::ops::{self, AllocOut, Arg, BufferOut};
use crate::status::TaelStatus;

/// Parse both documents and decide every group.
///
/// # Safety
///
/// Both pointers are NULL or NUL-terminated.
unsafe fn decide(view_json: *const c_char, policy_json: *const c_char) -> Result<String> {
    // SAFETY: the caller's contract above.
    let view = unsafe { guard::c_text(view_json, "view_json") }?;
    // SAFETY: the caller's contract above.
    let policy = unsafe { guard::c_text(policy_json, "policy_json") }?;
    let view = View::from_json(view)?;
    elect_leaders_to_json(&view, &Policy::from_json(policy)?)
}

/// Decide the leader of every group of a membership view under a policy, with why: the
/// decisions JSON of SEMANTICS.md §8, one object per group in name order,
/// `[{"group","leader","reason","excluded":[{"id","generation","reason"}],"leader_index",
/// "leader_generation","leader_epoch","claimants":[{"id","generation","claims_epoch"}]}]`,
/// written into `buf` (what tael_transitions_json compares). The view's own `policy` is not
/// applied: `policy_json` decides.
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
    // SAFETY: the caller's contract above.
    unsafe {
        ops::run(BufferOut(buf, cap, out_len), || {
            decide(view_json, policy_json)
        })
    }
}

/// The decisions JSON (as tael_elect_leaders) in a string the library allocates.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON (SEMANTICS.md §7).
/// \param policy_json The policy, NUL-terminated UTF-8 JSON (as tael_elect_leaders).
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
    // SAFETY: the caller's contract above.
    unsafe { ops::run(AllocOut(out_json), || decide(view_json, policy_json)) }
}

/// The view as the core reads it, written back canonically (SEMANTICS.md §7): every u64 as a
/// decimal string and every default written out, the view's `policy` kept; into `buf`.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON.
/// \param buf Receives the JSON and a NUL; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \param out_len Receives the JSON's length in bytes without the NUL, also when the buffer is
///        too small (the buffer needs `*out_len + 1` bytes).
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_BUFFER_TOO_SMALL Only `*out_len` was written.
/// \retval TAEL_STATUS_INVALID_VIEW, TAEL_STATUS_INVALID_UTF8 The view is malformed.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `view_json` is NULL or NUL-terminated; `buf` is NULL or writable for `cap` bytes; `out_len`
/// is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_normalize_view(
    view_json: *const c_char,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { ops::run(BufferOut(buf, cap, out_len), || normalized(view_json)) }
}

/// The normalized view (as tael_normalize_view) in a string the library allocates.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON (SEMANTICS.md §7).
/// \param out_json Receives the NUL-terminated JSON, which the caller owns and frees with
///        tael_string_free; set to NULL on failure.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `view_json` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_normalize_view_alloc(
    view_json: *const c_char,
    out_json: *mut *mut c_char,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { ops::run(AllocOut(out_json), || normalized(view_json)) }
}

/// # Safety
///
/// `view_json` is NULL or NUL-terminated.
unsafe fn normalized(view_json: *const c_char) -> Result<String> {
    // SAFETY: the caller's contract above.
    let view = unsafe { guard::c_text(view_json, "view_json") }?;
    Ok(View::from_json(view)?.to_json())
}

/// The epoch a newly elected leader of `group` should promote to: one past every epoch any
/// listed member of the group announced (live or dead); 1 when none did.
///
/// \param view_json The view, NUL-terminated UTF-8 JSON.
/// \param group, group_len The group name, `group_len` bytes (no NUL needed).
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
    let view_and_group = [
        Arg::Json(view_json, "view_json"),
        Arg::Name((group, group_len, "group")),
    ];
    let next = || {
        // SAFETY: the caller's contract above.
        let [view, group] = unsafe { ops::texts(view_and_group) }?;
        tael::next_epoch(&View::from_json(view)?, group)
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_epoch, "out_epoch"), next) }
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
    let score = || {
        let (group, id) = (
            Arg::Name((group, group_len, "group")),
            Arg::Name((id, id_len, "id")),
        );
        // SAFETY: the caller's contract above.
        let [group, id] = unsafe { ops::texts([group, id]) }?;
        Ok(tael::rendezvous_score(group, id))
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_score, "out_score"), score) }
}
