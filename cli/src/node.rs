//! One member of a replication group: a chitchat instance that decides the leader from its own
//! view, promotes when it wins, writes records to its log and ships them while it leads, fences
//! the records it receives, and keeps its log equal to the leader's.
//!
//! Every node keeps a log in memory with its epoch history (SEMANTICS.md §15) and publishes its
//! position (`tael.log_epoch`, `tael.log_end`) for the freshness policy. A follower appends a
//! record its gate accepts when it continues the follower's latest reign at its log end;
//! otherwise (a new reign, a gap, or a log that is behind the leader's announced position) it
//! asks the leader to sync: the leader answers the divergence point of the two logs and the
//! records from there, and the follower truncates its divergent suffix and catches up.
//!
//! It reports what it sees as JSON lines on stdout (the demo and the dashboard read them) and
//! takes commands on stdin: `freeze` (write one record to its own log without shipping it, then
//! stop the process with SIGSTOP: a leader frozen mid-write, holding a write it accepted but never
//! replicated), `ship` (send the write a zombie leader still has in flight: the record `freeze`
//! wrote, stamped with the epoch of the reign it was written in, or else a new record with its
//! last epoch, led or not), `hold` (write no more records, so the logs can settle), `handover <id>`
//! (a clean stop, SEMANTICS.md §16: stop writing, wait until `<id>`'s log has caught up, then
//! publish `leaving` with `<id>` as the successor) and `quit`.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chitchat::transport::UdpTransport;
use chitchat::{
    spawn_chitchat, ChitchatConfig, ChitchatId, FailureDetectorConfig, ProtocolVersion,
};
use clap::Args;
use serde_json::{json, Value};
use tael_coord::{
    divergence_point, elect_leaders, next_epoch, Counting, Decision, EpochHistory, HolderFencer,
    HolderGate, Policy, View,
};
use tael_coord_gossip::{view_of, Announcement};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UdpSocket;
use tokio::sync::Mutex;

/// The chitchat key where a node publishes the UDP address it receives records on.
pub const KEY_RECORDS: &str = "demo.records";

/// Gossip and failure-detector settings, shared by every node of a cluster.
#[derive(Args, Clone, Debug)]
pub struct GossipSettings {
    /// Milliseconds between gossip rounds.
    #[arg(long, default_value_t = 100)]
    pub gossip_interval_ms: u64,
    /// Phi threshold of the failure detector: higher is slower to declare a node dead.
    #[arg(long, default_value_t = 8.0)]
    pub phi: f64,
    /// The heartbeat interval the failure detector assumes before it has samples (ms).
    #[arg(long, default_value_t = 100)]
    pub initial_interval_ms: u64,
    /// How long a dead node is kept before chitchat forgets it (ms).
    #[arg(long, default_value_t = 10_000)]
    pub dead_grace_ms: u64,
}

impl GossipSettings {
    /// chitchat's own defaults (1 s gossip, phi 8, 5 s initial interval), for comparison.
    pub fn chitchat_defaults() -> Self {
        GossipSettings {
            gossip_interval_ms: 1000,
            phi: 8.0,
            initial_interval_ms: 5000,
            dead_grace_ms: 10_000,
        }
    }

    /// The settings as command-line flags for a node process.
    pub fn to_args(&self) -> Vec<String> {
        vec![
            format!("--gossip-interval-ms={}", self.gossip_interval_ms),
            format!("--phi={}", self.phi),
            format!("--initial-interval-ms={}", self.initial_interval_ms),
            format!("--dead-grace-ms={}", self.dead_grace_ms),
        ]
    }

    pub(crate) fn failure_detector(&self) -> FailureDetectorConfig {
        FailureDetectorConfig {
            phi_threshold: self.phi,
            initial_interval: Duration::from_millis(self.initial_interval_ms),
            dead_node_grace_period: Duration::from_millis(self.dead_grace_ms),
            ..FailureDetectorConfig::default()
        }
    }
}

/// Arguments of one node process.
#[derive(Args, Clone, Debug)]
pub struct NodeArgs {
    /// This node's id.
    #[arg(long)]
    pub id: String,
    /// The replication group it belongs to.
    #[arg(long, default_value = "wal-0")]
    pub group: String,
    /// UDP port for gossip on 127.0.0.1.
    #[arg(long)]
    pub gossip_port: u16,
    /// UDP port for records on 127.0.0.1.
    #[arg(long)]
    pub record_port: u16,
    /// Gossip ports of seed nodes on 127.0.0.1.
    #[arg(long = "seed")]
    pub seeds: Vec<u16>,
    /// This incarnation's generation (a restarted node must use a higher one).
    #[arg(long)]
    pub generation: u64,
    /// The size of the group: no leader unless a majority of it is live (the quorum guard).
    /// 0 turns the guard off.
    #[arg(long, default_value_t = 0)]
    pub group_size: u64,
    /// Keep a live incumbent (the sticky-incumbent policy); on by default.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub sticky: bool,
    /// The freshness policy's lag allowance: a member more records behind the freshest live
    /// log may not lead (nor one on an older epoch).
    #[arg(long, default_value_t = 20)]
    pub max_lag: u64,
    /// How long a (re)started node waits at most for the peers it knows of to count as live
    /// before it may take leadership (default: 30 gossip intervals; see `run`).
    #[arg(long)]
    pub warmup_ms: Option<u64>,
    #[command(flatten)]
    pub gossip: GossipSettings,
}

/// A command on stdin that the main loop carries out.
enum Command {
    Hold,
    Freeze,
    Handover(String),
}

/// Records a sync answer carries at most (one datagram).
const SYNC_CHUNK: usize = 256;

/// One record of the log: the reign that wrote it and its sequence number in that node's writes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Record {
    epoch: u64,
    holder: String,
    seq: u64,
}

/// The node's write-ahead log, in memory, with its epoch history.
#[derive(Default)]
struct Log {
    records: Vec<Record>,
    history: EpochHistory,
    /// Records removed as a divergent suffix, over the node's life.
    truncated: u64,
}

impl Log {
    fn end(&self) -> u64 {
        self.records.len() as u64
    }

    /// `(log_epoch, log_end)`: the epoch of the last record and the end offset.
    fn position(&self) -> (u64, u64) {
        (self.records.last().map_or(0, |r| r.epoch), self.end())
    }

    /// Whether a record of `(epoch, holder)` continues the latest reign of the history.
    fn continues(&self, epoch: u64, holder: &str) -> bool {
        self.history
            .entries()
            .last()
            .is_some_and(|e| e.epoch == epoch && e.holder.as_deref() == Some(holder))
    }

    /// Append a record; its offset. A record older than the log's latest reign is refused: a
    /// log's epochs never go down (a zombie's write after its log learned of a newer reign
    /// still goes out, to be fenced, but is not written).
    fn append(&mut self, record: Record) -> Result<u64> {
        if self.history.latest_epoch() > Some(record.epoch) {
            bail!(
                "epoch {} is older than this log's latest reign",
                record.epoch
            );
        }
        let offset = self.end();
        self.history
            .assign(record.epoch, offset, Some(&record.holder))?;
        self.records.push(record);
        Ok(offset)
    }

    /// Drop everything from `point` on; how many records went.
    fn truncate(&mut self, point: u64) -> u64 {
        let gone = self.end().saturating_sub(point);
        self.records.truncate(point as usize);
        self.history.truncate_from_end(point);
        self.truncated += gone;
        gone
    }

    /// A digest of the records and the history, to compare logs across nodes.
    fn digest(&self) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.records.hash(&mut hasher);
        self.history.hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }

    /// The sync request this node sends a leader: its history and log end, and its digest as
    /// a token the answer echoes (an answer to a log that has changed since is not applied).
    fn sync_request(&self, me: &str) -> Vec<u8> {
        json!({"kind": "sync", "from": me, "history": self.history.to_json(),
               "log_end": self.end().to_string(), "token": self.digest()})
        .to_string()
        .into_bytes()
    }

    /// Apply a leader's sync answer to the log it was asked for: truncate the divergent suffix
    /// and append the leader's records. The divergence point and how many records went, or
    /// `None` for an answer to another state of the log.
    fn apply_sync(&mut self, answer: &Value) -> Option<(u64, u64)> {
        if answer["token"].as_str() != Some(self.digest().as_str()) {
            return None;
        }
        let point = tael_coord::parse_u64(answer["point"].as_str()?).ok()?;
        let records = answer["records"]
            .as_array()?
            .iter()
            .map(|r| {
                Some(Record {
                    epoch: tael_coord::parse_u64(r[0].as_str()?).ok()?,
                    holder: r[1].as_str()?.to_owned(),
                    seq: r[2].as_u64()?,
                })
            })
            .collect::<Option<Vec<Record>>>()?;
        let gone = self.truncate(point);
        for record in records {
            self.append(record).ok()?;
        }
        Some((point, gone))
    }

    /// The leader's answer to a sync request: the divergence point of the two logs and the
    /// records from there (at most [`SYNC_CHUNK`]), stamped with the leader's reign.
    fn sync_answer(&self, request: &Value, epoch: u64, me: &str) -> Option<Vec<u8>> {
        let history = EpochHistory::from_json(request["history"].as_str()?).ok()?;
        let end = tael_coord::parse_u64(request["log_end"].as_str()?).ok()?;
        let point = divergence_point(&self.history, self.end(), &history, end).ok()?;
        let records: Vec<Value> = self.records[point as usize..]
            .iter()
            .take(SYNC_CHUNK)
            .map(|r| json!([r.epoch.to_string(), r.holder, r.seq]))
            .collect();
        let answer = json!({"kind": "synced", "epoch": epoch.to_string(), "holder": me,
                            "point": point.to_string(), "records": records,
                            "token": request["token"]});
        Some(answer.to_string().into_bytes())
    }
}

/// What a node knows about its own reign.
struct Reign {
    announcement: Announcement,
    /// The epoch this node last led with (0 if never).
    last_epoch: u64,
    seq: u64,
}

fn emit(event: Value) {
    // One line per event; the reader splits on newlines.
    println!("{event}");
}

/// The log's lock; a panic while it was held cannot leave a half-made change (every change is
/// one call on the log), so a poisoned lock still guards a good log.
fn lock(log: &std::sync::Mutex<Log>) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_ms(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

/// Run a node until `quit` on stdin or stdin closes.
pub async fn run(args: NodeArgs) -> Result<()> {
    let start = Instant::now();
    let gossip_addr: SocketAddr = ([127, 0, 0, 1], args.gossip_port).into();
    let record_addr: SocketAddr = ([127, 0, 0, 1], args.record_port).into();
    let me = args.id.clone();
    let config = ChitchatConfig {
        chitchat_id: ChitchatId::new(me.clone(), args.generation, gossip_addr),
        cluster_id: "tael-coord-demo".to_owned(),
        gossip_interval: Duration::from_millis(args.gossip.gossip_interval_ms),
        listen_addr: gossip_addr,
        seed_nodes: args
            .seeds
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect(),
        failure_detector_config: args.gossip.failure_detector(),
        marked_for_deletion_grace_period: Duration::from_secs(3600),
        catchup_callback: None,
        extra_liveness_predicate: None,
        protocol_version: ProtocolVersion::V0,
    };
    let policy = Policy {
        sticky_incumbent: args.sticky,
        quorum_guard: args.group_size > 0,
        eligibility: true,
        priority: true,
        freshness: true,
        max_lag: args.max_lag,
        ..Policy::default()
    };
    // The policy is published with the rest, so a watcher of the view decides as the nodes do.
    let announcement = Announcement {
        configured: (args.group_size > 0).then_some(args.group_size),
        policy: Some(policy),
        ..Announcement::member_of(args.group.clone())
    };
    let mut initial = announcement.key_values();
    initial.push((KEY_RECORDS.to_owned(), record_addr.to_string()));
    let handle = spawn_chitchat(config, initial, &UdpTransport)
        .await
        .context("starting chitchat")?;
    let chitchat = handle.chitchat();
    let socket = Arc::new(
        UdpSocket::bind(record_addr)
            .await
            .with_context(|| format!("binding the record port {record_addr}"))?,
    );
    // Its verdicts are counted and the counts gossiped (tael.counters), for the dashboard.
    let gate = Arc::new(Counting::new(HolderFencer::new()));
    let log = Arc::new(std::sync::Mutex::new(Log::default()));
    // The epoch this node leads with, 0 while it does not: it answers sync requests only then.
    let leading = Arc::new(AtomicU64::new(0));
    // When (ms since start) this node's gate last accepted a record another leader shipped.
    let heard = Arc::new(AtomicU64::new(0));
    let reign = Arc::new(Mutex::new(Reign {
        announcement,
        last_epoch: 0,
        seq: 0,
    }));
    emit(
        json!({"ev": "ready", "node": me, "generation": args.generation.to_string(), "t": now_ms(start)}),
    );

    // Records and sync answers from leaders, every one judged by this node's holder-aware
    // gate; sync requests from followers, answered while this node leads.
    let receiver = {
        let (socket, gate, me) = (Arc::clone(&socket), Arc::clone(&gate), me.clone());
        let (log, leading, heard) = (Arc::clone(&log), Arc::clone(&leading), Arc::clone(&heard));
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65536];
            while let Ok((n, sender)) = socket.recv_from(&mut buf).await {
                let Ok(message) = serde_json::from_slice::<Value>(&buf[..n]) else {
                    continue;
                };
                if message["kind"] == "sync" {
                    let epoch = leading.load(Ordering::Acquire);
                    let answer = (epoch > 0)
                        .then(|| lock(&log).sync_answer(&message, epoch, &me))
                        .flatten();
                    if let Some(answer) = answer {
                        let _ = socket.send_to(&answer, sender).await;
                    }
                    continue;
                }
                let (Some(epoch), Some(holder)) = (
                    message["epoch"]
                        .as_str()
                        .and_then(|e| tael_coord::parse_u64(e).ok()),
                    message["holder"].as_str(),
                ) else {
                    continue;
                };
                if message["kind"] == "close" {
                    // The leader of a clean stop ends its reign here (SEMANTICS.md §16).
                    if let Ok(verdict) = gate.close(epoch, holder) {
                        emit(json!({"ev": "closed", "node": me, "from": holder,
                                    "verdict": serde_json::to_value(&verdict).unwrap_or(Value::Null),
                                    "t": now_ms(start)}));
                    }
                    continue;
                }
                let verdict = gate.check(epoch, holder);
                let accepted = verdict.as_ref().is_ok_and(|v| v.accepted());
                if message["kind"] == "synced" {
                    if accepted {
                        if let Some(event) = lock(&log).apply_sync(&message) {
                            emit(json!({"ev": "sync", "node": me, "from": holder,
                                        "point": event.0.to_string(), "truncated": event.1,
                                        "t": now_ms(start)}));
                        }
                    }
                    continue;
                }
                let verdict = match verdict {
                    Ok(v) => serde_json::to_value(&v).unwrap_or(Value::Null),
                    Err(e) => json!({"code": e.status().name()}),
                };
                emit(
                    json!({"ev": "record", "node": me, "from": holder, "epoch": epoch.to_string(),
                            "seq": message["seq"], "verdict": verdict, "t": now_ms(start)}),
                );
                if !accepted {
                    continue;
                }
                if holder != me {
                    heard.store(now_ms(start), Ordering::Release);
                }
                let offset = message["offset"].as_u64();
                let request = {
                    let mut log = lock(&log);
                    if log.continues(epoch, holder) && offset == Some(log.end()) {
                        let seq = message["seq"].as_u64().unwrap_or(0);
                        let record = Record {
                            epoch,
                            holder: holder.to_owned(),
                            seq,
                        };
                        log.append(record).is_err().then(|| log.sync_request(&me))
                    } else if log.continues(epoch, holder) && offset < Some(log.end()) {
                        None // a record this log already holds
                    } else {
                        Some(log.sync_request(&me))
                    }
                };
                if let Some(request) = request {
                    let _ = socket.send_to(&request, sender).await;
                }
            }
        })
    };

    // Commands on stdin.
    let (quit_tx, mut quit_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (ship_tx, mut ship_rx) = tokio::sync::mpsc::channel::<()>(8);
    let (command_tx, mut command_rx) = tokio::sync::mpsc::channel::<Command>(8);
    tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            match line.trim() {
                "ship" => {
                    let _ = ship_tx.send(()).await;
                }
                "hold" => {
                    let _ = command_tx.send(Command::Hold).await;
                }
                "freeze" => {
                    let _ = command_tx.send(Command::Freeze).await;
                }
                command if command.starts_with("handover ") => {
                    let successor = command["handover ".len()..].trim().to_owned();
                    let _ = command_tx.send(Command::Handover(successor)).await;
                }
                "quit" => break,
                _ => {}
            }
        }
        let _ = quit_tx.send(()).await;
    });

    // A node that has just started sees its peers live only after a few of their heartbeats. If
    // it led as soon as its partial view let it, a revived small id would promote past the
    // incumbent it does not see yet and take leadership back (its higher epoch would then be
    // the incumbent everyone keeps). So it takes leadership only once every peer it knows of
    // counts as live, or, for peers that stay dead, once the warm-up has passed. The warm-up is
    // generous (30 intervals): on a loaded machine a revived node's failure detector needs more
    // than ten intervals to count its peers live, and a warm-up that ran out first let it take
    // leadership back from a live incumbent it did not yet see.
    let warmup = Duration::from_millis(
        args.warmup_ms
            .unwrap_or(30 * args.gossip.gossip_interval_ms),
    );
    let mut warmed_up = false;
    // A pause (a long GC, SIGSTOP) leaves the view as it was before it, and it catches up piece
    // by piece: peers it counted live still count as live, then as dead as their old heartbeats
    // age, and the first ones heard again (not necessarily the incumbent that took over
    // meanwhile, whose state may arrive last) elect as if nothing had happened. So a node that
    // wakes from a pause of three gossip intervals or more (its peers may count it dead after
    // about five, and elect another) takes leadership again only once a lease of five intervals
    // has passed since the wake without a record from another leader: while another reign
    // ships to it, it waits for its view to show that reign. A turn merely late on a loaded
    // machine costs no more than the lease's wait before it may promote. A node that has just
    // started is held the same way (a restarted small id hears the incumbent's records before
    // its view shows that reign).
    let interval = args.gossip.gossip_interval_ms;
    let (pause, lease) = (Duration::from_millis(3 * interval), 5 * interval);
    let mut last_turn = Instant::now();
    let mut woke = Some(Instant::now());
    let tick = Duration::from_millis((args.gossip.gossip_interval_ms / 2).max(10));
    let mut ticker = tokio::time::interval(tick);
    let mut last_report: Option<(View, Decision)> = None;
    let mut last_log: Option<(u64, String)> = None;
    let mut last_position = (0, 0);
    let mut holding = false;
    // The successor of a clean stop under way, until `leaving` is published.
    let mut handing_over: Option<String> = None;
    // The record `freeze` wrote and never shipped (epoch, seq, offset), until `ship` sends it.
    let mut in_flight: Option<(u64, u64, Option<u64>)> = None;
    loop {
        let zombie_write = tokio::select! {
            _ = ticker.tick() => false,
            Some(()) = ship_rx.recv() => true,
            Some(command) = command_rx.recv() => match command {
                Command::Hold => {
                    holding = true;
                    false
                }
                Command::Handover(successor) => {
                    holding = true;
                    handing_over = Some(successor);
                    false
                }
                Command::Freeze => {
                    let reign = reign.lock().await;
                    if reign.announcement.leading {
                        let record = Record {
                            epoch: reign.last_epoch,
                            holder: me.clone(),
                            seq: 0,
                        };
                        let offset = lock(&log).append(record).ok();
                        in_flight = Some((reign.last_epoch, 0, offset));
                        emit(json!({"ev": "frozen", "node": me, "offset": offset,
                                    "epoch": reign.last_epoch.to_string(), "t": now_ms(start)}));
                    }
                    // SAFETY: raise(3) sends a signal to this process; it touches no memory.
                    unsafe { libc::raise(libc::SIGSTOP) };
                    false
                }
            },
            _ = quit_rx.recv() => break,
        };
        if last_turn.elapsed() >= pause {
            woke = Some(Instant::now());
        } else if woke.is_some_and(|at| at.elapsed() >= Duration::from_millis(lease))
            && now_ms(start).saturating_sub(heard.load(Ordering::Acquire)) >= lease
        {
            woke = None;
        }
        last_turn = Instant::now();
        let (view, peers, addresses) = {
            let guard = chitchat.lock().await;
            if !warmed_up {
                let live: BTreeSet<&str> =
                    guard.live_nodes().map(|id| id.node_id.as_ref()).collect();
                let all_live = guard
                    .node_states()
                    .keys()
                    .map(|id| id.node_id.as_ref())
                    .filter(|&id| id != me.as_str())
                    .all(|id| live.contains(id));
                warmed_up = all_live || start.elapsed() >= warmup;
            }
            let view = view_of(&guard);
            // Records go to every replica this node has heard of, live or not: a deposed
            // leader does not know it is deposed, nor which peers are gone.
            let addresses: Vec<(String, SocketAddr)> = guard
                .node_states()
                .iter()
                .filter(|(id, _)| id.node_id.as_ref() != me.as_str())
                .filter_map(|(id, state)| {
                    Some((
                        id.node_id.to_string(),
                        state.get(KEY_RECORDS)?.parse().ok()?,
                    ))
                })
                .collect();
            let peers: BTreeSet<SocketAddr> = addresses.iter().map(|(_, a)| *a).collect();
            (view, peers, addresses)
        };
        let decision = elect_leaders(&view, &policy)?
            .into_iter()
            .find(|d| d.group == args.group)
            .context("this node's group is missing from its own view")?;
        let leads = decision.leader.as_deref() == Some(me.as_str());

        let mut reign = reign.lock().await;
        let mut changed = false;
        if leads && !reign.announcement.leading && warmed_up && woke.is_none() {
            // Promote past every epoch the group announced and every epoch this gate saw, in one
            // step of the gate the receiver task shares: the reign announced is the one the gate
            // recorded for this node, never one a record admitted meanwhile took from it.
            let epoch = gate.promote_to_at_least(next_epoch(&view, &args.group)?, &me)?;
            // The reign starts at this log's end (§15): its records are the ones written next.
            {
                let mut log = lock(&log);
                let end = log.end();
                log.history.assign(epoch, end, Some(&me))?;
            }
            leading.store(epoch, Ordering::Release);
            reign.announcement.leading = true;
            reign.announcement.epoch = epoch;
            reign.last_epoch = epoch;
            changed = true;
            emit(json!({"ev": "lead", "node": me, "epoch": epoch.to_string(), "t": now_ms(start)}));
        } else if !leads && reign.announcement.leading {
            leading.store(0, Ordering::Release);
            reign.announcement.leading = false;
            changed = true;
            emit(
                json!({"ev": "step_down", "node": me, "leader": decision.leader, "t": now_ms(start)}),
            );
        }
        if (reign.announcement.leading && !holding || zombie_write) && reign.last_epoch > 0 {
            // A write in flight keeps the epoch it was written with, whatever this node did
            // since it woke (it may have stepped down, or even led again at a higher epoch).
            let written = if zombie_write { in_flight.take() } else { None };
            let (epoch, seq, offset) = written.unwrap_or_else(|| {
                reign.seq += 1;
                // Written to this node's own log first, then shipped with its offset.
                let record = Record {
                    epoch: reign.last_epoch,
                    holder: me.clone(),
                    seq: reign.seq,
                };
                (reign.last_epoch, reign.seq, lock(&log).append(record).ok())
            });
            let record = json!({"kind": "record", "epoch": epoch.to_string(),
                                "holder": me, "seq": seq, "offset": offset});
            let bytes = record.to_string().into_bytes();
            for peer in &peers {
                let _ = socket.send_to(&bytes, peer).await;
            }
            if zombie_write {
                emit(
                    json!({"ev": "shipped", "node": me, "epoch": epoch.to_string(),
                            "leading": reign.announcement.leading, "peers": peers.len(), "t": now_ms(start)}),
                );
            }
        }
        // A follower whose log stalled behind the position its leader announces asks it to
        // sync (records that arrive ask by themselves when they do not continue the log).
        let leader_position = view.groups.get(&args.group).and_then(|g| {
            let leader = decision.leader.as_deref()?;
            let m = g.members.iter().rev().find(|m| m.id == leader)?;
            Some((leader.to_owned(), (m.log_epoch, m.log_end)))
        });
        let (position, request) = {
            let log = lock(&log);
            let stalled = log.position() == last_position;
            let behind = leader_position
                .as_ref()
                .filter(|(leader, at)| *leader != me && *at != log.position() && stalled);
            let request = behind.and_then(|(leader, _)| {
                let to = addresses.iter().find(|(id, _)| id == leader)?.1;
                Some((log.sync_request(&me), to))
            });
            (log.position(), request)
        };
        if let Some((request, to)) = request {
            let _ = socket.send_to(&request, to).await;
        }
        last_position = position;
        // A follower announces no position beyond its leader's as it sees it: gossip may bring
        // it the leader's records before the leader's own announcement, and a follower that
        // looked fresher than its leader would depose it (the freshness rule keeps no incumbent
        // that is behind).
        let announced = match &leader_position {
            Some((leader, at)) if *leader != me => position.min(*at),
            _ => position,
        };
        if (reign.announcement.log_epoch, reign.announcement.log_end) != announced {
            (reign.announcement.log_epoch, reign.announcement.log_end) = announced;
            changed = true;
        }
        // A clean stop: once the successor's log has caught up with this one (it would be
        // `behind` otherwise), publish `leaving` and the successor.
        let mut left = false;
        if let Some(successor) = &handing_over {
            let caught_up = view.groups.get(&args.group).is_some_and(|g| {
                let theirs = g
                    .members
                    .iter()
                    .rev()
                    .find(|m| m.id == *successor && m.live);
                theirs.is_some_and(|m| (m.log_epoch, m.log_end) == position)
            });
            if caught_up {
                reign.announcement.leaving = true;
                reign.announcement.handover_to = handing_over.take();
                changed = true;
                left = true;
                // Close the reign at every replica, so no late record of it is accepted.
                let close = json!({"kind": "close", "epoch": reign.last_epoch.to_string(),
                                   "holder": me});
                let bytes = close.to_string().into_bytes();
                for peer in &peers {
                    let _ = socket.send_to(&bytes, peer).await;
                }
            }
        }
        let counters = gate.counters();
        if reign.announcement.counters != counters {
            reign.announcement.counters = counters;
            changed = true;
        }
        if changed {
            let mut guard = chitchat.lock().await;
            reign.announcement.publish(guard.self_node_state());
        }
        if left {
            emit(
                json!({"ev": "leaving", "node": me, "handover_to": reign.announcement.handover_to,
                        "t": now_ms(start)}),
            );
        }
        if last_report.as_ref() != Some(&(view.clone(), decision.clone())) {
            emit(
                json!({"ev": "view", "node": me, "view": serde_json::to_value(&view)?,
                        "policy": serde_json::to_value(policy)?,
                        "decision": serde_json::to_value(&decision)?, "t": now_ms(start)}),
            );
            last_report = Some((view, decision));
        }
        let report = {
            let log = lock(&log);
            (
                log.end(),
                log.digest(),
                log.truncated,
                log.history.to_json(),
            )
        };
        if last_log.as_ref() != Some(&(report.0, report.1.clone())) {
            let (end, digest, truncated, history) = report;
            emit(
                json!({"ev": "log", "node": me, "log_end": end.to_string(), "digest": digest,
                        "truncated": truncated, "history": history, "t": now_ms(start)}),
            );
            last_log = Some((end, digest));
        }
    }
    receiver.abort();
    handle.shutdown().await.ok();
    Ok(())
}
