//! Every exported function called as C calls it: through raw pointers, into buffers of exactly
//! the size given, with NULLs, `(NULL, 0)`, and from several threads at once.
//!
//! These are the unit tests Miri runs (`cargo +nightly miri test -p tael-coord-c --lib`): it
//! checks that the unsafe pointer code reads and writes only what the header allows, frees what
//! it allocates, and that concurrent calls on one handle have no data race. The C suite
//! (tests/*.c, under the sanitizers and valgrind) covers the same functions from C.

use std::ffi::{c_char, CStr};
use std::ptr;

use tael::Verdict;

use crate::election::*;
use crate::events::*;
use crate::gates::*;
use crate::history::*;
use crate::info::*;
use crate::last_error::tael_last_error_message;
use crate::ops::{self, VerdictOut};
use crate::options::TaelGateOptions;
use crate::registry::*;
use crate::reign::*;
use crate::status::*;
use crate::text::tael_string_free;
use crate::verdict::*;
use crate::views::*;

const VIEW: &CStr = c"{\"groups\":{\"g\":{\"members\":[{\"id\":\"b\",\"live\":true,\"epoch\":\"4\"},{\"id\":\"a\",\"live\":false,\"epoch\":\"7\"}]}}}";
const DECISIONS: &str = r#"[{"group":"g","leader":"b","reason":"only_candidate","excluded":[{"id":"a","generation":"0","reason":"dead"}],"leader_index":0,"leader_generation":"0","leader_epoch":"4","claimants":[]}]"#;

fn bytes(s: &str) -> (*const c_char, usize) {
    (s.as_ptr().cast(), s.len())
}

/// A text answer into a heap buffer of exactly `cap` bytes (so Miri sees any write past it).
fn answer(
    cap: usize,
    call: impl FnOnce(*mut c_char, usize, *mut usize) -> TaelStatus,
) -> (TaelStatus, usize, Vec<u8>) {
    let mut buf = vec![b'#' as c_char; cap];
    let mut len = usize::MAX;
    let p = if cap == 0 {
        ptr::null_mut()
    } else {
        buf.as_mut_ptr()
    };
    let status = call(p, cap, &mut len);
    (status, len, buf.into_iter().map(|b| b as u8).collect())
}

#[test]
fn text_answers_stay_inside_their_buffers() {
    let policy = c"{}";
    let decide = |cap| {
        // SAFETY: NUL-terminated documents; the buffer is writable for `cap`.
        answer(cap, |b, c, l| unsafe {
            tael_elect_leaders(VIEW.as_ptr(), policy.as_ptr(), b, c, l)
        })
    };
    let need = DECISIONS.len();
    for cap in [0, 1, need - 1, need] {
        let (status, len, buf) = decide(cap);
        assert_eq!(status, TAEL_STATUS_BUFFER_TOO_SMALL, "cap {cap}");
        assert_eq!(len, need);
        assert!(
            buf.iter().all(|&b| b == b'#'),
            "nothing written at cap {cap}"
        );
    }
    let (status, len, buf) = decide(need + 1);
    assert_eq!(status, TAEL_STATUS_OK);
    assert_eq!(
        (len, &buf[..len], buf[len]),
        (need, DECISIONS.as_bytes(), 0)
    );

    let mut owned: *mut c_char = ptr::null_mut();
    // SAFETY: as above; `owned` is writable.
    let status = unsafe { tael_elect_leaders_alloc(VIEW.as_ptr(), policy.as_ptr(), &mut owned) };
    assert_eq!(status, TAEL_STATUS_OK);
    // SAFETY: a NUL-terminated string from an _alloc function, freed once below.
    assert_eq!(
        unsafe { CStr::from_ptr(owned) }.to_bytes(),
        DECISIONS.as_bytes()
    );
    unsafe { tael_string_free(owned) };

    owned = ptr::NonNull::dangling().as_ptr();
    // SAFETY: as above.
    let status = unsafe { tael_elect_leaders_alloc(c"{".as_ptr(), policy.as_ptr(), &mut owned) };
    assert_eq!(status, TAEL_STATUS_INVALID_VIEW);
    assert!(owned.is_null(), "set to NULL on failure");

    let mut epoch = 0;
    let (g, n) = bytes("g");
    // SAFETY: a NUL-terminated view, `n` readable bytes, a writable out-pointer.
    assert_eq!(
        unsafe { tael_next_epoch(VIEW.as_ptr(), g, n, &mut epoch) },
        TAEL_STATUS_OK
    );
    assert_eq!(epoch, 8);
}

#[test]
fn last_error_is_copied_like_snprintf() {
    let mut highest = 0u64;
    // SAFETY: a NULL handle is refused before any use; the out-pointer is writable.
    assert_eq!(
        unsafe { tael_fencer_highest(ptr::null(), &mut highest) },
        TAEL_STATUS_NULL_POINTER
    );
    // SAFETY: (NULL, 0) asks for the length.
    let n = unsafe { tael_last_error_message(ptr::null_mut(), 0) };
    assert!(n > 0);
    for cap in [1, 2, n, n + 1] {
        let mut buf = vec![b'#' as c_char; cap];
        // SAFETY: writable for `cap`.
        assert_eq!(unsafe { tael_last_error_message(buf.as_mut_ptr(), cap) }, n);
        let k = n.min(cap - 1);
        assert_eq!(buf[k], 0);
        // SAFETY: NUL-terminated within the buffer.
        let text = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap();
        assert!("NULL_POINTER: fencer is NULL".starts_with(text) && text.len() == k);
    }
}

/// A success clears only its own thread's message, whatever other threads hold or held when they
/// ended (a success skips the per-thread slot while no thread holds one).
#[test]
fn a_success_clears_its_own_threads_last_error_only() {
    fn fail() {
        // SAFETY: a NULL handle is refused before any use; the out-pointer is writable.
        let status = unsafe { tael_fencer_highest(ptr::null(), &mut 0) };
        assert_eq!(status, TAEL_STATUS_NULL_POINTER);
    }
    fn succeed() {
        let f = tael_fencer_new(7);
        // SAFETY: a live handle, freed once; the out-pointer is writable.
        unsafe {
            assert_eq!(tael_fencer_highest(f, &mut 0), TAEL_STATUS_OK);
            tael_fencer_free(f);
        }
    }
    // A thread that ends holding its message, then one that keeps it while this one works.
    std::thread::spawn(fail).join().unwrap();
    let (held, release) = std::sync::mpsc::channel::<()>();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let keeper = std::thread::spawn(move || {
        fail();
        held.send(()).unwrap();
        finished.recv().unwrap();
        let kept = last_error_text();
        succeed();
        (kept, last_error_text())
    });
    release.recv().unwrap();
    for _ in 0..2 {
        fail();
        assert!(last_error_text().starts_with("NULL_POINTER"));
        succeed();
        assert_eq!(last_error_text(), "");
    }
    done.send(()).unwrap();
    let (kept, after) = keeper.join().unwrap();
    assert!(kept.starts_with("NULL_POINTER"), "{kept}");
    assert_eq!(after, "");
    fail();
    succeed();
    assert_eq!(last_error_text(), "");
}

#[test]
fn gates_write_their_out_parameters_only_on_success() {
    let f = tael_fencer_new_with_jump_cap(5, 2);
    let mut v = TaelVerdict {
        code: TaelStatus(99),
        accepted: true,
        epoch: 1,
        highest: 1,
        from: 1,
        cap: 1,
        holder: [1; TAEL_ID_FIELD_BYTES],
    };
    // SAFETY: a live handle; `v` writable; NULL out-pointers refused before any write.
    unsafe {
        assert_eq!(tael_fencer_check(f, 9, &mut v), TAEL_STATUS_TOO_FAR_AHEAD);
        assert_eq!(
            (v.cap, v.highest, v.accepted, v.holder[0]),
            (2, 5, false, 0)
        );
        assert_eq!(tael_fencer_check(f, 7, &mut v), TAEL_STATUS_ADVANCED);
        assert_eq!((v.from, v.highest), (5, 7));
        assert_eq!(
            tael_fencer_check(f, 7, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        let mut epoch = 0;
        assert_eq!(tael_fencer_promote(f, &mut epoch), TAEL_STATUS_OK);
        assert_eq!(epoch, 8);
        let mut accepted = true;
        assert_eq!(
            tael_fencer_check_and_advance(f, 3, &mut accepted),
            TAEL_STATUS_OK
        );
        assert!(!accepted);
        tael_fencer_free(f);
        tael_fencer_free(ptr::null_mut());
    }

    let h = tael_holder_fencer_new(u64::MAX - 1);
    let holder = "h".repeat(TAEL_MAX_ID_BYTES);
    let (p, n) = bytes(&holder);
    let mut epoch = 0;
    // SAFETY: a live handle; `n` readable bytes; writable out-pointers.
    unsafe {
        assert_eq!(
            tael_holder_fencer_promote(h, p, n, &mut epoch),
            TAEL_STATUS_OK
        );
        assert_eq!(epoch, u64::MAX);
        let (o, m) = bytes("other");
        assert_eq!(
            tael_holder_fencer_check(h, u64::MAX, o, m, &mut v),
            TAEL_STATUS_CONFLICT
        );
        // The longest holder fills the field with its NUL as the last byte.
        assert_eq!(
            CStr::from_ptr(v.holder.as_ptr()).to_bytes(),
            holder.as_bytes()
        );
        let mut state = TaelHolderState {
            highest: 0,
            has_holder: false,
            holder: [1; TAEL_ID_FIELD_BYTES],
        };
        assert_eq!(tael_holder_fencer_state(h, &mut state), TAEL_STATUS_OK);
        assert!(state.has_holder && state.highest == u64::MAX);
        assert_eq!(
            tael_holder_fencer_promote(h, p, n, &mut epoch),
            TAEL_STATUS_EPOCH_OVERFLOW
        );
        // (NULL, 0) is the empty holder, refused as an id; (NULL, 1) is a NULL pointer.
        assert_eq!(
            tael_holder_fencer_check(h, 1, ptr::null(), 0, &mut v),
            TAEL_STATUS_INVALID_ID
        );
        assert_eq!(
            tael_holder_fencer_check(h, 1, ptr::null(), 1, &mut v),
            TAEL_STATUS_NULL_POINTER
        );
        tael_holder_fencer_free(h);
    }
}

/// This thread's last error, as text.
fn last_error_text() -> String {
    let mut buf = [0 as c_char; 512];
    // SAFETY: writable for its length; NUL-terminated by the call.
    unsafe {
        tael_last_error_message(buf.as_mut_ptr(), buf.len());
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

#[test]
fn verdicts_read_back_as_the_core_wrote_them() {
    let longest = "h".repeat(TAEL_MAX_ID_BYTES);
    let all = [
        Verdict::Current { epoch: 5 },
        Verdict::Advanced { from: 2, to: 5 },
        Verdict::Stale {
            epoch: 4,
            highest: 5,
        },
        Verdict::TooFarAhead {
            epoch: u64::MAX,
            highest: 5,
            cap: 3,
        },
        Verdict::Conflict {
            epoch: 5,
            holder: longest.clone(),
        },
        Verdict::Closed {
            epoch: 5,
            holder: "a".into(),
        },
    ];
    for v in &all {
        assert_eq!(TaelVerdict::from_core(v).core_verdict("v").as_ref(), Ok(v));
    }
    // Fields the code does not have are ignored; `accepted` must agree with the code.
    let mut c = TaelVerdict::from_core(&Verdict::Current { epoch: 5 });
    (c.highest, c.from, c.cap, c.holder[0]) = (9, 9, 9, -1i8 as c_char);
    assert_eq!(c.core_verdict("v"), Ok(Verdict::Current { epoch: 5 }));
    c.accepted = false;
    let e = c.core_verdict("verdicts[3]").unwrap_err();
    assert_eq!(TaelStatus::from(e.status()), TAEL_STATUS_INVALID_ARGUMENT);
    assert!(e.message().contains("verdicts[3].accepted"), "{e}");
    for code in [
        TAEL_STATUS_OK,
        TAEL_STATUS_NO_LEADER,
        TAEL_STATUS_UNDEFINED_EPOCH,
        TaelStatus(u32::MAX),
    ] {
        c.code = code;
        let e = c.core_verdict("v").unwrap_err();
        assert_eq!(TaelStatus::from(e.status()), TAEL_STATUS_INVALID_ARGUMENT);
        assert!(e.message().contains("v.code"), "{e}");
    }
    // A CONFLICT's holder is an id: up to its first NUL, never past the field.
    let mut c = TaelVerdict::from_core(&all[4]);
    c.holder[TAEL_MAX_ID_BYTES] = b'h' as c_char;
    let e = c.core_verdict("v").unwrap_err();
    assert_eq!(TaelStatus::from(e.status()), TAEL_STATUS_INVALID_ID);
    c.holder[0] = 0;
    assert_eq!(
        TaelStatus::from(c.core_verdict("v").unwrap_err().status()),
        TAEL_STATUS_INVALID_ID
    );
    c.holder[..2].copy_from_slice(&[0xff_u8 as c_char, 0]);
    assert_eq!(
        TaelStatus::from(c.core_verdict("v").unwrap_err().status()),
        TAEL_STATUS_INVALID_UTF8
    );
}

#[test]
fn established_reads_exactly_the_verdicts_given() {
    let at = |v: Verdict| TaelVerdict::from_core(&v);
    let current = at(Verdict::Current { epoch: 5 });
    let advanced = at(Verdict::Advanced { from: 1, to: 5 });
    let conflict = at(Verdict::Conflict {
        epoch: 5,
        holder: "b".into(),
    });
    let elsewhere = at(Verdict::Current { epoch: 6 });
    // A heap array of exactly `verdicts.len()`, so Miri sees any read past it.
    let established = |verdicts: &[TaelVerdict], len: usize, configured: u64| {
        let boxed: Box<[TaelVerdict]> = verdicts.into();
        let p = if verdicts.is_empty() {
            ptr::null()
        } else {
            boxed.as_ptr()
        };
        let mut out = 7u8;
        let out_ptr: *mut bool = ptr::addr_of_mut!(out).cast();
        // SAFETY: `p` is NULL or readable for `len` (never above the array's length, or past
        // any array); `out_ptr` is writable (bool and u8 have one size).
        let status = unsafe { tael_established(5, p, len, configured, out_ptr) };
        (status, out)
    };
    let votes = [current, conflict, advanced, elsewhere];
    assert_eq!(established(&votes, 4, 3), (TAEL_STATUS_OK, 1));
    assert_eq!(established(&votes, 4, 4), (TAEL_STATUS_OK, 0));
    assert_eq!(established(&votes, 3, 3), (TAEL_STATUS_OK, 1));
    assert_eq!(established(&votes, 1, 1), (TAEL_STATUS_OK, 1));
    assert_eq!(established(&votes, 1, 2), (TAEL_STATUS_OK, 0));
    assert_eq!(established(&votes, 2, 0), (TAEL_STATUS_OK, 1));
    assert_eq!(established(&votes, 4, u64::MAX), (TAEL_STATUS_OK, 0));
    // (NULL, 0): no vote, not even of none.
    assert_eq!(established(&[], 0, 0), (TAEL_STATUS_OK, 0));
    assert_eq!(established(&[], 1, 3), (TAEL_STATUS_NULL_POINTER, 7));
    assert!(last_error_text().contains("verdicts"));
    assert_eq!(
        established(&votes, usize::MAX, 3),
        (TAEL_STATUS_INVALID_ARGUMENT, 7)
    );
    let mut unknown = votes;
    unknown[2].code = TaelStatus(99);
    assert_eq!(
        established(&unknown, 4, 3),
        (TAEL_STATUS_INVALID_ARGUMENT, 7)
    );
    assert!(last_error_text().starts_with("INVALID_ARGUMENT: verdicts[2].code"));
    // SAFETY: a NULL out-pointer is refused before the verdicts are read.
    let status = unsafe { tael_established(5, votes.as_ptr(), 4, 3, ptr::null_mut()) };
    assert_eq!(status, TAEL_STATUS_NULL_POINTER);
    assert!(last_error_text().contains("out_established"));
}

#[test]
fn registry_round_trip_through_raw_pointers() {
    let r = tael_registry_new_with_jump_cap(10);
    let (s, n) = bytes("wal-0");
    // SAFETY: a live handle; readable names; writable out-pointers.
    unsafe {
        assert_eq!(tael_registry_add(r, s, n, 3), TAEL_STATUS_OK);
        assert_eq!(tael_registry_add(r, s, n, 3), TAEL_STATUS_STREAM_EXISTS);
        let bad = b"\xff";
        assert_eq!(
            tael_registry_add(r, bad.as_ptr().cast(), 1, 0),
            TAEL_STATUS_INVALID_UTF8
        );
        assert_eq!(
            tael_registry_restore(r, c"{\"streams\":{\"wal-0\":\"9\",\"t\":1}}".as_ptr()),
            TAEL_STATUS_OK
        );
        let snapshot = r#"{"streams":{"t":"1","wal-0":"9"}}"#;
        let (status, len, buf) = answer(snapshot.len() + 1, |b, c, l| {
            tael_registry_snapshot(r, b, c, l)
        });
        assert_eq!(
            (status, len, &buf[..len]),
            (TAEL_STATUS_OK, snapshot.len(), snapshot.as_bytes())
        );
        let (status, len, _) = answer(0, |b, c, l| tael_registry_snapshot(r, b, c, l));
        assert_eq!(
            (status, len),
            (TAEL_STATUS_BUFFER_TOO_SMALL, snapshot.len())
        );
        let mut owned = ptr::null_mut();
        assert_eq!(tael_registry_snapshot_alloc(r, &mut owned), TAEL_STATUS_OK);
        assert_eq!(CStr::from_ptr(owned).to_bytes(), snapshot.as_bytes());
        tael_string_free(owned);
        let mut highest = 0;
        assert_eq!(tael_registry_remove(r, s, n, &mut highest), TAEL_STATUS_OK);
        assert_eq!(highest, 9);
        let mut count = 7;
        assert_eq!(tael_registry_len(r, &mut count), TAEL_STATUS_OK);
        assert_eq!(count, 1);
        tael_registry_free(r);
    }
}

#[test]
fn elections_read_exactly_the_arrays_given() {
    let ids = [c"node-b".as_ptr(), c"node-a".as_ptr(), c"node-a".as_ptr()];
    let mut index = usize::MAX;
    // SAFETY: `ids` holds 3 NUL-terminated strings; `index` is writable.
    unsafe {
        assert_eq!(
            tael_elect_leader(ids.as_ptr(), 3, &mut index),
            TAEL_STATUS_OK
        );
        assert_eq!(index, 1);
        assert_eq!(
            tael_elect_leader(ptr::null(), 0, &mut index),
            TAEL_STATUS_NO_LEADER
        );
        assert_eq!(
            tael_elect_leader(ids.as_ptr(), usize::MAX, &mut index),
            TAEL_STATUS_INVALID_ARGUMENT
        );
    }
    let raw: [&[u8]; 3] = [b"b", b"a\0x", b"c"];
    let ptrs: Vec<*const c_char> = raw.iter().map(|r| r.as_ptr().cast()).collect();
    let lens: Vec<usize> = raw.iter().map(|r| r.len()).collect();
    // SAFETY: both arrays hold 3 elements, each id readable for its length.
    unsafe {
        assert_eq!(
            tael_elect_leader_n(ptrs.as_ptr(), lens.as_ptr(), 3, &mut index),
            TAEL_STATUS_INVALID_ID
        );
        assert_eq!(
            tael_elect_leader_n(ptrs.as_ptr(), lens.as_ptr(), 1, &mut index),
            TAEL_STATUS_OK
        );
        assert_eq!(index, 0);
        let mut value = 0;
        let (t, n) = bytes("18446744073709551615");
        assert_eq!(tael_u64_parse(t, n, &mut value), TAEL_STATUS_OK);
        assert_eq!(value, u64::MAX);
        assert_eq!(tael_u64_parse(t, n - 1, &mut value), TAEL_STATUS_OK);
        assert_eq!(value, 1_844_674_407_370_955_161);
        let (g, gn) = bytes("g");
        assert_eq!(
            tael_rendezvous_score(g, gn, ptr::null(), 0, &mut value),
            TAEL_STATUS_OK
        );
        assert_eq!(tael_id_validate(g, gn), TAEL_STATUS_OK);
    }
}

#[test]
fn one_handle_shared_by_threads() {
    struct Shared(*mut TaelFencer, *mut TaelHolderFencer, *mut TaelRegistry);
    // SAFETY: the header promises every handle is thread-safe; this test is what checks it.
    unsafe impl Sync for Shared {}
    let shared = Shared(
        tael_fencer_new(0),
        tael_holder_fencer_new(0),
        tael_registry_new(),
    );
    let (s, n) = bytes("s");
    // SAFETY: a live handle and a readable name.
    assert_eq!(
        unsafe { tael_registry_add(shared.2, s, n, 0) },
        TAEL_STATUS_OK
    );
    std::thread::scope(|scope| {
        for t in 0..3u64 {
            let shared = &shared;
            scope.spawn(move || {
                let who = ["a", "b", "c"][t as usize];
                let (w, wn) = bytes(who);
                let (s, n) = bytes("s");
                let mut v = TaelVerdict {
                    code: TAEL_STATUS_OK,
                    accepted: false,
                    epoch: 0,
                    highest: 0,
                    from: 0,
                    cap: 0,
                    holder: [0; TAEL_ID_FIELD_BYTES],
                };
                let mut epoch = 0;
                for e in 1..=4 {
                    // SAFETY: live handles shared across threads; writable locals.
                    unsafe {
                        assert!(tael_status_is_verdict(tael_fencer_check(
                            shared.0,
                            e + t,
                            &mut v
                        )));
                        assert!(tael_status_is_verdict(tael_holder_fencer_check(
                            shared.1, e, w, wn, &mut v
                        )));
                        assert_eq!(tael_fencer_promote(shared.0, &mut epoch), TAEL_STATUS_OK);
                        assert!(tael_status_is_verdict(tael_registry_check(
                            shared.2,
                            s,
                            n,
                            e + t,
                            &mut v
                        )));
                    }
                }
            });
        }
    });
    let mut highest = 0;
    // SAFETY: live handles, freed once each after every thread joined.
    unsafe {
        assert_eq!(tael_fencer_highest(shared.0, &mut highest), TAEL_STATUS_OK);
        assert!(highest >= 12, "12 promotions, none lost: {highest}");
        assert_eq!(
            tael_registry_highest(shared.2, s, n, &mut highest),
            TAEL_STATUS_OK
        );
        assert_eq!(highest, 6);
        tael_fencer_free(shared.0);
        tael_holder_fencer_free(shared.1);
        tael_registry_free(shared.2);
    }
}

fn entry(epoch: u64, start_offset: u64, holder: Option<&str>) -> TaelEpochEntry {
    let (holder, holder_len) = holder.map_or((ptr::null(), 0), bytes);
    TaelEpochEntry {
        epoch,
        start_offset,
        holder,
        holder_len,
    }
}

/// A history made through `tael_epoch_history_new`, or the status it failed with.
fn history_of(entries: &[TaelEpochEntry]) -> Result<*mut TaelEpochHistory, TaelStatus> {
    let mut h = ptr::null_mut();
    let p = if entries.is_empty() {
        ptr::null()
    } else {
        entries.as_ptr()
    };
    // SAFETY: `entries` is a live slice whose holders are live strings; `h` is writable.
    match unsafe { tael_epoch_history_new(p, entries.len(), &mut h) } {
        TAEL_STATUS_OK => Ok(h),
        status => {
            assert!(h.is_null(), "written only on success");
            Err(status)
        }
    }
}

fn history_json(h: *const TaelEpochHistory) -> String {
    let mut owned = ptr::null_mut();
    // SAFETY: a live handle; `owned` is writable and freed once below.
    unsafe {
        assert_eq!(
            tael_epoch_history_to_json_alloc(h, &mut owned),
            TAEL_STATUS_OK
        );
        let text = CStr::from_ptr(owned).to_str().unwrap().to_owned();
        tael_string_free(owned);
        text
    }
}

#[test]
fn histories_through_raw_pointers() {
    let longest = "h".repeat(TAEL_MAX_ID_BYTES);
    let h = history_of(&[entry(1, 0, Some("a")), entry(3, 5, Some(&longest))]).unwrap();
    let mut changed = false;
    let (mut epoch, mut end) = (u64::MAX, u64::MAX);
    // SAFETY: a live handle; readable holders; writable out-pointers.
    unsafe {
        let mut copy = TaelEpochEntryCopy {
            epoch: 9,
            start_offset: 9,
            has_holder: false,
            holder: [1; TAEL_ID_FIELD_BYTES],
        };
        assert_eq!(tael_epoch_history_entry(h, 1, &mut copy), TAEL_STATUS_OK);
        assert_eq!(
            (copy.epoch, copy.start_offset, copy.has_holder),
            (3, 5, true)
        );
        // The longest holder fills the field with its NUL as the last byte.
        assert_eq!(
            CStr::from_ptr(copy.holder.as_ptr()).to_bytes(),
            longest.as_bytes()
        );
        assert_eq!(
            tael_epoch_history_entry(h, 2, &mut copy),
            TAEL_STATUS_INVALID_ARGUMENT
        );
        assert_eq!(copy.epoch, 3, "written only on success");

        assert_eq!(
            tael_epoch_history_end_offset_for(h, 2, 8, &mut epoch, &mut end),
            TAEL_STATUS_OK
        );
        assert_eq!((epoch, end), (1, 5));
        assert_eq!(
            tael_epoch_history_end_offset_for(h, 4, 8, &mut epoch, &mut end),
            TAEL_STATUS_UNDEFINED_EPOCH
        );
        assert_eq!((epoch, end), (1, 5), "written only on success");
        assert_eq!(
            tael_epoch_history_end_offset_for(h, 3, 4, &mut epoch, &mut end),
            TAEL_STATUS_INVALID_HISTORY
        );

        // (NULL, 0) is no holder; ("", 0) is an empty one; (NULL, 1) a NULL pointer.
        let (e, n) = bytes("");
        assert_eq!(
            tael_epoch_history_assign(h, 4, 9, e, n, &mut changed),
            TAEL_STATUS_INVALID_ID
        );
        assert_eq!(
            tael_epoch_history_assign(h, 4, 9, ptr::null(), 1, &mut changed),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_epoch_history_assign(h, 4, 9, ptr::null(), 0, &mut changed),
            TAEL_STATUS_OK
        );
        assert!(changed);
        let (b, n) = bytes("b\0");
        assert_eq!(
            tael_epoch_history_assign(h, 5, 12, b, n, &mut changed),
            TAEL_STATUS_INVALID_ID,
            "a NUL inside is seen, not cut short"
        );
        assert_eq!(
            tael_epoch_history_truncate_from_start(h, 6, &mut changed),
            TAEL_STATUS_OK
        );
        assert!(changed);
        assert_eq!(
            tael_epoch_history_latest_epoch(h, &mut epoch),
            TAEL_STATUS_OK
        );
        assert_eq!(epoch, 4);
    }
    let json = format!(
        r#"{{"entries":[{{"epoch":"3","start_offset":"6","holder":"{longest}"}},{{"epoch":"4","start_offset":"9"}}]}}"#
    );
    assert_eq!(history_json(h), json);
    let need = json.len();
    for cap in [0, 1, need] {
        // SAFETY: a live handle; the buffer is writable for `cap`.
        let (status, len, buf) = answer(cap, |b, c, l| unsafe {
            tael_epoch_history_to_json(h, b, c, l)
        });
        assert_eq!((status, len), (TAEL_STATUS_BUFFER_TOO_SMALL, need));
        assert!(buf.iter().all(|&b| b == b'#'));
    }
    // SAFETY: as above.
    let (status, len, buf) = answer(need + 1, |b, c, l| unsafe {
        tael_epoch_history_to_json(h, b, c, l)
    });
    assert_eq!(
        (status, len, &buf[..len], buf[len]),
        (TAEL_STATUS_OK, need, json.as_bytes(), 0)
    );

    // The JSON form makes the same history.
    let text = std::ffi::CString::new(json.clone()).unwrap();
    let mut copy = ptr::null_mut();
    // SAFETY: a NUL-terminated text; `copy` is writable.
    unsafe {
        assert_eq!(
            tael_epoch_history_from_json(text.as_ptr(), &mut copy),
            TAEL_STATUS_OK
        );
    }
    assert_eq!(history_json(copy), json);
    // SAFETY: live handles, freed once each.
    unsafe {
        let mut offset = u64::MAX;
        // One handle on both sides: read under one lock at a time, so no deadlock.
        assert_eq!(
            tael_divergence_point(h, 12, h, 10, &mut offset),
            TAEL_STATUS_OK
        );
        assert_eq!(offset, 10);
        assert_eq!(
            tael_divergence_point(copy, 12, ptr::null(), 10, &mut offset),
            TAEL_STATUS_NULL_POINTER
        );
        let mut step = TaelTruncation {
            offset: 7,
            done: false,
        };
        assert_eq!(
            tael_follower_step(h, 10, false, 0, 0, &mut step),
            TAEL_STATUS_OK
        );
        assert_eq!(
            step,
            TaelTruncation {
                offset: 9,
                done: false
            }
        );
        assert_eq!(
            tael_follower_step(h, 10, true, 3, 8, &mut step),
            TAEL_STATUS_OK
        );
        assert_eq!(
            step,
            TaelTruncation {
                offset: 8,
                done: true
            }
        );
        tael_epoch_history_free(h);
        tael_epoch_history_free(copy);
        tael_epoch_history_free(ptr::null_mut());
    }
}

#[test]
fn history_entries_are_checked_before_any_is_converted() {
    let bad = b"\xff";
    let mut with_bad = entry(2, 5, None);
    with_bad.holder = bad.as_ptr().cast();
    with_bad.holder_len = 1;
    let mut with_null = entry(3, 9, None);
    with_null.holder_len = 2;
    // A NULL holder with a length is seen before the bad holder in front of it is read.
    assert_eq!(
        history_of(&[entry(1, 0, None), with_bad, with_null]),
        Err(TAEL_STATUS_NULL_POINTER)
    );
    assert_eq!(
        history_of(&[entry(1, 0, None), with_bad]),
        Err(TAEL_STATUS_INVALID_UTF8)
    );
    let mut message = [0 as c_char; 128];
    // SAFETY: writable for its length; NUL-terminated by the call.
    let text = unsafe {
        tael_last_error_message(message.as_mut_ptr(), message.len());
        CStr::from_ptr(message.as_ptr())
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        text.starts_with("INVALID_UTF8: entries[1].holder: "),
        "{text}"
    );
    assert_eq!(
        history_of(&[entry(2, 0, None), entry(2, 5, None)]),
        Err(TAEL_STATUS_INVALID_HISTORY)
    );
    let mut h = ptr::null_mut();
    // SAFETY: refused before any entry is read.
    unsafe {
        assert_eq!(
            tael_epoch_history_new(ptr::NonNull::dangling().as_ptr(), usize::MAX, &mut h),
            TAEL_STATUS_INVALID_ARGUMENT
        );
        assert_eq!(
            tael_epoch_history_new(ptr::null(), 1, &mut h),
            TAEL_STATUS_NULL_POINTER
        );
    }
    let empty = history_of(&[]).unwrap();
    let mut epoch = 0;
    // SAFETY: a live handle, freed once.
    unsafe {
        assert_eq!(
            tael_epoch_history_latest_epoch(empty, &mut epoch),
            TAEL_STATUS_UNDEFINED_EPOCH
        );
        tael_epoch_history_free(empty);
    }
}

#[test]
fn one_history_shared_by_threads() {
    struct Shared(*mut TaelEpochHistory, *mut TaelEpochHistory);
    // SAFETY: the header promises every handle is thread-safe; this test is what checks it.
    unsafe impl Sync for Shared {}
    let shared = Shared(history_of(&[]).unwrap(), history_of(&[]).unwrap());
    // Miri, which looks for data races, interprets each call: fewer rounds there.
    let rounds: u64 = if cfg!(miri) { 5 } else { 20 };
    std::thread::scope(|scope| {
        for t in 0..3u64 {
            let shared = &shared;
            scope.spawn(move || {
                let mut changed = false;
                let mut offset = 0;
                for e in 1..=rounds {
                    // SAFETY: live handles shared across threads; writable locals.
                    unsafe {
                        assert_eq!(
                            tael_epoch_history_assign(
                                shared.0,
                                e,
                                e * 10,
                                ptr::null(),
                                0,
                                &mut changed
                            ),
                            TAEL_STATUS_OK
                        );
                        assert_eq!(
                            tael_epoch_history_assign(
                                shared.1,
                                e,
                                e * 10,
                                ptr::null(),
                                0,
                                &mut changed
                            ),
                            TAEL_STATUS_OK
                        );
                        // Both orders, and one handle on both sides, from every thread.
                        let (a, b) = if t % 2 == 0 {
                            (shared.0, shared.1)
                        } else {
                            (shared.1, shared.0)
                        };
                        assert_eq!(
                            tael_divergence_point(a, 1000, b, 1000, &mut offset),
                            TAEL_STATUS_OK
                        );
                        // Where two reigns first differ, or the end when none does.
                        assert!(offset % 10 == 0 && (offset <= rounds * 10 || offset == 1000));
                        assert_eq!(
                            tael_divergence_point(a, 1000, a, 1000, &mut offset),
                            TAEL_STATUS_OK
                        );
                        assert_eq!(offset, 1000);
                    }
                }
            });
        }
    });
    // Every thread's last assign was (rounds, rounds * 10): whatever came before, it ends the
    // history.
    let mut epoch = 0;
    // SAFETY: live handles, freed once each after every thread joined.
    unsafe {
        assert_eq!(
            tael_epoch_history_latest_epoch(shared.0, &mut epoch),
            TAEL_STATUS_OK
        );
        assert_eq!(epoch, rounds);
        tael_epoch_history_free(shared.0);
        tael_epoch_history_free(shared.1);
    }
}

/// A verdict struct full of garbage, so a field the library forgot shows up.
fn garbage_verdict() -> TaelVerdict {
    TaelVerdict {
        code: TaelStatus(99),
        accepted: true,
        epoch: 1,
        highest: 1,
        from: 1,
        cap: 1,
        holder: [1; TAEL_ID_FIELD_BYTES],
    }
}

fn options(cap: Option<u64>, refuse_zero: bool, counters: bool) -> TaelGateOptions {
    TaelGateOptions {
        has_jump_cap: cap.is_some(),
        jump_cap: cap.unwrap_or(0),
        refuse_zero,
        counters,
    }
}

const SENTINEL_COUNTERS: TaelCounters = TaelCounters {
    counting: true,
    current: 7,
    advanced: 7,
    stale_epoch: 7,
    too_far_ahead: 7,
    conflict: 7,
    closed: 7,
};

#[test]
fn gate_options_through_raw_pointers() {
    let o = options(Some(5), true, true);
    // SAFETY: a live options struct; NULL options are the defaults.
    let (f, plain) = unsafe {
        (
            tael_fencer_new_with_options(2, &o),
            tael_fencer_new_with_options(2, ptr::null()),
        )
    };
    assert!(!f.is_null() && !plain.is_null());
    let mut v = garbage_verdict();
    let mut flag = false;
    let mut c = SENTINEL_COUNTERS;
    // SAFETY: live handles; writable out-pointers; NULLs refused before any write.
    unsafe {
        assert_eq!(tael_fencer_check(f, 0, &mut v), TAEL_STATUS_INVALID_EPOCH);
        assert_eq!(v.code, TaelStatus(99), "written only on success");
        assert!(last_error_text().starts_with("INVALID_EPOCH: "));
        assert_eq!(
            tael_fencer_check_and_advance(f, 0, &mut flag),
            TAEL_STATUS_INVALID_EPOCH
        );
        assert_eq!(tael_fencer_check(f, 3, &mut v), TAEL_STATUS_ADVANCED);
        assert_eq!(tael_fencer_check(f, 9, &mut v), TAEL_STATUS_TOO_FAR_AHEAD);
        assert_eq!(v.cap, 5);
        assert_eq!(tael_fencer_check(f, 2, &mut v), TAEL_STATUS_STALE_EPOCH);
        assert!(tael_fencer_check_and_advance(f, 3, &mut flag) == TAEL_STATUS_OK && flag);
        assert_eq!(tael_fencer_check(plain, 0, &mut v), TAEL_STATUS_STALE_EPOCH);

        assert_eq!(tael_fencer_refuses_epoch_zero(f, &mut flag), TAEL_STATUS_OK);
        assert!(flag);
        assert_eq!(
            tael_fencer_refuses_epoch_zero(plain, &mut flag),
            TAEL_STATUS_OK
        );
        assert!(!flag);
        assert_eq!(tael_fencer_counters(f, &mut c), TAEL_STATUS_OK);
        let counted = TaelCounters {
            counting: true,
            current: 1,
            advanced: 1,
            stale_epoch: 1,
            too_far_ahead: 1,
            conflict: 0,
            closed: 0,
        };
        assert_eq!(c, counted, "refused epoch 0 is not counted");
        assert_eq!(tael_fencer_counters(plain, &mut c), TAEL_STATUS_OK);
        assert_eq!(c, TaelCounters::default(), "a gate that does not count");

        // NULL handles and out-pointers: refused, nothing written.
        let mut c = SENTINEL_COUNTERS;
        flag = true;
        assert_eq!(
            tael_fencer_refuses_epoch_zero(ptr::null(), &mut flag),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_fencer_refuses_epoch_zero(f, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_fencer_counters(ptr::null(), &mut c),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_fencer_counters(f, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert!(last_error_text().contains("out_counters"));
        assert!(flag && c == SENTINEL_COUNTERS);
        let mut untouched = f;
        let (p, n) = bytes("gate");
        assert_eq!(
            tael_fencer_open_with_options(ptr::null(), 4, true, &o, &mut untouched),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_fencer_open_with_options(p, n, true, &o, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_fencer_open_with_options(ptr::null(), 0, true, ptr::null(), &mut untouched),
            TAEL_STATUS_INVALID_ARGUMENT,
            "the empty path"
        );
        assert_eq!(untouched, f, "written only on success");
        tael_fencer_free(f);
        tael_fencer_free(plain);
    }
}

#[test]
fn holder_gates_close_adopt_and_options_through_raw_pointers() {
    let o = options(Some(2), true, true);
    let mut h = ptr::null_mut();
    let (a, an) = bytes("a");
    let (b, bn) = bytes("b");
    let (empty, en) = bytes("");
    // SAFETY: readable holders and options; writable out-pointers; NULLs refused first.
    unsafe {
        // (NULL, 0) is no holder; ("", 0) the empty one; (NULL, 1) a NULL pointer.
        let mut untouched = ptr::NonNull::dangling().as_ptr();
        assert_eq!(
            tael_holder_fencer_new_with_options(3, empty, en, &o, &mut untouched),
            TAEL_STATUS_INVALID_ID
        );
        assert_eq!(
            tael_holder_fencer_new_with_options(3, ptr::null(), 1, &o, &mut untouched),
            TAEL_STATUS_NULL_POINTER
        );
        assert!(last_error_text().contains("holder"));
        assert_eq!(
            tael_holder_fencer_new_with_options(3, a, an, &o, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_new_with_options(3, a, usize::MAX, &o, &mut untouched),
            TAEL_STATUS_INVALID_ARGUMENT
        );
        assert_eq!(untouched, ptr::NonNull::dangling().as_ptr());
        assert_eq!(
            tael_holder_fencer_new_with_options(3, ptr::null(), 0, ptr::null(), &mut h),
            TAEL_STATUS_OK
        );
        let mut state = TaelHolderState {
            highest: 0,
            has_holder: true,
            holder: [1; TAEL_ID_FIELD_BYTES],
        };
        assert_eq!(tael_holder_fencer_state(h, &mut state), TAEL_STATUS_OK);
        assert!(state.highest == 3 && !state.has_holder && state.holder[0] == 0);
        tael_holder_fencer_free(h);
        assert_eq!(
            tael_holder_fencer_new_with_options(3, a, an, &o, &mut h),
            TAEL_STATUS_OK
        );

        let mut v = garbage_verdict();
        let mut flag = false;
        // Epoch 0 is refused before the holder is looked at.
        assert_eq!(
            tael_holder_fencer_check(h, 0, empty, en, &mut v),
            TAEL_STATUS_INVALID_EPOCH
        );
        assert_eq!(
            tael_holder_fencer_close(h, 0, a, an, &mut v),
            TAEL_STATUS_INVALID_EPOCH
        );
        assert_eq!(
            tael_holder_fencer_adopt(h, 0, a, an, &mut v),
            TAEL_STATUS_INVALID_EPOCH
        );
        assert_eq!(v.code, TaelStatus(99), "written only on success");
        assert_eq!(
            tael_holder_fencer_check(h, 3, b, bn, &mut v),
            TAEL_STATUS_CONFLICT
        );
        assert_eq!(
            tael_holder_fencer_close(h, 3, b, bn, &mut v),
            TAEL_STATUS_CONFLICT
        );
        assert_eq!(tael_holder_fencer_closed(h, &mut flag), TAEL_STATUS_OK);
        assert!(!flag);
        // Another holder, once the reign is established elsewhere.
        assert_eq!(
            tael_holder_fencer_adopt(h, 3, b, bn, &mut v),
            TAEL_STATUS_CURRENT
        );
        assert_eq!(
            tael_holder_fencer_close(h, 3, b, bn, &mut v),
            TAEL_STATUS_CLOSED
        );
        assert!(!v.accepted && v.epoch == 3 && v.highest == 3 && v.from == 0 && v.cap == 0);
        assert_eq!(CStr::from_ptr(v.holder.as_ptr()).to_bytes(), b"b");
        assert_eq!(tael_holder_fencer_closed(h, &mut flag), TAEL_STATUS_OK);
        assert!(flag);
        assert_eq!(
            tael_holder_fencer_check(h, 3, a, an, &mut v),
            TAEL_STATUS_CLOSED
        );
        assert_eq!(CStr::from_ptr(v.holder.as_ptr()).to_bytes(), b"b");
        assert_eq!(
            tael_holder_fencer_adopt(h, 3, a, an, &mut v),
            TAEL_STATUS_CLOSED
        );
        assert_eq!(
            tael_holder_fencer_adopt(h, 9, a, an, &mut v),
            TAEL_STATUS_ADVANCED,
            "the jump cap does not apply"
        );
        assert_eq!(
            tael_holder_fencer_close(h, 12, a, an, &mut v),
            TAEL_STATUS_TOO_FAR_AHEAD
        );
        assert_eq!(
            tael_holder_fencer_close(h, 8, a, an, &mut v),
            TAEL_STATUS_STALE_EPOCH
        );
        assert_eq!(tael_holder_fencer_closed(h, &mut flag), TAEL_STATUS_OK);
        assert!(!flag);
        assert_eq!(
            tael_holder_fencer_refuses_epoch_zero(h, &mut flag),
            TAEL_STATUS_OK
        );
        assert!(flag);
        let mut c = SENTINEL_COUNTERS;
        assert_eq!(tael_holder_fencer_counters(h, &mut c), TAEL_STATUS_OK);
        let counted = TaelCounters {
            counting: true,
            conflict: 1,
            closed: 1,
            ..TaelCounters::default()
        };
        assert_eq!(c, counted, "checks only: no close, no adopt, no refusal");

        // NULL handles and out-pointers, every new call.
        let mut c = SENTINEL_COUNTERS;
        flag = true;
        let null = ptr::null();
        assert_eq!(
            tael_holder_fencer_close(null, 9, a, an, &mut v),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_close(h, 9, ptr::null(), 1, &mut v),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_close(h, 9, a, an, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_adopt(null, 9, a, an, &mut v),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_adopt(h, 9, ptr::null(), 1, &mut v),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_adopt(h, 10, a, an, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_closed(null, &mut flag),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_closed(h, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_refuses_epoch_zero(null, &mut flag),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_refuses_epoch_zero(h, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_counters(null, &mut c),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_counters(h, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert!(flag && c == SENTINEL_COUNTERS);
        let mut untouched = h;
        let (p, n) = bytes("vote");
        assert_eq!(
            tael_holder_fencer_open(ptr::null(), 4, true, &mut untouched),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_open(p, n, true, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_open_with_options(ptr::null(), 4, true, &o, &mut untouched),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_holder_fencer_open_with_options(p, n, true, &o, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(untouched, h, "written only on success");
        // None of it moved the gate.
        assert_eq!(tael_holder_fencer_state(h, &mut state), TAEL_STATUS_OK);
        assert!(state.highest == 9 && CStr::from_ptr(state.holder.as_ptr()).to_bytes() == b"a");
        tael_holder_fencer_free(h);
    }
}

#[test]
fn registry_options_through_raw_pointers() {
    let o = options(None, true, true);
    // SAFETY: a live options struct.
    let r = unsafe { tael_registry_new_with_options(&o) };
    let plain = tael_registry_new();
    let (s, n) = bytes("s");
    let (nope, nn) = bytes("nope");
    let mut v = garbage_verdict();
    let mut flag = false;
    // SAFETY: live handles; readable names; writable out-pointers.
    unsafe {
        assert_eq!(tael_registry_add(r, s, n, 0), TAEL_STATUS_OK);
        assert_eq!(
            tael_registry_check(r, nope, nn, 0, &mut v),
            TAEL_STATUS_INVALID_EPOCH,
            "epoch 0 is refused before the stream is looked up"
        );
        assert_eq!(
            tael_registry_check(r, nope, nn, 1, &mut v),
            TAEL_STATUS_UNKNOWN_STREAM
        );
        assert_eq!(
            tael_registry_check(r, s, n, 1, &mut v),
            TAEL_STATUS_ADVANCED
        );
        assert_eq!(
            tael_registry_refuses_epoch_zero(r, &mut flag),
            TAEL_STATUS_OK
        );
        assert!(flag);
        assert_eq!(
            tael_registry_refuses_epoch_zero(plain, &mut flag),
            TAEL_STATUS_OK
        );
        assert!(!flag);
        let mut c = SENTINEL_COUNTERS;
        assert_eq!(tael_registry_counters(r, &mut c), TAEL_STATUS_OK);
        assert_eq!((c.counting, c.advanced, c.current), (true, 1, 0));
        assert_eq!(tael_registry_counters(plain, &mut c), TAEL_STATUS_OK);
        assert_eq!(c, TaelCounters::default());
        let mut c = SENTINEL_COUNTERS;
        flag = true;
        assert_eq!(
            tael_registry_refuses_epoch_zero(ptr::null(), &mut flag),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_registry_refuses_epoch_zero(r, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_registry_counters(ptr::null(), &mut c),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_registry_counters(r, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert!(flag && c == SENTINEL_COUNTERS);
        let mut untouched = r;
        let (p, pn) = bytes("registry");
        assert_eq!(
            tael_registry_open_with_options(ptr::null(), 4, true, &o, &mut untouched),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(
            tael_registry_open_with_options(p, pn, true, &o, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(untouched, r);
        tael_registry_free(r);
        tael_registry_free(plain);
    }
}

/// Decisions JSON of one group `g` led by `leader` (or none) at `epoch`.
fn decisions(leader: Option<&str>, epoch: u64) -> std::ffi::CString {
    let text = match leader {
        Some(l) => format!(
            r#"[{{"group":"g","leader":"{l}","reason":"only_candidate","excluded":[],"leader_index":0,"leader_generation":"0","leader_epoch":"{epoch}","claimants":[]}}]"#
        ),
        None => r#"[{"group":"g","leader":null,"reason":"no_members","excluded":[],"leader_index":null,"leader_generation":null}]"#.to_owned(),
    };
    std::ffi::CString::new(text).unwrap()
}

#[test]
fn transitions_through_raw_pointers() {
    let none = decisions(None, 0);
    let a3 = decisions(Some("a"), 3);
    let b4 = decisions(Some("b"), 4);
    let expected = r#"[{"event":"changed","group":"g","leader":"b","generation":"0","epoch":"4","previous":"a","previous_generation":"0","previous_epoch":"3"}]"#;
    let need = expected.len();
    for cap in [0, 1, need] {
        // SAFETY: NUL-terminated documents; the buffer is writable for `cap`.
        let (status, len, buf) = answer(cap, |b, c, l| unsafe {
            tael_transitions_json(a3.as_ptr(), b4.as_ptr(), b, c, l)
        });
        assert_eq!((status, len), (TAEL_STATUS_BUFFER_TOO_SMALL, need));
        assert!(buf.iter().all(|&b| b == b'#'));
    }
    // SAFETY: as above.
    let (status, len, buf) = answer(need + 1, |b, c, l| unsafe {
        tael_transitions_json(a3.as_ptr(), b4.as_ptr(), b, c, l)
    });
    assert_eq!(
        (status, len, &buf[..len], buf[len]),
        (TAEL_STATUS_OK, need, expected.as_bytes(), 0)
    );

    let mut owned: *mut c_char = ptr::NonNull::dangling().as_ptr();
    let mut events: *mut TaelEvent = ptr::NonNull::dangling().as_ptr();
    let mut n = usize::MAX;
    // SAFETY: NUL-terminated documents; writable out-pointers; every answer freed once.
    unsafe {
        assert_eq!(
            tael_transitions_json_alloc(a3.as_ptr(), b4.as_ptr(), &mut owned),
            TAEL_STATUS_OK
        );
        assert_eq!(CStr::from_ptr(owned).to_bytes(), expected.as_bytes());
        tael_string_free(owned);

        assert_eq!(
            tael_transitions(a3.as_ptr(), b4.as_ptr(), &mut events, &mut n),
            TAEL_STATUS_OK
        );
        assert_eq!(n, 1);
        let e = *events;
        assert_eq!(e.kind, TAEL_EVENT_CHANGED);
        assert_eq!(CStr::from_ptr(e.group).to_bytes(), b"g");
        assert_eq!(e.group_len, 1);
        assert_eq!(
            (CStr::from_ptr(e.leader).to_bytes(), e.leader_len),
            (&b"b"[..], 1)
        );
        assert_eq!(
            (CStr::from_ptr(e.previous).to_bytes(), e.previous_len),
            (&b"a"[..], 1)
        );
        assert!(e.has_generation && e.generation == 0 && e.has_epoch && e.epoch == 4);
        assert!(e.has_previous_generation && e.has_previous_epoch && e.previous_epoch == 3);
        tael_events_free(events, n);

        // Elected, then lost: the absent side is NULL (strings) and false (numbers).
        assert_eq!(
            tael_transitions(none.as_ptr(), a3.as_ptr(), &mut events, &mut n),
            TAEL_STATUS_OK
        );
        let e = *events;
        assert_eq!(e.kind, TAEL_EVENT_ELECTED);
        assert!(e.previous.is_null() && e.previous_len == 0);
        assert!(!e.has_previous_generation && e.previous_generation == 0);
        assert!(!e.has_previous_epoch && e.previous_epoch == 0);
        tael_events_free(events, n);
        assert_eq!(
            tael_transitions(a3.as_ptr(), c"[]".as_ptr(), &mut events, &mut n),
            TAEL_STATUS_OK
        );
        let e = *events;
        assert_eq!(e.kind, TAEL_EVENT_LOST);
        assert!(e.leader.is_null() && e.leader_len == 0 && !e.has_generation && !e.has_epoch);
        tael_events_free(events, n);

        // No event: (NULL, 0), which tael_events_free takes too.
        events = ptr::NonNull::dangling().as_ptr();
        assert_eq!(
            tael_transitions(a3.as_ptr(), a3.as_ptr(), &mut events, &mut n),
            TAEL_STATUS_OK
        );
        assert!(events.is_null() && n == 0);
        tael_events_free(events, n);
        tael_events_free(ptr::null_mut(), 0);

        // Failures: (NULL, 0) written, the last error says which list.
        for (previous, next, status, named) in [
            (
                c"[1]".as_ptr(),
                a3.as_ptr(),
                TAEL_STATUS_INVALID_ARGUMENT,
                "previous",
            ),
            (
                a3.as_ptr(),
                c"[".as_ptr(),
                TAEL_STATUS_INVALID_ARGUMENT,
                "next",
            ),
            (
                c"\xff".as_ptr(),
                a3.as_ptr(),
                TAEL_STATUS_INVALID_UTF8,
                "previous_json",
            ),
            (
                ptr::null(),
                a3.as_ptr(),
                TAEL_STATUS_NULL_POINTER,
                "previous_json",
            ),
            (
                a3.as_ptr(),
                ptr::null(),
                TAEL_STATUS_NULL_POINTER,
                "next_json",
            ),
        ] {
            events = ptr::NonNull::dangling().as_ptr();
            n = 5;
            assert_eq!(
                tael_transitions(previous, next, &mut events, &mut n),
                status
            );
            assert!(events.is_null() && n == 0, "set to (NULL, 0) on failure");
            assert!(last_error_text().contains(named), "{}", last_error_text());
            owned = ptr::NonNull::dangling().as_ptr();
            assert_eq!(
                tael_transitions_json_alloc(previous, next, &mut owned),
                status
            );
            assert!(owned.is_null());
        }
        let twice = std::ffi::CString::new(format!(
            "[{},{}]",
            &a3.to_str().unwrap()[1..a3.as_bytes().len() - 1],
            &b4.to_str().unwrap()[1..b4.as_bytes().len() - 1]
        ))
        .unwrap();
        assert_eq!(
            tael_transitions(none.as_ptr(), twice.as_ptr(), &mut events, &mut n),
            TAEL_STATUS_INVALID_ARGUMENT
        );
        assert!(last_error_text().contains("twice"));
        assert_eq!(
            tael_transitions(a3.as_ptr(), b4.as_ptr(), ptr::null_mut(), &mut n),
            TAEL_STATUS_NULL_POINTER
        );
        n = 5;
        assert_eq!(
            tael_transitions(a3.as_ptr(), b4.as_ptr(), &mut events, ptr::null_mut()),
            TAEL_STATUS_NULL_POINTER
        );
        assert_eq!(n, 5, "nothing written when an out-pointer is NULL");
    }
}

#[test]
fn panics_in_the_new_answers_never_cross() {
    let mut events: *mut TaelEvent = ptr::NonNull::dangling().as_ptr();
    let mut n = 9;
    let mut v = garbage_verdict();
    // SAFETY: writable out-pointers; the bodies panic before writing anything.
    unsafe {
        let status = ops::run(EventsOut(&mut events, &mut n), || panic!("events boom"));
        assert_eq!(status, TAEL_STATUS_INTERNAL);
        assert!(events.is_null() && n == 0, "what tael_events_free takes");
        assert!(last_error_text().contains("events boom"));
        let status = ops::run(VerdictOut(&mut v), || panic!("close boom"));
        assert_eq!(status, TAEL_STATUS_INTERNAL);
        assert_eq!(v.code, TaelStatus(99));
        // A panicking free is caught too (the guard every _free runs in).
        crate::guard::infallible((), || panic!("free boom"));
        assert!(last_error_text().contains("free boom"));
    }
}
