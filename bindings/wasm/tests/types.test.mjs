// The .d.ts copies the core's name lists (SEMANTICS.md §8, §16): the DecisionReason, ExclusionReason,
// VerdictCode and Change unions and the fields of Policy, Counters, Decision, Claimant and Event
// must be exactly the core's, in its order, so a name added to the core fails here rather than
// being missing from the types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const tael = createRequire(import.meta.url)("../pkg/node.cjs");
const dts = readFileSync(path.join(here, "../pkg/tael_coord.d.ts"), "utf8");

/** The string literals of `export type name = "a" | "b" ...;`. */
function union(name) {
  const m = new RegExp(`export type ${name} =([^;]*);`).exec(dts);
  assert.ok(m, `the .d.ts declares ${name}`);
  return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
}

/** The field names of `export interface name { ... }` (comments left out). */
function fields(name) {
  const m = new RegExp(`export interface ${name} \\{([^}]*)\\}`).exec(dts);
  assert.ok(m, `the .d.ts declares ${name}`);
  const body = m[1].replace(/\/\*[\s\S]*?\*\//g, "");
  return [...body.matchAll(/^\s*(\w+)\??:/gm)].map((x) => x[1]);
}

test("DecisionReason is the core's list of decision reasons", () => {
  assert.deepEqual(union("DecisionReason"), tael.decisionReasons());
});

test("ExclusionReason is the core's list of exclusion reasons", () => {
  assert.deepEqual(union("ExclusionReason"), tael.exclusionReasons());
});

test("Policy has every field the core writes, in its order", () => {
  const { policy } = JSON.parse(tael.normalizeView('{"groups":{},"policy":{}}'));
  assert.deepEqual(fields("Policy"), Object.keys(policy));
  assert.ok(fields("Policy").includes("max_lag"));
});

test("VerdictCode and Counters are every verdict of the core, in status order", () => {
  const counters = new tael.HolderFencer(undefined, undefined, { counters: true }).counters();
  assert.deepEqual(union("VerdictCode"), Object.keys(counters));
  assert.deepEqual(fields("Counters"), Object.keys(counters));
});

test("Decision, Claimant and Event have every field of the core's JSON, in its order", () => {
  const view = (groups) => JSON.stringify({ groups });
  const live = (id, more = {}) => ({ id, live: true, ...more });
  const before = tael.electLeaders(view({ b: { members: [live("x")] }, c: { members: [live("x", { epoch: "1" })] } }));
  const after = tael.electLeaders(view({ a: { members: [live("y"), live("z", { claims_epoch: "4" })] }, c: { members: [live("x", { epoch: "2" })] } }));
  assert.deepEqual(fields("Decision"), Object.keys(after[0]));
  assert.deepEqual(fields("Claimant"), Object.keys(after[0].claimants[0]));
  const events = tael.transitions(before, after);
  assert.deepEqual(fields("Event"), Object.keys(events[0]));
  assert.deepEqual(union("Change"), events.map((e) => e.event), "elected (a), lost (b), changed (c): the core's order");
});

test("GateOptions names the options the constructors read", () => {
  assert.deepEqual(fields("GateOptions"), ["refuseZero", "counters"]);
  const gate = new tael.EpochFencer(undefined, undefined, Object.fromEntries(fields("GateOptions").map((k) => [k, true])));
  assert.equal(gate.refusesEpochZero, true);
  assert.notEqual(gate.counters(), undefined);
});
