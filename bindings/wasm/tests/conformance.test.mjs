// Runs every case of the conformance corpus (tests/vectors/*.json) against the Node build: each
// step's result and, after it, the state of the case's gates, registry and epoch history. Every
// gate and registry is made with the `counters` option as well, and after every step its
// counters must have counted exactly that step's verdict (a check's code; one accepted or
// rejected verdict for checkAndAdvance; nothing for anything else).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const tael = createRequire(import.meta.url)("../pkg/node.cjs");
const vectors = path.join(here, "../../../tests/vectors");
const FRONT = "js";

const cases = readdirSync(vectors)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(path.join(vectors, f), "utf8")).cases);

// A text input: a JSON string, or UTF-16 code units that may hold a lone surrogate.
function text(v) {
  if (typeof v === "string") return v;
  if (v && Array.isArray(v.utf16)) return String.fromCharCode(...v.utf16.map((u) => parseInt(u, 16)));
  throw new Error(`the js front cannot express ${JSON.stringify(v)}`);
}

const u64 = (s) => (s === undefined ? undefined : BigInt(s));
const str = (b) => b.toString();

function verdict(v) {
  const out = { code: v.code, accepted: v.accepted, epoch: str(v.epoch), highest: str(v.highest) };
  if (v.from !== undefined) out.from = str(v.from);
  if (v.cap !== undefined) out.cap = str(v.cap);
  if (v.holder !== undefined) out.holder = v.holder;
  // The package's own JSON form must say the same.
  assert.deepEqual(v.toJSON(), out);
  return out;
}

function attempt(f) {
  try {
    return f();
  } catch (e) {
    if (typeof e.code !== "string") throw e;
    return { error: e.code };
  }
}

// A history's entries as the corpus writes them (u64s as decimal text), as JavaScript arrays.
const entriesOf = (entries) => entries?.map(([epoch, start, ...holder]) => [u64(epoch), u64(start), ...holder.map(text)]);

// The same step through arrays of entries and through EpochHistory objects: the same answer.
function bothForms(f, ...histories) {
  const viaArrays = attempt(() => f(...histories));
  const viaObjects = attempt(() => {
    const objects = [];
    try {
      for (const h of histories) objects.push(new tael.EpochHistory(h));
      return f(...objects);
    } finally {
      for (const o of objects) o.free();
    }
  });
  assert.deepEqual(viaObjects, viaArrays, "an EpochHistory answers as its entries do");
  return viaArrays;
}

// A creating step's options: the corpus's `refuse_zero`, and counters on (checked after each step).
const options = (s) => ({ refuseZero: s.refuse_zero, counters: true });

const viewText = (s) => (s.view_text !== undefined ? s.view_text : JSON.stringify(s.view));
const policyOf = (s) => (s.policy_text !== undefined ? s.policy_text : s.policy);

function run(state, s) {
  switch (s.op) {
    case "elect":
      return attempt(() => {
        const ids = s.ids.map(text);
        const leader = tael.electLeader(ids);
        return leader === undefined ? { leader: null, index: null } : { leader, index: ids.indexOf(leader) };
      });
    case "gate":
      state.gate = new tael.EpochFencer(u64(s.highest), u64(s.cap), options(s));
      return undefined;
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
    case "holder_gate":
      if (s.holder === undefined) {
        state.holder = new tael.HolderFencer(u64(s.highest), u64(s.cap), options(s));
        return undefined;
      }
      return attempt(() => {
        state.holder = tael.HolderFencer.withHolder(u64(s.highest ?? "0"), text(s.holder), u64(s.cap), options(s));
        return undefined;
      });
    case "holder_check":
      return attempt(() => verdict(state.holder.check(u64(s.epoch), text(s.holder))));
    case "holder_check_and_advance":
      return attempt(() => ({ accepted: state.holder.checkAndAdvance(u64(s.epoch), text(s.holder)) }));
    case "holder_promote":
      return attempt(() => ({ epoch: str(state.holder.promote(text(s.holder))) }));
    case "holder_promote_to_at_least":
      return attempt(() => ({ epoch: str(state.holder.promoteToAtLeast(u64(s.floor), text(s.holder))) }));
    case "holder_close":
      return attempt(() => verdict(state.holder.close(u64(s.epoch), text(s.holder))));
    case "holder_adopt":
      return attempt(() => verdict(state.holder.adopt(u64(s.epoch), text(s.holder))));
    case "holder_state": {
      const { highest, holder } = state.holder.state;
      assert.equal(highest, state.holder.highest);
      assert.equal(holder, state.holder.holder);
      return { highest: str(highest), holder: holder ?? null, closed: state.holder.closed };
    }
    case "registry":
      state.registry = new tael.FenceRegistry(u64(s.cap), options(s));
      return undefined;
    case "registry_add":
      return attempt(() => (state.registry.add(text(s.stream), u64(s.highest)), { ok: true }));
    case "registry_check":
      return attempt(() => verdict(state.registry.check(text(s.stream), u64(s.epoch))));
    case "registry_check_and_advance":
      return attempt(() => ({ accepted: state.registry.checkAndAdvance(text(s.stream), u64(s.epoch)) }));
    case "registry_promote":
      return attempt(() => ({ epoch: str(state.registry.promote(text(s.stream))) }));
    case "registry_promote_to_at_least":
      return attempt(() => ({ epoch: str(state.registry.promoteToAtLeast(text(s.stream), u64(s.floor))) }));
    case "registry_contains":
      return attempt(() => ({ contains: state.registry.contains(text(s.stream)) }));
    case "registry_highest":
      return attempt(() => ({ highest: str(state.registry.highest(text(s.stream))) }));
    case "registry_remove":
      return attempt(() => ({ highest: str(state.registry.remove(text(s.stream))) }));
    case "registry_snapshot":
      return { snapshot: JSON.parse(state.registry.snapshot()) };
    case "registry_restore":
      return attempt(() => (state.registry.restore(s.snapshot), { ok: true }));
    case "decide":
      return attempt(() => ({ decisions: tael.electLeaders(viewText(s), policyOf(s)) }));
    case "transitions": {
      const previous = tael.electLeaders(JSON.stringify(s.previous), s.policy);
      const next = tael.electLeaders(JSON.stringify(s.next), s.policy);
      const events = tael.transitions(previous, next);
      // Decisions written before leader_epoch and claimants existed are read too; the events
      // then lack the epochs (and a change of epoch alone is no change).
      const old = (ds) => ds.map(({ leader_epoch, claimants, ...d }) => d);
      const withoutEpochs = tael.transitions(old(previous), old(next));
      assert.deepEqual(
        withoutEpochs,
        events
          .map((e) => ({ ...e, epoch: null, previous_epoch: null }))
          .filter((e) => e.event !== "changed" || e.leader !== e.previous || e.generation !== e.previous_generation),
        "events of decisions without leader_epoch",
      );
      return { events };
    }
    case "normalize_view":
      return attempt(() => ({ view: JSON.parse(tael.normalizeView(viewText(s))) }));
    case "next_epoch":
      return attempt(() => ({ epoch: str(tael.nextEpoch(viewText(s), text(s.group))) }));
    case "history":
      return attempt(() => {
        const history = s.json !== undefined ? tael.EpochHistory.fromJSON(s.json) : new tael.EpochHistory(entriesOf(s.entries));
        state.history?.free();
        state.history = history;
        return undefined;
      });
    case "history_assign":
      return attempt(() => ({
        changed: state.history.assign(u64(s.epoch), u64(s.start_offset), s.holder === undefined ? undefined : text(s.holder)),
      }));
    case "history_truncate_from_end":
      return { changed: state.history.truncateFromEnd(u64(s.offset)) };
    case "history_truncate_from_start":
      return { changed: state.history.truncateFromStart(u64(s.offset)) };
    case "history_end_offset_for":
      return attempt(() => {
        const answer = state.history.endOffsetFor(u64(s.epoch), u64(s.log_end));
        if (answer === undefined) return { epoch: null, end_offset: null };
        assert.ok(Array.isArray(answer) && answer.length === 2, "an answer is [epoch, end]");
        return { epoch: str(answer[0]), end_offset: str(answer[1]) };
      });
    case "history_latest_epoch": {
      const latest = state.history.latestEpoch;
      return { epoch: latest === undefined ? null : str(latest) };
    }
    case "divergence_point": {
      const [leaderEnd, followerEnd] = [u64(s.leader_log_end), u64(s.follower_log_end)];
      const point = bothForms((l, f) => ({ offset: str(tael.divergencePoint(l, leaderEnd, f, followerEnd)) }), entriesOf(s.leader), entriesOf(s.follower));
      const swapped = bothForms((f, l) => ({ offset: str(tael.divergencePoint(f, followerEnd, l, leaderEnd)) }), entriesOf(s.follower), entriesOf(s.leader));
      assert.deepEqual(swapped, point, "the divergence point is symmetric");
      return point;
    }
    case "follower_step": {
      const answer = s.answer === null ? null : s.answer.map(u64);
      return bothForms((f) => {
        const step = tael.followerStep(f, u64(s.follower_log_end), answer);
        assert.deepEqual(Object.keys(step), ["offset", "done"]);
        if (answer === null) assert.deepEqual(tael.followerStep(f, u64(s.follower_log_end), undefined), step, "undefined is null");
        return { offset: str(step.offset), done: step.done };
      }, entriesOf(s.follower));
    }
    case "votes":
      return votes(s);
    default:
      throw new Error(`unknown op ${s.op}`);
  }
}

// Claimants' tokens over fresh holder gates, in order; then, per distinct token (in order of
// first appearance), `established` over the latest Verdict object each gate gave it.
function votes(s) {
  const gates = Array.from({ length: s.gates }, () => new tael.HolderFencer());
  const configured = u64(s.configured);
  const codes = [];
  const tokens = new Map(); // "epoch holder" -> {epoch, holder, latest: one Verdict or undefined per gate}
  try {
    for (const [gate, epoch, holder] of s.tokens) {
      const who = text(holder);
      const verdict = gates[gate].check(u64(epoch), who);
      codes.push(verdict.code);
      const key = JSON.stringify([epoch, who]);
      if (!tokens.has(key)) tokens.set(key, { epoch, holder: who, latest: new Array(gates.length).fill(undefined) });
      const { latest } = tokens.get(key);
      latest[gate]?.free();
      latest[gate] = verdict;
    }
    const established = [...tokens.values()].map(({ epoch, holder, latest }) => {
      const verdicts = latest.filter((v) => v !== undefined);
      const answer = tael.established(u64(epoch), verdicts, configured);
      // The same answer with safe numbers, and over a copy in another order.
      if (BigInt(epoch) <= BigInt(Number.MAX_SAFE_INTEGER) && configured <= BigInt(Number.MAX_SAFE_INTEGER)) {
        assert.equal(tael.established(Number(epoch), verdicts, Number(configured)), answer, "numbers answer as bigints");
      }
      assert.equal(tael.established(u64(epoch), verdicts.slice().reverse(), configured), answer, "the order of verdicts does not matter");
      return [epoch, holder, answer];
    });
    return { verdicts: codes, established };
  } finally {
    for (const { latest } of tokens.values()) for (const v of latest) v?.free();
    for (const g of gates) g.free();
  }
}

const cap = (c) => (c === undefined ? null : str(c));

// The case's gates, registry and history as the corpus writes their state, read through the package.
function stateOf(state) {
  const out = {};
  if (state.gate) {
    out.gate = { highest: str(state.gate.highest), jump_cap: cap(state.gate.jumpCap), refuses_zero: state.gate.refusesEpochZero };
  }
  if (state.holder) {
    const { highest, holder } = state.holder.state;
    out.holder_gate = {
      highest: str(highest),
      holder: holder ?? null,
      closed: state.holder.closed,
      jump_cap: cap(state.holder.jumpCap),
      refuses_zero: state.holder.refusesEpochZero,
    };
  }
  if (state.registry) {
    out.registry = {
      streams: JSON.parse(state.registry.snapshot()).streams,
      jump_cap: cap(state.registry.jumpCap),
      refuses_zero: state.registry.refusesEpochZero,
    };
  }
  if (state.history) {
    // Read through the entries; the JSON form, its round trip and latestEpoch must agree.
    const entries = state.history.entries.map(([epoch, start, ...holder]) => {
      assert.ok(typeof epoch === "bigint" && typeof start === "bigint" && holder.length <= 1);
      return holder.length === 0 ? { epoch: str(epoch), start_offset: str(start) } : { epoch: str(epoch), start_offset: str(start), holder: holder[0] };
    });
    out.history = { entries };
    assert.deepEqual(state.history.toJSON(), out.history);
    const back = tael.EpochHistory.fromJSON(JSON.stringify(state.history));
    assert.deepEqual(back.entries, state.history.entries);
    back.free();
    const last = entries.at(-1);
    assert.equal(state.history.latestEpoch, last === undefined ? undefined : BigInt(last.epoch));
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

// Which object a step's op checks, and the counters of every counting object before a step.
const CHECKS = {
  check: "gate",
  check_and_advance: "gate",
  holder_check: "holder",
  holder_check_and_advance: "holder",
  registry_check: "registry",
  registry_check_and_advance: "registry",
};
const counting = ["gate", "holder", "registry"];
const countersOf = (state) => Object.fromEntries(counting.filter((k) => state[k]).map((k) => [k, state[k].counters()]));
const ZERO = { CURRENT: 0n, ADVANCED: 0n, STALE_EPOCH: 0n, TOO_FAR_AHEAD: 0n, CONFLICT: 0n, CLOSED: 0n };

// A step that creates a gate (or registry) starts its counters at 0; only a check of it counts,
// one verdict: its code, or for checkAndAdvance one of the accepted or rejected codes.
const CREATES = { gate: "gate", holder_gate: "holder", registry: "registry" };
function checkCounters(before, state, s, result, what) {
  const failed = result !== undefined && "error" in result;
  for (const k of counting.filter((k) => state[k])) {
    const now = state[k].counters();
    const was = (CREATES[s.op] === k && !failed) || !(k in before) ? ZERO : before[k];
    assert.deepEqual(Object.keys(now), Object.keys(ZERO), `${what}: every verdict, in status order`);
    const moved = Object.keys(ZERO).filter((c) => now[c] !== was[c]);
    if (CHECKS[s.op] !== k || failed) {
      assert.deepEqual(moved, [], `${what}: the ${k} counted nothing`);
      continue;
    }
    assert.equal(moved.length, 1, `${what}: one verdict counted, not ${moved.join(", ")}`);
    assert.equal(now[moved[0]] - was[moved[0]], 1n, `${what}: counted once`);
    if ("code" in result) assert.equal(moved[0], result.code, `${what}: the verdict's code`);
    else assert.equal(["CURRENT", "ADVANCED"].includes(moved[0]), result.accepted, `${what}: ${moved[0]} for accepted: ${result.accepted}`);
  }
}

let skipped = 0;
for (const c of cases) {
  const expressible = !c.fronts || c.fronts.includes(FRONT);
  if (!expressible) skipped++;
  test(c.name, { skip: expressible ? false : `inputs not expressible in JavaScript (${c.fronts.join(", ")})` }, () => {
    const state = {};
    c.steps.forEach((s, i) => {
      const before = countersOf(state);
      const result = run(state, s);
      assert.deepEqual(result, s.expect, `step ${i} (${s.op})`);
      if (s.op === "decide") {
        // The decisions' keys in the pinned order too, as JSON.parse of the pinned JSON has them.
        assert.equal(JSON.stringify(result), JSON.stringify(s.expect), `step ${i} (${s.op}): key order`);
      }
      assert.deepEqual(stateOf(state), s.state, `step ${i} (${s.op}): state`);
      checkCounters(before, state, s, result, `step ${i} (${s.op}): counters`);
    });
  });
}

test("the corpus is whole", () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, "case names are unique");
  console.log(`conformance: ${cases.length - skipped} cases run, ${skipped} not expressible in JavaScript`);
});
