//! Runs every case of the conformance corpus (`tests/vectors/*.json`) against the Rust core.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};
use tael_coord::{
    decisions_to_json, elect_leaders_json, next_epoch, parse_u64, try_elect_leader, EpochFencer,
    FenceRegistry, HolderFencer, Result, Snapshot, Status, Verdict, View,
};

const FRONT: &str = "rust";

fn cases() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        cases.extend(doc["cases"].as_array().unwrap().iter().cloned());
    }
    cases
}

/// A text input as the Rust front can express it: a string, or raw bytes.
enum Text {
    Str(String),
    Bytes(Vec<u8>),
}

fn text(v: &Value) -> Text {
    match v {
        Value::String(s) => Text::Str(s.clone()),
        Value::Object(o) if o.contains_key("hex") => {
            let hex = o["hex"].as_str().unwrap();
            Text::Bytes(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            )
        }
        other => panic!("the rust front cannot express {other}"),
    }
}

/// Enter a text as the C front does: bytes must be UTF-8 before anything else; the id rules
/// are the core's to apply (lookups by name do not apply them).
fn as_str(t: &Text) -> Result<&str> {
    match t {
        Text::Str(s) => Ok(s),
        Text::Bytes(b) => std::str::from_utf8(b)
            .map_err(|_| tael_coord::Error::new(Status::InvalidUtf8, "not UTF-8")),
    }
}

fn u64_field(step: &Value, key: &str) -> Option<u64> {
    step.get(key)
        .map(|v| parse_u64(v.as_str().expect("u64 values are strings")).unwrap())
}

fn err(e: tael_coord::Error) -> Value {
    json!({ "error": e.status().name() })
}

fn verdict(v: Verdict) -> Value {
    serde_json::to_value(v).unwrap()
}

fn view_text(step: &Value) -> String {
    match (step.get("view"), step.get("view_text")) {
        (Some(v), None) => v.to_string(),
        (None, Some(Value::String(t))) => t.clone(),
        _ => panic!("a step needs `view` or `view_text`"),
    }
}

fn policy_text(step: &Value) -> String {
    match (step.get("policy"), step.get("policy_text")) {
        (Some(p), None) => p.to_string(),
        (None, Some(Value::String(t))) => t.clone(),
        (None, None) => "{}".to_owned(),
        _ => panic!("a step has both `policy` and `policy_text`"),
    }
}

#[derive(Default)]
struct State {
    gate: Option<EpochFencer>,
    holder: Option<HolderFencer>,
    registry: Option<FenceRegistry>,
}

fn run_step(state: &mut State, step: &Value) -> Option<Value> {
    let op = step["op"].as_str().unwrap();
    let epoch = || u64_field(step, "epoch").unwrap();
    let stream = || text(&step["stream"]);
    let ok = |r: Result<()>| r.map_or_else(err, |()| json!({"ok": true}));
    Some(match op {
        "elect" => {
            let ids: Vec<Text> = step["ids"].as_array().unwrap().iter().map(text).collect();
            let strs: Result<Vec<&str>> = ids.iter().map(as_str).collect();
            match strs.and_then(|s| try_elect_leader(&s).map(|i| (s, i))) {
                Ok((s, Some(i))) => json!({"leader": s[i], "index": i}),
                Ok((_, None)) => json!({"leader": null, "index": null}),
                Err(e) => err(e),
            }
        }
        "gate" => {
            let gate = EpochFencer::with_highest(u64_field(step, "highest").unwrap_or(0));
            state.gate = Some(match u64_field(step, "cap") {
                Some(cap) => gate.with_jump_cap(cap),
                None => gate,
            });
            return None;
        }
        "check" => verdict(state.gate.as_ref().unwrap().check(epoch())),
        "check_and_advance" => {
            json!({"accepted": state.gate.as_ref().unwrap().check_and_advance(epoch())})
        }
        "promote" => match state.gate.as_ref().unwrap().promote() {
            Ok(e) => json!({"epoch": e.to_string()}),
            Err(e) => err(e),
        },
        "highest" => json!({"highest": state.gate.as_ref().unwrap().highest().to_string()}),
        "holder_gate" => {
            let gate = HolderFencer::with_highest(u64_field(step, "highest").unwrap_or(0));
            state.holder = Some(match u64_field(step, "cap") {
                Some(cap) => gate.with_jump_cap(cap),
                None => gate,
            });
            return None;
        }
        "holder_check" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            match as_str(&holder).and_then(|h| gate.check(epoch(), h)) {
                Ok(v) => verdict(v),
                Err(e) => err(e),
            }
        }
        "holder_promote" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            match as_str(&holder).and_then(|h| gate.promote(h)) {
                Ok(e) => json!({"epoch": e.to_string()}),
                Err(e) => err(e),
            }
        }
        "holder_state" => {
            let (highest, holder) = state.holder.as_ref().unwrap().state();
            json!({"highest": highest.to_string(), "holder": holder})
        }
        "registry" => {
            let registry = FenceRegistry::new();
            state.registry = Some(match u64_field(step, "cap") {
                Some(cap) => registry.with_jump_cap(cap),
                None => registry,
            });
            return None;
        }
        "registry_add" => {
            let s = stream();
            let highest = u64_field(step, "highest").unwrap_or(0);
            let r = state.registry.as_ref().unwrap();
            ok(as_str(&s).and_then(|s| r.add(s, highest)))
        }
        "registry_check" => {
            let s = stream();
            let r = state.registry.as_ref().unwrap();
            match as_str(&s).and_then(|s| r.check(s, epoch())) {
                Ok(v) => verdict(v),
                Err(e) => err(e),
            }
        }
        "registry_promote" | "registry_highest" | "registry_remove" => {
            let s = stream();
            let r = state.registry.as_ref().unwrap();
            let (key, result) = match op {
                "registry_promote" => ("epoch", as_str(&s).and_then(|s| r.promote(s))),
                "registry_highest" => ("highest", as_str(&s).and_then(|s| r.highest(s))),
                _ => ("highest", as_str(&s).and_then(|s| r.remove(s))),
            };
            result.map_or_else(err, |v| json!({ key: v.to_string() }))
        }
        "registry_snapshot" => {
            let snap = state.registry.as_ref().unwrap().snapshot();
            json!({"snapshot": serde_json::from_str::<Value>(&snap.to_json()).unwrap()})
        }
        "registry_restore" => {
            let r = state.registry.as_ref().unwrap();
            ok(Snapshot::from_json(step["snapshot"].as_str().unwrap()).and_then(|s| r.restore(&s)))
        }
        "decide" => match elect_leaders_json(&view_text(step), &policy_text(step)) {
            Ok(d) => {
                json!({"decisions": serde_json::from_str::<Value>(&decisions_to_json(&d)).unwrap()})
            }
            Err(e) => err(e),
        },
        "next_epoch" => {
            let group = text(&step["group"]);
            let result = View::from_json(&view_text(step))
                .and_then(|v| as_str(&group).and_then(|g| next_epoch(&v, g)));
            match result {
                Ok(e) => json!({"epoch": e.to_string()}),
                Err(e) => err(e),
            }
        }
        other => panic!("unknown op {other:?}"),
    })
}

#[test]
fn every_case_of_the_corpus() {
    let cases = cases();
    let mut names = std::collections::HashSet::new();
    let (mut passed, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "case name {name:?} appears twice");
        if let Some(fronts) = case.get("fronts") {
            let fronts: Vec<&str> = fronts
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            if !fronts.contains(&FRONT) {
                skipped += 1;
                continue;
            }
        }
        let mut state = State::default();
        let mut ok = true;
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let got = run_step(&mut state, step);
            let want = step.get("expect");
            if got.as_ref() != want {
                failures.push(format!(
                    "{name} step {i} ({}): expected {}, got {}",
                    step["op"],
                    want.map_or("nothing".into(), Value::to_string),
                    got.map_or("nothing".into(), |v| v.to_string())
                ));
                ok = false;
                break;
            }
        }
        if ok {
            passed += 1;
        }
    }
    println!(
        "conformance: {passed} cases passed, {} failed, {skipped} not expressible in Rust",
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(cases.len() >= 60, "the corpus must have at least 60 cases");
}

#[test]
fn every_status_has_a_case() {
    let text: String = cases().iter().map(Value::to_string).collect();
    for status in Status::ALL {
        // Statuses only a front can produce (bad pointers, buffers, argument types, epochs out
        // of u64 range, C's "no leader") are covered by each front's bad-input suite; STORAGE
        // (durable gates, whose files the corpus cannot express) by the durable gates' tests.
        if matches!(
            status,
            Status::Ok
                | Status::InvalidEpoch
                | Status::NullPointer
                | Status::BufferTooSmall
                | Status::InvalidArgument
                | Status::Internal
                | Status::NoLeader
                | Status::Storage
        ) {
            continue;
        }
        assert!(
            text.contains(&format!("\"{}\"", status.name())),
            "no case expects {}",
            status.name()
        );
    }
}
