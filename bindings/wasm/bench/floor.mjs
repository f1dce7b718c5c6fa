// Where the time of an electLeader call goes: the call with nothing to elect, with one id, the
// index of five instead of the id, the id of five, and the id of five through wasm-bindgen's glue
// (the way every input the package's entry does not take goes), each against the JavaScript
// min-loop of five ids that P3 takes as its baseline. Every round times each call in turn (so all meet the
// same moments of a noisy machine); medians of 15 rounds of 50,000 calls, after one not counted.
//   node bindings/wasm/bench/floor.mjs
import { createRequire } from "node:module";

const tael = createRequire(import.meta.url)("../pkg/node.cjs");
const bindgen = await import("../pkg/tael_coord_bindgen.js");
const sets = Array.from({ length: 64 }, (_, k) => ["node-e", "node-c", `node-${k}`, "node-d", "node-b"]);
function jsMin(ids) {
  let best = ids[0];
  for (let i = 1; i < ids.length; i++) if (ids[i] < best) best = ids[i];
  return best;
}
const none = [];
const calls = {
  "JavaScript min-loop, 5 ids": (i) => jsMin(sets[i & 63]).length,
  "electLeader([])": () => (tael.electLeader(none) === undefined ? 1 : 0),
  "electLeader, 1 id": (i) => tael.electLeader([sets[i & 63][2]]).length,
  "electLeaderIndex, 5 ids": (i) => tael.electLeaderIndex(sets[i & 63]),
  "electLeader, 5 ids": (i) => tael.electLeader(sets[i & 63]).length,
  "the glue's electLeader, 5 ids": (i) => bindgen.electLeader(sets[i & 63]).length,
};
const n = 50000;
const times = Object.fromEntries(Object.keys(calls).map((name) => [name, []]));
let sink = 0;
for (let round = 0; round <= 15; round++) {
  for (const [name, call] of Object.entries(calls)) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += call(i);
    if (round > 0) times[name].push(((performance.now() - t0) * 1e6) / n);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times["JavaScript min-loop, 5 ids"]);
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name.padEnd(30)} ${median(xs).toFixed(0).padStart(5)} ns  ${(median(xs) / base).toFixed(1)}x`);
}
if (sink === 0) console.log("(nothing counted)");
