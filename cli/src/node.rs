//! One member of a replication group: a chitchat instance that decides the leader from its own
//! view, promotes when it wins, ships records while it leads, and fences the records it receives.
//!
//! It reports what it sees as JSON lines on stdout (the demo and the dashboard read them) and
//! takes commands on stdin: `ship` (send one record with its last epoch, led or not: the write a
//! zombie leader still has in flight) and `quit`.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chitchat::transport::UdpTransport;
use chitchat::{
    spawn_chitchat, ChitchatConfig, ChitchatId, FailureDetectorConfig, ProtocolVersion,
};
use clap::Args;
use serde_json::{json, Value};
use tael_coord::{elect_leaders, next_epoch, Decision, HolderFencer, HolderGate, Policy, View};
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

    fn failure_detector(&self) -> FailureDetectorConfig {
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
    /// How long a (re)started node waits at most for the peers it knows of to count as live
    /// before it may take leadership (default: 10 gossip intervals; see `run`).
    #[arg(long)]
    pub warmup_ms: Option<u64>,
    #[command(flatten)]
    pub gossip: GossipSettings,
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
    let gate = Arc::new(HolderFencer::new());
    let reign = Arc::new(Mutex::new(Reign {
        announcement,
        last_epoch: 0,
        seq: 0,
    }));
    emit(
        json!({"ev": "ready", "node": me, "generation": args.generation.to_string(), "t": now_ms(start)}),
    );

    // Records from leaders: every one is judged by this node's holder-aware gate.
    let receiver = {
        let (socket, gate, me) = (Arc::clone(&socket), Arc::clone(&gate), me.clone());
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            while let Ok((n, _)) = socket.recv_from(&mut buf).await {
                let Ok(record) = serde_json::from_slice::<Value>(&buf[..n]) else {
                    continue;
                };
                let (Some(epoch), Some(holder)) = (
                    record["epoch"]
                        .as_str()
                        .and_then(|e| tael_coord::parse_u64(e).ok()),
                    record["holder"].as_str(),
                ) else {
                    continue;
                };
                let verdict = match gate.check(epoch, holder) {
                    Ok(v) => serde_json::to_value(&v).unwrap_or(Value::Null),
                    Err(e) => json!({"code": e.status().name()}),
                };
                emit(
                    json!({"ev": "record", "node": me, "from": holder, "epoch": epoch.to_string(),
                            "seq": record["seq"], "verdict": verdict, "t": now_ms(start)}),
                );
            }
        })
    };

    // Commands on stdin.
    let (quit_tx, mut quit_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (ship_tx, mut ship_rx) = tokio::sync::mpsc::channel::<()>(8);
    tokio::spawn(async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            match line.trim() {
                "ship" => {
                    let _ = ship_tx.send(()).await;
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
    // counts as live, or, for peers that stay dead, once the warm-up has passed.
    let warmup = Duration::from_millis(
        args.warmup_ms
            .unwrap_or(10 * args.gossip.gossip_interval_ms),
    );
    let mut warmed_up = false;
    let tick = Duration::from_millis((args.gossip.gossip_interval_ms / 2).max(10));
    let mut ticker = tokio::time::interval(tick);
    let mut last_report: Option<(View, Decision)> = None;
    loop {
        let zombie_write = tokio::select! {
            _ = ticker.tick() => false,
            Some(()) = ship_rx.recv() => true,
            _ = quit_rx.recv() => break,
        };
        let (view, peers) = {
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
            let peers: BTreeSet<SocketAddr> = guard
                .node_states()
                .iter()
                .filter(|(id, _)| id.node_id.as_ref() != me.as_str())
                .filter_map(|(_, state)| state.get(KEY_RECORDS)?.parse().ok())
                .collect();
            (view, peers)
        };
        let decision = elect_leaders(&view, &policy)?
            .into_iter()
            .find(|d| d.group == args.group)
            .context("this node's group is missing from its own view")?;
        let leads = decision.leader.as_deref() == Some(me.as_str());

        let mut reign = reign.lock().await;
        let mut changed = false;
        if leads && !reign.announcement.leading && warmed_up {
            // Promote past every epoch the group announced and every epoch this gate saw, in one
            // step of the gate the receiver task shares: the reign announced is the one the gate
            // recorded for this node, never one a record admitted meanwhile took from it.
            let epoch = gate.promote_to_at_least(next_epoch(&view, &args.group)?, &me)?;
            reign.announcement.leading = true;
            reign.announcement.epoch = epoch;
            reign.last_epoch = epoch;
            changed = true;
            emit(json!({"ev": "lead", "node": me, "epoch": epoch.to_string(), "t": now_ms(start)}));
        } else if !leads && reign.announcement.leading {
            reign.announcement.leading = false;
            changed = true;
            emit(
                json!({"ev": "step_down", "node": me, "leader": decision.leader, "t": now_ms(start)}),
            );
        }
        if changed {
            let mut guard = chitchat.lock().await;
            reign.announcement.publish(guard.self_node_state());
        }
        if last_report.as_ref() != Some(&(view.clone(), decision.clone())) {
            emit(
                json!({"ev": "view", "node": me, "view": serde_json::to_value(&view)?,
                        "policy": serde_json::to_value(policy)?,
                        "decision": serde_json::to_value(&decision)?, "t": now_ms(start)}),
            );
            last_report = Some((view, decision));
        }
        if (reign.announcement.leading || zombie_write) && reign.last_epoch > 0 {
            reign.seq += 1;
            let record =
                json!({"epoch": reign.last_epoch.to_string(), "holder": me, "seq": reign.seq});
            let bytes = record.to_string().into_bytes();
            for peer in &peers {
                let _ = socket.send_to(&bytes, peer).await;
            }
            if zombie_write {
                emit(
                    json!({"ev": "shipped", "node": me, "epoch": reign.last_epoch.to_string(),
                            "leading": reign.announcement.leading, "peers": peers.len(), "t": now_ms(start)}),
                );
            }
        }
    }
    receiver.abort();
    handle.shutdown().await.ok();
    Ok(())
}
