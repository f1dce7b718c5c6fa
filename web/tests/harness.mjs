// Shared pieces of the browser tests: a static server for web/ on 127.0.0.1 (with an optional
// fake API), Debian's Chromium through playwright-core, a page that records every console
// error or warning, and helpers that read what the dashboard shows.

import { createServer } from "node:http";
import { mkdtempSync, rmSync, readFileSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(WEB_ROOT, "..");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * Serve web/ on 127.0.0.1 at a free port. `api(req, res, url, body)` may answer a request first
 * (return true when it did). Resolves to {url, close}.
 */
export async function startServer(api) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      if (api && (await api(req, res, url, Buffer.concat(chunks).toString("utf8")))) return;
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405).end();
        return;
      }
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith("/")) rel += "index.html";
      const file = path.resolve(WEB_ROOT, "." + rel);
      if (!file.startsWith(WEB_ROOT + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) {
        res.writeHead(403).end();
        return;
      }
      const data = await readFile(file).catch(() => null);
      if (data === null) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      res.writeHead(200, {
        "Content-Type": MIME[path.extname(file)] || "application/octet-stream",
        "Cache-Control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : data);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/**
 * Debian's Chromium, headless, with a fresh profile; `args` are more command-line switches.
 * Resolves to {context, close}.
 */
export async function launchBrowser({ args = [] } = {}) {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  assert.ok(existsSync(executablePath), `${executablePath} is missing: run web/test.sh (it installs Debian's chromium)`);
  const userDataDir = mkdtempSync(path.join(tmpdir(), "tael-dashboard-profile-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...args,
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Open the dashboard at `url` and wait until it is ready. `page.problems` collects every console
 * error or warning and every uncaught page error.
 */
export async function openDashboard(context, url) {
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") {
      page.problems.push({ type: msg.type(), text: msg.text(), url: msg.location().url });
    }
  });
  page.on("pageerror", (err) => page.problems.push({ type: "pageerror", text: String(err) }));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

/**
 * For a suite that shares one dashboard page: registers its hooks (a static server, a browser and
 * the page, opened before the first test and closed after the last) and returns the object they
 * fill in, `{ server, browser, page }`.
 */
export function dashboardSuite() {
  const suite = {};
  before(async () => {
    suite.server = await startServer();
    suite.browser = await launchBrowser();
    suite.page = await openDashboard(suite.browser.context, `${suite.server.url}/`);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** Fails on any recorded console error or warning, except those `allowed` returns true for. */
export function assertNoProblems(page, allowed = () => false) {
  const left = page.problems.filter((p) => !allowed(p));
  assert.deepEqual(left, [], "the page logged errors or warnings");
}

export async function revision(page) {
  return Number(await page.getAttribute("#groups", "data-revision"));
}

/** Wait until the dashboard rendered again after `before`. */
export async function waitRender(page, before) {
  await page.waitForFunction((b) => Number(document.getElementById("groups").dataset.revision) > b, before);
}

/** Paste `text` as the view and apply it; waits for the new render. */
export async function applyView(page, text) {
  const before = await revision(page);
  await page.getByLabel("View JSON").fill(text);
  await page.getByRole("button", { name: "Apply view" }).click();
  await waitRender(page, before);
}

const POLICY_LABELS = {
  eligibility: "Eligibility",
  freshness: "Freshness",
  quorum_guard: "Quorum guard",
  sticky_incumbent: "Sticky incumbent",
  priority: "Priority",
  rendezvous: "Rendezvous",
};

/**
 * Set every policy checkbox to `policy` (absent = off), by clicking its label, and the max lag
 * to `policy.max_lag` (absent = "0") by typing it and leaving the field.
 */
export async function setPolicy(page, policy) {
  const lag = page.getByLabel("Max lag (records)", { exact: true });
  const wantLag = policy.max_lag === undefined ? "0" : String(policy.max_lag);
  if ((await lag.inputValue()) !== wantLag) {
    const before = await revision(page);
    await lag.fill(wantLag);
    await lag.blur();
    await waitRender(page, before);
  }
  for (const [key, label] of Object.entries(POLICY_LABELS)) {
    const box = page.getByLabel(label, { exact: true });
    const want = Boolean(policy[key]);
    if ((await box.isChecked()) !== want) {
      const before = await revision(page);
      await page.locator(`label[for="${await box.getAttribute("id")}"]`).click();
      assert.equal(await box.isChecked(), want);
      // A view is loaded in every test, so each toggle decides again.
      await waitRender(page, before);
    }
  }
}

/**
 * What the page shows, in the shape of the decision JSON: per group card, the leader, the
 * reason code, and every row that is not the leader's with its generation and reason code.
 * Also each row's displayed fields, for u64 checks.
 */
export async function shownDecisions(page) {
  return page.$$eval(".group", (cards) =>
    cards.map((card) => {
      const leaderEl = card.querySelector(".leader");
      const rows = [...card.querySelectorAll("tbody tr.member")];
      const handover = card.querySelector(".facts .handover");
      return {
        group: card.querySelector("h3").textContent,
        // The group's handover_to as shown (null when it has none), and whether it says it leads.
        handoverTo: handover ? handover.dataset.handoverTo : null,
        handoverLeads: handover ? handover.dataset.leads === "true" : null,
        handoverText: handover ? handover.querySelector("dd").textContent : null,
        leader: leaderEl.classList.contains("none") ? null : leaderEl.textContent,
        leaderEpoch: leaderEl.dataset.epoch ?? null,
        reason: card.querySelector(".leader-line .reason-code").textContent,
        // The rows marked as claimants, with the epoch each claims; the split-brain warning.
        claimants: rows
          .filter((r) => r.classList.contains("is-claimant"))
          .map((r) => ({
            id: r.querySelector(".member-id").textContent,
            generation: r.querySelector(".generation").textContent,
            claims_epoch: r.querySelector(".claims-tag").dataset.claimsEpoch,
          })),
        splitBrain: card.querySelector(".split-brain-warning")?.textContent ?? null,
        // The reign timeline: per reign, newest first, [epoch, leader, open].
        reigns: [...card.querySelectorAll(".reign")].map((li) => [li.dataset.epoch || null, li.dataset.leader || null, li.dataset.open === "true"]),
        excluded: rows
          .filter((r) => !r.classList.contains("is-leader"))
          .map((r) => ({
            id: r.querySelector(".member-id").textContent,
            generation: r.querySelector(".generation").textContent,
            reason: r.querySelector(".decision .reason-code").textContent,
          })),
        leaderRows: rows.filter((r) => r.classList.contains("is-leader")).map((r) => r.querySelector(".member-id").textContent),
        leaderIndex: rows.some((r) => r.classList.contains("is-leader")) ? rows.findIndex((r) => r.classList.contains("is-leader")) : null,
        rows: rows.map((r) => ({
          id: r.querySelector(".member-id").textContent,
          state: r.querySelector(".state").textContent.trim(),
          generation: r.querySelector(".generation").textContent,
          priority: r.querySelector(".priority").textContent,
          eligible: r.querySelector(".eligible").textContent,
          epoch: r.querySelector(".epoch").textContent,
          // With freshness only: the log position, and whether the row is marked behind.
          logEpoch: r.querySelector(".log-epoch")?.textContent ?? null,
          logEnd: r.querySelector(".log-end")?.textContent ?? null,
          behind: r.classList.contains("is-behind"),
          // Marked leaving (§16), and marked as the group's handover successor.
          leaving: r.classList.contains("is-leaving"),
          successor: r.classList.contains("is-successor"),
          decision: r.querySelector(".decision").textContent.trim(),
          // The epoch the member claims to lead at, as its tag shows it (null without a claim).
          claimsEpoch: r.querySelector(".claims-tag")?.dataset.claimsEpoch ?? null,
        })),
      };
    }),
  );
}

/**
 * What the page shows as the pinned decision JSON: each card's leader, reason and excluded rows,
 * with the row marked leader as `leader_index`, that row's generation as `leader_generation`,
 * the leader's epoch as `leader_epoch`, and the rows marked as claimants as `claimants`.
 */
export function asDecisions(shown) {
  return shown.map(({ group, leader, leaderEpoch, reason, excluded, leaderIndex, rows, claimants }) => ({
    group,
    leader,
    reason,
    excluded,
    leader_index: leaderIndex,
    leader_generation: leaderIndex === null ? null : rows[leaderIndex].generation,
    leader_epoch: leaderEpoch,
    claimants,
  }));
}

/**
 * The leader-change feed as shown, newest first: each row as the event JSON it stands for (the
 * generations are not shown, so they are left out), and how many events were seen in all.
 */
export async function shownFeed(page) {
  return page.$$eval("#events tbody tr", (rows) =>
    rows.map((r) => ({
      event: r.dataset.event,
      group: r.dataset.group,
      leader: r.dataset.leader || null,
      epoch: r.dataset.epoch || null,
      previous: r.dataset.previous || null,
      previous_epoch: r.dataset.previousEpoch || null,
      text: r.textContent,
    })),
  );
}

/** The event JSON of SEMANTICS.md §16 as the feed shows it (no generations, no text). */
export function feedEvent({ event, group, leader, epoch, previous, previous_epoch }) {
  return { event, group, leader, epoch, previous, previous_epoch };
}

/** The leader shown for `group` (null for none). */
export async function shownLeader(page, group) {
  const shown = await shownDecisions(page);
  const g = shown.find((d) => d.group === group);
  assert.ok(g, `group ${group} is shown`);
  return g.leader;
}

/** Click the Kill or Revive button of member `id` in `group`. */
export async function clickMember(page, group, id, action) {
  const card = page.locator(".group").filter({ has: page.locator("h3", { hasText: new RegExp(`^${escapeRe(group)}$`) }) });
  await card.getByRole("button", { name: `${action} ${id}`, exact: true }).click();
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function corpus(name) {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, "tests", "vectors", name), "utf8"));
}
