//! How the gossip adapter scales with the number of nodes: N chitchat nodes in one process over
//! chitchat's in-process `ChannelTransport`, every node a member of one group.
//!
//! ```sh
//! cargo run --release -p tael-coord-gossip --example scale -- --nodes 10,30,100,300
//! ```
//!
//! For each N and each run it measures:
//! - **convergence**: from the last node's start until every node holds every node live and
//!   every node decides the same leader (`view_of` + `elect_leaders`, the plain policy);
//! - **failover**: from the leader's shutdown until every remaining node holds the others live
//!   and decides the same new leader;
//! - **traffic**: gossip bytes and messages sent per node per second over a steady window after
//!   convergence, from a counting wrapper around the transport (the sizes are chitchat's own
//!   serialized sizes, as `ChannelTransport` reports them), with the mean size of each message
//!   kind and the largest message;
//! - **state**: what one node holds of the cluster (nodes, key-values, their bytes, and the JSON
//!   size of chitchat's state snapshot), how long one decision (`view_of` + `elect_leaders`
//!   at one node) takes, and the failure detector's timeout there (how long a peer may stay
//!   silent before it is held dead; the median over the peers);
//! - **load**: the process's CPU use (2 cores = 200 %) while converging and over the steady
//!   window, Syn messages sent per node per second against the configured rate (3 a round),
//!   messages the in-process channels did not deliver, the most nodes any node held dead while
//!   all were running and the runs in which some node held a running node dead during failover
//!   (false suspicions), and the process's peak resident set size.
//!
//! Every node has the first 3 nodes as seeds and announces membership of one group
//! (`Announcement::member_of`). The settings are the command's defaults (gossip every 100 ms,
//! phi 8, the detector's initial interval equal to the gossip interval, dead nodes kept 10 s);
//! above 100 nodes the defaults are 1000 ms and nodes started 10 ms apart, because one process
//! on 2 cores does not keep up with more (docs/SCALING.md has the runs that show it).
//!
//! All nodes share this process's cores, and `ChannelTransport` serializes and deserializes
//! every message (and compares the two): per node, the CPU cost is higher than over UDP. The
//! transport enforces the UDP payload limit (65,507 bytes), as a real socket would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use async_trait::async_trait;
use chitchat::transport::{ChannelTransport, RecvOutcome, SendOutcome, Socket, Transport};
use chitchat::{
    spawn_chitchat, ChitchatConfig, ChitchatEnvelope, ChitchatHandle, ChitchatId, ChitchatMessage,
    FailureDetectorConfig, NodeState, ProtocolVersion,
};
use clap::Parser;
use tael_coord::{elect_leaders, Policy};
use tael_coord_gossip::{view_of, Announcement};
use tokio::sync::watch;

/// chitchat's UDP payload limit (`MAX_UDP_DATAGRAM_PAYLOAD_SIZE`, private to the crate).
const UDP_PAYLOAD_LIMIT: usize = 65_507;
const GROUP: &str = "wal-0";

#[derive(Parser, Debug)]
#[command(about = "N chitchat nodes in one process: convergence, failover, traffic, state")]
struct Args {
    /// Cluster sizes to measure, in order.
    #[arg(long, value_delimiter = ',', default_value = "10,30,100,300")]
    nodes: Vec<usize>,
    /// Milliseconds between gossip rounds: one value for every size, or one per `--nodes` entry.
    /// By default 100 (the command's default) up to 100 nodes and 1000 above: one process on 2
    /// cores does not keep up with 300 nodes gossiping every 100 ms (docs/SCALING.md).
    #[arg(long, value_delimiter = ',')]
    gossip_interval_ms: Option<Vec<u64>>,
    /// Phi threshold of the failure detector.
    #[arg(long, default_value_t = 8.0)]
    phi: f64,
    /// The failure detector's interval before it has samples (ms); by default the gossip
    /// interval, as the command's defaults have it (100 and 100).
    #[arg(long)]
    initial_interval_ms: Option<u64>,
    /// How long a dead node is kept before chitchat forgets it (ms).
    #[arg(long, default_value_t = 10_000)]
    dead_grace_ms: u64,
    /// Runs per size (medians are shown): one value, or one per `--nodes` entry. By default 5
    /// up to 30 nodes, 3 up to 100, 2 above.
    #[arg(long, value_delimiter = ',')]
    runs: Option<Vec<usize>>,
    /// How many of the first nodes every node has as seeds.
    #[arg(long, default_value_t = 3)]
    seeds: usize,
    /// The steady window after convergence over which traffic and CPU are measured (ms).
    #[arg(long, default_value_t = 3_000)]
    window_ms: u64,
    /// How often the nodes are looked at while waiting (ms).
    #[arg(long, default_value_t = 20)]
    poll_ms: u64,
    /// Give up on a phase (convergence, failover) after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout_s: u64,
    /// chitchat's wire format: 0 (uncompressed digests, what the command uses) or 1 (zstd).
    #[arg(long, default_value_t = 0)]
    protocol: u8,
    /// Milliseconds between two nodes' starts (one value, or one per `--nodes` entry);
    /// convergence is timed from the last start. By default 0 up to 100 nodes and 10 above (300
    /// nodes started at once against 3 seeds do not converge in this process).
    #[arg(long, value_delimiter = ',')]
    stagger_ms: Option<Vec<u64>>,
    /// Print the nodes' live counts every second while waiting (to stderr).
    #[arg(long)]
    progress: bool,
}

/// Bytes and messages the wrapped transport saw, per message kind.
#[derive(Default)]
struct Traffic {
    syn: Kind,
    syn_ack: Kind,
    ack: Kind,
    other: Kind,
    largest: AtomicU64,
    /// Sends the transport refused (a message above the payload limit).
    refused: AtomicU64,
    received: AtomicU64,
}

#[derive(Default)]
struct Kind {
    messages: AtomicU64,
    bytes: AtomicU64,
}

#[derive(Clone, Copy, Default, Debug)]
struct KindCount {
    messages: u64,
    bytes: u64,
}

#[derive(Clone, Copy, Default, Debug)]
struct TrafficCount {
    syn: KindCount,
    syn_ack: KindCount,
    ack: KindCount,
    other: KindCount,
    refused: u64,
    received: u64,
}

impl Kind {
    fn count(&self) -> KindCount {
        KindCount {
            messages: self.messages.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }
}

impl KindCount {
    fn minus(self, before: KindCount) -> KindCount {
        KindCount {
            messages: self.messages - before.messages,
            bytes: self.bytes - before.bytes,
        }
    }
    fn mean(self) -> f64 {
        self.bytes as f64 / self.messages.max(1) as f64
    }
}

impl Traffic {
    fn count(&self) -> TrafficCount {
        TrafficCount {
            syn: self.syn.count(),
            syn_ack: self.syn_ack.count(),
            ack: self.ack.count(),
            other: self.other.count(),
            refused: self.refused.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
        }
    }
}

impl TrafficCount {
    fn minus(self, before: TrafficCount) -> TrafficCount {
        TrafficCount {
            syn: self.syn.minus(before.syn),
            syn_ack: self.syn_ack.minus(before.syn_ack),
            ack: self.ack.minus(before.ack),
            other: self.other.minus(before.other),
            refused: self.refused - before.refused,
            received: self.received - before.received,
        }
    }
    fn sent(self) -> KindCount {
        let kinds = [self.syn, self.syn_ack, self.ack, self.other];
        KindCount {
            messages: kinds.iter().map(|k| k.messages).sum(),
            bytes: kinds.iter().map(|k| k.bytes).sum(),
        }
    }
}

/// `ChannelTransport` with every message counted by kind as it is sent, and every delivery.
struct CountingTransport {
    inner: ChannelTransport,
    traffic: Arc<Traffic>,
}

struct CountingSocket {
    inner: Box<dyn Socket>,
    traffic: Arc<Traffic>,
}

#[async_trait]
impl Transport for CountingTransport {
    async fn open(&self, listen_addr: SocketAddr) -> Result<Box<dyn Socket>> {
        Ok(Box::new(CountingSocket {
            inner: self.inner.open(listen_addr).await?,
            traffic: self.traffic.clone(),
        }))
    }
}

#[async_trait]
impl Socket for CountingSocket {
    fn local_addr(&self) -> Result<SocketAddr> {
        self.inner.local_addr()
    }

    async fn send(&mut self, to: SocketAddr, envelope: ChitchatEnvelope) -> Result<SendOutcome> {
        let t = &self.traffic;
        let kind = match envelope.message {
            ChitchatMessage::Syn { .. } => &t.syn,
            ChitchatMessage::SynAck { .. } => &t.syn_ack,
            ChitchatMessage::Ack { .. } => &t.ack,
            _ => &t.other,
        };
        match self.inner.send(to, envelope).await {
            Ok(outcome) => {
                let bytes = outcome.num_bytes_sent as u64;
                kind.messages.fetch_add(1, Ordering::Relaxed);
                kind.bytes.fetch_add(bytes, Ordering::Relaxed);
                t.largest.fetch_max(bytes, Ordering::Relaxed);
                Ok(outcome)
            }
            Err(e) => {
                t.refused.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    async fn recv(&mut self) -> Result<RecvOutcome> {
        let outcome = self.inner.recv().await?;
        self.traffic.received.fetch_add(1, Ordering::Relaxed);
        Ok(outcome)
    }
}

/// One size's settings.
#[derive(Clone, Copy, Debug)]
struct Settings {
    nodes: usize,
    gossip_interval: Duration,
    initial_interval: Duration,
    phi: f64,
    dead_grace: Duration,
    seeds: usize,
    window: Duration,
    poll: Duration,
    timeout: Duration,
    protocol: ProtocolVersion,
    progress: bool,
    stagger: Duration,
}

/// What one run measured.
#[derive(Clone, Debug, Default)]
struct Run {
    spawned: Duration,
    converged: Option<Duration>,
    failover: Option<Duration>,
    window: TrafficCount,
    window_secs: f64,
    largest: u64,
    cpu_percent: f64,
    cpu_percent_converging: f64,
    /// Messages sent but not delivered (a full in-process channel drops them) until convergence
    /// or the timeout.
    undelivered_converging: u64,
    /// The most nodes any node held dead in the steady window (all were running).
    suspicions: usize,
    failover_suspicions: bool,
    state_nodes: usize,
    state_kvs: usize,
    state_kv_bytes: usize,
    state_json_bytes: usize,
    look_ms: f64,
    /// The failure detector's timeout at one node, the median over its peers (ms).
    detection_ms: f64,
}

fn node_id(i: usize) -> String {
    format!("node-{i:04}")
}

fn addr(i: usize) -> SocketAddr {
    ([127, 0, 0, 1], 10_000 + i as u16).into()
}

/// The process's CPU time (user + system) from /proc (in clock ticks of 10 ms, USER_HZ = 100).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line; here 0-based after ')': 11 and 12.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The process's peak resident set size (kB), from /proc.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A running node and its live-set watcher (read without the node's lock).
struct Node {
    handle: ChitchatHandle,
    live: watch::Receiver<BTreeMap<ChitchatId, NodeState>>,
}

impl Node {
    /// How many nodes (itself included) this node holds live now.
    fn live_count(&self) -> usize {
        self.live.borrow().len()
    }

    /// The leader this node decides now: `view_of` its chitchat state, then the plain policy.
    async fn leader(&self) -> Option<String> {
        let chitchat = self.handle.chitchat();
        let view = view_of(&*chitchat.lock().await);
        elect_leaders(&view, &Policy::default())
            .ok()?
            .into_iter()
            .find(|d| d.group == GROUP)?
            .leader
    }
}

async fn spawn_node(i: usize, s: &Settings, transport: &CountingTransport) -> Result<Node> {
    let config = ChitchatConfig {
        chitchat_id: ChitchatId::new(node_id(i), 1, addr(i)),
        cluster_id: "tael-coord-scale".to_owned(),
        gossip_interval: s.gossip_interval,
        listen_addr: addr(i),
        seed_nodes: (0..s.seeds.min(s.nodes))
            .filter(|&j| j != i)
            .map(|j| addr(j).to_string())
            .collect(),
        failure_detector_config: FailureDetectorConfig {
            phi_threshold: s.phi,
            initial_interval: s.initial_interval,
            dead_node_grace_period: s.dead_grace,
            ..FailureDetectorConfig::default()
        },
        marked_for_deletion_grace_period: Duration::from_secs(3600),
        catchup_callback: None,
        extra_liveness_predicate: None,
        protocol_version: s.protocol,
    };
    let announcement = Announcement::member_of(GROUP);
    let handle = spawn_chitchat(config, announcement.key_values(), transport).await?;
    let live = handle.chitchat().lock().await.live_nodes_watcher();
    Ok(Node { handle, live })
}

/// Whether every node holds `live` nodes live and decides `leader`, and the smallest live count
/// seen. Decides only once every node's live count is right (a count is cheap, a decision takes
/// the node's lock).
async fn agreed(nodes: &[Node], live: usize, leader: &str) -> (bool, usize) {
    let fewest = nodes.iter().map(Node::live_count).min().unwrap_or(0);
    if fewest != live {
        return (false, fewest);
    }
    for node in nodes {
        if node.leader().await.as_deref() != Some(leader) {
            return (false, fewest);
        }
    }
    (true, fewest)
}

/// How long until every node holds `live` nodes live and decides `leader` (`None`: not within
/// the timeout), and the smallest live count any node held meanwhile.
async fn wait_for(
    nodes: &[Node],
    live: usize,
    leader: &str,
    since: Instant,
    s: &Settings,
) -> (Option<Duration>, usize) {
    let mut fewest = usize::MAX;
    let mut shown = Instant::now();
    let waiting = async {
        loop {
            let (done, n) = agreed(nodes, live, leader).await;
            fewest = fewest.min(n);
            if done {
                return since.elapsed();
            }
            if s.progress && shown.elapsed() > Duration::from_secs(1) {
                shown = Instant::now();
                let there = nodes.iter().filter(|n| n.live_count() == live).count();
                eprintln!(
                    "  {:.1} s: fewest live {n} (want {live}), {there} nodes there, CPU time {:.1} s",
                    since.elapsed().as_secs_f64(),
                    cpu_time().as_secs_f64()
                );
            }
            tokio::time::sleep(s.poll).await;
        }
    };
    // A bound that holds even when the process cannot keep up (a decision waits for a lock).
    let left = s.timeout.saturating_sub(since.elapsed());
    let took = tokio::time::timeout(left, waiting).await.ok();
    (took, fewest)
}

async fn run_once(s: &Settings) -> Result<Run> {
    let traffic = Arc::new(Traffic::default());
    let transport = CountingTransport {
        inner: ChannelTransport::with_mtu(UDP_PAYLOAD_LIMIT),
        traffic: traffic.clone(),
    };
    let mut run = Run::default();
    let start = Instant::now();
    let mut nodes = Vec::with_capacity(s.nodes);
    for i in 0..s.nodes {
        if i > 0 && !s.stagger.is_zero() {
            tokio::time::sleep(s.stagger).await;
        }
        nodes.push(spawn_node(i, s, &transport).await?);
    }
    // Convergence counts from the last node's start.
    let joined = Instant::now();
    run.spawned = joined - start;
    let cpu_start = cpu_time();
    run.converged = wait_for(&nodes, s.nodes, &node_id(0), joined, s).await.0;
    run.cpu_percent_converging =
        (cpu_time() - cpu_start).as_secs_f64() / joined.elapsed().as_secs_f64() * 100.0;
    let so_far = traffic.count();
    run.undelivered_converging = so_far.sent().messages.saturating_sub(so_far.received);
    if run.converged.is_none() {
        stop(nodes);
        return Ok(run);
    }

    // The steady window: traffic, CPU, and any node that someone holds dead meanwhile.
    let before = traffic.count();
    let cpu_before = cpu_time();
    let window_start = Instant::now();
    let mut short = 0;
    while window_start.elapsed() < s.window {
        short = short.max(s.nodes - nodes.iter().map(Node::live_count).min().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    run.window_secs = window_start.elapsed().as_secs_f64();
    run.window = traffic.count().minus(before);
    run.cpu_percent = (cpu_time() - cpu_before).as_secs_f64() / run.window_secs * 100.0;
    run.suspicions = short;
    run.largest = traffic.largest.load(Ordering::Relaxed);

    // What one node holds, and how long one decision (view_of + elect_leaders) takes there.
    {
        let t = Instant::now();
        nodes[1].leader().await;
        run.look_ms = t.elapsed().as_secs_f64() * 1e3;
        let chitchat = nodes[1].handle.chitchat();
        let guard = chitchat.lock().await;
        let states = guard.node_states();
        run.state_nodes = states.len();
        run.state_kvs = states.values().map(|n| n.num_key_values()).sum();
        run.state_kv_bytes = states
            .values()
            .flat_map(|n| n.key_values())
            .map(|(k, v)| k.len() + v.len())
            .sum();
        run.state_json_bytes = serde_json::to_vec(&guard.state_snapshot())
            .map(|v| v.len())
            .unwrap_or(0);
        // How long a peer may stay silent before this node holds it dead (phi reaches the
        // threshold), the median over its peers.
        let timeouts: Vec<f64> = states
            .keys()
            .filter_map(|id| guard.failure_detection_timeout(id))
            .map(|d| d.as_secs_f64() * 1e3)
            .collect();
        run.detection_ms = median(timeouts).unwrap_or(f64::NAN);
    }

    // Failover: the leader stops; the next smallest id must be everyone's leader.
    let leader = nodes.remove(0);
    let stopped = Instant::now();
    leader
        .handle
        .shutdown()
        .await
        .context("stopping the leader")?;
    let (failover, fewest) = wait_for(&nodes, s.nodes - 1, &node_id(1), stopped, s).await;
    run.failover = failover;
    // Fewer than N - 1 live: some node held another running node dead while the leader's
    // death spread.
    run.failover_suspicions = fewest < s.nodes - 1;
    stop(nodes);
    Ok(run)
}

/// Stop every node at once (aborting its task; a clean shutdown waits for each in turn).
fn stop(nodes: Vec<Node>) {
    for n in &nodes {
        n.handle.abort();
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// "median (min–max)" of durations in seconds, or how many runs timed out.
fn spread(values: &[Option<Duration>], timeout: Duration) -> String {
    let secs: Vec<f64> = values.iter().flatten().map(|d| d.as_secs_f64()).collect();
    let missed = values.len() - secs.len();
    let mut text = match median(secs.clone()) {
        None => String::new(),
        Some(m) if secs.len() == 1 => format!("{m:.2}"),
        Some(m) => {
            let lo = secs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = secs.iter().copied().fold(0.0, f64::max);
            format!("{m:.2} ({lo:.2}–{hi:.2})")
        }
    };
    if missed > 0 {
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&format!("{missed} > {} s", timeout.as_secs()));
    }
    text
}

/// The value for the `index`th size: the one given, the one given for this entry, or the
/// default for `nodes`.
fn per_size<T: Copy>(list: &Option<Vec<T>>, index: usize, what: &str, default: T) -> Result<T> {
    match list.as_deref() {
        None => Ok(default),
        Some([one]) => Ok(*one),
        Some(list) => list
            .get(index)
            .copied()
            .with_context(|| format!("--{what} needs one value, or one per --nodes entry")),
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let protocol = match args.protocol {
        0 => ProtocolVersion::V0,
        1 => ProtocolVersion::V1,
        p => bail!("--protocol must be 0 or 1, not {p}"),
    };
    if args.nodes.iter().any(|&n| !(3..=9_999).contains(&n)) {
        bail!("each --nodes entry must be between 3 and 9999");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "chitchat 0.13.0 over ChannelTransport (payload limit {UDP_PAYLOAD_LIMIT} B), protocol V{}, \
         phi {}, {} seeds, {} cores, tokio workers = cores",
        args.protocol, args.phi, args.seeds, cores
    );
    let mut timing = Vec::new();
    let mut load = Vec::new();
    for (index, &nodes) in args.nodes.iter().enumerate() {
        let large = nodes > 100;
        let interval = per_size(
            &args.gossip_interval_ms,
            index,
            "gossip-interval-ms",
            if large { 1000 } else { 100 },
        )?;
        let default_runs = match nodes {
            0..=30 => 5,
            31..=100 => 3,
            _ => 2,
        };
        let runs = per_size(&args.runs, index, "runs", default_runs)?.max(1);
        let stagger = per_size(
            &args.stagger_ms,
            index,
            "stagger-ms",
            if large { 10 } else { 0 },
        )?;
        let s = Settings {
            nodes,
            gossip_interval: Duration::from_millis(interval),
            initial_interval: Duration::from_millis(args.initial_interval_ms.unwrap_or(interval)),
            phi: args.phi,
            dead_grace: Duration::from_millis(args.dead_grace_ms),
            seeds: args.seeds,
            window: Duration::from_millis(args.window_ms),
            poll: Duration::from_millis(args.poll_ms),
            timeout: Duration::from_secs(args.timeout_s),
            protocol,
            progress: args.progress,
            stagger: Duration::from_millis(stagger),
        };
        let mut results = Vec::new();
        for r in 0..runs {
            let started = Instant::now();
            let run = runtime.block_on(run_once(&s))?;
            eprintln!(
                "N={nodes} run {}/{runs}: spawned {:.2} s, converged {:?}, failover {:?}, \
                 {:.0} B/node/s, CPU {:.0} % converging, {:.0} % steady, {} suspected in window, suspicions in failover: {} \
                 ({:.1} s)",
                r + 1,
                run.spawned.as_secs_f64(),
                run.converged,
                run.failover,
                run.window.sent().bytes as f64 / nodes as f64 / run.window_secs.max(1e-9),
                run.cpu_percent_converging,
                run.cpu_percent,
                run.suspicions,
                run.failover_suspicions,
                started.elapsed().as_secs_f64()
            );
            results.push(run);
        }
        let m = |f: &dyn Fn(&Run) -> f64| {
            median(
                results
                    .iter()
                    .filter(|r| r.converged.is_some())
                    .map(f)
                    .collect(),
            )
            .unwrap_or(f64::NAN)
        };
        let per_node_s = |r: &Run, v: u64| v as f64 / nodes as f64 / r.window_secs.max(1e-9);
        let converge: Vec<_> = results.iter().map(|r| r.converged).collect();
        let failover: Vec<_> = results
            .iter()
            .filter(|r| r.converged.is_some())
            .map(|r| r.failover)
            .collect();
        let configured_rounds = 1000.0 / interval as f64;
        timing.push(format!(
            "| {nodes} | {interval} | {stagger} | {runs} | {} | {} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.0} | {:.2} |",
            spread(&converge, s.timeout),
            spread(&failover, s.timeout),
            m(&|r| per_node_s(r, r.window.sent().bytes)),
            m(&|r| per_node_s(r, r.window.sent().messages)),
            m(&|r| per_node_s(r, r.window.syn.messages)),
            3.0 * configured_rounds,
            median(results.iter().map(|r| r.cpu_percent_converging).collect()).unwrap_or(f64::NAN),
            m(&|r| r.cpu_percent),
            m(&|r| r.cpu_percent) * 10.0 / nodes as f64,
        ));
        load.push(format!(
            "| {nodes} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
            m(&|r| r.window.syn.mean()),
            m(&|r| r.window.syn_ack.mean()),
            m(&|r| r.window.ack.mean()),
            m(&|r| r.largest as f64),
            results.iter().map(|r| r.window.refused).sum::<u64>(),
            m(&|r| r.state_nodes as f64),
            m(&|r| r.state_kvs as f64),
            m(&|r| r.state_kv_bytes as f64),
            m(&|r| r.state_json_bytes as f64),
            m(&|r| r.look_ms),
            m(&|r| r.detection_ms),
            median(results.iter().map(|r| r.undelivered_converging as f64).collect())
                .unwrap_or(f64::NAN),
            m(&|r| r.window.sent().messages.saturating_sub(r.window.received) as f64),
            peak_rss_kb() as f64 / 1024.0,
            results.iter().map(|r| r.suspicions).max().unwrap_or(0),
            results.iter().filter(|r| r.failover_suspicions).count(),
            results.iter().filter(|r| r.converged.is_some()).count(),
        ));
    }
    println!();
    println!(
        "| nodes | gossip ms | stagger ms | runs | converge s, median (min–max) \
         | failover s, median (min–max) | bytes/node/s | msgs/node/s | Syn/node/s \
         | Syn goal (3 a round) | CPU % converging | CPU % steady | CPU ms/node/s steady |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for line in timing {
        println!("{line}");
    }
    println!();
    println!(
        "| nodes | Syn B | SynAck B | Ack B | largest B | refused | state nodes | state kvs \
         | kv bytes | snapshot JSON B | one decision ms | detection timeout ms | undelivered converging \
         | undelivered in window | peak RSS MiB \
         | suspected in window (max) | runs with suspicions in failover | converged runs |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for line in load {
        println!("{line}");
    }
    Ok(())
}
