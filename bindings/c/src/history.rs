//! Epoch histories (`TaelEpochHistory`, in memory or kept in a file), the divergence point and
//! a follower's truncation step (SEMANTICS.md §15). Each function is one call to the wrapper
//! of its operation in `ops`.
//!
//! A handle holds its history as the core's trait (`EpochLog`), so one function serves a
//! history in memory and one kept in a file. The trait's changes take `&mut self`, and a C
//! handle may be used from several threads at once: the handle guards its history with a lock
//! of its own, held for one call (across the write, for a history kept in a file).

use std::ffi::c_char;
use std::ptr::NonNull;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tael::{DurableHistory, EpochEntry, EpochHistory, EpochLog, Error, Result, Status};

use crate::guard::{self, put};
use crate::ops::{self, handle, AllocOut, Answer, Arg, BufferOut};
use crate::status::{TaelStatus, TAEL_STATUS_OK};
use crate::verdict::TAEL_ID_FIELD_BYTES;

/// The epoch history of one log (SEMANTICS.md §15): entries `(epoch, start_offset[, holder])`,
/// oldest first, whose epochs and start offsets both strictly increase; the reign of an offset
/// is the entry with the largest start at or below it. Thread-safe (a short lock per call).
///
/// Made in memory (tael_epoch_history_new, tael_epoch_history_from_json) or kept in a file
/// (tael_epoch_history_open: every change is on disk before the call returns, SEMANTICS.md
/// §12); every tael_epoch_history_* call works on both. Only a history kept in a file can
/// answer TAEL_STATUS_STORAGE (its write failed; nothing changed).
pub struct TaelEpochHistory(Mutex<Box<dyn EpochLog>>);

handle!(TaelEpochHistory => Mutex<Box<dyn EpochLog>>, "history");

impl TaelEpochHistory {
    fn new(log: impl EpochLog + 'static) -> Self {
        TaelEpochHistory(Mutex::new(Box::new(log)))
    }
}

/// The history behind the lock. A poisoned lock is taken over, as the core's own locks are: no
/// operation of a history panics (one that did would be a bug, reported as INTERNAL), and a
/// history kept in a file replaces its state only once the change is on disk.
fn lock(history: &Mutex<Box<dyn EpochLog>>) -> MutexGuard<'_, Box<dyn EpochLog>> {
    history.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One entry of an epoch history as a caller passes it in (tael_epoch_history_new).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaelEpochEntry {
    /// The reign's epoch.
    pub epoch: u64,
    /// The offset of the reign's first record.
    pub start_offset: u64,
    /// The reign's holder (its leader's id), `holder_len` bytes (no NUL needed); NULL when the
    /// entry records no holder (`holder_len` is then 0).
    pub holder: *const c_char,
    /// The length of `holder` in bytes.
    pub holder_len: usize,
}

/// A copy of one entry of an epoch history (tael_epoch_history_entry), holder included.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelEpochEntryCopy {
    /// The reign's epoch.
    pub epoch: u64,
    /// The offset of the reign's first record.
    pub start_offset: u64,
    /// Whether the entry records a holder.
    pub has_holder: bool,
    /// The holder, NUL-terminated; "" when `has_holder` is false.
    pub holder: [c_char; TAEL_ID_FIELD_BYTES],
}

impl From<&EpochEntry> for TaelEpochEntryCopy {
    fn from(entry: &EpochEntry) -> Self {
        TaelEpochEntryCopy {
            epoch: entry.epoch,
            start_offset: entry.start_offset,
            has_holder: entry.holder.is_some(),
            holder: guard::id_field(entry.holder.as_deref().unwrap_or("")),
        }
    }
}

/// A follower's truncation step (tael_follower_step).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaelTruncation {
    /// Truncate the log, and the history (tael_epoch_history_truncate_from_end), to this offset.
    pub offset: u64,
    /// Whether the follower is done; if not, it asks the leader again with its new latest epoch.
    pub done: bool,
}

/// `error` about the parameter `name` (formatted only when something is refused).
fn about(name: &str, error: Error) -> Error {
    Error::new(error.status(), format!("{name}: {}", error.message()))
}

/// The entries `(p, len)` as the core's: every pointer checked first (`NULL_POINTER`), then
/// every holder converted as an id (`INVALID_UTF8`, `INVALID_ID`); errors name the entry.
///
/// # Safety
///
/// `p` is NULL or points to `len` entries, each holder NULL or readable for its length.
unsafe fn entries_of(p: *const TaelEpochEntry, len: usize) -> Result<Vec<EpochEntry>> {
    // SAFETY: the caller's contract above.
    let entries = unsafe { guard::array(p, len, "entries") }?;
    let name = |i: usize| format!("entries[{i}].holder");
    let mut holders = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        // SAFETY: the caller's contract above.
        let bytes = unsafe { guard::optional_bytes(e.holder, e.holder_len) }
            .map_err(|x| about(&name(i), x))?;
        holders.push(bytes);
    }
    let entry = |(i, (e, bytes)): (usize, (&TaelEpochEntry, Option<&[u8]>))| {
        let holder = bytes
            .map(tael::validate_id_bytes)
            .transpose()
            .map_err(|x| about(&name(i), x))?;
        Ok(EpochEntry {
            epoch: e.epoch,
            start_offset: e.start_offset,
            holder: holder.map(str::to_owned),
        })
    };
    entries.iter().zip(holders).enumerate().map(entry).collect()
}

/// Hand a new history handle to C through `out` (checked non-NULL).
///
/// # Safety
///
/// `out` is writable.
unsafe fn hand_out(out: NonNull<*mut TaelEpochHistory>, history: TaelEpochHistory) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { put(out, Box::into_raw(Box::new(history))) };
    TAEL_STATUS_OK
}

/// A new epoch history in memory holding `entries` (none when `len` is 0).
///
/// \param entries `len` entries, oldest first; may be NULL when `len` is 0 (an empty history).
///        Epochs and start offsets must both strictly increase.
/// \param len The number of entries.
/// \param out_history Receives a handle the caller owns and frees with tael_epoch_history_free;
///        written only on success.
/// \retval TAEL_STATUS_OK Created.
/// \retval TAEL_STATUS_INVALID_HISTORY The epochs or start offsets do not strictly increase.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID A holder is not an id (the last
///         error names its index).
/// \retval TAEL_STATUS_NULL_POINTER `out_history` is NULL, `entries` is NULL with `len > 0`, or
///         a holder is NULL with a length.
/// \retval TAEL_STATUS_INVALID_ARGUMENT `len` is larger than any array.
///
/// Reads the entries only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `entries` is NULL or points to `len` entries, each `holder` NULL or readable for its
/// `holder_len` bytes; `out_history` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_new(
    entries: *const TaelEpochEntry,
    len: usize,
    out_history: *mut *mut TaelEpochHistory,
) -> TaelStatus {
    guard::status(|| {
        let out = guard::out(out_history, "out_history")?;
        // SAFETY: the caller's contract above.
        let entries = unsafe { entries_of(entries, len) }?;
        let history = TaelEpochHistory::new(EpochHistory::from_entries(entries)?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { hand_out(out, history) })
    })
}

/// A new epoch history in memory from its JSON form (SEMANTICS.md §15), e.g.
/// `{"entries":[{"epoch":"1","start_offset":"0","holder":"node-a"}]}`: u64s as decimal strings
/// (exact JSON integers are read too), `holder` absent or null for none.
///
/// \param history_json NUL-terminated UTF-8 JSON.
/// \param out_history Receives a handle the caller owns and frees with tael_epoch_history_free;
///        written only on success.
/// \retval TAEL_STATUS_OK Created.
/// \retval TAEL_STATUS_INVALID_HISTORY Not JSON, not a history (unknown or repeated fields, a
///         holder that is not an id), or entries that do not strictly increase.
/// \retval TAEL_STATUS_INVALID_UTF8 The text is not UTF-8.
/// \retval TAEL_STATUS_NULL_POINTER `history_json` or `out_history` is NULL.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history_json` is NULL or NUL-terminated; `out_history` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_from_json(
    history_json: *const c_char,
    out_history: *mut *mut TaelEpochHistory,
) -> TaelStatus {
    guard::status(|| {
        let out = guard::out(out_history, "out_history")?;
        // SAFETY: the caller's contract above.
        let text = unsafe { guard::c_text(history_json, "history_json") }?;
        let history = TaelEpochHistory::new(EpochHistory::from_json(text)?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        Ok(unsafe { hand_out(out, history) })
    })
}

/// Open the epoch history kept in the file `(path, path_len)` (SEMANTICS.md §12, §15; as
/// tael_fencer_open, a fresh history is empty). Every change (an assign or truncation that
/// changes the history) is on disk before the call returns; calls that change nothing write
/// nothing. One owner at a time: the handle holds an exclusive lock on `<path>.lock` until it is
/// freed or its process dies.
///
/// \param path, path_len The file's path, `path_len` bytes (no NUL needed; a NUL inside is
///        refused).
/// \param create Whether a missing file starts a fresh, empty history.
/// \param out_history Receives a handle the caller owns and frees with tael_epoch_history_free
///        (which releases the file); written only on success.
/// \retval TAEL_STATUS_OK Opened.
/// \retval TAEL_STATUS_STORAGE The file is missing (and `create` is false), unreadable, corrupt,
///         not a history's, or held by another owner, or the fresh file could not be written.
///         Nothing was reset.
/// \retval TAEL_STATUS_INVALID_ARGUMENT The path is empty, holds a NUL byte or names no file.
/// \retval TAEL_STATUS_NULL_POINTER `out_history` is NULL, or `path` is NULL with a length.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `path` is NULL or readable for `path_len` bytes; `out_history` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_open(
    path: *const c_char,
    path_len: usize,
    create: bool,
    out_history: *mut *mut TaelEpochHistory,
) -> TaelStatus {
    let out = (out_history, "out_history");
    // SAFETY: the caller's contract above.
    unsafe {
        ops::open((path, path_len), out, |p| {
            DurableHistory::open_with(p, create).map(TaelEpochHistory::new)
        })
    }
}

/// Free an epoch history (releasing its file, for a history from tael_epoch_history_open;
/// every change is already on disk). NULL is a no-op.
///
/// Must not race with another call on the same history. Leaves the last error as it is.
///
/// # Safety
///
/// `history` is NULL or a handle from tael_epoch_history_new, _from_json or _open not freed
/// before.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_free(history: *mut TaelEpochHistory) {
    // SAFETY: the caller's contract above.
    unsafe { guard::free(history) }
}

/// Record that the reign `epoch`, held by `holder` (or by no recorded holder), starts at
/// `start_offset` (Kafka's assign, SEMANTICS.md §15): nothing changes when the latest entry
/// names the same reign (same epoch, holders that do not disagree) and starts at or before
/// `start_offset`; otherwise every entry from the end whose epoch is at or above `epoch`, or
/// whose start is at or above `start_offset`, is removed and the new entry appended.
///
/// \param history The history.
/// \param epoch The reign's epoch.
/// \param start_offset The offset of the reign's first record.
/// \param holder, holder_len The reign's holder, `holder_len` bytes (no NUL needed), or NULL (with
///        `holder_len` 0) for none. An empty holder is not "none": it is TAEL_STATUS_INVALID_ID.
/// \param out_changed Receives whether the history changed.
/// \retval TAEL_STATUS_OK `*out_changed` is set.
/// \retval TAEL_STATUS_INVALID_UTF8, TAEL_STATUS_INVALID_ID The holder is not an id; nothing
///         changed.
/// \retval TAEL_STATUS_NULL_POINTER `history` or `out_changed` is NULL, or `holder` is NULL
///         with a length; nothing changed.
/// \retval TAEL_STATUS_STORAGE A history kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `holder` is NULL or readable for `holder_len` bytes;
/// `out_changed` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_assign(
    history: *const TaelEpochHistory,
    epoch: u64,
    start_offset: u64,
    holder: *const c_char,
    holder_len: usize,
    out_changed: *mut bool,
) -> TaelStatus {
    let assign = |h: &Mutex<Box<dyn EpochLog>>, _: &str| {
        // SAFETY: the caller's contract above.
        let bytes =
            unsafe { guard::optional_bytes(holder, holder_len) }.map_err(|e| about("holder", e))?;
        let holder = bytes
            .map(tael::validate_id_bytes)
            .transpose()
            .map_err(|e| about("holder", e))?;
        lock(h).assign(epoch, start_offset, holder)
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::call(history, Arg::None, (out_changed, "out_changed"), assign) }
}

/// The log was truncated to end at `offset`: every entry starting at or after it is removed.
///
/// \param history The history.
/// \param offset The log's new end.
/// \param out_changed Receives whether the history changed.
/// \retval TAEL_STATUS_OK `*out_changed` is set.
/// \retval TAEL_STATUS_STORAGE A history kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_changed` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_truncate_from_end(
    history: *const TaelEpochHistory,
    offset: u64,
    out_changed: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, (out_changed, "out_changed"), |h, _| {
            lock(h).truncate_from_end(offset)
        })
    }
}

/// Retention deleted the records before `offset`: when the first entry starts before it,
/// every entry wholly before it is removed and the one covering it now starts at `offset`;
/// otherwise nothing changes.
///
/// \param history The history.
/// \param offset The log's new start (its first record kept).
/// \param out_changed Receives whether the history changed.
/// \retval TAEL_STATUS_OK `*out_changed` is set.
/// \retval TAEL_STATUS_STORAGE A history kept in a file could not write the change; nothing
///         changed.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_changed` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_truncate_from_start(
    history: *const TaelEpochHistory,
    offset: u64,
    out_changed: *mut bool,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, (out_changed, "out_changed"), |h, _| {
            lock(h).truncate_from_start(offset)
        })
    }
}

/// An end offset through `out_epoch` and `out_end_offset`.
struct EndOffsetOut(*mut u64, *mut u64);

impl Answer for EndOffsetOut {
    type Value = (u64, u64);
    type Checked = (NonNull<u64>, NonNull<u64>);
    unsafe fn check(self) -> Result<Self::Checked> {
        Ok((
            guard::out(self.0, "out_epoch")?,
            guard::out(self.1, "out_end_offset")?,
        ))
    }
    unsafe fn write((epoch, end): Self::Checked, value: (u64, u64)) -> Result<TaelStatus> {
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            put(epoch, value.0);
            put(end, value.1);
        }
        Ok(TAEL_STATUS_OK)
    }
}

/// `UNDEFINED_EPOCH`: the history has no answer.
fn undefined(what: String) -> Error {
    Error::new(Status::UndefinedEpoch, what)
}

/// A leader's answer to a follower whose latest epoch is `epoch` (Kafka's endOffsetFor), for the
/// leader's log ending at `log_end` (SEMANTICS.md §15): `(epoch, log_end)` for the latest
/// epoch; otherwise the largest entry's epoch at or below `epoch`, with the start of the entry
/// after it (below the first entry: `epoch` itself, with the first entry's start).
///
/// \param history The history.
/// \param epoch The follower's latest epoch.
/// \param log_end The leader's log end (the offset after its last record).
/// \param out_epoch Receives the answer's epoch.
/// \param out_end_offset Receives the answer's end offset.
/// \retval TAEL_STATUS_OK Both are set.
/// \retval TAEL_STATUS_UNDEFINED_EPOCH There is no answer: `epoch` is above the latest entry's,
///         or the history is empty. Nothing is written (the follower drops its latest reign,
///         tael_follower_step with `has_answer` false).
/// \retval TAEL_STATUS_INVALID_HISTORY The history does not fit `log_end` (its latest entry
///         starts after it, or it is empty and `log_end` is above 0).
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_end_offset_for(
    history: *const TaelEpochHistory,
    epoch: u64,
    log_end: u64,
    out_epoch: *mut u64,
    out_end_offset: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(
            history,
            Arg::None,
            EndOffsetOut(out_epoch, out_end_offset),
            |h, _| {
                let h = lock(h);
                h.end_offset_for(epoch, log_end)?
                    .ok_or_else(|| match h.latest_epoch() {
                        Some(latest) => undefined(format!(
                            "epoch {epoch} is above the history's latest epoch {latest}"
                        )),
                        None => {
                            undefined(format!("the history is empty: no end offset for {epoch}"))
                        }
                    })
            },
        )
    }
}

/// The latest entry's epoch.
///
/// \param history The history.
/// \param out_epoch Receives the epoch.
/// \retval TAEL_STATUS_OK `*out_epoch` is set.
/// \retval TAEL_STATUS_UNDEFINED_EPOCH The history is empty; nothing is written.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_epoch` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_latest_epoch(
    history: *const TaelEpochHistory,
    out_epoch: *mut u64,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, (out_epoch, "out_epoch"), |h, _| {
            lock(h)
                .latest_epoch()
                .ok_or_else(|| undefined("the history is empty: it has no latest epoch".into()))
        })
    }
}

/// The number of entries.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_len(
    history: *const TaelEpochHistory,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, (out_len, "out_len"), |h, _| {
            Ok(lock(h).entries().len())
        })
    }
}

/// A copy of the entry at `index` (0 is the oldest). While other threads change the history,
/// the entries may move between two calls: tael_epoch_history_to_json reads them all at once.
///
/// \param history The history.
/// \param index The entry's index, 0 for the oldest.
/// \param out_entry Receives the entry, its holder copied into a NUL-terminated field.
/// \retval TAEL_STATUS_OK `*out_entry` is set.
/// \retval TAEL_STATUS_INVALID_ARGUMENT `index` is not below the number of entries.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_entry` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_entry(
    history: *const TaelEpochHistory,
    index: usize,
    out_entry: *mut TaelEpochEntryCopy,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, (out_entry, "out_entry"), |h, _| {
            let h = lock(h);
            let entries = h.entries();
            entries
                .get(index)
                .map(TaelEpochEntryCopy::from)
                .ok_or_else(|| {
                    Error::new(
                        Status::InvalidArgument,
                        format!(
                            "index {index} is past the history's {} entries",
                            entries.len()
                        ),
                    )
                })
        })
    }
}

/// The history's JSON form (SEMANTICS.md §15), compact, read under one lock:
/// `{"entries":[{"epoch":"1","start_offset":"0","holder":"node-a"},...]}`, u64s as decimal
/// strings, `holder` only where recorded; written into `buf`.
///
/// \param history The history.
/// \param buf Receives the JSON and a NUL; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \param out_len Receives the JSON's length in bytes without the NUL, also when the buffer is
///        too small (the buffer needs `*out_len + 1` bytes; a later call may need more if the
///        history changed meanwhile).
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_BUFFER_TOO_SMALL Only `*out_len` was written.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `buf` is NULL or writable for `cap` bytes; `out_len` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_to_json(
    history: *const TaelEpochHistory,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, BufferOut(buf, cap, out_len), |h, _| {
            Ok(lock(h).history().to_json())
        })
    }
}

/// The history's JSON form (as tael_epoch_history_to_json) in a string the library allocates.
///
/// \param history The history.
/// \param out_json Receives the NUL-terminated JSON, which the caller owns and frees with
///        tael_string_free; set to NULL on failure.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `history` is NULL or a live handle; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_epoch_history_to_json_alloc(
    history: *const TaelEpochHistory,
    out_json: *mut *mut c_char,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::call(history, Arg::None, AllocOut(out_json), |h, _| {
            Ok(lock(h).history().to_json())
        })
    }
}

/// The length of the prefix two logs share (SEMANTICS.md §15): the smallest offset `x` with
/// `max(first starts) <= x < min(log ends)` whose reigns differ (not the same epoch, or holders
/// that disagree), or `min(log ends)` when there is none. Symmetric, never above either end.
/// The follower truncates its log and history to it; when it is below the leader's first start,
/// the follower truncates everything and resumes at the leader's first start.
///
/// The two histories are read one after the other, each under its own lock (never both locks
/// at once), so calls may name two handles in either order; one handle given as both is read
/// once.
///
/// \param leader The leader's history.
/// \param leader_log_end The leader's log end (the offset after its last record).
/// \param follower The follower's history.
/// \param follower_log_end The follower's log end.
/// \param out_offset Receives the divergence point.
/// \retval TAEL_STATUS_OK `*out_offset` is set.
/// \retval TAEL_STATUS_INVALID_HISTORY A history does not fit its log end (its latest entry
///         starts after it, or it is empty and its log end is above 0).
/// \retval TAEL_STATUS_NULL_POINTER `leader`, `follower` or `out_offset` is NULL.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `leader` and `follower` are NULL or live handles; `out_offset` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_divergence_point(
    leader: *const TaelEpochHistory,
    leader_log_end: u64,
    follower: *const TaelEpochHistory,
    follower_log_end: u64,
    out_offset: *mut u64,
) -> TaelStatus {
    let point = || {
        // SAFETY: the caller's contract above.
        let leader = unsafe { guard::get(leader, "leader") }?;
        // SAFETY: the caller's contract above.
        let follower = unsafe { guard::get(follower, "follower") }?;
        let point = |leader: &EpochHistory, follower: &EpochHistory| {
            tael::divergence_point(leader, leader_log_end, follower, follower_log_end)
        };
        if std::ptr::eq(leader, follower) {
            let both = lock(&leader.0);
            return point(both.history(), both.history());
        }
        let leader = lock(&leader.0).history().clone();
        point(&leader, lock(&follower.0).history())
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_offset, "out_offset"), point) }
}

/// A follower's truncation step over the network (KIP-279, SEMANTICS.md §15): given its history,
/// its log end and the leader's answer to tael_epoch_history_end_offset_for(the follower's latest
/// epoch, the leader's log end), where to truncate and whether to ask again.
///
/// \param follower The follower's history.
/// \param follower_log_end The follower's log end (the offset after its last record).
/// \param has_answer False when the leader's answer was TAEL_STATUS_UNDEFINED_EPOCH (then
///        `answer_epoch` and `answer_end` are ignored).
/// \param answer_epoch, answer_end The leader's answer.
/// \param out_truncation Receives the step: truncate the log and the history
///        (tael_epoch_history_truncate_from_end) to `offset`, never beyond the log end; when
///        `done` is false, ask the leader again with the new latest epoch.
/// \retval TAEL_STATUS_OK `*out_truncation` is set.
/// \retval TAEL_STATUS_INVALID_HISTORY The history does not fit `follower_log_end`.
/// \retval TAEL_STATUS_NULL_POINTER `follower` or `out_truncation` is NULL.
///
/// Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `follower` is NULL or a live handle; `out_truncation` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_follower_step(
    follower: *const TaelEpochHistory,
    follower_log_end: u64,
    has_answer: bool,
    answer_epoch: u64,
    answer_end: u64,
    out_truncation: *mut TaelTruncation,
) -> TaelStatus {
    let step = || {
        // SAFETY: the caller's contract above.
        let follower = unsafe { guard::get(follower, "follower") }?;
        let answer = has_answer.then_some((answer_epoch, answer_end));
        let t = tael::follower_step(lock(&follower.0).history(), follower_log_end, answer)?;
        Ok(TaelTruncation {
            offset: t.offset,
            done: t.done,
        })
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run((out_truncation, "out_truncation"), step) }
}
