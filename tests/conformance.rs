//! Runs every case of the conformance corpus (`tests/vectors/*.json`) against the Rust core.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};
use tael_coord::{
    decisions_to_json, divergence_point, elect_leaders_json, elect_leaders_to_json, established,
    follower_step, next_epoch, parse_u64, transitions, transitions_json, try_elect_leader,
    DurableFencer, DurableHistory, DurableHolderFencer, DurableRegistry, EpochEntry, EpochFencer,
    EpochGate, EpochHistory, EpochLog, FenceRegistry, GateRegistry, HolderFencer, HolderGate,
    Policy, RefuseZero, Result, Snapshot, Status, Verdict, View,
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

/// A creating step's `refuse_zero` (default false).
fn refuse_zero(step: &Value) -> bool {
    step.get("refuse_zero")
        .is_some_and(|v| v.as_bool().expect("refuse_zero is a bool"))
}

fn err(e: tael_coord::Error) -> Value {
    assert!(
        !e.status().is_verdict(),
        "a failed call's status is not a verdict: {e}"
    );
    json!({ "error": e.status().name() })
}

fn verdict(v: Verdict) -> Value {
    assert!(
        v.status().is_verdict(),
        "a gate's answer is a verdict: {v:?}"
    );
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

/// Where a case's epoch gate and registry keep their marks: every case runs against both, each
/// through the core's traits, as the fronts call them.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Memory,
    File,
}

/// A directory for one case's files, removed on drop.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "tael-conformance-{}-{}",
            std::process::id(),
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct State {
    kind: Kind,
    gate: Option<Box<dyn EpochGate>>,
    holder: Option<Box<dyn HolderGate>>,
    registry: Option<Box<dyn GateRegistry>>,
    history: Option<Box<dyn EpochLog>>,
    /// Files made so far (each gate or registry a case makes has a file of its own).
    files: usize,
    dir: Scratch,
}

impl State {
    fn new_file(&mut self) -> std::path::PathBuf {
        self.files += 1;
        self.dir.0.join(self.files.to_string())
    }

    /// A gate of this case's kind at `highest` with the cap `cap` (a fresh file's gate starts
    /// at 0 and is promoted to `highest`, the cap being the handle's, not the file's).
    fn gate(&mut self, highest: u64, cap: Option<u64>, zero: bool) -> Box<dyn EpochGate> {
        let gate: Box<dyn EpochGate> = match self.kind {
            Kind::Memory => Box::new(EpochFencer::with_highest(highest).with_jump_cap(cap)),
            Kind::File => Box::new(self.gate_file(highest).with_jump_cap(cap)),
        };
        if zero {
            Box::new(RefuseZero(gate))
        } else {
            gate
        }
    }

    /// A fresh gate file at `highest`.
    fn gate_file(&mut self, highest: u64) -> DurableFencer {
        let gate = DurableFencer::open_or_create(self.new_file()).unwrap();
        if highest > 0 {
            assert_eq!(gate.promote_to_at_least(highest), Ok(highest));
        }
        gate
    }

    /// A holder gate of this case's kind resuming `(highest, holder)` with the cap `cap`. A
    /// file's gate is a plain gate's file at `highest` (version 1) taken over by a holder gate,
    /// which then adopts `holder`'s reign.
    fn holder_gate(
        &mut self,
        highest: u64,
        holder: Option<&str>,
        cap: Option<u64>,
        zero: bool,
    ) -> Result<Box<dyn HolderGate>> {
        let memory = HolderFencer::with_holder(highest, holder)?.with_jump_cap(cap);
        let gate: Box<dyn HolderGate> = match self.kind {
            Kind::Memory => Box::new(memory),
            Kind::File => {
                let file = self.gate_file(highest);
                let path = file.path().to_owned();
                drop(file);
                let gate = DurableHolderFencer::open(path).unwrap().with_jump_cap(cap);
                if let Some(holder) = holder {
                    assert!(gate.adopt(highest, holder).unwrap().accepted());
                }
                assert_eq!(gate.state(), memory.state());
                Box::new(gate)
            }
        };
        Ok(if zero {
            Box::new(RefuseZero(gate))
        } else {
            gate
        })
    }

    fn registry(&mut self, cap: Option<u64>, zero: bool) -> Box<dyn GateRegistry> {
        let registry: Box<dyn GateRegistry> = match self.kind {
            Kind::Memory => Box::new(FenceRegistry::new().with_jump_cap(cap)),
            Kind::File => Box::new(
                DurableRegistry::open_or_create(self.new_file())
                    .unwrap()
                    .with_jump_cap(cap),
            ),
        };
        if zero {
            Box::new(RefuseZero(registry))
        } else {
            registry
        }
    }

    /// A history of this case's kind holding `history` (a fresh file's history is built by
    /// assigning each entry, which appends it).
    fn history(&mut self, history: EpochHistory) -> Box<dyn EpochLog> {
        match self.kind {
            Kind::Memory => Box::new(history),
            Kind::File => {
                let mut durable = DurableHistory::open_or_create(self.new_file()).unwrap();
                for e in history.entries() {
                    let assigned = durable.assign(e.epoch, e.start_offset, e.holder.as_deref());
                    assert_eq!(assigned, Ok(true));
                }
                assert_eq!(durable.history(), &history);
                Box::new(durable)
            }
        }
    }
}

/// A history written in a step as entries `[epoch, start]` or `[epoch, start, holder]`.
fn history_of(entries: &Value) -> Result<EpochHistory> {
    let entries: Result<Vec<EpochEntry>> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let e = e.as_array().unwrap();
            let u64_at = |i: usize| parse_u64(e[i].as_str().unwrap()).unwrap();
            let holder = e.get(2).map(text);
            Ok(EpochEntry {
                epoch: u64_at(0),
                start_offset: u64_at(1),
                holder: holder.as_ref().map(as_str).transpose()?.map(str::to_owned),
            })
        })
        .collect();
    EpochHistory::from_entries(entries?)
}

fn epoch_of(result: Result<u64>) -> Value {
    result.map_or_else(err, |e| json!({"epoch": e.to_string()}))
}

/// The case's gates and registry as the corpus writes their state: each one's highest, holder
/// (holder gate), streams (registry) and jump cap, read through the core's own accessors; the
/// accessors that read a part of it must agree with the whole.
fn state_json(state: &State) -> Value {
    let mut out = serde_json::Map::new();
    let text = |n: Option<u64>| n.map(|n| n.to_string());
    if let Some(g) = &state.gate {
        out.insert(
            "gate".into(),
            json!({"highest": g.highest().to_string(), "jump_cap": text(g.jump_cap()),
                   "refuses_zero": g.refuses_epoch_zero()}),
        );
    }
    if let Some(g) = &state.holder {
        let (highest, holder) = g.state();
        assert_eq!((g.highest(), g.holder()), (highest, holder.clone()));
        out.insert(
            "holder_gate".into(),
            json!({"highest": highest.to_string(), "holder": holder, "closed": g.closed(),
                   "jump_cap": text(g.jump_cap()), "refuses_zero": g.refuses_epoch_zero()}),
        );
    }
    if let Some(r) = &state.registry {
        let snapshot = r.snapshot();
        assert_eq!(r.len(), snapshot.streams.len());
        assert_eq!(r.is_empty(), snapshot.streams.is_empty());
        for (name, mark) in &snapshot.streams {
            assert!(r.contains(name), "{name}");
            assert_eq!(r.highest(name), Ok(mark.0), "{name}");
        }
        let streams: Value = serde_json::from_str(&snapshot.to_json()).unwrap();
        out.insert(
            "registry".into(),
            json!({"streams": streams["streams"], "jump_cap": text(r.jump_cap()),
                   "refuses_zero": r.refuses_epoch_zero()}),
        );
    }
    if let Some(h) = &state.history {
        let history = h.history();
        assert_eq!(h.entries(), history.entries());
        assert_eq!(h.latest_epoch(), history.entries().last().map(|e| e.epoch));
        assert_eq!(
            EpochHistory::from_json(&history.to_json()).as_ref(),
            Ok(history)
        );
        out.insert(
            "history".into(),
            serde_json::from_str(&history.to_json()).unwrap(),
        );
    }
    Value::Object(out)
}

fn run_step(state: &mut State, step: &Value) -> Option<Value> {
    let op = step["op"].as_str().unwrap();
    let epoch = || u64_field(step, "epoch").unwrap();
    let floor = || u64_field(step, "floor").unwrap();
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
            let highest = u64_field(step, "highest").unwrap_or(0);
            let cap = u64_field(step, "cap");
            state.gate = Some(state.gate(highest, cap, refuse_zero(step)));
            return None;
        }
        "check" => match state.gate.as_ref().unwrap().check(epoch()) {
            Ok(v) => verdict(v),
            Err(e) => err(e),
        },
        "check_and_advance" => match state.gate.as_ref().unwrap().check_and_advance(epoch()) {
            Ok(accepted) => json!({ "accepted": accepted }),
            Err(e) => err(e),
        },
        "promote" => epoch_of(state.gate.as_ref().unwrap().promote()),
        "promote_to_at_least" => {
            epoch_of(state.gate.as_ref().unwrap().promote_to_at_least(floor()))
        }
        "highest" => json!({"highest": state.gate.as_ref().unwrap().highest().to_string()}),
        "holder_gate" => {
            let highest = u64_field(step, "highest").unwrap_or(0);
            let holder = step.get("holder").map(text);
            let (cap, zero) = (u64_field(step, "cap"), refuse_zero(step));
            let gate = holder
                .as_ref()
                .map(as_str)
                .transpose()
                .and_then(|holder| state.holder_gate(highest, holder, cap, zero));
            match gate {
                Ok(gate) => state.holder = Some(gate),
                Err(e) => return Some(err(e)),
            }
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
        "holder_check_and_advance" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            match as_str(&holder).and_then(|h| gate.check_and_advance(epoch(), h)) {
                Ok(accepted) => json!({ "accepted": accepted }),
                Err(e) => err(e),
            }
        }
        "holder_promote" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            epoch_of(as_str(&holder).and_then(|h| gate.promote(h)))
        }
        "holder_promote_to_at_least" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            epoch_of(as_str(&holder).and_then(|h| gate.promote_to_at_least(floor(), h)))
        }
        "holder_close" | "holder_adopt" => {
            let holder = text(&step["holder"]);
            let gate = state.holder.as_ref().unwrap();
            let verdict_of = |h: &str| match op {
                "holder_close" => gate.close(epoch(), h),
                _ => gate.adopt(epoch(), h),
            };
            match as_str(&holder).and_then(verdict_of) {
                Ok(v) => verdict(v),
                Err(e) => err(e),
            }
        }
        "holder_state" => {
            let gate = state.holder.as_ref().unwrap();
            let (highest, holder) = gate.state();
            json!({"highest": highest.to_string(), "holder": holder, "closed": gate.closed()})
        }
        "registry" => {
            let cap = u64_field(step, "cap");
            state.registry = Some(state.registry(cap, refuse_zero(step)));
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
        "registry_check_and_advance" => {
            let s = stream();
            let r = state.registry.as_ref().unwrap();
            match as_str(&s).and_then(|s| r.check_and_advance(s, epoch())) {
                Ok(accepted) => json!({ "accepted": accepted }),
                Err(e) => err(e),
            }
        }
        "registry_contains" => {
            let s = stream();
            let r = state.registry.as_ref().unwrap();
            match as_str(&s).map(|s| r.contains(s)) {
                Ok(contains) => json!({ "contains": contains }),
                Err(e) => err(e),
            }
        }
        "registry_promote"
        | "registry_promote_to_at_least"
        | "registry_highest"
        | "registry_remove" => {
            let s = stream();
            let r = state.registry.as_ref().unwrap();
            let (key, result) = match op {
                "registry_highest" => ("highest", as_str(&s).and_then(|s| r.highest(s))),
                "registry_remove" => ("highest", as_str(&s).and_then(|s| r.remove(s))),
                "registry_promote" => ("epoch", as_str(&s).and_then(|s| r.promote(s))),
                _ => (
                    "epoch",
                    as_str(&s).and_then(|s| r.promote_to_at_least(s, floor())),
                ),
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
                let text = decisions_to_json(&d);
                let view = View::from_json(&view_text(step)).unwrap();
                let policy = Policy::from_json(&policy_text(step)).unwrap();
                assert_eq!(
                    elect_leaders_to_json(&view, &policy).unwrap(),
                    text,
                    "written as decided, the same text"
                );
                let all: Value = serde_json::from_str(&text).unwrap();
                for (one, element) in d.iter().zip(all.as_array().unwrap()) {
                    let one: Value = serde_json::from_str(&one.to_json()).unwrap();
                    assert_eq!(
                        &one, element,
                        "a decision's JSON is its element of the list"
                    );
                }
                json!({ "decisions": all })
            }
            Err(e) => err(e),
        },
        "transitions" => {
            let policy = policy_text(step);
            let decide = |key: &str| elect_leaders_json(&step[key].to_string(), &policy);
            let (previous, next) = (decide("previous").unwrap(), decide("next").unwrap());
            let events = transitions(&previous, &next).unwrap();
            let text = transitions_json(&decisions_to_json(&previous), &decisions_to_json(&next));
            let all: Value = serde_json::from_str(&text.unwrap()).unwrap();
            for (one, element) in events.iter().zip(all.as_array().unwrap()) {
                let one: Value = serde_json::from_str(&one.to_json()).unwrap();
                assert_eq!(&one, element, "an event's JSON is its element of the list");
            }
            json!({ "events": all })
        }
        "normalize_view" => match View::from_json(&view_text(step)) {
            Ok(v) => json!({"view": serde_json::from_str::<Value>(&v.to_json()).unwrap()}),
            Err(e) => err(e),
        },
        "next_epoch" => {
            let group = text(&step["group"]);
            epoch_of(
                View::from_json(&view_text(step))
                    .and_then(|v| as_str(&group).and_then(|g| next_epoch(&v, g))),
            )
        }
        "history" => {
            let history = match (step.get("entries"), step.get("json")) {
                (Some(entries), None) => history_of(entries),
                (None, Some(Value::String(json))) => EpochHistory::from_json(json),
                (None, None) => Ok(EpochHistory::new()),
                _ => panic!("a history step has `entries` or `json`, not both"),
            };
            match history {
                Ok(h) => state.history = Some(state.history(h)),
                Err(e) => return Some(err(e)),
            }
            return None;
        }
        "history_assign" => {
            let holder = step.get("holder").map(text);
            let h = state.history.as_mut().unwrap();
            let start = u64_field(step, "start_offset").unwrap();
            let assigned = holder
                .as_ref()
                .map(as_str)
                .transpose()
                .and_then(|holder| h.assign(epoch(), start, holder));
            assigned.map_or_else(err, |changed| json!({ "changed": changed }))
        }
        "history_truncate_from_end" | "history_truncate_from_start" => {
            let offset = u64_field(step, "offset").unwrap();
            let h = state.history.as_mut().unwrap();
            let changed = if op == "history_truncate_from_end" {
                h.truncate_from_end(offset)
            } else {
                h.truncate_from_start(offset)
            };
            changed.map_or_else(err, |changed| json!({ "changed": changed }))
        }
        "history_end_offset_for" => {
            let log_end = u64_field(step, "log_end").unwrap();
            match state
                .history
                .as_ref()
                .unwrap()
                .end_offset_for(epoch(), log_end)
            {
                Ok(Some((e, end))) => {
                    json!({"epoch": e.to_string(), "end_offset": end.to_string()})
                }
                Ok(None) => json!({"epoch": null, "end_offset": null}),
                Err(e) => err(e),
            }
        }
        "history_latest_epoch" => {
            let latest = state.history.as_ref().unwrap().latest_epoch();
            json!({"epoch": latest.map(|e| e.to_string())})
        }
        "divergence_point" => {
            let end = |key| u64_field(step, key).unwrap();
            let point = history_of(&step["leader"]).and_then(|leader| {
                let follower = history_of(&step["follower"])?;
                let point = divergence_point(
                    &leader,
                    end("leader_log_end"),
                    &follower,
                    end("follower_log_end"),
                )?;
                let swapped = divergence_point(
                    &follower,
                    end("follower_log_end"),
                    &leader,
                    end("leader_log_end"),
                );
                assert_eq!(swapped, Ok(point), "the divergence point is symmetric");
                Ok(point)
            });
            point.map_or_else(err, |offset| json!({"offset": offset.to_string()}))
        }
        "follower_step" => {
            let end = u64_field(step, "follower_log_end").unwrap();
            let answer = match &step["answer"] {
                Value::Null => None,
                Value::Array(pair) => {
                    let at = |i: usize| parse_u64(pair[i].as_str().unwrap()).unwrap();
                    Some((at(0), at(1)))
                }
                other => panic!("an answer is null or [epoch, end], not {other}"),
            };
            let truncation =
                history_of(&step["follower"]).and_then(|f| follower_step(&f, end, answer));
            truncation.map_or_else(
                err,
                |t| json!({"offset": t.offset.to_string(), "done": t.done}),
            )
        }
        "votes" => {
            // Claimants' tokens over a group's fresh holder gates, in order; then, for each
            // token (in order of first appearance), whether its reign is established by the
            // latest verdict each gate gave it.
            let gates: Vec<HolderFencer> = (0..step["gates"].as_u64().unwrap())
                .map(|_| HolderFencer::new())
                .collect();
            let configured = u64_field(step, "configured").unwrap();
            let mut codes = Vec::new();
            // Per token (epoch, holder), the latest verdict from each gate.
            type Answers = Vec<((u64, String), Vec<Option<Verdict>>)>;
            let mut answers: Answers = Vec::new();
            for token in step["tokens"].as_array().unwrap() {
                let gate = token[0].as_u64().unwrap() as usize;
                let epoch = parse_u64(token[1].as_str().unwrap()).unwrap();
                let holder = token[2].as_str().unwrap().to_owned();
                let verdict = gates[gate].check(epoch, &holder).unwrap();
                codes.push(verdict.code());
                let key = (epoch, holder);
                let at = match answers.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        answers.push((key, vec![None; gates.len()]));
                        answers.len() - 1
                    }
                };
                answers[at].1[gate] = Some(verdict);
            }
            let established: Vec<Value> = answers
                .iter()
                .map(|((epoch, holder), latest)| {
                    let verdicts: Vec<Verdict> = latest.iter().flatten().cloned().collect();
                    json!([
                        epoch.to_string(),
                        holder,
                        established(*epoch, &verdicts, configured)
                    ])
                })
                .collect();
            json!({"verdicts": codes, "established": established})
        }
        other => panic!("unknown op {other:?}"),
    })
}

/// Run one case against gates of `kind`; whether it passed (failures are pushed).
fn run_case(case: &Value, kind: Kind, failures: &mut Vec<String>) -> bool {
    let name = case["name"].as_str().unwrap();
    let mut state = State {
        kind,
        gate: None,
        holder: None,
        registry: None,
        history: None,
        files: 0,
        dir: Scratch::new(name),
    };
    for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
        let got = run_step(&mut state, step);
        let want = step.get("expect");
        let mut fail = |what: &str, want: Option<&Value>, got: Option<Value>| {
            failures.push(format!(
                "{name} ({kind:?}) step {i} ({}) {what}: expected {}, got {}",
                step["op"],
                want.map_or("nothing".into(), Value::to_string),
                got.map_or("nothing".into(), |v| v.to_string())
            ));
        };
        if got.as_ref() != want {
            fail("result", want, got);
            return false;
        }
        let held = state_json(&state);
        let held = (held != json!({})).then_some(held);
        if held.as_ref() != step.get("state") {
            fail("state", step.get("state"), held);
            return false;
        }
    }
    true
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
        let mut ok = true;
        for kind in [Kind::Memory, Kind::File] {
            ok &= run_case(case, kind, &mut failures);
        }
        if ok {
            passed += 1;
        }
    }
    println!(
        "conformance: {passed} cases passed (each with gates in memory and in files), {} failed, {skipped} not expressible in Rust",
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
        // of u64 range, C's "no leader" and "no answer") are covered by each front's bad-input suite; STORAGE
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
                | Status::UndefinedEpoch
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
