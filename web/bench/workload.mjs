// The WASM benchmarks (P3), shared by Node (bindings/wasm/bench/bench.mjs) and Chromium
// (web/bench/index.html): each operation of the package against plain JavaScript doing the same
// work, in one run, as medians of several rounds.

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Nanoseconds per call of one round of `iters` calls.
function round(now, f, iters) {
  const t0 = now();
  for (let i = 0; i < iters; i++) f(i);
  return ((now() - t0) * 1e6) / iters;
}

// Nanoseconds per call of `f` and of its baseline `g`, their rounds interleaved so that both
// meet the same noise: the medians of `rounds` rounds of `iters` calls each and the median of
// the rounds' ratios, after a round of each not counted (the engine compiles code that runs
// often again, optimized, WebAssembly included).
function timePair(now, f, g, iters, rounds) {
  const fs = [];
  const gs = [];
  const ratios = [];
  for (let r = 0; r <= rounds; r++) {
    const a = round(now, f, iters);
    const b = round(now, g, iters);
    if (r === 0) continue;
    fs.push(a);
    gs.push(b);
    ratios.push(a / b);
  }
  return { ns: median(fs), baselineNs: median(gs), ratio: median(ratios) };
}

// The baseline: a hand-written minimum over JavaScript strings.
function jsMin(ids) {
  let best = ids[0];
  for (let i = 1; i < ids.length; i++) if (ids[i] < best) best = ids[i];
  return best;
}

/** 10,000 groups x 5 members, one dead per group, u64 fields as strings. */
export function viewText() {
  const groups = {};
  for (let g = 0; g < 10000; g++) {
    groups[`wal-${g}`] = {
      members: Array.from({ length: 5 }, (_, m) => ({
        id: `node-${(g + m) % 7}`,
        live: m !== 2,
        generation: String(g % 3),
        epoch: String(g),
      })),
    };
  }
  return JSON.stringify({ groups });
}

// The baseline for the view: JSON.parse, then the smallest live id of every group.
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

// The baseline for transitions: each group's leader, generation and epoch by name, compared.
function jsTransitions(previous, next) {
  const reign = (d) => (d.leader === null ? null : `${d.leader}/${d.leader_generation}/${d.leader_epoch}`);
  const before = new Map(previous.map((d) => [d.group, reign(d)]));
  const after = new Map(next.map((d) => [d.group, reign(d)]));
  const out = [];
  for (const g of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(g) ?? null, after.get(g) ?? null];
    if (was !== is) out.push({ group: g, was, is });
  }
  return out;
}

/**
 * Run the benchmarks. `tael` is the package, `now()` a clock in milliseconds, `floor` the floor
 * module's parts (bindings/wasm/bench/floor) with its `memory`, if loaded.
 * Returns {electLeader5: {ns, baselineNs, ratio}, view10k: {...}, view10kFloor: {...} (with
 * `floor`), transitions10k: {...}}.
 */
export function run(tael, { now, quick = false, floor }) {
  let sink = 0;
  const sets = Array.from({ length: 64 }, (_, k) => ["node-e", "node-c", `node-${k}`, "node-d", "node-b"]);
  const iters = quick ? 20000 : 200000;
  const rounds = quick ? 7 : 15;
  const electLeader5 = timePair(
    now,
    (i) => { sink += tael.electLeader(sets[i & 63]).length; },
    (i) => { sink += jsMin(sets[i & 63]).length; },
    iters,
    rounds,
  );

  const text = viewText();
  const expect = jsDecide(text);
  for (const d of tael.electLeaders(text)) {
    if (expect[d.group] !== d.leader) throw new Error(`the package and the loop disagree on ${d.group}`);
  }
  const viewRounds = quick ? 11 : 21;
  const view10k = timePair(
    now,
    () => { sink += tael.electLeaders(text).length; },
    () => { sink += Object.keys(jsDecide(text)).length; },
    1,
    viewRounds,
  );

  // The floor under electLeaders: the view's text brought into a module and read into the
  // core's types (the floor module's parts, the same core functions as the package's), which no
  // way of deciding it in the module avoids. The call adds deciding, handing the decisions to
  // JavaScript and building their objects, and its checks of its arguments.
  let view10kFloor;
  if (floor) {
    const encoder = new TextEncoder();
    const size = text.length * 3;
    const readView = () => {
      const at = floor.textRoom(size); // before reading the buffer, which the room may grow
      const room = new Uint8Array(floor.memory.buffer, at, size);
      return floor.readView(encoder.encodeInto(text, room).written);
    };
    if (readView() !== Object.keys(expect).length) throw new Error("the floor module read another view");
    view10kFloor = timePair(
      now,
      () => { sink += readView(); },
      () => { sink += Object.keys(jsDecide(text)).length; },
      1,
      viewRounds,
    );
  }

  // Two polls of the view: every group's leader at a new epoch (10,000 events).
  const previous = tael.electLeaders(text);
  const next = tael.electLeaders(text.replace(/"epoch":"(\d+)"/g, (_, e) => `"epoch":"${Number(e) + 1}"`));
  if (tael.transitions(previous, next).length !== jsTransitions(previous, next).length) {
    throw new Error("the package and the loop disagree on the transitions");
  }
  const transitions10k = timePair(
    now,
    () => { sink += tael.transitions(previous, next).length; },
    () => { sink += jsTransitions(previous, next).length; },
    1,
    viewRounds,
  );
  return { electLeader5, view10k, view10kFloor, transitions10k, sink };
}
