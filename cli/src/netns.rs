//! A private network of Linux network namespaces for the chaos harness.
//!
//! One hub namespace holds a bridge `br0`; each node gets a namespace of its own with `lo` and
//! an `eth0` at 10.77.0.(i+1)/24, the far end of a veth pair whose hub end `p{i}` is a port of
//! the bridge. Nothing is added to the host's root namespace (the veth pairs are made inside
//! the hub), so the nodes reach each other and nothing else, and the host cannot reach them.
//! Every name carries the run id `{PREFIX}-{pid}-{seq}-{time}`, so runs do not collide and a
//! later run can tell a dead run's leftovers (see [`sweep_leftovers`]).
//!
//! Needs root and iproute2 (`ip`); [`Network::create`] says which is missing.

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The prefix of every namespace the harness makes.
pub const PREFIX: &str = "tc";

/// The most nodes one network holds (addresses 10.77.0.1 up to 10.77.0.200).
pub const MAX_NODES: usize = 200;

/// Why the network could not be made or changed.
#[derive(Debug)]
pub enum NetError {
    /// Namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
    NotRoot,
    /// The `ip` program (iproute2) could not be started.
    IpMissing(io::Error),
    /// `ip netns add` failed: the kernel or the container does not allow namespaces here.
    NamespacesUnavailable { command: String, stderr: String },
    /// An `ip` command failed.
    Command { command: String, stderr: String },
    /// An `ip` command could not be started or fed its input.
    Io { command: String, error: io::Error },
    /// The caller asked for something this network cannot do.
    Invalid(String),
}

impl NetError {
    /// Whether namespaces cannot be used on this machine at all (as opposed to a failure on
    /// the way), i.e. when `chaos` should offer its loopback mode instead.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            Self::NotRoot | Self::IpMissing(_) | Self::NamespacesUnavailable { .. }
        )
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotRoot => write!(
                f,
                "network namespaces need root, and this process is not root"
            ),
            Self::IpMissing(error) => {
                write!(
                    f,
                    "cannot run `ip` (iproute2) for network namespaces: {error}"
                )
            }
            Self::NamespacesUnavailable { command, stderr } => write!(
                f,
                "network namespaces are not available here: `{command}` failed: {stderr}"
            ),
            Self::Command { command, stderr } => write!(f, "`{command}` failed: {stderr}"),
            Self::Io { command, error } => write!(f, "`{command}`: {error}"),
            Self::Invalid(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for NetError {}

/// The namespaces, bridge and links of one run. Dropping it removes them.
#[derive(Debug)]
pub struct Network {
    run: String,
    hub: String,
    nodes: Vec<String>,
    /// Namespaces made and not yet deleted (what [`Network::remove`] deletes).
    made: Vec<String>,
    /// Extra bridges `g0`, `g1`, ... in the hub made by [`Network::isolate_groups`].
    group_bridges: usize,
}

impl Network {
    /// Makes the hub and `nodes` node namespaces, all linked and up.
    ///
    /// On failure everything made so far is removed. [`NetError::is_unsupported`] tells a
    /// machine without namespaces from a failure on the way.
    pub fn create(nodes: usize) -> Result<Network, NetError> {
        if nodes == 0 || nodes > MAX_NODES {
            return Err(NetError::Invalid(format!(
                "a namespace network holds 1 to {MAX_NODES} nodes, not {nodes}"
            )));
        }
        // SAFETY: geteuid(2) has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Err(NetError::NotRoot);
        }
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let run = format!(
            "{PREFIX}-{}-{}-{time:x}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let mut net = Network {
            hub: format!("{run}-hub"),
            nodes: (0..nodes).map(|i| format!("{run}-n{i}")).collect(),
            run,
            made: Vec::new(),
            group_bridges: 0,
        };
        // The first namespace doubles as the check that namespaces work here.
        net.add_namespace(net.hub.clone()).map_err(|e| match e {
            NetError::Io { error, .. } if error.kind() == io::ErrorKind::NotFound => {
                NetError::IpMissing(error)
            }
            NetError::Command { command, stderr } => {
                NetError::NamespacesUnavailable { command, stderr }
            }
            other => other,
        })?;
        for ns in net.nodes.clone() {
            net.add_namespace(ns)?;
        }
        let mut hub = vec![
            "link add br0 type bridge".to_owned(),
            "link set br0 up".to_owned(),
        ];
        for (i, ns) in net.nodes.iter().enumerate() {
            hub.push(format!("link add p{i} type veth peer name eth0 netns {ns}"));
            hub.push(format!("link set p{i} master br0 up"));
        }
        ip_batch(&net.hub, &hub)?;
        for (i, ns) in net.nodes.iter().enumerate() {
            let lines = [
                "link set lo up".to_owned(),
                format!("addr add {}/24 dev eth0", net.node_addr(i)),
                "link set eth0 up".to_owned(),
            ];
            ip_batch(ns, &lines)?;
        }
        Ok(net)
    }

    /// The run id every name of this network starts with.
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// The hub namespace (holds the bridges; has no address).
    #[cfg(test)]
    pub fn hub_name(&self) -> &str {
        &self.hub
    }

    /// Node `i`'s namespace. Panics if there is no node `i`.
    pub fn ns_name(&self, i: usize) -> &str {
        &self.nodes[i]
    }

    /// Node `i`'s address on the bridge, 10.77.0.(i+1). Panics if there is no node `i`.
    pub fn node_addr(&self, i: usize) -> IpAddr {
        assert!(
            i < self.nodes.len(),
            "no node {i} in a network of {}",
            self.nodes.len()
        );
        let host = u8::try_from(i + 1).expect("at most MAX_NODES nodes");
        IpAddr::V4(Ipv4Addr::new(10, 77, 0, host))
    }

    /// A command that runs `program` inside node `i`'s namespace (`ip netns exec NS program`);
    /// add its arguments and spawn it as usual. `ip` execs the program in its own process, so
    /// the child's pid is the program's, and stdin, stdout and stderr pipes work as for any
    /// child: only the network is separate.
    pub fn command(&self, i: usize, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(ip_program());
        command
            .args(["netns", "exec", self.ns_name(i)])
            .arg(program);
        command
    }

    /// Connects (`up`) or disconnects node `i`'s cable at the bridge (its hub-side veth end).
    /// Down, the node keeps its address but nothing it sends arrives and nothing reaches it.
    pub fn set_link(&mut self, i: usize, up: bool) -> Result<(), NetError> {
        let state = if up { "up" } else { "down" };
        ip(&["-n", &self.hub, "link", "set", &format!("p{i}"), state]).map(drop)
    }

    /// Splits the nodes: each group gets a bridge of its own and nodes named in no group stay
    /// on `br0` together. Replaces any earlier split; [`Network::heal`] joins them again.
    pub fn isolate_groups(&mut self, groups: &[Vec<usize>]) -> Result<(), NetError> {
        let mut seen = vec![false; self.nodes.len()];
        for &i in groups.iter().flatten() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                Some(_) => return Err(NetError::Invalid(format!("node {i} is in two groups"))),
                None => return Err(NetError::Invalid(format!("there is no node {i}"))),
            }
        }
        self.heal()?;
        let mut lines = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            lines.push(format!("link add g{g} type bridge"));
            lines.push(format!("link set g{g} up"));
            lines.extend(group.iter().map(|i| format!("link set p{i} master g{g}")));
        }
        self.group_bridges = groups.len();
        ip_batch(&self.hub, &lines)
    }

    /// Puts every node back on `br0` and deletes the group bridges.
    pub fn heal(&mut self) -> Result<(), NetError> {
        if self.group_bridges == 0 {
            return Ok(());
        }
        let mut lines: Vec<String> = (0..self.nodes.len())
            .map(|i| format!("link set p{i} master br0"))
            .collect();
        lines.extend((0..self.group_bridges).map(|g| format!("link del g{g}")));
        ip_batch(&self.hub, &lines)?;
        self.group_bridges = 0;
        Ok(())
    }

    /// Deletes every namespace of this network (and with them its links and bridges). Safe to
    /// call again; [`Drop`] calls it too. Processes still running in a node namespace keep it
    /// alive, unnamed, until they exit: stop the nodes first.
    pub fn remove(&mut self) -> Result<(), NetError> {
        let mut first_error = None;
        for ns in std::mem::take(&mut self.made).into_iter().rev() {
            if let Err(e) = delete_namespace(&ns) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn add_namespace(&mut self, ns: String) -> Result<(), NetError> {
        ip(&["netns", "add", &ns])?;
        self.made.push(ns);
        Ok(())
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        if let Err(e) = self.remove() {
            eprintln!("tael-coord: removing network {}: {e}", self.run);
        }
    }
}

/// Deletes the namespaces named `{prefix}-{pid}-...` whose creating process `pid` is gone
/// (a killed run's leftovers), after killing any process still inside them. Returns the
/// names deleted. Namespaces of live runs are left alone.
pub fn sweep_leftovers(prefix: &str) -> Result<Vec<String>, NetError> {
    let mut swept = Vec::new();
    for line in ip(&["netns", "list"])?.lines() {
        // Lines read "NAME" or "NAME (id: N)".
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        for inside in ip(&["netns", "pids", name])?.split_whitespace() {
            if let Ok(pid) = inside.parse::<libc::pid_t>() {
                // SAFETY: kill(2) has no memory preconditions; the pid is a process inside a
                // namespace of this harness whose run is dead, i.e. one of its orphaned nodes.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        delete_namespace(name)?;
        swept.push(name.to_owned());
    }
    Ok(swept)
}

/// `ip netns del`, where a namespace already gone counts as deleted.
fn delete_namespace(ns: &str) -> Result<(), NetError> {
    match ip(&["netns", "del", ns]) {
        Err(NetError::Command { stderr, .. }) if stderr.contains("No such file") => Ok(()),
        other => other.map(drop),
    }
}

/// The `ip` program: iproute2 lives in an sbin directory that a PATH may lack.
fn ip_program() -> &'static str {
    static PROGRAM: OnceLock<&'static str> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("ip")
    })
}

/// Runs `ip ARGS`; returns its stdout, or an error naming the command and its stderr.
fn ip(args: &[&str]) -> Result<String, NetError> {
    run(args, None)
}

/// Runs the `ip` commands `lines` (without the leading `ip`) inside namespace `ns` in one
/// process (`ip -n NS -batch -`); it stops at the first that fails.
fn ip_batch(ns: &str, lines: &[String]) -> Result<(), NetError> {
    if lines.is_empty() {
        return Ok(());
    }
    run(&["-n", ns, "-batch", "-"], Some(&lines.join("\n"))).map(drop)
}

fn run(args: &[&str], input: Option<&str>) -> Result<String, NetError> {
    let mut command = format!("{} {}", ip_program(), args.join(" "));
    if let Some(input) = input {
        command = format!("{command} <<< [{}]", input.replace('\n', "; "));
    }
    let io_error = |error| NetError::Io {
        command: command.clone(),
        error,
    };
    let mut child = Command::new(ip_program())
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_error)?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(format!("{input}\n").as_bytes())
            .map_err(io_error)?;
    }
    let output = child.wait_with_output().map_err(io_error)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr)
            .trim()
            .replace('\n', "; ");
        return Err(NetError::Command {
            stderr: format!("{} ({})", stderr, output.status),
            command,
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read};
    use std::net::UdpSocket;
    use std::process::Child;
    use std::time::Duration;

    use super::*;

    /// Echoes UDP datagrams on PORT, printing `ready` once bound and `got ADDR` per datagram;
    /// exits after ten idle seconds in case the test forgets it.
    const ECHO: &str = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(10)
print("ready", flush=True)
while True:
    try:
        data, addr = s.recvfrom(512)
    except socket.timeout:
        break
    print("got", addr[0], flush=True)
    s.sendto(data, addr)
"#;

    /// Sends `ping` to ADDR PORT every 0.1 s until a reply arrives (prints `reply FROM`) or
    /// SECONDS pass (prints `none`).
    const PING: &str = r#"
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.1)
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try:
        s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
    except OSError:
        pass
    try:
        data, addr = s.recvfrom(512)
        print("reply", addr[0])
        sys.exit(0)
    except OSError:
        pass
print("none")
"#;

    const PORT: &str = "7700";

    /// The interpreter itself rather than a launcher (pyenv's shim costs a second a start;
    /// `-S`, skipping site-packages, saves most of the rest).
    fn python() -> &'static str {
        static PYTHON: OnceLock<String> = OnceLock::new();
        PYTHON.get_or_init(|| {
            let output = Command::new("python3")
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .expect("the netns tests need python3");
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        })
    }

    /// CI runs as root and requires namespaces: no network here is a failure, not a skip.
    fn network(nodes: usize) -> Network {
        Network::create(nodes).unwrap_or_else(|e| {
            panic!("the netns tests need network namespaces (run as root with iproute2): {e}")
        })
    }

    /// Starts the echo server in node `i` and returns once it is bound.
    fn echo(net: &Network, i: usize) -> (Child, BufReader<std::process::ChildStdout>) {
        let mut child = net
            .command(i, python())
            .args(["-S", "-c", ECHO, PORT])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs in the namespace");
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("echo server output");
        assert_eq!(
            line.trim(),
            "ready",
            "echo server in node {i} did not start"
        );
        (child, out)
    }

    /// Stops the echo server and returns the sources it got datagrams from.
    fn stop(mut server: (Child, BufReader<std::process::ChildStdout>)) -> Vec<String> {
        server.0.kill().expect("kill the echo server");
        server.0.wait().expect("reap the echo server");
        let mut rest = String::new();
        server
            .1
            .read_to_string(&mut rest)
            .expect("echo server output");
        rest.lines()
            .filter_map(|l| l.strip_prefix("got "))
            .map(str::to_owned)
            .collect()
    }

    /// Whether a datagram from node `from` to node `to` comes back within `seconds`.
    fn round_trip(net: &Network, from: usize, to: usize, seconds: f64) -> bool {
        let output = net
            .command(from, python())
            .args([
                "-S",
                "-c",
                PING,
                &net.node_addr(to).to_string(),
                PORT,
                &seconds.to_string(),
            ])
            .output()
            .expect("python3 runs in the namespace");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "ping failed: {stdout} {output:?}");
        match stdout.trim() {
            "none" => false,
            reply => {
                assert_eq!(reply, format!("reply {}", net.node_addr(to)));
                true
            }
        }
    }

    fn namespaces() -> String {
        ip(&["netns", "list"]).expect("ip netns list")
    }

    #[test]
    fn netns_udp_between_node_namespaces() {
        let net = network(3);
        assert_eq!(net.node_addr(2).to_string(), "10.77.0.3");
        let server = echo(&net, 2);
        assert!(
            round_trip(&net, 0, 2, 3.0),
            "node 0 gets no echo from node 2"
        );
        assert_eq!(stop(server), ["10.77.0.1"]);
    }

    #[test]
    fn netns_root_namespace_cannot_reach_nodes() {
        let net = network(3);
        let server = echo(&net, 2);
        let socket = UdpSocket::bind("0.0.0.0:0").expect("bind in the root namespace");
        socket
            .set_read_timeout(Some(Duration::from_millis(500)))
            .expect("timeout");
        let target = format!("{}:{PORT}", net.node_addr(2));
        // With no route the send fails; with a default route the datagram leaves the host.
        let _ = socket.send_to(b"ping", &target);
        let mut buf = [0u8; 16];
        assert!(
            socket.recv_from(&mut buf).is_err(),
            "the root namespace reached {target}"
        );
        assert!(
            round_trip(&net, 0, 2, 3.0),
            "the echo server stopped answering"
        );
        assert_eq!(
            stop(server),
            ["10.77.0.1"],
            "only node 0's datagram may arrive"
        );
    }

    #[test]
    fn netns_link_down_isolates_a_node() {
        let mut net = network(3);
        let server = echo(&net, 1);
        assert!(round_trip(&net, 0, 1, 3.0));
        net.set_link(1, false).expect("link down");
        assert!(
            !round_trip(&net, 0, 1, 0.5),
            "node 1 answered with its link down"
        );
        net.set_link(1, true).expect("link up");
        let error = net
            .set_link(7, true)
            .expect_err("there is no node 7")
            .to_string();
        assert!(
            error.contains("link set p7 up"),
            "the error names the command: {error}"
        );
        assert!(
            round_trip(&net, 0, 1, 3.0),
            "node 1 unreachable after its link came back"
        );
        stop(server);
    }

    #[test]
    fn netns_groups_split_and_heal() {
        let mut net = network(3);
        let server = echo(&net, 2);
        let server1 = echo(&net, 1);
        net.isolate_groups(&[vec![0, 1]]).expect("split");
        assert!(round_trip(&net, 0, 1, 3.0), "node 1 is in node 0's group");
        assert!(
            !round_trip(&net, 0, 2, 0.5),
            "node 2 answered across the split"
        );
        assert!(net.isolate_groups(&[vec![0], vec![0]]).is_err());
        net.heal().expect("heal");
        assert!(
            round_trip(&net, 0, 2, 3.0),
            "node 2 unreachable after healing"
        );
        stop(server);
        stop(server1);
    }

    #[test]
    fn netns_drop_removes_everything() {
        let mut net = network(2);
        let names = [
            net.hub_name().to_owned(),
            net.ns_name(0).to_owned(),
            net.ns_name(1).to_owned(),
        ];
        let run = net.run_id().to_owned();
        assert!(names.iter().all(|n| namespaces().contains(n.as_str())));
        net.remove().expect("remove");
        net.remove().expect("remove again");
        drop(net);
        assert!(
            !namespaces().contains(&run),
            "left behind: {}",
            namespaces()
        );
    }

    #[test]
    fn netns_sweep_removes_only_dead_runs() {
        let prefix = "tcsweeptest";
        let mut child = Command::new("true").spawn().expect("spawn true");
        let dead = child.id();
        child.wait().expect("reap true");
        let leftover = format!("{prefix}-{dead}-0-0-n0");
        let live = format!("{prefix}-{}-0-0-n0", std::process::id());
        ip(&["netns", "add", &leftover]).expect("make a leftover");
        ip(&["netns", "add", &live]).expect("make a live run's namespace");
        let swept = sweep_leftovers(prefix);
        let listed = namespaces();
        delete_namespace(&live).expect("delete the live one");
        delete_namespace(&leftover).expect("delete the leftover");
        assert_eq!(swept.expect("sweep"), [leftover.as_str()]);
        assert!(!listed.contains(&leftover));
        assert!(
            listed.contains(&live),
            "the sweep removed a live run's namespace"
        );
    }
}
