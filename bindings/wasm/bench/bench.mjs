// P3 in Node: the package against plain JavaScript doing the same work (web/bench/workload.mjs,
// which Chromium runs too), beside the floors (floor/), and the size of the module.
//   node bindings/wasm/bench/bench.mjs [--quick] [--json]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { run } from "../../../web/bench/workload.mjs";
import { cutSize, named, runtime } from "./cut.mjs";

const tael = createRequire(import.meta.url)("../pkg/node.cjs");
// The floor modules (floor/build.sh, which scripts/bench runs): the parts of electLeaders, and
// electLeaders alone for its size.
const floorUrl = new URL("../../../web/bench/floor/", import.meta.url);
const floorParts = await import(new URL("floor.js", floorUrl));
const { memory } = floorParts.initSync({ module: readFileSync(new URL("floor_bg.wasm", floorUrl)) });
const floor = { ...floorParts, memory };
const quick = process.argv.includes("--quick");
const result = run(tael, { now: () => performance.now(), quick, floor });
const gzipped = (url) => gzipSync(readFileSync(url), { level: 9 }).length;
const wasm = new URL("../pkg/tael_coord_bg.wasm", import.meta.url);
result.wasmBytes = readFileSync(wasm).length;
result.wasmGzipBytes = gzipped(wasm);
result.floorAloneGzipBytes = gzipped(new URL("../../../target/wasm-floor/alone/floor_bg.wasm", import.meta.url));
// The package's own module cut down (cut.mjs): to electLeaders alone, and to what a first module
// of two would hold if the parts browsers rarely use (log safety, reign admission, the
// registry) moved to a second one.
const electOnly = named({ functions: ["electLeaders"] });
result.cutElectLeadersGzipBytes = cutSize(wasm, (n) => runtime(n) || electOnly(n)).gzipBytes;
const rare = named({ functions: ["divergencePoint", "followerStep", "established"], classes: ["EpochHistory", "FenceRegistry"] });
result.cutFirstGzipBytes = cutSize(wasm, (n) => runtime(n) || !rare(n)).gzipBytes;
if (process.argv.includes("--json")) {
  console.log(JSON.stringify(result));
} else {
  const { electLeader5: e, view10k: v, transitions10k: t } = result;
  console.log(`electLeader, 5 ids:        ${e.ns.toFixed(0)} ns vs JS min-loop ${e.baselineNs.toFixed(0)} ns = ${e.ratio.toFixed(2)}x (goal <= 10x)`);
  console.log(`10,000 groups x 5 members: ${(v.ns / 1e6).toFixed(1)} ms vs JSON.parse + loop ${(v.baselineNs / 1e6).toFixed(1)} ms = ${v.ratio.toFixed(2)}x (goal <= 2x)`);
  const f = result.view10kFloor;
  console.log(`  floor: the core reading the view: ${(f.ns / 1e6).toFixed(1)} ms = ${f.ratio.toFixed(2)}x`);
  console.log(`transitions, 10,000 events: ${(t.ns / 1e6).toFixed(1)} ms vs a JS diff ${(t.baselineNs / 1e6).toFixed(1)} ms = ${t.ratio.toFixed(2)}x`);
  console.log(`.wasm: ${result.wasmBytes} bytes, ${result.wasmGzipBytes} gzipped (goal <= 49152); electLeaders alone: ${result.floorAloneGzipBytes} gzipped`);
  console.log(`  the package's module cut to electLeaders: ${result.cutElectLeadersGzipBytes} gzipped; without the rarely used parts: ${result.cutFirstGzipBytes} gzipped`);
}
