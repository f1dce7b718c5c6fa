"use strict";
// A slice of the conformance corpus (tests/vectors/*.json) for the package test: every case the
// JavaScript front can express whose steps are all elections, epoch-gate steps, decisions of
// views, normalized views or next epochs — run against the package as the caller loaded it
// (`import` or `require`), each step's result and the gate's state compared with the corpus's.
const assert = require("node:assert/strict");
const { readdirSync, readFileSync } = require("node:fs");
const path = require("node:path");

const OPS = new Set(["elect", "gate", "check", "check_and_advance", "promote", "promote_to_at_least", "highest", "decide", "normalize_view", "next_epoch"]);

function text(v) {
  if (typeof v === "string") return v;
  if (v && Array.isArray(v.utf16)) return String.fromCharCode(...v.utf16.map((u) => parseInt(u, 16)));
  throw new Error(`not expressible in JavaScript: ${JSON.stringify(v)}`);
}
const u64 = (s) => (s === undefined ? undefined : BigInt(s));
const str = (b) => b.toString();
const viewText = (s) => (s.view_text !== undefined ? s.view_text : JSON.stringify(s.view));
const policyOf = (s) => (s.policy_text !== undefined ? s.policy_text : s.policy);

function attempt(f) {
  try {
    return f();
  } catch (e) {
    if (typeof e.code !== "string") throw e;
    return { error: e.code };
  }
}

function verdict(v) {
  const out = { code: v.code, accepted: v.accepted, epoch: str(v.epoch), highest: str(v.highest) };
  if (v.from !== undefined) out.from = str(v.from);
  if (v.cap !== undefined) out.cap = str(v.cap);
  if (v.holder !== undefined) out.holder = v.holder;
  return out;
}

function step(tael, state, s) {
  switch (s.op) {
    case "elect":
      return attempt(() => {
        const ids = s.ids.map(text);
        const leader = tael.electLeader(ids);
        return leader === undefined ? { leader: null, index: null } : { leader, index: ids.indexOf(leader) };
      });
    case "gate":
      return attempt(() => {
        state.gate = new tael.EpochFencer(u64(s.highest), u64(s.cap), { refuseZero: s.refuse_zero });
      });
    case "check":
      return attempt(() => verdict(state.gate.check(u64(s.epoch))));
    case "check_and_advance":
      return attempt(() => ({ accepted: state.gate.checkAndAdvance(u64(s.epoch)) }));
    case "promote":
      return attempt(() => ({ epoch: str(state.gate.promote()) }));
    case "promote_to_at_least":
      return attempt(() => ({ epoch: str(state.gate.promoteToAtLeast(u64(s.floor))) }));
    case "highest":
      return { highest: str(state.gate.highest) };
    case "decide":
      return attempt(() => ({ decisions: tael.electLeaders(viewText(s), policyOf(s)) }));
    case "normalize_view":
      return attempt(() => ({ view: JSON.parse(tael.normalizeView(viewText(s))) }));
    case "next_epoch":
      return attempt(() => ({ epoch: str(tael.nextEpoch(viewText(s), text(s.group))) }));
    default:
      throw new Error(`not in the slice: ${s.op}`);
  }
}

function stateOf(state) {
  if (!state.gate) return undefined;
  const cap = state.gate.jumpCap;
  return { gate: { highest: str(state.gate.highest), jump_cap: cap === undefined ? null : str(cap), refuses_zero: state.gate.refusesEpochZero } };
}

/** Runs the slice against `tael`; throws at the first difference. Returns {cases, steps, ops}. */
function runSlice(tael, vectors) {
  const cases = readdirSync(vectors)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(path.join(vectors, f), "utf8")).cases)
    .filter((c) => (!c.fronts || c.fronts.includes("js")) && c.steps.every((s) => OPS.has(s.op)));
  let steps = 0;
  const ops = new Set();
  for (const c of cases) {
    const state = {};
    try {
      c.steps.forEach((s, i) => {
        const result = step(tael, state, s);
        assert.deepEqual(result, s.expect, `${c.name}, step ${i} (${s.op})`);
        assert.deepEqual(stateOf(state), s.state, `${c.name}, step ${i} (${s.op}): state`);
        steps++;
        ops.add(s.op);
      });
    } finally {
      state.gate?.free();
    }
  }
  assert.ok(cases.length >= 100, `only ${cases.length} corpus cases in the slice`);
  assert.ok(["elect", "check", "decide"].every((op) => ops.has(op)), "the slice elects, checks and decides");
  return { cases: cases.length, steps, ops: [...ops].sort() };
}

/** A view whose smallest id is down: the leader must be node-b. */
const VIEW = JSON.stringify({
  groups: { "wal-0": { members: [{ id: "node-c", live: true }, { id: "node-b", live: true }, { id: "node-a", live: false }] } },
});

module.exports = { runSlice, VIEW };
