//! One member of the chaos harness's replicated log (`tael-coord chaos-node`, started by
//! `chaos` in a network namespace of its own).
//!
//! Membership and the election come from chitchat gossip over [`FaultyUdpTransport`]; the
//! log's traffic goes over a [`FaultyUdpSocket`] that shares the node's [`Faults`], so a rule
//! the harness sets applies to both. Every replica keeps its log, its epoch history and a
//! holder-aware gate on disk ([`Store`]).
//!
//! The protocol (the safe configuration):
//! 0. The node that its view elects first asks the replicas whether they would take a new
//!    reign (`probe`, Raft's pre-vote): a replica that an established leader reached within the
//!    lease says no, so a node whose view lags (just healed, resumed from a pause, restarted)
//!    does not depose a live leader. Only with a majority's yes does it promote.
//! 1. It promotes its own gate past every epoch it knows of and sends its reign's token
//!    `(epoch, itself)` (`claim`) to every replica; each replica's gate judges it and answers
//!    (`vote`) with the verdict, its log's end and its epoch history.
//! 2. Once a strict majority admitted the token (`established`, SEMANTICS.md §16), it catches up
//!    from the freshest log among the voters (`fetch`/`fetched`), truncating its own divergent
//!    suffix if it has one, starts its reign in its history and only then serves writes. A
//!    claim that is not established in time is made again at a higher epoch.
//! 3. It ships its log (`append`, with its history) to every replica. A replica whose gate
//!    admits the reign truncates its divergent suffix (the divergence point, §15), appends what
//!    continues its log, adopts the reign if its vote had gone to a rival claimant of the same
//!    epoch, and answers its end (`ack`). A write is acknowledged to its client once a majority
//!    holds it.
//!
//! The best-effort configuration elects without freshness and acknowledges a write once the
//! leader alone holds it. The negative controls break one rule each (`--control`) to show that
//! the checker catches it.
//!
//! Control arrives on stdin as JSON lines (`write`, `faults`, `block`, `heal`, `dump`, `quit`);
//! what the node does goes to stdout as JSON lines, which the harness's checker reads.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chitchat::{spawn_chitchat, ChitchatConfig, ChitchatId, ProtocolVersion};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use tael_coord::{
    divergence_point, elect_leaders, established, next_epoch, EpochHistory, HolderGate, Policy,
    Verdict,
};
use tael_coord_gossip::faults::{Faults, FaultyUdpSocket, FaultyUdpTransport, LinkFaults};
use tael_coord_gossip::{view_of, Announcement};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::store::{Record, Store};
use crate::node::GossipSettings;

/// Records one `append` or `fetched` message carries at most.
const CHUNK: usize = 64;

/// How the replicated log is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Freshness in the election, writes acknowledged once a majority holds them.
    Safe,
    /// No freshness, writes acknowledged once the leader holds them.
    BestEffort,
}

/// A protocol rule the node breaks on purpose, to show that the checker catches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Control {
    /// Follow the protocol.
    None,
    /// Replicas append a reign's records without asking their gate.
    SkipGate,
    /// Replicas keep their divergent suffix instead of truncating it.
    SkipTruncation,
    /// The leader acknowledges a write before a majority holds it.
    EarlyAck,
}

/// Arguments of one chaos node.
#[derive(Args, Clone, Debug)]
pub struct ChaosNodeArgs {
    /// This node's id.
    #[arg(long)]
    pub id: String,
    /// The replication group.
    #[arg(long, default_value = "wal-0")]
    pub group: String,
    /// Address for gossip.
    #[arg(long)]
    pub gossip: SocketAddr,
    /// Address for the log's traffic.
    #[arg(long)]
    pub records: SocketAddr,
    /// A peer, `ID=GOSSIP_ADDR,RECORDS_ADDR` (repeat for each).
    #[arg(long = "peer", value_parser = parse_peer)]
    pub peers: Vec<(String, SocketAddr, SocketAddr)>,
    /// This incarnation's generation (a restarted node uses a higher one).
    #[arg(long)]
    pub generation: u64,
    /// Folder of the node's durable state.
    #[arg(long)]
    pub data: PathBuf,
    /// Seed of the node's fault layer.
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    #[arg(long, value_enum, default_value_t = Mode::Safe)]
    pub mode: Mode,
    #[arg(long, value_enum, default_value_t = Control::None)]
    pub control: Control,
    /// The freshness policy's lag allowance (records).
    #[arg(long, default_value_t = 50)]
    pub max_lag: u64,
    /// How long after an established leader last reached this replica it refuses a probe (ms).
    #[arg(long)]
    pub lease_ms: u64,
    #[command(flatten)]
    pub gossip_settings: GossipSettings,
}

fn parse_peer(text: &str) -> Result<(String, SocketAddr, SocketAddr), String> {
    let (id, addrs) = text.split_once('=').ok_or("expected ID=GOSSIP,RECORDS")?;
    let (gossip, records) = addrs.split_once(',').ok_or("expected ID=GOSSIP,RECORDS")?;
    Ok((
        id.to_owned(),
        gossip.parse().map_err(|e| format!("{gossip}: {e}"))?,
        records.parse().map_err(|e| format!("{records}: {e}"))?,
    ))
}

/// Where the node stands in the protocol.
enum Role {
    Follower,
    /// Elected by its view; asking the replicas whether they would take a new reign.
    Probing {
        since: Instant,
        /// Who said yes, and when: a yes counts only within the lease, since a replica that
        /// an established leader reaches again would say no by then.
        yes: BTreeMap<String, Instant>,
    },
    /// Promoted; collecting votes on its token.
    Claiming {
        epoch: u64,
        since: Instant,
        /// Each voter's latest answer: its verdict, history and log end.
        votes: BTreeMap<String, (Verdict, EpochHistory, u64)>,
    },
    /// Established; copying the freshest voter's log.
    CatchingUp {
        epoch: u64,
        source: String,
    },
    /// Serving writes.
    Leading {
        epoch: u64,
        /// Per replica: where to ship from, and how much of this log it is known to hold.
        next: BTreeMap<String, u64>,
        held: BTreeMap<String, u64>,
        /// Writes not yet acknowledged: offset and value.
        pending: Vec<(u64, String)>,
        /// When each replica last acknowledged an append of this reign.
        heard: BTreeMap<String, Instant>,
    },
}

impl Role {
    fn epoch(&self) -> u64 {
        match self {
            Role::Follower | Role::Probing { .. } => 0,
            Role::Claiming { epoch, .. }
            | Role::CatchingUp { epoch, .. }
            | Role::Leading { epoch, .. } => *epoch,
        }
    }
}

struct Node {
    me: String,
    args: ChaosNodeArgs,
    store: Store,
    role: Role,
    socket: FaultyUdpSocket,
    faults: Faults,
    peers: BTreeMap<String, (SocketAddr, SocketAddr)>,
    configured: u64,
    /// The leader this node's view elects (its position too, for what it announces).
    leader: Option<(String, (u64, u64))>,
    /// Claims already reported as a `vote` event, so a repeated claim is not reported again.
    reported: BTreeSet<(u64, String, String)>,
    /// When an established leader last reached this replica (an `append` its gate admitted).
    led_at: Option<Instant>,
    /// How long after that this replica refuses a probe.
    lease: Duration,
    /// The epoch a promotion starts from: above every epoch the view announces.
    floor: u64,
}

fn emit(event: Value) {
    println!("{event}");
}

fn u64_field(message: &Value, field: &str) -> Option<u64> {
    tael_coord::parse_u64(message.get(field)?.as_str()?).ok()
}

/// The epoch history a message carries (its JSON form, as a string).
fn history_field(message: &Value) -> Option<EpochHistory> {
    EpochHistory::from_json(message.get("history")?.as_str()?).ok()
}

/// The verdict a `vote` message carries (its pinned JSON, §5).
fn verdict_from_json(v: &Value) -> Option<Verdict> {
    let epoch = u64_field(v, "epoch")?;
    let highest = u64_field(v, "highest")?;
    let holder = || v["holder"].as_str().map(str::to_owned);
    Some(match v["code"].as_str()? {
        "CURRENT" => Verdict::Current { epoch },
        "ADVANCED" => Verdict::Advanced {
            from: u64_field(v, "from")?,
            to: epoch,
        },
        "STALE_EPOCH" => Verdict::Stale { epoch, highest },
        "TOO_FAR_AHEAD" => Verdict::TooFarAhead {
            epoch,
            highest,
            cap: u64_field(v, "cap")?,
        },
        "CONFLICT" => Verdict::Conflict {
            epoch,
            holder: holder()?,
        },
        "CLOSED" => Verdict::Closed {
            epoch,
            holder: holder()?,
        },
        _ => return None,
    })
}

fn link_faults(v: &Value) -> Result<LinkFaults> {
    let ms = |field: &str| Duration::from_millis(v[field].as_u64().unwrap_or(0));
    let link = LinkFaults {
        loss: v["loss"].as_f64().unwrap_or(0.0),
        delay: ms("delay_ms"),
        jitter: ms("jitter_ms"),
        duplicate: v["duplicate"].as_f64().unwrap_or(0.0),
        blocked: false,
    };
    link.validate()?;
    Ok(link)
}

impl Node {
    async fn send(&self, to: &str, message: &Value) {
        if let Some((_, addr)) = self.peers.get(to) {
            let _ = self
                .socket
                .send_to(message.to_string().as_bytes(), *addr)
                .await;
        }
    }

    fn history_json(&self) -> String {
        self.store.history().to_json()
    }

    /// Back to following; a claimant or leader says so.
    fn step_down(&mut self, why: &str) {
        if matches!(self.role, Role::Probing { .. }) {
            self.role = Role::Follower;
        } else if !matches!(self.role, Role::Follower) {
            emit(
                json!({"ev": "step_down", "node": self.me, "epoch": self.role.epoch().to_string(),
                        "why": why}),
            );
            self.role = Role::Follower;
        }
    }

    fn promote(&mut self, floor: u64) -> Result<()> {
        let epoch = self.store.gate.promote_to_at_least(floor, &self.me)?;
        emit(json!({"ev": "promote", "node": self.me, "epoch": epoch.to_string()}));
        self.role = Role::Claiming {
            epoch,
            since: Instant::now(),
            votes: BTreeMap::new(),
        };
        self.record_own_vote(epoch);
        Ok(())
    }

    /// The claimant's own gate voted when it promoted.
    fn record_own_vote(&mut self, epoch: u64) {
        let (history, end) = (self.store.history().clone(), self.store.end());
        if let Role::Claiming { votes, .. } = &mut self.role {
            votes.insert(self.me.clone(), (Verdict::Current { epoch }, history, end));
        }
    }

    /// Whether this replica would take a new reign now: no established leader reached it within
    /// the lease, and it leads none itself.
    fn unled(&self) -> bool {
        !matches!(self.role, Role::Leading { .. })
            && self.led_at.is_none_or(|at| at.elapsed() >= self.lease)
    }

    /// Whether a majority of the group (this leader included) acknowledged its appends within
    /// the lease. A view that elects no one (too few members live in it) does not depose a
    /// leader that a majority still answers: an overloaded failure detector counts live
    /// members dead for a moment, and the replicas refuse every probe while this reign reaches
    /// them anyway.
    fn answered_by_majority(&self) -> bool {
        matches!(&self.role, Role::Leading { heard, .. } if self.majority_within_lease(heard))
    }

    /// Whether the peers in `times` that answered within the lease make, with this node, a
    /// strict majority of the group.
    fn majority_within_lease(&self, times: &BTreeMap<String, Instant>) -> bool {
        let fresh = times
            .values()
            .filter(|at| at.elapsed() < self.lease)
            .count();
        (fresh as u64 + 1) * 2 > self.configured
    }

    /// What the node does on each tick as its role calls for: probe, claim, fetch or ship.
    async fn drive(&mut self, claim_timeout: Duration, floor: u64) -> Result<()> {
        match &self.role {
            Role::Follower => {}
            Role::Probing { since, yes } => {
                if self.majority_within_lease(yes) {
                    self.promote(floor)?;
                } else if since.elapsed() >= claim_timeout {
                    self.role = Role::Follower; // probe again on a later tick
                } else {
                    let probe = json!({"kind": "probe", "epoch": "0", "holder": self.me});
                    for peer in self.peers.keys() {
                        self.send(peer, &probe).await;
                    }
                }
            }
            Role::Claiming {
                epoch,
                since,
                votes,
            } => {
                let epoch = *epoch;
                let verdicts: Vec<Verdict> = votes.values().map(|v| v.0.clone()).collect();
                if established(epoch, &verdicts, self.configured) {
                    // The freshest log among the voters: latest last epoch, then longest.
                    let (source, _) = votes
                        .iter()
                        .filter(|(_, (v, _, _))| v.accepted() && v.epoch() == epoch)
                        .max_by_key(|(id, (_, h, end))| {
                            (h.entries().last().map(|e| e.epoch), *end, *id == &self.me)
                        })
                        .map(|(id, (_, h, end))| (id.clone(), (h.clone(), *end)))
                        .context("an established reign has voters")?;
                    emit(
                        json!({"ev": "established", "node": self.me, "epoch": epoch.to_string(),
                                "votes": verdicts.iter().filter(|v| v.accepted()).count(),
                                "source": source}),
                    );
                    if source == self.me {
                        self.serve(epoch)?;
                    } else {
                        self.role = Role::CatchingUp { epoch, source };
                        self.fetch().await;
                    }
                } else if since.elapsed() >= claim_timeout {
                    // Split votes (two claimants of one epoch) or lost answers: claim again,
                    // higher.
                    let floor = epoch + 1;
                    self.promote(floor)?;
                } else {
                    let claim =
                        json!({"kind": "claim", "epoch": epoch.to_string(), "holder": self.me});
                    for peer in self.peers.keys() {
                        self.send(peer, &claim).await;
                    }
                }
            }
            Role::CatchingUp { .. } => self.fetch().await,
            Role::Leading { epoch, next, .. } => {
                let history = self.history_json();
                let end = self.store.end();
                for (peer, &from) in next {
                    let from = from.min(end);
                    let records = self.store.records_from(from, CHUNK);
                    let append = json!({"kind": "append", "epoch": epoch.to_string(),
                                        "holder": self.me, "history": history,
                                        "end": end.to_string(), "start": from.to_string(),
                                        "records": records});
                    self.send(peer, &append).await;
                }
            }
        }
        Ok(())
    }

    async fn fetch(&self) {
        if let Role::CatchingUp { epoch, source } = &self.role {
            let fetch = json!({"kind": "fetch", "epoch": epoch.to_string(), "holder": self.me,
                               "history": self.history_json(),
                               "end": self.store.end().to_string()});
            self.send(source, &fetch).await;
        }
    }

    /// Starts serving writes at `epoch`: the reign begins at the log's end.
    fn serve(&mut self, epoch: u64) -> Result<()> {
        self.store.begin_reign(epoch, &self.me)?;
        let end = self.store.end();
        emit(
            json!({"ev": "serving", "node": self.me, "epoch": epoch.to_string(),
                    "end": end.to_string()}),
        );
        self.role = Role::Leading {
            epoch,
            next: self.peers.keys().map(|p| (p.clone(), end)).collect(),
            held: BTreeMap::new(),
            pending: Vec::new(),
            heard: BTreeMap::new(),
        };
        Ok(())
    }

    /// A client's write.
    fn write(&mut self, value: String) -> Result<()> {
        let Role::Leading { epoch, .. } = self.role else {
            emit(json!({"ev": "refused", "node": self.me, "value": value}));
            return Ok(());
        };
        let record = Record {
            epoch,
            holder: self.me.clone(),
            value: value.clone(),
        };
        let offset = self.store.append(record)?;
        if let Role::Leading { pending, .. } = &mut self.role {
            pending.push((offset, value));
        }
        self.acknowledge();
        Ok(())
    }

    /// Acknowledges every pending write that a majority holds (or, in the best-effort
    /// configuration and the early-ack control, that this log holds).
    fn acknowledge(&mut self) {
        let majority_only = self.args.mode == Mode::Safe && self.args.control != Control::EarlyAck;
        let end = self.store.end();
        let configured = self.configured;
        let Role::Leading {
            epoch,
            held,
            pending,
            ..
        } = &mut self.role
        else {
            return;
        };
        let committed = if majority_only {
            // The largest end that a strict majority (this log included) holds.
            let mut ends: Vec<u64> = held.values().map(|&h| h.min(end)).collect();
            ends.push(end);
            ends.sort_unstable_by(|a, b| b.cmp(a));
            let needed = (configured / 2) as usize; // index of the (configured/2 + 1)-th
            ends.get(needed).copied().unwrap_or(0)
        } else {
            end
        };
        pending.retain(|(offset, value)| {
            if *offset < committed {
                emit(json!({"ev": "acked", "node": self.me, "value": value,
                            "epoch": epoch.to_string(), "offset": offset.to_string()}));
                false
            } else {
                true
            }
        });
    }

    /// A datagram from a peer.
    async fn receive(&mut self, message: Value) -> Result<()> {
        let (Some(epoch), Some(holder)) =
            (u64_field(&message, "epoch"), message["holder"].as_str())
        else {
            return Ok(());
        };
        let holder = holder.to_owned();
        match message["kind"].as_str() {
            Some("probe") if self.unled() => {
                let yes = json!({"kind": "probe_ok", "epoch": "0", "holder": holder,
                                 "from": self.me});
                self.send(&holder, &yes).await;
            }
            Some("probe_ok") => {
                if let (Role::Probing { yes, .. }, Some(from)) =
                    (&mut self.role, message["from"].as_str())
                {
                    if holder == self.me {
                        yes.insert(from.to_owned(), Instant::now());
                    }
                }
            }
            Some("claim") => {
                let verdict = self.judge(epoch, &holder)?;
                let key = (epoch, holder.clone(), verdict.code().to_owned());
                if self.reported.insert(key) {
                    emit(
                        json!({"ev": "vote", "node": self.me, "epoch": epoch.to_string(),
                                "holder": holder, "code": verdict.code(),
                                "accepted": verdict.accepted()}),
                    );
                }
                let vote = json!({"kind": "vote", "epoch": epoch.to_string(), "holder": holder,
                                  "from": self.me, "verdict": serde_json::to_value(&verdict)?,
                                  "history": self.history_json(),
                                  "end": self.store.end().to_string()});
                self.send(&holder, &vote).await;
            }
            Some("vote") => {
                let (Some(from), Some(verdict), Some(history), Some(end)) = (
                    message["from"].as_str(),
                    verdict_from_json(&message["verdict"]),
                    history_field(&message),
                    u64_field(&message, "end"),
                ) else {
                    return Ok(());
                };
                if let Role::Claiming {
                    epoch: mine, votes, ..
                } = &mut self.role
                {
                    if *mine == epoch && holder == self.me {
                        votes.insert(from.to_owned(), (verdict, history, end));
                    }
                }
            }
            Some("fetch") => {
                // The established leader copies this log: answer if this gate admits its reign.
                if !self.store.gate.check(epoch, &holder)?.accepted() {
                    return Ok(());
                }
                let (Some(theirs), Some(their_end)) =
                    (history_field(&message), u64_field(&message, "end"))
                else {
                    return Ok(());
                };
                let point =
                    divergence_point(self.store.history(), self.store.end(), &theirs, their_end)?;
                let records = self.store.records_from(point, CHUNK);
                let fetched = json!({"kind": "fetched", "epoch": epoch.to_string(),
                                     "holder": holder, "from": self.me,
                                     "point": point.to_string(), "records": records,
                                     "end": self.store.end().to_string()});
                self.send(&holder, &fetched).await;
            }
            Some("fetched") => {
                let Role::CatchingUp {
                    epoch: mine,
                    source,
                } = &self.role
                else {
                    return Ok(());
                };
                if *mine != epoch || message["from"].as_str() != Some(source) {
                    return Ok(());
                }
                let (Some(point), Some(source_end), Some(records)) = (
                    u64_field(&message, "point"),
                    u64_field(&message, "end"),
                    message["records"].as_array(),
                ) else {
                    return Ok(());
                };
                let records: Option<Vec<Record>> = records.iter().map(Record::from_json).collect();
                let Some(records) = records else {
                    return Ok(());
                };
                if point > self.store.end() {
                    return Ok(()); // an answer to an older state of this log
                }
                self.truncate(point, None)?;
                for record in records {
                    if self.store.append(record).is_err() {
                        return Ok(()); // not a continuation of this log: fetch again
                    }
                }
                if self.store.end() >= source_end {
                    self.serve(epoch)?;
                }
            }
            Some("append") => self.follow(epoch, &holder, &message).await?,
            Some("ack") => {
                let (Some(from), Some(their_end)) =
                    (message["from"].as_str(), u64_field(&message, "end"))
                else {
                    return Ok(());
                };
                let end = self.store.end();
                if let Role::Leading {
                    epoch: mine,
                    next,
                    held,
                    heard,
                    ..
                } = &mut self.role
                {
                    if *mine == epoch && holder == self.me {
                        heard.insert(from.to_owned(), Instant::now());
                        let at = their_end.min(end);
                        next.insert(from.to_owned(), at);
                        let h = held.entry(from.to_owned()).or_insert(0);
                        *h = (*h).max(at);
                    }
                }
                self.acknowledge();
            }
            _ => {}
        }
        Ok(())
    }

    /// This node's gate judges a token; a newer reign than the one this node claims or leads
    /// deposes it.
    fn judge(&mut self, epoch: u64, holder: &str) -> Result<Verdict> {
        let verdict = self.store.gate.check(epoch, holder)?;
        if verdict.accepted() && holder != self.me && epoch >= self.role.epoch() {
            self.step_down("a newer reign");
        }
        Ok(verdict)
    }

    /// Truncates the log at `point`, as `reign`'s append asked (`None`: this node's own catch-up).
    fn truncate(&mut self, point: u64, reign: Option<u64>) -> Result<()> {
        if point < self.store.end() {
            let gone = self.store.truncate(point)?;
            emit(
                json!({"ev": "truncate", "node": self.me, "point": point.to_string(),
                        "gone": gone, "reign": reign.map(|r| r.to_string())}),
            );
        }
        Ok(())
    }

    /// A replica's side of `append`.
    async fn follow(&mut self, epoch: u64, holder: &str, message: &Value) -> Result<()> {
        let (Some(theirs), Some(their_end), Some(start), Some(records)) = (
            history_field(message),
            u64_field(message, "end"),
            u64_field(message, "start"),
            message["records"].as_array(),
        ) else {
            return Ok(());
        };
        let Some(records) = records
            .iter()
            .map(Record::from_json)
            .collect::<Option<Vec<Record>>>()
        else {
            return Ok(());
        };
        let verdict = self.judge(epoch, holder)?;
        // A vote that went to a rival claimant of this epoch: the sender is established (it
        // ships only then), so this replica adopts its reign once its log agrees (below).
        let adopt = matches!(&verdict, Verdict::Conflict { epoch: e, .. } if *e == epoch);
        if !verdict.accepted() && !adopt && self.args.control != Control::SkipGate {
            return Ok(());
        }
        let point = divergence_point(&theirs, their_end, self.store.history(), self.store.end())?;
        if point < self.store.end() {
            // A late append, shorter than this log, whose reign wrote everything past it.
            let late = point == their_end
                && self.store.records()[point as usize..]
                    .iter()
                    .all(|r| r.epoch == epoch && r.holder == holder);
            if !late && self.args.control != Control::SkipTruncation {
                self.truncate(point, Some(epoch))?;
            }
        }
        if adopt && !self.store.gate.adopt(epoch, holder)?.accepted() {
            return Ok(());
        }
        self.led_at = Some(Instant::now());
        let end = self.store.end();
        if start <= end {
            for record in records.into_iter().skip((end - start) as usize) {
                let offset = self.store.end();
                emit(
                    json!({"ev": "append", "node": self.me, "reign": epoch.to_string(),
                            "leader": holder, "epoch": record.epoch.to_string(),
                            "holder": record.holder, "offset": offset.to_string(),
                            "value": record.value}),
                );
                if self.store.append(record).is_err() {
                    break;
                }
            }
        }
        let ack = json!({"kind": "ack", "epoch": epoch.to_string(), "holder": holder,
                         "from": self.me, "end": self.store.end().to_string()});
        self.send(holder, &ack).await;
        Ok(())
    }

    /// A command from the harness; `false` to stop.
    fn command(&mut self, line: &str) -> Result<bool> {
        let Ok(command) = serde_json::from_str::<Value>(line) else {
            bail!("not a JSON command: {line}");
        };
        match command["op"].as_str() {
            Some("write") => {
                let value = command["value"].as_str().context("write needs a value")?;
                self.write(value.to_owned())?;
            }
            Some("faults") => self.faults.set_default(link_faults(&command)?)?,
            Some("block") => {
                for peer in command["peers"].as_array().into_iter().flatten() {
                    if let Some((gossip, records)) = peer.as_str().and_then(|p| self.peers.get(p)) {
                        self.faults.set_peer(*gossip, LinkFaults::BLOCKED)?;
                        self.faults.set_peer(*records, LinkFaults::BLOCKED)?;
                    }
                }
            }
            Some("heal") => self.faults.heal(),
            Some("dump") => {
                let c = self.faults.counters();
                emit(
                    json!({"ev": "log", "node": self.me, "log": self.store.dump(),
                            "role": match self.role { Role::Leading { .. } => "leading",
                                                      Role::Follower => "following",
                                                      _ => "claiming" },
                            "epoch": self.role.epoch().to_string(),
                            "faults": {"sent": c.sent, "lost": c.lost, "duplicated": c.duplicated,
                                       "delayed": c.delayed, "blocked": c.blocked_out + c.blocked_in}}),
                );
            }
            Some("quit") => return Ok(false),
            _ => bail!("unknown command: {line}"),
        }
        Ok(true)
    }
}

/// What woke a node's loop.
enum Wake {
    /// A line from the harness (`None`: its end).
    Command(Option<String>),
    /// A datagram of this many bytes.
    Datagram(usize),
    Tick,
}

/// Runs a chaos node until `quit` or the end of stdin.
pub async fn run(args: ChaosNodeArgs) -> Result<()> {
    let start = Instant::now();
    let me = args.id.clone();
    let faults = Faults::new(args.fault_seed);
    let settings = &args.gossip_settings;
    let config = ChitchatConfig {
        chitchat_id: ChitchatId::new(me.clone(), args.generation, args.gossip),
        cluster_id: "tael-coord-chaos".to_owned(),
        gossip_interval: Duration::from_millis(settings.gossip_interval_ms),
        listen_addr: args.gossip,
        seed_nodes: args.peers.iter().map(|(_, g, _)| g.to_string()).collect(),
        failure_detector_config: settings.failure_detector(),
        marked_for_deletion_grace_period: Duration::from_secs(3600),
        catchup_callback: None,
        extra_liveness_predicate: None,
        protocol_version: ProtocolVersion::V0,
    };
    let configured = args.peers.len() as u64 + 1;
    let policy = Policy {
        sticky_incumbent: true,
        quorum_guard: true,
        eligibility: true,
        freshness: args.mode == Mode::Safe,
        max_lag: args.max_lag,
        ..Policy::default()
    };
    let store = Store::open(&args.data)?;
    let mut announcement = Announcement {
        configured: Some(configured),
        policy: Some(policy),
        ..Announcement::member_of(args.group.clone())
    };
    (announcement.log_epoch, announcement.log_end) = store.position();
    let handle = spawn_chitchat(
        config,
        announcement.key_values(),
        &FaultyUdpTransport::new(faults.clone()),
    )
    .await
    .context("starting chitchat")?;
    let chitchat = handle.chitchat();
    let socket = FaultyUdpSocket::bind(args.records, faults.clone())
        .await
        .with_context(|| format!("binding {}", args.records))?;
    emit(
        json!({"ev": "ready", "node": me, "generation": args.generation.to_string(),
                "end": store.end().to_string()}),
    );
    let mut node = Node {
        me: me.clone(),
        peers: args
            .peers
            .iter()
            .map(|(id, g, r)| (id.clone(), (*g, *r)))
            .collect(),
        configured,
        store,
        role: Role::Follower,
        socket,
        faults,
        leader: None,
        reported: BTreeSet::new(),
        led_at: None,
        floor: 1,
        lease: Duration::from_millis(args.lease_ms),
        args,
    };
    let interval = node.args.gossip_settings.gossip_interval_ms;
    // A (re)started node leads only once every peer of its group counts as live, or after the
    // warm-up, so it does not promote past an incumbent it cannot see yet.
    // A process that was stopped (its own ticks show the gap) wakes with a view as stale as a
    // restarted node's, and warms up again.
    let warmup = Duration::from_millis(30 * interval);
    let claim_timeout = Duration::from_millis(10 * interval);
    let mut warmed_up = false;
    let mut warm_since = start;
    let mut last_tick = Instant::now();
    let gap = Duration::from_millis(10 * interval);
    let mut last_drive = Instant::now();
    let mut last_live: BTreeSet<String> = BTreeSet::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut buf = vec![0u8; 65536];
    loop {
        let woke = tokio::select! {
            line = lines.next_line() => Wake::Command(line?),
            received = node.socket.recv_from(&mut buf) => Wake::Datagram(received?.0),
            _ = ticker.tick() => Wake::Tick,
        };
        // The role acts first on each tick and on the first wake after a stop, whatever woke
        // the process: a leader resumed from a pause ships as the reign it still believes in,
        // as a zombie would, before it reads what arrived meanwhile.
        if matches!(woke, Wake::Tick) || last_drive.elapsed() >= gap {
            node.drive(claim_timeout, node.floor).await?;
            last_drive = Instant::now();
        }
        match woke {
            Wake::Command(Some(line)) => {
                if !node.command(&line)? {
                    break;
                }
            }
            Wake::Command(None) => break,
            Wake::Datagram(n) => {
                if let Ok(message) = serde_json::from_slice::<Value>(&buf[..n]) {
                    node.receive(message).await?;
                }
            }
            Wake::Tick => {
                if last_tick.elapsed() >= gap {
                    emit(json!({"ev": "resumed", "node": me,
                                "gap_ms": last_tick.elapsed().as_millis() as u64}));
                    (warmed_up, warm_since) = (false, Instant::now());
                }
                last_tick = Instant::now();
                let view = {
                    let guard = chitchat.lock().await;
                    if !warmed_up {
                        let live: BTreeSet<&str> =
                            guard.live_nodes().map(|id| id.node_id.as_ref()).collect();
                        warmed_up = warm_since.elapsed() >= warmup
                            || node.peers.keys().all(|id| live.contains(id.as_str()));
                        if warmed_up {
                            emit(json!({"ev": "warm", "node": me}));
                        }
                    }
                    view_of(&guard)
                };
                // Whom this node counts as live, when that changes (false deaths show here).
                let live: BTreeSet<&str> = view
                    .groups
                    .get(&node.args.group)
                    .into_iter()
                    .flat_map(|g| g.members.iter().filter(|m| m.live).map(|m| m.id.as_str()))
                    .collect();
                if live != last_live.iter().map(String::as_str).collect() {
                    emit(json!({"ev": "live", "node": me, "members": live}));
                    last_live = live.into_iter().map(str::to_owned).collect();
                }
                let decision = elect_leaders(&view, &policy)?
                    .into_iter()
                    .find(|d| d.group == node.args.group)
                    .context("this node's group is missing from its own view")?;
                node.leader = decision.leader.as_ref().and_then(|leader| {
                    let m = view
                        .groups
                        .get(&node.args.group)?
                        .members
                        .iter()
                        .rev()
                        .find(|m| &m.id == leader)?;
                    Some((leader.clone(), (m.log_epoch, m.log_end)))
                });
                let leads = decision.leader.as_deref() == Some(me.as_str());
                node.floor = next_epoch(&view, &node.args.group)?;
                if leads && matches!(node.role, Role::Follower) && warmed_up {
                    node.role = Role::Probing {
                        since: Instant::now(),
                        yes: BTreeMap::new(),
                    };
                } else if decision.leader.is_some() && !leads {
                    node.step_down("the view elects another");
                } else if decision.leader.is_none() && !node.answered_by_majority() {
                    node.step_down("the view elects no one");
                }
                // A follower announces no position beyond its leader's (see the demo's nodes).
                let position = node.store.position();
                let announced = match &node.leader {
                    Some((leader, at)) if *leader != me => position.min(*at),
                    _ => position,
                };
                let leading = !matches!(node.role, Role::Follower | Role::Probing { .. });
                let epoch = if leading {
                    node.role.epoch()
                } else {
                    announcement.epoch
                };
                if (announcement.log_epoch, announcement.log_end) != announced
                    || announcement.leading != leading
                    || announcement.epoch != epoch
                {
                    (announcement.log_epoch, announcement.log_end) = announced;
                    announcement.leading = leading;
                    announcement.epoch = epoch;
                    let mut guard = chitchat.lock().await;
                    announcement.publish(guard.self_node_state());
                }
            }
        }
    }
    handle.shutdown().await.ok();
    Ok(())
}
