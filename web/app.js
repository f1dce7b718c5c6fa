// The tael-coord dashboard: shows who leads every group of a membership view and why, the
// leader changes between successive views (a feed, and a reign timeline per group), the demo
// cluster's nodes with their verdict counters, and judges records against an epoch gate. Every
// decision, event and verdict comes from the core (the WebAssembly build in ./pkg); this file only
// moves text in and renders what the core returns.
//
// u64 values never pass through a JavaScript number: the view goes to the core as text, member
// fields are shown from the core's canonical text of it (./viewtext.js), and epochs typed in
// the fence panel become BigInts.

import init, { electLeaders, nextEpoch, normalizeView, transitions, EpochFencer, HolderFencer, version } from "./pkg/tael_coord.js";
import { readCanonical, readView, setLiveRead } from "./viewtext.js";
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
  announceAll: true, // the next render announces every leader (a new source), not the changes
  whatIf: false, // the toggles were changed while the view carries its cluster's policy
  revision: 0,
  heldText: null, // a large view text kept aside instead of in the text box (showViewText)
  textLater: null, // writes the view's text when a local edit left it to later (viewText)
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
 * Decide `text` under the current policy and show it; `cause` says what made the page decide
 * (for the leader-change feed; default: a view from `source`). On an error the previous view
 * stays on screen and the error is shown. Returns whether the core accepted the view.
 */
function decide(text, source, cause = source, known = null) {
  let decisions, read, policy;
  try {
    // `known`: {read, touched, write, decisions, policyJSON}: readView's answer for `text`,
    // read already; for a local edit of the view on screen, the groups it changed (else null)
    // and, when `text` is null, what writes the text; or the decisions of `text` already made
    // under the policy `policyJSON`.
    read = text !== null && text === view.text ? view.read : known !== null ? known.read : readView(normalizeView, text);
    policy = policyFor(read.policy);
    const policyJSON = JSON.stringify(policy);
    if (known !== null && known.decisions && known.policyJSON === policyJSON) decisions = known.decisions;
    else if (known !== null && known.touched && policyJSON === view.policyJSON) decisions = redecided(read, known.touched, policy);
    else decisions = electLeaders(text, policy);
  } catch (err) {
    const what = err && err.code === "INVALID_POLICY" && policy !== undefined ? "Policy" : `View from ${source}`;
    showError($("view-error"), err, `${what} not applied: `);
    return false;
  }
  showError($("view-error"), null);
  // The leader changes of the view before, if not found yet, come first (this render draws them).
  observeLater(false);
  // A text null is written when asked for (viewText), or after the next frame.
  state.viewText = text;
  state.textLater = text === null ? known.write : null;
  state.source = source;
  if (decisions.length <= PAGE_SIZE) {
    render(decisions, text, read, policy, observe(decisions, cause));
    return true;
  }
  // A large view: its decisions are drawn first, its leader changes (the feed, the reigns,
  // the announcement) found and drawn after that frame, with the rest of the page's cards.
  const job = { decisions, cause, time: Date.now() };
  watch.pending = job;
  render(decisions, text, read, policy, undefined);
  afterPaint(() => {
    if (watch.pending === job) observeLater();
  });
  return true;
}

/**
 * Find the leader changes of the view decided last, if they were left for later, and draw
 * them (when `draw` and that view is still on screen).
 */
function observeLater(draw = true) {
  const job = watch.pending;
  if (job === null) return;
  watch.pending = null;
  const events = observe(job.decisions, job.cause, job.time);
  if (!draw || view.decisions !== job.decisions) return;
  announce(job.decisions, events);
  renderFeed();
  renderCards();
}

/**
 * The decisions of the view on screen with the groups `touched` decided again from `read` (an
 * edit of it) under `policy`, the one that decided it: the core decides each group by itself
 * (SEMANTICS.md §8), so the others stand. A kill in a view of thousands of groups changes the
 * few that list the node.
 */
function redecided(read, touched, policy) {
  const groups = {};
  for (const name of touched) groups[name] = read.raw.groups[name];
  const again = touched.length === 0 ? [] : electLeaders(JSON.stringify({ groups }), policy);
  let at = decisionIndex.get(view.decisions);
  if (at === undefined) {
    at = new Map(view.decisions.map((d, i) => [d.group, i]));
  }
  const out = view.decisions.slice();
  for (const d of again) out[at.get(d.group)] = d;
  // The same groups at the same places.
  decisionIndex.set(out, at);
  return out;
}

/** Each decision list's positions by group name (redecided). */
const decisionIndex = new WeakMap();

/** Decide the shown view again (a policy toggle changed): its leader changes are what-ifs. */
function redecide() {
  const text = viewText();
  if (text !== null) decide(text, state.source, "policy change");
}

/**
 * The text of the view on screen (null before any), written now if a local edit left it to be
 * written later; the text box (or the text kept aside) then shows it.
 */
function viewText() {
  const write = state.textLater;
  if (write !== null) {
    state.textLater = null;
    state.viewText = write();
    view.text = state.viewText;
    showViewText(state.viewText);
  }
  return state.viewText;
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
// `cards`: the cards last drawn by group name, with what each shows (cachedCard).
const view = { decisions: [], read: null, byName: new Map(), text: null, nextEpochs: new Map(), limit: PAGE_SIZE, fresh: false, cards: new Map(), nextCards: new Map() };

function render(decisions, text, read, policy, events) {
  if (text !== view.text) {
    view.read = read;
    view.byName = read.groups;
    view.nextEpochs = new Map();
    view.text = text;
  }
  view.decisions = decisions;
  view.policyJSON = JSON.stringify(policy);
  view.fresh = policy.freshness === true;

  let led = 0;
  let split = 0;
  for (const d of decisions) {
    if (d.leader !== null) led++;
    if (d.claimants.length > 0) split++;
  }
  $("summary").textContent =
    `${decisions.length} group${decisions.length === 1 ? "" : "s"}, ${led} with a leader` +
    (led < decisions.length ? `, ${decisions.length - led} without` : "") +
    (split > 0 ? `, ${split} with more than one node claiming to lead` : "") +
    ` · view from ${state.source}`;
  $("summary").dataset.splitBrain = String(split);
  // `events` undefined: not found yet (observeLater draws them, and the whole page, next).
  if (events === undefined) {
    renderCards(false);
    return;
  }
  announce(decisions, events);
  renderFeed();
  renderCards();
}

/**
 * nextEpoch parses the whole view per call, so it is asked only while the work stays small
 * (the shown cards times the view's size), once per group and view text.
 */
function nextEpochShown(group) {
  if (view.nextEpochs.has(group)) return view.nextEpochs.get(group);
  // No text yet (a large view's edit, written after its frame): none is shown for such a view.
  if (view.text === null || view.text.length * Math.min(view.decisions.length, PAGE_SIZE) > NEXT_EPOCH_BUDGET) return null;
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
  const splitBrain = $("filter-split-brain").checked;
  const out = [];
  view.decisions.forEach((d, i) => {
    if (keep(d)) out.push(i);
  });
  return out;

  function keep(d) {
    if (leaderless && d.leader !== null) return false;
    if (splitBrain && d.claimants.length === 0) return false;
    if (needle === "") return true;
    if (d.group.includes(needle)) return true;
    const g = view.byName.get(d.group);
    return Boolean(g && g.members.some((m) => m.id.includes(needle)));
  }
}

/**
 * How many new cards a render builds at once: the first ones (a card of seven members is about
 * 550 px high: three screens of them), then, a task at a time after the first frame is
 * painted, the rest of the page in place of placeholders. The groups' revision counts a render
 * once every card is built.
 */
const FIRST_CARDS = 6;
const CARD_CHUNK = 20;

/**
 * The group cards: those matching the filter, a page at a time (a view may hold thousands).
 * Not `complete`: only the first cards, for a frame before the page is drawn again.
 */
function renderCards(complete = true) {
  const matching = matchingGroups();
  const shown = matching.slice(0, view.limit);
  const later = [];
  let built = 0;
  const cards = shown.map((i) => {
    const d = view.decisions[i];
    const card = cachedCard(d, i, built < FIRST_CARDS);
    if (card.built) built++;
    if (card.node === null) {
      // Built after the first frame; until then a placeholder of a card's size.
      const holder = el("article", { class: "group pending", "data-group": d.group, "aria-busy": "true" });
      later.push({ holder, d, i, sig: card.sig });
      return holder;
    }
    return card.node;
  });
  if (view.decisions.length === 0) cards.push(el("p", { class: "muted", text: "The view has no groups." }));
  else if (matching.length === 0) cards.push(el("p", { class: "muted", text: "No group matches the filter." }));
  const container = $("groups");
  placeChildren(container, cards);
  // The cards drawn this time are the ones kept for the next.
  view.cards = view.nextCards;
  view.nextCards = new Map();

  const more = $("show-more");
  const left = matching.length - shown.length;
  more.hidden = left <= 0;
  more.textContent = `Show ${Math.min(left, PAGE_SIZE)} more of ${left} groups`;
  $("shown-count").textContent =
    matching.length === view.decisions.length && left <= 0
      ? ""
      : `Showing ${shown.length} of ${matching.length} matching group${matching.length === 1 ? "" : "s"} (${view.decisions.length} in the view).`;

  state.revision += 1;
  const revision = state.revision;
  if (!complete) return;
  if (later.length === 0) {
    container.dataset.revision = String(revision);
    return;
  }
  afterPaint(() => buildLater(later, revision));
}

/** Run `f` once the next frame is painted (or soon, when the page is not drawn: a hidden tab). */
function afterPaint(f) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    f();
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 200);
}

/** Build the cards of `later` in place of their placeholders, CARD_CHUNK a task; a newer render stops it. */
function buildLater(later, revision) {
  if (revision !== state.revision) return;
  for (const { holder, d, i, sig } of later.splice(0, CARD_CHUNK)) {
    const node = groupCard(d, i);
    view.cards.set(d.group, { sig, node });
    holder.replaceWith(node);
  }
  if (later.length > 0) setTimeout(() => buildLater(later, revision), 0);
  else $("groups").dataset.revision = String(revision);
}

/**
 * The card of decision `d` (the `gi`th group): the one drawn before when what it shows is the
 * same (its decision, its entries, the columns, next epoch and reigns), with the open reign's
 * "so far" brought up to date; else a new one when `build`, else none yet. Returns {node, sig,
 * built}. A re-render after a filter change, a poll or a kill then writes only the cards that
 * changed.
 */
function cachedCard(d, gi, build) {
  const g = view.byName.get(d.group);
  const reigns = watch.reigns.get(d.group);
  const sig = JSON.stringify([gi, d, g === undefined ? null : [g.members, g.incumbent, g.handover_to, g.configured], view.fresh, nextEpochShown(d.group), reigns ?? null]);
  const old = view.cards.get(d.group);
  if (old !== undefined && old.sig === sig) {
    view.nextCards.set(d.group, old);
    refreshReigns(old.node, reigns);
    return { node: old.node, sig, built: false };
  }
  if (!build) return { node: null, sig, built: false };
  const node = groupCard(d, gi);
  view.nextCards.set(d.group, { sig, node });
  return { node, sig, built: true };
}

/** Bring the open reign's "so far" of a card drawn before up to date. */
function refreshReigns(card, reigns) {
  if (reigns === undefined || reigns.length === 0 || reigns[0].until !== null) return;
  const span = card.querySelector(".reign.current .reign-span");
  if (span !== null) span.textContent = `ongoing (${duration(Date.now() - reigns[0].since)} so far)`;
}

/**
 * Make `nodes` the children of `container`, in order, moving only what is not in place: the
 * cards that stay keep their place in the document (and the focus in them).
 */
function placeChildren(container, nodes) {
  const keep = new Set(nodes);
  for (const child of [...container.children]) if (!keep.has(child)) child.remove();
  let at = container.firstElementChild;
  for (const node of nodes) {
    if (node === at) at = at.nextElementSibling;
    else container.insertBefore(node, at);
  }
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
      : el("strong", { class: "leader", "data-leader": d.leader, "data-epoch": d.leader_epoch, text: d.leader }),
    el(
      "span",
      { class: "reason", "data-reason": d.reason },
      ` — ${DECISION_WORDS[d.reason] || d.reason} `,
      el("code", { class: "reason-code", text: d.reason }),
    ),
  );

  const facts = el("dl", { class: "facts" });
  const fact = (name, value) => facts.append(el("div", {}, el("dt", { text: name }), el("dd", { text: value })));
  if (d.leader_epoch !== null) fact("Leader's epoch", d.leader_epoch);
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
  const claimant = claimantRows(g.members, d);
  const rows = rowsOf(g.members, d).map(({ member: m, leader, excluded }, i) => {
    const behind = Boolean(excluded && excluded.reason === "behind");
    const successor = g.handover_to !== null && m.id === g.handover_to;
    const claims = m.claims_epoch !== undefined && m.claims_epoch !== null;
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
        class: `member${leader ? " is-leader" : ""}${m.live ? "" : " is-dead"}${behind ? " is-behind" : ""}${m.leaving ? " is-leaving" : ""}${successor ? " is-successor" : ""}${claimant.has(i) ? " is-claimant" : ""}`,
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
        // Also published by the member: the epoch at which it believes it leads (§8).
        claims ? " " : null,
        claims
          ? el("span", {
              class: `tag claims-tag${claimant.has(i) ? " claimant" : ""}`,
              "data-claims-epoch": m.claims_epoch,
              title: claimant.has(i) ? `${m.id} claims to lead, and is not the leader: more than one node believes it leads` : undefined,
              text: `claims to lead at epoch ${m.claims_epoch}`,
            })
          : null,
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
    { class: `group${d.leader === null ? " leaderless" : ""}${d.claimants.length > 0 ? " split-brain" : ""}`, "data-group": d.group, "aria-labelledby": hid },
    el("header", {}, el("h3", { id: hid, text: d.group }), leaderLine, facts),
    splitBrainWarning(d),
    el("div", { class: "table-wrap" }, table),
    reignTimeline(d.group),
  );
}

/**
 * The indices of the member rows that are the decision's claimants (§8). `claimants` lists
 * entries in the view's order, so each is the first row at or after the previous one's with its
 * id, generation and claimed epoch (among equal entries the first counts, as the core reads
 * duplicates); the leader's row never is one.
 */
function claimantRows(members, d) {
  const out = new Set();
  let k = 0;
  for (let i = 0; i < members.length && k < d.claimants.length; i++) {
    const m = members[i];
    const c = d.claimants[k];
    if (i !== d.leader_index && m.id === c.id && m.generation === c.generation && m.claims_epoch === c.claims_epoch) {
      out.add(i);
      k++;
    }
  }
  return out;
}

/** A group where more than one node believes it leads: who claims, at which epoch. */
function splitBrainWarning(d) {
  const n = d.claimants.length;
  if (n === 0) return null;
  const names = d.claimants.slice(0, 5).map((c) => `${c.id} (epoch ${c.claims_epoch})`).join(", ") + (n > 5 ? `, and ${n - 5} more` : "");
  const text =
    d.leader === null
      ? `Split brain: no leader is decided, yet ${names} ${n === 1 ? "claims" : "claim"} to lead.`
      : `Split brain: besides the leader ${d.leader} (epoch ${d.leader_epoch}), ${names} ${n === 1 ? "claims" : "claim"} to lead.`;
  return el("p", { class: "split-brain-warning", role: "note", "data-claimants": String(n) }, el("strong", { text: "⚠ " }), text);
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

/**
 * Say which leaders changed since the last render (a polite live region): the core's events of
 * this observation, or every leader after a new source.
 */
function announce(decisions, events) {
  const name = (l) => (l === null ? "no leader" : l);
  const all = state.announceAll || events === null;
  state.announceAll = false;
  let lines;
  if (all) {
    lines = decisions.slice(0, 7).map((d) => `${d.group}: ${name(d.leader)}`);
  } else {
    lines = events.slice(0, 7).map((e) => {
      if (e.event === "changed" && e.leader === e.previous) {
        return `${e.group}: ${e.leader} again, at epoch ${e.epoch} (was ${e.previous_epoch}), generation ${e.generation}`;
      }
      const d = decisions.find((x) => x.group === e.group);
      const why = d ? ` (${DECISION_WORDS[d.reason] || d.reason})` : "";
      return `${e.group}: ${name(e.previous)} → ${name(e.leader)}${why}`;
    });
  }
  const total = all ? decisions.length : events.length;
  if (total === 0) return;
  const shown = lines.slice(0, 6).join("; ") + (total > 6 ? `; and ${total - 6} more` : "");
  $("announce").textContent = (all ? "Leaders: " : "Leader changed: ") + shown;
}

// ---------------------------------------------------------------------------------------------
// Leader changes: the feed and each group's reign timeline (SEMANTICS.md §16)

/** How many events the feed keeps, and shows; how many reigns a group keeps, and shows. */
const FEED_KEPT = 1000;
const FEED_SHOWN = 50;
const REIGNS_KEPT = 20;
const REIGNS_SHOWN = 6;

/**
 * What the page has observed: the decisions of the last view it decided, the events between
 * successive ones (newest first), and per group its reigns (newest first; `until` null for the
 * current one). A reign with `leader` null is a time without a leader.
 */
// `pending`: the decisions whose changes are left for after their frame (decide), or null.
const watch = { previous: null, events: [], total: 0, reigns: new Map(), pending: null };

/**
 * Compare `decisions` with the last observed ones (the core's `transitions`), record the
 * events in the feed and the reigns, and return them; the first observation has no earlier
 * one: it opens every group's reign as seen from now, and returns null.
 */
function observe(decisions, cause, time = Date.now()) {
  const first = watch.previous === null;
  // An event depends only on each group's leader, its generation and its epoch (SEMANTICS.md
  // §16): the core is handed each decision without its excluded and claimants lists, which for
  // a large view are most of the text it would read.
  const lean = decisions.map(leanOf);
  let events;
  try {
    const [before, after] = first ? [[], lean] : changedOnly(watch.previous, lean);
    events = transitions(before, after);
  } catch (err) {
    // Decisions from electLeaders are always decisions; should the core refuse them, say so.
    showError($("feed-error"), err, "Leader changes not computed: ");
    watch.previous = lean;
    return [];
  }
  showError($("feed-error"), null);
  watch.previous = lean;
  for (const e of events) openReign(e, time, first);
  if (first) return null;
  if (events.length > 0) {
    watch.total += events.length;
    const batch = events.slice(0, FEED_KEPT).map((e) => ({ ...e, time, cause }));
    watch.events = batch.concat(watch.events.slice(0, FEED_KEPT - batch.length));
  }
  return events;
}

/**
 * The two lists without the groups whose leader, its generation and its epoch are the same in
 * both (or that are leaderless in one and missing from the other): the core gives no event for
 * them (SEMANTICS.md §16), and a poll of a large view changes few groups, so the core is handed
 * only the others.
 */
function changedOnly(previous, next) {
  const same = (a, b) =>
    b === undefined ? a.leader === null : a.leader === b.leader && a.leader_generation === b.leader_generation && a.leader_epoch === b.leader_epoch;
  const was = new Map();
  for (const d of previous) was.set(d.group, d);
  const is = new Map();
  for (const d of next) is.set(d.group, d);
  return [previous.filter((d) => !same(d, is.get(d.group))), next.filter((d) => !same(d, was.get(d.group)))];
}

/** Each decision without its lists, as handed to transitions (one per decision object). */
const leanDecisions = new WeakMap();
function leanOf(d) {
  let lean = leanDecisions.get(d);
  if (lean === undefined) {
    const { excluded, claimants, ...rest } = d;
    lean = { ...rest, excluded: [], claimants: [] };
    leanDecisions.set(d, lean);
  }
  return lean;
}

/** Close the group's current reign at `time` and open the one `e` starts (or a leaderless time). */
function openReign(e, time, seen) {
  let reigns = watch.reigns.get(e.group);
  if (reigns === undefined) watch.reigns.set(e.group, (reigns = []));
  if (reigns.length > 0 && reigns[0].until === null) reigns[0].until = time;
  reigns.unshift({ leader: e.leader, generation: e.generation, epoch: e.epoch, since: time, until: null, seen });
  if (reigns.length > REIGNS_KEPT) reigns.length = REIGNS_KEPT;
}

const clock = (ms) => new Date(ms).toLocaleTimeString();

/** A duration in words: "0.4 s", "12 s", "3 min 5 s", "2 h 3 min". */
function duration(ms) {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A leader with its epoch ("node-a at epoch 41"), or "none". */
function leaderWithEpoch(leader, epoch) {
  return leader === null ? "none" : `${leader} at epoch ${epoch}`;
}

const CHANGE_WORDS = { elected: "elected", lost: "lost its leader", changed: "changed" };

/** The newest events, a row each (the rest are kept, not drawn). */
function renderFeed() {
  const table = $("events");
  const rows = watch.events.slice(0, FEED_SHOWN).map((e) =>
    el(
      "tr",
      {
        class: `event ${e.event}`,
        "data-event": e.event,
        "data-group": e.group,
        "data-leader": e.leader ?? "",
        "data-epoch": e.epoch ?? "",
        "data-previous": e.previous ?? "",
        "data-previous-epoch": e.previous_epoch ?? "",
        title: `seen after ${e.cause}`,
      },
      el("td", { class: "time" }, el("time", { dateTime: new Date(e.time).toISOString(), text: clock(e.time) })),
      el("td", { class: "group-name" }, el("button", { type: "button", class: "link filter-group", "data-group": e.group, title: `Show only ${e.group}`, text: e.group })),
      el("td", { class: "change" }, el("span", { class: `badge change-badge ${e.event}`, text: CHANGE_WORDS[e.event] || e.event })),
      el("td", { class: "to", text: leaderWithEpoch(e.leader, e.epoch) }),
      el("td", { class: "from", text: leaderWithEpoch(e.previous, e.previous_epoch) }),
    ),
  );
  table.querySelector("tbody").replaceChildren(...rows);
  table.hidden = rows.length === 0;
  $("feed-empty").hidden = rows.length > 0;
  const more = $("feed-more");
  const hidden = watch.total - rows.length;
  more.hidden = hidden <= 0;
  more.textContent = hidden > 0 ? `${hidden} earlier change${hidden === 1 ? "" : "s"} not shown (${watch.total} in all).` : "";
  $("events-count").textContent = watch.total === 0 ? "" : `(${watch.total})`;
}

/** A group's reigns, newest first, the current one open-ended. */
function reignTimeline(group) {
  const reigns = watch.reigns.get(group);
  if (reigns === undefined) return null;
  const now = Date.now();
  const items = reigns.slice(0, REIGNS_SHOWN).map((r) => {
    const open = r.until === null;
    const who = r.leader === null ? el("span", { class: "reign-none", text: "no leader" }) : el("strong", { class: "reign-leader", text: r.leader });
    const epoch = r.leader === null ? null : el("span", { class: "reign-epoch", text: `epoch ${r.epoch}` });
    const since = `${r.seen ? "seen since" : "since"} ${clock(r.since)}`;
    const span = open ? `ongoing (${duration(now - r.since)} so far)` : `for ${duration(r.until - r.since)}`;
    return el(
      "li",
      {
        class: `reign${open ? " current" : ""}${r.leader === null ? " leaderless" : ""}`,
        "data-leader": r.leader ?? "",
        "data-epoch": r.epoch ?? "",
        "data-open": String(open),
        "data-duration-ms": open ? undefined : String(r.until - r.since),
      },
      epoch,
      epoch ? " · " : null,
      who,
      ` · ${since} · `,
      el("span", { class: "reign-span", text: span }),
    );
  });
  const older = reigns.length - items.length;
  return el(
    "div",
    { class: "reigns" },
    el("h4", { text: "Reigns, newest first" }),
    el("ol", { class: "reign-list" }, ...items),
    older > 0 ? el("p", { class: "muted", text: `${older} older reign${older === 1 ? "" : "s"} kept, not shown.` }) : null,
  );
}

$("events").addEventListener("click", (ev) => {
  const button = ev.target.closest("button.filter-group");
  if (!button) return;
  $("group-filter").value = button.dataset.group;
  view.limit = PAGE_SIZE;
  renderCards();
});

// ---------------------------------------------------------------------------------------------
// Sources: paste, file, poll

function setSourceStatus() {
  const s = $("source-status");
  // The nodes are the demo cluster's: shown while it is polled (from its first answer on).
  if (!(state.demo && state.polling)) $("nodes-panel").hidden = true;
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
  state.announceAll = true;
  state.whatIf = false;
  if (decide(text, source)) showViewText(text);
  setSourceStatus();
}

// A text box lays out all of its text, shown or not: a view of megabytes takes the browser
// seconds (about 2.5 s for 5 MB on one core, 14 s once indented), on every change. So a view text
// above this many characters is kept aside, not put in the box: the box is emptied, and a note
// says how large the view is; Apply view decides the text kept, typing in the box drops it.
const HELD_TEXT = 1 << 20;

/** Show `text` as the view's text: in the box, or kept aside when it is large. */
function showViewText(text) {
  const box = $("view-text");
  const note = $("view-text-note");
  if (text.length <= HELD_TEXT) {
    dropHeldText();
    box.value = text;
    return;
  }
  state.heldText = text;
  box.value = "";
  const mb = (text.length / 1e6).toFixed(1);
  note.textContent = `The view's text (${mb} million characters) is kept aside, not shown in the box: a text this large takes the browser seconds to lay out. Apply view decides it; typing in the box replaces it.`;
  note.hidden = false;
}

/** Forget the text kept aside, and the note (which also describes the box) with it. */
function dropHeldText() {
  if (state.heldText === null) return;
  state.heldText = null;
  const note = $("view-text-note");
  note.hidden = true;
  note.textContent = "";
}

/** The view text the box stands for: the text kept aside, or what the box holds. */
function boxText() {
  viewText();
  return state.heldText !== null ? state.heldText : $("view-text").value;
}

$("view-text").addEventListener("paste", (ev) => {
  // A large paste is kept aside (it replaces the box's text), before the box lays it out.
  const text = ev.clipboardData ? ev.clipboardData.getData("text/plain") : "";
  if (text.length <= HELD_TEXT) return;
  ev.preventDefault();
  showViewText(text);
});
$("view-text").addEventListener("input", () => {
  // Typed (or pasted small) text replaces the text kept aside.
  dropHeldText();
});

$("paste-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadLocal(boxText(), "pasted text");
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
    if (text !== viewText()) {
      // A large view is read, parsed, decided and drawn in four tasks: input between them is
      // answered (a view of 5,000 groups takes the core a few hundred ms to read and decide).
      let known = null;
      if (text.length > HELD_TEXT) {
        known = await readInSteps(text, () => poll.stopped || seq !== poll.seq);
        if (poll.stopped || seq !== poll.seq) return;
      }
      ok = decide(text, url.pathname, `a poll of ${url.pathname}`, known);
      // Show the polled text as received, unless someone is typing there.
      if (ok && document.activeElement !== $("view-text")) showViewText(text);
    }
    if (!ok) throw Object.assign(new Error("the view was refused; see below"), { code: $("view-error").dataset.code || "INVALID_VIEW" });
    showError($("poll-error"), null);
    const wasDemo = state.demo;
    state.demo = isDemoEndpoint(url);
    if (wasDemo !== state.demo) setSourceStatus();
    $("poll-status").textContent = `last poll ${new Date().toLocaleTimeString()}: ok`;
    $("poll-status").dataset.ok = "true";
    if (state.demo) await refreshNodes(poll, seq);
  } catch (err) {
    if (poll.stopped || seq !== poll.seq) return;
    const e = err instanceof TypeError && !err.code ? Object.assign(new Error(`cannot reach ${url.href}`), { code: "NETWORK" }) : err;
    showError($("poll-error"), e, "Poll failed: ");
    $("poll-status").textContent = `last poll ${new Date().toLocaleTimeString()}: failed`;
    $("poll-status").dataset.ok = "false";
  }
}

/**
 * What decide needs of `text`, a task at a time: the core's canonical text, its parse, the
 * decisions under the policy then; null when the core refuses the view (decide says why) or
 * when `stale()` after a step.
 */
async function readInSteps(text, stale) {
  try {
    const canonical = normalizeView(text);
    await nextTask();
    if (stale()) return null;
    const read = readCanonical(canonical);
    await nextTask();
    if (stale()) return null;
    const policy = policyFor(read.policy);
    const decisions = electLeaders(text, policy);
    await nextTask();
    return { read, touched: null, decisions, policyJSON: JSON.stringify(policy) };
  } catch {
    return null;
  }
}

/** Resolves in a later task, after input waiting to be handled. */
function nextTask() {
  if (globalThis.scheduler && typeof scheduler.yield === "function") return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
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
  state.announceAll = true;
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
// The demo cluster's nodes (GET /api/nodes, fetched after each poll in demo mode): whether each
// runs, the leader it decided itself, and its gate's verdict counters (SEMANTICS.md §16), or
// that its gate does not count.

const COUNTER_CODES = ["CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT", "CLOSED"];

async function refreshNodes(poll, seq) {
  let body;
  try {
    const res = await fetch("/api/nodes", { cache: "no-store", headers: { Accept: "application/json" } });
    if (!res.ok) throw Object.assign(new Error(`/api/nodes answered ${res.status} ${res.statusText}`.trim()), { code: `HTTP_${res.status}` });
    body = JSON.parse(await res.text());
  } catch (err) {
    if (poll.stopped || seq !== poll.seq) return;
    const code = err.code || (err instanceof SyntaxError ? "BAD_JSON" : "NETWORK");
    showError($("nodes-error"), Object.assign(new Error(err.message || String(err)), { code }), "Nodes not read: ");
    return;
  }
  if (poll.stopped || seq !== poll.seq) return;
  renderNodes(body);
}

/** The `/api/nodes` answer as a table (the server's text as it is: counts are decimal strings). */
function renderNodes(body) {
  const nodes = body !== null && typeof body === "object" && Array.isArray(body.nodes) ? body.nodes : null;
  if (nodes === null) {
    showError($("nodes-error"), Object.assign(new Error("the answer has no nodes array"), { code: "BAD_NODES" }), "Nodes not read: ");
    return;
  }
  showError($("nodes-error"), null);
  const text = (v) => (typeof v === "string" ? v : JSON.stringify(v) ?? "?");
  const rows = nodes.slice(0, 500).map((n) => {
    n = n !== null && typeof n === "object" ? n : {};
    const id = text(n.id);
    const running = n.running === true;
    const c = n.counters;
    const counted = c !== null && typeof c === "object";
    const decision = n.decision !== null && typeof n.decision === "object" ? n.decision : null;
    const leader = decision === null ? "—" : decision.leader === null ? "none" : text(decision.leader);
    return el(
      "tr",
      { class: "node", "data-id": id, "data-running": String(running), "data-counted": String(counted) },
      el("th", { scope: "row", class: "node-id", text: id }),
      el("td", { class: "running" }, el("span", { class: `dot ${running ? "live" : "dead"}`, "aria-hidden": "true" }), running ? " running" : " stopped"),
      el("td", { class: "believes", text: leader }),
      ...(counted
        ? COUNTER_CODES.map((code) => el("td", { class: "num counter", "data-code": code, text: code in c ? text(c[code]) : "?" }))
        : [el("td", { class: "muted not-counted", colSpan: COUNTER_CODES.length, text: "its gate does not count" })]),
    );
  });
  $("nodes").querySelector("tbody").replaceChildren(...rows);
  $("nodes-panel").hidden = false;
  $("nodes-panel").dataset.seq = String(Number($("nodes-panel").dataset.seq || "0") + 1);
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
  if (state.viewText === null && state.textLater === null) return;
  showError($("action-error"), null);
  if (state.polling) stopPolling("paused: the view was edited here");
  // The view on screen was read already (its text is state.viewText).
  const current = viewText();
  const read = view.text === current ? view.read : readView(normalizeView, current);
  const { write, read: edited, touched } = setLiveRead(read, id, live);
  // The groups that do not list the node keep their decisions, when the view on screen is the
  // one edited.
  const edit = { read: edited, touched: read === view.read ? touched : null, write: null };
  const cause = `${live ? "reviving" : "killing"} ${id} here`;
  if (edit.touched !== null && current.length > HELD_TEXT && current.length * Math.min(view.decisions.length, PAGE_SIZE) > NEXT_EPOCH_BUDGET) {
    // A large view (no next epoch shown): its text, only kept aside, is written after the
    // frame that shows the decisions.
    edit.write = () => write(HELD_TEXT);
    if (decide(null, "local edit", cause, edit)) afterPaint(viewText);
  } else {
    const text = write(HELD_TEXT);
    if (decide(text, "local edit", cause, edit)) showViewText(text);
  }
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
for (const box of [$("filter-leaderless"), $("filter-split-brain")]) {
  box.addEventListener("change", () => {
    view.limit = PAGE_SIZE;
    renderCards();
  });
}
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
