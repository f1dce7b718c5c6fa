//! `tael-coord chaos`: a replication group of node processes, each in a network namespace of its
//! own, runs a replicated log under a nemesis that partitions, loses, delays and duplicates
//! packets, pauses and kills nodes; a checker then counts what the safe configuration promises
//! never happens. See `node` for the protocol, `schedule` for the faults and `check` for the
//! counts.

pub mod check;
pub mod node;
mod schedule;
mod store;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::{json, Value};

use self::check::{check, Counts, Event};
use self::node::{Control, Mode};
use self::schedule::{Fault, Step};
use crate::cluster::{free_ports, fresh_generation, signal};
use crate::demo::Load;
use crate::netns::{self, Network};
use crate::node::GossipSettings;

/// How long the failover measurement watches a settled cluster before each kill.
const QUIET_WINDOW: Duration = Duration::from_secs(2);

/// Arguments of `tael-coord chaos`.
#[derive(Args, Clone, Debug)]
pub struct ChaosArgs {
    /// Nodes in the replication group (3 to 9).
    #[arg(long, default_value_t = 5)]
    pub nodes: usize,
    /// Seed of the first run's schedule (printed; default: drawn from the clock). Run k uses
    /// seed + k, so a run's seed replays its schedule alone.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Runs, each on a fresh cluster with fresh state.
    #[arg(long, default_value_t = 1)]
    pub runs: u64,
    /// Faults per run, each followed by a heal and a quiet period.
    #[arg(long, default_value_t = 6)]
    pub steps: usize,
    /// The kinds of fault to draw from, comma-separated (default: all): partition,
    /// isolate-leader, bridge, flap, loss, delay, duplicate, pause-leader, kill-leader,
    /// kill-follower, kill-promoting.
    #[arg(long, value_delimiter = ',')]
    pub faults: Vec<String>,
    /// A fixed schedule (a JSON list of steps) instead of a drawn one; every run replays it.
    #[arg(long)]
    pub schedule: Option<PathBuf>,
    /// `safe`: freshness, majority acknowledgements; `best-effort`: neither.
    #[arg(long, value_enum, default_value_t = Mode::Safe)]
    pub mode: Mode,
    /// A negative control: break one rule of the protocol on purpose.
    #[arg(long, value_enum, default_value_t = Control::None)]
    pub control: Control,
    /// Pass only if every run's count NAME (e.g. stale_accepts) is above 0: a negative
    /// control's check that the checker catches it.
    #[arg(long, value_name = "NAME")]
    pub expect_caught: Option<String>,
    /// Run on 127.0.0.1 without network namespaces (no root needed; faults come from the
    /// application-side layer only).
    #[arg(long)]
    pub loopback: bool,
    /// Milliseconds between two client writes.
    #[arg(long, default_value_t = 25)]
    pub write_interval_ms: u64,
    /// Append each run's result as a JSON line to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Print every line the nodes report.
    #[arg(long)]
    pub verbose: bool,
    /// Instead of a nemesis, kill the leader this many times and time each failover (to the
    /// next leader serving writes), counting false deaths and leader changes in a quiet window
    /// before each kill.
    #[arg(long, default_value_t = 0)]
    pub failovers: usize,
    /// A loss rate on every link for the whole run (between faults too).
    #[arg(long, default_value_t = 0.0)]
    pub loss: f64,
    /// A jitter on every link for the whole run, in ms.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Keep every core busy with spinning threads for the whole run.
    #[arg(long)]
    pub load: bool,
    /// The pre-vote lease: a replica that an established leader reached this recently (ms)
    /// refuses a probe. Default: 5 gossip intervals (a leader ships every 20 ms). A failover
    /// takes the longer of the lease and the failure detection, plus about 60 ms.
    #[arg(long)]
    pub lease_ms: Option<u64>,
    #[command(flatten)]
    pub gossip: GossipSettings,
}

/// Whether a node process runs, is stopped, or is dead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running,
    Paused,
    Killed,
}

struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    state: State,
}

/// Where the nodes run.
enum Net {
    Namespaces(Network),
    Loopback(Vec<(u16, u16)>),
}

/// One run: the nodes, their reports, and the client.
struct Run {
    args: ChaosArgs,
    ids: Vec<String>,
    net: Net,
    data: PathBuf,
    procs: Vec<Proc>,
    tx: Sender<(usize, String, Instant)>,
    rx: Receiver<(usize, String, Instant)>,
    start: Instant,
    events: Vec<Event>,
    /// The node that serves writes, as its reports tell.
    leader: Option<usize>,
    writes: u64,
    writing: bool,
    next_write: Instant,
    /// Kill the next node that promotes (a kill during promotion).
    kill_promoting: bool,
    /// A flapping partition: its side, period, whether it is made now and when it flips.
    flap: Option<(Vec<usize>, Duration, bool, Instant)>,
    /// The node whose cable is pulled.
    unplugged: Option<usize>,
    /// Which nodes have warmed up since they (re)started.
    warm: Vec<bool>,
    rng: ChaCha8Rng,
    seed: u64,
}

impl Run {
    fn addrs(&self, i: usize) -> (SocketAddr, SocketAddr) {
        match &self.net {
            Net::Namespaces(net) => (
                SocketAddr::new(net.node_addr(i), 7000),
                SocketAddr::new(net.node_addr(i), 7001),
            ),
            Net::Loopback(ports) => {
                let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
                (
                    SocketAddr::new(lo, ports[i].0),
                    SocketAddr::new(lo, ports[i].1),
                )
            }
        }
    }

    fn spawn(&self, i: usize) -> Result<Proc> {
        let exe = std::env::current_exe().context("locating this executable")?;
        let mut command = match &self.net {
            Net::Namespaces(net) => net.command(i, &exe),
            Net::Loopback(_) => Command::new(&exe),
        };
        let (gossip, records) = self.addrs(i);
        command
            .arg("chaos-node")
            .arg(format!("--id={}", self.ids[i]))
            .arg(format!("--gossip={gossip}"))
            .arg(format!("--records={records}"))
            .arg(format!("--generation={}", fresh_generation()))
            .arg("--data")
            .arg(self.data.join(&self.ids[i]))
            .arg(format!("--fault-seed={}", self.seed ^ (i as u64 + 1) << 32))
            .arg(format!(
                "--mode={}",
                clap::ValueEnum::to_possible_value(&self.args.mode)
                    .context("mode name")?
                    .get_name()
            ))
            .arg(format!(
                "--control={}",
                clap::ValueEnum::to_possible_value(&self.args.control)
                    .context("control name")?
                    .get_name()
            ))
            .arg(format!("--lease-ms={}", self.lease_ms()))
            .args(self.args.gossip.to_args());
        for j in (0..self.ids.len()).filter(|&j| j != i) {
            let (g, r) = self.addrs(j);
            command.arg(format!("--peer={}={g},{r}", self.ids[j]));
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting a chaos node")?;
        let stdout = child.stdout.take().context("node stdout")?;
        let tx = self.tx.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((i, line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Ok(Proc {
            stdin: child.stdin.take(),
            child,
            state: State::Running,
        })
    }

    fn lease_ms(&self) -> u64 {
        self.args
            .lease_ms
            .unwrap_or(5 * self.args.gossip.gossip_interval_ms)
    }

    fn ms(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.start).as_millis() as u64
    }

    fn say(&self, what: impl std::fmt::Display) {
        println!("  {:>7.1} s  {what}", self.start.elapsed().as_secs_f64());
    }

    /// Sends node `i` a command; a dead or exited node's closed pipe is ignored.
    fn tell(&mut self, i: usize, command: &Value) {
        if let Some(stdin) = self.procs[i].stdin.as_mut() {
            let _ = writeln!(stdin, "{command}");
        }
    }

    fn block(&mut self, i: usize, peers: &[usize]) {
        let peers: Vec<&str> = peers.iter().map(|&j| self.ids[j].as_str()).collect();
        let command = json!({"op": "block", "peers": peers});
        self.tell(i, &command);
    }

    /// Cuts `side` off from every other node.
    fn partition(&mut self, side: &[usize]) {
        let rest: Vec<usize> = (0..self.ids.len()).filter(|i| !side.contains(i)).collect();
        for &i in side {
            self.block(i, &rest);
        }
        for &j in &rest {
            self.block(j, side);
        }
    }

    /// Clears every fault but the run's background conditions (`--loss`, `--jitter-ms`).
    fn heal_faults(&mut self) {
        let background = json!({"op": "faults", "loss": self.args.loss,
                                "jitter_ms": self.args.jitter_ms});
        for i in 0..self.ids.len() {
            self.tell(i, &json!({"op": "heal"}));
            self.tell(i, &background);
        }
    }

    fn kill(&mut self, i: usize) -> Result<()> {
        let proc = &mut self.procs[i];
        if proc.state == State::Killed {
            return Ok(());
        }
        proc.child.kill().context("killing a node")?;
        proc.child.wait().ok();
        proc.state = State::Killed;
        if self.leader == Some(i) {
            self.leader = None;
        }
        Ok(())
    }

    fn pause(&mut self, i: usize) -> Result<()> {
        signal(&self.procs[i].child, libc::SIGSTOP)?;
        self.procs[i].state = State::Paused;
        Ok(())
    }

    /// Takes the reports that arrived and sends the client's writes, until `until`.
    fn pump(&mut self, until: Instant) -> Result<()> {
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            if self.writing && now >= self.next_write {
                self.next_write = now + Duration::from_millis(self.args.write_interval_ms);
                if let Some(leader) = self.leader {
                    self.writes += 1;
                    let value = format!("w{}", self.writes);
                    self.tell(leader, &json!({"op": "write", "value": value}));
                }
            }
            if let Some((side, period, made, flips)) = self.flap.clone() {
                if now >= flips {
                    if made {
                        self.heal_faults();
                    } else {
                        self.partition(&side);
                    }
                    self.flap = Some((side, period, !made, now + period));
                }
            }
            let mut wake = until.min(if self.writing { self.next_write } else { until });
            if let Some((_, _, _, flips)) = &self.flap {
                wake = wake.min(*flips);
            }
            let Ok((i, line, at)) = self.rx.recv_timeout(wake.saturating_duration_since(now))
            else {
                continue;
            };
            let Ok(body) = serde_json::from_str::<Value>(&line) else {
                eprintln!("tael-coord chaos: {}: {line}", self.ids[i]);
                continue;
            };
            if self.args.verbose {
                println!("  [{}] {line}", self.ids[i]);
            }
            match body["ev"].as_str() {
                Some("serving") => {
                    self.leader = Some(i);
                    self.say(format_args!(
                        "{} serves at epoch {}",
                        self.ids[i],
                        body["epoch"].as_str().unwrap_or("?")
                    ));
                }
                Some("step_down") if self.leader == Some(i) => self.leader = None,
                Some("warm") => self.warm[i] = true,
                Some("promote") if self.kill_promoting && self.procs[i].state == State::Running => {
                    self.kill_promoting = false;
                    self.kill(i)?;
                    self.say(format_args!("killed {} as it promoted", self.ids[i]));
                }
                _ => {}
            }
            self.events.push(Event {
                node: self.ids[i].clone(),
                t: self.ms(at),
                body,
            });
        }
    }

    /// Starts a fault.
    fn apply(&mut self, fault: &Fault) -> Result<()> {
        let leader = self.leader;
        match fault {
            // A partition in a namespace network is made of bridges: the side gets one of its own.
            Fault::Partition { side } => match &mut self.net {
                Net::Namespaces(net) => net.isolate_groups(std::slice::from_ref(side))?,
                Net::Loopback(_) => self.partition(side),
            },
            Fault::Bridge { left, bridge } => {
                let right: Vec<usize> = (0..self.ids.len())
                    .filter(|i| !left.contains(i) && i != bridge)
                    .collect();
                for &l in left {
                    self.block(l, &right);
                }
                for &r in &right {
                    self.block(r, left);
                }
            }
            Fault::Flap { side, period_ms } => {
                self.partition(side);
                let period = Duration::from_millis(*period_ms);
                self.flap = Some((side.clone(), period, true, Instant::now() + period));
            }
            Fault::Loss { rate } => {
                for i in 0..self.ids.len() {
                    self.tell(i, &json!({"op": "faults", "loss": rate}));
                }
            }
            Fault::Delay {
                delay_ms,
                jitter_ms,
            } => {
                for i in 0..self.ids.len() {
                    let command =
                        json!({"op": "faults", "delay_ms": delay_ms, "jitter_ms": jitter_ms});
                    self.tell(i, &command);
                }
            }
            Fault::Duplicate { rate } => {
                for i in 0..self.ids.len() {
                    self.tell(i, &json!({"op": "faults", "duplicate": rate}));
                }
            }
            Fault::IsolateLeader
            | Fault::PauseLeader
            | Fault::KillLeader
            | Fault::KillPromoting => {
                let Some(l) = leader else {
                    self.say("no leader to aim at: the step only waits");
                    return Ok(());
                };
                match fault {
                    Fault::IsolateLeader => match &mut self.net {
                        Net::Namespaces(net) => {
                            net.set_link(l, false)?;
                            self.unplugged = Some(l);
                        }
                        Net::Loopback(_) => self.partition(&[l]),
                    },
                    Fault::PauseLeader => self.pause(l)?,
                    Fault::KillLeader => self.kill(l)?,
                    _ => {
                        self.kill(l)?;
                        self.kill_promoting = true;
                    }
                }
                self.say(format_args!("  aimed at {}", self.ids[l]));
            }
            Fault::KillFollower => {
                let followers: Vec<usize> = (0..self.ids.len())
                    .filter(|&i| Some(i) != leader && self.procs[i].state == State::Running)
                    .collect();
                if !followers.is_empty() {
                    let i = followers[self.rng.random_range(0..followers.len())];
                    self.kill(i)?;
                    self.say(format_args!("  aimed at {}", self.ids[i]));
                }
            }
        }
        Ok(())
    }

    /// Ends every fault: the network heals, stopped nodes resume, dead ones restart.
    fn heal(&mut self) -> Result<()> {
        self.flap = None;
        self.kill_promoting = false;
        self.heal_faults();
        if let Net::Namespaces(net) = &mut self.net {
            net.heal()?;
            if let Some(i) = self.unplugged.take() {
                net.set_link(i, true)?;
            }
        }
        for i in 0..self.ids.len() {
            match self.procs[i].state {
                State::Running => {}
                State::Paused => {
                    signal(&self.procs[i].child, libc::SIGCONT)?;
                    self.procs[i].state = State::Running;
                }
                State::Killed => self.restart(i)?,
            }
        }
        Ok(())
    }

    fn restart(&mut self, i: usize) -> Result<()> {
        self.procs[i] = self.spawn(i)?;
        self.warm[i] = false;
        Ok(())
    }

    /// Kills the leader `n` times and times each failover: the failovers in ms, the false
    /// deaths and the leader changes seen in the quiet windows before the kills.
    fn failovers(&mut self, n: usize) -> Result<(Vec<u64>, u64, u64)> {
        let (mut times, mut false_deaths, mut false_changes) = (Vec::new(), 0, 0);
        for _ in 0..n {
            // Every node warm (a restarted one sees its peers) and a leader serving...
            let deadline = Instant::now() + Duration::from_secs(30);
            while !(self.warm.iter().all(|&w| w) && self.leader.is_some()) {
                if Instant::now() >= deadline {
                    bail!("no leader, or a node that never warmed up, within 30 s");
                }
                self.pump(Instant::now() + Duration::from_millis(20))?;
            }
            // ... then a quiet window: nobody should die or take over in it.
            let from = self.events.len();
            self.pump(Instant::now() + QUIET_WINDOW)?;
            for event in &self.events[from..] {
                match event.body["ev"].as_str() {
                    Some("promote") => false_changes += 1,
                    Some("live") => {
                        let members = event.body["members"].as_array().map_or(0, Vec::len);
                        false_deaths += (self.ids.len() - members.min(self.ids.len())) as u64;
                    }
                    _ => {}
                }
            }
            let Some(leader) = self.leader else {
                continue; // the quiet window lost the leader: counted above, no kill
            };
            let killed = Instant::now();
            self.kill(leader)?;
            let from = self.events.len();
            let deadline = killed + Duration::from_secs(20);
            let served = loop {
                if let Some(e) = self.events[from..]
                    .iter()
                    .find(|e| e.body["ev"] == "serving")
                {
                    break e.t;
                }
                if Instant::now() >= deadline {
                    bail!("no new leader within 20 s of killing {}", self.ids[leader]);
                }
                self.pump(Instant::now() + Duration::from_millis(20))?;
            };
            times.push(served.saturating_sub(self.ms(killed)));
            self.restart(leader)?;
        }
        Ok((times, false_deaths, false_changes))
    }

    fn stop(&mut self) {
        for proc in &mut self.procs {
            if proc.state == State::Paused {
                let _ = signal(&proc.child, libc::SIGCONT);
            }
            if let Some(mut stdin) = proc.stdin.take() {
                let _ = writeln!(stdin, "{}", json!({"op": "quit"}));
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for proc in &mut self.procs {
            while Instant::now() < deadline && matches!(proc.child.try_wait(), Ok(None)) {
                thread::sleep(Duration::from_millis(20));
            }
            let _ = proc.child.kill();
            let _ = proc.child.wait();
            proc.state = State::Killed;
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.data);
    }
}

/// The result of one run.
struct Outcome {
    seed: u64,
    counts: Counts,
    report: Value,
}

fn run_once(args: &ChaosArgs, k: u64, seed: u64, schedule: &[Step]) -> Result<Outcome> {
    let n = args.nodes;
    let net = if args.loopback {
        let ports = free_ports(2 * n)?;
        Net::Loopback((0..n).map(|i| (ports[2 * i], ports[2 * i + 1])).collect())
    } else {
        match Network::create(n) {
            Ok(net) => Net::Namespaces(net),
            Err(e) if e.is_unsupported() => bail!(
                "{e}\nchaos runs each node in a network namespace, which needs root and iproute2; \
                 `--loopback` runs the same nemesis on 127.0.0.1 instead (faults from the \
                 application-side layer only)"
            ),
            Err(e) => return Err(e.into()),
        }
    };
    let where_ = match &net {
        Net::Namespaces(net) => format!("network namespaces {}-*", net.run_id()),
        Net::Loopback(_) => "LOOPBACK mode (127.0.0.1, no namespaces)".to_owned(),
    };
    println!(
        "run {}/{}: seed {seed}, {n} nodes, {:?}{}, {where_}",
        k + 1,
        args.runs,
        args.mode,
        match args.control {
            Control::None => String::new(),
            c => format!(", negative control {c:?}"),
        }
    );
    let (tx, rx) = mpsc::channel();
    let data = std::env::temp_dir().join(format!(
        "tael-coord-chaos-{}-{k}-{seed}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&data);
    let mut run = Run {
        args: args.clone(),
        ids: (0..n)
            .map(|i| format!("node-{}", (b'a' + i as u8) as char))
            .collect(),
        net,
        data,
        procs: Vec::new(),
        tx,
        rx,
        start: Instant::now(),
        events: Vec::new(),
        leader: None,
        writes: 0,
        writing: true,
        next_write: Instant::now(),
        kill_promoting: false,
        flap: None,
        unplugged: None,
        warm: vec![false; n],
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6e656d65736973),
        seed,
    };
    for i in 0..n {
        let proc = run.spawn(i)?;
        run.procs.push(proc);
    }
    run.heal_faults(); // the background conditions
    let _load = args.load.then(Load::start);
    if args.failovers > 0 {
        let (mut times, false_deaths, false_changes) = run.failovers(args.failovers)?;
        times.sort_unstable();
        // Nearest rank.
        let rank =
            |q: f64| times[((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "  failover over {} kills: median {} ms, p99 {} ms, max {} ms; false deaths {false_deaths}, false leader changes {false_changes}",
            times.len(),
            rank(0.5),
            rank(0.99),
            times[times.len() - 1]
        );
        let report = json!({
            "seed": seed.to_string(), "nodes": n, "loopback": args.loopback,
            "gossip_interval_ms": args.gossip.gossip_interval_ms, "phi": args.gossip.phi,
            "lease_ms": run.lease_ms(),
            "loss": args.loss, "jitter_ms": args.jitter_ms, "load": args.load,
            "failovers_ms": times, "median_ms": rank(0.5), "p99_ms": rank(0.99),
            "false_deaths": false_deaths, "false_leader_changes": false_changes,
        });
        let counts = Counts {
            quiet_changes: false_changes,
            ..Counts::default()
        };
        return Ok(Outcome {
            seed,
            counts,
            report,
        });
    }
    // The first leader, before any fault.
    let deadline = Instant::now() + Duration::from_secs(20);
    while run.leader.is_none() && Instant::now() < deadline {
        run.pump((Instant::now() + Duration::from_millis(100)).min(deadline))?;
    }
    let mut quiet = Vec::new();
    for (s, step) in schedule.iter().enumerate() {
        run.say(format_args!(
            "fault {}: {} for {:.1} s",
            s + 1,
            serde_json::to_string(step)?,
            step.duration_ms as f64 / 1000.0
        ));
        run.apply(&step.fault)?;
        run.pump(Instant::now() + Duration::from_millis(step.duration_ms))?;
        run.heal()?;
        let healed = Instant::now();
        let led = run.leader.is_some();
        run.say("healed");
        let end = healed + Duration::from_millis(step.quiet_ms);
        let from = run.events.len();
        run.pump(end)?;
        // The quiet period: from the heal if a leader served then, else from the first leader
        // that serves after it (the fault's own failover may end after the heal); any promotion
        // in it is a leader change with no fault to explain it.
        let start = if led {
            Some(run.ms(healed))
        } else {
            run.events[from..]
                .iter()
                .find(|e| e.body["ev"] == "serving")
                .map(|e| e.t + 1)
        };
        if let Some(start) = start {
            quiet.push((start, run.ms(end)));
        }
    }
    // The end: writes stop, the logs settle, every node reports its log.
    run.writing = false;
    run.pump(Instant::now() + Duration::from_millis(1500))?;
    for i in 0..n {
        run.tell(i, &json!({"op": "dump"}));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let dumps = loop {
        let dumps: BTreeMap<String, Value> = run
            .events
            .iter()
            .filter(|e| e.body["ev"] == "log")
            .map(|e| (e.node.clone(), e.body.clone()))
            .collect();
        if dumps.len() == n || Instant::now() >= deadline {
            break dumps;
        }
        run.pump((Instant::now() + Duration::from_millis(50)).min(deadline))?;
    };
    if dumps.len() < n {
        bail!("only {} of {n} nodes reported their logs", dumps.len());
    }
    let (counts, activity) = check(&run.events, &quiet, run.writes, &dumps);
    println!("  counts: {}", counts.summary());
    println!(
        "  writes {}, acknowledged {}, refused {}; promotions {}, established {}; records truncated {}; final leader {} with {} records",
        activity.writes,
        activity.acked,
        activity.refused,
        activity.promotions,
        activity.established,
        activity.truncated_records,
        activity.final_leader.as_deref().unwrap_or("none"),
        activity.final_log_end
    );
    let report = json!({
        "seed": seed.to_string(),
        "nodes": n,
        "mode": format!("{:?}", args.mode),
        "control": format!("{:?}", args.control),
        "loopback": args.loopback,
        "faults": schedule.iter().map(|s| s.fault.kind()).collect::<Vec<_>>(),
        "schedule": schedule,
        "counts": counts,
        "activity": activity,
    });
    drop(run);
    Ok(Outcome {
        seed,
        counts,
        report,
    })
}

/// Runs `chaos`; whether every run passed.
pub fn run(args: ChaosArgs) -> Result<bool> {
    if !(3..=9).contains(&args.nodes) {
        bail!("chaos runs 3 to 9 nodes, not {}", args.nodes);
    }
    if !(0.0..=1.0).contains(&args.loss) {
        bail!("--loss is a probability in 0..=1, not {}", args.loss);
    }
    if let Some(name) = &args.expect_caught {
        if !Counts::default().named().iter().any(|(n, _)| n == name) {
            bail!("--expect-caught: no count named {name:?}");
        }
    }
    if !args.loopback {
        // A killed run's namespaces, and the processes still in them.
        match netns::sweep_leftovers(netns::PREFIX) {
            Ok(swept) if !swept.is_empty() => {
                println!("swept {} namespaces of earlier runs", swept.len())
            }
            _ => {}
        }
    }
    let kinds: Vec<String> = if args.faults.is_empty() {
        schedule::KINDS.iter().map(|k| (*k).to_owned()).collect()
    } else {
        args.faults.clone()
    };
    let first = args
        .seed
        .unwrap_or_else(|| fresh_generation() % 1_000_000_007);
    let mut passed = 0;
    let mut totals = Counts::default();
    for k in 0..args.runs {
        let seed = first.wrapping_add(k);
        let schedule = match &args.schedule {
            Some(path) => schedule::read(path, args.nodes)?,
            None => schedule::generate(seed, args.nodes, args.steps, &kinds)?,
        };
        let outcome = run_once(&args, k, seed, &schedule)?;
        if let Some(path) = &args.report {
            let mut file = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            writeln!(file, "{}", outcome.report)?;
        }
        let ok = match &args.expect_caught {
            Some(name) => outcome
                .counts
                .named()
                .iter()
                .any(|(n, count)| n == name && *count > 0),
            None => outcome.counts.clean(),
        };
        if ok {
            passed += 1;
        } else {
            println!("  run with seed {} FAILED", outcome.seed);
        }
        totals.add(&outcome.counts);
    }
    println!("all runs: {}", totals.summary());
    match &args.expect_caught {
        Some(name) => println!(
            "{name} caught in {passed} of {} runs (negative control {:?})",
            args.runs, args.control
        ),
        None => println!("{passed} of {} runs passed", args.runs),
    }
    Ok(passed == args.runs)
}
