// What deciding many groups costs through the WASM package in Node: time and memory per call of
// `electLeaders` (view JSON text in, decision objects out) for views of 10k, 100k and 1M groups
// of 5 members. docs/SCALING.md has the figures.
//
//   node scripts/scale/decisions.mjs --groups 10000,100000,1000000
//
// The package is the one `bash bindings/wasm/build.sh` assembles in bindings/wasm/pkg/. The view
// is the one gossip/examples/decisions.rs decides, byte for byte (group `wal-<g>` lists
// `node-<(g+m) % 7>` for m in 0..5, the third one dead, generation `g % 3`, epoch `g`). Each size
// runs in a fresh child process, so its first call's memory is measured against a clean heap: the
// peak resident set size during that call above the resident set size just before it (Linux
// /proc/self/status; the peak is reset through /proc/self/clear_refs), with the input already in
// memory and the output still held. Times are the median over the runs, on the wall clock and in
// CPU time of the main thread (which a busy machine does not inflate).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    groups: { type: "string", default: "10000,100000,1000000" },
    runs: { type: "string" },
    child: { type: "string" },
  },
});

function viewText(groups) {
  const parts = new Array(groups);
  for (let g = 0; g < groups; g++) {
    const members = [];
    for (let m = 0; m < 5; m++) {
      members.push(`{"id":"node-${(g + m) % 7}","live":${m !== 2},"generation":"${g % 3}","epoch":"${g}"}`);
    }
    parts[g] = `"wal-${g}":{"members":[${members.join(",")}]}`;
  }
  return `{"groups":{${parts.join(",")}}}`;
}

function statusKib(field) {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

// CPU time of the main thread (ns): unlike the wall clock it does not count time spent waiting
// for a core; V8's helper threads (parallel GC) are not in it.
function threadCpuNs() {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function child(groups, runs) {
  const tael = await import("../../bindings/wasm/pkg/node.mjs");
  let text = viewText(groups);
  // Flatten the joined string before the call, as text read from a file or socket would be.
  text = Buffer.from(text).toString();
  const times = [];
  const cpu = [];
  globalThis.gc?.();
  writeFileSync("/proc/self/clear_refs", "5");
  const before = statusKib("VmRSS");
  let t = performance.now();
  let c = threadCpuNs();
  let result = tael.electLeaders(text, undefined);
  times.push(performance.now() - t);
  cpu.push((threadCpuNs() - c) / 1e6);
  const peak = statusKib("VmHWM");
  const leaders = result.filter((d) => d.leader !== null).length;
  result = null;
  for (let i = 1; i < runs; i++) {
    t = performance.now();
    c = threadCpuNs();
    result = tael.electLeaders(text, undefined);
    times.push(performance.now() - t);
    cpu.push((threadCpuNs() - c) / 1e6);
    result = null;
  }
  console.log(
    JSON.stringify({
      front: "wasm",
      version: tael.version(),
      groups,
      input_bytes: Buffer.byteLength(text),
      leaders,
      runs,
      first_ms: times[0],
      median_ms: median(times),
      cpu_median_ms: median(cpu),
      min_ms: Math.min(...times),
      max_ms: Math.max(...times),
      rss_before_kib: before,
      peak_delta_kib: Math.max(0, peak - before),
    }),
  );
}

if (args.child !== undefined) {
  await child(Number(args.child), Number(args.runs ?? 1));
} else {
  const sizes = args.groups.split(",").map(Number);
  const given = args.runs ? args.runs.split(",").map(Number) : null;
  const wasm = new URL("../../bindings/wasm/pkg/tael_coord_bg.wasm", import.meta.url);
  console.log(`Node ${process.version}; ${fileURLToPath(wasm)}`);
  console.log("| front | call | groups | input MB | runs | median ms (min–max) | CPU ms (main thread) | first ms | per group µs (CPU) | peak RSS delta MiB |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  sizes.forEach((groups, i) => {
    const runs = given === null ? (groups <= 10_000 ? 9 : groups <= 100_000 ? 3 : 1) : given.length === 1 ? given[0] : given[i];
    // A heap large enough for a million decision objects (the default is about 4 GiB here).
    const out = execFileSync(
      process.execPath,
      ["--max-old-space-size=12288", "--expose-gc", fileURLToPath(import.meta.url), "--child", String(groups), "--runs", String(runs)],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    const r = JSON.parse(out);
    const f = (x) => x.toFixed(1);
    console.log(
      `| WASM ${r.version} in Node | electLeaders (text) | ${groups} | ${f(r.input_bytes / 1e6)} | ${runs} | ${f(r.median_ms)} (${f(r.min_ms)}–${f(r.max_ms)}) | ${f(r.cpu_median_ms)} | ${f(r.first_ms)} | ${(r.cpu_median_ms * 1e3 / groups).toFixed(2)} | ${f(r.peak_delta_kib / 1024)} |`,
    );
  });
}
