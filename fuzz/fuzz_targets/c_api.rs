//! The C entry points, called as Rust symbols with fuzzer-chosen bytes, lengths within the
//! buffers, NULL pointers and u64 values, against a model of the gates and the registry.
//!
//! Checked on every call: no panic escapes (it would abort the process), the status is one of
//! the table and never `INTERNAL` (a caught panic), the status is exactly what the model expects
//! (NULL pointers first, then bad text, then the core's verdict or error), out-parameters are
//! written only on success, text answers stay inside their buffers (each buffer is allocated at
//! exactly its capacity, so AddressSanitizer sees any overrun), allocated answers are freed (the
//! leak checker sees a lost one), and the last error is set exactly when a call fails. After
//! every call the handles' state is read back through the C API and compared with the model.
//!
//! The gate calls (check, check_and_advance, promote, promote_to_at_least) are one call each on
//! any of the three gates: the epoch gate, the holder gate with a holder, or a registry stream;
//! one model of a gate (SEMANTICS.md §5, §6, §9) answers for all three.
//!
//! Two epoch histories (SEMANTICS.md §15) take every `tael_epoch_history_*` call but `_open`
//! (a history kept in a file; once made, it takes the same calls), `tael_divergence_point` (on
//! two handles or one given twice) and `tael_follower_step`. The model keeps each history's
//! entries and applies Kafka's rules for assign and the truncations itself; the end offset, the
//! divergence point and the follower's step are what the core answers for the model's entries
//! (the `history` target checks those against its own models).
//!
//! `tael_established` takes verdicts made field by field, against the target's own count of
//! votes (SEMANTICS.md §16).

#![no_main]

use std::collections::btree_map::{BTreeMap, Entry};
use std::ffi::{c_char, CStr, CString};
use std::fmt::Debug;
use std::ptr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
#[path = "../models/history.rs"]
mod model;

use tael::{EpochEntry, EpochHistory, Status};
use tael_coord_c::election::{
    tael_elect_leader, tael_elect_leader_n, tael_id_validate, tael_u64_parse,
};
use tael_coord_c::gates::*;
use tael_coord_c::history::*;
use tael_coord_c::info::{
    tael_abi_version, tael_status_is_verdict, tael_status_name, tael_version, TAEL_ABI_VERSION,
};
use tael_coord_c::last_error::tael_last_error_message;
use tael_coord_c::registry::*;
use tael_coord_c::reign::tael_established;
use tael_coord_c::status::TaelStatus;
use tael_coord_c::text::tael_string_free;
use tael_coord_c::verdict::{TaelHolderState, TaelVerdict, TAEL_ID_FIELD_BYTES};
use tael_coord_c::views::*;

const NAMES: &[&[u8]] = &[b"s", b"t", b"wal-0", "\u{e9}".as_bytes(), b"a\0b", b"\xff"];
const DOCS: &[&str] = &[
    r#"{"groups":{"g":{"members":[{"id":"b","live":true,"epoch":"4"},{"id":"a","live":false,"epoch":"7"}]}}}"#,
    r#"{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":"18446744073709551615"}]},"h":{"members":[]}}}"#,
    r#"{"groups":{"g":{"members":[{"id":"b","live":true,"generation":1},{"id":"a","live":true},{"id":"b","live":true,"generation":"2","priority":3}],"incumbent":"b","configured":5}},"policy":{"priority":true}}"#,
    r#"{"groups":{}}"#,
    r#"{}"#,
    r#"{"priority":true,"rendezvous":true}"#,
    r#"{"streams":{"s":"9","wal-0":"18446744073709551615"}}"#,
    r#"{"streams":{"":"1"}}"#,
    r#"{"entries":[{"epoch":"1","start_offset":"0"},{"epoch":"3","start_offset":"5","holder":"s"}]}"#,
    r#"{"entries":[{"epoch":2,"start_offset":4,"holder":null},{"epoch":"18446744073709551615","start_offset":"9"}]}"#,
    r#"{"entries":[]}"#,
    r#"{"entries":[{"epoch":"2","start_offset":"0"},{"epoch":"2","start_offset":"5"}]}"#,
];

/// Bytes with a length: a name from a small set (so streams and holders repeat), raw bytes cut
/// to a fuzzer-chosen length, or a NULL pointer with a length.
#[derive(Arbitrary, Debug)]
enum Text {
    Name(u8),
    Raw(Vec<u8>, Option<u16>),
    Null(u8),
}

/// A NUL-terminated document: NULL, raw bytes up to their first NUL, or a seed document.
#[derive(Arbitrary, Debug)]
enum Doc {
    Null,
    Raw(Vec<u8>),
    Seed(u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum U64 {
    Small(u8),
    Max,
    BelowMax(u8),
    Any(u64),
}

impl U64 {
    fn get(self) -> u64 {
        match self {
            U64::Small(n) => u64::from(n % 16),
            U64::Max => u64::MAX,
            U64::BelowMax(n) => u64::MAX - u64::from(n % 4),
            U64::Any(n) => n,
        }
    }
}

/// One of the three handles.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Kind {
    Fencer,
    Holder,
    Registry,
}

const KINDS: [Kind; 3] = [Kind::Fencer, Kind::Holder, Kind::Registry];

/// The gate a gate call is on: the epoch gate, the holder gate with a holder, or a stream.
#[derive(Arbitrary, Debug)]
enum On {
    Fencer,
    Holder(Text),
    Stream(Text),
}

/// A lookup of one stream by name: `tael_registry_highest`, `_remove` or `_contains`.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Lookup {
    Highest,
    Remove,
    Contains,
}

/// A text answer: the registry's snapshot, the decisions of a view under a policy, a view
/// normalized, or an epoch history's JSON form.
#[derive(Arbitrary, Debug)]
enum Answer {
    Snapshot { null: bool },
    Decisions { view: Doc, policy: Doc },
    Normalized { view: Doc },
    History { which: bool, null: bool },
}

/// One entry passed to `tael_epoch_history_new`: its holder `None` is (NULL, 0), as a `Text`
/// may also be.
#[derive(Arbitrary, Debug)]
struct EntryArg {
    epoch: U64,
    start: U64,
    holder: Option<Text>,
}

/// Which pointers of a history call are NULL: none (so most calls reach the core), or the
/// first, the second, the third of its pointers (the call says which are which; a call with two
/// makes the third both).
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Nulled {
    First,
    Second,
    Third,
}

/// Whether each of a call's three pointers is NULL.
fn nulls(n: Option<Nulled>) -> [bool; 3] {
    match n {
        None => [false; 3],
        Some(Nulled::First) => [true, false, false],
        Some(Nulled::Second) => [false, true, false],
        Some(Nulled::Third) => [false, false, true],
    }
}

/// Whether each of a call's two pointers is NULL (the third choice NULLs both).
fn nulls2(n: Option<Nulled>) -> [bool; 2] {
    match nulls(n) {
        [_, _, true] => [true, true],
        [a, b, _] => [a, b],
    }
}

/// A log end for a history: one that fits it (its latest start plus `n % 8`; 0 when it is
/// empty), or any value.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum LogEnd {
    Fits(u8),
    Any(U64),
}

impl LogEnd {
    fn get(self, entries: &[EpochEntry]) -> u64 {
        match self {
            LogEnd::Fits(n) => entries
                .last()
                .map_or(0, |e| e.start_offset.saturating_add(u64::from(n % 8))),
            LogEnd::Any(v) => v.get(),
        }
    }
}

/// The answer `tael_follower_step` is given: none (with the values passed anyway), one of the
/// fuzzer's, or the other history's answer to this one's latest epoch (none when undefined or
/// refused), as a leader gives it.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum StepAnswer {
    None(U64, U64),
    Given(U64, U64),
    FromLeader(LogEnd),
}

/// A getter of an epoch history.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum HistoryRead {
    Len,
    Latest,
    /// `tael_epoch_history_entry` at this index (`None`: `SIZE_MAX`).
    Entry(Option<u8>),
}

/// A verdict passed to `tael_established`, made field by field: a code (mostly a verdict's:
/// below 200, one of the five; else any number up to 55), `accepted` agreeing with the code
/// (`None`) or given, the epoch the reign's (`None`) or any, and the holder field's bytes (a
/// name, or raw bytes filling up to the whole field, with no NUL when they fill it).
#[derive(Arbitrary, Debug)]
struct VerdictArg {
    code: u8,
    accepted: Option<bool>,
    epoch: Option<U64>,
    highest: U64,
    from: U64,
    cap: U64,
    holder: HolderField,
}

#[derive(Arbitrary, Debug)]
enum HolderField {
    Name(u8),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Call {
    ElectLeader {
        ids: Vec<Option<Vec<u8>>>,
        null_array: bool,
        null_out: bool,
    },
    ElectLeaderN {
        ids: Vec<Text>,
        null_ids: bool,
        null_lens: bool,
        null_out: bool,
    },
    IdValidate(Text),
    U64Parse(Text, bool),
    /// A new handle replacing the old one: `tael_*_new(highest)` (a registry has none), or
    /// `tael_*_new_with_jump_cap` with a cap.
    New(Kind, U64, Option<U64>),
    /// `tael_holder_fencer_new_with_holder`: the cap's pointer is NULL for `None`.
    HolderResume {
        highest: U64,
        holder: Text,
        cap: Option<U64>,
        null_out: bool,
    },
    /// `*_check`, with a verdict.
    Check {
        on: On,
        null: bool,
        epoch: U64,
        null_out: bool,
    },
    /// `*_check_and_advance`.
    Accept {
        on: On,
        null: bool,
        epoch: U64,
        null_out: bool,
    },
    /// `*_promote` (no floor) or `*_promote_to_at_least`.
    Promote {
        on: On,
        null: bool,
        floor: Option<U64>,
        null_out: bool,
    },
    /// The highest (and a holder gate's state), or a registry's length.
    Read {
        kind: Kind,
        null: bool,
        null_out: bool,
    },
    JumpCap {
        kind: Kind,
        null: bool,
        null_has: bool,
        null_cap: bool,
    },
    RegistryAdd {
        null: bool,
        stream: Text,
        highest: U64,
    },
    RegistryLookup {
        null: bool,
        stream: Text,
        null_out: bool,
        lookup: Lookup,
    },
    RegistryRestore {
        null: bool,
        doc: Doc,
    },
    /// A text answer into a buffer.
    Text {
        answer: Answer,
        cap: u16,
        null_buf: bool,
        null_len: bool,
    },
    /// A text answer in a string the library allocates.
    Alloc {
        answer: Answer,
        null_out: bool,
    },
    NextEpoch {
        view: Doc,
        group: Text,
        null_out: bool,
    },
    Rendezvous {
        group: Text,
        id: Text,
        null_out: bool,
    },
    /// `tael_epoch_history_new` into one of the two history handles (`which`), replacing it on
    /// success; `bad`: the entries NULL, a length no array can have, or the out-parameter NULL;
    /// `ascending` makes each entry's epoch and start the previous one's plus its own values
    /// (saturating), so most histories are valid.
    HistoryNew {
        which: bool,
        entries: Vec<EntryArg>,
        ascending: bool,
        bad: Option<Nulled>,
    },
    HistoryFromJson {
        which: bool,
        doc: Doc,
        null_out: bool,
    },
    /// NULL: the handle, the out-parameter.
    HistoryAssign {
        which: bool,
        epoch: U64,
        start: U64,
        holder: Option<Text>,
        null: Option<Nulled>,
    },
    /// `tael_epoch_history_truncate_from_end` or (`from_start`) `_truncate_from_start`. NULL:
    /// the handle, the out-parameter.
    HistoryTruncate {
        which: bool,
        offset: U64,
        from_start: bool,
        null: Option<Nulled>,
    },
    /// NULL: the handle, `out_epoch`, `out_end_offset`.
    HistoryEndOffsetFor {
        which: bool,
        epoch: U64,
        log_end: LogEnd,
        null: Option<Nulled>,
    },
    /// NULL: the handle, the out-parameter.
    HistoryRead {
        which: bool,
        read: HistoryRead,
        null: Option<Nulled>,
    },
    /// NULL: the leader, the follower, the out-parameter.
    Divergence {
        leader: bool,
        leader_end: LogEnd,
        follower: bool,
        follower_end: LogEnd,
        null: Option<Nulled>,
    },
    /// `tael_follower_step` on the history `which`. NULL: the handle, the out-parameter.
    FollowerStep {
        which: bool,
        log_end: LogEnd,
        answer: StepAnswer,
        null: Option<Nulled>,
    },
    /// `tael_established` over verdicts made field by field; `bad`: the verdicts NULL (with
    /// their length), a length no array can have, or the out-parameter NULL.
    Established {
        epoch: U64,
        verdicts: Vec<VerdictArg>,
        configured: U64,
        bad: Option<Nulled>,
    },
    /// The status's name and kind, and the versions.
    Info(u32),
    LastError {
        cap: u16,
        null_buf: bool,
    },
}

// ---- arguments --------------------------------------------------------------------------------

/// A text's bytes as passed: the pointer (maybe NULL) and the length; `bytes` is what the
/// library may read.
struct Arg {
    bytes: Vec<u8>,
    null: bool,
    len: usize,
}

impl Arg {
    fn new(t: &Text) -> Arg {
        let (bytes, null, len) = match t {
            Text::Name(i) => {
                let bytes = NAMES[usize::from(*i) % NAMES.len()];
                (bytes, false, bytes.len())
            }
            Text::Raw(data, cut) => {
                let len = cut.map_or(data.len(), |c| usize::from(c) % (data.len() + 1));
                (&data[..len], false, len)
            }
            Text::Null(n) => (&[][..], true, usize::from(n % 3)),
        };
        Arg {
            bytes: bytes.to_vec(),
            null,
            len,
        }
    }

    fn ptr(&self) -> *const c_char {
        or_null(self.bytes.as_ptr().cast(), self.null)
    }

    /// NULL with a nonzero length is the caller's mistake; (NULL, 0) is the empty text.
    fn is_null_error(&self) -> bool {
        self.null && self.len > 0
    }

    fn text(&self) -> &[u8] {
        if self.null {
            &[]
        } else {
            &self.bytes
        }
    }

    /// [`checked`] for a call taking this text: `null` (its other pointers) or this pointer,
    /// then the text by `rule`.
    fn checked(&self, null: bool, rule: fn(&[u8]) -> Option<Status>) -> Result<(), Status> {
        checked(null || self.is_null_error(), rule(self.text()))
    }
}

/// The gate a gate call is on, with its text as passed.
enum Target {
    Fencer,
    Holder(Arg),
    Stream(Arg),
}

impl Target {
    fn new(on: &On) -> Target {
        match on {
            On::Fencer => Target::Fencer,
            On::Holder(t) => Target::Holder(Arg::new(t)),
            On::Stream(t) => Target::Stream(Arg::new(t)),
        }
    }
}

/// A gate call's operation and its out-parameter.
enum Op {
    Check(u64, *mut TaelVerdict),
    Accept(u64, *mut bool),
    Promote(Option<u64>, *mut u64),
}

/// Where a text answer goes: a buffer of `cap` bytes and the length, or an allocated string.
enum Dest {
    Buf(*mut c_char, usize, *mut usize),
    Alloc(*mut *mut c_char),
}

/// A text answer's inputs as passed: the registry (maybe NULL) or the documents.
enum Asked {
    Snapshot(*const TaelRegistry),
    Decisions(Option<CString>, Option<CString>),
    Normalized(Option<CString>),
    History(*const TaelEpochHistory),
}

impl Asked {
    /// # Safety
    ///
    /// The handle is live or NULL; `dest` holds NULL or writable pointers (a buffer for its
    /// capacity).
    unsafe fn call(&self, dest: Dest) -> TaelStatus {
        // SAFETY: the caller's contract above; the documents are NULL or NUL-terminated.
        unsafe {
            match (self, dest) {
                (Asked::Snapshot(r), Dest::Buf(b, c, l)) => tael_registry_snapshot(*r, b, c, l),
                (Asked::Snapshot(r), Dest::Alloc(o)) => tael_registry_snapshot_alloc(*r, o),
                (Asked::Decisions(v, p), Dest::Buf(b, c, l)) => {
                    tael_elect_leaders(doc_ptr(v), doc_ptr(p), b, c, l)
                }
                (Asked::Decisions(v, p), Dest::Alloc(o)) => {
                    tael_elect_leaders_alloc(doc_ptr(v), doc_ptr(p), o)
                }
                (Asked::Normalized(v), Dest::Buf(b, c, l)) => {
                    tael_normalize_view(doc_ptr(v), b, c, l)
                }
                (Asked::Normalized(v), Dest::Alloc(o)) => tael_normalize_view_alloc(doc_ptr(v), o),
                (Asked::History(h), Dest::Buf(b, c, l)) => tael_epoch_history_to_json(*h, b, c, l),
                (Asked::History(h), Dest::Alloc(o)) => tael_epoch_history_to_json_alloc(*h, o),
            }
        }
    }
}

/// `p`, or NULL when asked (a handle, an input array, a text).
fn or_null<T>(p: *const T, null: bool) -> *const T {
    if null {
        ptr::null()
    } else {
        p
    }
}

/// A writable pointer (an out-parameter, a buffer), or NULL when asked.
fn or_null_mut<T>(p: *mut T, null: bool) -> *mut T {
    if null {
        ptr::null_mut()
    } else {
        p
    }
}

/// An out-parameter: a pointer to `slot`, or NULL when asked.
fn out<T>(slot: &mut T, null: bool) -> *mut T {
    or_null_mut(slot, null)
}

/// Bytes up to their first NUL, as a C string.
fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).expect("cut at the first NUL")
}

fn doc(d: &Doc) -> Option<CString> {
    match d {
        Doc::Null => None,
        Doc::Raw(bytes) => Some(c_string(bytes)),
        Doc::Seed(i) => Some(c_string(DOCS[usize::from(*i) % DOCS.len()].as_bytes())),
    }
}

fn doc_ptr(d: &Option<CString>) -> *const c_char {
    d.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

// ---- the expected answers ---------------------------------------------------------------------

/// The checks every call makes before its work, in the C front's order: a required pointer
/// that is NULL (`null`), then text it refuses (`text`, the first refused one's status).
fn checked(null: bool, text: Option<Status>) -> Result<(), Status> {
    if null {
        Err(Status::NullPointer)
    } else {
        text.map_or(Ok(()), Err)
    }
}

/// The id rules of SEMANTICS.md §2, written out independently of the core.
fn id_status(bytes: &[u8]) -> Option<Status> {
    match utf8(bytes) {
        Err(e) => Some(e),
        Ok(s) if s.is_empty() || s.len() > 255 || s.chars().any(char::is_control) => {
            Some(Status::InvalidId)
        }
        Ok(_) => None,
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, Status> {
    std::str::from_utf8(bytes).map_err(|_| Status::InvalidUtf8)
}

fn utf8_status(bytes: &[u8]) -> Option<Status> {
    utf8(bytes).err()
}

/// A NUL-terminated document's text: its pointer, then UTF-8.
fn doc_text(d: &Option<CString>) -> Result<&str, Status> {
    utf8(d.as_ref().ok_or(Status::NullPointer)?.as_bytes())
}

/// A view document as the core reads it.
fn view_of(d: &Option<CString>) -> Result<tael::View, Status> {
    tael::View::from_json(doc_text(d)?).map_err(|e| e.status())
}

/// What tael_elect_leaders must answer for these documents, worked out through the core.
/// Each document in turn: its pointer, then its text; then the core parses both.
fn decide(view: &Option<CString>, policy: &Option<CString>) -> Result<String, Status> {
    let v = doc_text(view)?;
    let p = doc_text(policy)?;
    tael::elect_leaders_json(v, p)
        .map(|d| tael::decisions_to_json(&d))
        .map_err(|e| e.status())
}

/// The smallest id in byte order, at its first occurrence; NO_LEADER for none.
fn leader<'a>(ids: impl Iterator<Item = &'a [u8]>) -> Result<usize, Status> {
    ids.enumerate()
        .min_by_key(|&(_, id)| id)
        .map(|(i, _)| i)
        .ok_or(Status::NoLeader)
}

/// Canonical decimal u64 text (SEMANTICS.md §4).
fn canonical_u64(text: &[u8]) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.iter().all(u8::is_ascii_digit)
        && (text == b"0" || text[0] != b'0');
    if !canonical {
        return None;
    }
    utf8(text).ok()?.parse().ok()
}

/// 64-bit FNV-1a over the group, one 0x00 byte, then the id (SEMANTICS.md §8).
fn rendezvous(group: &[u8], id: &[u8]) -> u64 {
    group
        .iter()
        .chain(&[0u8])
        .chain(id)
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

// ---- the answers checked ----------------------------------------------------------------------

fn st(s: Status) -> TaelStatus {
    TaelStatus(s.number())
}

fn bytes_of(buf: &[c_char]) -> Vec<u8> {
    buf.iter().map(|&b| b as u8).collect()
}

fn last_error() -> String {
    // SAFETY: (NULL, 0) asks for the length only.
    let n = unsafe { tael_last_error_message(ptr::null_mut(), 0) };
    let mut buf = vec![0 as c_char; n + 1];
    // SAFETY: buf is writable for its length.
    let m = unsafe { tael_last_error_message(buf.as_mut_ptr(), buf.len()) };
    assert_eq!(m, n);
    // SAFETY: NUL-terminated within buf.
    let text = unsafe { CStr::from_ptr(buf.as_ptr()) };
    assert_eq!(text.to_bytes().len(), n);
    text.to_string_lossy().into_owned()
}

/// The status is from the table, never INTERNAL, and the last error agrees with it.
fn known(status: TaelStatus) -> TaelStatus {
    let s = Status::from_number(status.0).unwrap_or_else(|| panic!("unknown status {}", status.0));
    assert_ne!(s, Status::Internal, "a panic was caught: {}", last_error());
    let message = last_error();
    if s == Status::Ok || s.is_verdict() {
        assert!(
            message.is_empty(),
            "a success left the last error {message:?}"
        );
    } else {
        assert!(
            message.starts_with(&format!("{}: ", s.name())),
            "{s:?}: {message:?}"
        );
    }
    status
}

/// A call's status and its out-parameter, which started as `untouched`: on success OK and the
/// model's value; on failure the model's status, and the out-parameter untouched.
fn answered<T: PartialEq + Debug>(
    status: TaelStatus,
    want: Result<T, Status>,
    got: T,
    untouched: T,
) {
    match want {
        Ok(value) => {
            assert_eq!(status, st(Status::Ok));
            assert_eq!(got, value);
        }
        Err(e) => {
            assert_eq!(status, st(e));
            assert_eq!(got, untouched, "an out-parameter was written on failure");
        }
    }
}

/// A getter given a live handle or NULL (`null`) and its out-parameter or NULL (`null_out`):
/// NULL_POINTER with nothing written, or OK and the value, for the caller to compare.
fn got<T: PartialEq + Debug + Copy>(
    untouched: T,
    null: bool,
    null_out: bool,
    call: impl FnOnce(*mut T) -> TaelStatus,
) -> Option<T> {
    let mut slot = untouched;
    let status = known(call(out(&mut slot, null_out)));
    answered(
        status,
        checked(null || null_out, None).map(|()| slot),
        slot,
        untouched,
    );
    (!null && !null_out).then_some(slot)
}

/// A text answer into a buffer of exactly `cap` bytes (NULL when asked): BUFFER_TOO_SMALL
/// writes only the length; OK writes the text and its NUL, inside the buffer.
fn text_answer(
    cap: u16,
    null_buf: bool,
    null_len: bool,
    want: Result<String, Status>,
    call: impl FnOnce(*mut c_char, usize, *mut usize) -> TaelStatus,
) {
    let cap = usize::from(cap % 512);
    let mut buf = vec![0x23 as c_char; cap];
    let mut len = usize::MAX;
    let buf_ptr = or_null_mut(buf.as_mut_ptr(), null_buf);
    let status = known(call(buf_ptr, cap, out(&mut len, null_len)));
    let expected = match &want {
        _ if null_len || (null_buf && cap > 0) => Err(Status::NullPointer),
        Ok(text) if text.len() >= cap => Err(Status::BufferTooSmall),
        other => other.clone(),
    };
    match expected {
        Ok(text) => {
            assert_eq!(status, st(Status::Ok));
            assert_eq!(len, text.len());
            assert_eq!(buf[len], 0);
            assert_eq!(bytes_of(&buf[..len]), text.as_bytes());
            assert!(
                buf[len + 1..].iter().all(|&b| b == 0x23),
                "written past the NUL"
            );
        }
        Err(Status::BufferTooSmall) => {
            assert_eq!(status, st(Status::BufferTooSmall));
            assert_eq!(Ok(len), want.map(|t| t.len()), "the required length");
            assert!(
                buf.iter().all(|&b| b == 0x23),
                "a too-small buffer was written"
            );
        }
        Err(e) => {
            assert_eq!(status, st(e));
            assert_eq!(len, usize::MAX, "the length was written on failure");
        }
    }
}

/// A text answer in a string the library allocates (the out-parameter NULL when asked): on
/// success the model's text, freed here once; on failure the out-parameter set to NULL.
fn alloc_answer(
    null_out: bool,
    want: Result<String, Status>,
    call: impl FnOnce(*mut *mut c_char) -> TaelStatus,
) {
    let mut owned: *mut c_char = ptr::dangling_mut();
    let status = known(call(out(&mut owned, null_out)));
    match checked(null_out, None).and(want) {
        Ok(text) => {
            assert_eq!(status, st(Status::Ok));
            // SAFETY: a NUL-terminated string the library allocated.
            let got = unsafe { CStr::from_ptr(owned) }.to_bytes().to_vec();
            // SAFETY: from an _alloc function, freed once.
            unsafe { tael_string_free(owned) };
            assert_eq!(got, text.as_bytes());
        }
        Err(e) => {
            assert_eq!(status, st(e));
            assert!(null_out || owned.is_null(), "set to NULL on failure");
        }
    }
}

// ---- the model ----------------------------------------------------------------------------------

/// The gate rule of SEMANTICS.md §5, written out independently of the core.
fn step(highest: u64, epoch: u64, cap: Option<u64>) -> Status {
    if epoch < highest {
        Status::StaleEpoch
    } else if epoch == highest {
        Status::Current
    } else if cap.is_some_and(|c| epoch - highest > c) {
        Status::TooFarAhead
    } else {
        Status::Advanced
    }
}

fn accepts(code: Status) -> bool {
    matches!(code, Status::Current | Status::Advanced)
}

/// The model of the gate a gate call reaches.
struct Gate<'a> {
    highest: &'a mut u64,
    cap: Option<u64>,
    /// On the holder gate: the holder it has recorded, and the one the call presents.
    holder: Option<(&'a mut Option<Vec<u8>>, Vec<u8>)>,
}

impl Gate<'_> {
    /// The verdict on a record (or token) stamped `epoch`, applied to the model (SEMANTICS.md
    /// §5, §6); with the highest before it.
    fn check(&mut self, epoch: u64) -> (Status, u64) {
        let before = *self.highest;
        let mut code = step(before, epoch, self.cap);
        if let Some((recorded, claimant)) = &mut self.holder {
            if code == Status::Current && recorded.as_ref().is_some_and(|h| *h != *claimant) {
                code = Status::Conflict;
            } else if accepts(code) {
                **recorded = Some(claimant.clone());
            }
        }
        if code == Status::Advanced {
            *self.highest = epoch;
        }
        (code, before)
    }

    /// A new reign at `max(floor, highest + 1)`, for the holder on a holder gate; nothing
    /// changes at the top.
    fn promote(&mut self, floor: u64) -> Result<u64, Status> {
        let next = self
            .highest
            .checked_add(1)
            .ok_or(Status::EpochOverflow)?
            .max(floor);
        *self.highest = next;
        if let Some((recorded, claimant)) = &mut self.holder {
            **recorded = Some(claimant.clone());
        }
        Ok(next)
    }

    /// The recorded holder, as a CONFLICT names it ("" without one).
    fn recorded(&self) -> Vec<u8> {
        self.holder
            .as_ref()
            .and_then(|(recorded, _)| (**recorded).clone())
            .unwrap_or_default()
    }
}

const SENTINEL: u64 = 0x5EA5_EA5E_A5EA_5EA5;

fn fresh_verdict() -> TaelVerdict {
    TaelVerdict {
        code: TaelStatus(u32::MAX),
        accepted: true,
        epoch: SENTINEL,
        highest: SENTINEL,
        from: SENTINEL,
        cap: SENTINEL,
        holder: [0x5A; TAEL_ID_FIELD_BYTES],
    }
}

fn is_untouched(v: &TaelVerdict) -> bool {
    v.code == TaelStatus(u32::MAX) && v.epoch == SENTINEL && v.from == SENTINEL
}

/// A verdict as written, against the model's: its code, the epoch offered, the highest before,
/// the cap and the recorded holder (named only by a CONFLICT).
fn check_verdict(
    v: &TaelVerdict,
    code: Status,
    epoch: u64,
    before: u64,
    cap: Option<u64>,
    holder: &[u8],
) {
    let advanced = code == Status::Advanced;
    assert_eq!(v.code, st(code));
    assert_eq!(v.accepted, accepts(code));
    assert_eq!(v.epoch, epoch);
    assert_eq!(v.highest, if advanced { epoch } else { before });
    assert_eq!(v.from, if advanced { before } else { 0 });
    let too_far = code == Status::TooFarAhead;
    assert_eq!(v.cap, if too_far { cap.unwrap_or(0) } else { 0 });
    let conflict = code == Status::Conflict;
    assert_eq!(field(&v.holder), if conflict { holder } else { &b""[..] });
}

fn field(holder: &[c_char; TAEL_ID_FIELD_BYTES]) -> Vec<u8> {
    // SAFETY: the library NUL-terminates the field.
    unsafe { CStr::from_ptr(holder.as_ptr()) }
        .to_bytes()
        .to_vec()
}

/// A handle the harness owns, freed when dropped (or replaced).
struct Owned<T> {
    ptr: *mut T,
    free: unsafe extern "C" fn(*mut T),
}

impl<T> Owned<T> {
    fn new(ptr: *mut T, free: unsafe extern "C" fn(*mut T)) -> Owned<T> {
        assert!(!ptr.is_null(), "no handle: {}", last_error());
        Owned { ptr, free }
    }

    /// The handle, or NULL when asked.
    fn or_null(&self, null: bool) -> *const T {
        or_null(self.ptr, null)
    }
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: a live handle from its own constructor, freed once.
        unsafe { (self.free)(self.ptr) }
    }
}

/// A handle and the model of what it holds: its jump cap and its state.
struct Model<H, S> {
    handle: Owned<H>,
    cap: Option<u64>,
    state: S,
}

impl<H, S> Model<H, S> {
    fn new(ptr: *mut H, free: unsafe extern "C" fn(*mut H), cap: Option<u64>, state: S) -> Self {
        let handle = Owned::new(ptr, free);
        Model { handle, cap, state }
    }
}

/// The holder gate's state: its highest epoch and the holder recorded for it.
struct Reign {
    highest: u64,
    holder: Option<Vec<u8>>,
}

/// The epoch gate, with its highest epoch.
type Fencer = Model<TaelFencer, u64>;
type Holder = Model<TaelHolderFencer, Reign>;
/// The registry, with every stream's highest epoch.
type Registry = Model<TaelRegistry, BTreeMap<Vec<u8>, u64>>;
/// An epoch history, with its entries (it has no jump cap).
type History = Model<TaelEpochHistory, Vec<EpochEntry>>;

fn empty_history() -> History {
    let mut h: *mut TaelEpochHistory = ptr::null_mut();
    // SAFETY: (NULL, 0) is no entry; the out-parameter is writable.
    let s = known(unsafe { tael_epoch_history_new(ptr::null(), 0, &mut h) });
    assert_eq!(s, st(Status::Ok));
    Model::new(h, tael_epoch_history_free, None, Vec::new())
}

// ---- the model of an epoch history (SEMANTICS.md §15) ------------------------------------------

/// The JSON form, written here: u64s as decimal strings, `holder` only where recorded.
fn history_json(entries: &[EpochEntry]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|e| {
            let holder = e.holder.as_ref().map_or(String::new(), |h| {
                format!(
                    r#","holder":{}"#,
                    serde_json::to_string(h).expect("a string")
                )
            });
            format!(
                r#"{{"epoch":"{}","start_offset":"{}"{holder}}}"#,
                e.epoch, e.start_offset
            )
        })
        .collect();
    format!(r#"{{"entries":[{}]}}"#, items.join(","))
}

/// The model's entries as the core's history, for what the core answers about them.
fn core_history(entries: &[EpochEntry]) -> EpochHistory {
    EpochHistory::from_entries(entries.to_vec()).expect("the model keeps the rules")
}

/// An optional holder as passed: none, or (NULL, 0), is no holder; NULL with a length is
/// NULL_POINTER; otherwise its bytes, not yet checked.
fn holder_arg(a: Option<&Arg>) -> Result<Option<&[u8]>, Status> {
    match a {
        None => Ok(None),
        Some(a) if a.null && a.len == 0 => Ok(None),
        Some(a) if a.null => Err(Status::NullPointer),
        Some(a) => Ok(Some(a.text())),
    }
}

/// A holder's bytes as an id (SEMANTICS.md §2).
fn holder_id(bytes: Option<&[u8]>) -> Result<Option<String>, Status> {
    bytes
        .map(|b| match id_status(b) {
            Some(bad) => Err(bad),
            None => Ok(String::from_utf8(b.to_vec()).expect("an id is UTF-8")),
        })
        .transpose()
}

/// What tael_epoch_history_entry writes for an entry.
fn entry_copy(e: &EpochEntry) -> TaelEpochEntryCopy {
    let mut holder = [0 as c_char; TAEL_ID_FIELD_BYTES];
    let bytes = e.holder.as_deref().unwrap_or("").as_bytes();
    for (slot, &b) in holder.iter_mut().zip(bytes) {
        *slot = b as c_char;
    }
    TaelEpochEntryCopy {
        epoch: e.epoch,
        start_offset: e.start_offset,
        has_holder: e.holder.is_some(),
        holder,
    }
}

fn fresh_copy() -> TaelEpochEntryCopy {
    TaelEpochEntryCopy {
        epoch: SENTINEL,
        start_offset: SENTINEL,
        has_holder: true,
        holder: [0x5A; TAEL_ID_FIELD_BYTES],
    }
}

// ---- the model of `established` (SEMANTICS.md §16) ---------------------------------------------

impl VerdictArg {
    /// The struct as passed for a reign at `reign`.
    fn verdict(&self, reign: u64) -> TaelVerdict {
        // Mostly the six verdicts' codes (CURRENT to CONFLICT, and CLOSED), else any small one.
        let code = match self.code {
            n @ 0..=199 => [1, 2, 3, 4, 5, 23][usize::from(n % 6)],
            n => u32::from(n - 200),
        };
        let mut holder = [0 as c_char; TAEL_ID_FIELD_BYTES];
        let bytes = match &self.holder {
            HolderField::Name(i) => NAMES[usize::from(*i) % NAMES.len()],
            HolderField::Raw(bytes) => &bytes[..],
        };
        for (slot, &b) in holder.iter_mut().zip(bytes) {
            *slot = b as c_char;
        }
        let known = Status::from_number(code).filter(|s| s.is_verdict());
        TaelVerdict {
            code: TaelStatus(code),
            accepted: self.accepted.unwrap_or(known.is_some_and(accepts)),
            epoch: self.epoch.map_or(reign, U64::get),
            highest: self.highest.get(),
            from: self.from.get(),
            cap: self.cap.get(),
            holder,
        }
    }
}

/// Whether the reign at `epoch` is established by `verdicts` in a group of `configured`, or the
/// status the call must fail with: in order, each verdict's code (a verdict's, else
/// INVALID_ARGUMENT), a CONFLICT's or CLOSED's holder (its field up to the first NUL, an id),
/// `accepted` (agreeing with the code, else INVALID_ARGUMENT). A vote is an accepted code at
/// `epoch`; a strict majority of `configured` establishes.
fn established(epoch: u64, verdicts: &[TaelVerdict], configured: u64) -> Result<bool, Status> {
    let mut votes = 0u128;
    for v in verdicts {
        let code = Status::from_number(v.code.0)
            .filter(|s| s.is_verdict())
            .ok_or(Status::InvalidArgument)?;
        // The two verdicts that name a holder.
        if matches!(code, Status::Conflict | Status::Closed) {
            let field = bytes_of(&v.holder);
            let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
            checked(false, id_status(&field[..end]))?;
        }
        if v.accepted != accepts(code) {
            return Err(Status::InvalidArgument);
        }
        if accepts(code) && v.epoch == epoch {
            votes += 1;
        }
    }
    Ok(votes * 2 > u128::from(configured))
}

const FRESH_TRUNCATION: TaelTruncation = TaelTruncation {
    offset: SENTINEL,
    done: true,
};

fn status_of(e: tael::Error) -> Status {
    e.status()
}

struct World {
    fencer: Fencer,
    holder: Holder,
    registry: Registry,
    histories: [History; 2],
}

impl World {
    fn new() -> World {
        World {
            fencer: Model::new(tael_fencer_new(0), tael_fencer_free, None, 0),
            holder: Model::new(
                tael_holder_fencer_new(0),
                tael_holder_fencer_free,
                None,
                Reign {
                    highest: 0,
                    holder: None,
                },
            ),
            registry: Model::new(
                tael_registry_new(),
                tael_registry_free,
                None,
                BTreeMap::new(),
            ),
            histories: [empty_history(), empty_history()],
        }
    }

    fn history(&self, which: bool) -> &History {
        &self.histories[usize::from(which)]
    }

    /// A history handle read back through the C API: its length, every entry, its latest
    /// epoch and its JSON, against the model.
    fn verify_history(h: &History) {
        let p = h.handle.or_null(false);
        // SAFETY (every call here): a live handle, writable out-parameters.
        let len = got(usize::MAX, false, false, |o| unsafe {
            tael_epoch_history_len(p, o)
        });
        assert_eq!(len, Some(h.state.len()));
        for (i, e) in h.state.iter().enumerate() {
            let copy = got(fresh_copy(), false, false, |o| unsafe {
                tael_epoch_history_entry(p, i, o)
            });
            assert_eq!(copy, Some(entry_copy(e)));
        }
        let mut epoch = SENTINEL;
        // SAFETY: as above.
        let s = known(unsafe { tael_epoch_history_latest_epoch(p, &mut epoch) });
        let latest = h.state.last().map(|e| e.epoch);
        answered(s, latest.ok_or(Status::UndefinedEpoch), epoch, SENTINEL);
        // SAFETY: as above.
        alloc_answer(false, Ok(history_json(&h.state)), |o| unsafe {
            tael_epoch_history_to_json_alloc(p, o)
        });
    }

    /// Read every handle back through the C API and compare it with the model.
    fn verify(&self) {
        for kind in KINDS {
            self.read(kind, false, false);
            self.jump_cap(kind, false, false, false);
        }
        for h in &self.histories {
            World::verify_history(h);
        }
        let r = self.registry.handle.or_null(false);
        for (name, &mark) in &self.registry.state {
            let (p, n) = (name.as_ptr().cast::<c_char>(), name.len());
            // SAFETY: a live handle, a readable name and writable out-parameters.
            let highest = got(SENTINEL, false, false, |o| unsafe {
                tael_registry_highest(r, p, n, o)
            });
            assert_eq!(highest, Some(mark));
            // SAFETY: as above.
            let held = got(false, false, false, |o| unsafe {
                tael_registry_contains(r, p, n, o)
            });
            assert_eq!(held, Some(true));
        }
    }

    /// The getters of a handle (a live one or NULL; the out-parameter or NULL), against the
    /// model.
    fn read(&self, kind: Kind, null: bool, null_out: bool) {
        // SAFETY (every call here): a live handle or NULL, the out-parameter writable or NULL.
        match kind {
            Kind::Fencer => {
                let f = self.fencer.handle.or_null(null);
                if let Some(h) = got(SENTINEL, null, null_out, |o| unsafe {
                    tael_fencer_highest(f, o)
                }) {
                    assert_eq!(h, self.fencer.state);
                }
            }
            Kind::Holder => {
                let g = self.holder.handle.or_null(null);
                if let Some(h) = got(SENTINEL, null, null_out, |o| unsafe {
                    tael_holder_fencer_highest(g, o)
                }) {
                    assert_eq!(h, self.holder.state.highest);
                }
                let fresh = TaelHolderState {
                    highest: SENTINEL,
                    has_holder: true,
                    holder: [0x5A; TAEL_ID_FIELD_BYTES],
                };
                if let Some(state) = got(fresh, null, null_out, |o| unsafe {
                    tael_holder_fencer_state(g, o)
                }) {
                    let recorded = self.holder.state.holder.clone();
                    assert_eq!(state.highest, self.holder.state.highest);
                    assert_eq!(state.has_holder, recorded.is_some());
                    assert_eq!(field(&state.holder), recorded.unwrap_or_default());
                }
            }
            Kind::Registry => {
                let r = self.registry.handle.or_null(null);
                if let Some(n) = got(usize::MAX, null, null_out, |o| unsafe {
                    tael_registry_len(r, o)
                }) {
                    assert_eq!(n, self.registry.state.len());
                }
            }
        }
    }

    /// A handle's jump cap, each pointer NULL when asked, against the model.
    fn jump_cap(&self, kind: Kind, null: bool, null_has: bool, null_cap: bool) {
        let (mut has, mut cap) = (false, SENTINEL);
        let (h, c) = (out(&mut has, null_has), out(&mut cap, null_cap));
        // SAFETY: a live handle or NULL; the out-parameters writable or NULL.
        let s = known(unsafe {
            match kind {
                Kind::Fencer => tael_fencer_jump_cap(self.fencer.handle.or_null(null), h, c),
                Kind::Holder => tael_holder_fencer_jump_cap(self.holder.handle.or_null(null), h, c),
                Kind::Registry => tael_registry_jump_cap(self.registry.handle.or_null(null), h, c),
            }
        });
        let model = match kind {
            Kind::Fencer => self.fencer.cap,
            Kind::Holder => self.holder.cap,
            Kind::Registry => self.registry.cap,
        };
        let want = checked(null || null_has || null_cap, None)
            .map(|()| (model.is_some(), model.unwrap_or(0)));
        answered(s, want, (has, cap), (false, SENTINEL));
    }

    /// The model's gate a gate call on `t` reaches, or the status the call must fail with:
    /// NULL_POINTER (`null`: the handle or the out-parameter; or the text's pointer), then a
    /// holder that is not an id or a stream name that is not UTF-8, then an unknown stream.
    fn gate(&mut self, t: &Target, null: bool) -> Result<Gate<'_>, Status> {
        Ok(match t {
            Target::Fencer => {
                checked(null, None)?;
                let f = &mut self.fencer;
                Gate {
                    highest: &mut f.state,
                    cap: f.cap,
                    holder: None,
                }
            }
            Target::Holder(a) => {
                a.checked(null, id_status)?;
                let g = &mut self.holder;
                Gate {
                    highest: &mut g.state.highest,
                    cap: g.cap,
                    holder: Some((&mut g.state.holder, a.text().to_vec())),
                }
            }
            Target::Stream(a) => {
                a.checked(null, utf8_status)?;
                let r = &mut self.registry;
                Gate {
                    highest: r.state.get_mut(a.text()).ok_or(Status::UnknownStream)?,
                    cap: r.cap,
                    holder: None,
                }
            }
        })
    }

    /// Make a gate call on `t`, the handle NULL when asked.
    ///
    /// # Safety
    ///
    /// The out-parameter in `op` is NULL or writable.
    unsafe fn c_gate(&self, t: &Target, null: bool, op: Op) -> TaelStatus {
        let f = self.fencer.handle.or_null(null);
        let g = self.holder.handle.or_null(null);
        let r = self.registry.handle.or_null(null);
        // SAFETY: live handles or NULL; texts NULL or readable for their lengths; the caller's
        // contract above.
        unsafe {
            match (t, op) {
                (Target::Fencer, Op::Check(e, o)) => tael_fencer_check(f, e, o),
                (Target::Fencer, Op::Accept(e, o)) => tael_fencer_check_and_advance(f, e, o),
                (Target::Fencer, Op::Promote(None, o)) => tael_fencer_promote(f, o),
                (Target::Fencer, Op::Promote(Some(x), o)) => {
                    tael_fencer_promote_to_at_least(f, x, o)
                }
                (Target::Holder(a), Op::Check(e, o)) => {
                    tael_holder_fencer_check(g, e, a.ptr(), a.len, o)
                }
                (Target::Holder(a), Op::Accept(e, o)) => {
                    tael_holder_fencer_check_and_advance(g, e, a.ptr(), a.len, o)
                }
                (Target::Holder(a), Op::Promote(None, o)) => {
                    tael_holder_fencer_promote(g, a.ptr(), a.len, o)
                }
                (Target::Holder(a), Op::Promote(Some(x), o)) => {
                    tael_holder_fencer_promote_to_at_least(g, x, a.ptr(), a.len, o)
                }
                (Target::Stream(a), Op::Check(e, o)) => {
                    tael_registry_check(r, a.ptr(), a.len, e, o)
                }
                (Target::Stream(a), Op::Accept(e, o)) => {
                    tael_registry_check_and_advance(r, a.ptr(), a.len, e, o)
                }
                (Target::Stream(a), Op::Promote(None, o)) => {
                    tael_registry_promote(r, a.ptr(), a.len, o)
                }
                (Target::Stream(a), Op::Promote(Some(x), o)) => {
                    tael_registry_promote_to_at_least(r, a.ptr(), a.len, x, o)
                }
            }
        }
    }

    /// A text answer's inputs as passed, and what the library must answer: the model's
    /// snapshot, or what the core decides or normalizes.
    fn asked(&self, answer: &Answer) -> (Asked, Result<String, Status>) {
        match answer {
            Answer::Snapshot { null } => (
                Asked::Snapshot(self.registry.handle.or_null(*null)),
                checked(*null, None).map(|()| self.snapshot_json()),
            ),
            Answer::Decisions { view, policy } => {
                let (v, p) = (doc(view), doc(policy));
                let want = decide(&v, &p);
                (Asked::Decisions(v, p), want)
            }
            Answer::Normalized { view } => {
                let v = doc(view);
                let want = view_of(&v).map(|view| view.to_json());
                (Asked::Normalized(v), want)
            }
            Answer::History { which, null } => {
                let h = self.history(*which);
                let want = checked(*null, None).map(|()| history_json(&h.state));
                (Asked::History(h.handle.or_null(*null)), want)
            }
        }
    }

    #[allow(clippy::too_many_lines)]
    fn run(&mut self, call: &Call) {
        match call {
            Call::ElectLeader {
                ids,
                null_array,
                null_out,
            } => {
                let owned: Vec<Option<CString>> =
                    ids.iter().map(|id| id.as_deref().map(c_string)).collect();
                let ptrs: Vec<*const c_char> = owned.iter().map(doc_ptr).collect();
                let (array, mut index) = (or_null(ptrs.as_ptr(), *null_array), usize::MAX);
                // SAFETY: `ptrs` holds `len` pointers, each NULL or NUL-terminated.
                let s = known(unsafe {
                    tael_elect_leader(array, ptrs.len(), out(&mut index, *null_out))
                });
                // Each id in order: its pointer, then its text; the first bad one decides.
                let bad = owned.iter().find_map(|id| {
                    id.as_ref()
                        .map_or(Some(Status::NullPointer), |c| id_status(c.as_bytes()))
                });
                let want = checked(*null_out || (*null_array && !ptrs.is_empty()), bad)
                    .and_then(|()| leader(owned.iter().flatten().map(|c| c.as_bytes())));
                answered(s, want, index, usize::MAX);
            }
            Call::ElectLeaderN {
                ids,
                null_ids,
                null_lens,
                null_out,
            } => {
                let args: Vec<Arg> = ids.iter().map(Arg::new).collect();
                let ptrs: Vec<*const c_char> = args.iter().map(Arg::ptr).collect();
                let lens: Vec<usize> = args.iter().map(|a| a.len).collect();
                let (p, l) = (
                    or_null(ptrs.as_ptr(), *null_ids),
                    or_null(lens.as_ptr(), *null_lens),
                );
                let mut index = usize::MAX;
                // SAFETY: both arrays hold `len` elements; each id NULL or readable for its length.
                let s = known(unsafe {
                    tael_elect_leader_n(p, l, args.len(), out(&mut index, *null_out))
                });
                // Each id is checked in order: its pointer, then its text.
                let bad = args.iter().find_map(|a| a.checked(false, id_status).err());
                let arrays = !args.is_empty() && (*null_ids || *null_lens);
                let want = checked(*null_out || arrays, bad)
                    .and_then(|()| leader(args.iter().map(Arg::text)));
                answered(s, want, index, usize::MAX);
            }
            Call::IdValidate(t) => {
                let a = Arg::new(t);
                // SAFETY: the pointer is NULL or readable for the length.
                let s = known(unsafe { tael_id_validate(a.ptr(), a.len) });
                answered(s, a.checked(false, id_status), (), ());
            }
            Call::U64Parse(t, null_out) => {
                let (a, mut value) = (Arg::new(t), SENTINEL);
                // SAFETY: as above; the out-parameter writable or NULL, here and below.
                let s =
                    known(unsafe { tael_u64_parse(a.ptr(), a.len, out(&mut value, *null_out)) });
                let want = a
                    .checked(*null_out, utf8_status)
                    .and_then(|()| canonical_u64(a.text()).ok_or(Status::InvalidEpoch));
                answered(s, want, value, SENTINEL);
            }
            Call::New(kind, highest, cap) => {
                let (h, c) = (highest.get(), cap.map(U64::get));
                // The old handle is freed as its model is replaced.
                match kind {
                    Kind::Fencer => {
                        let new = c.map_or_else(
                            || tael_fencer_new(h),
                            |c| tael_fencer_new_with_jump_cap(h, c),
                        );
                        self.fencer = Model::new(new, tael_fencer_free, c, h);
                    }
                    Kind::Holder => {
                        let capped = |c| tael_holder_fencer_new_with_jump_cap(h, c);
                        let new = c.map_or_else(|| tael_holder_fencer_new(h), capped);
                        let reign = Reign {
                            highest: h,
                            holder: None,
                        };
                        self.holder = Model::new(new, tael_holder_fencer_free, c, reign);
                    }
                    Kind::Registry => {
                        let new = c.map_or_else(
                            || tael_registry_new(),
                            |c| tael_registry_new_with_jump_cap(c),
                        );
                        self.registry = Model::new(new, tael_registry_free, c, BTreeMap::new());
                    }
                }
            }
            Call::HolderResume {
                highest,
                holder,
                cap,
                null_out,
            } => {
                let (h, a, c) = (highest.get(), Arg::new(holder), cap.map(U64::get));
                let cap_ptr = c.as_ref().map_or(ptr::null(), ptr::from_ref);
                let mut fresh: *mut TaelHolderFencer = ptr::dangling_mut();
                // SAFETY: the holder and the cap NULL or readable, the out-parameter as above.
                let s = known(unsafe {
                    tael_holder_fencer_new_with_holder(
                        h,
                        a.ptr(),
                        a.len,
                        cap_ptr,
                        out(&mut fresh, *null_out),
                    )
                });
                // An invalid holder makes no gate, and no handle is written.
                let want = a.checked(*null_out, id_status);
                answered(s, want.map(|()| fresh), fresh, ptr::dangling_mut());
                if want.is_ok() {
                    assert_ne!(fresh, ptr::dangling_mut(), "no handle was written");
                    let reign = Reign {
                        highest: h,
                        holder: Some(a.text().to_vec()),
                    };
                    self.holder = Model::new(fresh, tael_holder_fencer_free, c, reign);
                }
            }
            Call::Check {
                on,
                null,
                epoch,
                null_out,
            } => {
                let (t, e, mut v) = (Target::new(on), epoch.get(), fresh_verdict());
                // SAFETY: the verdict is live across the call.
                let s =
                    known(unsafe { self.c_gate(&t, *null, Op::Check(e, out(&mut v, *null_out))) });
                match self.gate(&t, *null || *null_out) {
                    Ok(mut g) => {
                        let (code, before) = g.check(e);
                        assert_eq!(s, st(code));
                        check_verdict(&v, code, e, before, g.cap, &g.recorded());
                    }
                    Err(bad) => {
                        assert_eq!(s, st(bad));
                        assert!(is_untouched(&v));
                    }
                }
            }
            Call::Accept {
                on,
                null,
                epoch,
                null_out,
            } => {
                let (t, e, mut accepted) = (Target::new(on), epoch.get(), false);
                let o = Op::Accept(e, out(&mut accepted, *null_out));
                // SAFETY: `accepted` is live across the call.
                let s = known(unsafe { self.c_gate(&t, *null, o) });
                let want = self
                    .gate(&t, *null || *null_out)
                    .map(|mut g| accepts(g.check(e).0));
                answered(s, want, accepted, false);
            }
            Call::Promote {
                on,
                null,
                floor,
                null_out,
            } => {
                let (t, floor, mut epoch) = (Target::new(on), floor.map(U64::get), SENTINEL);
                let o = Op::Promote(floor, out(&mut epoch, *null_out));
                // SAFETY: `epoch` is live across the call.
                let s = known(unsafe { self.c_gate(&t, *null, o) });
                let want = self
                    .gate(&t, *null || *null_out)
                    .and_then(|mut g| g.promote(floor.unwrap_or(0)));
                answered(s, want, epoch, SENTINEL);
            }
            Call::Read {
                kind,
                null,
                null_out,
            } => self.read(*kind, *null, *null_out),
            Call::JumpCap {
                kind,
                null,
                null_has,
                null_cap,
            } => self.jump_cap(*kind, *null, *null_has, *null_cap),
            Call::RegistryAdd {
                null,
                stream,
                highest,
            } => {
                let (a, h) = (Arg::new(stream), highest.get());
                let r = self.registry.handle.or_null(*null);
                // SAFETY: a live handle or NULL; the name NULL or readable for its length.
                let s = known(unsafe { tael_registry_add(r, a.ptr(), a.len, h) });
                let streams = &mut self.registry.state;
                let want = a.checked(*null, id_status).and_then(|()| {
                    match streams.entry(a.text().to_vec()) {
                        Entry::Occupied(_) => Err(Status::StreamExists),
                        Entry::Vacant(slot) => {
                            slot.insert(h);
                            Ok(())
                        }
                    }
                });
                answered(s, want, (), ());
            }
            Call::RegistryLookup {
                null,
                stream,
                null_out,
                lookup,
            } => {
                let (a, r) = (Arg::new(stream), self.registry.handle.or_null(*null));
                let (mut mark, mut held) = (SENTINEL, false);
                let (m, h) = (out(&mut mark, *null_out), out(&mut held, *null_out));
                // SAFETY: a live handle or NULL; the name NULL or readable for its length.
                let s = known(unsafe {
                    match lookup {
                        Lookup::Highest => tael_registry_highest(r, a.ptr(), a.len, m),
                        Lookup::Remove => tael_registry_remove(r, a.ptr(), a.len, m),
                        Lookup::Contains => tael_registry_contains(r, a.ptr(), a.len, h),
                    }
                });
                let streams = &mut self.registry.state;
                let want = a.checked(*null || *null_out, utf8_status).and_then(|()| {
                    let found = streams.get(a.text()).copied();
                    match lookup {
                        // Any UTF-8 name, an id or not, is simply held or not.
                        Lookup::Contains => return Ok((SENTINEL, found.is_some())),
                        Lookup::Remove => drop(streams.remove(a.text())),
                        Lookup::Highest => {}
                    }
                    Ok((found.ok_or(Status::UnknownStream)?, false))
                });
                answered(s, want, (mark, held), (SENTINEL, false));
            }
            Call::RegistryRestore { null, doc: d } => {
                let text = doc(d);
                let r = self.registry.handle.or_null(*null);
                // SAFETY: a live handle or NULL; the document NULL or NUL-terminated.
                let s = known(unsafe { tael_registry_restore(r, doc_ptr(&text)) });
                let want = checked(*null, None)
                    .and_then(|()| doc_text(&text))
                    .and_then(|t| tael::Snapshot::from_json(t).map_err(|e| e.status()));
                // Each stream is added at its mark or raised to it, never lowered.
                let streams = &mut self.registry.state;
                for (name, mark) in want.iter().flat_map(|snapshot| &snapshot.streams) {
                    let slot = streams.entry(name.clone().into_bytes()).or_insert(0);
                    *slot = (*slot).max(mark.0);
                }
                answered(s, want.map(drop), (), ());
            }
            Call::Text {
                answer,
                cap,
                null_buf,
                null_len,
            } => {
                let (asked, want) = self.asked(answer);
                // SAFETY: the buffer NULL or writable for `cap`; `len` NULL or writable.
                text_answer(*cap, *null_buf, *null_len, want, |b, c, l| unsafe {
                    asked.call(Dest::Buf(b, c, l))
                });
            }
            Call::Alloc { answer, null_out } => {
                let (asked, want) = self.asked(answer);
                // SAFETY: the out-parameter NULL or writable.
                alloc_answer(*null_out, want, |o| unsafe { asked.call(Dest::Alloc(o)) });
            }
            Call::NextEpoch {
                view,
                group,
                null_out,
            } => {
                let (v, a, mut epoch) = (doc(view), Arg::new(group), SENTINEL);
                // SAFETY: the document NULL or NUL-terminated; the group NULL or readable.
                let s = known(unsafe {
                    tael_next_epoch(doc_ptr(&v), a.ptr(), a.len, out(&mut epoch, *null_out))
                });
                // Every pointer (the out-parameter's, the view's, the group's), then each text
                // in order (the view's, the group's), then the core.
                let want = a
                    .checked(*null_out || v.is_none(), |_| None)
                    .and_then(|()| Ok((doc_text(&v)?, utf8(a.text())?)))
                    .and_then(|(text, group)| {
                        let view = tael::View::from_json(text).map_err(|e| e.status())?;
                        tael::next_epoch(&view, group).map_err(|e| e.status())
                    });
                answered(s, want, epoch, SENTINEL);
            }
            Call::Rendezvous {
                group,
                id,
                null_out,
            } => {
                let (g, i, mut score) = (Arg::new(group), Arg::new(id), SENTINEL);
                // SAFETY: both texts NULL or readable for their lengths.
                let s = known(unsafe {
                    tael_rendezvous_score(
                        g.ptr(),
                        g.len,
                        i.ptr(),
                        i.len,
                        out(&mut score, *null_out),
                    )
                });
                let null = *null_out || g.is_null_error() || i.is_null_error();
                let bad = utf8_status(g.text()).or_else(|| utf8_status(i.text()));
                let want = checked(null, bad).map(|()| rendezvous(g.text(), i.text()));
                answered(s, want, score, SENTINEL);
            }
            Call::Established {
                epoch,
                verdicts,
                configured,
                bad,
            } => {
                let [null_verdicts, huge, null_out] = nulls(*bad);
                let (e, c) = (epoch.get(), configured.get());
                let structs: Vec<TaelVerdict> = verdicts.iter().map(|v| v.verdict(e)).collect();
                // A length whose array would pass isize::MAX bytes: refused before any read.
                let len = if huge {
                    isize::MAX as usize / 8
                } else {
                    structs.len()
                };
                let p = or_null(structs.as_ptr(), null_verdicts);
                // A byte that is neither false nor true until the call writes a bool there.
                let mut answer = 0x5Au8;
                let o = or_null_mut(ptr::addr_of_mut!(answer).cast::<bool>(), null_out);
                // SAFETY: `structs` holds `len` verdicts (or `len` is refused unread); the
                // out-parameter is NULL or one writable byte.
                let s = known(unsafe { tael_established(e, p, len, c, o) });
                // The out-parameter, the array, then each verdict in order.
                let want = checked(null_out, None).and_then(|()| {
                    if len == 0 {
                        established(e, &[], c)
                    } else if null_verdicts {
                        Err(Status::NullPointer)
                    } else if huge {
                        Err(Status::InvalidArgument)
                    } else {
                        established(e, &structs, c)
                    }
                });
                answered(s, want.map(u8::from), answer, 0x5A);
            }
            Call::Info(n) => {
                // These leave the last error as it is.
                let before = last_error();
                let status = Status::from_number(*n);
                // SAFETY: static NUL-terminated strings.
                let (name, version) = unsafe {
                    (
                        CStr::from_ptr(tael_status_name(TaelStatus(*n))),
                        CStr::from_ptr(tael_version()),
                    )
                };
                let want = status.map_or("UNKNOWN", Status::name);
                assert_eq!(name.to_bytes(), want.as_bytes());
                assert_eq!(
                    tael_status_is_verdict(TaelStatus(*n)),
                    status.is_some_and(Status::is_verdict)
                );
                assert_eq!(version.to_bytes(), tael::VERSION.as_bytes());
                assert_eq!(tael_abi_version(), TAEL_ABI_VERSION);
                assert_eq!(last_error(), before);
            }
            Call::HistoryNew {
                which,
                entries,
                ascending,
                bad,
            } => {
                let [null_entries, huge, null_out] = nulls(*bad);
                let args: Vec<Option<Arg>> = entries
                    .iter()
                    .map(|e| e.holder.as_ref().map(Arg::new))
                    .collect();
                let mut values: Vec<(u64, u64)> = Vec::with_capacity(entries.len());
                for e in entries {
                    let (epoch, start) = (e.epoch.get(), e.start.get());
                    let prev = values.last().copied().filter(|_| *ascending);
                    values.push(prev.map_or((epoch, start), |(pe, ps)| {
                        (pe.saturating_add(epoch), ps.saturating_add(start))
                    }));
                }
                let structs: Vec<TaelEpochEntry> = values
                    .iter()
                    .zip(&args)
                    .map(|(&(epoch, start_offset), a)| TaelEpochEntry {
                        epoch,
                        start_offset,
                        holder: a.as_ref().map_or(ptr::null(), Arg::ptr),
                        holder_len: a.as_ref().map_or(0, |a| a.len),
                    })
                    .collect();
                // A length whose array would pass isize::MAX bytes: refused before any read.
                let len = if huge {
                    isize::MAX as usize / 8
                } else {
                    structs.len()
                };
                let p = or_null(structs.as_ptr(), null_entries);
                let mut fresh: *mut TaelEpochHistory = ptr::dangling_mut();
                // SAFETY: `structs` holds `len` entries (or `len` is refused unread), each
                // holder NULL or readable for its length; the out-parameter writable or NULL.
                let s = known(unsafe { tael_epoch_history_new(p, len, out(&mut fresh, null_out)) });
                // The out-parameter, the array, every holder's pointer, then every holder as an
                // id, in order, then the rules.
                let want = checked(null_out, None).and_then(|()| {
                    if len == 0 {
                        return Ok(Vec::new());
                    }
                    if null_entries {
                        return Err(Status::NullPointer);
                    }
                    if huge {
                        return Err(Status::InvalidArgument);
                    }
                    let bytes: Vec<Option<&[u8]>> = args
                        .iter()
                        .map(|a| holder_arg(a.as_ref()))
                        .collect::<Result<_, _>>()?;
                    let holders: Vec<Option<String>> =
                        bytes.into_iter().map(holder_id).collect::<Result<_, _>>()?;
                    let list: Vec<EpochEntry> = values
                        .iter()
                        .zip(holders)
                        .map(|(&(epoch, start_offset), holder)| EpochEntry {
                            epoch,
                            start_offset,
                            holder,
                        })
                        .collect();
                    if model::increasing(&list) {
                        Ok(list)
                    } else {
                        Err(Status::InvalidHistory)
                    }
                });
                self.made(*which, s, want, fresh);
            }
            Call::HistoryFromJson {
                which,
                doc: d,
                null_out,
            } => {
                let text = doc(d);
                let mut fresh: *mut TaelEpochHistory = ptr::dangling_mut();
                // SAFETY: the document NULL or NUL-terminated; the out-parameter as above.
                let s = known(unsafe {
                    tael_epoch_history_from_json(doc_ptr(&text), out(&mut fresh, *null_out))
                });
                // The out-parameter, the document's pointer, its UTF-8, then the core's reader.
                let want = checked(*null_out, None)
                    .and_then(|()| doc_text(&text))
                    .and_then(|t| EpochHistory::from_json(t).map_err(status_of))
                    .map(|h| h.entries().to_vec());
                self.made(*which, s, want, fresh);
            }
            Call::HistoryAssign {
                which,
                epoch,
                start,
                holder,
                null,
            } => {
                let [null, null_out] = nulls2(*null);
                let (e, o, a) = (epoch.get(), start.get(), holder.as_ref().map(Arg::new));
                let (hp, hl) = a.as_ref().map_or((ptr::null(), 0), |a| (a.ptr(), a.len));
                let h = self.history(*which).handle.or_null(null);
                let mut changed = false;
                // SAFETY: a live handle or NULL; the holder NULL or readable for its length.
                let s = known(unsafe {
                    tael_epoch_history_assign(h, e, o, hp, hl, out(&mut changed, null_out))
                });
                let state = &mut self.histories[usize::from(*which)].state;
                // The out-parameter and the handle, the holder's pointer, then the holder.
                let want = checked(null || null_out, None)
                    .and_then(|()| holder_arg(a.as_ref()))
                    .and_then(holder_id)
                    .map(|holder| {
                        let new = EpochEntry {
                            epoch: e,
                            start_offset: o,
                            holder,
                        };
                        model::assign(state, new)
                    });
                answered(s, want, changed, false);
            }
            Call::HistoryTruncate {
                which,
                offset,
                from_start,
                null,
            } => {
                let [null, null_out] = nulls2(*null);
                let (o, h) = (offset.get(), self.history(*which).handle.or_null(null));
                let mut changed = false;
                let c = out(&mut changed, null_out);
                // SAFETY: a live handle or NULL; the out-parameter writable or NULL.
                let s = known(unsafe {
                    if *from_start {
                        tael_epoch_history_truncate_from_start(h, o, c)
                    } else {
                        tael_epoch_history_truncate_from_end(h, o, c)
                    }
                });
                let state = &mut self.histories[usize::from(*which)].state;
                let want = checked(null || null_out, None).map(|()| {
                    if *from_start {
                        model::truncate_from_start(state, o)
                    } else {
                        model::truncate_from_end(state, o)
                    }
                });
                answered(s, want, changed, false);
            }
            Call::HistoryEndOffsetFor {
                which,
                epoch,
                log_end,
                null,
            } => {
                let [null, null_epoch, null_end] = nulls(*null);
                let model = self.history(*which);
                let (e, end) = (epoch.get(), log_end.get(&model.state));
                let h = model.handle.or_null(null);
                let (mut got_epoch, mut got_end) = (SENTINEL, SENTINEL);
                let (oe, oo) = (out(&mut got_epoch, null_epoch), out(&mut got_end, null_end));
                // SAFETY: a live handle or NULL; the out-parameters writable or NULL.
                let s = known(unsafe { tael_epoch_history_end_offset_for(h, e, end, oe, oo) });
                // Undefined (above the latest epoch, or an empty history) is UNDEFINED_EPOCH.
                let want = checked(null || null_epoch || null_end, None).and_then(|()| {
                    core_history(&model.state)
                        .end_offset_for(e, end)
                        .map_err(status_of)?
                        .ok_or(Status::UndefinedEpoch)
                });
                answered(s, want, (got_epoch, got_end), (SENTINEL, SENTINEL));
            }
            Call::HistoryRead { which, read, null } => {
                let [null, null_out] = nulls2(*null);
                let model = self.history(*which);
                let (h, state) = (model.handle.or_null(null), &model.state);
                let ok = checked(null || null_out, None);
                // SAFETY (each call): a live handle or NULL; the out-parameter writable or NULL.
                match read {
                    HistoryRead::Len => {
                        let mut n = usize::MAX;
                        let s = known(unsafe { tael_epoch_history_len(h, out(&mut n, null_out)) });
                        answered(s, ok.map(|()| state.len()), n, usize::MAX);
                    }
                    HistoryRead::Latest => {
                        let mut e = SENTINEL;
                        let s = known(unsafe {
                            tael_epoch_history_latest_epoch(h, out(&mut e, null_out))
                        });
                        let latest = state.last().map(|e| e.epoch);
                        let want = ok.and_then(|()| latest.ok_or(Status::UndefinedEpoch));
                        answered(s, want, e, SENTINEL);
                    }
                    HistoryRead::Entry(index) => {
                        let i = index.map_or(usize::MAX, |i| usize::from(i % 16));
                        let mut copy = fresh_copy();
                        let s = known(unsafe {
                            tael_epoch_history_entry(h, i, out(&mut copy, null_out))
                        });
                        let want = ok.and_then(|()| {
                            state.get(i).map(entry_copy).ok_or(Status::InvalidArgument)
                        });
                        answered(s, want, copy, fresh_copy());
                    }
                }
            }
            Call::Divergence {
                leader,
                leader_end,
                follower,
                follower_end,
                null,
            } => {
                let [null_leader, null_follower, null_out] = nulls(*null);
                let (l, f) = (self.history(*leader), self.history(*follower));
                let (le, fe) = (leader_end.get(&l.state), follower_end.get(&f.state));
                let mut offset = SENTINEL;
                // SAFETY: live handles (maybe one given twice) or NULL; the out-parameter
                // writable or NULL.
                let s = known(unsafe {
                    tael_divergence_point(
                        l.handle.or_null(null_leader),
                        le,
                        f.handle.or_null(null_follower),
                        fe,
                        out(&mut offset, null_out),
                    )
                });
                let want = checked(null_out || null_leader || null_follower, None).and_then(|()| {
                    let (lh, fh) = (core_history(&l.state), core_history(&f.state));
                    tael::divergence_point(&lh, le, &fh, fe).map_err(status_of)
                });
                answered(s, want, offset, SENTINEL);
            }
            Call::FollowerStep {
                which,
                log_end,
                answer,
                null,
            } => {
                let [null, null_out] = nulls2(*null);
                let model = self.history(*which);
                let end = log_end.get(&model.state);
                let (has, (ae, ax)) = match *answer {
                    StepAnswer::None(e, x) => (false, (e.get(), x.get())),
                    StepAnswer::Given(e, x) => (true, (e.get(), x.get())),
                    StepAnswer::FromLeader(leader_end) => {
                        let leader = &self.history(!*which).state;
                        let latest = model.state.last().map(|e| e.epoch);
                        let lend = leader_end.get(leader);
                        let asked = latest.and_then(|e| {
                            core_history(leader).end_offset_for(e, lend).ok().flatten()
                        });
                        asked.map_or((false, (0, 0)), |a| (true, a))
                    }
                };
                let mut t = FRESH_TRUNCATION;
                // SAFETY: a live handle or NULL; the out-parameter writable or NULL.
                let s = known(unsafe {
                    tael_follower_step(
                        model.handle.or_null(null),
                        end,
                        has,
                        ae,
                        ax,
                        out(&mut t, null_out),
                    )
                });
                let want = checked(null || null_out, None).and_then(|()| {
                    let answer = has.then_some((ae, ax));
                    let step = tael::follower_step(&core_history(&model.state), end, answer);
                    step.map_err(status_of).map(|t| TaelTruncation {
                        offset: t.offset,
                        done: t.done,
                    })
                });
                answered(s, want, t, FRESH_TRUNCATION);
            }
            Call::LastError { cap, null_buf } => {
                let full = last_error();
                let cap = usize::from(*cap % 300);
                let mut buf = vec![0x23 as c_char; cap];
                let p = or_null_mut(buf.as_mut_ptr(), *null_buf);
                // SAFETY: NULL or writable for `cap`.
                let n = unsafe { tael_last_error_message(p, cap) };
                assert_eq!(n, full.len());
                if !*null_buf && cap > 0 {
                    let k = n.min(cap - 1);
                    assert_eq!(buf[k], 0);
                    assert_eq!(bytes_of(&buf[..k]), &full.as_bytes()[..k]);
                }
            }
        }
    }

    /// A new history handle (`tael_epoch_history_new`, `_from_json`): on success it replaces
    /// the history `which` (the old handle is freed), with the model's entries; on failure no
    /// handle was written.
    fn made(
        &mut self,
        which: bool,
        s: TaelStatus,
        want: Result<Vec<EpochEntry>, Status>,
        fresh: *mut TaelEpochHistory,
    ) {
        match want {
            Ok(entries) => {
                assert_eq!(s, st(Status::Ok));
                assert_ne!(fresh, ptr::dangling_mut(), "no handle was written");
                let model = Model::new(fresh, tael_epoch_history_free, None, entries);
                self.histories[usize::from(which)] = model;
            }
            Err(e) => {
                assert_eq!(s, st(e));
                assert_eq!(
                    fresh,
                    ptr::dangling_mut(),
                    "a handle was written on failure"
                );
            }
        }
    }

    /// The model registry's snapshot JSON, as SEMANTICS.md §9 writes it.
    fn snapshot_json(&self) -> String {
        let streams = self
            .registry
            .state
            .iter()
            .map(|(k, &v)| {
                (
                    String::from_utf8(k.clone()).expect("ids are UTF-8"),
                    tael::Mark(v),
                )
            })
            .collect();
        tael::Snapshot { streams }.to_json()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // The handles are freed with their models; NULL is also accepted.
        // SAFETY: NULL.
        unsafe {
            tael_fencer_free(ptr::null_mut());
            tael_holder_fencer_free(ptr::null_mut());
            tael_registry_free(ptr::null_mut());
            tael_epoch_history_free(ptr::null_mut());
            tael_string_free(ptr::null_mut());
        }
    }
}

fuzz_target!(|calls: Vec<Call>| {
    let mut world = World::new();
    for call in calls.iter().take(64) {
        world.run(call);
        world.verify();
    }
});
