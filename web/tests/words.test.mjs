// The page's words for reasons and toggles cover exactly the core's names, so a reason added to
// the core shows up here as a failing test, not as a bare name on the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { DECISION_WORDS, EXCLUSION_WORDS, TOGGLE_WORDS } from "../words.js";

const tael = createRequire(import.meta.url)("../pkg/node.cjs");

test("every decision reason of the core has its words, and no other", () => {
  assert.deepEqual(Object.keys(DECISION_WORDS), tael.decisionReasons());
});

test("every exclusion reason of the core has its words, and no other", () => {
  assert.deepEqual(Object.keys(EXCLUSION_WORDS), tael.exclusionReasons());
});

test("every policy toggle the core writes has its words, in the core's order", () => {
  const { policy } = JSON.parse(tael.normalizeView('{"groups":{},"policy":{}}'));
  const toggles = Object.keys(policy).filter((k) => typeof policy[k] === "boolean");
  assert.deepEqual(Object.keys(TOGGLE_WORDS), toggles);
  // The rest is the one number the page shows with freshness (a new field fails here).
  assert.deepEqual(Object.keys(policy).filter((k) => typeof policy[k] !== "boolean"), ["max_lag"]);
});
