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

/// One HTTP/1.1 request to 127.0.0.1; the status code and the body.
fn http(port: u16, method: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (code, body)
}

#[test]
fn dashboard_serves_the_live_view_and_kills_and_revives_nodes() {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_tael-coord"))
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
    let live = |port| -> Vec<(String, bool)> {
        let (code, body) = http(port, "GET", "/api/view");
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
    };
    let wait = |want: &dyn Fn(&Liveness) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = live(port);
            if want(&now) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the view never got there: {now:?}"
            );
            std::thread::yield_now();
        }
    };
    wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
    assert_eq!(http(port, "POST", "/api/nodes/node-a/kill").0, 204);
    wait(&|v| v.iter().any(|(id, l)| id == "node-a" && !l));
    assert_eq!(http(port, "POST", "/api/nodes/node-a/revive").0, 204);
    wait(&|v| v.len() == 3 && v.iter().all(|(_, l)| *l));
    assert_eq!(http(port, "POST", "/api/nodes/nobody/kill").0, 400);
    let (code, page) = http(port, "GET", "/");
    assert_eq!(code, 200);
    assert!(page.contains("<html"), "the dashboard page is served");
    child.kill().unwrap();
    child.wait().unwrap();
}
