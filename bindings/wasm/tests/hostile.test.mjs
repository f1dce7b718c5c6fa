// The hostile-input cases of web/tests/hostile-cases.mjs against the Node build (the same cases
// run in Chromium against the web build: web/tests/hostile.test.mjs).
import { test } from "node:test";
import { createRequire } from "node:module";
import { hostileCases } from "../../../web/tests/hostile-cases.mjs";

// The Node glue keeps its instance to itself; catch it as the glue makes it, for its memory.
const Instance = WebAssembly.Instance;
let instance;
WebAssembly.Instance = function (...args) {
  instance = new Instance(...args);
  return instance;
};
const tael = createRequire(import.meta.url)("../pkg/node.cjs");
WebAssembly.Instance = Instance;

for (const { name, run } of hostileCases(tael, instance.exports.memory)) {
  test(name, run);
}
