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

#![no_main]

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tael::Status;
use tael_coord_c::election::{
    tael_elect_leader, tael_elect_leader_n, tael_id_validate, tael_u64_parse,
};
use tael_coord_c::gates::*;
use tael_coord_c::registry::*;
use tael_coord_c::status::*;
use tael_coord_c::views::*;

extern "C" {
    // Defined in the C crate's private `guard` module; reachable by its symbol, as from C.
    fn tael_string_free(s: *mut c_char);
}

const NAMES: &[&[u8]] = &[b"s", b"t", b"wal-0", "\u{e9}".as_bytes(), b"a\0b", b"\xff"];
const DOCS: &[&str] = &[
    r#"{"groups":{"g":{"members":[{"id":"b","live":true,"epoch":"4"},{"id":"a","live":false,"epoch":"7"}]}}}"#,
    r#"{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":"18446744073709551615"}]},"h":{"members":[]}}}"#,
    r#"{"groups":{}}"#,
    r#"{}"#,
    r#"{"priority":true,"rendezvous":true}"#,
    r#"{"streams":{"s":"9","wal-0":"18446744073709551615"}}"#,
    r#"{"streams":{"":"1"}}"#,
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
    FencerNew(U64, Option<U64>),
    FencerCheck {
        null: bool,
        epoch: U64,
        null_out: bool,
    },
    FencerCheckAndAdvance {
        null: bool,
        epoch: U64,
        null_out: bool,
    },
    FencerPromote {
        null: bool,
        null_out: bool,
    },
    FencerJumpCap {
        null: bool,
        null_has: bool,
        null_cap: bool,
    },
    HolderNew(U64, Option<U64>),
    HolderCheck {
        null: bool,
        epoch: U64,
        holder: Text,
        null_out: bool,
    },
    HolderPromote {
        null: bool,
        holder: Text,
        null_out: bool,
    },
    HolderJumpCap {
        null: bool,
    },
    RegistryNew(Option<U64>),
    RegistryAdd {
        null: bool,
        stream: Text,
        highest: U64,
    },
    RegistryCheck {
        null: bool,
        stream: Text,
        epoch: U64,
        null_out: bool,
    },
    RegistryPromote {
        null: bool,
        stream: Text,
        null_out: bool,
    },
    RegistryHighest {
        null: bool,
        stream: Text,
        null_out: bool,
    },
    RegistryRemove {
        null: bool,
        stream: Text,
        null_out: bool,
    },
    RegistrySnapshot {
        null: bool,
        cap: u16,
        null_buf: bool,
        null_len: bool,
    },
    RegistrySnapshotAlloc {
        null: bool,
        null_out: bool,
    },
    RegistryRestore {
        null: bool,
        doc: Doc,
    },
    ElectLeaders {
        view: Doc,
        policy: Doc,
        cap: u16,
        null_buf: bool,
        null_len: bool,
    },
    ElectLeadersAlloc {
        view: Doc,
        policy: Doc,
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
    StatusName(u32),
    LastError {
        cap: u16,
        null_buf: bool,
    },
}

/// A text's bytes as passed: the pointer (maybe NULL) and the length; `bytes` is what the
/// library may read.
struct Arg {
    bytes: Vec<u8>,
    null: bool,
    len: usize,
}

impl Arg {
    fn new(t: &Text) -> Arg {
        match t {
            Text::Name(i) => {
                let bytes = NAMES[usize::from(*i) % NAMES.len()].to_vec();
                Arg {
                    len: bytes.len(),
                    bytes,
                    null: false,
                }
            }
            Text::Raw(data, cut) => {
                let len = cut.map_or(data.len(), |c| usize::from(c) % (data.len() + 1));
                Arg {
                    bytes: data[..len].to_vec(),
                    null: false,
                    len,
                }
            }
            Text::Null(n) => Arg {
                bytes: Vec::new(),
                null: true,
                len: usize::from(n % 3),
            },
        }
    }

    fn ptr(&self) -> *const c_char {
        if self.null {
            ptr::null()
        } else {
            self.bytes.as_ptr().cast()
        }
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
}

fn doc(d: &Doc) -> Option<CString> {
    match d {
        Doc::Null => None,
        Doc::Raw(bytes) => {
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            Some(CString::new(&bytes[..end]).expect("cut at the first NUL"))
        }
        Doc::Seed(i) => Some(CString::new(DOCS[usize::from(*i) % DOCS.len()]).expect("no NUL")),
    }
}

fn doc_ptr(d: &Option<CString>) -> *const c_char {
    d.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

/// The id rules of SEMANTICS.md §2, written out independently of the core.
fn id_status(bytes: &[u8]) -> Option<Status> {
    match std::str::from_utf8(bytes) {
        Err(_) => Some(Status::InvalidUtf8),
        Ok(s) if s.is_empty() || s.len() > 255 || s.chars().any(char::is_control) => {
            Some(Status::InvalidId)
        }
        Ok(_) => None,
    }
}

fn utf8_status(bytes: &[u8]) -> Option<Status> {
    std::str::from_utf8(bytes)
        .err()
        .map(|_| Status::InvalidUtf8)
}

fn st(s: Status) -> TaelStatus {
    TaelStatus(s.number())
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

struct Fencer {
    handle: *mut TaelFencer,
    highest: u64,
    cap: Option<u64>,
}

struct Holder {
    handle: *mut TaelHolderFencer,
    highest: u64,
    holder: Option<Vec<u8>>,
    cap: Option<u64>,
}

struct Registry {
    handle: *mut TaelRegistry,
    streams: BTreeMap<Vec<u8>, u64>,
    cap: Option<u64>,
}

struct World {
    fencer: Fencer,
    holder: Holder,
    registry: Registry,
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

/// A verdict as written, against the model's (code, highest before).
fn check_verdict(v: &TaelVerdict, code: Status, epoch: u64, before: u64, cap: Option<u64>) {
    assert_eq!(v.code, st(code));
    assert_eq!(
        v.accepted,
        matches!(code, Status::Current | Status::Advanced)
    );
    assert_eq!(v.epoch, epoch);
    let after = if code == Status::Advanced {
        epoch
    } else {
        before
    };
    assert_eq!(v.highest, after);
    assert_eq!(v.from, if code == Status::Advanced { before } else { 0 });
    assert_eq!(
        v.cap,
        if code == Status::TooFarAhead {
            cap.unwrap_or(0)
        } else {
            0
        }
    );
}

fn field(holder: &[c_char; TAEL_ID_FIELD_BYTES]) -> Vec<u8> {
    // SAFETY: the library NUL-terminates the field.
    unsafe { CStr::from_ptr(holder.as_ptr()) }
        .to_bytes()
        .to_vec()
}

/// A text answer into a buffer of exactly `cap` bytes (NULL when asked): BUFFER_TOO_SMALL
/// writes only the length; OK writes the text and its NUL, inside the buffer.
fn text_answer(
    cap: u16,
    null_buf: bool,
    null_len: bool,
    want: Result<&str, Status>,
    call: impl FnOnce(*mut c_char, usize, *mut usize) -> TaelStatus,
) {
    let cap = usize::from(cap % 512);
    let mut buf = vec![0x23 as c_char; cap];
    let mut len = usize::MAX;
    let buf_ptr = if null_buf {
        ptr::null_mut()
    } else {
        buf.as_mut_ptr()
    };
    let len_ptr = if null_len {
        ptr::null_mut()
    } else {
        &mut len as *mut usize
    };
    let status = known(call(buf_ptr, cap, len_ptr));
    let expected = match want {
        _ if null_len || (null_buf && cap > 0) => Err(Status::NullPointer),
        Ok(text) if text.len() >= cap => Err(Status::BufferTooSmall),
        other => other,
    };
    match expected {
        Ok(text) => {
            assert_eq!(status, st(Status::Ok));
            assert_eq!(len, text.len());
            assert_eq!(buf[len], 0);
            let got: Vec<u8> = buf[..len].iter().map(|&b| b as u8).collect();
            assert_eq!(got, text.as_bytes());
            assert!(
                buf[len + 1..].iter().all(|&b| b == 0x23),
                "written past the NUL"
            );
        }
        Err(Status::BufferTooSmall) => {
            assert_eq!(status, st(Status::BufferTooSmall));
            assert_eq!(Ok(len), want.map(str::len), "the required length");
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

impl World {
    fn new() -> World {
        World {
            fencer: Fencer {
                handle: tael_fencer_new(0),
                highest: 0,
                cap: None,
            },
            holder: Holder {
                handle: tael_holder_fencer_new(0),
                highest: 0,
                holder: None,
                cap: None,
            },
            registry: Registry {
                handle: tael_registry_new(),
                streams: BTreeMap::new(),
                cap: None,
            },
        }
    }

    /// Read every handle back through the C API and compare it with the model.
    fn verify(&self) {
        let mut value = 0u64;
        // SAFETY: live handles and writable out-pointers, here and below.
        assert_eq!(
            known(unsafe { tael_fencer_highest(self.fencer.handle, &mut value) }),
            st(Status::Ok)
        );
        assert_eq!(value, self.fencer.highest);

        let mut state = TaelHolderState {
            highest: 0,
            has_holder: false,
            holder: [0; TAEL_ID_FIELD_BYTES],
        };
        assert_eq!(
            known(unsafe { tael_holder_fencer_state(self.holder.handle, &mut state) }),
            st(Status::Ok)
        );
        assert_eq!(state.highest, self.holder.highest);
        assert_eq!(state.has_holder, self.holder.holder.is_some());
        assert_eq!(
            field(&state.holder),
            self.holder.holder.clone().unwrap_or_default()
        );

        let mut n = 0usize;
        assert_eq!(
            known(unsafe { tael_registry_len(self.registry.handle, &mut n) }),
            st(Status::Ok)
        );
        assert_eq!(n, self.registry.streams.len());
        for (name, &mark) in &self.registry.streams {
            let s = unsafe {
                tael_registry_highest(
                    self.registry.handle,
                    name.as_ptr().cast(),
                    name.len(),
                    &mut value,
                )
            };
            assert_eq!(known(s), st(Status::Ok));
            assert_eq!(value, mark);
        }
    }

    fn fencer_handle(&self, null: bool) -> *const TaelFencer {
        if null {
            ptr::null()
        } else {
            self.fencer.handle
        }
    }

    fn holder_handle(&self, null: bool) -> *const TaelHolderFencer {
        if null {
            ptr::null()
        } else {
            self.holder.handle
        }
    }

    fn registry_handle(&self, null: bool) -> *const TaelRegistry {
        if null {
            ptr::null()
        } else {
            self.registry.handle
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
                let owned: Vec<Option<CString>> = ids
                    .iter()
                    .map(|id| {
                        id.as_ref().map(|b| {
                            let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
                            CString::new(&b[..end]).expect("cut at the first NUL")
                        })
                    })
                    .collect();
                let ptrs: Vec<*const c_char> = owned.iter().map(doc_ptr).collect();
                let array = if *null_array {
                    ptr::null()
                } else {
                    ptrs.as_ptr()
                };
                let mut index = usize::MAX;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut index as *mut usize
                };
                // SAFETY: `ptrs` holds `len` pointers, each NULL or NUL-terminated.
                let s = known(unsafe { tael_elect_leader(array, ptrs.len(), out) });
                let want = if *null_out || (*null_array && !ptrs.is_empty()) {
                    Status::NullPointer
                } else {
                    // Each id in order: its pointer, then its text; the first bad one decides.
                    owned
                        .iter()
                        .find_map(|id| match id {
                            None => Some(Status::NullPointer),
                            Some(c) => id_status(c.as_bytes()),
                        })
                        .unwrap_or(if owned.is_empty() {
                            Status::NoLeader
                        } else {
                            Status::Ok
                        })
                };
                assert_eq!(s, st(want));
                if want == Status::Ok {
                    let texts: Vec<&[u8]> = owned.iter().flatten().map(|c| c.as_bytes()).collect();
                    let min = texts.iter().min().expect("not empty");
                    assert_eq!(index, texts.iter().position(|t| t == min).expect("present"));
                } else if !*null_out {
                    assert_eq!(index, usize::MAX);
                }
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
                let mut index = usize::MAX;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut index as *mut usize
                };
                let p = if *null_ids {
                    ptr::null()
                } else {
                    ptrs.as_ptr()
                };
                let l = if *null_lens {
                    ptr::null()
                } else {
                    lens.as_ptr()
                };
                // SAFETY: both arrays hold `len` elements; each id is NULL or readable for its length.
                let s = known(unsafe { tael_elect_leader_n(p, l, args.len(), out) });
                let nonempty = !args.is_empty();
                let want = if *null_out || (nonempty && (*null_ids || *null_lens)) {
                    Status::NullPointer
                } else {
                    // Each id is checked in order: its pointer, then its text.
                    args.iter()
                        .find_map(|a| {
                            if a.is_null_error() {
                                Some(Status::NullPointer)
                            } else {
                                id_status(a.text())
                            }
                        })
                        .unwrap_or(if nonempty {
                            Status::Ok
                        } else {
                            Status::NoLeader
                        })
                };
                assert_eq!(s, st(want));
                if want == Status::Ok {
                    let texts: Vec<&[u8]> = args.iter().map(Arg::text).collect();
                    let min = texts.iter().min().expect("not empty");
                    assert_eq!(index, texts.iter().position(|t| t == min).expect("present"));
                }
            }
            Call::IdValidate(t) => {
                let a = Arg::new(t);
                // SAFETY: the pointer is NULL or readable for the length.
                let s = known(unsafe { tael_id_validate(a.ptr(), a.len) });
                let want = if a.is_null_error() {
                    Some(Status::NullPointer)
                } else {
                    id_status(a.text())
                };
                assert_eq!(s, st(want.unwrap_or(Status::Ok)));
            }
            Call::U64Parse(t, null_out) => {
                let a = Arg::new(t);
                let mut value = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut value as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe { tael_u64_parse(a.ptr(), a.len, out) });
                let text = a.text();
                let canonical = !text.is_empty()
                    && text.iter().all(u8::is_ascii_digit)
                    && (text == b"0" || text[0] != b'0');
                let parsed = std::str::from_utf8(text)
                    .ok()
                    .filter(|_| canonical)
                    .and_then(|t| t.parse::<u64>().ok());
                let want = if *null_out || a.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = utf8_status(text) {
                    bad
                } else if parsed.is_none() {
                    Status::InvalidEpoch
                } else {
                    Status::Ok
                };
                assert_eq!(s, st(want));
                if want == Status::Ok {
                    assert_eq!(Some(value), parsed);
                } else if !*null_out {
                    assert_eq!(value, SENTINEL);
                }
            }
            Call::FencerNew(highest, cap) => {
                let (h, c) = (highest.get(), cap.map(U64::get));
                let handle = match c {
                    Some(c) => tael_fencer_new_with_jump_cap(h, c),
                    None => tael_fencer_new(h),
                };
                assert!(!handle.is_null());
                // SAFETY: the old handle is live and used by nothing else.
                unsafe { tael_fencer_free(self.fencer.handle) };
                self.fencer = Fencer {
                    handle,
                    highest: h,
                    cap: c,
                };
                let (mut has, mut cap_out) = (!c.is_some(), SENTINEL);
                // SAFETY: a live handle and writable out-pointers.
                assert_eq!(
                    known(unsafe { tael_fencer_jump_cap(handle, &mut has, &mut cap_out) }),
                    st(Status::Ok)
                );
                assert_eq!((has, cap_out), (c.is_some(), c.unwrap_or(0)));
            }
            Call::FencerCheck {
                null,
                epoch,
                null_out,
            } => {
                let e = epoch.get();
                let mut v = fresh_verdict();
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut v as *mut TaelVerdict
                };
                // SAFETY: a live handle or NULL; `out` writable or NULL.
                let s = known(unsafe { tael_fencer_check(self.fencer_handle(*null), e, out) });
                if *null || *null_out {
                    assert_eq!(s, st(Status::NullPointer));
                    assert!(is_untouched(&v));
                } else {
                    let f = &mut self.fencer;
                    let code = step(f.highest, e, f.cap);
                    assert_eq!(s, st(code));
                    check_verdict(&v, code, e, f.highest, f.cap);
                    f.highest = v.highest;
                }
            }
            Call::FencerCheckAndAdvance {
                null,
                epoch,
                null_out,
            } => {
                let e = epoch.get();
                let mut accepted = false;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut accepted as *mut bool
                };
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_fencer_check_and_advance(self.fencer_handle(*null), e, out)
                });
                if *null || *null_out {
                    assert_eq!(s, st(Status::NullPointer));
                } else {
                    let f = &mut self.fencer;
                    let code = step(f.highest, e, f.cap);
                    assert_eq!(s, st(Status::Ok));
                    assert_eq!(accepted, matches!(code, Status::Current | Status::Advanced));
                    if code == Status::Advanced {
                        f.highest = e;
                    }
                }
            }
            Call::FencerPromote { null, null_out } => {
                let mut epoch = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut epoch as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe { tael_fencer_promote(self.fencer_handle(*null), out) });
                if *null || *null_out {
                    assert_eq!(s, st(Status::NullPointer));
                } else if let Some(next) = self.fencer.highest.checked_add(1) {
                    assert_eq!(s, st(Status::Ok));
                    assert_eq!(epoch, next);
                    self.fencer.highest = next;
                } else {
                    assert_eq!(s, st(Status::EpochOverflow));
                    assert_eq!(epoch, SENTINEL);
                }
            }
            Call::FencerJumpCap {
                null,
                null_has,
                null_cap,
            } => {
                let (mut has, mut cap) = (false, SENTINEL);
                let h = if *null_has {
                    ptr::null_mut()
                } else {
                    &mut has as *mut bool
                };
                let c = if *null_cap {
                    ptr::null_mut()
                } else {
                    &mut cap as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe { tael_fencer_jump_cap(self.fencer_handle(*null), h, c) });
                if *null || *null_has || *null_cap {
                    assert_eq!(s, st(Status::NullPointer));
                    assert_eq!(cap, SENTINEL);
                } else {
                    assert_eq!(s, st(Status::Ok));
                    assert_eq!(
                        (has, cap),
                        (self.fencer.cap.is_some(), self.fencer.cap.unwrap_or(0))
                    );
                }
            }
            Call::HolderNew(highest, cap) => {
                let (h, c) = (highest.get(), cap.map(U64::get));
                let handle = match c {
                    Some(c) => tael_holder_fencer_new_with_jump_cap(h, c),
                    None => tael_holder_fencer_new(h),
                };
                assert!(!handle.is_null());
                // SAFETY: the old handle is live and used by nothing else.
                unsafe { tael_holder_fencer_free(self.holder.handle) };
                self.holder = Holder {
                    handle,
                    highest: h,
                    holder: None,
                    cap: c,
                };
            }
            Call::HolderCheck {
                null,
                epoch,
                holder,
                null_out,
            } => {
                let (e, a) = (epoch.get(), Arg::new(holder));
                let mut v = fresh_verdict();
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut v as *mut TaelVerdict
                };
                // SAFETY: as above; the holder is NULL or readable for its length.
                let s = known(unsafe {
                    tael_holder_fencer_check(self.holder_handle(*null), e, a.ptr(), a.len, out)
                });
                if *null || *null_out || a.is_null_error() {
                    assert_eq!(s, st(Status::NullPointer));
                    assert!(is_untouched(&v));
                } else if let Some(bad) = id_status(a.text()) {
                    assert_eq!(s, st(bad));
                    assert!(is_untouched(&v));
                } else {
                    let g = &mut self.holder;
                    let mut code = step(g.highest, e, g.cap);
                    let name = a.text().to_vec();
                    if code == Status::Current {
                        match &g.holder {
                            Some(h) if *h != name => code = Status::Conflict,
                            Some(_) => {}
                            None => g.holder = Some(name.clone()),
                        }
                    }
                    assert_eq!(s, st(code));
                    if code == Status::Conflict {
                        assert_eq!(v.code, st(code));
                        assert!(!v.accepted && v.epoch == e && v.highest == g.highest);
                        assert_eq!(Some(field(&v.holder)), g.holder);
                    } else {
                        check_verdict(&v, code, e, g.highest, g.cap);
                        assert_eq!(field(&v.holder), b"");
                    }
                    if code == Status::Advanced {
                        g.highest = e;
                        g.holder = Some(name);
                    }
                }
            }
            Call::HolderPromote {
                null,
                holder,
                null_out,
            } => {
                let a = Arg::new(holder);
                let mut epoch = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut epoch as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_holder_fencer_promote(self.holder_handle(*null), a.ptr(), a.len, out)
                });
                let want = if *null || *null_out || a.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = id_status(a.text()) {
                    bad
                } else if self.holder.highest == u64::MAX {
                    Status::EpochOverflow
                } else {
                    Status::Ok
                };
                assert_eq!(s, st(want));
                if want == Status::Ok {
                    self.holder.highest += 1;
                    self.holder.holder = Some(a.text().to_vec());
                    assert_eq!(epoch, self.holder.highest);
                } else {
                    assert_eq!(epoch, SENTINEL);
                }
            }
            Call::HolderJumpCap { null } => {
                let (mut has, mut cap) = (false, SENTINEL);
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_holder_fencer_jump_cap(self.holder_handle(*null), &mut has, &mut cap)
                });
                if *null {
                    assert_eq!(s, st(Status::NullPointer));
                } else {
                    assert_eq!(
                        (has, cap),
                        (self.holder.cap.is_some(), self.holder.cap.unwrap_or(0))
                    );
                }
            }
            Call::RegistryNew(cap) => {
                let c = cap.map(U64::get);
                let handle = match c {
                    Some(c) => tael_registry_new_with_jump_cap(c),
                    None => tael_registry_new(),
                };
                assert!(!handle.is_null());
                // SAFETY: the old handle is live and used by nothing else.
                unsafe { tael_registry_free(self.registry.handle) };
                self.registry = Registry {
                    handle,
                    streams: BTreeMap::new(),
                    cap: c,
                };
            }
            Call::RegistryAdd {
                null,
                stream,
                highest,
            } => {
                let (a, h) = (Arg::new(stream), highest.get());
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_registry_add(self.registry_handle(*null), a.ptr(), a.len, h)
                });
                let want = if *null || a.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = id_status(a.text()) {
                    bad
                } else if self.registry.streams.contains_key(a.text()) {
                    Status::StreamExists
                } else {
                    Status::Ok
                };
                assert_eq!(s, st(want));
                if want == Status::Ok {
                    self.registry.streams.insert(a.text().to_vec(), h);
                }
            }
            Call::RegistryCheck {
                null,
                stream,
                epoch,
                null_out,
            } => {
                let (a, e) = (Arg::new(stream), epoch.get());
                let mut v = fresh_verdict();
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut v as *mut TaelVerdict
                };
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_registry_check(self.registry_handle(*null), a.ptr(), a.len, e, out)
                });
                let r = &mut self.registry;
                if *null || *null_out || a.is_null_error() {
                    assert_eq!(s, st(Status::NullPointer));
                } else if let Some(bad) = utf8_status(a.text()) {
                    assert_eq!(s, st(bad));
                } else if let Some(highest) = r.streams.get_mut(a.text()) {
                    let code = step(*highest, e, r.cap);
                    assert_eq!(s, st(code));
                    check_verdict(&v, code, e, *highest, r.cap);
                    *highest = v.highest;
                    return;
                } else {
                    assert_eq!(s, st(Status::UnknownStream));
                }
                assert!(is_untouched(&v));
            }
            Call::RegistryPromote {
                null,
                stream,
                null_out,
            } => {
                let a = Arg::new(stream);
                let mut epoch = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut epoch as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_registry_promote(self.registry_handle(*null), a.ptr(), a.len, out)
                });
                let want = if *null || *null_out || a.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = utf8_status(a.text()) {
                    bad
                } else {
                    match self.registry.streams.get_mut(a.text()) {
                        None => Status::UnknownStream,
                        Some(h) if *h == u64::MAX => Status::EpochOverflow,
                        Some(h) => {
                            *h += 1;
                            assert_eq!(epoch, *h);
                            Status::Ok
                        }
                    }
                };
                assert_eq!(s, st(want));
                if want != Status::Ok {
                    assert_eq!(epoch, SENTINEL);
                }
            }
            Call::RegistryHighest {
                null,
                stream,
                null_out,
            }
            | Call::RegistryRemove {
                null,
                stream,
                null_out,
            } => {
                let remove = matches!(call, Call::RegistryRemove { .. });
                let a = Arg::new(stream);
                let mut value = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut value as *mut u64
                };
                let handle = self.registry_handle(*null);
                // SAFETY: as above.
                let s = known(unsafe {
                    if remove {
                        tael_registry_remove(handle, a.ptr(), a.len, out)
                    } else {
                        tael_registry_highest(handle, a.ptr(), a.len, out)
                    }
                });
                let want = if *null || *null_out || a.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = utf8_status(a.text()) {
                    bad
                } else {
                    match self.registry.streams.get(a.text()).copied() {
                        None => Status::UnknownStream,
                        Some(mark) => {
                            assert_eq!(value, mark);
                            if remove {
                                self.registry.streams.remove(a.text());
                            }
                            Status::Ok
                        }
                    }
                };
                assert_eq!(s, st(want));
                if want != Status::Ok {
                    assert_eq!(value, SENTINEL);
                }
            }
            Call::RegistrySnapshot {
                null,
                cap,
                null_buf,
                null_len,
            } => {
                let handle = self.registry_handle(*null);
                let json = self.snapshot_json();
                let want = if *null {
                    Err(Status::NullPointer)
                } else {
                    Ok(json.as_str())
                };
                // SAFETY: the buffer is NULL or writable for `cap`; `len` NULL or writable.
                text_answer(*cap, *null_buf, *null_len, want, |b, c, l| unsafe {
                    tael_registry_snapshot(handle, b, c, l)
                });
            }
            Call::RegistrySnapshotAlloc { null, null_out } => {
                let mut owned: *mut c_char = 0x1 as *mut c_char;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut owned as *mut *mut c_char
                };
                // SAFETY: as above.
                let s = known(unsafe {
                    tael_registry_snapshot_alloc(self.registry_handle(*null), out)
                });
                if *null || *null_out {
                    assert_eq!(s, st(Status::NullPointer));
                    assert!(*null_out || owned.is_null(), "set to NULL on failure");
                } else {
                    assert_eq!(s, st(Status::Ok));
                    // SAFETY: a NUL-terminated string the library allocated.
                    let text = unsafe { CStr::from_ptr(owned) }.to_bytes().to_vec();
                    // SAFETY: from an _alloc function, freed once.
                    unsafe { tael_string_free(owned) };
                    assert_eq!(text, self.snapshot_json().as_bytes());
                }
            }
            Call::RegistryRestore { null, doc: d } => {
                let text = doc(d);
                // SAFETY: a live handle or NULL; the document NULL or NUL-terminated.
                let s = known(unsafe {
                    tael_registry_restore(self.registry_handle(*null), doc_ptr(&text))
                });
                if *null || text.is_none() {
                    assert_eq!(s, st(Status::NullPointer));
                    return;
                }
                let bytes = text.as_ref().map_or(&[][..], |t| t.as_bytes());
                let parsed = std::str::from_utf8(bytes).map(tael::Snapshot::from_json);
                match parsed {
                    Err(_) => assert_eq!(s, st(Status::InvalidUtf8)),
                    Ok(Err(e)) => assert_eq!(s, st(e.status())),
                    Ok(Ok(snapshot)) => {
                        assert_eq!(s, st(Status::Ok));
                        for (name, mark) in snapshot.streams {
                            let slot = self.registry.streams.entry(name.into_bytes()).or_insert(0);
                            *slot = (*slot).max(mark.0);
                        }
                    }
                }
            }
            Call::ElectLeaders {
                view,
                policy,
                cap,
                null_buf,
                null_len,
            } => {
                let (v, p) = (doc(view), doc(policy));
                let (vp, pp) = (doc_ptr(&v), doc_ptr(&p));
                let decided = decide(&v, &p);
                // SAFETY: documents NULL or NUL-terminated; buffer as in text_answer.
                text_answer(
                    *cap,
                    *null_buf,
                    *null_len,
                    decided.as_deref().map_err(|&e| e),
                    |b, c, l| unsafe { tael_elect_leaders(vp, pp, b, c, l) },
                );
            }
            Call::ElectLeadersAlloc {
                view,
                policy,
                null_out,
            } => {
                let (v, p) = (doc(view), doc(policy));
                let mut owned: *mut c_char = 0x1 as *mut c_char;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut owned as *mut *mut c_char
                };
                // SAFETY: as above.
                let s = known(unsafe { tael_elect_leaders_alloc(doc_ptr(&v), doc_ptr(&p), out) });
                if *null_out {
                    assert_eq!(s, st(Status::NullPointer));
                    return;
                }
                match decide(&v, &p) {
                    Ok(json) => {
                        assert_eq!(s, st(Status::Ok));
                        // SAFETY: a NUL-terminated string the library allocated, freed once.
                        let text = unsafe { CStr::from_ptr(owned) }.to_bytes().to_vec();
                        unsafe { tael_string_free(owned) };
                        assert_eq!(text, json.as_bytes());
                    }
                    Err(e) => {
                        assert_eq!(s, st(e));
                        assert!(owned.is_null());
                    }
                }
            }
            Call::NextEpoch {
                view,
                group,
                null_out,
            } => {
                let (v, a) = (doc(view), Arg::new(group));
                let mut epoch = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut epoch as *mut u64
                };
                // SAFETY: as above.
                let s = known(unsafe { tael_next_epoch(doc_ptr(&v), a.ptr(), a.len, out) });
                let want = if *null_out || a.is_null_error() || v.is_none() {
                    Err(Status::NullPointer)
                } else {
                    let text = v.as_ref().map_or(&[][..], |t| t.as_bytes());
                    match std::str::from_utf8(text) {
                        Err(_) => Err(Status::InvalidUtf8),
                        Ok(t) => match tael::View::from_json(t) {
                            Err(e) => Err(e.status()),
                            Ok(view) => match std::str::from_utf8(a.text()) {
                                Err(_) => Err(Status::InvalidUtf8),
                                Ok(g) => tael::next_epoch(&view, g).map_err(|e| e.status()),
                            },
                        },
                    }
                };
                match want {
                    Ok(e) => {
                        assert_eq!(s, st(Status::Ok));
                        assert_eq!(epoch, e);
                    }
                    Err(e) => {
                        assert_eq!(s, st(e));
                        assert_eq!(epoch, SENTINEL);
                    }
                }
            }
            Call::Rendezvous {
                group,
                id,
                null_out,
            } => {
                let (g, i) = (Arg::new(group), Arg::new(id));
                let mut score = SENTINEL;
                let out = if *null_out {
                    ptr::null_mut()
                } else {
                    &mut score as *mut u64
                };
                // SAFETY: as above.
                let s =
                    known(unsafe { tael_rendezvous_score(g.ptr(), g.len, i.ptr(), i.len, out) });
                let want = if *null_out || g.is_null_error() || i.is_null_error() {
                    Status::NullPointer
                } else if let Some(bad) = utf8_status(g.text()).or_else(|| utf8_status(i.text())) {
                    bad
                } else {
                    let fnv = g
                        .text()
                        .iter()
                        .chain(&[0u8])
                        .chain(i.text())
                        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                        });
                    assert_eq!(score, fnv);
                    Status::Ok
                };
                assert_eq!(s, st(want));
            }
            Call::StatusName(n) => {
                // SAFETY: a static NUL-terminated string.
                let name = unsafe { CStr::from_ptr(tael_status_name(TaelStatus(*n))) };
                let want = Status::from_number(*n).map_or("UNKNOWN", Status::name);
                assert_eq!(name.to_bytes(), want.as_bytes());
                assert_eq!(
                    tael_status_is_verdict(TaelStatus(*n)),
                    Status::from_number(*n).is_some_and(Status::is_verdict)
                );
            }
            Call::LastError { cap, null_buf } => {
                let full = last_error();
                let cap = usize::from(*cap % 300);
                let mut buf = vec![0x23 as c_char; cap];
                let p = if *null_buf {
                    ptr::null_mut()
                } else {
                    buf.as_mut_ptr()
                };
                // SAFETY: NULL or writable for `cap`.
                let n = unsafe { tael_last_error_message(p, cap) };
                assert_eq!(n, full.len());
                if !*null_buf && cap > 0 {
                    let k = n.min(cap - 1);
                    assert_eq!(buf[k], 0);
                    let got: Vec<u8> = buf[..k].iter().map(|&b| b as u8).collect();
                    assert_eq!(got, &full.as_bytes()[..k]);
                }
            }
        }
    }

    /// The model registry's snapshot JSON, as SEMANTICS.md §9 writes it.
    fn snapshot_json(&self) -> String {
        let streams = self
            .registry
            .streams
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

/// What tael_elect_leaders must answer for these documents, worked out through the core.
fn decide(view: &Option<CString>, policy: &Option<CString>) -> Result<String, Status> {
    // Each document in turn: its pointer, then its text; then the core parses both.
    fn text(d: &Option<CString>) -> Result<&str, Status> {
        let d = d.as_ref().ok_or(Status::NullPointer)?;
        std::str::from_utf8(d.as_bytes()).map_err(|_| Status::InvalidUtf8)
    }
    let v = text(view)?;
    let p = text(policy)?;
    tael::elect_leaders_json(v, p)
        .map(|d| tael::decisions_to_json(&d))
        .map_err(|e| e.status())
}

impl Drop for World {
    fn drop(&mut self) {
        // SAFETY: live handles, each freed once; NULL is also accepted.
        unsafe {
            tael_fencer_free(self.fencer.handle);
            tael_holder_fencer_free(self.holder.handle);
            tael_registry_free(self.registry.handle);
            tael_fencer_free(ptr::null_mut());
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
