// The tael-coord dashboard: shows who leads every group of a membership view and why, and
// judges records against an epoch gate. Every decision and verdict comes from the core (the
// WebAssembly build in ./pkg); this file only moves text in and renders what the core returns.
//
// u64 values never pass through a JavaScript number: the view goes to the core as text, member
// fields are shown from the core's canonical text of it (./viewtext.js), and epochs typed in
// the fence panel become BigInts.

import init, { electLeaders, nextEpoch, normalizeView, EpochFencer, HolderFencer, version } from "./pkg/tael_coord.js";
import { readView, setLive } from "./viewtext.js";
import { DECISION_WORDS, EXCLUSION_WORDS, TOGGLE_WORDS } from "./words.js";

const $ = (id) => document.getElementById(id);

// nextEpoch parses the whole view once per call: at most this many characters parsed per render.
const NEXT_EPOCH_BUDGET = 8_000_000;

const SAMPLE_VIEW = `{"groups": {
  "wal-0": {
    "members": [
      {"id": "node-a", "live": true, "generation": "1717171717", "epoch": "41"},
      {"id": "node-b", "live": true, "generation": "1717171802", "epoch": "41"},
      {"id": "node-c", "live": true, "generation": "1717171900", "epoch": "40"}
    ],
    "configured": "3"
  },
  "wal-1": {
    "members": [
      {"id": "node-a", "live": true, "generation": "1717171717", "epoch": "12"},
      {"id": "node-b", "live": true, "generation": "1717171802", "priority": "5", "epoch": "12"},
      {"id": "node-c", "live": true, "generation": "1717171900", "eligible": false, "epoch": "11"}
    ],
    "incumbent": "node-b"
  },
  "orders": {
    "members": [
      {"id": "node-a", "live": true, "generation": "1717171717"},
      {"id": "node-d", "live": false, "generation": "18446744073709551615", "epoch": "7"}
    ],
    "configured": "3"
  }
}}
`;

const state = {
  viewText: null, // the last view the core accepted, exactly as received
  source: "", // where it came from, in words
  demo: false, // the last successful poll was the demo cluster's /api/view
  polling: null, // {url, timer, stopped, seq}
  leaders: null, // Map group -> leader of the last render, for announcements
  whatIf: false, // the toggles were changed while the view carries its cluster's policy
  revision: 0,
};

// ---------------------------------------------------------------------------------------------
// Deciding and rendering

/** The policy the sidebar shows: every toggle, and the max lag as typed (the core checks it). */
function toggles() {
  const p = {};
  for (const box of document.querySelectorAll("input[data-policy]")) p[box.dataset.policy] = box.checked;
  const lag = $("policy-max-lag").value.trim();
  if (lag !== "") p.max_lag = lag;
  return p;
}

/** The policy in words: its toggles that are on, freshness with its max lag. */
function policyWords(policy) {
  const on = Object.keys(TOGGLE_WORDS).filter((k) => policy[k] === true);
  if (on.length === 0) return "no toggle on";
  return on.map((k) => (k === "freshness" ? `${TOGGLE_WORDS[k]} (max lag ${maxLagText(policy)})` : TOGGLE_WORDS[k])).join(", ");
}

/** A policy's max lag as decimal text ("0" when absent). */
function maxLagText(policy) {
  return policy.max_lag === undefined ? "0" : String(policy.max_lag);
}

/**
 * The policy to decide `viewPolicy`'s view with: the view's own (its cluster's) unless the
 * toggles were changed since (a what-if), or the toggles when the view carries none. The
 * toggles show the policy that decides, and a line above them says whose it is.
 */
function policyFor(viewPolicy) {
  const source = $("policy-source");
  const back = $("use-cluster-policy");
  if (viewPolicy === null) {
    state.whatIf = false;
    source.dataset.mode = "local";
    source.textContent = "The view carries no policy: the toggles below decide.";
    back.hidden = true;
    return toggles();
  }
  const named = policyWords(viewPolicy);
  back.hidden = !state.whatIf;
  if (state.whatIf) {
    source.dataset.mode = "what-if";
    source.textContent = `What-if: the toggles below decide, not the cluster's policy (${named}).`;
    return toggles();
  }
  for (const box of document.querySelectorAll("input[data-policy]")) box.checked = Boolean(viewPolicy[box.dataset.policy]);
  $("policy-max-lag").value = maxLagText(viewPolicy);
  source.dataset.mode = "cluster";
  source.textContent = `The cluster's policy decides (${named}); change a toggle to ask what if.`;
  return viewPolicy;
}

function errorText(err) {
  const code = err && err.code ? err.code : err && err.name ? err.name : "ERROR";
  return { code, message: err && err.message ? err.message : String(err) };
}

function showError(el, err, prefix = "") {
  if (!err) {
    el.hidden = true;
    el.replaceChildren();
    delete el.dataset.code;
    return;
  }
  const { code, message } = errorText(err);
  const codeEl = document.createElement("code");
  codeEl.className = "code";
  codeEl.textContent = code;
  el.replaceChildren(document.createTextNode(prefix), codeEl, document.createTextNode(` ${message}`));
  el.dataset.code = code;
  el.hidden = false;
}

/**
 * Decide `text` under the current policy and show it. On an error the previous view stays on
 * screen and the error is shown. Returns whether the core accepted the view.
 */
function decide(text, source) {
  let decisions, read, policy;
  try {
    read = text === view.text ? view.read : readView(normalizeView, text);
    policy = policyFor(read.policy);
    decisions = electLeaders(text, policy);
  } catch (err) {
    const what = err && err.code === "INVALID_POLICY" && policy !== undefined ? "Policy" : `View from ${source}`;
    showError($("view-error"), err, `${what} not applied: `);
    return false;
  }
  showError($("view-error"), null);
  state.viewText = text;
  state.source = source;
  render(decisions, text, read, policy);
  return true;
}

function redecide() {
  if (state.viewText !== null) decide(state.viewText, state.source);
}

/**
 * Each listed entry with its row of the decision: the leader's entry is the one at
 * `leader_index`, and `excluded` lists every other entry, in the view's order.
 */
function rowsOf(members, decision) {
  const at = decision.leader_index;
  return members.map((m, i) =>
    i === at ? { member: m, leader: true } : { member: m, leader: false, excluded: decision.excluded[at !== null && i > at ? i - 1 : i] },
  );
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "id" || k === "scope" || k === "type" || k === "title") node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child);
  }
  return node;
}

function u64Cell(value, cls) {
  // A decimal string from the core's canonical view: exact, whatever the view text wrote.
  return el("td", { class: `num ${cls}`, text: value });
}

// The decided view on screen: decisions, the groups as the text lists them, next-epoch cache.
// `limit` (how many cards are shown) survives re-decisions and polls; a new source resets it.
const PAGE_SIZE = 100;
// `fresh`: the deciding policy has freshness, so the cards show every member's log position.
const view = { decisions: [], read: null, byName: new Map(), text: null, nextEpochs: new Map(), limit: PAGE_SIZE, fresh: false };

function render(decisions, text, read, policy) {
  if (text !== view.text) {
    view.read = read;
    view.byName = read.groups;
    view.nextEpochs = new Map();
    view.text = text;
  }
  view.decisions = decisions;
  view.fresh = policy.freshness === true;

  const led = decisions.filter((d) => d.leader !== null).length;
  $("summary").textContent =
    `${decisions.length} group${decisions.length === 1 ? "" : "s"}, ${led} with a leader` +
    (led < decisions.length ? `, ${decisions.length - led} without` : "") +
    ` · view from ${state.source}`;
  announce(decisions);
  renderCards();
}

/**
 * nextEpoch parses the whole view per call, so it is asked only while the work stays small
 * (the shown cards times the view's size), once per group and view text.
 */
function nextEpochShown(group) {
  if (view.nextEpochs.has(group)) return view.nextEpochs.get(group);
  if (view.text.length * Math.min(view.decisions.length, PAGE_SIZE) > NEXT_EPOCH_BUDGET) return null;
  let next;
  try {
    next = nextEpoch(view.text, group).toString();
  } catch (err) {
    next = errorText(err).code;
  }
  view.nextEpochs.set(group, next);
  return next;
}

/** Indices into view.decisions of the groups the filter lets through. */
function matchingGroups() {
  const needle = $("group-filter").value.trim();
  const leaderless = $("filter-leaderless").checked;
  const out = [];
  view.decisions.forEach((d, i) => {
    if (keep(d)) out.push(i);
  });
  return out;

  function keep(d) {
    if (leaderless && d.leader !== null) return false;
    if (needle === "") return true;
    if (d.group.includes(needle)) return true;
    const g = view.byName.get(d.group);
    return Boolean(g && g.members.some((m) => m.id.includes(needle)));
  }
}

/** The group cards: those matching the filter, a page at a time (a view may hold thousands). */
function renderCards() {
  const matching = matchingGroups();
  const shown = matching.slice(0, view.limit);
  const cards = shown.map((i) => groupCard(view.decisions[i], i));
  if (view.decisions.length === 0) cards.push(el("p", { class: "muted", text: "The view has no groups." }));
  else if (matching.length === 0) cards.push(el("p", { class: "muted", text: "No group matches the filter." }));
  const container = $("groups");
  container.replaceChildren(...cards);

  const more = $("show-more");
  const left = matching.length - shown.length;
  more.hidden = left <= 0;
  more.textContent = `Show ${Math.min(left, PAGE_SIZE)} more of ${left} groups`;
  $("shown-count").textContent =
    matching.length === view.decisions.length && left <= 0
      ? ""
      : `Showing ${shown.length} of ${matching.length} matching group${matching.length === 1 ? "" : "s"} (${view.decisions.length} in the view).`;

  state.revision += 1;
  container.dataset.revision = String(state.revision);
}

function groupCard(d, gi) {
  const g = view.byName.get(d.group) || { members: [], incumbent: null, handover_to: null, configured: null };
  const hid = `group-${gi}`;
  const leaderLine = el(
    "p",
    { class: "leader-line" },
    el("span", { class: "label", text: "Leader" }),
    " ",
    d.leader === null
      ? el("strong", { class: "leader none", "data-leader": "", text: "none" })
      : el("strong", { class: "leader", "data-leader": d.leader, text: d.leader }),
    el(
      "span",
      { class: "reason", "data-reason": d.reason },
      ` — ${DECISION_WORDS[d.reason] || d.reason} `,
      el("code", { class: "reason-code", text: d.reason }),
    ),
  );

  const facts = el("dl", { class: "facts" });
  const fact = (name, value) => facts.append(el("div", {}, el("dt", { text: name }), el("dd", { text: value })));
  fact("Incumbent", g.incumbent === null ? "none" : g.incumbent);
  if (g.handover_to !== null) facts.append(handoverFact(g, d));
  fact("Configured size", g.configured === null ? "not set" : g.configured);
  const next = nextEpochShown(d.group);
  if (next !== null) fact("Next epoch", next);

  // With freshness, each member's log position (the core's canonical decimal text).
  const columns = [
    ["Member", "member"],
    ["State", "state"],
    ["Generation", "generation"],
    ["Priority", "priority"],
    ["Eligible", "eligible"],
    ["Epoch", "epoch"],
    ...(view.fresh ? [["Log epoch", "log-epoch"], ["Log end", "log-end"]] : []),
    ["Decision", "decision"],
    ["Action", "action"],
  ];
  const rows = rowsOf(g.members, d).map(({ member: m, leader, excluded }) => {
    const behind = Boolean(excluded && excluded.reason === "behind");
    const successor = g.handover_to !== null && m.id === g.handover_to;
    const decision = leader
      ? el("td", { class: "decision", "data-reason": "leader" }, el("span", { class: "badge leader-badge", text: "★ Leader" }))
      : el(
          "td",
          { class: "decision", "data-reason": excluded ? excluded.reason : "" },
          excluded ? `${EXCLUSION_WORDS[excluded.reason] || excluded.reason} ` : "",
          excluded ? el("code", { class: "reason-code", text: excluded.reason }) : null,
        );
    const action = m.live ? "Kill" : "Revive";
    return el(
      "tr",
      {
        class: `member${leader ? " is-leader" : ""}${m.live ? "" : " is-dead"}${behind ? " is-behind" : ""}${m.leaving ? " is-leaving" : ""}${successor ? " is-successor" : ""}`,
        "data-id": m.id,
        "data-live": String(m.live),
        "data-leaving": String(m.leaving),
        title: behind
          ? `${m.id}'s log is behind: epoch ${m.log_epoch}, end ${m.log_end}`
          : m.leaving && m.live
            ? `${m.id} is leaving (a clean shutdown): it may not lead, and still counts as live for the quorum guard`
            : undefined,
      },
      el("th", { scope: "row", class: "member-id" }, m.id),
      el(
        "td",
        { class: "state" },
        el("span", { class: `dot ${m.live ? "live" : "dead"}`, "aria-hidden": "true" }),
        m.live ? " live" : " dead",
        // Published by the member itself (§16): shown whatever the decision made of it.
        m.leaving ? " " : null,
        m.leaving ? el("span", { class: "tag leaving-tag", text: "leaving" }) : null,
        successor ? " " : null,
        successor ? el("span", { class: "tag successor-tag", text: "successor" }) : null,
      ),
      u64Cell(m.generation, "generation"),
      u64Cell(m.priority, "priority"),
      el("td", { class: "eligible", text: m.eligible ? "yes" : "no" }),
      u64Cell(m.epoch, "epoch"),
      view.fresh ? u64Cell(m.log_epoch, "log-epoch") : null,
      view.fresh ? u64Cell(m.log_end, "log-end") : null,
      decision,
      el(
        "td",
        { class: "action" },
        el("button", {
          type: "button",
          class: `toggle ${m.live ? "kill" : "revive"}`,
          "data-id": m.id,
          "data-live": String(!m.live),
          "aria-label": `${action} ${m.id}`,
          text: action,
        }),
      ),
    );
  });

  const table = el(
    "table",
    { class: "members" },
    el("caption", { class: "visually-hidden", text: `Members of ${d.group}` }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...columns.map(([h, cls]) => el("th", { scope: "col", class: cls, text: h })),
      ),
    ),
    el("tbody", {}, ...rows),
  );
  if (rows.length === 0) table.querySelector("tbody").append(el("tr", {}, el("td", { colSpan: columns.length, class: "muted", text: "no members listed" })));

  return el(
    "article",
    { class: `group${d.leader === null ? " leaderless" : ""}`, "data-group": d.group, "aria-labelledby": hid },
    el("header", {}, el("h3", { id: hid, text: d.group }), leaderLine, facts),
    el("div", { class: "table-wrap" }, table),
  );
}

/**
 * The group's `handover_to` (SEMANTICS.md §16) and what became of it: the successor leads, or
 * does not (with why: its entry's exclusion, or that no entry has its id).
 */
function handoverFact(g, d) {
  const to = g.handover_to;
  const leads = d.leader === to;
  let outcome;
  if (leads) {
    outcome = "leads";
  } else {
    // Its entry that counts (a duplicate lost to another entry of the same id).
    const entries = rowsOf(g.members, d).filter((r) => r.member.id === to && !r.leader);
    const counted = entries.find((r) => r.excluded.reason !== "duplicate") || entries[0];
    outcome = counted ? `does not lead: ${EXCLUSION_WORDS[counted.excluded.reason] || counted.excluded.reason}` : "not listed: no effect";
  }
  return el(
    "div",
    { class: "handover", "data-handover-to": to, "data-leads": String(leads) },
    el("dt", { text: "Hands over to" }),
    el("dd", {}, to, el("span", { class: "handover-outcome", text: ` (${outcome})` })),
  );
}

/** Say which leaders changed since the last render (a polite live region). */
function announce(decisions) {
  const next = new Map(decisions.map((d) => [d.group, d.leader]));
  const prev = state.leaders;
  state.leaders = next;
  const name = (l) => (l === null ? "no leader" : l);
  let lines;
  if (prev === null) {
    lines = decisions.map((d) => `${d.group}: ${name(d.leader)}`);
  } else {
    lines = decisions
      .filter((d) => prev.has(d.group) && prev.get(d.group) !== d.leader)
      .map((d) => `${d.group}: ${name(prev.get(d.group))} → ${name(d.leader)} (${DECISION_WORDS[d.reason] || d.reason})`);
    const added = decisions.filter((d) => !prev.has(d.group)).length;
    if (added > 0) lines.push(`${added} new group${added === 1 ? "" : "s"}`);
  }
  if (lines.length === 0) return;
  const shown = lines.slice(0, 6).join("; ") + (lines.length > 6 ? `; and ${lines.length - 6} more` : "");
  $("announce").textContent = (prev === null ? "Leaders: " : "Leader changed: ") + shown;
}

// ---------------------------------------------------------------------------------------------
// Sources: paste, file, poll

function setSourceStatus() {
  const s = $("source-status");
  if (state.demo && state.polling) {
    s.dataset.mode = "demo";
    s.textContent = "Live: demo cluster view. Kill and Revive act on the cluster's nodes.";
  } else if (state.polling) {
    s.dataset.mode = "poll";
    s.textContent = `Polling ${state.polling.url}. Kill and Revive edit the view here and pause polling.`;
  } else {
    s.dataset.mode = "local";
    s.textContent = "Local view. Kill and Revive edit the view here and decide again.";
  }
}

function loadLocal(text, source) {
  stopPolling();
  view.limit = PAGE_SIZE;
  state.demo = false;
  state.leaders = null;
  state.whatIf = false;
  if (decide(text, source)) $("view-text").value = text;
  setSourceStatus();
}

$("paste-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadLocal($("view-text").value, "pasted text");
});

$("view-file").addEventListener("change", async () => {
  const file = $("view-file").files[0];
  if (!file) return;
  try {
    loadLocal(await file.text(), `file ${file.name}`);
  } catch (err) {
    showError($("view-error"), err, `Cannot read ${file.name}: `);
  }
  $("view-file").value = "";
});

function pollInterval() {
  const seconds = Number($("poll-interval").value);
  return Number.isFinite(seconds) && seconds >= 0.1 ? seconds * 1000 : 1000;
}

function isDemoEndpoint(url) {
  return url.origin === location.origin && url.pathname === "/api/view";
}

/**
 * One poll. Polls may overlap (a scheduled one and one right after a kill); only the answer of
 * the newest is used, so an older view never replaces a newer one.
 */
async function pollOnce(poll) {
  const seq = ++poll.seq;
  let url;
  try {
    url = new URL(poll.url, location.href);
  } catch (err) {
    showError($("poll-error"), Object.assign(new Error(`"${poll.url}" is not a URL`), { code: "BAD_URL" }), "Poll failed: ");
    stopPolling();
    return;
  }
  try {
    const res = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!res.ok) throw Object.assign(new Error(`${url.pathname} answered ${res.status} ${res.statusText}`.trim()), { code: `HTTP_${res.status}` });
    const text = await res.text();
    if (poll.stopped || seq !== poll.seq) return;
    let ok = true;
    if (text !== state.viewText) {
      ok = decide(text, url.pathname);
      // Show the polled text as received, unless someone is typing there.
      if (ok && document.activeElement !== $("view-text")) $("view-text").value = text;
    }
    if (!ok) throw Object.assign(new Error("the view was refused; see below"), { code: $("view-error").dataset.code || "INVALID_VIEW" });
    showError($("poll-error"), null);
    const wasDemo = state.demo;
    state.demo = isDemoEndpoint(url);
    if (wasDemo !== state.demo) setSourceStatus();
    $("poll-status").textContent = `last poll ${new Date().toLocaleTimeString()}: ok`;
    $("poll-status").dataset.ok = "true";
  } catch (err) {
    if (poll.stopped || seq !== poll.seq) return;
    const e = err instanceof TypeError && !err.code ? Object.assign(new Error(`cannot reach ${url.href}`), { code: "NETWORK" }) : err;
    showError($("poll-error"), e, "Poll failed: ");
    $("poll-status").textContent = `last poll ${new Date().toLocaleTimeString()}: failed`;
    $("poll-status").dataset.ok = "false";
  }
}

/** Arm the next poll; one timer per poll loop, whoever calls. */
function schedule(poll) {
  if (poll.stopped) return;
  clearTimeout(poll.timer);
  poll.timer = setTimeout(async () => {
    await pollOnce(poll);
    schedule(poll);
  }, pollInterval());
}

async function startPolling(url) {
  stopPolling();
  const poll = { url, timer: null, stopped: false, seq: 0 };
  state.polling = poll;
  state.leaders = null;
  state.whatIf = false;
  view.limit = PAGE_SIZE;
  $("poll-url").value = url;
  $("poll-toggle").textContent = "Stop polling";
  $("poll-toggle").setAttribute("aria-pressed", "true");
  setSourceStatus();
  await pollOnce(poll);
  schedule(poll);
}

function stopPolling(note) {
  const poll = state.polling;
  if (!poll) return;
  poll.stopped = true;
  clearTimeout(poll.timer);
  state.polling = null;
  state.demo = false;
  $("poll-toggle").textContent = "Start polling";
  $("poll-toggle").setAttribute("aria-pressed", "false");
  $("poll-status").textContent = note || "stopped";
  setSourceStatus();
}

$("poll-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (state.polling) stopPolling();
  else startPolling($("poll-url").value.trim() || "/api/view");
});

/** Poll now, outside the schedule (after a kill or revive). */
async function pollNow() {
  const poll = state.polling;
  if (!poll) return;
  clearTimeout(poll.timer);
  await pollOnce(poll);
  schedule(poll);
}

// ---------------------------------------------------------------------------------------------
// Kill and revive

async function setMemberLive(id, live, button) {
  if (state.demo && state.polling) {
    const path = `/api/nodes/${encodeURIComponent(id)}/${live ? "revive" : "kill"}`;
    button.disabled = true;
    try {
      // The demo server acts only on a request with this header (web/README.md): another page
      // cannot send it without a CORS preflight, which the server never grants.
      const res = await fetch(path, { method: "POST", headers: { "X-Tael-Dashboard": "1" } });
      if (!res.ok) throw Object.assign(new Error(`${path} answered ${res.status} ${res.statusText}`.trim()), { code: `HTTP_${res.status}` });
      showError($("action-error"), null);
    } catch (err) {
      showError($("action-error"), err.code ? err : Object.assign(new Error(`cannot reach ${path}`), { code: "NETWORK" }), `${live ? "Revive" : "Kill"} ${id} failed: `);
    } finally {
      button.disabled = false;
    }
    await pollNow();
    return;
  }
  if (state.viewText === null) return;
  showError($("action-error"), null);
  if (state.polling) stopPolling("paused: the view was edited here");
  const { text } = setLive(normalizeView, state.viewText, id, live);
  if (decide(text, "local edit")) $("view-text").value = text;
  setSourceStatus();
}

$("groups").addEventListener("click", (ev) => {
  const button = ev.target.closest("button.toggle");
  if (!button) return;
  setMemberLive(button.dataset.id, button.dataset.live === "true", button);
});

for (const input of [...document.querySelectorAll("input[data-policy]"), $("policy-max-lag")]) {
  input.addEventListener("change", () => {
    // A toggle changed under the cluster's policy asks "what if"; the view still says whose.
    if (view.read && view.read.policy !== null) state.whatIf = true;
    redecide();
  });
}
$("use-cluster-policy").addEventListener("click", () => {
  state.whatIf = false;
  redecide();
});

$("group-filter").addEventListener("input", () => {
  view.limit = PAGE_SIZE;
  renderCards();
});
$("filter-leaderless").addEventListener("change", () => {
  view.limit = PAGE_SIZE;
  renderCards();
});
$("show-more").addEventListener("click", () => {
  view.limit += PAGE_SIZE;
  renderCards();
});

// ---------------------------------------------------------------------------------------------
// Fence panel

const fence = { gate: null, kind: "epoch" };

/** An epoch typed as decimal text, as a BigInt; the core checks the range. */
function epochFromText(text, what) {
  const t = text.trim();
  if (!/^-?[0-9]+$/.test(t)) {
    throw Object.assign(new Error(`${what} "${text}" is not a decimal integer`), { code: "INVALID_EPOCH" });
  }
  return BigInt(t);
}

function showGateState() {
  const g = fence.gate;
  const parts = [`${fence.kind === "holder" ? "Holder-aware gate" : "Epoch gate"}: highest ${g.highest.toString()}`];
  if (fence.kind === "holder") parts.push(g.holder === undefined ? "no holder recorded" : `holder ${g.holder}`);
  parts.push(g.jumpCap === undefined ? "no jump cap" : `jump cap ${g.jumpCap.toString()}`);
  const spans = [];
  parts.forEach((p, i) => spans.push(...(i ? [" · "] : []), el("span", { class: "nowrap", text: p })));
  $("gate-state").replaceChildren(...spans);
  $("token-holder").disabled = fence.kind !== "holder";
}

function setGate() {
  const kind = document.querySelector("input[name=gate-kind]:checked").value;
  let gate;
  try {
    const highestText = $("gate-highest").value.trim();
    const capText = $("gate-cap").value.trim();
    const highest = highestText === "" ? undefined : epochFromText(highestText, "highest");
    const cap = capText === "" ? undefined : epochFromText(capText, "jump cap");
    gate = kind === "holder" ? new HolderFencer(highest, cap) : new EpochFencer(highest, cap);
  } catch (err) {
    showVerdictError(err, "Gate not set: ");
    return;
  }
  if (fence.gate) fence.gate.free();
  fence.gate = gate;
  fence.kind = kind;
  $("verdict").replaceChildren(el("p", { class: "muted", text: "Gate set. Check a record." }));
  delete $("verdict").dataset.code;
  showGateState();
}

/** Counts what the verdict box showed, so a reader can wait for the next one. */
function bumpVerdict(box) {
  box.dataset.seq = String(Number(box.dataset.seq || "0") + 1);
}

function showVerdictError(err, prefix) {
  const { code, message } = errorText(err);
  const box = $("verdict");
  bumpVerdict(box);
  box.dataset.code = "";
  box.replaceChildren(el("p", { class: "error verdict-error", "data-code": code }, prefix, el("code", { class: "code", text: code }), ` ${message}`));
}

function checkRecord() {
  const epochText = $("token-epoch").value;
  const holder = $("token-holder").value;
  let v;
  try {
    const epoch = epochFromText(epochText, "epoch");
    v = fence.kind === "holder" ? fence.gate.check(epoch, holder) : fence.gate.check(epoch);
  } catch (err) {
    showVerdictError(err, "Record not checked: ");
    return;
  }
  const verdict = {
    code: v.code,
    accepted: v.accepted,
    epoch: v.epoch.toString(),
    highest: v.highest.toString(),
    from: v.from === undefined ? undefined : v.from.toString(),
    cap: v.cap === undefined ? undefined : v.cap.toString(),
    holder: v.holder,
  };
  v.free();

  const facts = el("dl", { class: "facts verdict-facts" });
  const fact = (name, value, cls) => facts.append(el("div", {}, el("dt", { text: name }), el("dd", { class: cls, text: value })));
  fact("Accepted", verdict.accepted ? "yes" : "no", "v-accepted");
  fact("Epoch", verdict.epoch, "v-epoch");
  fact("Highest after", verdict.highest, "v-highest");
  if (verdict.from !== undefined) fact("Advanced from", verdict.from, "v-from");
  if (verdict.cap !== undefined) fact("Jump cap", verdict.cap, "v-cap");
  if (verdict.holder !== undefined) fact("Recorded holder", verdict.holder, "v-holder");

  const box = $("verdict");
  bumpVerdict(box);
  box.dataset.code = verdict.code;
  box.replaceChildren(
    el("p", { class: "verdict-line" }, el("span", { class: `badge verdict-code ${verdict.accepted ? "ok" : "bad"}`, text: verdict.code }), verdict.accepted ? " accepted" : " rejected"),
    facts,
  );

  const record = fence.kind === "holder" ? `(${verdict.epoch}, ${holder})` : verdict.epoch;
  const log = $("verdict-log");
  log.hidden = false;
  const body = log.querySelector("tbody");
  body.prepend(el("tr", {}, el("td", { text: record }), el("td", { text: verdict.code }), el("td", { class: "num", text: verdict.highest })));
  while (body.rows.length > 8) body.deleteRow(-1);
  showGateState();
}

$("gate-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  setGate();
});
$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  checkRecord();
});

// ---------------------------------------------------------------------------------------------
// Start

async function main() {
  await init();
  $("core-version").textContent = `version ${version()}`;
  setGate();
  const params = new URLSearchParams(location.search);
  const pollParam = params.get("poll");
  if (params.has("interval")) $("poll-interval").value = params.get("interval");
  if (pollParam) {
    await startPolling(pollParam);
  } else {
    loadLocal(SAMPLE_VIEW, "the built-in sample");
  }
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  const s = $("source-status");
  s.dataset.mode = "error";
  showError(s, err, "The dashboard could not start: ");
  s.hidden = false;
});
