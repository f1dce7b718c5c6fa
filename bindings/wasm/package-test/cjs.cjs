"use strict";
// (b) Node CommonJS: `require` of the package by name gives a ready module (the `require` entry,
// node.cjs); the corpus slice runs against it and it elects a leader.
const assert = require("node:assert/strict");
const tael = require("tael-coord-wasm");
const { runSlice, VIEW } = require("./corpus.cjs");

const [vectors, version] = process.argv.slice(2);
assert.ok(require.resolve("tael-coord-wasm").endsWith("/node_modules/tael-coord-wasm/node.cjs"), "require resolves to node.cjs");
assert.equal(require("tael-coord-wasm/package.json").version, version);

const { cases, steps, ops } = runSlice(tael, vectors);
const [decision] = tael.electLeaders(VIEW, { sticky_incumbent: true });
assert.equal(decision.leader, "node-b");
assert.equal(tael.version(), version, "the package's version is the core's");
assert.equal(new tael.EpochFencer(7n).check(6n).code, "STALE_EPOCH");
console.log(`require: ${cases} corpus cases (${steps} steps: ${ops.join(", ")}) as expected; leader ${decision.leader}`);
