// (a) Node ES modules: `import` of the package by name gives a ready module (the `import`
// entry, node.mjs); the corpus slice runs against it, it elects a leader, and it is the very
// instance `require` gives.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as tael from "tael-coord-wasm";
import init, { electLeaders, initSync } from "tael-coord-wasm";
import corpus from "./corpus.cjs";

const [vectors, version] = process.argv.slice(2);
assert.ok(fileURLToPath(import.meta.resolve("tael-coord-wasm")).endsWith("/node_modules/tael-coord-wasm/node.mjs"), "import resolves to node.mjs");

const { cases, steps, ops } = corpus.runSlice(tael, vectors);
const [decision] = electLeaders(corpus.VIEW, {});
assert.equal(decision.leader, "node-b");
assert.equal(tael.version(), version, "the package's version is the core's");

// Browser-style code runs unchanged: init and initSync return at once.
await init();
initSync();
assert.equal(tael.electLeader(["node-b", "node-a"]), "node-a");

// One instance for import and require: the same classes.
const required = createRequire(import.meta.url)("tael-coord-wasm");
assert.equal(required.EpochFencer, tael.EpochFencer, "require gives the module import gives");

console.log(`import: ${cases} corpus cases (${steps} steps: ${ops.join(", ")}) as expected; leader ${decision.leader}`);
