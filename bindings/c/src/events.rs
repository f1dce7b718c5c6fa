//! Leader-change events between two decision lists (SEMANTICS.md §16), decisions JSON in: as
//! the events JSON (`tael_transitions_json`, `_alloc`), or as an array of `TaelEvent` structs
//! the library allocates (`tael_transitions`, freed with `tael_events_free`).

use std::ffi::{c_char, CString};
use std::ptr::{self, NonNull};

use tael::{Change, Error, Event, Result, Status};

use crate::guard::{self, put};
use crate::ops::{self, AllocOut, Answer, Arg, BufferOut};
use crate::status::{TaelStatus, TAEL_STATUS_OK};

/// What happened to a group's leader between two observations: one of the `TAEL_EVENT_*`
/// numbers below. A plain `uint32_t`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaelEventKind(pub u32);

/// The group gained a leader (it had none, or was not listed): "elected".
pub const TAEL_EVENT_ELECTED: TaelEventKind = TaelEventKind(0);
/// The group lost its leader (it has none, or is no longer listed): "lost".
pub const TAEL_EVENT_LOST: TaelEventKind = TaelEventKind(1);
/// Another leader, or the same id in another generation or at another epoch: "changed".
pub const TAEL_EVENT_CHANGED: TaelEventKind = TaelEventKind(2);

impl From<Change> for TaelEventKind {
    fn from(change: Change) -> Self {
        match change {
            Change::Elected => TAEL_EVENT_ELECTED,
            Change::Lost => TAEL_EVENT_LOST,
            Change::Changed => TAEL_EVENT_CHANGED,
        }
    }
}

/// One leader change of one group (SEMANTICS.md §16), an element of the array tael_transitions
/// writes. The leader fields are the later list's (none for TAEL_EVENT_LOST), the `previous`
/// fields the earlier list's (none for TAEL_EVENT_ELECTED).
///
/// Its strings are NUL-terminated (an id never holds a NUL) and belong to the array: they live
/// until tael_events_free frees it, and must not be freed or written on their own.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaelEvent {
    /// TAEL_EVENT_ELECTED, TAEL_EVENT_LOST or TAEL_EVENT_CHANGED.
    pub kind: TaelEventKind,
    /// The group, `group_len` bytes and a NUL.
    pub group: *const c_char,
    /// The length of `group` in bytes, without the NUL.
    pub group_len: usize,
    /// The group's leader in the later list, `leader_len` bytes and a NUL; NULL when none.
    pub leader: *const c_char,
    /// The length of `leader` in bytes, without the NUL; 0 when none.
    pub leader_len: usize,
    /// Whether `generation` is set (the later list's decision gives its leader's generation).
    pub has_generation: bool,
    /// The generation of the leader's entry; 0 when `has_generation` is false.
    pub generation: u64,
    /// Whether `epoch` is set (the later list's decision gives its leader's epoch).
    pub has_epoch: bool,
    /// The epoch the leader's entry announced; 0 when `has_epoch` is false.
    pub epoch: u64,
    /// The group's leader in the earlier list, `previous_len` bytes and a NUL; NULL when none.
    pub previous: *const c_char,
    /// The length of `previous` in bytes, without the NUL; 0 when none.
    pub previous_len: usize,
    /// Whether `previous_generation` is set.
    pub has_previous_generation: bool,
    /// The generation of the earlier leader's entry; 0 when `has_previous_generation` is false.
    pub previous_generation: u64,
    /// Whether `previous_epoch` is set.
    pub has_previous_epoch: bool,
    /// The epoch the earlier leader's entry announced; 0 when `has_previous_epoch` is false.
    pub previous_epoch: u64,
}

/// An event's strings, owned, before they are handed to C.
struct Owned {
    event: Event,
    group: CString,
    leader: Option<CString>,
    previous: Option<CString>,
}

impl Owned {
    fn new(event: Event) -> Result<Owned> {
        let text = |s: &str| {
            CString::new(s)
                .map_err(|_| Error::new(Status::Internal, "an id has a NUL byte inside (a bug)"))
        };
        Ok(Owned {
            group: text(&event.group)?,
            leader: event.leader.as_deref().map(text).transpose()?,
            previous: event.previous.as_deref().map(text).transpose()?,
            event,
        })
    }

    /// The struct C reads; its strings are C's from now on (tael_events_free takes them back).
    fn into_c(self) -> TaelEvent {
        let (group, group_len) = raw(Some(self.group));
        let (leader, leader_len) = raw(self.leader);
        let (previous, previous_len) = raw(self.previous);
        let e = self.event;
        TaelEvent {
            kind: e.event.into(),
            group,
            group_len,
            leader,
            leader_len,
            has_generation: e.generation.is_some(),
            generation: e.generation.unwrap_or(0),
            has_epoch: e.epoch.is_some(),
            epoch: e.epoch.unwrap_or(0),
            previous,
            previous_len,
            has_previous_generation: e.previous_generation.is_some(),
            previous_generation: e.previous_generation.unwrap_or(0),
            has_previous_epoch: e.previous_epoch.is_some(),
            previous_epoch: e.previous_epoch.unwrap_or(0),
        }
    }
}

/// A string handed to C with its length, or (NULL, 0).
fn raw(s: Option<CString>) -> (*const c_char, usize) {
    s.map_or((ptr::null(), 0), |s| {
        let len = s.as_bytes().len();
        (s.into_raw().cast_const(), len)
    })
}

/// Take back a string [`raw`] handed to C; NULL is none.
///
/// # Safety
///
/// `p` is NULL or came from [`raw`] and was not taken back before.
unsafe fn take_back(p: *const c_char) {
    if !p.is_null() {
        // SAFETY: the caller's contract above: it came from CString::into_raw.
        drop(unsafe { CString::from_raw(p.cast_mut()) });
    }
}

/// Where tael_transitions' events go: `out_events` and `out_len`, set to (NULL, 0) as soon as
/// they are checked, so they hold an array tael_events_free takes after any call.
pub(crate) struct EventsOut(pub *mut *mut TaelEvent, pub *mut usize);

impl Answer for EventsOut {
    type Value = Vec<Event>;
    type Checked = (NonNull<*mut TaelEvent>, NonNull<usize>);
    unsafe fn check(self) -> Result<Self::Checked> {
        let events = guard::out(self.0, "out_events")?;
        let len = guard::out(self.1, "out_len")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            put(events, ptr::null_mut());
            put(len, 0);
        }
        Ok((events, len))
    }
    unsafe fn write((to, len): Self::Checked, events: Vec<Event>) -> Result<TaelStatus> {
        // Every string is made before any is handed over, so a failure leaks nothing.
        let owned = events
            .into_iter()
            .map(Owned::new)
            .collect::<Result<Vec<Owned>>>()?;
        let n = owned.len();
        let array = if n == 0 {
            ptr::null_mut()
        } else {
            let structs: Box<[TaelEvent]> = owned.into_iter().map(Owned::into_c).collect();
            Box::into_raw(structs).cast::<TaelEvent>()
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            put(to, array);
            put(len, n);
        }
        Ok(TAEL_STATUS_OK)
    }
}

/// Both decision lists as text: both pointers checked before either is converted.
///
/// # Safety
///
/// Both pointers are NULL or NUL-terminated.
unsafe fn lists<'a>(previous: *const c_char, next: *const c_char) -> Result<[&'a str; 2]> {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::texts([
            Arg::Json(previous, "previous_json"),
            Arg::Json(next, "next_json"),
        ])
    }
}

/// # Safety
///
/// Both pointers are NULL or NUL-terminated.
unsafe fn events_json(previous: *const c_char, next: *const c_char) -> Result<String> {
    // SAFETY: the caller's contract above.
    let [previous, next] = unsafe { lists(previous, next) }?;
    tael::transitions_json(previous, next)
}

/// The leader changes from the decisions `previous_json` to the decisions `next_json`
/// (SEMANTICS.md §16) as the events JSON, `[{"event","group","leader","generation","epoch",
/// "previous","previous_generation","previous_epoch"}]` (every field present, `null` where
/// absent, u64 values as decimal strings; at most one event per group, in byte order of the
/// group names), written into `buf`. A group listed in only one of the lists counts as
/// leaderless in the other; a change that came and went between the two observations is not
/// seen.
///
/// \param previous_json The earlier decisions, NUL-terminated UTF-8 JSON: an array of decision
///        objects as tael_elect_leaders writes them (SEMANTICS.md §8; `leader_epoch` and
///        `claimants` may be absent).
/// \param next_json The later decisions, the same way.
/// \param buf Receives the JSON and a NUL; may be NULL when `cap` is 0 (to ask for the length).
/// \param cap The size of `buf` in bytes.
/// \param out_len Receives the JSON's length in bytes without the NUL, also when the buffer is
///        too small (the buffer needs `*out_len + 1` bytes).
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_BUFFER_TOO_SMALL Only `*out_len` was written.
/// \retval TAEL_STATUS_INVALID_ARGUMENT A list is not decisions JSON, or names a group twice
///         (the last error says which list, and where).
/// \retval TAEL_STATUS_INVALID_UTF8 A list is not UTF-8.
///
/// Pure: reads its inputs only during the call. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `previous_json` and `next_json` are NULL or NUL-terminated; `buf` is NULL or writable for
/// `cap` bytes; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_transitions_json(
    previous_json: *const c_char,
    next_json: *const c_char,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe {
        ops::run(BufferOut(buf, cap, out_len), || {
            events_json(previous_json, next_json)
        })
    }
}

/// The events JSON (as tael_transitions_json) in a string the library allocates.
///
/// \param previous_json The earlier decisions, NUL-terminated UTF-8 JSON (as
///        tael_transitions_json).
/// \param next_json The later decisions, the same way.
/// \param out_json Receives the NUL-terminated JSON, which the caller owns and frees with
///        tael_string_free; set to NULL on failure.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `previous_json` and `next_json` are NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_transitions_json_alloc(
    previous_json: *const c_char,
    next_json: *const c_char,
    out_json: *mut *mut c_char,
) -> TaelStatus {
    // SAFETY: the caller's contract above.
    unsafe { ops::run(AllocOut(out_json), || events_json(previous_json, next_json)) }
}

/// The leader changes from the decisions `previous_json` to the decisions `next_json` (as
/// tael_transitions_json) as an array of TaelEvent structs the library allocates, in the order
/// of the events JSON.
///
/// \param previous_json The earlier decisions, NUL-terminated UTF-8 JSON (as
///        tael_transitions_json).
/// \param next_json The later decisions, the same way.
/// \param out_events Receives the array (NULL when there is no event), which the caller owns
///        with every string in it and frees with tael_events_free(*out_events, *out_len); set to
///        NULL on failure.
/// \param out_len Receives the number of events; set to 0 on failure.
/// \retval TAEL_STATUS_OK Written.
/// \retval TAEL_STATUS_INVALID_ARGUMENT A list is not decisions JSON, or names a group twice.
/// \retval TAEL_STATUS_INVALID_UTF8 A list is not UTF-8.
/// \retval TAEL_STATUS_NULL_POINTER A parameter is NULL.
///
/// Pure. Thread-safe. Sets or clears the last error.
///
/// # Safety
///
/// `previous_json` and `next_json` are NULL or NUL-terminated; `out_events` and `out_len` are
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tael_transitions(
    previous_json: *const c_char,
    next_json: *const c_char,
    out_events: *mut *mut TaelEvent,
    out_len: *mut usize,
) -> TaelStatus {
    let events = || {
        // SAFETY: the caller's contract above.
        let [previous, next] = unsafe { lists(previous_json, next_json) }?;
        // The core's rules and errors: decisions JSON, each group once per list.
        let read = |which: &str, text: &str| {
            tael::decisions_from_json(text)
                .map_err(|e| Error::new(e.status(), format!("{which}: {}", e.message())))
        };
        tael::transitions(&read("previous", previous)?, &read("next", next)?)
    };
    // SAFETY: the caller's contract above.
    unsafe { ops::run(EventsOut(out_events, out_len), events) }
}

/// Free an array of events from tael_transitions, with every string in it. NULL is a no-op.
///
/// Thread-safe. Leaves the last error as it is.
///
/// # Safety
///
/// `events` is NULL or an array tael_transitions wrote and not freed before, and `len` is the
/// length it wrote with it; nothing in the array was changed.
#[no_mangle]
pub unsafe extern "C" fn tael_events_free(events: *mut TaelEvent, len: usize) {
    guard::infallible((), || {
        if events.is_null() {
            return;
        }
        // SAFETY: the caller's contract above: a boxed slice of `len` events.
        let array = unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(events, len)) };
        for e in array.iter() {
            // SAFETY: each string came from `raw` and is taken back once, here.
            unsafe {
                take_back(e.group);
                take_back(e.leader);
                take_back(e.previous);
            }
        }
    })
}
