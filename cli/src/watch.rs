//! `tael-coord watch`: leader-change events (SEMANTICS.md §16) as JSON lines, from a view URL
//! polled at an interval or from a file of views.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use tael_coord::{elect_leaders, transitions, Decision, Policy, View};

use crate::offline::{open, PolicyFlags};

/// Arguments of `tael-coord watch`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["url", "views"])))]
pub struct WatchArgs {
    /// Poll this URL (plain http://) for the view JSON, e.g. a dashboard's /api/view.
    #[arg(long)]
    url: Option<String>,
    /// Read views from this file, one view JSON per line (`-` reads standard input).
    #[arg(long)]
    views: Option<PathBuf>,
    /// With --url: milliseconds between polls.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    interval_ms: u64,
    /// With --url: stop after this many polls (0 polls until interrupted).
    #[arg(long, default_value_t = 0)]
    polls: u64,
    /// Decide each view with the policy it carries (its cluster's), instead of the flags.
    #[arg(long, conflicts_with_all = ["eligibility", "quorum_guard", "sticky_incumbent", "priority", "rendezvous", "freshness"])]
    view_policy: bool,
    #[command(flatten)]
    policy: PolicyFlags,
}

/// Decides each view in turn and prints the events between successive decisions. The first
/// view's leaders are reported as `elected` (the watcher starts from knowing nothing).
struct Watcher {
    policy: Policy,
    view_policy: bool,
    previous: Vec<Decision>,
}

impl Watcher {
    fn observe(&mut self, view: &View) -> Result<()> {
        let policy = match (&view.policy, self.view_policy) {
            (Some(policy), true) => *policy,
            _ => self.policy,
        };
        let next = elect_leaders(view, &policy)?;
        let mut out = std::io::stdout().lock();
        for event in transitions(&self.previous, &next)? {
            writeln!(out, "{}", event.to_json())?;
        }
        out.flush()?;
        self.previous = next;
        Ok(())
    }
}

pub fn watch(args: WatchArgs) -> Result<()> {
    let mut watcher = Watcher {
        policy: Policy::from(&args.policy),
        view_policy: args.view_policy,
        previous: Vec::new(),
    };
    if let Some(path) = &args.views {
        let reader = BufReader::new(open(path)?);
        for (i, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("reading {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let view = View::from_json(&line)
                .with_context(|| format!("{} line {}", path.display(), i + 1))?;
            watcher.observe(&view)?;
        }
        return Ok(());
    }
    let url = args.url.as_deref().expect("clap requires a source");
    if !url.starts_with("http://") {
        bail!("--url {url:?}: only plain http:// URLs are polled");
    }
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(args.interval_ms.max(1000) * 5)))
        .build()
        .new_agent();
    let interval = Duration::from_millis(args.interval_ms);
    let mut polls = 0u64;
    loop {
        let started = Instant::now();
        let text = agent
            .get(url)
            .call()
            .and_then(|mut response| response.body_mut().read_to_string())
            .with_context(|| format!("GET {url}"))?;
        let view = View::from_json(&text).with_context(|| format!("the view at {url}"))?;
        watcher.observe(&view)?;
        polls += 1;
        if args.polls > 0 && polls >= args.polls {
            return Ok(());
        }
        std::thread::sleep(interval.saturating_sub(started.elapsed()));
    }
}
