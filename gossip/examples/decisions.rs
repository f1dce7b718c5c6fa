//! What deciding many groups costs in Rust: time and memory per call of `elect_leaders` (a
//! parsed view) and `elect_leaders_json` (view text in, parsed and decided), for views of 10k,
//! 100k and 1M groups of 5 members.
//!
//! ```sh
//! cargo run --release -p tael-coord-gossip --example decisions -- --groups 10000,100000,1000000
//! ```
//!
//! The view is the one `benches/core.rs` decides at 10,000 groups, for any number of groups:
//! group `wal-<g>` lists `node-<(g+m) % 7>` for m in 0..5, the third one dead, generation
//! `g % 3`, epoch `g` (u64 values as strings). `scripts/scale/decisions.py` and
//! `scripts/scale/decisions.mjs` build the same text, byte for byte, for the Python and WASM
//! fronts.
//!
//! Each size and call runs in a fresh child process, so that its first call's memory is
//! measured against a clean heap: the peak resident set size during that call above the
//! resident set size just before it (Linux `/proc/self/status`, the peak reset through
//! `/proc/self/clear_refs`), with the input already in memory and the output still held. Times
//! are the median over the runs (each call's output dropped before the next), on the wall clock
//! and in CPU time of the calling thread (which a busy machine does not inflate).

use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use tael_coord::{decisions_to_json, elect_leaders, elect_leaders_json, Policy, View};

#[derive(Parser, Debug)]
#[command(about = "Time and memory per call of elect_leaders and elect_leaders_json")]
struct Args {
    /// Numbers of groups (5 members each), in order.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    groups: Vec<usize>,
    /// Calls per measurement (the median is shown): one value, or one per `--groups` entry.
    /// By default 9 up to 10,000 groups, 5 up to 100,000, 3 above.
    #[arg(long, value_delimiter = ',')]
    runs: Option<Vec<usize>>,
    /// Internal: measure one size and one call in this process (`decide` or `json`), print JSON.
    #[arg(long, hide = true, num_args = 2, value_names = ["GROUPS", "CALL"])]
    child: Option<Vec<String>>,
}

/// The view text: `groups` groups of 5 members (see the module comment).
fn view_text(groups: usize) -> String {
    let mut text = String::with_capacity(groups * 330 + 16);
    text.push_str("{\"groups\":{");
    for g in 0..groups {
        if g > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"wal-{g}\":{{\"members\":["));
        for m in 0..5 {
            if m > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "{{\"id\":\"node-{}\",\"live\":{},\"generation\":\"{}\",\"epoch\":\"{g}\"}}",
                (g + m) % 7,
                m != 2,
                g % 3
            ));
        }
        text.push_str("]}");
    }
    text.push_str("}}");
    text
}

/// A field of /proc/self/status, in kB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time of this thread (ns), from /proc/thread-self/schedstat: unlike the wall clock, it
/// does not count time spent waiting for a core other processes hold.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Reset the peak resident set size to the current one (Linux 4.0+).
fn reset_peak() -> Result<()> {
    std::fs::write("/proc/self/clear_refs", "5").context("resetting the peak RSS")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Time `call` `runs` times (the first also for memory) and print one JSON line.
fn child(groups: usize, call: &str, runs: usize) -> Result<()> {
    let text = view_text(groups);
    let policy = Policy::default();
    let mut extra = serde_json::Map::new();
    // The parsed view for `decide` is made before the measured call, like the text for `json`.
    let view = if call == "decide" {
        let t = Instant::now();
        let view = View::from_json(&text)?;
        extra.insert("parse_ms".into(), (t.elapsed().as_secs_f64() * 1e3).into());
        Some(view)
    } else {
        None
    };
    let decide = || match &view {
        Some(view) => elect_leaders(view, &policy),
        None => elect_leaders_json(&text, "{}"),
    };
    if call != "decide" && call != "json" {
        bail!("unknown call {call}");
    }
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    reset_peak()?;
    let before = status_kb("VmRSS");
    let (t, c) = (Instant::now(), thread_cpu_ns());
    let first = black_box(decide()?);
    times.push(t.elapsed().as_secs_f64() * 1e3);
    cpu.push((thread_cpu_ns() - c) as f64 / 1e6);
    let peak = status_kb("VmHWM");
    let leaders = first.iter().filter(|d| d.leader.is_some()).count();
    let t = Instant::now();
    let out = decisions_to_json(&first);
    extra.insert(
        "to_json_ms".into(),
        (t.elapsed().as_secs_f64() * 1e3).into(),
    );
    let output_json_bytes = out.len();
    drop(out);
    drop(first);
    for _ in 1..runs {
        let (t, c) = (Instant::now(), thread_cpu_ns());
        let d = black_box(decide()?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        cpu.push((thread_cpu_ns() - c) as f64 / 1e6);
        drop(d);
    }
    let mut line = serde_json::json!({
        "front": "rust",
        "call": call,
        "groups": groups,
        "input_bytes": text.len(),
        "output_json_bytes": output_json_bytes,
        "leaders": leaders,
        "runs": runs,
        "first_ms": times[0],
        "median_ms": median(times.clone()),
        "cpu_median_ms": median(cpu),
        "min_ms": times.iter().copied().fold(f64::INFINITY, f64::min),
        "max_ms": times.iter().copied().fold(0.0, f64::max),
        "rss_before_kib": before,
        "peak_delta_kib": peak.saturating_sub(before),
    });
    if let Some(map) = line.as_object_mut() {
        map.extend(extra);
    }
    println!("{line}");
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(c) = &args.child {
        let groups: usize = c[0].parse().context("GROUPS")?;
        let runs = args
            .runs
            .as_deref()
            .and_then(|r| r.first().copied())
            .unwrap_or(1);
        return child(groups, &c[1], runs.max(1));
    }
    let exe = std::env::current_exe()?;
    println!("| front | call | groups | input MB | runs | median ms (min–max) | CPU ms | first ms | per group µs (CPU) | peak RSS delta MiB | output JSON MB | parse ms | to JSON ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (index, &groups) in args.groups.iter().enumerate() {
        let default_runs = match groups {
            0..=10_000 => 9,
            10_001..=100_000 => 5,
            _ => 3,
        };
        let runs = match args.runs.as_deref() {
            None => default_runs,
            Some([one]) => *one,
            Some(list) => *list
                .get(index)
                .context("--runs needs one value, or one per --groups entry")?,
        };
        for call in ["decide", "json"] {
            let out = Command::new(&exe)
                .args([
                    "--child",
                    &groups.to_string(),
                    call,
                    "--runs",
                    &runs.to_string(),
                ])
                .output()?;
            if !out.status.success() {
                bail!(
                    "{groups} groups, {call}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let line: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            let f = |k: &str| line[k].as_f64().unwrap_or(f64::NAN);
            let name = if call == "decide" {
                "elect_leaders (parsed view)"
            } else {
                "elect_leaders_json (text)"
            };
            let opt = |k: &str| {
                line.get(k)
                    .and_then(|v| v.as_f64())
                    .map_or("—".to_owned(), |v| format!("{v:.1}"))
            };
            println!(
                "| Rust | {name} | {groups} | {:.1} | {runs} | {:.1} ({:.1}–{:.1}) | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {} | {} |",
                f("input_bytes") / 1e6,
                f("median_ms"),
                f("min_ms"),
                f("max_ms"),
                f("cpu_median_ms"),
                f("first_ms"),
                f("cpu_median_ms") * 1e3 / groups as f64,
                f("peak_delta_kib") / 1024.0,
                f("output_json_bytes") / 1e6,
                opt("parse_ms"),
                opt("to_json_ms"),
            );
        }
    }
    Ok(())
}
