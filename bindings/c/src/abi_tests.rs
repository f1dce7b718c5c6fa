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
use crate::gates::*;
use crate::history::*;
use crate::info::*;
use crate::last_error::tael_last_error_message;
use crate::registry::*;
use crate::reign::*;
use crate::status::*;
use crate::text::tael_string_free;
use crate::verdict::*;
use crate::views::*;

const VIEW: &CStr = c"{\"groups\":{\"g\":{\"members\":[{\"id\":\"b\",\"live\":true,\"epoch\":\"4\"},{\"id\":\"a\",\"live\":false,\"epoch\":\"7\"}]}}}";
const DECISIONS: &str = r#"[{"group":"g","leader":"b","reason":"only_candidate","excluded":[{"id":"a","generation":"0","reason":"dead"}],"leader_index":0,"leader_generation":"0"}]"#;

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
        TaelStatus(23),
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
    std::thread::scope(|scope| {
        for t in 0..3u64 {
            let shared = &shared;
            scope.spawn(move || {
                let mut changed = false;
                let mut offset = 0;
                for e in 1..=20u64 {
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
                        assert!(offset % 10 == 0 && (offset <= 200 || offset == 1000));
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
    // Every thread's last assign was (20, 200): whatever came before, it ends the history.
    let mut epoch = 0;
    // SAFETY: live handles, freed once each after every thread joined.
    unsafe {
        assert_eq!(
            tael_epoch_history_latest_epoch(shared.0, &mut epoch),
            TAEL_STATUS_OK
        );
        assert_eq!(epoch, 20);
        tael_epoch_history_free(shared.0);
        tael_epoch_history_free(shared.1);
    }
}
