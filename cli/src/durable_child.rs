//! `tael-coord durable-child` (hidden): a process that advances a durable gate or registry in a
//! loop and prints each acknowledged epoch, for the crash and system-call tests
//! (`cli/tests/durable_crash.rs`, `tests/durable/`).
//!
//! Every line is written with one `write` call and flushed at once, so a parent that SIGKILLs
//! this process reads exactly the acknowledgements given before the kill.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use tael_coord::{DurableFencer, DurableRegistry, EpochGate, GateRegistry, Verdict};

#[derive(Args, Debug)]
pub struct DurableChildArgs {
    /// Advance the durable gate stored in this file (created when missing).
    #[arg(
        long,
        conflicts_with = "registry",
        required_unless_present = "registry"
    )]
    gate: Option<PathBuf>,
    /// Advance the streams s0, s1, ... of the durable registry stored in this file.
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Threads advancing at once (on the registry, thread i advances stream s(i mod streams)).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Streams of the registry.
    #[arg(long, default_value_t = 2)]
    streams: usize,
    /// Advances per thread before exiting normally; 0 runs until killed.
    #[arg(long, default_value_t = 0)]
    count: u64,
    /// Negative control: print each acknowledgement *before* the call that makes it durable,
    /// as a broken gate would, to show that the crash test notices.
    #[arg(long)]
    ack_before_write: bool,
}

/// Print one line with a single write, flushed.
fn say(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(format!("{line}\n").as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Alternates promotions with checks of epochs a little above the mark; prints `ack KEY EPOCH`
/// for each acknowledged advance, after the call that made it returned.
fn advance(
    key: &str,
    count: u64,
    early: bool,
    seed: u64,
    promote: impl Fn() -> tael_coord::Result<u64>,
    check: impl Fn(u64) -> tael_coord::Result<Verdict>,
    highest: impl Fn() -> tael_coord::Result<u64>,
) -> Result<()> {
    let mut rng = seed | 1;
    let mut done = 0;
    while count == 0 || done < count {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let target = highest()? + 1 + if rng.is_multiple_of(2) { 0 } else { rng % 3 };
        if early {
            say(&format!("ack {key} {target}"))?;
        }
        let epoch = if rng.is_multiple_of(2) {
            promote()?
        } else {
            match check(target)? {
                Verdict::Advanced { to, .. } => to,
                // Another thread moved the mark first: nothing was advanced here.
                _ => continue,
            }
        };
        if !early {
            say(&format!("ack {key} {epoch}"))?;
        }
        done += 1;
    }
    Ok(())
}

pub fn run(args: DurableChildArgs) -> Result<ExitCode> {
    let seed = u64::from(std::process::id()).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let threads = args.threads.max(1);
    if let Some(path) = &args.gate {
        let gate = DurableFencer::open_or_create(path)?;
        say(&format!("open gate {}", gate.highest()))?;
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads as u64)
                .map(|t| {
                    let gate = &gate;
                    s.spawn(move || {
                        advance(
                            "gate",
                            args.count,
                            args.ack_before_write,
                            seed ^ t,
                            || gate.promote(),
                            |e| gate.check(e),
                            || Ok(gate.highest()),
                        )
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().unwrap_or_else(|_| bail!("a thread panicked")))
        })?;
    } else if let Some(path) = &args.registry {
        let registry = DurableRegistry::open_or_create(path)?;
        let streams: Vec<String> = (0..args.streams.max(1)).map(|i| format!("s{i}")).collect();
        for stream in &streams {
            if registry.highest(stream).is_err() {
                registry.add(stream, 0)?;
            }
        }
        say(&format!("open registry {}", registry.snapshot().to_json()))?;
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let registry = &registry;
                    let stream = streams[t % streams.len()].as_str();
                    s.spawn(move || {
                        advance(
                            stream,
                            args.count,
                            args.ack_before_write,
                            seed ^ t as u64,
                            || registry.promote(stream),
                            |e| registry.check(stream, e),
                            || registry.highest(stream),
                        )
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().unwrap_or_else(|_| bail!("a thread panicked")))
        })?;
    }
    Ok(ExitCode::SUCCESS)
}
