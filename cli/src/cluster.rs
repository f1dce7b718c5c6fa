//! A loopback replication group of node processes (`tael-coord node`), and what they report.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::node::GossipSettings;

/// A line a node printed, with when it arrived.
#[derive(Clone, Debug)]
pub struct Event {
    pub node: String,
    pub body: Value,
    /// When the line was read from the node's output (not when the demo got to it).
    pub at: Instant,
}

/// Whether the demo has stopped a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Running,
    Paused,
    Killed,
}

/// One node process.
pub struct Node {
    pub id: String,
    pub gossip_port: u16,
    pub record_port: u16,
    pub generation: u64,
    pub health: Health,
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Free UDP ports on 127.0.0.1, found by binding port 0.
pub(crate) fn free_ports(n: usize) -> Result<Vec<u16>> {
    let sockets: Vec<UdpSocket> = (0..n)
        .map(|_| UdpSocket::bind("127.0.0.1:0"))
        .collect::<std::io::Result<_>>()
        .context("finding free UDP ports")?;
    sockets.iter().map(|s| Ok(s.local_addr()?.port())).collect()
}

/// A generation that is higher on every restart: the start time in microseconds.
pub(crate) fn fresh_generation() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_micros() as u64)
}

pub(crate) fn signal(child: &Child, sig: libc::c_int) -> Result<()> {
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    // SAFETY: kill(2) with a pid this process spawned and still owns (not yet waited for).
    if unsafe { libc::kill(pid, sig) } != 0 {
        bail!("kill({pid}, {sig}): {}", std::io::Error::last_os_error());
    }
    Ok(())
}

/// The nodes of one group and the channel their reports arrive on.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub group: String,
    settings: GossipSettings,
    sticky: bool,
    group_size: usize,
    events_tx: Sender<Event>,
    events: Option<Receiver<Event>>,
}

impl Cluster {
    /// Start `n` nodes named `node-a`, `node-b`, ... in group `group`. With `quorum`, the
    /// nodes announce the group size and elect no leader without a live majority.
    pub fn start(
        n: usize,
        group: &str,
        settings: &GossipSettings,
        sticky: bool,
        quorum: bool,
    ) -> Result<Cluster> {
        if !(1..=26).contains(&n) {
            bail!("a demo cluster has 1 to 26 nodes, not {n}");
        }
        let ports = free_ports(2 * n)?;
        let (events_tx, events) = mpsc::channel();
        let mut cluster = Cluster {
            nodes: Vec::new(),
            group: group.to_owned(),
            settings: settings.clone(),
            sticky,
            group_size: if quorum { n } else { 0 },
            events_tx,
            events: Some(events),
        };
        for i in 0..n {
            let id = format!("node-{}", (b'a' + i as u8) as char);
            let node = cluster.spawn(&id, ports[2 * i], ports[2 * i + 1], fresh_generation())?;
            cluster.nodes.push(node);
        }
        Ok(cluster)
    }

    fn spawn(&self, id: &str, gossip_port: u16, record_port: u16, generation: u64) -> Result<Node> {
        let exe = std::env::current_exe().context("locating this executable")?;
        let mut cmd = Command::new(exe);
        cmd.arg("node")
            .arg(format!("--id={id}"))
            .arg(format!("--group={}", self.group))
            .arg(format!("--gossip-port={gossip_port}"))
            .arg(format!("--record-port={record_port}"))
            .arg(format!("--generation={generation}"))
            .arg(format!("--sticky={}", self.sticky))
            .arg(format!("--group-size={}", self.group_size))
            .args(self.settings.to_args());
        // Every node seeds from the others' gossip ports (the first node's is enough, but a
        // restarted first node must find the rest).
        for other in &self.nodes {
            if other.id != id {
                cmd.arg(format!("--seed={}", other.gossip_port));
            }
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting a node process")?;
        let stdout = child.stdout.take().context("node stdout")?;
        let (tx, node) = (self.events_tx.clone(), id.to_owned());
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(body) = serde_json::from_str(&line) else {
                    continue;
                };
                let event = Event {
                    node: node.clone(),
                    body,
                    at: Instant::now(),
                };
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        Ok(Node {
            id: id.to_owned(),
            gossip_port,
            record_port,
            generation,
            health: Health::Running,
            stdin: child.stdin.take(),
            child,
        })
    }

    /// The next report, or `None` at the deadline.
    pub fn next_event(&self, deadline: Instant) -> Option<Event> {
        let wait = deadline.saturating_duration_since(Instant::now());
        self.events.as_ref()?.recv_timeout(wait).ok()
    }

    /// Hand every report from now on to `each`, on a thread of its own (for a caller that
    /// serves requests meanwhile and cannot wait on `next_event`).
    pub fn forward_events(&mut self, mut each: impl FnMut(Event) + Send + 'static) {
        if let Some(events) = self.events.take() {
            thread::spawn(move || {
                while let Ok(event) = events.recv() {
                    each(event);
                }
            });
        }
    }

    fn node_mut(&mut self, id: &str) -> Result<&mut Node> {
        self.nodes
            .iter_mut()
            .find(|n| n.id == id)
            .with_context(|| format!("no node {id}"))
    }

    /// Record that a node stopped itself (it was told to `freeze`), so it is resumed and stopped
    /// like a paused one.
    pub fn mark_paused(&mut self, id: &str) -> Result<()> {
        self.node_mut(id)?.health = Health::Paused;
        Ok(())
    }

    /// Thaw a paused node (SIGCONT).
    pub fn resume(&mut self, id: &str) -> Result<()> {
        let node = self.node_mut(id)?;
        signal(&node.child, libc::SIGCONT)?;
        node.health = Health::Running;
        Ok(())
    }

    /// Kill a node (SIGKILL) and reap it.
    pub fn kill(&mut self, id: &str) -> Result<()> {
        let node = self.node_mut(id)?;
        if node.health == Health::Killed {
            return Ok(());
        }
        if node.health == Health::Paused {
            signal(&node.child, libc::SIGCONT)?;
        }
        node.child.kill().context("killing a node")?;
        node.child.wait().ok();
        node.health = Health::Killed;
        Ok(())
    }

    /// Restart a killed node on its ports with a new, higher generation.
    pub fn restart(&mut self, id: &str) -> Result<()> {
        let index = self
            .nodes
            .iter()
            .position(|n| n.id == id)
            .with_context(|| format!("no node {id}"))?;
        if self.nodes[index].health != Health::Killed {
            self.kill(id)?;
        }
        let (gossip, record) = (self.nodes[index].gossip_port, self.nodes[index].record_port);
        let node = self.spawn(id, gossip, record, fresh_generation())?;
        self.nodes[index] = node;
        Ok(())
    }

    /// Send a node a command on its stdin: `ship` (send the write it has in flight, as a zombie
    /// leader would: the record `freeze` wrote, or else one with its last epoch), `hold` (write
    /// no more records), `handover <id>` (a clean stop) or `freeze` (write a record without
    /// shipping it and stop: then [`Cluster::mark_paused`]).
    pub fn tell(&mut self, id: &str, command: &str) -> Result<()> {
        let node = self.node_mut(id)?;
        let stdin = node.stdin.as_mut().context("node stdin is closed")?;
        stdin.write_all(format!("{command}\n").as_bytes())?;
        stdin.flush()?;
        Ok(())
    }

    /// Ids of the nodes that are running.
    pub fn running(&self) -> BTreeSet<String> {
        self.nodes
            .iter()
            .filter(|n| n.health == Health::Running)
            .map(|n| n.id.clone())
            .collect()
    }

    /// Stop every node.
    pub fn stop(&mut self) {
        for node in &mut self.nodes {
            if node.health == Health::Paused {
                let _ = signal(&node.child, libc::SIGCONT);
            }
            drop(node.stdin.take());
            let _ = node.child.kill();
            let _ = node.child.wait();
            node.health = Health::Killed;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Everything the nodes reported, folded into what the demo and the dashboard ask about.
#[derive(Default)]
pub struct Tracker {
    /// Each node's latest decided leader.
    pub leaders: BTreeMap<String, Option<String>>,
    /// Each node's latest view, as JSON.
    pub views: BTreeMap<String, Value>,
    /// The decision every distinct view got, to find two nodes that decided one view two ways.
    decided: BTreeMap<String, Value>,
    /// Views decided differently by two nodes.
    pub divergent: usize,
    /// Every view a node reported with its policy and decision, in arrival order (for
    /// `--record`).
    pub history: Vec<Value>,
    /// Records each node's gate judged: (node, from, epoch, verdict code).
    pub records: Vec<(String, String, String, String)>,
    /// `lead` events: (node, epoch).
    pub reigns: Vec<(String, String)>,
    /// Zombie writes: (node, whether it still believed it led when it shipped).
    pub zombie_writes: Vec<(String, bool, String)>,
    /// Nodes that froze themselves mid-write, with the offset of the write they kept.
    pub frozen: Vec<(String, Option<u64>)>,
    /// Nodes that published `leaving` (a clean stop), with when the report arrived.
    pub leaving: Vec<(String, Instant)>,
    /// Reigns closed at a replica's gate: (replica, the holder whose reign it closed, verdict
    /// code).
    pub closed: Vec<(String, String, String)>,
    /// When the latest event folded in arrived.
    pub latest: Option<Instant>,
    /// Each node's latest log: its end and digest.
    pub logs: BTreeMap<String, (String, String)>,
    /// Records truncated as divergent suffixes, over every sync.
    pub truncated: u64,
}

impl Tracker {
    /// Fold one event in.
    pub fn absorb(&mut self, event: &Event) {
        let body = &event.body;
        self.latest = Some(event.at);
        match body["ev"].as_str() {
            Some("view") => {
                let view = body["view"].clone();
                let decision = body["decision"].clone();
                let key = view.to_string();
                match self.decided.get(&key) {
                    Some(seen) if seen != &decision => self.divergent += 1,
                    Some(_) => {}
                    None => {
                        self.decided.insert(key, decision.clone());
                    }
                }
                self.leaders.insert(
                    event.node.clone(),
                    decision["leader"].as_str().map(str::to_owned),
                );
                self.views.insert(event.node.clone(), view.clone());
                self.history.push(serde_json::json!({
                    "node": event.node, "view": view, "policy": body["policy"], "decision": decision,
                }));
            }
            Some("record") => self.records.push((
                event.node.clone(),
                body["from"].as_str().unwrap_or("").to_owned(),
                body["epoch"].as_str().unwrap_or("").to_owned(),
                body["verdict"]["code"].as_str().unwrap_or("").to_owned(),
            )),
            Some("shipped") => self.zombie_writes.push((
                event.node.clone(),
                body["leading"].as_bool().unwrap_or(false),
                body["epoch"].as_str().unwrap_or("").to_owned(),
            )),
            Some("log") => {
                let text = |key: &str| body[key].as_str().unwrap_or("").to_owned();
                let log = (text("log_end"), text("digest"));
                self.logs.insert(event.node.clone(), log);
            }
            Some("leaving") => self.leaving.push((event.node.clone(), event.at)),
            Some("closed") => self.closed.push((
                event.node.clone(),
                body["from"].as_str().unwrap_or("").to_owned(),
                body["verdict"]["code"].as_str().unwrap_or("").to_owned(),
            )),
            Some("frozen") => self
                .frozen
                .push((event.node.clone(), body["offset"].as_u64())),
            Some("sync") => self.truncated += body["truncated"].as_u64().unwrap_or(0),
            Some("lead") => self.reigns.push((
                event.node.clone(),
                body["epoch"].as_str().unwrap_or("").to_owned(),
            )),
            _ => {}
        }
    }

    /// The leader every node of `nodes` agrees on, if they all report the same one and each
    /// sees exactly the members of `nodes` live.
    pub fn agreed_leader(&self, nodes: &BTreeSet<String>, group: &str) -> Option<String> {
        let mut agreed: Option<&Option<String>> = None;
        for node in nodes {
            let leader = self.leaders.get(node)?;
            if leader.is_none() || agreed.is_some_and(|a| a != leader) {
                return None;
            }
            if self.live_count(node, group) != nodes.len() {
                return None;
            }
            agreed = Some(leader);
        }
        agreed.cloned().flatten()
    }

    /// How many distinct members `node` sees live in `group`.
    pub fn live_count(&self, node: &str, group: &str) -> usize {
        self.live_members(node, group).len()
    }

    /// The members `node` sees live in `group` (newest generation of each id).
    pub fn live_members(&self, node: &str, group: &str) -> BTreeSet<String> {
        let Some(members) = self
            .views
            .get(node)
            .and_then(|v| v["groups"][group]["members"].as_array())
        else {
            return BTreeSet::new();
        };
        let mut newest: BTreeMap<&str, (u64, bool)> = BTreeMap::new();
        for m in members {
            let (Some(id), Some(live)) = (m["id"].as_str(), m["live"].as_bool()) else {
                continue;
            };
            let generation = m["generation"]
                .as_str()
                .and_then(|g| g.parse().ok())
                .unwrap_or(0);
            let entry = newest.entry(id).or_insert((generation, live));
            if generation > entry.0 {
                *entry = (generation, live);
            }
        }
        newest
            .into_iter()
            .filter(|(_, (_, live))| *live)
            .map(|(id, _)| id.to_owned())
            .collect()
    }
}

/// Wait until `done` holds for the tracker, absorbing events; `false` at the deadline.
pub fn wait_for(
    cluster: &Cluster,
    tracker: &mut Tracker,
    timeout: Duration,
    mut on_event: impl FnMut(&Event, &Tracker),
    mut done: impl FnMut(&Tracker) -> bool,
) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done(tracker) {
            return true;
        }
        let Some(event) = cluster.next_event(deadline) else {
            return done(tracker);
        };
        tracker.absorb(&event);
        on_event(&event, tracker);
    }
}
