// The bad-input matrix of SEMANTICS.md §13 (tests/bad_inputs.json), one test per row: every row
// the JS front can express throws exactly the row's error type with the row's `code`, and changes
// nothing; rows JS cannot express are skipped with the data file's reason. (inputs.test.mjs holds
// more JS-specific cases.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const tael = createRequire(import.meta.url)("../pkg/node.cjs");
const data = JSON.parse(readFileSync(path.join(here, "../../../tests/bad_inputs.json"), "utf8"));
const FRONT = "js";
const MIN_ROWS = 25;

// A value of the data file as the JavaScript value it stands for.
function value(v) {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(value);
  if ("utf16" in v) return String.fromCharCode(...v.utf16.map((u) => parseInt(u, 16)));
  if ("repeat" in v) return v.repeat.repeat(v.times);
  if ("concat" in v) {
    const parts = v.concat.map(value);
    assert.ok(parts.every((p) => typeof p === "string"), JSON.stringify(v));
    return parts.join("");
  }
  if ("value" in v) return v.value;
  if ("int" in v) return BigInt(v.int);
  if ("float" in v) return Number(v.float);
  throw new Error(`the js front cannot express ${JSON.stringify(v)}`);
}

// A u64 argument: decimal text is the bigint it spells; other forms are what they say.
function number(step, key, fallback) {
  if (!(key in step)) return fallback;
  const v = step[key];
  return typeof v === "string" ? BigInt(v) : value(v);
}

// A u64 inside a value: decimal text is the bigint it spells.
const u64Value = (v) => (typeof v === "string" ? BigInt(v) : value(v));

// A history's entries: each `[epoch, start, holder?]` with u64s as bigints; any other form is
// what it says.
function entries(v) {
  if (!Array.isArray(v)) return value(v);
  return v.map((e) => (Array.isArray(e) ? e.map((x, i) => (i < 2 ? u64Value(x) : value(x))) : value(e)));
}

// The leader's answer to a follower step: `[epoch, end]`, null, or what it says.
const answer = (v) => (Array.isArray(v) ? v.map(u64Value) : v === null ? null : value(v));

function fresh() {
  return {
    gate: new tael.EpochFencer(undefined, undefined, { counters: true }),
    holder: new tael.HolderFencer(undefined, undefined, { counters: true }),
    registry: new tael.FenceRegistry(undefined, { counters: true }),
    history: new tael.EpochHistory(),
  };
}

function summary(state) {
  return [
    state.gate.highest,
    state.holder.highest,
    state.holder.holder,
    state.holder.closed,
    state.registry.snapshot(),
    JSON.stringify(state.history),
    // A refused call is no verdict: it is not counted.
    ...[state.gate, state.holder, state.registry].map((g) => g.counters()),
  ];
}

// A creating step's options: `refuse_zero`, and counters on (a refused call must count nothing).
const options = (step) => ({ refuseZero: "refuse_zero" in step ? step.refuse_zero : undefined, counters: true });

function run(state, step) {
  for (const modifier of ["length", "handle", "out", "buffer"]) {
    assert.ok(!(modifier in step), `the js front cannot express ${modifier}`);
  }
  switch (step.op) {
    case "elect":
      return tael.electLeader(value(step.ids));
    case "gate":
      state.gate = new tael.EpochFencer(number(step, "highest", undefined), number(step, "cap", undefined), options(step));
      return undefined;
    case "check":
      return state.gate.check(number(step, "epoch"));
    case "promote":
      return state.gate.promote();
    case "promote_to_at_least":
      return state.gate.promoteToAtLeast(number(step, "floor"));
    case "holder_gate":
      state.holder =
        "holder" in step
          ? tael.HolderFencer.withHolder(number(step, "highest", 0n), value(step.holder), undefined, options(step))
          : new tael.HolderFencer(number(step, "highest", undefined), undefined, options(step));
      return undefined;
    case "holder_check":
      return state.holder.check(number(step, "epoch"), value(step.holder));
    case "holder_check_and_advance":
      return state.holder.checkAndAdvance(number(step, "epoch"), value(step.holder));
    case "holder_promote":
      return state.holder.promote(value(step.holder));
    case "holder_promote_to_at_least":
      return state.holder.promoteToAtLeast(number(step, "floor"), value(step.holder));
    case "holder_close":
      return state.holder.close(number(step, "epoch"), value(step.holder));
    case "holder_adopt":
      return state.holder.adopt(number(step, "epoch"), value(step.holder));
    case "registry":
      state.registry = new tael.FenceRegistry(number(step, "cap", undefined), options(step));
      return undefined;
    case "registry_add":
      return state.registry.add(value(step.stream), number(step, "highest", undefined));
    case "registry_check":
      return state.registry.check(value(step.stream), number(step, "epoch"));
    case "registry_check_and_advance":
      return state.registry.checkAndAdvance(value(step.stream), number(step, "epoch"));
    case "registry_promote":
      return state.registry.promote(value(step.stream));
    case "registry_promote_to_at_least":
      return state.registry.promoteToAtLeast(value(step.stream), number(step, "floor"));
    case "registry_contains":
      return state.registry.contains(value(step.stream));
    case "registry_remove":
      return state.registry.remove(value(step.stream));
    case "registry_restore":
      return state.registry.restore(value(step.snapshot));
    case "decide":
      return "policy" in step ? tael.electLeaders(value(step.view), value(step.policy)) : tael.electLeaders(value(step.view));
    case "normalize_view":
      return tael.normalizeView(value(step.view));
    case "next_epoch":
      return tael.nextEpoch(value(step.view), value(step.group));
    case "history":
      state.history = "json" in step ? tael.EpochHistory.fromJSON(value(step.json)) : new tael.EpochHistory(entries(step.entries));
      return undefined;
    case "history_assign":
      return state.history.assign(number(step, "epoch"), number(step, "start_offset"), "holder" in step ? value(step.holder) : undefined);
    case "history_truncate_from_end":
      return state.history.truncateFromEnd(number(step, "offset"));
    case "history_truncate_from_start":
      return state.history.truncateFromStart(number(step, "offset"));
    case "history_end_offset_for":
      return state.history.endOffsetFor(number(step, "epoch"), number(step, "log_end"));
    case "divergence_point":
      return tael.divergencePoint(entries(step.leader), number(step, "leader_log_end"), entries(step.follower), number(step, "follower_log_end"));
    case "follower_step":
      return tael.followerStep(entries(step.follower), number(step, "follower_log_end"), answer(step.answer));
    case "transitions":
      // JavaScript's transitions takes decision arrays: the row's JSON text, parsed.
      return tael.transitions(JSON.parse(value(step.previous)), JSON.parse(value(step.next)));
    case "established":
      return tael.established(number(step, "epoch"), value(step.verdicts), number(step, "configured"));
    default:
      throw new Error(`the js front has no op ${step.op}`);
  }
}

for (const row of data.rows) {
  const code = row.expect[FRONT];
  const skip = typeof code === "string" ? false : `n/a: ${code.na}`;
  test(`bad input: ${row.name}`, { skip }, () => {
    const type = data.js_types[code] ?? data.js_types["*"];
    const state = fresh();
    for (const step of row.setup ?? []) run(state, step);
    const before = summary(state);
    assert.throws(
      () => run(state, row.call),
      (e) => {
        assert.ok(e instanceof Error, `not an Error: ${e}`);
        assert.equal(e.constructor.name, type, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.code, code, e.message);
        return true;
      },
    );
    assert.deepEqual(summary(state), before, "a refused call changes nothing");
  });
}

test("bad inputs: the JS front expresses enough rows", () => {
  const expressed = data.rows.filter((row) => typeof row.expect[FRONT] === "string");
  assert.ok(expressed.length >= MIN_ROWS, `${expressed.length} rows`);
});
