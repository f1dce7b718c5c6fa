// URL polling against a fake of the demo cluster's API (GET /api/view, GET /api/nodes, POST
// /api/nodes/{id}/kill|revive) served next to the page, poll errors shown in the page, the nodes'
// verdict counters, and the screenshot of the dashboard in demo mode (target/dashboard.png).

import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import {
  REPO_ROOT, startServer, launchBrowser, openDashboard, assertNoProblems, setPolicy, shownDecisions,
  shownLeader, clickMember,
} from "./harness.mjs";

/** A fake demo cluster: its view as the core would write it, and the kill/revive endpoints. */
function fakeCluster() {
  const nodes = [
    { id: "node-a", generation: "1717171717", live: true, epoch: "41" },
    { id: "node-b", generation: "1717171802", live: true, epoch: "41" },
    { id: "node-c", generation: "18446744073709551615", live: true, epoch: "40" },
    { id: "n 1/é", generation: "9007199254740993", live: false, epoch: "0" },
  ];
  // Each node's verdict counters as `GET /api/nodes` reports them (null: its gate does not count).
  const counters = {
    "node-a": { CURRENT: "3", ADVANCED: "1", STALE_EPOCH: "0", TOO_FAR_AHEAD: "0", CONFLICT: "0", CLOSED: "0" },
    "node-b": { CURRENT: "18446744073709551615", ADVANCED: "2", STALE_EPOCH: "1", TOO_FAR_AHEAD: "0", CONFLICT: "4", CLOSED: "1" },
    "node-c": { CURRENT: "0", ADVANCED: "0", STALE_EPOCH: "0", TOO_FAR_AHEAD: "7", CONFLICT: "0", CLOSED: "0" },
    "n 1/é": null,
  };
  const cluster = {
    nodes,
    counters,
    nodeGets: 0,
    failNodes: null, // an HTTP status to answer GET /api/nodes with
    posts: [],
    gets: 0,
    fail: null, // an HTTP status to answer GET /api/view with
    malformed: false,
    failPosts: null, // an HTTP status to answer the kill/revive POSTs with
    waiters: [],
    viewText() {
      const member = (n) => `{"id": ${JSON.stringify(n.id)}, "live": ${n.live}, "generation": "${n.generation}", "epoch": "${n.epoch}"}`;
      const group = (ids, extra = "") =>
        `{"members": [${nodes.filter((n) => ids.includes(n.id)).map(member).join(", ")}]${extra}}`;
      const text = `{"groups": {"wal-0": ${group(["node-a", "node-b", "node-c"], ', "configured": "3"')}, "wal-1": ${group(["node-a", "node-b", "node-c", "n 1/é"], ', "incumbent": "node-b"')}, "orders": ${group(["node-b", "node-c"], ', "incumbent": "node-c"')}}}`;
      return cluster.malformed ? text.replace('"live"', '"alive"') : text;
    },
    /** Resolves once GET /api/view has been answered `n` times in all. */
    waitGets(n) {
      if (cluster.gets >= n) return Promise.resolve();
      return new Promise((resolve) => cluster.waiters.push({ n, resolve }));
    },
    async api(req, res, url) {
      if (req.method === "GET" && (url.pathname === "/api/view" || url.pathname === "/elsewhere/view.json")) {
        cluster.gets += 1;
        cluster.waiters = cluster.waiters.filter((w) => (cluster.gets >= w.n ? (w.resolve(), false) : true));
        if (cluster.fail) {
          res.writeHead(cluster.fail, { "Content-Type": "text/plain" }).end("cluster unavailable");
        } else {
          res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(cluster.viewText());
        }
        return true;
      }
      if (req.method === "GET" && url.pathname === "/api/nodes") {
        cluster.nodeGets += 1;
        if (cluster.failNodes) {
          res.writeHead(cluster.failNodes, { "Content-Type": "text/plain" }).end("nodes unavailable");
        } else {
          const body = { nodes: nodes.map((n) => ({ id: n.id, running: n.live, decision: null, counters: counters[n.id] })) };
          res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
        }
        return true;
      }
      const m = /^\/api\/nodes\/([^/]+)\/(kill|revive)$/.exec(url.pathname);
      if (m) {
        if (req.method !== "POST") {
          res.writeHead(405).end();
          return true;
        }
        // As `tael-coord dashboard` does: a POST without the page's header is refused.
        if (req.headers["x-tael-dashboard"] !== "1") {
          res.writeHead(403, { "Content-Type": "text/plain" }).end("forbidden: no X-Tael-Dashboard: 1");
          return true;
        }
        cluster.posts.push(url.pathname);
        if (cluster.failPosts) {
          res.writeHead(cluster.failPosts, { "Content-Type": "text/plain" }).end("refused");
          return true;
        }
        const node = nodes.find((n) => n.id === decodeURIComponent(m[1]));
        if (!node) {
          res.writeHead(404).end();
          return true;
        }
        node.live = m[2] === "revive";
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok": true}');
        return true;
      }
      return false;
    },
  };
  return cluster;
}

/** Wait until the page shows `leader` for `group`. */
async function waitLeader(page, group, leader) {
  await page.waitForFunction(
    ([g, l]) => {
      const card = [...document.querySelectorAll(".group")].find((c) => c.querySelector("h3").textContent === g);
      return card && card.querySelector(".leader").dataset.leader === l;
    },
    [group, leader],
  );
}

describe("polling a view URL and the demo API", () => {
  let server, browser, page, cluster;
  before(async () => {
    cluster = fakeCluster();
    server = await startServer((req, res, url) => cluster.api(req, res, url));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    await page?.close();
    for (const n of cluster.nodes) n.live = n.id !== "n 1/é";
    cluster.counters["node-a"].CURRENT = "3";
    cluster.failNodes = null;
    cluster.fail = null;
    cluster.malformed = false;
    cluster.failPosts = null;
    cluster.posts.length = 0;
    page = await openDashboard(browser.context, `${server.url}/`);
  });

  test("a successful poll of /api/view is demo mode: clicks POST kill and revive, the leader moves", async () => {
    assert.equal(await page.getByLabel("Poll URL").inputValue(), "/api/view", "the default poll URL");
    await page.getByRole("button", { name: "Start polling" }).click();
    await page.waitForSelector("#source-status[data-mode=demo]");
    await waitLeader(page, "wal-0", "node-a");
    const shown = await shownDecisions(page);
    assert.deepEqual(shown.map((g) => g.group), ["orders", "wal-0", "wal-1"]);
    assert.equal(shown[1].rows.find((r) => r.id === "node-c").generation, "18446744073709551615");

    // The polled text is shown as received.
    assert.equal(await page.getByLabel("View JSON").inputValue(), cluster.viewText());
    await clickMember(page, "wal-0", "node-a", "Kill");
    await waitLeader(page, "wal-0", "node-b");
    assert.deepEqual(cluster.posts, ["/api/nodes/node-a/kill"]);
    assert.equal(cluster.nodes[0].live, false);
    // The demo decided the kill; the page shows its new view, not an edit of its own.
    assert.equal(await page.getByLabel("View JSON").inputValue(), cluster.viewText());

    await clickMember(page, "wal-1", "node-a", "Revive");
    await waitLeader(page, "wal-0", "node-a");
    // An id that needs escaping in a path.
    await clickMember(page, "wal-1", "n 1/é", "Revive");
    await waitLeader(page, "wal-1", "n 1/é");
    assert.deepEqual(cluster.posts, ["/api/nodes/node-a/kill", "/api/nodes/node-a/revive", "/api/nodes/n%201%2F%C3%A9/revive"]);
    assert.match(await page.locator("#announce").textContent(), /wal-1: node-a → n 1\/é/);

    // A refused kill is shown next to the groups, and stays after the next successful poll.
    cluster.failPosts = 500;
    const gets = cluster.gets;
    await clickMember(page, "wal-0", "node-b", "Kill");
    const actionError = page.locator("#action-error");
    await actionError.waitFor({ state: "visible" });
    assert.equal(await actionError.locator("code").textContent(), "HTTP_500");
    assert.match(await actionError.textContent(), /Kill node-b failed/);
    await cluster.waitGets(gets + 2);
    assert.equal(await actionError.isVisible(), true);
    assert.equal(await shownLeader(page, "wal-0"), "node-a");

    await page.getByRole("button", { name: "Stop polling" }).click();
    await page.waitForSelector("#source-status[data-mode=local]");
    assertNoProblems(page, (p) => /^Failed to load resource/.test(p.text) && p.url.endsWith("/api/nodes/node-b/kill"));
  });

  test("demo mode shows every node of /api/nodes with its verdict counters, and follows them", async () => {
    assert.equal(await page.locator("#nodes-panel").isHidden(), true, "no nodes before demo mode");
    await page.getByLabel("Every (s)").fill("0.1");
    await page.getByRole("button", { name: "Start polling" }).click();
    await page.waitForSelector("#nodes-panel:not([hidden])");
    const rows = () =>
      page.$$eval("#nodes tbody tr", (trs) =>
        trs.map((tr) => ({
          id: tr.dataset.id,
          running: tr.dataset.running === "true",
          counted: tr.dataset.counted === "true",
          counters: Object.fromEntries([...tr.querySelectorAll("td.counter")].map((td) => [td.dataset.code, td.textContent])),
          text: tr.textContent,
        })),
      );
    const shown = await rows();
    assert.deepEqual(shown.map((r) => [r.id, r.running, r.counted]), [["node-a", true, true], ["node-b", true, true], ["node-c", true, true], ["n 1/é", false, false]]);
    for (const r of shown.filter((r) => r.counted)) {
      assert.deepEqual(r.counters, cluster.counters[r.id], `${r.id}: every counter, exactly as the server wrote it`);
    }
    assert.match(shown[3].text, /does not count/);
    // The column heads are the verdicts, in status order.
    const heads = await page.$$eval("#nodes thead th", (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(heads.slice(3), ["Current", "Advanced", "Stale epoch", "Too far ahead", "Conflict", "Closed"]);

    // New counts show up with the next polls.
    cluster.counters["node-a"].CURRENT = "4";
    await page.waitForFunction(() => document.querySelector('#nodes tr[data-id="node-a"] td[data-code="CURRENT"]').textContent === "4");

    // A failing /api/nodes is said in the panel; the view keeps being polled.
    cluster.failNodes = 500;
    await page.locator("#nodes-error").waitFor({ state: "visible" });
    assert.equal(await page.locator("#nodes-error code").textContent(), "HTTP_500");
    cluster.failNodes = null;
    await page.locator("#nodes-error").waitFor({ state: "hidden" });

    // Polling stopped: the demo's nodes are no longer shown.
    await page.getByRole("button", { name: "Stop polling" }).click();
    await page.waitForSelector("#nodes-panel[hidden]", { state: "attached" });
    assertNoProblems(page, (p) => /^Failed to load resource/.test(p.text) && p.url.endsWith("/api/nodes"));
  });

  test("?poll= starts polling on load, and the interval control sets the pace", async () => {
    await page.goto(`${server.url}/?poll=/api/view&interval=0.2`);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForSelector("#source-status[data-mode=demo]");
    assert.equal(await page.getByLabel("Every (s)").inputValue(), "0.2");
    const start = Date.now();
    const seen = cluster.gets;
    await cluster.waitGets(seen + 4);
    // At the default 1 s, four polls take at least 3 s.
    assert.ok(Date.now() - start < 2900, `four polls took ${Date.now() - start} ms`);

    // A change in the cluster shows up without a click.
    cluster.nodes[0].live = false;
    await waitLeader(page, "wal-0", "node-b");
    assertNoProblems(page);
  });

  test("poll errors are shown in the page and clear when the endpoint recovers", async () => {
    await page.getByLabel("Every (s)").fill("0.1");
    await page.getByRole("button", { name: "Start polling" }).click();
    await waitLeader(page, "wal-0", "node-a");

    cluster.fail = 503;
    const pollError = page.locator("#poll-error");
    await pollError.waitFor({ state: "visible" });
    assert.equal(await pollError.locator("code").textContent(), "HTTP_503");
    assert.match(await pollError.textContent(), /\/api\/view answered 503/);

    cluster.fail = null;
    cluster.malformed = true;
    await page.waitForFunction(() => document.getElementById("poll-error").dataset.code === "INVALID_VIEW");
    assert.equal(await page.locator("#view-error code").textContent(), "INVALID_VIEW");
    assert.match(await page.locator("#view-error").textContent(), /alive/);
    // The last good view stays on screen.
    assert.equal(await shownLeader(page, "wal-0"), "node-a");

    cluster.malformed = false;
    cluster.nodes[0].live = false;
    await waitLeader(page, "wal-0", "node-b");
    await pollError.waitFor({ state: "hidden" });
    assert.equal(await page.locator("#view-error").isHidden(), true);

    // An endpoint that cannot be reached at all.
    await page.getByRole("button", { name: "Stop polling" }).click();
    await page.getByLabel("Poll URL").fill("http://127.0.0.1:9/api/view");
    await page.getByRole("button", { name: "Start polling" }).click();
    await page.waitForFunction(() => document.getElementById("poll-error").dataset.code === "NETWORK");
    assert.equal(await page.getAttribute("#source-status", "data-mode"), "poll", "another origin is not the demo");

    // The browser itself logs failed loads; they are the expected ones, nothing else.
    assertNoProblems(page, (p) => /^Failed to load resource/.test(p.text) && /\/api\/view$/.test(p.url));
    assert.ok(page.problems.length >= 2, "the 503 and the refused connection were logged by the browser");
  });

  test("a view polled from elsewhere is not the demo: clicks edit it locally and pause polling", async () => {
    await page.getByLabel("Poll URL").fill("/elsewhere/view.json");
    await page.getByRole("button", { name: "Start polling" }).click();
    await waitLeader(page, "wal-0", "node-a");
    assert.equal(await page.getAttribute("#source-status", "data-mode"), "poll");

    await clickMember(page, "wal-0", "node-a", "Kill");
    await waitLeader(page, "wal-0", "node-b");
    assert.deepEqual(cluster.posts, []);
    assert.equal(await page.getAttribute("#source-status", "data-mode"), "local");
    assert.match(await page.locator("#poll-status").textContent(), /paused/);
    const edited = JSON.parse(await page.getByLabel("View JSON").inputValue());
    const entries = Object.values(edited.groups).flatMap((g) => g.members.filter((m) => m.id === "node-a"));
    assert.ok(entries.length > 0 && entries.every((m) => m.live === false), "node-a is dead in the local view");
    assertNoProblems(page);
  });

  test("screenshot of the dashboard in demo mode (target/dashboard.png)", async () => {
    await page.getByRole("button", { name: "Start polling" }).click();
    await waitLeader(page, "wal-0", "node-a");
    await setPolicy(page, { sticky_incumbent: true, quorum_guard: true });
    await clickMember(page, "wal-0", "node-a", "Kill");
    await waitLeader(page, "wal-0", "node-b");
    const shown = await shownDecisions(page);
    const pick = (g) => shown.filter((d) => d.group === g).map((d) => [d.leader, d.reason])[0];
    assert.deepEqual(pick("orders"), ["node-c", "incumbent"]);
    // wal-1 lists four nodes and two are live: not a strict majority.
    assert.deepEqual(pick("wal-1"), [null, "no_quorum"]);

    await page.getByLabel("Holder-aware gate", { exact: true }).check();
    await page.getByLabel("Highest epoch").fill("41");
    await page.getByRole("button", { name: "Set gate" }).click();
    for (const [epoch, holder] of [["42", "node-b"], ["42", "node-a"], ["41", "node-a"]]) {
      await page.getByLabel("Epoch", { exact: true }).fill(epoch);
      await page.getByLabel("Holder (holder-aware gate)").fill(holder);
      const seq = Number(await page.getAttribute("#verdict", "data-seq"));
      await page.getByRole("button", { name: "Check record" }).click();
      await page.waitForFunction((s) => Number(document.getElementById("verdict").dataset.seq) > s, seq);
    }
    assert.equal(await page.getAttribute("#verdict", "data-code"), "STALE_EPOCH");

    // Still live against the fake demo; it changes no more, so the picture is stable.
    assert.equal(await page.getAttribute("#source-status", "data-mode"), "demo");
    const file = path.join(REPO_ROOT, "target", "dashboard.png");
    mkdirSync(path.dirname(file), { recursive: true });
    const png = await page.screenshot({ path: file, fullPage: true });
    assert.ok(png.length > 10_000, "a real picture");
    assertNoProblems(page);
  });
});
