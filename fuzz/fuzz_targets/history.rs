//! Epoch histories (SEMANTICS.md §15): `EpochHistory` (`from_entries`, `from_json`, `to_json`,
//! `assign`, `truncate_from_end`, `truncate_from_start`, `end_offset_for`, `latest_epoch`, and
//! the same operations through the `EpochLog` trait), `divergence_point` and `follower_step`,
//! each against a model written here, independently of the core.
//!
//! The first byte chooses the mode. With bit 7 set, the rest is JSON text: up to two histories
//! separated by a NUL byte, each read by `EpochHistory::from_json` (seeded from the corpus).
//! Otherwise the bytes build two histories, a leader's and a follower's, over small epochs and
//! offsets (bit 0: offsets from 2^64 - 256 instead of 0; bits 1–2 and 3–4: how the leader's and
//! the follower's entries are also written as JSON), with optional holders from a small
//! alphabet that includes invalid ids, then their log ends, an answer for the follower's step,
//! and a sequence of operations on the follower. A byte past the end reads as 0. Layout (what
//! `seed.py` writes):
//!
//! - each history: a count byte (`n % 9` entries), then per entry three bytes: epoch, start
//!   offset, holder;
//! - the leader's log end, the follower's log end: one byte each;
//! - the answer: one byte (0: none; 1: the leader's own answer to the follower's latest epoch;
//!   otherwise two bytes follow, its epoch and its end);
//! - up to 64 operations on the follower until the bytes run out: an op byte (`op % 3`: assign,
//!   truncate_from_end, truncate_from_start), then three bytes (epoch, start, holder) for an
//!   assign or one (the offset) for a truncation.
//!
//! Values: an epoch byte `b` is absolute when `b >= 0x80` (`v = b & 0x7f`: `v` itself below
//! 0x7c, else 2^64 - 1 - (0x7f - v)) and otherwise the previous epoch (the entry before, or the
//! history's latest for an assign; 0 for none) plus `b`; a start byte likewise, from the base
//! (`base + (b & 0x7f)`, or the previous start, or the base, plus `b`); a log end byte is 0 for
//! 0xff, `base + (b & 0x7f)` from 0x80, else the latest start (or the base) plus `b`; a
//! truncation offset is `base + b`. A holder byte below 0x40 is none, below 0xe0 a valid id
//! (`(b - 0x40) % 5` of a, b, c, node-a, node-b; 0xdf the longest id, 255 bytes), else an
//! invalid one (`(b - 0xe0) % 7`). Additions saturate.
//!
//! Checked: `from_entries` accepts exactly the histories whose epochs and starts strictly
//! increase (holders checked first, `INVALID_ID`), and `from_json` of the same entries written
//! as JSON (u64s as strings or numbers, no holder as absent or null) answers the same, every
//! refusal `INVALID_HISTORY`; arbitrary JSON text is refused with `INVALID_HISTORY` or read from
//! a JSON object into a valid history; every history writes JSON that reads back as itself and
//! writes back the same. `divergence_point` equals the per-offset model (the first offset in
//! [max first starts, min ends) whose reigns differ, else the smaller end), is symmetric, never
//! above either end, and is `INVALID_HISTORY` exactly when a log end does not fit its history.
//! Every operation keeps the history valid, reports a change exactly when it made one, and
//! matches the model of Kafka's `LeaderEpochFileCache` rules (and, for the truncations, the
//! reigns offset by offset); the `EpochLog` trait answers the same. `end_offset_for`,
//! `latest_epoch` and `follower_step` match their models for many epochs and log ends; a step
//! never truncates beyond the log end, every step that is not done removes at least the latest
//! entry, and the network loop against the leader ends within one step per entry.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../models/history.rs"]
mod model;
use serde_json::Value;
use tael::{
    divergence_point, follower_step, EpochEntry, EpochHistory, EpochLog, Status, Truncation,
};

/// Valid holders (ids; the longest one rarely, as it is slow to check) and invalid ones
/// (empty, control characters, too long).
fn valid_holder(i: usize) -> String {
    match i {
        0x9f => "x".repeat(255),
        _ => ["a", "b", "c", "node-a", "node-b"][i % 5].into(),
    }
}

fn invalid_holder(i: usize) -> String {
    match i % 7 {
        0 => String::new(),
        1 => "a\u{7}".into(),
        2 => "a\nb".into(),
        3 => "\u{7f}".into(),
        4 => "\u{85}".into(),
        5 => "x".repeat(256),
        _ => "\u{e9}".repeat(128),
    }
}

/// The bytes, read one at a time; past the end, 0.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How the bytes become values (see the layout above).
struct Values {
    base: u64,
}

impl Values {
    fn epoch(&self, b: u8, prev: Option<u64>) -> u64 {
        if b >= 0x80 {
            let v = b & 0x7f;
            if v < 0x7c {
                u64::from(v)
            } else {
                u64::MAX - u64::from(0x7f - v)
            }
        } else {
            prev.unwrap_or(0).saturating_add(u64::from(b))
        }
    }

    fn start(&self, b: u8, prev: Option<u64>) -> u64 {
        if b >= 0x80 {
            self.base + u64::from(b & 0x7f)
        } else {
            prev.unwrap_or(self.base).saturating_add(u64::from(b))
        }
    }

    fn holder(b: u8) -> Option<String> {
        match b {
            0..=0x3f => None,
            0x40..=0xdf => Some(valid_holder(usize::from(b - 0x40))),
            _ => Some(invalid_holder(usize::from(b - 0xe0))),
        }
    }

    fn log_end(&self, b: u8, entries: &[EpochEntry]) -> u64 {
        match b {
            0xff => 0,
            0x80.. => self.base + u64::from(b & 0x7f),
            _ => {
                let latest = entries.last().map_or(self.base, |e| e.start_offset);
                latest.saturating_add(u64::from(b))
            }
        }
    }

    fn entries(&self, bytes: &mut Bytes<'_>) -> Vec<EpochEntry> {
        let n = bytes.next() % 9;
        let mut entries: Vec<EpochEntry> = Vec::new();
        for _ in 0..n {
            let prev = entries.last().map(|e| (e.epoch, e.start_offset));
            let epoch = self.epoch(bytes.next(), prev.map(|p| p.0));
            let start_offset = self.start(bytes.next(), prev.map(|p| p.1));
            let holder = Values::holder(bytes.next());
            entries.push(EpochEntry {
                epoch,
                start_offset,
                holder,
            });
        }
        entries
    }
}

// ---- the model ----------------------------------------------------------------------------------

/// The id rules of SEMANTICS.md §2 (a Rust string is UTF-8 already).
fn is_id(holder: &str) -> bool {
    !holder.is_empty() && holder.len() <= 255 && !holder.chars().any(char::is_control)
}

/// Whether these entries make a history: holders are ids (`INVALID_ID`), then epochs and
/// starts both strictly increase (`INVALID_HISTORY`).
fn model_valid(entries: &[EpochEntry]) -> Result<(), Status> {
    if entries
        .iter()
        .any(|e| e.holder.as_deref().is_some_and(|h| !is_id(h)))
    {
        return Err(Status::InvalidId);
    }
    if model::increasing(entries) {
        Ok(())
    } else {
        Err(Status::InvalidHistory)
    }
}

/// The reign of offset `x`: the entry with the largest start at or below it.
fn reign_at(entries: &[EpochEntry], x: u64) -> Option<&EpochEntry> {
    entries.iter().rev().find(|e| e.start_offset <= x)
}

/// Whether a history fits a log ending at `end`: its latest entry starts at or before it, and
/// an empty history's log is empty.
fn fits(entries: &[EpochEntry], end: u64) -> bool {
    entries.last().map_or(end == 0, |e| e.start_offset <= end)
}

/// §15, offset by offset: the first offset in [max first starts, min ends) whose reigns
/// differ, else the smaller end.
fn model_divergence(
    leader: &[EpochEntry],
    leader_end: u64,
    follower: &[EpochEntry],
    follower_end: u64,
) -> Result<u64, Status> {
    if !fits(leader, leader_end) || !fits(follower, follower_end) {
        return Err(Status::InvalidHistory);
    }
    let end = leader_end.min(follower_end);
    let (Some(a), Some(b)) = (leader.first(), follower.first()) else {
        return Ok(end);
    };
    let from = a.start_offset.max(b.start_offset);
    let differs = |x: u64| {
        let (l, f) = (reign_at(leader, x), reign_at(follower, x));
        !model::same_reign(l.expect("covered"), f.expect("covered"))
    };
    if end.saturating_sub(from) <= WIDEST {
        // Offset by offset (built histories are always this narrow).
        return Ok((from..end).find(|&x| differs(x)).unwrap_or(end));
    }
    // Wider (JSON text can hold any offsets): reigns change only where an entry starts, so
    // the first differing offset is `from` or a start; the smallest such.
    let starts = leader.iter().chain(follower).map(|e| e.start_offset);
    Ok(std::iter::once(from)
        .chain(starts.filter(|&s| s > from && s < end))
        .filter(|&x| differs(x))
        .min()
        .unwrap_or(end))
}

/// The widest range of offsets the divergence model walks one by one.
const WIDEST: u64 = 1 << 14;

/// Kafka's `endOffsetFor`: the end of `epoch` is the start of the first entry above it.
fn model_end_offset_for(
    entries: &[EpochEntry],
    epoch: u64,
    log_end: u64,
) -> Result<Option<(u64, u64)>, Status> {
    if !fits(entries, log_end) {
        return Err(Status::InvalidHistory);
    }
    let Some(last) = entries.last() else {
        return Ok(None);
    };
    if epoch > last.epoch {
        return Ok(None);
    }
    if epoch == last.epoch {
        return Ok(Some((epoch, log_end)));
    }
    let above = entries
        .iter()
        .position(|e| e.epoch > epoch)
        .expect("the latest is above");
    let end = entries[above].start_offset;
    Ok(Some(match above.checked_sub(1) {
        None => (epoch, end),
        Some(below) => (entries[below].epoch, end),
    }))
}

/// The follower's step of §15, case by case.
fn model_step(
    entries: &[EpochEntry],
    log_end: u64,
    answer: Option<(u64, u64)>,
) -> Result<Truncation, Status> {
    if !fits(entries, log_end) {
        return Err(Status::InvalidHistory);
    }
    let t = |offset: u64, done| Truncation { offset, done };
    let Some(last) = entries.last() else {
        return Ok(t(log_end, true));
    };
    let Some((epoch, end)) = answer else {
        return Ok(t(last.start_offset, entries.len() == 1));
    };
    Ok(match model_end_offset_for(entries, epoch, log_end)? {
        Some((own, own_end)) if own == epoch => t(own_end.min(end).min(log_end), true),
        Some((_, own_end)) => t(own_end.min(log_end), false),
        None => t(end.min(log_end), true),
    })
}

/// Offsets around every start and `extra`, where reigns can change.
fn probe_offsets(entries: &[EpochEntry], extra: &[u64]) -> Vec<u64> {
    let mut xs: Vec<u64> = entries
        .iter()
        .map(|e| e.start_offset)
        .chain(extra.iter().copied())
        .flat_map(|s| [s.saturating_sub(1), s, s.saturating_add(1)])
        .collect();
    xs.sort_unstable();
    xs.dedup();
    xs
}

fn status<T>(r: tael::Result<T>) -> Result<T, Status> {
    r.map_err(|e| e.status())
}

// ---- the checks ---------------------------------------------------------------------------------

/// The entries written as JSON by hand: u64s as strings (`style & 1`) or JSON numbers, no
/// holder as absent or `null` (`style & 2`).
fn entries_json(entries: &[EpochEntry], style: u8) -> String {
    let u64_text = |n: u64| {
        if style & 1 != 0 {
            format!("\"{n}\"")
        } else {
            n.to_string()
        }
    };
    let items: Vec<String> = entries
        .iter()
        .map(|e| {
            let holder = match &e.holder {
                Some(h) => format!(r#","holder":{}"#, serde_json::to_string(h).unwrap()),
                None if style & 2 != 0 => r#","holder":null"#.to_owned(),
                None => String::new(),
            };
            format!(
                r#"{{"epoch":{},"start_offset":{}{holder}}}"#,
                u64_text(e.epoch),
                u64_text(e.start_offset)
            )
        })
        .collect();
    format!(r#"{{"entries":[{}]}}"#, items.join(","))
}

/// `from_entries` and `from_json` on entries as built (maybe invalid): both answer as the
/// model, `from_json` with `INVALID_HISTORY` for every refusal. Returns the history, or one
/// repaired from the entries (holders that are not ids dropped, and only the entries that
/// strictly follow the ones kept), so an invalid input still exercises the rest.
fn build(entries: Vec<EpochEntry>, style: u8) -> EpochHistory {
    let want = model_valid(&entries);
    let got = EpochHistory::from_entries(entries.clone());
    assert_eq!(got.as_ref().map(|_| ()).map_err(|e| e.status()), want);
    if let Ok(h) = &got {
        assert_eq!(h.entries(), entries.as_slice());
    }
    let text = entries_json(&entries, style);
    match (EpochHistory::from_json(&text), want) {
        (Ok(h), Ok(())) => assert_eq!(h.entries(), entries.as_slice(), "{text}"),
        (Err(e), Err(_)) => assert_eq!(e.status(), Status::InvalidHistory, "{text}: {e}"),
        (got, want) => panic!("from_json({text}) = {got:?}, want {want:?}"),
    }
    if let Ok(h) = got {
        return h;
    }
    let mut kept: Vec<EpochEntry> = Vec::new();
    for mut e in entries {
        if e.holder.as_deref().is_some_and(|h| !is_id(h)) {
            e.holder = None;
        }
        if kept
            .last()
            .is_none_or(|l| l.epoch < e.epoch && l.start_offset < e.start_offset)
        {
            kept.push(e);
        }
    }
    EpochHistory::from_entries(kept).expect("repaired")
}

/// Arbitrary text through `from_json`: `INVALID_HISTORY`, or a valid history read from a JSON
/// object.
fn parse(text: &str) -> Option<EpochHistory> {
    match EpochHistory::from_json(text) {
        Ok(h) => {
            assert!(
                matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(_))),
                "a history was read from a non-object: {text:?}"
            );
            assert_eq!(model_valid(h.entries()), Ok(()), "{text:?}");
            Some(h)
        }
        Err(e) => {
            assert_eq!(e.status(), Status::InvalidHistory, "{text:?}: {e}");
            None
        }
    }
}

/// One history (valid by construction) against its models, for a log ending at `end`.
fn check_one(h: &EpochHistory, end: u64) {
    let entries = h.entries();
    assert_eq!(model_valid(entries), Ok(()));
    assert_eq!(h.len(), entries.len());
    assert_eq!(h.is_empty(), entries.is_empty());
    assert_eq!(h.latest_epoch(), entries.last().map(|e| e.epoch));
    assert_eq!(EpochLog::latest_epoch(h), h.latest_epoch());
    assert_eq!(EpochLog::entries(h), entries);

    // JSON: reads back as itself, and writes back the same (the canonical form); serde's
    // reader is the same reader.
    let json = h.to_json();
    let back = EpochHistory::from_json(&json).expect("a written history reads back");
    assert_eq!(&back, h, "{json}");
    assert_eq!(back.to_json(), json);
    let serde: EpochHistory = serde_json::from_str(&json).expect("serde reads it too");
    assert_eq!(&serde, h);

    // end_offset_for and follower_step at many epochs and log ends.
    let mut epochs: Vec<u64> = entries
        .iter()
        .flat_map(|e| {
            [
                e.epoch.saturating_sub(1),
                e.epoch,
                e.epoch.saturating_add(1),
            ]
        })
        .chain([0, 1, u64::MAX - 1, u64::MAX])
        .collect();
    epochs.sort_unstable();
    epochs.dedup();
    let latest_start = entries.last().map_or(0, |e| e.start_offset);
    let mut ends = vec![end, 0, latest_start, latest_start.saturating_sub(1)];
    ends.sort_unstable();
    ends.dedup();
    for &log_end in &ends {
        let step = |answer| {
            let got = status(follower_step(h, log_end, answer));
            assert_eq!(
                got,
                model_step(entries, log_end, answer),
                "{answer:?} at {log_end}"
            );
            if let Ok(t) = got {
                assert!(t.offset <= log_end, "truncated beyond the log end");
                if !t.done {
                    let mut after = h.clone();
                    after.truncate_from_end(t.offset);
                    assert!(
                        after.len() < h.len(),
                        "a step that is not done kept every entry"
                    );
                }
            }
        };
        step(None);
        for &epoch in &epochs {
            let got = status(h.end_offset_for(epoch, log_end));
            assert_eq!(got, model_end_offset_for(entries, epoch, log_end));
            assert_eq!(status(EpochLog::end_offset_for(h, epoch, log_end)), got);
            // An answer's end inside the log, and one above every end.
            for answer_end in [latest_start, u64::MAX] {
                step(Some((epoch, answer_end)));
            }
        }
        // A log against itself agrees everywhere.
        let same = status(divergence_point(h, log_end, h, log_end));
        let want = if fits(entries, log_end) {
            Ok(log_end)
        } else {
            Err(Status::InvalidHistory)
        };
        assert_eq!(same, want);
    }
}

/// The leader's and the follower's histories with their log ends.
fn check_pair(
    leader: &EpochHistory,
    leader_end: u64,
    follower: &EpochHistory,
    follower_end: u64,
    answer: Option<Option<(u64, u64)>>,
) {
    let (l, f) = (leader.entries(), follower.entries());
    let want = model_divergence(l, leader_end, f, follower_end);
    let got = status(divergence_point(leader, leader_end, follower, follower_end));
    assert_eq!(
        got, want,
        "divergence_point({leader:?}, {leader_end}, {follower:?}, {follower_end})"
    );
    let swapped = status(divergence_point(follower, follower_end, leader, leader_end));
    assert_eq!(swapped, got, "not symmetric");
    if let Ok(d) = got {
        assert!(d <= leader_end && d <= follower_end);
    }

    // The step with the answer the bytes chose (or none).
    if let Some(answer) = answer {
        let t = status(follower_step(follower, follower_end, answer));
        assert_eq!(t, model_step(f, follower_end, answer));
    }

    // The network loop: ask the leader with the latest epoch, truncate, until done; at most one
    // step per entry and one more.
    if !fits(l, leader_end) || !fits(f, follower_end) {
        return;
    }
    let (mut h, mut end) = (follower.clone(), follower_end);
    for _ in 0..=f.len() {
        let answer = match h.latest_epoch() {
            Some(epoch) => leader.end_offset_for(epoch, leader_end).expect("it fits"),
            None => None,
        };
        let t = follower_step(&h, end, answer)
            .unwrap_or_else(|e| panic!("a step failed on {h:?} at {end}: {e}"));
        assert_eq!(Ok(t), model_step(h.entries(), end, answer));
        assert!(t.offset <= end, "truncated beyond the log end");
        let latest = h.len();
        h.truncate_from_end(t.offset);
        end = t.offset;
        if t.done {
            return;
        }
        assert!(
            h.len() < latest,
            "a step that is not done kept the latest entry"
        );
    }
    panic!(
        "the follower's loop did not end within {} steps",
        f.len() + 1
    );
}

/// One operation on `h` and on its model, with the same answer through the `EpochLog` trait.
enum Op {
    Assign(u64, u64, Option<String>),
    TruncateFromEnd(u64),
    TruncateFromStart(u64),
}

fn apply(h: &mut EpochHistory, op: &Op) {
    let before = h.clone();
    let mut expected = h.entries().to_vec();
    let mut via_trait: Box<dyn EpochLog> = Box::new(h.clone());
    let (got, want, trait_got) = match op {
        Op::Assign(epoch, start, holder) => {
            let got = status(h.assign(*epoch, *start, holder.as_deref()));
            let want = if holder.as_deref().is_some_and(|x| !is_id(x)) {
                Err(Status::InvalidId)
            } else {
                let new = EpochEntry {
                    epoch: *epoch,
                    start_offset: *start,
                    holder: holder.clone(),
                };
                Ok(model::assign(&mut expected, new))
            };
            let t = status(via_trait.assign(*epoch, *start, holder.as_deref()));
            (got, want, t)
        }
        Op::TruncateFromEnd(offset) => {
            let got = Ok(h.truncate_from_end(*offset));
            let want = Ok(model::truncate_from_end(&mut expected, *offset));
            (got, want, status(via_trait.truncate_from_end(*offset)))
        }
        Op::TruncateFromStart(offset) => {
            let got = Ok(h.truncate_from_start(*offset));
            let want = Ok(model::truncate_from_start(&mut expected, *offset));
            (got, want, status(via_trait.truncate_from_start(*offset)))
        }
    };
    assert_eq!(got, want, "{before:?}");
    assert_eq!(trait_got, got, "the trait answers the same");
    assert_eq!(h.entries(), expected.as_slice(), "{before:?}");
    assert_eq!(via_trait.history(), &*h);
    // (Holders are checked as they come in: an assign refuses one that is not an id.)
    assert!(
        model::increasing(h.entries()),
        "an operation broke the rules"
    );
    assert_eq!(
        got.unwrap_or(false),
        *h != before,
        "changed, exactly when it did"
    );

    // Truncations, offset by offset: from the end, every reign below the offset as before and
    // no entry starting at or after it; from the start (when the first entry starts before
    // the offset), no reign below it and every reign at or after it as before.
    let reign =
        |entries: &[EpochEntry], x: u64| reign_at(entries, x).map(|e| (e.epoch, e.holder.clone()));
    let offsets = match op {
        Op::Assign(..) => return,
        Op::TruncateFromEnd(o) | Op::TruncateFromStart(o) => probe_offsets(before.entries(), &[*o]),
    };
    match op {
        Op::TruncateFromEnd(o) => {
            assert!(h.entries().iter().all(|e| e.start_offset < *o));
            for &x in offsets.iter().filter(|&&x| x < *o) {
                assert_eq!(reign(h.entries(), x), reign(before.entries(), x), "at {x}");
            }
        }
        Op::TruncateFromStart(o) => {
            let moved = before
                .entries()
                .first()
                .is_some_and(|e| e.start_offset < *o);
            for x in offsets {
                let want = if moved && x < *o {
                    None
                } else {
                    reign(before.entries(), x)
                };
                assert_eq!(reign(h.entries(), x), want, "at {x} after {before:?}");
            }
        }
        Op::Assign(..) => {}
    }
}

/// A log end that fits `h`, at or above `end`.
fn fitting_end(h: &EpochHistory, end: u64) -> u64 {
    h.entries().last().map_or(0, |e| e.start_offset.max(end))
}

fn built(flags: u8, data: &[u8]) {
    let values = Values {
        base: if flags & 1 != 0 { u64::MAX - 255 } else { 0 },
    };
    let mut bytes = Bytes(data);
    let leader_entries = values.entries(&mut bytes);
    let follower_entries = values.entries(&mut bytes);
    let leader_end = values.log_end(bytes.next(), &leader_entries);
    let follower_end = values.log_end(bytes.next(), &follower_entries);
    let leader = build(leader_entries, flags >> 1);
    let mut follower = build(follower_entries, flags >> 3);
    let answer = match bytes.next() {
        0 => None,
        1 => match follower.latest_epoch() {
            Some(e) => leader.end_offset_for(e, leader_end).ok().flatten(),
            None => None,
        },
        _ => {
            let epoch = values.epoch(bytes.next() | 0x80, None);
            Some((epoch, values.base + u64::from(bytes.next())))
        }
    };
    check_one(&leader, leader_end);
    check_one(&follower, follower_end);
    check_pair(&leader, leader_end, &follower, follower_end, Some(answer));

    let mut ops = 0;
    while !bytes.is_empty() && ops < 64 {
        ops += 1;
        let latest = follower.entries().last();
        let (epoch, start) = (latest.map(|e| e.epoch), latest.map(|e| e.start_offset));
        let op = match bytes.next() % 3 {
            0 => Op::Assign(
                values.epoch(bytes.next(), epoch),
                values.start(bytes.next(), start),
                Values::holder(bytes.next()),
            ),
            1 => Op::TruncateFromEnd(values.base + u64::from(bytes.next())),
            _ => Op::TruncateFromStart(values.base + u64::from(bytes.next())),
        };
        apply(&mut follower, &op);
    }
    if ops > 0 {
        let end = fitting_end(&follower, follower_end);
        check_one(&follower, end);
        check_pair(&leader, leader_end, &follower, end, None);
    }
}

fn text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(2, '\0');
    let first = parts.next().map(parse);
    let second = parts.next().map(parse);
    let histories: Vec<EpochHistory> = [first, second].into_iter().flatten().flatten().collect();
    for h in &histories {
        let end = fitting_end(h, 0);
        check_one(h, end);
        check_one(h, end.saturating_add(3));
    }
    let [leader, follower] = histories.as_slice() else {
        return;
    };
    for (a, b) in [(0, 0), (0, 1), (1, 0), (5, 2)] {
        let (le, fe) = (fitting_end(leader, 0), fitting_end(follower, 0));
        check_pair(
            leader,
            le.saturating_add(a),
            follower,
            fe.saturating_add(b),
            Some(None),
        );
    }
    // The follower's entries assigned onto the leader's history, then cut at both ends.
    let mut h = leader.clone();
    for e in follower.entries() {
        apply(
            &mut h,
            &Op::Assign(e.epoch, e.start_offset, e.holder.clone()),
        );
    }
    if let (Some(first), Some(last)) = (follower.entries().first(), follower.entries().last()) {
        apply(
            &mut h,
            &Op::TruncateFromStart(first.start_offset.saturating_add(1)),
        );
        apply(&mut h, &Op::TruncateFromEnd(last.start_offset));
    }
    let end = fitting_end(&h, 0);
    check_pair(leader, fitting_end(leader, 0), &h, end, None);
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if flags & 0x80 != 0 {
        text(rest);
    } else {
        built(flags, rest);
    }
});
