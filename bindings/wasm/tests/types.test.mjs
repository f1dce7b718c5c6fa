// The .d.ts copies the core's name lists (SEMANTICS.md §8): the DecisionReason and ExclusionReason
// unions and the fields of Policy must be exactly the core's, in its order, so a name added to the
// core fails here rather than being missing from the types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const tael = createRequire(import.meta.url)("../pkg-node/tael_coord.js");
const dts = readFileSync(path.join(here, "../pkg-node/tael_coord.d.ts"), "utf8");

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
