// The live dashboard against a real cluster (`tael-coord dashboard`: three node processes on
// gossip): with node-a leading, kill it, revive it, and at every stage the page shows the leader
// every running node decided. The nodes keep the sticky incumbent (node-b) after node-a comes
// back; the page decides with the policy the cluster publishes in its view, so it shows node-b
// too (a page deciding with no policy of its own would show node-a, the smallest id). The
// leader-change feed and the reign timeline follow the kill, and the nodes panel shows what
// `/api/nodes` says of every node (running, and verdict counters where it reports them).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  REPO_ROOT, WEB_ROOT, startServer, launchBrowser, openDashboard, assertNoProblems, shownLeader, clickMember,
  shownDecisions, shownFeed, feedEvent,
} from "./harness.mjs";

const BINARY = path.join(REPO_ROOT, "target", "debug", "tael-coord");
const GROUP = "wal-0";
/** A name the browser resolves to 127.0.0.1, as an attacker's DNS would (DNS rebinding). */
const REBOUND = "rebound.test";

/** Start `tael-coord dashboard` on a free port; resolves to {url, get(path), close}. */
async function startDashboard() {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run web/test.sh (it builds the CLI)`);
  const child = spawn(BINARY, ["dashboard", "--nodes", "3", "--port", "0", "--web-dir", WEB_ROOT], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`tael-coord dashboard exited (${code}) before serving`)));
  });
  return {
    url,
    get: async (p) => (await fetch(url + p, { cache: "no-store" })).json(),
    close: async () => {
      child.stdin.end("quit\n");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll `probe` until it returns a value other than undefined; fails after `ms`. */
async function eventually(what, probe, ms = 30_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.done) return last.value;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not reached in ${ms} ms (last: ${JSON.stringify(last)})`);
}

/** The leader every running node reported, once they all report the same one. */
async function nodesAgree(dashboard, expectRunning) {
  const { nodes } = await dashboard.get("/api/nodes");
  const running = nodes.filter((n) => n.running);
  const leaders = new Set(running.map((n) => (n.decision ? n.decision.leader : undefined)));
  const done = running.length === expectRunning && leaders.size === 1 && !leaders.has(undefined) && !leaders.has(null);
  return { done, value: [...leaders][0], nodes: running.map((n) => [n.id, n.decision && n.decision.leader]) };
}

/** Every node of the dashboard still runs (`/api/nodes`, set before a kill answers). */
async function assertAllRunning(dashboard, when) {
  const { nodes } = await dashboard.get("/api/nodes");
  assert.deepEqual(
    nodes.map((n) => [n.id, n.running]),
    [["node-a", true], ["node-b", true], ["node-c", true]],
    `a node was stopped ${when}`,
  );
}

/** Nodes and page agree on `leader` (and keep agreeing for a few polls). */
async function allAgree(dashboard, page, expectRunning, leader) {
  await eventually(`every running node decides ${leader}`, async () => {
    const agreed = await nodesAgree(dashboard, expectRunning);
    return { ...agreed, done: agreed.done && agreed.value === leader };
  });
  await eventually(`the page shows ${leader}`, async () => {
    const shown = await shownLeader(page, GROUP);
    return { done: shown === leader, value: shown };
  });
  // Still agreeing a moment later: a view that flips back would show here.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await nodesAgree(dashboard, expectRunning)).value, leader);
  assert.equal(await shownLeader(page, GROUP), leader);
}

describe("the live dashboard shows the leader the cluster elected", () => {
  let dashboard, browser, page;
  before(async () => {
    dashboard = await startDashboard();
    browser = await launchBrowser({ args: [`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`] });
    page = await openDashboard(browser.context, `${dashboard.url}/?poll=/api/view&interval=0.2`);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  test("at start: node-a leads, under the policy the cluster publishes", async () => {
    // Which node leads first depends on which two nodes first see each other (the quorum guard
    // waits for two of three); when it is not node-a, hand leadership to node-a by killing the
    // leader (node-a, the smallest id left, takes over) and reviving it (node-a stays, sticky).
    const first = await eventually("the three nodes agree on a leader", () => nodesAgree(dashboard, 3));
    if (first !== "node-a") {
      await clickMember(page, GROUP, first, "Kill");
      await allAgree(dashboard, page, 2, "node-a");
      await eventually(`${first} is dead in the view`, async () => {
        const view = await dashboard.get("/api/view");
        const dead = view.groups[GROUP].members.some((m) => m.id === first && !m.live);
        return { done: dead, value: dead };
      });
      await clickMember(page, GROUP, first, "Revive");
    }
    await allAgree(dashboard, page, 3, "node-a");
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "cluster");
    assert.equal(await page.getByLabel("Sticky incumbent", { exact: true }).isChecked(), true);
  });

  test("kill node-a: node-b takes over, on the nodes and on the page", async () => {
    await clickMember(page, GROUP, "node-a", "Kill");
    await allAgree(dashboard, page, 2, "node-b");
    // The feed saw the change, and node-b's reign is wal-0's current one.
    const feed = await shownFeed(page);
    assert.ok(
      feed.some((e) => e.group === GROUP && e.leader === "node-b" && e.previous === "node-a"),
      `the feed shows node-a -> node-b: ${JSON.stringify(feed.map(feedEvent))}`,
    );
    const [current] = (await shownDecisions(page)).find((d) => d.group === GROUP).reigns;
    assert.deepEqual(current.slice(1), ["node-b", true]);
    // The nodes panel follows /api/nodes: node-a stopped, and counters where a node reports them.
    const rows = () => page.$$eval("#nodes tbody tr", (trs) => trs.map((tr) => [tr.dataset.id, tr.dataset.running === "true", tr.dataset.counted === "true"]));
    const { nodes } = await dashboard.get("/api/nodes");
    const want = nodes.map((n) => [n.id, n.running, n.counters !== null && typeof n.counters === "object"]);
    assert.deepEqual(want.map((n) => n.slice(0, 2)), [["node-a", false], ["node-b", true], ["node-c", true]]);
    await eventually("the nodes panel shows every node as /api/nodes does", async () => {
      const shown = await rows();
      return { done: JSON.stringify(shown) === JSON.stringify(want), value: shown };
    });
  });

  test("revive node-a: the nodes keep node-b, and so does the page", async () => {
    // Every announcement from here on, to find one that named node-a taking back over.
    await page.evaluate(() => {
      window.announcements = [];
      new MutationObserver(() => window.announcements.push(document.getElementById("announce").textContent)).observe(
        document.getElementById("announce"),
        { childList: true, characterData: true, subtree: true },
      );
    });
    await clickMember(page, GROUP, "node-a", "Revive");
    await eventually("node-a is live again in the view", async () => {
      const view = await dashboard.get("/api/view");
      const live = view.groups[GROUP].members.filter((m) => m.id === "node-a" && m.live);
      return { done: live.length > 0, value: live };
    });
    await allAgree(dashboard, page, 3, "node-b");
    const announcements = await page.evaluate(() => window.announcements);
    assert.deepEqual(
      announcements.filter((a) => /→ node-a/.test(a)),
      [],
      "the page never announced node-a taking back over",
    );
    assertNoProblems(page);
  });

  test("no other page can kill a node: another origin, or a rebound name", async () => {
    // A page on another origin of loopback (any site the user has open would do as well).
    const elsewhere = await startServer((req, res, url) => {
      if (url.pathname !== "/elsewhere") return false;
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end("<!doctype html><title>elsewhere</title>");
      return true;
    });
    const other = await browser.context.newPage();
    try {
      await other.goto(`${elsewhere.url}/elsewhere`);
      const kill = `${dashboard.url}/api/nodes/node-c/kill`;
      const tried = await other.evaluate(async (kill) => {
        const out = {};
        // What needs no preflight: a no-cors fetch with a text body, and a form post.
        out.simple = (await fetch(kill, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: "x" })).type;
        const frame = Object.assign(document.createElement("iframe"), { name: "sink" });
        document.body.append(frame);
        const form = Object.assign(document.createElement("form"), { method: "POST", action: kill, target: "sink" });
        document.body.append(form);
        // The 403 loads in the frame (a 204 would load nothing: give up after 5 s then).
        out.form = await new Promise((resolve) => {
          frame.addEventListener("load", () => resolve("answered"), { once: true });
          setTimeout(() => resolve("no page"), 5000);
          form.submit();
        });
        // The page's own header makes the fetch non-simple: the preflight is refused.
        out.marked = await fetch(kill, { method: "POST", headers: { "X-Tael-Dashboard": "1" } }).then(
          (r) => r.status,
          (e) => e.name,
        );
        return out;
      }, kill);
      await assertAllRunning(dashboard, "after another origin's requests");
      assert.deepEqual(tried, { simple: "opaque", form: "answered", marked: "TypeError" });

      // DNS rebinding: the page at the rebound name is same-origin with the dashboard's port,
      // so it could send anything; the server refuses its Host, the page and the API alike.
      const rebound = `http://${REBOUND}:${new URL(dashboard.url).port}`;
      const response = await other.goto(`${rebound}/`);
      assert.equal(response.status(), 403);
      const status = await other.evaluate(async () => {
        const r = await fetch("/api/nodes/node-c/kill", { method: "POST", headers: { "X-Tael-Dashboard": "1" } });
        const v = await fetch("/api/view");
        return [r.status, v.status];
      });
      await assertAllRunning(dashboard, "after the rebound page's requests");
      assert.deepEqual(status, [403, 403]);
    } finally {
      await other.close();
      await elsewhere.close();
    }
    // The earlier tests drove the cluster from the dashboard's own page, under the same rule.
    assertNoProblems(page);
  });
});
