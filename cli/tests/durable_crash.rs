//! Crash test of the durable gates: a child process (`tael-coord durable-child`) advances a
//! durable gate (or registry) in a loop and prints each acknowledged epoch; this test SIGKILLs it
//! at a random moment, reopens the file, and checks that it is never torn or corrupt and that the
//! reopened mark is at least every acknowledged epoch: zero lost.
//!
//! Settings: `TAEL_CRASH_CYCLES`, the number of kills (default 100, the short form CI runs; the
//! full run is 1000 or more); `TAEL_CRASH_SEED` replays a run; `TAEL_CRASH_MAX_DELAY_MS` bounds
//! the random time before each kill (default 60); `TAEL_CRASH_FRESH_EVERY` deletes the files every
//! so many cycles of each kind (default 25), so that creating them gets killed too;
//! The delay is what is random, not a synchronisation: every check reads what the child wrote
//! before it died. A second test is the negative control: a child that prints each
//! acknowledgement before the write (`--ack-before-write`, a broken gate) must be caught losing
//! one.
//!
//! A killed process leaves the page cache intact, so this checks the all-or-nothing replacement
//! and the order "on disk, then acknowledged" inside the process; `tests/durable/run.sh`
//! checks that the fsyncs come before each acknowledgement.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tael_coord::{DurableFencer, DurableRegistry, EpochGate, GateRegistry};

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// What one child printed before it was killed: its "open" line and, per key, the epochs it
/// acknowledged.
#[derive(Default)]
struct Report {
    opened: Option<String>,
    acked: BTreeMap<String, Vec<u64>>,
}

fn parse(stdout: &str) -> Report {
    let mut report = Report::default();
    // Each line is one write of at most a few dozen bytes to a pipe, so it arrives whole;
    // a last line without its newline would still be ignored.
    let complete = stdout.rfind('\n').map_or("", |end| &stdout[..end]);
    for line in complete.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["open", _kind, rest] => report.opened = Some(rest.to_owned()),
            ["ack", key, epoch] => report
                .acked
                .entry(key.to_owned())
                .or_default()
                .push(epoch.parse().expect("an epoch")),
            _ => panic!("unexpected line from the child: {line:?}"),
        }
    }
    report
}

/// Run the child on `args`, kill it after `delay`, and return what it printed.
fn kill_after(args: &[&str], delay: Duration) -> Report {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tael-coord"))
        .arg("durable-child")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting tael-coord durable-child");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the child ended before it was killed ({status}): {stderr}"
    );
    parse(&reader.join().unwrap().unwrap())
}

/// The marks of the file at `path`, which must open (whole, never corrupt).
fn reopen(on_gate: bool, path: &Path, context: &str) -> BTreeMap<String, u64> {
    if on_gate {
        let gate = DurableFencer::open(path)
            .unwrap_or_else(|e| panic!("{context}: the gate file is damaged: {e}"));
        BTreeMap::from([("gate".to_owned(), gate.highest())])
    } else {
        let registry = DurableRegistry::open(path)
            .unwrap_or_else(|e| panic!("{context}: the registry file is damaged: {e}"));
        registry
            .snapshot()
            .streams
            .into_iter()
            .map(|(name, mark)| (name, mark.0))
            .collect()
    }
}

/// What the child's "open" line must say when the marks verified before were `before`.
fn open_line(on_gate: bool, before: &BTreeMap<String, u64>) -> String {
    if on_gate {
        return before["gate"].to_string();
    }
    let mut marks = before.clone();
    for stream in ["s0", "s1"] {
        marks.entry(stream.to_owned()).or_insert(0);
    }
    let snapshot = tael_coord::Snapshot {
        streams: marks
            .into_iter()
            .map(|(k, v)| (k, tael_coord::Mark(v)))
            .collect(),
    };
    snapshot.to_json()
}

#[derive(Debug, Default)]
struct Outcome {
    cycles: u64,
    acks: u64,
    lost: u64,
    first_loss: Option<String>,
    cycles_with_acks: u64,
    fresh_starts: u64,
    marks: [BTreeMap<String, u64>; 2],
}

/// Kill a child `cycles` times (gate and registry on alternate cycles), reopening and checking
/// after each kill; stops at the first lost acknowledgement when `stop_at_loss`.
fn crash_cycles(tag: &str, cycles: u64, child_flags: &[&str], stop_at_loss: bool) -> Outcome {
    let max_delay_ms = env_u64("TAEL_CRASH_MAX_DELAY_MS", 60).max(1);
    let fresh_every = env_u64("TAEL_CRASH_FRESH_EVERY", 25).max(1);
    let seed = env_u64(
        "TAEL_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    )
    .max(1);
    println!("durable crash ({tag}): seed {seed} (TAEL_CRASH_SEED replays it)");
    let mut rng = Rng(seed);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("durable-crash-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let paths = [dir.join("gate"), dir.join("registry")];
    // Per kind, the marks verified after the last kill, which the next child must open with.
    let mut verified: [Option<BTreeMap<String, u64>>; 2] = [None, None];
    let mut out = Outcome::default();

    for cycle in 0..cycles {
        out.cycles = cycle + 1;
        let kind = (cycle % 2) as usize;
        let on_gate = kind == 0;
        let path = &paths[kind];
        if (cycle / 2).is_multiple_of(fresh_every) {
            // Start this kind afresh: the next child creates the file (and may die doing so).
            let _ = std::fs::remove_file(path);
            verified[kind] = None;
            out.fresh_starts += 1;
        }
        let delay = Duration::from_micros(rng.next() % (max_delay_ms * 1000));
        let path_arg = path.to_str().unwrap();
        let mut args = if on_gate {
            vec!["--gate", path_arg, "--threads", "2"]
        } else {
            vec!["--registry", path_arg, "--threads", "2", "--streams", "2"]
        };
        args.extend_from_slice(child_flags);
        let report = kill_after(&args, delay);
        let acks: u64 = report.acked.values().map(|v| v.len() as u64).sum();
        out.acks += acks;
        out.cycles_with_acks += u64::from(acks > 0);

        let context = format!(
            "cycle {cycle} ({}, killed after {delay:?})",
            if on_gate { "gate" } else { "registry" }
        );
        // The file must be whole. It may be missing only if no child of this kind got as far
        // as creating it since the last fresh start (the file is on disk before "open").
        if !path.exists() {
            assert!(
                verified[kind].is_none() && report.opened.is_none() && acks == 0,
                "{context}: the file vanished"
            );
            continue;
        }
        let marks = reopen(on_gate, path, &context);
        if let (Some(opened), Some(before)) = (&report.opened, &verified[kind]) {
            let expected = open_line(on_gate, before);
            assert_eq!(*opened, expected, "{context}: the child read other marks");
        }
        for (key, &before) in verified[kind].iter().flatten() {
            let now = marks.get(key).copied().unwrap_or(0);
            assert!(
                now >= before,
                "{context}: {key} went back from {before} to {now}"
            );
        }
        for (key, epochs) in &report.acked {
            let mark = marks.get(key).copied().unwrap_or(0);
            let lost: Vec<u64> = epochs.iter().copied().filter(|&e| e > mark).collect();
            if let Some(first) = lost.first() {
                out.lost += lost.len() as u64;
                out.first_loss.get_or_insert_with(|| {
                    format!(
                        "{context}: {key} epoch {first} was acknowledged but the file says {mark}"
                    )
                });
            }
        }
        verified[kind] = Some(marks.clone());
        out.marks[kind] = marks;
        if stop_at_loss && out.lost > 0 {
            break;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn sigkill_never_loses_an_acknowledged_epoch() {
    let cycles = env_u64("TAEL_CRASH_CYCLES", 100);
    let started = Instant::now();
    let out = crash_cycles("real", cycles, &[], false);
    println!(
        "durable crash: {} cycles (SIGKILL after 0-{} ms, {} on a missing file), {} acknowledged \
         advances, {} cycles killed after acknowledging, final marks gate {:?} registry {:?}, \
         lost {}, damaged files 0, {:.1} s",
        out.cycles,
        env_u64("TAEL_CRASH_MAX_DELAY_MS", 60),
        out.fresh_starts,
        out.acks,
        out.cycles_with_acks,
        out.marks[0],
        out.marks[1],
        out.lost,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(out.lost, 0, "{}", out.first_loss.unwrap_or_default());
    // The kills must land while the child is advancing, or nothing was tested.
    assert!(
        out.cycles_with_acks * 4 >= cycles,
        "only {} of {cycles} cycles acknowledged anything",
        out.cycles_with_acks
    );
}

/// The negative control: a child that acknowledges before the write is caught within a few
/// kills (each kill during a write loses an acknowledged epoch with it).
#[test]
fn a_gate_that_acknowledges_before_the_write_is_caught() {
    let out = crash_cycles("control", 60, &["--ack-before-write"], true);
    println!(
        "durable crash (control, --ack-before-write): first loss after {} cycles: {}",
        out.cycles,
        out.first_loss.as_deref().unwrap_or("none")
    );
    assert!(
        out.lost > 0,
        "{} kills of a child that acknowledges before writing lost nothing: the crash test \
         cannot tell a broken gate from a good one",
        out.cycles
    );
}
