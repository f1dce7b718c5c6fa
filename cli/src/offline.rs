//! `tael-coord elect`, `fence` and `divergence`: the core's decisions on files.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde::Deserialize;
use tael_coord::{
    divergence_point, elect_leaders, elect_leaders_to_json, parse_u64, EpochFencer, EpochHistory,
    FenceRegistry, GateRegistry, HolderFencer, HolderGate, Policy, Snapshot, Verdict, View,
};

/// Exit status of `fence` when the record is rejected (0 when accepted; 2 for errors).
const REJECTED: u8 = 1;

/// A file to read, or standard input for `-`.
pub fn open(path: &Path) -> Result<Box<dyn Read>> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Box::new(file))
}

fn read(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        Ok(text)
    } else {
        fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Policy toggles as flags (SEMANTICS.md §8).
#[derive(Args, Clone, Debug)]
pub struct PolicyFlags {
    /// Only eligible members may lead.
    #[arg(long)]
    eligibility: bool,
    /// No leader unless the live members are a majority of the configured size.
    #[arg(long)]
    quorum_guard: bool,
    /// Keep the group's live incumbent.
    #[arg(long)]
    sticky_incumbent: bool,
    /// Higher priority wins.
    #[arg(long)]
    priority: bool,
    /// Place leadership by rendezvous hashing.
    #[arg(long)]
    rendezvous: bool,
    /// Only members whose log is fresh may lead (on the freshest live log's epoch, within
    /// --max-lag records of its end).
    #[arg(long)]
    freshness: bool,
    /// With --freshness: how many records behind the freshest a candidate may be.
    #[arg(long, default_value = "0", value_parser = u64_value, requires = "freshness")]
    max_lag: u64,
}

/// A u64 flag value, as canonical decimal text (SEMANTICS.md §4).
fn u64_value(text: &str) -> Result<u64, String> {
    parse_u64(text).map_err(|e| e.message().to_owned())
}

impl From<&PolicyFlags> for Policy {
    fn from(f: &PolicyFlags) -> Policy {
        Policy {
            eligibility: f.eligibility,
            quorum_guard: f.quorum_guard,
            sticky_incumbent: f.sticky_incumbent,
            priority: f.priority,
            rendezvous: f.rendezvous,
            freshness: f.freshness,
            max_lag: f.max_lag,
        }
    }
}

/// Arguments of `tael-coord elect`.
#[derive(Args, Debug)]
pub struct ElectArgs {
    /// The membership view (JSON, SEMANTICS.md §7); `-` reads standard input.
    #[arg(long)]
    view: PathBuf,
    #[command(flatten)]
    policy: PolicyFlags,
    /// Also list every member that does not lead, and why.
    #[arg(long)]
    explain: bool,
    /// Print the pinned decision JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn elect(args: ElectArgs) -> Result<ExitCode> {
    let view =
        View::from_json(&read(&args.view)?).with_context(|| format!("{}", args.view.display()))?;
    let policy = Policy::from(&args.policy);
    if args.json {
        println!("{}", elect_leaders_to_json(&view, &policy)?);
        return Ok(ExitCode::SUCCESS);
    }
    let decisions = elect_leaders(&view, &policy)?;
    let words = |s: &str| s.replace('_', " ");
    for d in &decisions {
        let reason = words(d.reason.name());
        match &d.leader {
            Some(leader) => println!("{}: {leader} leads ({reason})", d.group),
            None => println!("{}: no leader ({reason})", d.group),
        }
        if args.explain {
            for x in &d.excluded {
                let why = words(x.reason.name());
                println!("  {} (generation {}): {why}", x.id, x.generation);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `tael-coord divergence`.
#[derive(Args, Debug)]
pub struct DivergenceArgs {
    /// The leader's log: `{"history": <history JSON>, "log_end": "<u64>"}`; `-` reads standard
    /// input.
    #[arg(long)]
    leader: PathBuf,
    /// The follower's log, in the same form.
    #[arg(long)]
    follower: PathBuf,
}

/// One log as `divergence` reads it: its epoch history and its end offset.
struct Log {
    history: EpochHistory,
    log_end: u64,
}

impl Log {
    fn read(path: &Path) -> Result<Log> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            history: serde_json::Value,
            log_end: serde_json::Value,
        }
        let at = || path.display().to_string();
        let file: File = serde_json::from_str(&read(path)?).with_context(at)?;
        // A u64 as SEMANTICS.md §4 writes it: a decimal string or an exact integer.
        let log_end = match &file.log_end {
            serde_json::Value::String(text) => parse_u64(text).map_err(anyhow::Error::from),
            other => other.as_u64().context("not a u64"),
        };
        // Errors name the file and the field (the core's message gives the path inside it).
        let field = |name: &str| format!("{}: {name}", path.display());
        Ok(Log {
            history: EpochHistory::from_json(&file.history.to_string())
                .with_context(|| field("history"))?,
            log_end: log_end.with_context(|| field("log_end"))?,
        })
    }
}

/// Print the divergence point of two logs (SEMANTICS.md §15).
pub fn divergence(args: DivergenceArgs) -> Result<ExitCode> {
    let leader = Log::read(&args.leader)?;
    let follower = Log::read(&args.follower)?;
    let point = divergence_point(
        &leader.history,
        leader.log_end,
        &follower.history,
        follower.log_end,
    )?;
    println!("{point}");
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `tael-coord fence`. Exits 0 when the record is accepted, 1 when rejected.
#[derive(Args, Debug)]
pub struct FenceArgs {
    /// The record's epoch.
    epoch: String,
    /// The gate's high-water mark.
    #[arg(long, default_value = "0", conflicts_with = "snapshot")]
    highest: String,
    /// The record's holder: judge the token (epoch, holder) with a holder-aware gate.
    #[arg(long)]
    holder: Option<String>,
    /// With --holder: the holder recorded for the gate's highest epoch, if any.
    #[arg(long, requires = "holder")]
    recorded_holder: Option<String>,
    /// A jump cap: records more than this above the highest are refused.
    #[arg(long)]
    jump_cap: Option<String>,
    /// A registry snapshot (JSON, SEMANTICS.md §9) to take the gate from.
    #[arg(long, requires = "stream", conflicts_with = "holder")]
    snapshot: Option<PathBuf>,
    /// The stream of the snapshot to check against.
    #[arg(long, requires = "snapshot")]
    stream: Option<String>,
    /// Write the snapshot back with the stream advanced, when the record advanced it.
    #[arg(long, requires = "snapshot")]
    update: bool,
    /// Print the pinned verdict JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn u64_arg(what: &str, text: &str) -> Result<u64> {
    parse_u64(text).with_context(|| what.to_owned())
}

pub fn fence(args: FenceArgs) -> Result<ExitCode> {
    let epoch = u64_arg("the epoch", &args.epoch)?;
    let cap = args
        .jump_cap
        .as_deref()
        .map(|c| u64_arg("--jump-cap", c))
        .transpose()?;
    let verdict: Verdict = if let (Some(path), Some(stream)) = (&args.snapshot, &args.stream) {
        let snapshot =
            Snapshot::from_json(&read(path)?).with_context(|| format!("{}", path.display()))?;
        let registry = FenceRegistry::new().with_jump_cap(cap);
        registry.restore(&snapshot)?;
        let verdict = registry.check(stream, epoch)?;
        if args.update && matches!(verdict, Verdict::Advanced { .. }) {
            fs::write(path, registry.snapshot().to_json() + "\n")
                .with_context(|| format!("writing {}", path.display()))?;
        }
        verdict
    } else if let Some(holder) = &args.holder {
        let highest = u64_arg("--highest", &args.highest)?;
        let gate = HolderFencer::with_holder(highest, args.recorded_holder.as_deref())
            .context("--recorded-holder")?;
        gate.with_jump_cap(cap).check(epoch, holder)?
    } else {
        let highest = u64_arg("--highest", &args.highest)?;
        EpochFencer::with_highest(highest)
            .with_jump_cap(cap)
            .check(epoch)
    };
    if args.json {
        println!("{}", verdict.to_json());
    } else {
        let word = if verdict.accepted() {
            "accepted"
        } else {
            "rejected"
        };
        let detail = match &verdict {
            Verdict::Current { epoch } => format!("epoch {epoch} is the current epoch"),
            Verdict::Advanced { from, to } => format!("the gate advances from {from} to {to}"),
            Verdict::Stale { epoch, highest } => {
                format!("epoch {epoch} is below the highest, {highest}")
            }
            Verdict::TooFarAhead {
                epoch,
                highest,
                cap,
            } => {
                format!("epoch {epoch} is more than {cap} above the highest, {highest}")
            }
            Verdict::Conflict { epoch, holder } => format!("epoch {epoch} is held by {holder}"),
            Verdict::Closed { epoch, holder } => {
                format!("the reign of {holder} at epoch {epoch} is closed")
            }
        };
        println!("{}: {word}: {detail}", verdict.code());
    }
    Ok(if verdict.accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(REJECTED)
    })
}
