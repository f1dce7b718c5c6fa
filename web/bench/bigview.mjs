// A large membership view (SEMANTICS.md §7) for the dashboard's speed figures, and the timing of
// the page's own controls against it, shared by the browser test (web/tests/scale.test.mjs) and
// the benchmark (web/bench/run.mjs).
//
// The view has every member field the page shows: 5,000 groups × 7 members by default, of 40
// nodes, two of them dead everywhere; each group has an incumbent, a configured size, log
// positions (some members behind), priorities, one group in 50 a member that claims to lead
// (split brain), one in 100 a leaving leader handing over, duplicates here and there.

/**
 * The view's text, as a cluster would write it (u64 values as decimal strings); `dead`: more
 * nodes dead everywhere (by number).
 */
export function bigViewText({ groups = 5000, members = 7, nodes = 40, dead: more = [] } = {}) {
  const node = (k) => `node-${String(k % nodes).padStart(2, "0")}`;
  const dead = new Set([node(3), node(17), ...more.map(node)]);
  const out = {};
  for (let g = 0; g < groups; g++) {
    // Seven distinct nodes per group (a step coprime with the node count).
    const ids = Array.from({ length: members }, (_, m) => node(g + m * 7));
    const epoch = 100 + (g % 13);
    const list = ids.map((id, m) => {
      const entry = {
        id,
        live: !dead.has(id),
        generation: String(1717171700 + ((g + m) % 5)),
        priority: String((g * 7 + m) % 3),
        eligible: (g + m) % 29 !== 0,
        epoch: String(epoch - (m % 2)),
        log_epoch: String(epoch - (m === 4 ? 1 : 0)),
        log_end: String(100000 + g * 10 - (m % 3) * 4),
      };
      if (g % 100 === 5 && m === 0) entry.leaving = true;
      if (g % 50 === 7 && m === 3) entry.claims_epoch = String(epoch);
      return entry;
    });
    // An old incarnation of the group's second member, listed again (a duplicate).
    if (g % 37 === 11) list.push({ ...list[1], generation: "1717171600", live: true });
    const group = { members: list, incumbent: ids[g % members], configured: String(members) };
    if (g % 100 === 5) group.handover_to = ids[1];
    out[`grp-${String(g).padStart(5, "0")}`] = group;
  }
  return JSON.stringify({ groups: out });
}

/**
 * In the page (pass to page.evaluate): time the page's own controls, from the event to the next
 * painted frame. `steps` is a list of {name, act} where `act` names one of the actions below;
 * each is timed as performance.now() before the event is dispatched to the end of the frame that
 * follows it (`ms`: the frame that shows the result is painted then), and to the frame after the
 * groups' revision counted the render (`allMs`: every card of the page built).
 * Returns [{name, ms, revision}] (revision: the groups' render count after the step).
 */
export async function timeInPage({ text, steps }) {
  const $ = (id) => document.getElementById(id);
  // The frame is painted in the task that runs its animation-frame callbacks; a task posted from
  // one at the highest priority runs right after it, before the page's own timers.
  const painted = () =>
    new Promise((resolve) => requestAnimationFrame(() => scheduler.postTask(resolve, { priority: "user-blocking" })));
  const actions = {
    // Paste the text into the box (a paste event, as the browser sends it) and press Apply view.
    paste: (text) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      $("view-text").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
      $("apply-view").click();
    },
    // Type into the filter (its input event), and clear it again.
    filter: (value) => {
      $("group-filter").value = value;
      $("group-filter").dispatchEvent(new Event("input", { bubbles: true }));
    },
    // Tick a filter checkbox.
    leaderless: () => $("filter-leaderless").click(),
    // Press the first shown Kill or Revive button of node `id`.
    kill: (id) => document.querySelector(`#groups button.toggle.kill[data-id="${id}"]`).click(),
    revive: (id) => document.querySelector(`#groups button.toggle.revive[data-id="${id}"]`).click(),
  };
  // The same start each time: the box empty (a paste replaces nothing).
  $("view-text").value = "";
  $("view-text").dispatchEvent(new Event("input", { bubbles: true }));
  await painted();
  const out = [];
  const revision = () => Number($("groups").dataset.revision);
  for (const { name, act, arg } of steps) {
    const before = revision();
    const t0 = performance.now();
    actions[act](act === "paste" ? text : arg);
    await painted();
    const ms = performance.now() - t0;
    // The rest of the page's cards are built after that frame: until the render is counted.
    if (revision() <= before) {
      await new Promise((resolve) => {
        const seen = new MutationObserver(() => {
          if (revision() <= before) return;
          seen.disconnect();
          resolve();
        });
        seen.observe($("groups"), { attributes: true, attributeFilter: ["data-revision"] });
      });
    }
    await painted();
    const allMs = performance.now() - t0;
    out.push({ name, ms, allMs, revision: revision() });
  }
  return out;
}

/** The steps timed: paste, filter, clear, kill, revive. */
export const STEPS = [
  { name: "paste", act: "paste" },
  { name: "filter", act: "filter", arg: "node-05" },
  { name: "filterClear", act: "filter", arg: "" },
  { name: "kill", act: "kill", arg: "node-01" },
  { name: "revive", act: "revive", arg: "node-01" },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Open the dashboard in `page` (already at the page, ready) and time STEPS `rounds` times on
 * the big view; resolves to {paste, filter, filterClear, kill, revive} in ms (medians), the
 * view's size and every round's figures.
 */
export async function measureDashboard(page, { rounds = 3, text = bigViewText() } = {}) {
  const all = [];
  for (let r = 0; r < rounds; r++) all.push(await page.evaluate(timeInPage, { text, steps: STEPS }));
  const out = { groups: 5000, members: 7, viewBytes: text.length, rounds: all };
  for (const { name } of STEPS) {
    out[name] = median(all.map((round) => round.find((s) => s.name === name).ms));
    out[`${name}All`] = median(all.map((round) => round.find((s) => s.name === name).allMs));
  }
  return out;
}

/**
 * A fake of a cluster's view URL for polling (`startServer(api)`): GET /big/view.json answers
 * the big view, with node-01 dead in every other answer when `changing` (each poll then sees a
 * node die or come back: about a fifth of the groups change leader). Counts its answers.
 */
export function bigViewSource({ changing = true } = {}) {
  const texts = [bigViewText(), bigViewText({ dead: [1] })];
  const source = {
    gets: 0,
    changing,
    waiters: [],
    /** Resolves once the view has been answered `n` times in all. */
    waitGets(n) {
      if (source.gets >= n) return Promise.resolve();
      return new Promise((resolve) => source.waiters.push({ n, resolve }));
    },
    async api(req, res, url) {
      if (req.method !== "GET" || url.pathname !== "/big/view.json") return false;
      const text = texts[source.changing ? source.gets % 2 : 0];
      source.gets += 1;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(text);
      source.waiters = source.waiters.filter((w) => (source.gets >= w.n ? (w.resolve(), false) : true));
      return true;
    },
  };
  return source;
}

/**
 * In the page: start recording the main thread's long tasks and the input events slower than
 * 16 ms (event to the next paint, the Event Timing API). `pollingTimes()` reads them.
 */
export function recordResponsiveness() {
  window.__resp = { start: performance.now(), long: [], events: [] };
  new PerformanceObserver((list) => window.__resp.long.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
  new PerformanceObserver((list) =>
    window.__resp.events.push(...list.getEntries().filter((e) => e.interactionId > 0).map((e) => ({ name: e.name, duration: e.duration }))),
  ).observe({ type: "event", durationThreshold: 16 });
}

/** In the page: what recordResponsiveness saw: {seconds, busyShare, longestTask, slowestInput, inputs}. */
export function pollingTimes() {
  const r = window.__resp;
  const seconds = (performance.now() - r.start) / 1000;
  const busy = r.long.reduce((a, b) => a + b, 0);
  return {
    seconds,
    busyShare: busy / (seconds * 1000),
    longestTask: Math.max(0, ...r.long),
    slowestInput: Math.max(0, ...r.events.map((e) => e.duration)),
    inputs: r.events.length,
  };
}

/**
 * In the page: the core's own work on `text`, as the page asks it of a new view: the fastest of
 * `rounds`, in ms, of reading it (normalizeView and JSON.parse of its answer: `readMs`),
 * deciding it (electLeaders: `electMs`), and both in a row (`ms`: the floor under
 * paste-to-paint).
 */
export async function coreFloorInPage({ text, rounds = 5 }) {
  const tael = await import("/pkg/tael_coord.js");
  const read = [];
  const elect = [];
  const both = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    JSON.parse(tael.normalizeView(text));
    const t1 = performance.now();
    tael.electLeaders(text, {});
    const t2 = performance.now();
    read.push(t1 - t0);
    elect.push(t2 - t1);
    both.push(t2 - t0);
  }
  return { readMs: Math.min(...read), electMs: Math.min(...elect), ms: Math.min(...both) };
}

/**
 * Poll the changing big view (`source`, at ?poll=/big/view.json&interval=1) for `polls` more
 * answers while typing in the filter (a member id, then clearing it, over and over), and time
 * the page's answers: {seconds, busyShare, longestTask, slowestInput, inputs, keys, renders}.
 */
export async function measurePolling(page, source, { polls = 4 } = {}) {
  await page.evaluate(recordResponsiveness);
  const revision = () => page.evaluate(() => Number(document.getElementById("groups").dataset.revision));
  const firstRevision = await revision();
  const until = source.gets + polls;
  let done = false;
  const polled = source.waitGets(until).then(() => (done = true));
  const filter = page.getByLabel("Filter by group or member id");
  let keys = 0;
  while (!done) {
    await filter.pressSequentially("node-0");
    await filter.press("Control+a");
    await filter.press("Backspace");
    keys += 8;
  }
  await polled;
  const out = await page.evaluate(pollingTimes);
  return { ...out, keys, renders: (await revision()) - firstRevision };
}
