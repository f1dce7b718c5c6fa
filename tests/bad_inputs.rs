//! The bad-input matrix (`tests/bad_inputs.json`, SEMANTICS.md §13) through the Rust API: every
//! row the Rust front can express fails with exactly its status. And the table in SEMANTICS.md
//! is exactly the data file's rows, so the table, the data and the four fronts' tests (the C,
//! Python and Node suites read the same file) cannot drift apart.

use std::fs;
use std::path::Path;

use serde_json::Value;
use tael_coord::{
    divergence_point, elect_leaders_json, follower_step, next_epoch, parse_u64, transitions_json,
    try_elect_leader, validate_id, validate_id_bytes, EpochEntry, EpochFencer, EpochGate,
    EpochHistory, FenceRegistry, GateRegistry, HolderFencer, HolderGate, RefuseZero, Snapshot,
    Status, View,
};

const FRONT: &str = "rust";
const FRONTS: [&str; 4] = ["rust", "c", "python", "js"];
/// Every front must express at least this many rows.
const MIN_ROWS_PER_FRONT: usize = 25;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> Value {
    let text = fs::read_to_string(root().join("tests/bad_inputs.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rows(data: &Value) -> &Vec<Value> {
    data["rows"].as_array().expect("rows")
}

/// A text argument as the Rust API can take it: a `&str`, or bytes (only `validate_id_bytes`
/// takes bytes).
enum Text {
    Str(String),
    Bytes(Vec<u8>),
}

fn hex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

fn text(v: &Value) -> Text {
    match v {
        Value::String(s) => Text::Str(s.clone()),
        Value::Object(o) if o.contains_key("hex") => Text::Bytes(hex(o["hex"].as_str().unwrap())),
        Value::Object(o) if o.contains_key("repeat") => {
            let times = o["times"].as_u64().unwrap() as usize;
            Text::Str(o["repeat"].as_str().unwrap().repeat(times))
        }
        Value::Object(o) if o.contains_key("concat") => {
            let mut bytes = Vec::new();
            for part in o["concat"].as_array().unwrap() {
                match text(part) {
                    Text::Str(s) => bytes.extend(s.as_bytes()),
                    Text::Bytes(b) => bytes.extend(b),
                }
            }
            match String::from_utf8(bytes) {
                Ok(s) => Text::Str(s),
                Err(e) => Text::Bytes(e.into_bytes()),
            }
        }
        other => panic!("the rust front cannot express the text {other}"),
    }
}

fn str_arg(v: &Value) -> String {
    match text(v) {
        Text::Str(s) => s,
        Text::Bytes(_) => panic!("this Rust function takes &str, not bytes: {v}"),
    }
}

fn u64_arg(step: &Value, key: &str) -> Option<u64> {
    step.get(key).map(|v| {
        let s = v
            .as_str()
            .unwrap_or_else(|| panic!("the rust front cannot express {v}"));
        parse_u64(s).unwrap()
    })
}

/// A row's gates, fresh for each row (a setup step may replace one).
struct State {
    gate: Box<dyn EpochGate>,
    holder: Box<dyn HolderGate>,
    registry: Box<dyn GateRegistry>,
    history: EpochHistory,
}

impl Default for State {
    fn default() -> Self {
        State {
            gate: Box::new(EpochFencer::new()),
            holder: Box::new(HolderFencer::new()),
            registry: Box::new(FenceRegistry::new()),
            history: EpochHistory::new(),
        }
    }
}

/// A step's `refuse_zero` (default false).
fn refuse_zero(step: &Value) -> bool {
    step.get("refuse_zero").is_some_and(|v| v == true)
}

impl State {
    /// Everything a refused call must leave as it was.
    fn summary(&self) -> (u64, (u64, Option<String>), bool, String, String) {
        (
            self.gate.highest(),
            self.holder.state(),
            self.holder.closed(),
            self.registry.snapshot().to_json(),
            self.history.to_json(),
        )
    }
}

/// A history from entries `[epoch, start]` or `[epoch, start, holder]`.
fn history(entries: &Value) -> tael_coord::Result<EpochHistory> {
    let entries = entries
        .as_array()
        .expect("the rust front cannot express these entries");
    EpochHistory::from_entries(
        entries
            .iter()
            .map(|e| {
                let u64_at = |i: usize| parse_u64(&str_arg(&e[i])).unwrap();
                EpochEntry {
                    epoch: u64_at(0),
                    start_offset: u64_at(1),
                    holder: e.get(2).map(str_arg),
                }
            })
            .collect(),
    )
}

/// Runs one step; `Err` carries the status it failed with.
fn run(state: &mut State, step: &Value) -> Result<(), Status> {
    for modifier in ["length", "handle", "out", "buffer"] {
        assert!(
            step.get(modifier).is_none(),
            "the rust front cannot express {modifier}"
        );
    }
    let status = |e: tael_coord::Error| e.status();
    let op = step["op"].as_str().unwrap();
    match op {
        "elect" => {
            let ids: Vec<String> = step["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(str_arg)
                .collect();
            try_elect_leader(&ids).map(drop).map_err(status)
        }
        "validate_id" => match text(&step["id"]) {
            Text::Str(s) => validate_id(&s).map_err(status),
            Text::Bytes(b) => validate_id_bytes(&b).map(drop).map_err(status),
        },
        "parse_u64" => parse_u64(&str_arg(&step["text"])).map(drop).map_err(status),
        "gate" => {
            let gate = EpochFencer::with_highest(u64_arg(step, "highest").unwrap_or(0))
                .with_jump_cap(u64_arg(step, "cap"));
            state.gate = match refuse_zero(step) {
                true => Box::new(RefuseZero(gate)),
                false => Box::new(gate),
            };
            Ok(())
        }
        "registry" => {
            let registry = FenceRegistry::new().with_jump_cap(u64_arg(step, "cap"));
            state.registry = match refuse_zero(step) {
                true => Box::new(RefuseZero(registry)),
                false => Box::new(registry),
            };
            Ok(())
        }
        "check" => {
            let epoch = u64_arg(step, "epoch").unwrap();
            state.gate.check(epoch).map(drop).map_err(status)
        }
        "promote" => state.gate.promote().map(drop).map_err(status),
        "promote_to_at_least" => state
            .gate
            .promote_to_at_least(u64_arg(step, "floor").unwrap())
            .map(drop)
            .map_err(status),
        "holder_gate" => {
            let highest = u64_arg(step, "highest").unwrap_or(0);
            let holder = step.get("holder").map(str_arg);
            let gate = HolderFencer::with_holder(highest, holder.as_deref()).map_err(status)?;
            state.holder = match refuse_zero(step) {
                true => Box::new(RefuseZero(gate)),
                false => Box::new(gate),
            };
            Ok(())
        }
        "holder_check" => {
            let epoch = u64_arg(step, "epoch").unwrap();
            state
                .holder
                .check(epoch, &str_arg(&step["holder"]))
                .map(drop)
                .map_err(status)
        }
        "holder_check_and_advance" => {
            let epoch = u64_arg(step, "epoch").unwrap();
            state
                .holder
                .check_and_advance(epoch, &str_arg(&step["holder"]))
                .map(drop)
                .map_err(status)
        }
        "holder_close" | "holder_adopt" => {
            let epoch = u64_arg(step, "epoch").unwrap();
            let holder = str_arg(&step["holder"]);
            match op {
                "holder_close" => state.holder.close(epoch, &holder),
                _ => state.holder.adopt(epoch, &holder),
            }
            .map(drop)
            .map_err(status)
        }
        "transitions" => transitions_json(&str_arg(&step["previous"]), &str_arg(&step["next"]))
            .map(drop)
            .map_err(status),
        "holder_promote" | "holder_promote_to_at_least" => {
            let floor = u64_arg(step, "floor").unwrap_or(0);
            state
                .holder
                .promote_to_at_least(floor, &str_arg(&step["holder"]))
                .map(drop)
                .map_err(status)
        }
        "registry_add"
        | "registry_check"
        | "registry_check_and_advance"
        | "registry_promote"
        | "registry_promote_to_at_least"
        | "registry_remove" => {
            let registry = &state.registry;
            let stream = str_arg(&step["stream"]);
            let epoch = || u64_arg(step, "epoch").unwrap();
            match op {
                "registry_add" => registry.add(&stream, u64_arg(step, "highest").unwrap_or(0)),
                "registry_check" => registry.check(&stream, epoch()).map(drop),
                "registry_check_and_advance" => {
                    registry.check_and_advance(&stream, epoch()).map(drop)
                }
                "registry_remove" => registry.remove(&stream).map(drop),
                _ => {
                    let floor = u64_arg(step, "floor").unwrap_or(0);
                    registry.promote_to_at_least(&stream, floor).map(drop)
                }
            }
            .map_err(status)
        }
        "registry_restore" => {
            let snapshot = Snapshot::from_json(&str_arg(&step["snapshot"])).map_err(status)?;
            state.registry.restore(&snapshot).map_err(status)
        }
        "decide" => {
            let policy = step.get("policy").map_or_else(|| "{}".to_owned(), str_arg);
            elect_leaders_json(&str_arg(&step["view"]), &policy)
                .map(drop)
                .map_err(status)
        }
        "normalize_view" => View::from_json(&str_arg(&step["view"]))
            .map(drop)
            .map_err(status),
        "next_epoch" => {
            let view = View::from_json(&str_arg(&step["view"])).map_err(status)?;
            next_epoch(&view, &str_arg(&step["group"]))
                .map(drop)
                .map_err(status)
        }
        "history" => {
            state.history = match (step.get("entries"), step.get("json")) {
                (Some(entries), None) => history(entries),
                (None, Some(json)) => EpochHistory::from_json(&str_arg(json)),
                _ => panic!("a history step has `entries` or `json`"),
            }
            .map_err(status)?;
            Ok(())
        }
        "history_assign" => {
            let holder = step.get("holder").map(str_arg);
            let start = u64_arg(step, "start_offset").unwrap();
            let history = &mut state.history;
            history
                .assign(u64_arg(step, "epoch").unwrap(), start, holder.as_deref())
                .map(drop)
                .map_err(status)
        }
        "history_end_offset_for" => {
            let log_end = u64_arg(step, "log_end").unwrap();
            state
                .history
                .end_offset_for(u64_arg(step, "epoch").unwrap(), log_end)
                .map(drop)
                .map_err(status)
        }
        "divergence_point" => {
            let leader = history(&step["leader"]).map_err(status)?;
            let follower = history(&step["follower"]).map_err(status)?;
            let end = |key| u64_arg(step, key).unwrap();
            divergence_point(
                &leader,
                end("leader_log_end"),
                &follower,
                end("follower_log_end"),
            )
            .map(drop)
            .map_err(status)
        }
        "follower_step" => {
            let follower = history(&step["follower"]).map_err(status)?;
            let answer = step["answer"].as_array().map(|pair| {
                let at = |i: usize| parse_u64(&str_arg(&pair[i])).unwrap();
                (at(0), at(1))
            });
            follower_step(
                &follower,
                u64_arg(step, "follower_log_end").unwrap(),
                answer,
            )
            .map(drop)
            .map_err(status)
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn every_row_the_rust_front_can_express_fails_with_its_status() {
    let data = data();
    let (mut ran, mut not_expressible) = (0, 0);
    for row in rows(&data) {
        let name = row["name"].as_str().unwrap();
        let Some(want) = row["expect"][FRONT].as_str() else {
            not_expressible += 1;
            continue;
        };
        let want = Status::from_name(want).unwrap_or_else(|| panic!("{name}: no status {want}"));
        let mut state = State::default();
        for step in row
            .get("setup")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert_eq!(run(&mut state, step), Ok(()), "{name}: setup {step}");
        }
        let before = state.summary();
        assert_eq!(run(&mut state, &row["call"]), Err(want), "{name}");
        assert_eq!(
            state.summary(),
            before,
            "{name}: a refused call changes nothing"
        );
        ran += 1;
    }
    println!("bad-input matrix, rust: {ran} rows passed, {not_expressible} not expressible");
    assert!(ran >= MIN_ROWS_PER_FRONT, "only {ran} rows");
}

/// A table cell for one front: its status (or n/a with the reason), as the front spells it.
fn cell(data: &Value, front: &str, expect: &Value) -> String {
    let Some(code) = expect.as_str() else {
        let why = expect["na"].as_str().expect("a status or {\"na\": reason}");
        return format!("n/a: {why}");
    };
    let status = Status::from_name(code).unwrap_or_else(|| panic!("no status {code}"));
    match front {
        "rust" => format!("`Status::{status:?}`"),
        "c" => format!("`TAEL_STATUS_{code}`"),
        "python" => {
            let class = data["python_classes"][code].as_str();
            format!(
                "`{}` `{code}`",
                class.unwrap_or_else(|| panic!("no class for {code}"))
            )
        }
        _ => {
            let types = &data["js_types"];
            let ty = types[code].as_str().or(types["*"].as_str()).unwrap();
            format!("`{ty}` `{code}`")
        }
    }
}

/// The table of SEMANTICS.md §13 as the data file says it must read.
fn expected_table(data: &Value) -> Vec<String> {
    let mut lines = vec![
        "| input | Rust | C | Python | JS |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for row in rows(data) {
        let mut line = format!(
            "| {} (`{}`) |",
            row["input"].as_str().unwrap(),
            row["name"].as_str().unwrap()
        );
        for front in FRONTS {
            line += &format!(" {} |", cell(data, front, &row["expect"][front]));
        }
        lines.push(line);
    }
    lines
}

#[test]
fn the_semantics_table_is_exactly_the_data_file() {
    let data = data();
    let spec = fs::read_to_string(root().join("SEMANTICS.md")).unwrap();
    let mut lines = spec
        .lines()
        .skip_while(|l| !(l.starts_with("## ") && l.contains("Bad inputs")));
    assert!(
        lines.next().is_some(),
        "SEMANTICS.md has no \"Bad inputs\" section"
    );
    let table: Vec<String> = lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect();
    let want = expected_table(&data);
    if table != want {
        let missing: Vec<_> = want.iter().filter(|l| !table.contains(l)).collect();
        let extra: Vec<_> = table.iter().filter(|l| !want.contains(l)).collect();
        panic!(
            "the table in SEMANTICS.md differs from tests/bad_inputs.json\n\
             rows the data has and the table lacks (or has otherwise):\n{}\n\
             rows the table has and the data lacks:\n{}\n\
             the whole table, from the data:\n{}",
            missing
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            extra
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            want.join("\n")
        );
    }
}

#[test]
fn every_front_expresses_enough_rows_and_names_are_unique() {
    let data = data();
    let rows = rows(&data);
    let mut names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "row names are unique");
    for front in FRONTS {
        let n = rows
            .iter()
            .filter(|r| r["expect"][front].is_string())
            .count();
        assert!(n >= MIN_ROWS_PER_FRONT, "{front} expresses only {n} rows");
        for r in rows {
            let e = &r["expect"][front];
            assert!(
                e.is_string() || e["na"].as_str().is_some_and(|w| !w.is_empty()),
                "{}: {front} needs a status or a reason why not",
                r["name"]
            );
        }
    }
}
