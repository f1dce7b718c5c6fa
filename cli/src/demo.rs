//! `tael-coord demo`: a replication group on real chitchat gossip fails over, and fencing stops
//! the deposed leader.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;

use crate::cluster::{wait_for, Cluster, Event, Tracker};
use crate::node::GossipSettings;

/// Arguments of `tael-coord demo`.
#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    /// Nodes in the replication group.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// Run the whole scenario this many times on fresh clusters and report min/median/max.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Keep every core busy with spinning threads during the runs, and count any survivor
    /// wrongly declared dead.
    #[arg(long)]
    pub load: bool,
    /// Write every view each node saw, with its decision, to this JSON file (for replay
    /// through the other fronts).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Use chitchat's default settings (1 s gossip, phi 8, 5 s initial interval) instead of the
    /// flags below, for comparison.
    #[arg(long)]
    pub chitchat_defaults: bool,
    /// Turn the sticky-incumbent policy off (a revived smaller id then takes leadership back).
    #[arg(long)]
    pub no_sticky: bool,
    /// Seconds to wait for each step before the run fails.
    #[arg(long, default_value_t = 60)]
    pub step_timeout_s: u64,
    /// Print only the summary lines.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gossip: GossipSettings,
}

/// What one run measured.
struct RunResult {
    failover_ms: f64,
    kill_failover_ms: f64,
    fenced: usize,
    divergent: usize,
    false_deaths: usize,
    truncated: u64,
    handover_ms: f64,
}

/// Prints the timeline of one run.
struct Timeline {
    start: Instant,
    quiet: bool,
}

impl Timeline {
    fn say(&self, what: impl AsRef<str>) {
        if !self.quiet {
            println!(
                "  {:>7.3}s  {}",
                self.start.elapsed().as_secs_f64(),
                what.as_ref()
            );
        }
    }
}

/// Counts survivors wrongly seen dead: a node that was never stopped, missing from the live set
/// of another running node after the group first agreed.
struct DeathWatch {
    steady: bool,
    /// Nodes the demo has never stopped in this run.
    untouched: BTreeSet<String>,
    seen: BTreeSet<(String, String)>,
    count: usize,
}

impl DeathWatch {
    fn observe(&mut self, event: &Event, tracker: &Tracker, group: &str) {
        if !self.steady || event.body["ev"] != "view" || !self.untouched.contains(&event.node) {
            return;
        }
        let live = tracker.live_members(&event.node, group);
        for other in &self.untouched {
            if !live.contains(other) && self.seen.insert((event.node.clone(), other.clone())) {
                self.count += 1;
                println!("  false death: {} saw {} dead", event.node, other);
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run_once(
    args: &DemoArgs,
    settings: &GossipSettings,
    tracker: &mut Tracker,
) -> Result<RunResult> {
    // `tracker` is fresh for every run: node names repeat across runs.
    let group = "wal-0";
    let n = args.nodes;
    if n < 2 {
        bail!("failover needs at least 2 nodes");
    }
    let timeout = Duration::from_secs(args.step_timeout_s);
    let tl = Timeline {
        start: Instant::now(),
        quiet: args.quiet,
    };
    // A majority of 3 or more survives the loss of one node; with 2 the guard would stop failover.
    let mut cluster = Cluster::start(n, group, settings, !args.no_sticky, n >= 3)?;
    let mut deaths = DeathWatch {
        steady: false,
        untouched: cluster.running(),
        seen: BTreeSet::new(),
        count: 0,
    };
    tl.say(format!(
        "started {n} nodes on 127.0.0.1 (gossip {} ms, phi {}, initial interval {} ms)",
        settings.gossip_interval_ms, settings.phi, settings.initial_interval_ms
    ));
    let step = |cluster: &Cluster,
                tracker: &mut Tracker,
                what: &str,
                done: &mut dyn FnMut(&Tracker) -> bool,
                deaths: &mut DeathWatch| {
        if wait_for(
            cluster,
            tracker,
            timeout,
            |e, t| deaths.observe(e, t, group),
            done,
        ) {
            Ok(())
        } else {
            bail!(
                "timed out after {} s waiting until {what}",
                timeout.as_secs()
            )
        }
    };

    // Wait until `probe` finds something; what it found.
    let until = |cluster: &Cluster,
                 tracker: &mut Tracker,
                 what: &str,
                 probe: &dyn Fn(&Tracker) -> Option<String>,
                 deaths: &mut DeathWatch| {
        step(cluster, tracker, what, &mut |t| probe(t).is_some(), deaths)?;
        probe(tracker).with_context(|| format!("no longer true: {what}"))
    };
    // Wait until the running nodes agree on a leader (other than `not`) and each sees them all
    // live; that leader.
    let agree = |cluster: &Cluster,
                 tracker: &mut Tracker,
                 what: &str,
                 not: Option<&str>,
                 deaths: &mut DeathWatch| {
        let nodes = cluster.running();
        let agreed = |t: &Tracker| {
            t.agreed_leader(&nodes, group)
                .filter(|l| Some(l.as_str()) != not)
        };
        until(cluster, tracker, what, &agreed, deaths)
    };
    // Wait until the running nodes agree on a leader other than `gone`, which stopped at
    // `since`; that leader and the failover time.
    let fail_over = |cluster: &Cluster,
                     tracker: &mut Tracker,
                     what: &str,
                     (gone, since): (&str, Instant),
                     deaths: &mut DeathWatch| {
        let leader = agree(cluster, tracker, what, Some(gone), deaths)?;
        let took = since.elapsed();
        tl.say(format!(
            "every survivor agrees: {leader} leads (failover {:.0} ms)",
            ms(took)
        ));
        anyhow::Ok((leader, took))
    };

    // 1. Every node agrees on one leader, which leads with an epoch its peers accept.
    let first = agree(
        &cluster,
        tracker,
        "all nodes agree on a leader",
        None,
        &mut deaths,
    )?;
    let accepted_from =
        |t: &Tracker, leader: &str, receivers: &BTreeSet<String>| -> Option<String> {
            let epoch = t
                .reigns
                .iter()
                .rev()
                .find(|(node, _)| node == leader)?
                .1
                .clone();
            let ok = receivers.iter().filter(|r| r.as_str() != leader).all(|r| {
                t.records.iter().any(|(node, from, e, code)| {
                    node == r
                        && from == leader
                        && *e == epoch
                        && (code == "ADVANCED" || code == "CURRENT")
                })
            });
            ok.then_some(epoch)
        };
    // Wait until every running node accepts `leader`'s records; their epoch.
    let accepted =
        |cluster: &Cluster, tracker: &mut Tracker, leader: &str, deaths: &mut DeathWatch| {
            let receivers = cluster.running();
            let what = format!("{leader}'s records are accepted");
            until(
                cluster,
                tracker,
                &what,
                &|t| accepted_from(t, leader, &receivers),
                deaths,
            )
        };
    let first_epoch = accepted(&cluster, tracker, &first, &mut deaths)?;
    deaths.steady = true;
    tl.say(format!(
        "all {n} nodes agree: {first} leads with epoch {first_epoch}; its records are accepted"
    ));

    // 2. The leader freezes (a long GC pause) in the middle of a write: the record is in its
    // own log, never replicated. The survivors fail over.
    deaths.untouched.remove(&first);
    cluster.tell(&first, "freeze")?;
    let frozen = |t: &Tracker| {
        let (_, offset) = t.frozen.iter().find(|(node, _)| *node == first)?;
        Some(offset.map_or_else(|| "nothing".to_owned(), |o| format!("offset {o}")))
    };
    let kept = until(
        &cluster,
        tracker,
        "the leader freezes",
        &frozen,
        &mut deaths,
    )?;
    cluster.mark_paused(&first)?;
    let paused_at = Instant::now();
    tl.say(format!(
        "{first} froze (SIGSTOP) just after writing {kept} to its own log, unreplicated: it still believes it leads"
    ));
    let (second, failover) = fail_over(
        &cluster,
        tracker,
        "the survivors agree on a new leader",
        (&first, paused_at),
        &mut deaths,
    )?;
    let survivors = cluster.running();
    let second_epoch = accepted(&cluster, tracker, &second, &mut deaths)?;
    tl.say(format!("{second} promoted to epoch {second_epoch}, past every announced epoch; survivors accept its records"));

    // 3. The old leader wakes up and ships the write it had in flight, stamped with its old
    // epoch: every survivor fences it.
    let fenced_before = tracker.records.len();
    cluster.resume(&first)?;
    cluster.tell(&first, "ship")?;
    tl.say(format!(
        "resumed {first} (SIGCONT); it ships the record it froze with, stamped epoch {first_epoch}"
    ));
    let believed = |t: &Tracker| {
        t.zombie_writes
            .iter()
            .find(|(node, ..)| *node == first)
            .map(|(_, leading, _)| *leading)
    };
    step(
        &cluster,
        tracker,
        "the old leader ships its record",
        &mut |t| believed(t).is_some(),
        &mut deaths,
    )?;
    if believed(tracker) == Some(true) {
        tl.say(format!("{first} shipped it while still believing it leads"));
    }
    let stale = |t: &Tracker| {
        t.records[fenced_before..]
            .iter()
            .filter(|(_, from, e, code)| {
                *from == first && *e == first_epoch && code == "STALE_EPOCH"
            })
            .map(|(node, ..)| node.clone())
            .collect::<BTreeSet<String>>()
    };
    if let Err(e) = step(
        &cluster,
        tracker,
        "every survivor rejects the stale record",
        &mut |t| survivors.is_subset(&stale(t)),
        &mut deaths,
    ) {
        // What the old leader shipped, and what each node made of its records since.
        let shipped: Vec<&String> = tracker
            .zombie_writes
            .iter()
            .filter(|(node, ..)| *node == first)
            .map(|(.., epoch)| epoch)
            .collect();
        let mut judged: BTreeMap<(&String, &String, &String), usize> = BTreeMap::new();
        for (node, from, epoch, code) in &tracker.records[fenced_before..] {
            if *from == first {
                *judged.entry((node, code, epoch)).or_default() += 1;
            }
        }
        let judged: Vec<String> = judged
            .iter()
            .map(|((node, code, epoch), n)| format!("{node}: {n} {code} at epoch {epoch}"))
            .collect();
        return Err(e.context(format!(
            "{first} shipped at epochs {shipped:?} (expected {first_epoch}); survivors {survivors:?}; \
             its records since: [{}]",
            judged.join(", ")
        )));
    }
    let fenced = tracker.records[fenced_before..]
        .iter()
        .filter(|(_, from, e, code)| *from == first && *e == first_epoch && code == "STALE_EPOCH")
        .count();
    tl.say(format!(
        "every survivor's gate rejected it: STALE_EPOCH ({fenced} stale records fenced)"
    ));
    let after_rejoin = agree(
        &cluster,
        tracker,
        "the old leader rejoins and all agree",
        None,
        &mut deaths,
    )?;
    tl.say(if after_rejoin == second {
        format!("{first} rejoined and stepped down; {second} keeps leading (sticky incumbent: no flapping)")
    } else {
        format!("{first} rejoined; {after_rejoin} leads")
    });

    // 4. The leader is killed outright, then restarted as a new incarnation.
    cluster.kill(&after_rejoin)?;
    deaths.untouched.remove(&after_rejoin);
    let killed_at = Instant::now();
    tl.say(format!("killed {after_rejoin} (SIGKILL)"));
    let (third, kill_failover) = fail_over(
        &cluster,
        tracker,
        "the survivors agree after the kill",
        (&after_rejoin, killed_at),
        &mut deaths,
    )?;
    cluster.restart(&after_rejoin)?;
    let generation = cluster
        .nodes
        .iter()
        .find(|n| n.id == after_rejoin)
        .map_or(0, |n| n.generation);
    tl.say(format!(
        "restarted {after_rejoin} as generation {generation}"
    ));
    let last = agree(
        &cluster,
        tracker,
        "the restarted node rejoins and all agree",
        None,
        &mut deaths,
    )?;
    let listed = tracker
        .views
        .get(&third)
        .and_then(|v| v["groups"][group]["members"].as_array().map(Vec::len))
        .unwrap_or(0);
    tl.say(format!(
        "all {n} agree again: {last} leads; {third}'s view lists {listed} entries for {n} nodes (old generations count once)"
    ));

    // 5. The logs settle: the leader stops writing, and every replica's log, the restarted
    // one's included, must equal the leader's: the deposed leader's divergent suffix was
    // truncated at the divergence point, and everyone caught up.
    let nodes = cluster.running();
    for node in &nodes {
        cluster.tell(node, "hold")?;
    }
    let settled = |t: &Tracker| {
        let leader_log = t.logs.get(&last).filter(|(end, _)| end != "0")?;
        let same = nodes.iter().all(|n| t.logs.get(n) == Some(leader_log));
        same.then(|| leader_log.clone())
    };
    let log = until(
        &cluster,
        tracker,
        "every replica's log equals the leader's",
        &|t| settled(t).map(|(end, digest)| format!("{end} records, digest {digest}")),
        &mut deaths,
    )?;
    tl.say(format!(
        "every replica's log equals {last}'s ({log}); divergent records truncated: {}",
        tracker.truncated
    ));

    // 6. A clean handover (SEMANTICS.md §16): the leader stops writing, waits until its
    // successor's log has caught up, and publishes `leaving` with the successor; the others
    // follow the successor at once, without waiting for failure detection.
    let successor = nodes
        .iter()
        .find(|n| **n != last)
        .context("a handover needs another node")?
        .clone();
    cluster.tell(&last, &format!("handover {successor}"))?;
    let left = |t: &Tracker| {
        t.leaving
            .iter()
            .find(|(node, _)| *node == last)
            .map(|(_, at)| *at)
    };
    step(
        &cluster,
        tracker,
        "the leader publishes leaving",
        &mut |t| left(t).is_some(),
        &mut deaths,
    )?;
    let published = left(tracker).context("the leaving report")?;
    let followed = |t: &Tracker| {
        nodes
            .iter()
            .filter(|n| **n != last)
            .all(|n| t.leaders.get(n) == Some(&Some(successor.clone())))
    };
    step(
        &cluster,
        tracker,
        "every other node follows the successor",
        &mut |t| followed(t),
        &mut deaths,
    )?;
    // From the arrival of the leaving report to that of the view that completed the agreement.
    let handover = tracker.latest.map_or_else(
        || published.elapsed(),
        |at| at.saturating_duration_since(published),
    );
    // The leader also closed its reign at the replicas (a close that arrives after the
    // successor's first record finds the gate past that epoch and is STALE_EPOCH instead).
    let closed = tracker
        .closed
        .iter()
        .filter(|(_, from, code)| *from == last && code == "CLOSED")
        .count();
    tl.say(format!(
        "{last} handed over to {successor}: every other node follows it {:.0} ms after {last} published leaving (goal: 2 gossip intervals, {} ms); its reign closed at {closed} of {} replicas",
        ms(handover),
        2 * settings.gossip_interval_ms,
        nodes.len() - 1
    ));
    cluster.stop();

    Ok(RunResult {
        failover_ms: ms(failover),
        kill_failover_ms: ms(kill_failover),
        fenced,
        divergent: tracker.divergent,
        false_deaths: deaths.count,
        truncated: tracker.truncated,
        handover_ms: ms(handover),
    })
}

/// Threads that spin on every core until dropped.
pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Load {
    pub(crate) fn start() -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = Arc::clone(&stop);
                thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    }
                })
            })
            .collect();
        Load { stop, threads }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn stats(mut xs: Vec<f64>) -> (f64, f64, f64) {
    xs.sort_by(f64::total_cmp);
    (xs[0], xs[xs.len() / 2], xs[xs.len() - 1])
}

/// Run the demo; the exit status says whether it passed.
pub fn run(args: DemoArgs) -> Result<bool> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let settings = if args.chitchat_defaults {
        GossipSettings::chitchat_defaults()
    } else {
        args.gossip.clone()
    };
    let _load = args.load.then(Load::start);
    if args.load {
        println!(
            "load: {} spinning threads keep every core busy",
            thread::available_parallelism().map_or(2, |n| n.get())
        );
    }
    let mut history = Vec::new();
    let mut results = Vec::new();
    for run in 1..=args.runs {
        if args.runs > 1 && !args.quiet {
            println!("run {run} of {}:", args.runs);
        }
        let mut tracker = Tracker::default();
        let result =
            run_once(&args, &settings, &mut tracker).with_context(|| format!("run {run}"))?;
        history.append(&mut tracker.history);
        if args.runs > 1 {
            println!(
                "run {run}: failover {:.0} ms (pause), {:.0} ms (kill); stale records fenced {}; divergent records truncated {}; clean handover {:.0} ms; false deaths {}",
                result.failover_ms,
                result.kill_failover_ms,
                result.fenced,
                result.truncated,
                result.handover_ms,
                result.false_deaths
            );
        }
        results.push(result);
    }
    if let Some(path) = &args.record {
        let doc = json!({"views": history});
        fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("writing {}", path.display()))?;
        if !args.quiet {
            println!("recorded {} views to {}", history.len(), path.display());
        }
    }
    let (min, median, max) = stats(results.iter().map(|r| r.failover_ms).collect());
    let fenced: usize = results.iter().map(|r| r.fenced).sum();
    let divergent: usize = results.iter().map(|r| r.divergent).sum();
    let false_deaths: usize = results.iter().map(|r| r.false_deaths).sum();
    if args.runs > 1 {
        let (kmin, kmed, kmax) = stats(results.iter().map(|r| r.kill_failover_ms).collect());
        println!("failover over {} runs (pause): min {min:.0} ms, median {median:.0} ms, max {max:.0} ms", args.runs);
        println!("failover over {} runs (kill):  min {kmin:.0} ms, median {kmed:.0} ms, max {kmax:.0} ms", args.runs);
        println!("false deaths: {false_deaths}");
    }
    let (_, handover, _) = stats(results.iter().map(|r| r.handover_ms).collect());
    println!(
        "clean handover: {handover:.0} ms (goal: 2 gossip intervals, {} ms)",
        2 * settings.gossip_interval_ms
    );
    let truncated: u64 = results.iter().map(|r| r.truncated).sum();
    println!("divergent records truncated: {truncated}");
    println!("failover: {median:.0} ms, stale records fenced: {fenced}, divergent decisions: {divergent}");
    Ok(results.iter().all(|r| r.fenced >= 1 && r.truncated >= 1)
        && divergent == 0
        && false_deaths == 0)
}
