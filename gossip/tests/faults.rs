//! The fault layer: seeded decisions, rates, partitions, delays that hold nothing up,
//! duplication, and a chitchat cluster on 127.0.0.1 under loss and a partition.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use chitchat::transport::{Socket, Transport};
use chitchat::{
    spawn_chitchat, ChitchatConfig, ChitchatEnvelope, ChitchatHandle, ChitchatId, ChitchatMessage,
    FailureDetectorConfig, ProtocolVersion,
};
use tael_coord_gossip::faults::MAX_DATAGRAM;
use tael_coord_gossip::{Delivery, Faults, FaultyUdpSocket, FaultyUdpTransport, LinkFaults};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// How long a test waits for something that should come (it normally comes in microseconds).
const PATIENCE: Duration = Duration::from_secs(5);

fn addr(port: u16) -> SocketAddr {
    SocketAddr::new(LOCALHOST, port)
}

fn any_port() -> SocketAddr {
    addr(0)
}

fn decisions(faults: &Faults, n: usize) -> Vec<Delivery> {
    (0..n)
        .map(|i| faults.decide(addr(10_000 + (i % 3) as u16)))
        .collect()
}

fn noisy() -> LinkFaults {
    LinkFaults {
        loss: 0.3,
        delay: Duration::from_millis(1),
        jitter: Duration::from_millis(10),
        duplicate: 0.3,
        blocked: false,
    }
}

#[test]
fn the_same_seed_gives_the_same_decisions_and_another_seed_others() {
    let make = |seed| {
        let faults = Faults::new(seed);
        faults.set_default(noisy()).unwrap();
        faults
    };
    let first = decisions(&make(7), 1000);
    assert_eq!(first, decisions(&make(7), 1000));
    assert_ne!(first, decisions(&make(8), 1000));
    // Each kind of decision happens: the comparison above is not between constant sequences.
    assert!(first.contains(&Delivery::Lost));
    assert!(first
        .iter()
        .any(|d| matches!(d, Delivery::Send { delays } if delays.len() == 2)));
    assert_eq!(make(7).seed(), 7);
}

#[test]
fn a_decision_does_not_shift_the_stream_for_the_next() {
    // A blocked or lost datagram draws as much as a sent one, so the decisions after it are
    // those of the same seed without the rule.
    let plain = Faults::new(3);
    plain.set_default(noisy()).unwrap();
    let with_rule = Faults::new(3);
    with_rule.set_default(noisy()).unwrap();
    with_rule.set_peer(addr(1), LinkFaults::BLOCKED).unwrap();
    plain.decide(addr(1));
    assert_eq!(with_rule.decide(addr(1)), Delivery::Blocked);
    assert_eq!(decisions(&plain, 200), decisions(&with_rule, 200));
}

/// `count` of `n` trials is within 4 standard deviations of a binomial(n, p) mean.
fn assert_binomial(count: u64, n: u64, p: f64, what: &str) {
    let mean = n as f64 * p;
    let sigma = (n as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (count as f64 - mean).abs() <= 4.0 * sigma,
        "{what}: {count} of {n}, expected {mean} ± {}",
        4.0 * sigma
    );
}

#[test]
fn loss_and_duplication_follow_their_probabilities() {
    let faults = Faults::new(42);
    let jitter = Duration::from_millis(20);
    let delay = Duration::from_millis(5);
    faults
        .set_default(LinkFaults {
            loss: 0.2,
            duplicate: 0.1,
            delay,
            jitter,
            blocked: false,
        })
        .unwrap();
    let all = decisions(&faults, 10_000);
    let lost = all.iter().filter(|d| **d == Delivery::Lost).count() as u64;
    assert_binomial(lost, 10_000, 0.2, "lost");
    let sent: Vec<&Vec<Duration>> = all
        .iter()
        .filter_map(|d| match d {
            Delivery::Send { delays } => Some(delays),
            _ => None,
        })
        .collect();
    let twice = sent.iter().filter(|delays| delays.len() == 2).count() as u64;
    assert_binomial(twice, sent.len() as u64, 0.1, "duplicated");
    // Every copy waits delay + [0, jitter], and the jitter spreads over the whole range.
    let copies: Vec<Duration> = sent.iter().flat_map(|d| d.iter().copied()).collect();
    assert!(copies.iter().all(|d| *d >= delay && *d <= delay + jitter));
    assert!(copies.iter().any(|d| *d < delay + jitter / 10));
    assert!(copies.iter().any(|d| *d > delay + jitter * 9 / 10));

    let counters = faults.counters();
    assert_eq!(counters.decisions, 10_000);
    assert_eq!(counters.lost, lost);
    assert_eq!(counters.sent, sent.len() as u64);
    assert_eq!(counters.duplicated, twice);
    assert_eq!(counters.delayed, copies.len() as u64);
    assert_eq!(counters.blocked_out, 0);
}

#[test]
fn a_peer_rule_beats_its_host_rule_which_beats_the_default() {
    let faults = Faults::new(1);
    faults
        .set_default(LinkFaults {
            loss: 1.0,
            ..LinkFaults::CLEAN
        })
        .unwrap();
    faults.set_host(LOCALHOST, LinkFaults::CLEAN).unwrap();
    faults.set_peer(addr(7), LinkFaults::BLOCKED).unwrap();
    let elsewhere: SocketAddr = "10.0.0.9:7".parse().unwrap();
    assert_eq!(faults.decide(addr(7)), Delivery::Blocked);
    assert_eq!(
        faults.decide(addr(8)),
        Delivery::Send {
            delays: vec![Duration::ZERO]
        }
    );
    assert_eq!(faults.decide(elsewhere), Delivery::Lost);
    assert!(!faults.admits(addr(7)));
    assert!(faults.admits(addr(8)));
    assert!(faults.admits(elsewhere), "loss applies to sends only");

    faults.remove_peer(addr(7));
    assert_eq!(faults.link(addr(7)), LinkFaults::CLEAN);
    faults.remove_host(LOCALHOST);
    assert_eq!(faults.link(addr(7)).loss, 1.0);
    faults.set_host(LOCALHOST, LinkFaults::BLOCKED).unwrap();
    faults.heal();
    assert_eq!(faults.link(addr(7)), LinkFaults::CLEAN);
    assert_eq!(faults.link(elsewhere), LinkFaults::CLEAN);

    let counters = faults.counters();
    assert_eq!(
        (counters.blocked_out, counters.lost, counters.sent),
        (1, 1, 1)
    );
    assert_eq!((counters.blocked_in, counters.received), (1, 2));
}

#[test]
fn probabilities_outside_zero_to_one_are_refused() {
    let faults = Faults::new(1);
    for link in [
        LinkFaults {
            loss: 1.5,
            ..LinkFaults::CLEAN
        },
        LinkFaults {
            loss: f64::NAN,
            ..LinkFaults::CLEAN
        },
        LinkFaults {
            duplicate: -0.1,
            ..LinkFaults::CLEAN
        },
    ] {
        let error = faults.set_default(link).unwrap_err();
        assert!(error.to_string().contains("must be a probability in 0..=1"));
        assert!(faults.set_peer(addr(1), link).is_err());
        assert!(faults.set_host(LOCALHOST, link).is_err());
    }
    assert_eq!(faults.link(addr(1)), LinkFaults::CLEAN);
}

async fn recv(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0; MAX_DATAGRAM];
    let (len, from) = timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a datagram should come")
        .unwrap();
    buf.truncate(len);
    (buf, from)
}

async fn recv_faulty(socket: &FaultyUdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0; MAX_DATAGRAM];
    let (len, from) = timeout(PATIENCE, socket.recv_from(&mut buf))
        .await
        .expect("a datagram should come")
        .unwrap();
    buf.truncate(len);
    (buf, from)
}

#[tokio::test]
async fn a_blocked_peer_gets_nothing_and_is_not_heard() {
    let faults = Faults::new(1);
    let node = FaultyUdpSocket::bind(any_port(), faults.clone())
        .await
        .unwrap();
    let blocked = UdpSocket::bind(any_port()).await.unwrap();
    let other = UdpSocket::bind(any_port()).await.unwrap();
    let node_addr = node.local_addr().unwrap();
    faults
        .set_peer(blocked.local_addr().unwrap(), LinkFaults::BLOCKED)
        .unwrap();

    // Sent to the blocked peer: it looks sent, and never arrives (the next datagram the peer
    // gets is one sent after it by someone else).
    let to = blocked.local_addr().unwrap();
    assert_eq!(node.send_to(b"cut", to).await.unwrap(), 3);
    other.send_to(b"marker", to).await.unwrap();
    assert_eq!(
        recv(&blocked).await,
        (b"marker".to_vec(), other.local_addr().unwrap())
    );

    // Sent by the blocked peer: dropped on receipt.
    blocked.send_to(b"unheard", node_addr).await.unwrap();
    other.send_to(b"heard", node_addr).await.unwrap();
    assert_eq!(
        recv_faulty(&node).await,
        (b"heard".to_vec(), other.local_addr().unwrap())
    );

    let counters = faults.counters();
    assert_eq!((counters.blocked_out, counters.sent), (1, 0));
    assert_eq!((counters.blocked_in, counters.received), (1, 1));
}

#[tokio::test]
async fn a_delayed_datagram_holds_up_neither_later_sends_nor_a_pending_receive() {
    let faults = Faults::new(1);
    let node = FaultyUdpSocket::bind(any_port(), faults.clone())
        .await
        .unwrap();
    let node_addr = node.local_addr().unwrap();
    let x = UdpSocket::bind(any_port()).await.unwrap();
    let x_addr = x.local_addr().unwrap();
    let y = UdpSocket::bind(any_port()).await.unwrap();
    let delay = Duration::from_millis(300);

    // A receive is pending on the same socket the whole time.
    let receiver = node.clone();
    let pending = tokio::spawn(async move {
        let mut buf = [0; 16];
        let (len, _) = receiver.recv_from(&mut buf).await.unwrap();
        (buf[..len].to_vec(), Instant::now())
    });

    let start = Instant::now();
    faults
        .set_peer(
            x_addr,
            LinkFaults {
                delay,
                ..LinkFaults::CLEAN
            },
        )
        .unwrap();
    node.send_to(b"A", x_addr).await.unwrap();
    faults.remove_peer(x_addr);
    node.send_to(b"B", x_addr).await.unwrap();
    y.send_to(b"to node", node_addr).await.unwrap();

    let (first, _) = recv(&x).await;
    let first_at = start.elapsed();
    let (received, received_at) = timeout(PATIENCE, pending).await.unwrap().unwrap();
    let (second, _) = recv(&x).await;
    let second_at = start.elapsed();
    assert_eq!(
        (first.as_slice(), second.as_slice()),
        (&b"B"[..], &b"A"[..])
    );
    assert!(first_at < delay, "B waited for A: {first_at:?}");
    assert_eq!(received, b"to node");
    assert!(received_at - start < delay, "the receive waited for A");
    assert!(second_at >= delay, "A came early: {second_at:?}");
    assert_eq!(faults.counters().delayed, 1);
}

#[tokio::test]
async fn a_duplicated_datagram_arrives_twice() {
    let faults = Faults::new(1);
    faults
        .set_default(LinkFaults {
            duplicate: 1.0,
            ..LinkFaults::CLEAN
        })
        .unwrap();
    let node = FaultyUdpSocket::bind(any_port(), faults.clone())
        .await
        .unwrap();
    let peer = UdpSocket::bind(any_port()).await.unwrap();
    let other = UdpSocket::bind(any_port()).await.unwrap();
    let to = peer.local_addr().unwrap();
    node.send_to(b"twice", to).await.unwrap();
    other.send_to(b"marker", to).await.unwrap();
    assert_eq!(recv(&peer).await.0, b"twice");
    assert_eq!(recv(&peer).await.0, b"twice");
    assert_eq!(recv(&peer).await.0, b"marker", "not three copies");
    let counters = faults.counters();
    assert_eq!((counters.sent, counters.duplicated), (1, 1));
}

#[tokio::test]
async fn a_dropped_socket_frees_its_port_and_loses_what_was_still_delayed() {
    let delayed = |millis| {
        let faults = Faults::new(1);
        faults
            .set_default(LinkFaults {
                delay: Duration::from_millis(millis),
                ..LinkFaults::CLEAN
            })
            .unwrap();
        faults
    };
    let peer = UdpSocket::bind(any_port()).await.unwrap();
    let to = peer.local_addr().unwrap();
    let node = FaultyUdpSocket::bind(any_port(), delayed(100))
        .await
        .unwrap();
    let port = node.local_addr().unwrap();
    node.send_to(b"late", to).await.unwrap();
    drop(node);
    // The port is free at once; what the new socket sends after a longer delay comes first, so
    // the old copy's timer fired with no socket to send from.
    let again = FaultyUdpSocket::bind(port, delayed(300)).await.unwrap();
    again.send_to(b"marker", to).await.unwrap();
    assert_eq!(recv(&peer).await, (b"marker".to_vec(), port));
}

fn bad_cluster() -> ChitchatEnvelope {
    ChitchatEnvelope {
        version: ProtocolVersion::V0,
        message: ChitchatMessage::BadCluster,
    }
}

fn syn(cluster_id: &str) -> ChitchatEnvelope {
    ChitchatEnvelope {
        version: ProtocolVersion::V1,
        message: ChitchatMessage::Syn {
            cluster_id: cluster_id.to_owned(),
            digest: Default::default(),
        },
    }
}

async fn next(socket: &mut Box<dyn Socket>) -> chitchat::transport::RecvOutcome {
    timeout(PATIENCE, socket.recv())
        .await
        .expect("an envelope should come")
        .unwrap()
}

#[tokio::test]
async fn gossip_sockets_exchange_envelopes_and_refuse_a_second_bind() {
    let transport = FaultyUdpTransport::new(Faults::new(1));
    let mut a = transport.open(any_port()).await.unwrap();
    let mut b = transport.open(any_port()).await.unwrap();
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    assert!(transport.open(a_addr).await.is_err());

    let sent = a.send(b_addr, syn("cluster")).await.unwrap();
    let received = next(&mut b).await;
    assert_eq!(received.from_addr, a_addr);
    assert_eq!(received.envelope, syn("cluster"));
    assert_eq!(received.num_bytes_received, sent.num_bytes_sent);
    b.send(a_addr, bad_cluster()).await.unwrap();
    assert_eq!(next(&mut a).await.envelope, bad_cluster());

    // Dropping a socket frees its port.
    drop(a);
    transport.open(a_addr).await.unwrap();
    assert_eq!(transport.faults().counters().sent, 2);
}

#[tokio::test]
async fn gossip_delays_hold_up_neither_later_envelopes_nor_receiving() {
    let faults = Faults::new(1);
    let mut a = FaultyUdpTransport::new(faults.clone())
        .open(any_port())
        .await
        .unwrap();
    let mut b = FaultyUdpTransport::new(Faults::new(2))
        .open(any_port())
        .await
        .unwrap();
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let delay = Duration::from_millis(300);

    let start = Instant::now();
    faults
        .set_peer(
            b_addr,
            LinkFaults {
                delay,
                ..LinkFaults::CLEAN
            },
        )
        .unwrap();
    a.send(b_addr, syn("first")).await.unwrap();
    faults.remove_peer(b_addr);
    a.send(b_addr, syn("second")).await.unwrap();
    b.send(a_addr, bad_cluster()).await.unwrap();
    assert_eq!(next(&mut a).await.envelope, bad_cluster());
    assert!(start.elapsed() < delay, "a waited for its delayed envelope");

    assert_eq!(next(&mut b).await.envelope, syn("second"));
    assert!(start.elapsed() < delay, "the second envelope waited");
    assert_eq!(next(&mut b).await.envelope, syn("first"));
    assert!(start.elapsed() >= delay, "the delayed envelope came early");
}

#[tokio::test]
async fn gossip_duplicates_arrive_twice() {
    let faults = Faults::new(1);
    faults
        .set_default(LinkFaults {
            duplicate: 1.0,
            ..LinkFaults::CLEAN
        })
        .unwrap();
    let mut a = FaultyUdpTransport::new(faults.clone())
        .open(any_port())
        .await
        .unwrap();
    let mut b = FaultyUdpTransport::new(Faults::new(2))
        .open(any_port())
        .await
        .unwrap();
    let b_addr = b.local_addr().unwrap();
    a.send(b_addr, syn("twice")).await.unwrap();
    assert_eq!(next(&mut b).await.envelope, syn("twice"));
    assert_eq!(next(&mut b).await.envelope, syn("twice"));
    assert_eq!(faults.counters().duplicated, 1);
}

#[tokio::test]
async fn a_datagram_chitchat_cannot_parse_is_skipped_and_counted() {
    let faults = Faults::new(1);
    let transport = FaultyUdpTransport::new(faults.clone());
    let mut a = transport.open(any_port()).await.unwrap();
    let mut b = FaultyUdpTransport::new(Faults::new(2))
        .open(any_port())
        .await
        .unwrap();
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let junk = UdpSocket::bind(any_port()).await.unwrap();
    let start = Instant::now();
    junk.send_to(b"junk", a_addr).await.unwrap();
    b.send(a_addr, syn("valid")).await.unwrap();
    let received = next(&mut a).await;
    // Refused at once (the sentinel), not after the codec's one-second safety timeout.
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "the junk stalled receiving"
    );
    // The valid envelope, from its real sender: the junk did not shift what comes from whom.
    assert_eq!(received.envelope, syn("valid"));
    assert_eq!(received.from_addr, b_addr);
    junk.send_to(b"more junk", a_addr).await.unwrap();
    b.send(a_addr, bad_cluster()).await.unwrap();
    let received = next(&mut a).await;
    assert_eq!(
        (received.envelope, received.from_addr),
        (bad_cluster(), b_addr)
    );
    assert_eq!(faults.counters().undecodable, 2);
}

/// Free ports on 127.0.0.1, released for the nodes to bind.
fn free_ports(n: usize) -> Vec<u16> {
    let sockets: Vec<std::net::UdpSocket> = (0..n)
        .map(|_| std::net::UdpSocket::bind(any_port()).unwrap())
        .collect();
    sockets
        .iter()
        .map(|s| s.local_addr().unwrap().port())
        .collect()
}

async fn start_node(name: &str, port: u16, seeds: &[u16], faults: &Faults) -> ChitchatHandle {
    let config = ChitchatConfig {
        chitchat_id: ChitchatId::new(name.to_owned(), 1, addr(port)),
        cluster_id: "tael-coord-faults-test".to_owned(),
        gossip_interval: Duration::from_millis(50),
        listen_addr: addr(port),
        seed_nodes: seeds.iter().map(|p| addr(*p).to_string()).collect(),
        failure_detector_config: FailureDetectorConfig {
            phi_threshold: 3.0,
            initial_interval: Duration::from_millis(50),
            dead_node_grace_period: Duration::from_secs(3600),
            ..FailureDetectorConfig::default()
        },
        marked_for_deletion_grace_period: Duration::from_secs(3600),
        catchup_callback: None,
        extra_liveness_predicate: None,
        protocol_version: ProtocolVersion::V0,
    };
    spawn_chitchat(config, Vec::new(), &FaultyUdpTransport::new(faults.clone()))
        .await
        .unwrap()
}

/// Waits until `node` holds exactly `expected` live (itself included).
async fn wait_live(node: &ChitchatHandle, expected: &[&str], within: Duration) {
    let mut watcher = node.chitchat().lock().await.live_nodes_watcher();
    let expected: BTreeSet<&str> = expected.iter().copied().collect();
    let converged = matches!(
        timeout(
            within,
            watcher.wait_for(|live| {
                live.keys()
                    .map(|id| id.node_id.as_ref())
                    .collect::<BTreeSet<&str>>()
                    == expected
            }),
        )
        .await,
        Ok(Ok(_))
    );
    let now: Vec<String> = watcher
        .borrow()
        .keys()
        .map(|id| id.node_id.to_string())
        .collect();
    assert!(
        converged,
        "{} should see {expected:?} live, sees {now:?}",
        node.chitchat_id().node_id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chitchat_cluster_converges_under_loss_and_splits_when_one_node_is_cut_off() {
    let ports = free_ports(3);
    let lossy = LinkFaults {
        loss: 0.1,
        ..LinkFaults::CLEAN
    };
    let faults: Vec<Faults> = (0..3)
        .map(|seed| {
            let faults = Faults::new(seed);
            faults.set_default(lossy).unwrap();
            faults
        })
        .collect();
    let a = start_node("a", ports[0], &[ports[1], ports[2]], &faults[0]).await;
    let b = start_node("b", ports[1], &[ports[0]], &faults[1]).await;
    let c = start_node("c", ports[2], &[ports[0]], &faults[2]).await;
    let within = Duration::from_secs(20);
    for node in [&a, &b, &c] {
        wait_live(node, &["a", "b", "c"], within).await;
    }
    assert!(faults.iter().any(|f| f.counters().lost > 0), "no loss seen");

    // Only c is told: its rules cut both directions, so a and b stop hearing it too.
    faults[2]
        .set_peer(addr(ports[0]), LinkFaults::BLOCKED)
        .unwrap();
    faults[2]
        .set_peer(addr(ports[1]), LinkFaults::BLOCKED)
        .unwrap();
    for node in [&a, &b] {
        wait_live(node, &["a", "b"], within).await;
    }
    wait_live(&c, &["c"], within).await;
    let counters = faults[2].counters();
    assert!(counters.blocked_out > 0 && counters.blocked_in > 0);

    // Healed, the cluster is whole again.
    faults[2].heal();
    faults[2].set_default(lossy).unwrap();
    for node in [&a, &b, &c] {
        wait_live(node, &["a", "b", "c"], within).await;
    }
}
