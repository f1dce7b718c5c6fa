//! The `tael-coord` command end to end: files in, decisions and exit codes out, and the demo on
//! real gossip.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

fn tael(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tael-coord"))
        .args(args)
        .output()
        .expect("running tael-coord")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    path
}

const VIEW: &str = r#"{"groups": {
  "wal-0": {"members": [{"id": "node-a", "live": false}, {"id": "node-c", "live": true}, {"id": "node-b", "live": true, "priority": "5"}]},
  "wal-1": {"members": []}
}}"#;

#[test]
fn elect_prints_leaders_and_explains() {
    let view = scratch("view.json", VIEW);
    let out = tael(&["elect", "--view", view.to_str().unwrap(), "--explain"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("wal-0: node-b leads (smallest id)"),
        "{stdout}"
    );
    assert!(stdout.contains("node-a (generation 0): dead"), "{stdout}");
    assert!(stdout.contains("wal-1: no leader (no members)"), "{stdout}");
}

#[test]
fn elect_json_is_the_pinned_decision_json_and_policies_apply() {
    let view = scratch("view-policy.json", VIEW);
    let out = tael(&[
        "elect",
        "--view",
        view.to_str().unwrap(),
        "--json",
        "--priority",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decisions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decisions[0]["leader"], "node-b");
    assert_eq!(decisions[0]["reason"], "priority");
    assert_eq!(
        decisions[0]["excluded"][1]["reason"],
        "outranked_by_priority"
    );
}

#[test]
fn bad_files_and_flags_fail_with_a_clear_message() {
    let bad = scratch(
        "bad-view.json",
        r#"{"groups": {"g": {"members": [{"id": "a", "live": true, "epoch": -1}]}}}"#,
    );
    let out = tael(&["elect", "--view", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("INVALID_VIEW") && stderr.contains("groups.g.members[0].epoch"),
        "{stderr}"
    );

    let out = tael(&["elect", "--view", "/nonexistent/view.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("reading /nonexistent/view.json"));

    let out = tael(&["elect", "--view", bad.to_str().unwrap(), "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--no-such-flag"));

    for bad in ["-1", "1.5", "18446744073709551616", "07"] {
        let out = tael(&["fence", "--", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("INVALID_EPOCH"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn fence_exit_status_says_accepted_or_rejected() {
    let out = tael(&["fence", "7", "--highest", "9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("STALE_EPOCH: rejected"));

    let out = tael(&["fence", "10", "--highest", "9", "--json"]);
    assert!(out.status.success());
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["code"], "ADVANCED");
    assert_eq!(verdict["from"], "9");

    let out = tael(&[
        "fence",
        "18446744073709551615",
        "--highest",
        "9",
        "--jump-cap",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("TOO_FAR_AHEAD"));

    let out = tael(&[
        "fence",
        "9",
        "--highest",
        "9",
        "--holder",
        "node-b",
        "--recorded-holder",
        "node-a",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("held by node-a"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fence_against_a_snapshot_and_update_it() {
    let snap = scratch("snapshot.json", r#"{"streams": {"wal-0": "4"}}"#);
    let path = snap.to_str().unwrap();
    let out = tael(&["fence", "3", "--snapshot", path, "--stream", "wal-0"]);
    assert_eq!(out.status.code(), Some(1));
    let out = tael(&[
        "fence",
        "6",
        "--snapshot",
        path,
        "--stream",
        "wal-0",
        "--update",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(&snap).unwrap().trim(),
        r#"{"streams":{"wal-0":"6"}}"#
    );
    let out = tael(&["fence", "6", "--snapshot", path, "--stream", "wal-9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("UNKNOWN_STREAM"));
}

#[test]
fn elect_with_freshness_skips_a_lagging_member() {
    let view = scratch(
        "fresh.json",
        r#"{"groups": {"wal-0": {"members": [
          {"id": "node-a", "live": true, "log_epoch": "3", "log_end": "90"},
          {"id": "node-b", "live": true, "log_epoch": "3", "log_end": "100"}]}}}"#,
    );
    let view = view.to_str().unwrap();
    let elect = |flags: &[&str]| {
        let out = tael(&[&["elect", "--view", view, "--explain"], flags].concat());
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert!(elect(&[]).contains("wal-0: node-a leads"));
    let fresh = elect(&["--freshness"]);
    assert!(
        fresh.contains("wal-0: node-b leads (only candidate)"),
        "{fresh}"
    );
    assert!(fresh.contains("node-a (generation 0): behind"), "{fresh}");
    assert!(elect(&["--freshness", "--max-lag", "10"]).contains("wal-0: node-a leads"));
    let out = tael(&["elect", "--view", view, "--max-lag", "10"]);
    assert_eq!(out.status.code(), Some(2), "--max-lag needs --freshness");
    let out = tael(&["elect", "--view", view, "--freshness", "--max-lag", "-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn divergence_prints_the_shared_prefix() {
    // KIP-279's back-to-back failover: the follower's offset 1 was written by a reign the leader
    // never saw.
    let leader = scratch(
        "leader-log.json",
        r#"{"history": {"entries": [{"epoch": "1", "start_offset": "0"}, {"epoch": "3", "start_offset": "2"}]}, "log_end": "3"}"#,
    );
    let follower = scratch(
        "follower-log.json",
        r#"{"history": {"entries": [{"epoch": "1", "start_offset": "0"}, {"epoch": "2", "start_offset": "1"}]}, "log_end": 2}"#,
    );
    let (leader, follower) = (leader.to_str().unwrap(), follower.to_str().unwrap());
    let out = tael(&["divergence", "--leader", leader, "--follower", follower]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "1\n");
    let bad = scratch(
        "bad-log.json",
        r#"{"history": {"entries": [{"epoch": "1", "start_offset": "5"}]}, "log_end": "4"}"#,
    );
    let out = tael(&[
        "divergence",
        "--leader",
        leader,
        "--follower",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("INVALID_HISTORY"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn demo_fails_over_and_fences_the_deposed_leader() {
    let _cluster = one_cluster_at_a_time();
    let record = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("demo-views.json");
    let out = tael(&[
        "demo",
        "--gossip-interval-ms=50",
        "--initial-interval-ms=50",
        "--step-timeout-s=30",
        "--record",
        record.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let summary = stdout.lines().last().unwrap();
    assert!(summary.starts_with("failover: "), "{summary}");
    assert!(summary.ends_with("divergent decisions: 0"), "{summary}");
    assert!(stdout.contains("STALE_EPOCH"), "{stdout}");
    // The line before the summary: the deposed leader's divergent suffix was truncated.
    let lines: Vec<&str> = stdout.lines().collect();
    let truncated = lines[lines.len() - 2]
        .strip_prefix("divergent records truncated: ")
        .and_then(|n| n.parse::<u64>().ok());
    assert!(truncated >= Some(1), "{stdout}");
    assert!(stdout.contains("every replica's log equals"), "{stdout}");
    let recorded: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&record).unwrap()).unwrap();
    let views = recorded["views"].as_array().unwrap();
    assert!(views.len() >= 9, "each of 3 nodes reports at least 3 views");
    // Every recorded decision is what the core decides for that view and policy.
    for entry in views {
        let view = tael_coord::View::from_json(&entry["view"].to_string()).unwrap();
        let policy = tael_coord::Policy::from_json(&entry["policy"].to_string()).unwrap();
        let decided = tael_coord::elect_leaders(&view, &policy).unwrap();
        let mine = decided
            .iter()
            .find(|d| d.group == entry["decision"]["group"])
            .unwrap();
        assert_eq!(serde_json::to_value(mine).unwrap(), entry["decision"]);
    }
}

/// Each node id with whether its newest generation is live.
type Liveness = [(String, bool)];

/// The status code and the body of a raw HTTP/1.1 request (`head`: the request line and header
/// lines, each ending in CRLF, without the blank line) sent to 127.0.0.1:`port`.
fn send(port: u16, head: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "{head}Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (code, body)
}

/// One HTTP/1.1 request as the dashboard's rule asks for it: `Host` its own loopback address,
/// no `Origin` (as curl sends it), and on a POST the `X-Tael-Dashboard: 1` header.
fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    let mark = if method == "GET" {
        ""
    } else {
        "X-Tael-Dashboard: 1\r\n"
    };
    send(
        port,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{mark}Content-Length: 0\r\n"
        ),
    )
}

/// The status code, the header lines and the body of `GET path` (the request as [`http`] sends it).
fn get_bytes(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = text(&response[..end]).to_ascii_lowercase();
    let code = head[9..12].parse().unwrap();
    (code, head, response[end + 4..].to_vec())
}

/// The tests that run a gossip cluster (the demo, the dashboards) take turns: several clusters
/// at once on a 2-core machine stretched the demo's and the nodes' timing past their steps'
/// deadlines, and their free ports are found by binding port 0 and releasing it, which two
/// clusters starting together can both be given.
fn one_cluster_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static CLUSTERS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed while holding it leaves nothing behind to protect.
    CLUSTERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A `tael-coord dashboard` on a free port (fast gossip), stopped on drop.
struct Dashboard {
    child: std::process::Child,
    port: u16,
    // Dropped after `Drop::drop` stopped the cluster.
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl Dashboard {
    fn start() -> Dashboard {
        use std::io::{BufRead, BufReader};
        let turn = one_cluster_at_a_time();
        // Outside the repository: the page comes from the binary, not from a path beside it.
        let cwd = std::env::temp_dir().join("tael-coord-cli-tests");
        fs::create_dir_all(&cwd).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tael-coord"))
            .current_dir(&cwd)
            .args([
                "dashboard",
                "--port=0",
                "--duration-s=60",
                "--gossip-interval-ms=50",
                "--initial-interval-ms=50",
            ])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port: u16 = first
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        Dashboard {
            child,
            port,
            _turn: turn,
        }
    }

    /// Each node of group wal-0 in `/api/view`, with whether its newest generation is live.
    fn live(&self) -> Vec<(String, bool)> {
        let (code, body) = http(self.port, "GET", "/api/view");
        assert_eq!(code, 200);
        let view =
            tael_coord::View::from_json(&body).expect("the endpoint serves the core's view JSON");
        let mut newest: std::collections::BTreeMap<String, (u64, bool)> = Default::default();
        for m in view.groups.get("wal-0").map_or(&[][..], |g| &g.members[..]) {
            let e = newest.entry(m.id.clone()).or_insert((m.generation, m.live));
            if m.generation >= e.0 {
                *e = (m.generation, m.live);
            }
        }
        newest
            .into_iter()
            .map(|(id, (_, live))| (id, live))
            .collect()
    }

    /// Waits (30 s at most) until `/api/view` satisfies `want`.
    fn wait(&self, want: &dyn Fn(&Liveness) -> bool) {
        use std::time::{Duration, Instant};
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.live();
            if want(&now) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the view never got there: {now:?}"
            );
            std::thread::yield_now();
        }
    }

    /// Each node in `/api/nodes` with whether its process runs (the dashboard's own record, set
    /// before a kill or revive answers).
    fn running(&self) -> Vec<(String, bool)> {
        let (code, body) = http(self.port, "GET", "/api/nodes");
        assert_eq!(code, 200);
        let nodes: serde_json::Value = serde_json::from_str(&body).unwrap();
        nodes["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_owned(),
                    n["running"].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Dashboard {
    /// Ctrl-C, as a user stops it: the dashboard stops and reaps its nodes before it exits, so
    /// none of them still gossips (or prints to a closed pipe) when the next cluster starts. A
    /// SIGKILL would orphan them until they saw their stdin close. Killed if it is not gone in
    /// 10 s.
    fn drop(&mut self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child, which has not been waited for yet.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn dashboard_serves_the_live_view_and_kills_and_revives_nodes() {
    let dashboard = Dashboard::start();
    let port = dashboard.port;
    dashboard.wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
    assert_eq!(http(port, "POST", "/api/nodes/node-a/kill").0, 204);
    dashboard.wait(&|v| v.iter().any(|(id, l)| id == "node-a" && !l));
    assert_eq!(http(port, "POST", "/api/nodes/node-a/revive").0, 204);
    dashboard.wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
    assert_eq!(http(port, "POST", "/api/nodes/nobody/kill").0, 400);
}

/// The page and its WASM build come from inside the binary (no `--web-dir`, run from outside the
/// repository), with their content types; `/` opens on the live view, not the sample.
#[test]
fn dashboard_serves_its_built_in_page_and_opens_on_the_live_view() {
    let dashboard = Dashboard::start();
    let port = dashboard.port;
    let (code, head, _) = get_bytes(port, "/");
    assert_eq!(code, 303, "{head}");
    assert!(
        head.lines().any(|l| l == "location: /?poll=/api/view"),
        "{head}"
    );
    let (code, head, _) = get_bytes(port, "/?interval=0.5");
    assert_eq!(code, 303);
    let location = "location: /?poll=/api/view&interval=0.5";
    assert!(head.lines().any(|l| l == location), "{head}");

    let types = [
        ("/?poll=/api/view", "text/html"),
        ("/index.html", "text/html"),
        ("/app.js", "text/javascript"),
        ("/viewtext.js", "text/javascript"),
        ("/words.js", "text/javascript"),
        ("/style.css", "text/css"),
        ("/pkg/tael_coord.js", "text/javascript"),
        ("/pkg/tael_coord_bg.wasm", "application/wasm"),
    ];
    for (path, want) in types {
        let (code, head, body) = get_bytes(port, path);
        assert_eq!(code, 200, "GET {path}: {head}");
        let content_type = format!("content-type: {want}");
        assert!(
            head.lines().any(|l| l.starts_with(&content_type)),
            "GET {path}: {head}"
        );
        assert!(!body.is_empty(), "GET {path} is empty");
    }
    let (_, _, page) = get_bytes(port, "/?poll=/api/view");
    assert!(text(&page).contains("<script type=\"module\" src=\"app.js\">"));

    // Every module the browser entry imports, and each of theirs (the glue, its snippets), is
    // there too.
    let mut pending = vec!["tael_coord.js".to_string()];
    let mut served = Vec::new();
    while let Some(module) = pending.pop() {
        let (code, head, body) = get_bytes(port, &format!("/pkg/{module}"));
        assert_eq!(code, 200, "GET /pkg/{module}: {head}");
        assert!(
            head.lines()
                .any(|l| l.starts_with("content-type: text/javascript")),
            "{head}"
        );
        let dir = module.rsplit_once('/').map_or("", |(dir, _)| dir);
        for quote in ['\'', '"'] {
            for rest in text(&body).split(&format!("from {quote}./")).skip(1) {
                let import = rest.split(quote).next().unwrap_or_default();
                let path = if dir.is_empty() {
                    import.to_string()
                } else {
                    format!("{dir}/{import}")
                };
                if !served.contains(&path) && !pending.contains(&path) {
                    pending.push(path);
                }
            }
        }
        served.push(module);
    }
    assert!(
        served.iter().any(|m| m == "tael_coord_bindgen.js")
            && served.iter().any(|m| m.starts_with("snippets/")),
        "the entry imports the glue, which imports its snippets: {served:?}"
    );

    // The same bytes as the WASM build (web/pkg in the repository, assets/ in the crate).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = [root.join("../web/pkg"), root.join("assets/pkg")]
        .into_iter()
        .map(|dir| dir.join("tael_coord_bg.wasm"))
        .find(|path| path.is_file())
        .expect("the WASM build");
    let (_, _, wasm) = get_bytes(port, "/pkg/tael_coord_bg.wasm");
    assert!(
        wasm == fs::read(&built).unwrap(),
        "the .wasm served is {}",
        built.display()
    );

    for path in [
        "/pkg/node.cjs",
        "/README.md",
        "/tests/harness.mjs",
        "/node_modules/",
    ] {
        assert_eq!(get_bytes(port, path).0, 404, "GET {path}");
    }
}

/// Issue #13 §5: no other web page (a cross-origin form or fetch, or a DNS-rebound name) can
/// kill or revive a node; the page's own requests and curl-style ones still can.
#[test]
fn dashboard_refuses_forged_kills_and_revives() {
    let dashboard = Dashboard::start();
    let port = dashboard.port;
    let all_running = |d: &Dashboard| d.running().iter().all(|(_, r)| *r);
    dashboard.wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
    assert!(all_running(&dashboard));

    let local = format!("127.0.0.1:{port}");
    let post = |host: &str, extra: &str| {
        format!(
            "POST /api/nodes/node-c/kill HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: 0\r\n"
        )
    };
    let forged = [
        // What any web page can send without a preflight: a form or a no-cors fetch.
        (
            "foreign Origin, text/plain",
            post(
                &local,
                "Origin: http://evil.example\r\nContent-Type: text/plain\r\n",
            ),
        ),
        // A browser sends the custom header only after a CORS preflight the server never
        // grants; a request that carries it anyway with a foreign Origin is refused too.
        (
            "foreign Origin with the custom header",
            post(
                &local,
                "Origin: http://evil.example\r\nX-Tael-Dashboard: 1\r\n",
            ),
        ),
        (
            "another port of loopback as Origin",
            post(
                &local,
                &format!(
                    "Origin: http://127.0.0.1:{}\r\nX-Tael-Dashboard: 1\r\n",
                    port ^ 1
                ),
            ),
        ),
        (
            "the dashboard's host over https as Origin",
            post(
                &local,
                &format!("Origin: https://127.0.0.1:{port}\r\nX-Tael-Dashboard: 1\r\n"),
            ),
        ),
        // A sandboxed frame or a file: page.
        (
            "Origin: null",
            post(&local, "Origin: null\r\nX-Tael-Dashboard: 1\r\n"),
        ),
        // A simple request from the dashboard's own origin (or none) without the header.
        (
            "a simple request, no custom header",
            post(
                &local,
                &format!("Origin: http://{local}\r\nContent-Type: text/plain\r\n"),
            ),
        ),
        ("no Origin, no custom header", post(&local, "")),
        (
            "the custom header with another value",
            post(&local, "X-Tael-Dashboard: yes\r\n"),
        ),
        // DNS rebinding: the attacker's name resolved to 127.0.0.1, so the page is same-origin
        // with itself and may send anything, but its Host names it.
        (
            "foreign Host",
            post(
                &format!("evil.example:{port}"),
                &format!("Origin: http://evil.example:{port}\r\nX-Tael-Dashboard: 1\r\n"),
            ),
        ),
        (
            "foreign Host, no Origin",
            post(&format!("evil.example:{port}"), "X-Tael-Dashboard: 1\r\n"),
        ),
        (
            "loopback Host on another port",
            post(
                &format!("127.0.0.1:{}", port ^ 1),
                "X-Tael-Dashboard: 1\r\n",
            ),
        ),
        (
            "no Host",
            "POST /api/nodes/node-c/kill HTTP/1.1\r\nX-Tael-Dashboard: 1\r\nContent-Length: 0\r\n"
                .to_owned(),
        ),
    ];
    for (what, request) in &forged {
        let (code, body) = send(port, request);
        assert_eq!(code, 403, "{what}: {body}");
        assert!(all_running(&dashboard), "{what} changed the cluster");
    }
    // Reads stay open on loopback, from any Origin (the browser keeps a foreign page from
    // reading the answer: no CORS header), but not under a foreign Host (a rebound page could).
    let get = |host: &str, extra: &str| {
        send(
            port,
            &format!("GET /api/nodes HTTP/1.1\r\nHost: {host}\r\n{extra}"),
        )
        .0
    };
    assert_eq!(get(&local, "Origin: http://evil.example\r\n"), 200);
    assert_eq!(get(&format!("localhost:{port}"), ""), 200);
    assert_eq!(get(&format!("evil.example:{port}"), ""), 403);
    assert_eq!(
        send(
            port,
            &format!("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\n")
        )
        .0,
        403,
        "the page itself is not served to a rebound name"
    );
    // Nothing happened: every node still runs, and node-c is still live in the view.
    assert!(all_running(&dashboard));
    assert!(dashboard.live().iter().all(|(_, l)| *l));

    // The page's own request (its Origin, any of the loopback names) and curl's (no Origin)
    // still work.
    let (code, body) = send(
        port,
        &post(
            &format!("localhost:{port}"),
            &format!("Origin: http://localhost:{port}\r\nX-Tael-Dashboard: 1\r\n"),
        ),
    );
    assert_eq!(code, 204, "{body}");
    let node_c = |d: &Dashboard| {
        d.running()
            .into_iter()
            .find(|(id, _)| id == "node-c")
            .unwrap()
            .1
    };
    assert!(!node_c(&dashboard), "the legitimate kill stopped node-c");
    dashboard.wait(&|v| v.iter().any(|(id, l)| id == "node-c" && !l));
    // A forged revive is refused as well.
    let revive = format!(
        "POST /api/nodes/node-c/revive HTTP/1.1\r\nHost: {local}\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
    );
    assert_eq!(send(port, &revive).0, 403);
    assert!(!node_c(&dashboard), "the forged revive changed nothing");
    assert_eq!(http(port, "POST", "/api/nodes/node-c/revive").0, 204);
    assert!(node_c(&dashboard));
    dashboard.wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
}

#[test]
fn watch_prints_each_leader_change_of_a_file_of_views_as_json_lines() {
    let views = [
        r#"{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":"1"}]}}}"#,
        "",
        r#"{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":"1"}]}}}"#,
        r#"{"groups":{"g":{"members":[{"id":"a","live":false},{"id":"b","live":true,"epoch":"2"}]}}}"#,
        r#"{"groups":{"g":{"members":[{"id":"b","live":false}]}}}"#,
    ];
    let file = scratch("views.jsonl", &views.join("\n"));
    let out = tael(&["watch", "--views", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            let leader = e["leader"].as_str().unwrap_or("-");
            let previous = e["previous"].as_str().unwrap_or("-");
            (e["event"].as_str().unwrap(), leader, previous)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("elected", "a", "-"),
            ("changed", "b", "a"),
            ("lost", "-", "b")
        ],
        "the repeated view gives no event"
    );
    assert_eq!(events[1]["epoch"], "2");

    // Errors name the file and the line; the policy flags decide.
    let bad = scratch("bad-views.jsonl", "{\"groups\":{}}\n{\"groups\":1}\n");
    let out = tael(&["watch", "--views", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad-views.jsonl line 2"),
        "{}",
        text(&out.stderr)
    );
    let guarded = scratch(
        "guarded.jsonl",
        r#"{"groups":{"g":{"members":[{"id":"a","live":true}],"configured":"3"}}}"#,
    );
    let out = tael(&[
        "watch",
        "--views",
        guarded.to_str().unwrap(),
        "--quorum-guard",
    ]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "no quorum, no leader"
    );
    let out = tael(&["watch", "--url", "https://example.org/view"]);
    assert_eq!(out.status.code(), Some(2), "only plain http is polled");
}

/// One sample of the OpenMetrics text: its metric name, labels as (name, value), and value.
type Sample<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

/// A sample line of the OpenMetrics text: `name{labels} value`.
fn sample(line: &str) -> Option<Sample<'_>> {
    let (series, value) = line.rsplit_once(' ')?;
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => (name, rest.strip_suffix('}')?),
        None => (series, ""),
    };
    let labels = labels
        .split(',')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k, v.strip_prefix('"')?.strip_suffix('"')?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((name, labels, value))
}

#[test]
fn dashboard_serves_metrics_and_watch_polls_its_view() {
    use std::time::{Duration, Instant};
    let dashboard = Dashboard::start();
    let port = dashboard.port;
    // Wait until the group has a leader that no other member contests and the followers' gates
    // have counted its records. While the cluster forms, a member may lead in its own view before
    // it sees a smaller id live, and claim (the fencing keeps that harmless): a claimant is
    // allowed then, not once the cluster has settled.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (leader, epoch) = loop {
        let (code, body) = http(port, "GET", "/metrics");
        assert_eq!(code, 200);
        assert!(body.ends_with("# EOF\n"), "{body}");
        let mut leader = None;
        let mut current = 0u64;
        let mut claimants = None;
        for line in body.lines().filter(|l| !l.starts_with('#')) {
            let (name, labels, value) =
                sample(line).unwrap_or_else(|| panic!("not a sample: {line:?}"));
            let label = |k: &str| labels.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
            match name {
                "tael_group_leader" => {
                    assert_eq!((label("group"), value), (Some("wal-0"), "1"));
                    leader = Some((
                        label("leader").unwrap().to_owned(),
                        label("epoch").unwrap().to_owned(),
                    ));
                }
                "tael_group_claimants" => claimants = Some(value.parse::<u64>().unwrap()),
                "tael_gate_verdicts_total" if label("verdict") == Some("CURRENT") => {
                    current += value.parse::<u64>().unwrap();
                }
                _ => {}
            }
        }
        // The observer may name the smallest live id before it has promoted (epoch 0).
        let promoted = leader.filter(|(_, epoch)| epoch != "0");
        if let (Some(leader), true, Some(0)) = (promoted, current > 0, claimants) {
            break leader;
        }
        assert!(
            Instant::now() < deadline,
            "no uncontested leader with counted records: {body}"
        );
        std::thread::yield_now();
    };
    tael_coord::parse_u64(&epoch).expect("the epoch label is a canonical u64");
    let (_, nodes) = http(port, "GET", "/api/nodes");
    let nodes: serde_json::Value = serde_json::from_str(&nodes).unwrap();
    assert!(
        nodes["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["counters"]["CURRENT"].as_str().is_some()),
        "the nodes' counters reach /api/nodes too: {nodes}"
    );
    // `watch` polls the live view and reports the leader as elected.
    let url = format!("http://127.0.0.1:{port}/api/view");
    let out = tael(&[
        "watch",
        "--url",
        &url,
        "--polls",
        "2",
        "--interval-ms",
        "50",
        "--view-policy",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().expect("an event")).unwrap();
    assert_eq!(first["event"], "elected");
    assert_eq!(first["leader"].as_str(), Some(leader.as_str()));
}

#[test]
fn completions_and_the_manual_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = tael(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for command in [
            "elect",
            "fence",
            "divergence",
            "watch",
            "demo",
            "chaos",
            "dashboard",
        ] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    assert_eq!(tael(&["completions", "tcsh"]).status.code(), Some(2));
    let out = tael(&["man"]);
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(page.contains(".TH tael-coord 1"), "{page}");
    assert!(page.contains("watch"), "the page lists the subcommands");
}

#[test]
fn chaos_in_loopback_mode_runs_a_nemesis_and_reports_every_count() {
    let _cluster = one_cluster_at_a_time();
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chaos-loopback.jsonl");
    let _ = fs::remove_file(&report);
    let out = tael(&[
        "chaos",
        "--loopback",
        "--nodes=3",
        "--seed=11",
        "--steps=1",
        "--faults=kill-leader",
        "--report",
        report.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("LOOPBACK mode"),
        "the mode is labelled: {stdout}"
    );
    assert!(stdout.contains("1 of 1 runs passed"), "{stdout}");
    let line = fs::read_to_string(&report).unwrap();
    let run: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(run["seed"], "11");
    assert_eq!(run["faults"], serde_json::json!(["kill-leader"]));
    for count in [
        "lost_acked",
        "not_prefix",
        "two_holders",
        "stale_accepts",
        "quiet_changes",
        "no_final_leader",
    ] {
        assert_eq!(run["counts"][count], 0, "{count}: {run}");
    }
    // The leader was killed: a second reign served, and writes were acknowledged.
    assert!(
        run["activity"]["established"].as_u64().unwrap() >= 2,
        "{run}"
    );
    assert!(run["activity"]["acked"].as_u64().unwrap() > 0, "{run}");
}

#[test]
fn chaos_says_why_it_cannot_make_namespaces_and_offers_loopback() {
    // As an unprivileged user (root can drop to one here), namespaces are refused.
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tael-coord"))
        .args(["chaos", "--steps=1"])
        .output()
        .expect("setpriv (util-linux) runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("root"), "{stderr}");
    assert!(stderr.contains("--loopback"), "{stderr}");
}

#[test]
fn chaos_refuses_bad_arguments() {
    for (args, message) in [
        (&["chaos", "--nodes=2"][..], "3 to 9 nodes"),
        (&["chaos", "--faults=netem"][..], "unknown fault"),
        (&["chaos", "--expect-caught=nothing"][..], "no count named"),
    ] {
        let out = tael(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn chaos_failover_mode_times_each_kill_of_the_leader() {
    let _cluster = one_cluster_at_a_time();
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chaos-failover.jsonl");
    let _ = fs::remove_file(&report);
    let out = tael(&[
        "chaos",
        "--loopback",
        "--nodes=3",
        "--failovers=2",
        "--loss=0.05",
        "--report",
        report.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("failover over 2 kills: median"), "{stdout}");
    let run: serde_json::Value =
        serde_json::from_str(fs::read_to_string(&report).unwrap().trim()).unwrap();
    let times = run["failovers_ms"].as_array().unwrap();
    assert_eq!(times.len(), 2, "{run}");
    // A failover takes at least a failure detection (several 100 ms heartbeats) and ends.
    assert!(
        times
            .iter()
            .all(|t| (100..20_000).contains(&t.as_u64().unwrap())),
        "{run}"
    );
    assert_eq!(run["loss"], 0.05);
    assert_eq!(run["false_leader_changes"], 0, "{run}");
}
