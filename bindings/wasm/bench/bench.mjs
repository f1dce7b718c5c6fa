// Times the Node build against plain JavaScript doing the same work, in one run, as medians.
//   node bench/bench.mjs [--quick] [--json]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const tael = createRequire(import.meta.url)("../pkg-node/tael_coord.js");
const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Nanoseconds per call: the median of `rounds` rounds of `iters` calls each.
function time(f, iters, rounds) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) f(i);
    samples.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  return median(samples);
}

// The baseline: a hand-written minimum over JavaScript strings.
function jsMin(ids) {
  let best = ids[0];
  for (let i = 1; i < ids.length; i++) if (ids[i] < best) best = ids[i];
  return best;
}

const sets = Array.from({ length: 64 }, (_, k) => ["node-e", "node-c", `node-${k}`, "node-d", "node-b"]);
let sink = 0;
const iters = quick ? 20000 : 200000;
const rounds = quick ? 7 : 15;
for (let i = 0; i < 2000; i++) sink += tael.electLeader(sets[i & 63]).length + jsMin(sets[i & 63]).length;
const electNs = time((i) => { sink += tael.electLeader(sets[i & 63]).length; }, iters, rounds);
const loopNs = time((i) => { sink += jsMin(sets[i & 63]).length; }, iters, rounds);

// A view of 10,000 groups x 5 members, one dead per group.
const groups = {};
for (let g = 0; g < 10000; g++) {
  groups[`wal-${g}`] = {
    members: Array.from({ length: 5 }, (_, m) => ({ id: `node-${(g + m) % 7}`, live: m !== 2, generation: String(g % 3), epoch: String(g) })),
  };
}
const viewText = JSON.stringify({ groups });
function jsDecide(text) {
  const view = JSON.parse(text);
  const leaders = {};
  for (const [name, group] of Object.entries(view.groups)) {
    let best;
    for (const m of group.members) if (m.live && (best === undefined || m.id < best)) best = m.id;
    leaders[name] = best ?? null;
  }
  return leaders;
}
const check = tael.electLeaders(viewText);
const expect = jsDecide(viewText);
for (const d of check) if (expect[d.group] !== d.leader) throw new Error(`disagree on ${d.group}`);
const viewRounds = quick ? 5 : 11;
const viewNs = time(() => { sink += tael.electLeaders(viewText).length; }, 1, viewRounds);
const parseNs = time(() => { sink += Object.keys(jsDecide(viewText)).length; }, 1, viewRounds);

const wasm = readFileSync(new URL("../pkg-node/tael_coord_bg.wasm", import.meta.url));
const result = {
  electLeader5: { ns: electNs, baselineNs: loopNs, ratio: electNs / loopNs, goal: 10 },
  view10k: { ns: viewNs, baselineNs: parseNs, ratio: viewNs / parseNs, goal: 3 },
  wasmBytes: wasm.length,
  wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  sink,
};
if (asJson) {
  console.log(JSON.stringify(result));
} else {
  console.log(`electLeader, 5 ids:        ${electNs.toFixed(0)} ns vs JS min-loop ${loopNs.toFixed(0)} ns = ${result.electLeader5.ratio.toFixed(2)}x (goal <= 10x)`);
  console.log(`10,000 groups x 5 members: ${(viewNs / 1e6).toFixed(1)} ms vs JSON.parse + loop ${(parseNs / 1e6).toFixed(1)} ms = ${result.view10k.ratio.toFixed(2)}x (goal <= 3x)`);
  console.log(`.wasm: ${result.wasmBytes} bytes, ${result.wasmGzipBytes} gzipped (goal <= 40960)`);
}
