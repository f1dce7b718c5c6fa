//! Network faults made on the application's side: loss, delay, jitter, duplication and
//! partitions, for the gossip and for any other datagrams a node sends.
//!
//! The kernels this project tests on have no `netem`, so a chaos harness cannot ask the network
//! to misbehave; each node misbehaves on its own sends instead. One [`Faults`] per node holds the
//! rules (a default [`LinkFaults`], and rules per peer host and per peer address), a seeded
//! random stream and [`FaultCounters`]. The harness changes the rules while the node runs
//! (every clone shares them). Three layers use it, each on top of the one before:
//!
//! - [`Faults::decide`] gives the [`Delivery`] of one datagram to one peer (blocked, lost, or
//!   sent as one or two copies, each after its own delay), and [`Faults::admits`] says whether
//!   a datagram received from a peer is let in. Any sender can use these two directly.
//! - [`FaultyUdpSocket`] is a tokio UDP socket that applies them: `send_to` and `recv_from`, as
//!   the workload's replication traffic uses them.
//! - [`FaultyUdpTransport`] is a chitchat [`Transport`] on a [`FaultyUdpSocket`], so gossip and
//!   replication share one fault model and one seed.
//!
//! # Semantics
//! - **Where faults apply.** Loss, delay, jitter and duplication apply to what a node *sends*, by
//!   the destination's rule. A partition ([`LinkFaults::blocked`]) applies both ways at the node
//!   that holds the rule: it sends nothing to the peer and drops what arrives from it. Telling one
//!   side is therefore enough to cut a link in both directions; telling both sides is harmless.
//! - **Which rule.** A rule for the exact peer address wins over a rule for its host (IP), which
//!   wins over the default. A node's gossip and its replication traffic use different ports, so
//!   a partition between hosts is best written per host ([`Faults::set_host`]).
//! - **Delays never hold anything up.** A copy with a delay is sent by its own tokio task after a
//!   timer; the socket is shared (`send_to`/`recv_from` take `&self`), so later sends and a
//!   pending receive go on meanwhile. Copies can overtake each other (jitter reorders). Copies
//!   still waiting when the last handle to the socket is dropped are lost, as they would be if
//!   the process died, and the port is free at once.
//! - **Seeded.** One `u64` seed gives a [ChaCha8](rand::rngs::ChaCha8Rng) stream; every decision
//!   draws exactly four numbers from it (loss, duplication, one jitter per copy) whatever the
//!   rules, so the `n`th decision depends only on the seed, `n` and the rule that applied. The
//!   same seed and the same sequence of sends give the same decisions; a live cluster's sequence
//!   of sends depends on timing, so runs of a cluster are comparable, not identical.
//!
//! # Why UDP-specific, and why a loopback codec
//! A wrapper generic over chitchat's `Transport` (around its in-process `ChannelTransport` too)
//! was considered and left out: its `Socket::send` and `Socket::recv` take `&mut self`, so a
//! wrapper can only send later by taking the inner socket away from a pending `recv` (chitchat's
//! own `delay` helper does, behind a lock, and its delayed sends wait for that lock); and a
//! duplicate needs a second `ChitchatEnvelope`, which is neither `Clone` nor serializable outside
//! chitchat (its wire format is crate-private in 0.13.0). For in-process tests
//! `ChannelTransport` already removes links.
//!
//! So the fault layer works on bytes, on its own socket bound to the gossip address, and turns
//! envelopes into chitchat's exact bytes and back through chitchat's own `UdpSocket`, opened on
//! the loopback address as a codec: to encode, that socket sends the envelope to a second
//! loopback socket, which reads the datagram; to decode, the second socket sends the bytes to the
//! first, which parses them as chitchat's `UdpTransport` does (same format, same 65,507-byte
//! limit). One task owns both codec sockets and serves requests one at a time, so a cancelled
//! call cannot leave a datagram for the next one. A datagram chitchat cannot parse is followed by
//! a sentinel envelope with a per-socket random cluster id, so it is counted and skipped without
//! a timeout. The codec costs two loopback datagrams per message, and needs the loopback
//! interface up (in a fresh network namespace: `ip link set lo up`).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use chitchat::transport::{
    RecvOutcome, SendOutcome, Socket, Transport, UdpSocket as ChitchatUdpSocket,
};
use chitchat::{ChitchatEnvelope, ChitchatMessage, ProtocolVersion};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

/// The largest UDP payload over IPv4, and chitchat's limit for one gossip datagram.
pub const MAX_DATAGRAM: usize = 65_507;

/// Receive buffers are a little larger than [`MAX_DATAGRAM`], so an oversized datagram (IPv6
/// allows 65,527 bytes) reaches the parser whole and is refused there, not truncated.
const RECV_BUFFER: usize = 65_536;

/// How long the codec waits for a loopback datagram before it counts a failure. Loopback
/// delivers during the send, so this only bounds a wait that should never happen.
const CODEC_TIMEOUT: Duration = Duration::from_secs(1);

/// Received gossip datagrams waiting for the codec; more are dropped, as a full socket buffer
/// would drop them.
const DECODE_QUEUE: usize = 1024;

/// The faults on the link to one peer (or the default for every peer).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkFaults {
    /// Probability (0..=1) that a datagram sent is lost.
    pub loss: f64,
    /// Delay added to every copy sent.
    pub delay: Duration,
    /// Extra delay drawn for each copy, uniform in `[0, jitter]` (copies can overtake each other).
    pub jitter: Duration,
    /// Probability (0..=1) that a datagram not lost is sent twice; each copy has its own jitter.
    pub duplicate: f64,
    /// A partition: nothing is sent to the peer, and what arrives from it is dropped.
    pub blocked: bool,
}

impl LinkFaults {
    /// No faults: every datagram is sent once, at once.
    pub const CLEAN: LinkFaults = LinkFaults {
        loss: 0.0,
        delay: Duration::ZERO,
        jitter: Duration::ZERO,
        duplicate: 0.0,
        blocked: false,
    };

    /// A partition: nothing goes either way.
    pub const BLOCKED: LinkFaults = LinkFaults {
        blocked: true,
        ..LinkFaults::CLEAN
    };

    /// Checks that both probabilities are numbers in `0..=1`.
    pub fn validate(&self) -> Result<(), InvalidLinkFaults> {
        for (field, value) in [("loss", self.loss), ("duplicate", self.duplicate)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(InvalidLinkFaults { field, value });
            }
        }
        Ok(())
    }
}

/// A [`LinkFaults`] refused because a probability is not a number in `0..=1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvalidLinkFaults {
    /// The field at fault (`"loss"` or `"duplicate"`).
    pub field: &'static str,
    /// Its value.
    pub value: f64,
}

impl fmt::Display for InvalidLinkFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} must be a probability in 0..=1, not {}",
            self.field, self.value
        )
    }
}

impl std::error::Error for InvalidLinkFaults {}

/// What becomes of one datagram sent to one peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The peer is blocked (a partition): nothing is sent.
    Blocked,
    /// The datagram is lost: nothing is sent.
    Lost,
    /// Send one copy per delay (zero: now); two delays when the datagram is duplicated.
    Send {
        /// When each copy goes out, counted from the send.
        delays: Vec<Duration>,
    },
}

/// What a [`Faults`] has done since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounters {
    /// Datagrams decided on ([`Faults::decide`]): `sent + lost + blocked_out`.
    pub decisions: u64,
    /// Datagrams let through (one or two copies each).
    pub sent: u64,
    /// Datagrams lost to [`LinkFaults::loss`].
    pub lost: u64,
    /// Datagrams not sent because their peer is blocked.
    pub blocked_out: u64,
    /// Datagrams sent twice.
    pub duplicated: u64,
    /// Copies sent after a non-zero delay.
    pub delayed: u64,
    /// Datagrams received and let in ([`Faults::admits`]).
    pub received: u64,
    /// Datagrams received from a blocked peer and dropped.
    pub blocked_in: u64,
    /// Copies the socket failed to send, at once or after their delay.
    pub send_errors: u64,
    /// Gossip datagrams received that chitchat could not parse (dropped, as its own transport
    /// drops them).
    pub undecodable: u64,
    /// Gossip datagrams received while 1,024 others waited to be parsed, and dropped (as a
    /// full socket buffer drops them).
    pub overflowed: u64,
}

/// The fault rules of one node, its seeded random stream and its counters. Clones share all
/// three, so the harness keeps one clone and changes the rules while the node runs.
#[derive(Clone)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

struct State {
    seed: u64,
    rng: ChaCha8Rng,
    default: LinkFaults,
    hosts: HashMap<IpAddr, LinkFaults>,
    peers: HashMap<SocketAddr, LinkFaults>,
    counters: FaultCounters,
}

impl State {
    fn link(&self, peer: SocketAddr) -> LinkFaults {
        self.peers
            .get(&peer)
            .or_else(|| self.hosts.get(&peer.ip()))
            .copied()
            .unwrap_or(self.default)
    }
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Faults")
            .field("seed", &state.seed)
            .field("default", &state.default)
            .field("hosts", &state.hosts)
            .field("peers", &state.peers)
            .field("counters", &state.counters)
            .finish()
    }
}

impl Faults {
    /// No faults yet, decisions drawn from `seed`.
    pub fn new(seed: u64) -> Faults {
        Faults {
            state: Arc::new(Mutex::new(State {
                seed,
                rng: ChaCha8Rng::seed_from_u64(seed),
                default: LinkFaults::CLEAN,
                hosts: HashMap::new(),
                peers: HashMap::new(),
                counters: FaultCounters::default(),
            })),
        }
    }

    // Every critical section leaves the state whole, so a poisoned lock still guards good state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The seed it was made with.
    pub fn seed(&self) -> u64 {
        self.lock().seed
    }

    /// Sets the faults for every peer without a rule of its own.
    pub fn set_default(&self, link: LinkFaults) -> Result<(), InvalidLinkFaults> {
        link.validate()?;
        self.lock().default = link;
        Ok(())
    }

    /// Sets the faults for every port of `host` that has no rule of its own.
    pub fn set_host(&self, host: IpAddr, link: LinkFaults) -> Result<(), InvalidLinkFaults> {
        link.validate()?;
        self.lock().hosts.insert(host, link);
        Ok(())
    }

    /// Sets the faults for the peer at exactly `peer`.
    pub fn set_peer(&self, peer: SocketAddr, link: LinkFaults) -> Result<(), InvalidLinkFaults> {
        link.validate()?;
        self.lock().peers.insert(peer, link);
        Ok(())
    }

    /// Removes the rule for `host` (its ports then follow the default).
    pub fn remove_host(&self, host: IpAddr) {
        self.lock().hosts.remove(&host);
    }

    /// Removes the rule for `peer` (it then follows its host's rule or the default).
    pub fn remove_peer(&self, peer: SocketAddr) {
        self.lock().peers.remove(&peer);
    }

    /// Removes every rule and makes the default clean: the network heals. The random stream and
    /// the counters go on.
    pub fn heal(&self) {
        let mut state = self.lock();
        state.default = LinkFaults::CLEAN;
        state.hosts.clear();
        state.peers.clear();
    }

    /// The faults that apply to `peer` now: its own rule, else its host's, else the default.
    pub fn link(&self, peer: SocketAddr) -> LinkFaults {
        self.lock().link(peer)
    }

    /// Decides what becomes of one datagram sent now to `peer`, and counts it.
    pub fn decide(&self, peer: SocketAddr) -> Delivery {
        let mut state = self.lock();
        let link = state.link(peer);
        // Always four draws, so one decision's rule does not shift the next decision's numbers.
        let [loss, duplicate, jitter_first, jitter_second] =
            std::array::from_fn(|_| state.rng.next_u64());
        let counters = &mut state.counters;
        counters.decisions += 1;
        if link.blocked {
            counters.blocked_out += 1;
            return Delivery::Blocked;
        }
        if unit(loss) < link.loss {
            counters.lost += 1;
            return Delivery::Lost;
        }
        let mut delays = vec![link
            .delay
            .saturating_add(part_of(link.jitter, jitter_first))];
        if unit(duplicate) < link.duplicate {
            delays.push(
                link.delay
                    .saturating_add(part_of(link.jitter, jitter_second)),
            );
            counters.duplicated += 1;
        }
        counters.sent += 1;
        counters.delayed += delays.iter().filter(|d| !d.is_zero()).count() as u64;
        Delivery::Send { delays }
    }

    /// Whether a datagram received from `peer` is let in (not when the peer is blocked); counts
    /// it either way.
    pub fn admits(&self, peer: SocketAddr) -> bool {
        let mut state = self.lock();
        let blocked = state.link(peer).blocked;
        let counters = &mut state.counters;
        if blocked {
            counters.blocked_in += 1;
        } else {
            counters.received += 1;
        }
        !blocked
    }

    /// What it has done so far.
    pub fn counters(&self) -> FaultCounters {
        self.lock().counters
    }

    fn count(&self, event: impl FnOnce(&mut FaultCounters)) {
        event(&mut self.lock().counters);
    }
}

/// A random `u64` as a number in `[0, 1)` (its top 53 bits), so `unit(x) < p` has probability `p`
/// and `p = 1` always holds.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A random `u64` as a duration uniform in `[0, max]` (to the nanosecond).
fn part_of(max: Duration, x: u64) -> Duration {
    let nanos = max.as_nanos().min(u128::from(u64::MAX - 1));
    // (x * (nanos + 1)) / 2^64 is in [0, nanos]: no modulo bias worth naming.
    let part = (u128::from(x) * (nanos + 1)) >> 64;
    Duration::from_nanos(u64::try_from(part).unwrap_or(u64::MAX))
}

/// A tokio UDP socket that applies a node's [`Faults`]: what it sends follows
/// [`Faults::decide`], what it receives from a blocked peer is dropped. Clones share the socket.
///
/// It must be used inside a tokio runtime (a delayed copy is a spawned task).
#[derive(Clone, Debug)]
pub struct FaultyUdpSocket {
    socket: Arc<UdpSocket>,
    faults: Faults,
}

impl FaultyUdpSocket {
    /// Binds a UDP socket at `addr` whose traffic follows `faults`.
    pub async fn bind(addr: SocketAddr, faults: Faults) -> io::Result<FaultyUdpSocket> {
        Ok(FaultyUdpSocket::new(UdpSocket::bind(addr).await?, faults))
    }

    /// Applies `faults` to the traffic of `socket`.
    pub fn new(socket: UdpSocket, faults: Faults) -> FaultyUdpSocket {
        FaultyUdpSocket {
            socket: Arc::new(socket),
            faults,
        }
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The faults it applies.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Sends `buf` to `to` as the faults decide, and returns its length as if sent (a lost
    /// datagram looks sent, as on a real network). Copies without delay are sent before this
    /// returns; delayed ones are left to a timer and never hold up later sends or receives. An
    /// error is the socket's on a copy sent at once.
    pub async fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        let Delivery::Send { delays } = self.faults.decide(to) else {
            return Ok(buf.len());
        };
        let mut result = Ok(buf.len());
        for delay in delays {
            if delay.is_zero() {
                if let Err(error) = self.socket.send_to(buf, to).await {
                    self.faults.count(|c| c.send_errors += 1);
                    result = Err(error);
                }
                continue;
            }
            // A weak handle: a copy still waiting when the socket is dropped is lost, and the
            // port is free at once.
            let socket = Arc::downgrade(&self.socket);
            let faults = self.faults.clone();
            let bytes = buf.to_vec();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Some(socket) = socket.upgrade() {
                    if socket.send_to(&bytes, to).await.is_err() {
                        faults.count(|c| c.send_errors += 1);
                    }
                }
            });
        }
        result
    }

    /// Receives the next datagram from a peer that is not blocked: its length and sender.
    /// Cancel-safe, as tokio's `recv_from` is: a datagram is either returned or left queued.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        loop {
            let (len, from) = self.socket.recv_from(buf).await?;
            if self.faults.admits(from) {
                return Ok((len, from));
            }
        }
    }
}

/// A chitchat [`Transport`] over UDP whose sockets apply a node's [`Faults`] (one
/// [`FaultyUdpSocket`] per opened socket), with chitchat's own wire format and size limit.
///
/// It must be used inside a tokio runtime, as chitchat itself. See the [module](self) for how
/// envelopes become bytes.
#[derive(Clone, Debug)]
pub struct FaultyUdpTransport {
    faults: Faults,
}

impl FaultyUdpTransport {
    /// A transport whose sockets follow `faults`.
    pub fn new(faults: Faults) -> FaultyUdpTransport {
        FaultyUdpTransport { faults }
    }

    /// The faults its sockets apply.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }
}

#[async_trait]
impl Transport for FaultyUdpTransport {
    async fn open(&self, listen_addr: SocketAddr) -> anyhow::Result<Box<dyn Socket>> {
        let net = FaultyUdpSocket::bind(listen_addr, self.faults.clone())
            .await
            .with_context(|| format!("failed to bind to {listen_addr}/UDP for gossip"))?;
        let local_addr = net
            .local_addr()
            .context("failed to get UDP socket address")?;
        let loopback = if listen_addr.is_ipv6() {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let codec = Codec::open(loopback)
            .await
            .context("failed to open the gossip codec on the loopback interface")?;
        let (requests, queue) = mpsc::channel(DECODE_QUEUE);
        let (decoded_tx, decoded) = mpsc::unbounded_channel();
        // It ends when the socket is dropped (its request channel closes).
        tokio::spawn(codec.serve(queue, decoded_tx, self.faults.clone()));
        Ok(Box::new(FaultyGossipSocket {
            net,
            local_addr,
            requests,
            decoded,
            buf: vec![0; RECV_BUFFER].into_boxed_slice(),
        }))
    }
}

struct FaultyGossipSocket {
    net: FaultyUdpSocket,
    local_addr: SocketAddr,
    requests: mpsc::Sender<Request>,
    // Unbounded, so the codec never waits on the socket's reader (which may be waiting on the
    // codec to encode); `recv` queues a datagram only when nothing decoded is waiting, so it
    // stays short.
    decoded: mpsc::UnboundedReceiver<RecvOutcome>,
    buf: Box<[u8]>,
}

#[async_trait]
impl Socket for FaultyGossipSocket {
    fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    async fn send(
        &mut self,
        to: SocketAddr,
        envelope: ChitchatEnvelope,
    ) -> anyhow::Result<SendOutcome> {
        let (reply, bytes) = oneshot::channel();
        self.requests
            .send(Request::Encode { envelope, reply })
            .await
            .map_err(|_| anyhow!("the gossip codec stopped"))?;
        let bytes = bytes.await.context("the gossip codec stopped")??;
        self.net
            .send_to(&bytes, to)
            .await
            .context("failed to send chitchat message to peer")?;
        Ok(SendOutcome {
            num_bytes_sent: bytes.len(),
        })
    }

    // Cancel-safe, as chitchat's loop needs: each branch either completes or leaves its datagram
    // queued, and handing a datagram to the codec does not wait.
    async fn recv(&mut self) -> anyhow::Result<RecvOutcome> {
        let FaultyGossipSocket {
            net,
            requests,
            decoded,
            buf,
            ..
        } = self;
        loop {
            tokio::select! {
                biased;
                outcome = decoded.recv() => return outcome.context("the gossip codec stopped"),
                received = net.recv_from(&mut buf[..]) => {
                    let (len, from) = match received {
                        Ok(received) => received,
                        Err(error) if is_transient(&error) => continue,
                        Err(error) => return Err(error).context("fatal UDP recv error"),
                    };
                    let bytes = buf[..len].to_vec();
                    if requests.try_send(Request::Decode { bytes, from }).is_err() {
                        net.faults.count(|c| c.overflowed += 1);
                    }
                }
            }
        }
    }
}

/// As chitchat's own UDP transport: errors a later receive may not see again.
fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::OutOfMemory
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}

enum Request {
    Encode {
        envelope: ChitchatEnvelope,
        reply: oneshot::Sender<anyhow::Result<Vec<u8>>>,
    },
    Decode {
        bytes: Vec<u8>,
        from: SocketAddr,
    },
}

/// chitchat's wire format, borrowed from chitchat's own UDP socket on the loopback interface.
struct Codec {
    /// Parses what it receives and serializes what it sends, as chitchat's `UdpTransport` does.
    chitchat: ChitchatUdpSocket,
    /// Connected to `chitchat`: it reads encoded envelopes, and sends bytes to decode.
    peer: UdpSocket,
    peer_addr: SocketAddr,
    /// The cluster id of the sentinel: random, so no peer sends it by chance.
    token: String,
    /// The sentinel envelope's bytes, sent after each datagram to decode.
    sentinel: Vec<u8>,
    buf: Box<[u8]>,
    /// A wait failed, so a late datagram may still come: drain before the next request.
    dirty: bool,
}

impl Codec {
    async fn open(loopback: IpAddr) -> anyhow::Result<Codec> {
        let chitchat = ChitchatUdpSocket::open(SocketAddr::new(loopback, 0)).await?;
        let peer = UdpSocket::bind(SocketAddr::new(loopback, 0)).await?;
        peer.connect(chitchat.local_addr()?).await?;
        let peer_addr = peer.local_addr()?;
        let random = RandomState::new().hash_one(peer_addr);
        let token = format!("tael-coord-gossip faults sentinel {random:016x}");
        let mut codec = Codec {
            chitchat,
            peer,
            peer_addr,
            token,
            sentinel: Vec::new(),
            buf: vec![0; RECV_BUFFER].into_boxed_slice(),
            dirty: false,
        };
        codec.sentinel = codec.encode(codec.sentinel_envelope()).await?;
        Ok(codec)
    }

    fn sentinel_envelope(&self) -> ChitchatEnvelope {
        ChitchatEnvelope {
            version: ProtocolVersion::V0,
            message: ChitchatMessage::Syn {
                cluster_id: self.token.clone(),
                digest: Default::default(),
            },
        }
    }

    fn is_sentinel(&self, envelope: &ChitchatEnvelope) -> bool {
        matches!(&envelope.message, ChitchatMessage::Syn { cluster_id, .. } if *cluster_id == self.token)
    }

    async fn serve(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        decoded: mpsc::UnboundedSender<RecvOutcome>,
        faults: Faults,
    ) {
        while let Some(request) = requests.recv().await {
            if self.dirty {
                self.drain().await;
            }
            match request {
                Request::Encode { envelope, reply } => {
                    // The sender may have given up (cancelled): nothing to tell then.
                    let _ = reply.send(self.encode(envelope).await);
                }
                Request::Decode { bytes, from } => match self.decode(&bytes).await {
                    Ok(Some(envelope)) => {
                        let outcome = RecvOutcome {
                            from_addr: from,
                            envelope,
                            num_bytes_received: bytes.len(),
                        };
                        if decoded.send(outcome).is_err() {
                            return;
                        }
                    }
                    Ok(None) | Err(_) => faults.count(|c| c.undecodable += 1),
                },
            }
        }
    }

    async fn encode(&mut self, envelope: ChitchatEnvelope) -> anyhow::Result<Vec<u8>> {
        self.dirty = true;
        self.chitchat.send(self.peer_addr, envelope).await?;
        let len = tokio::time::timeout(CODEC_TIMEOUT, self.peer.recv(&mut self.buf))
            .await
            .context("the gossip codec lost an encoded datagram")??;
        self.dirty = false;
        if len > MAX_DATAGRAM {
            bail!("a chitchat message of {len} bytes exceeds {MAX_DATAGRAM}");
        }
        Ok(self.buf[..len].to_vec())
    }

    /// The envelope in `bytes`, or `None` when chitchat cannot parse them.
    async fn decode(&mut self, bytes: &[u8]) -> anyhow::Result<Option<ChitchatEnvelope>> {
        self.dirty = true;
        self.peer.send(bytes).await?;
        self.peer.send(&self.sentinel).await?;
        // chitchat skips what it cannot parse: the sentinel first means the bytes were refused.
        let first = self.next().await?;
        if self.is_sentinel(&first) {
            self.dirty = false;
            return Ok(None);
        }
        let sentinel = self.next().await?;
        if !self.is_sentinel(&sentinel) {
            bail!("the gossip codec is out of step");
        }
        self.dirty = false;
        Ok(Some(first))
    }

    /// The next envelope the codec's peer sent (anything else on the loopback is ignored).
    async fn next(&mut self) -> anyhow::Result<ChitchatEnvelope> {
        loop {
            let outcome = tokio::time::timeout(CODEC_TIMEOUT, self.chitchat.recv())
                .await
                .context("the gossip codec lost a datagram")??;
            if outcome.from_addr == self.peer_addr {
                return Ok(outcome.envelope);
            }
        }
    }

    /// Reads whatever a failed request left behind, so the next one starts in step.
    async fn drain(&mut self) {
        while self.peer.try_recv(&mut self.buf).is_ok() {}
        while let Ok(Ok(_)) = tokio::time::timeout(Duration::ZERO, self.chitchat.recv()).await {}
        self.dirty = false;
    }
}
