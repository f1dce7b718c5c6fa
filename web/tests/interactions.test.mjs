// Kill and revive by clicking (local view), each policy checkbox on a view where it moves the
// leader, exact display of u64 values, view errors, opening a file, and accessible markup.

import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, launchBrowser, openDashboard, assertNoProblems, applyView, setPolicy, shownDecisions,
  shownLeader, clickMember, revision, waitRender, corpus, asDecisions } from "./harness.mjs";

// node-b's generation is 2^64-1 as a string; node-c's is 2^53+1 written as a JSON number, which
// JSON.parse would round to 2^53.
const KILL_VIEW = `{"groups": {
  "wal-0": {"members": [
    {"id": "node-a", "live": true, "generation": "7", "epoch": "41"},
    {"id": "node-b", "live": true, "generation": "18446744073709551615", "epoch": "41"},
    {"id": "node-c", "live": true, "generation": 9007199254740993, "epoch": 18446744073709551614}
  ]},
  "wal-1": {"members": [
    {"id": "node-c", "live": true, "generation": 9007199254740993},
    {"id": "node-a", "live": true, "generation": "7"}
  ]}
}}`;
// The same view as the core writes it back: every default written, every u64 a decimal string.
const m = (id, generation, epoch = "0") => ({ id, live: true, generation, priority: "0", eligible: true, epoch, log_epoch: "0", log_end: "0", leaving: false });
const KILL_VIEW_CANONICAL = JSON.stringify({
  groups: {
    "wal-0": { members: [m("node-a", "7", "41"), m("node-b", "18446744073709551615", "41"), m("node-c", "9007199254740993", "18446744073709551614")] },
    "wal-1": { members: [m("node-c", "9007199254740993"), m("node-a", "7")] },
  },
});

describe("dashboard interactions", () => {
  let server, browser, page;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    await page?.close();
    page = await openDashboard(browser.context, `${server.url}/`);
  });

  test("killing the leader by clicking moves leadership; reviving brings it back", async () => {
    await applyView(page, KILL_VIEW);
    assert.equal(await shownLeader(page, "wal-0"), "node-a");
    assert.equal(await shownLeader(page, "wal-1"), "node-a");

    let before = await revision(page);
    await clickMember(page, "wal-0", "node-a", "Kill");
    await waitRender(page, before);
    assert.equal(await shownLeader(page, "wal-0"), "node-b");
    // A node dies in every group it is listed in.
    assert.equal(await shownLeader(page, "wal-1"), "node-c");
    const wal0 = (await shownDecisions(page)).find((g) => g.group === "wal-0");
    const a = wal0.rows.find((r) => r.id === "node-a");
    assert.equal(a.state, "dead");
    assert.match(a.decision, /dead/);
    assert.match(await page.locator("#announce").textContent(), /wal-0: node-a → node-b/);

    // The view text is the core's canonical form with only node-a's `live` changed: every u64
    // literal is intact (now a decimal string).
    const killed = JSON.parse(KILL_VIEW_CANONICAL);
    for (const g of Object.values(killed.groups)) for (const m of g.members) if (m.id === "node-a") m.live = false;
    assert.deepEqual(JSON.parse(await page.getByLabel("View JSON").inputValue()), killed);
    const c = wal0.rows.find((r) => r.id === "node-c");
    assert.equal(c.generation, "9007199254740993");
    assert.equal(c.epoch, "18446744073709551614");

    before = await revision(page);
    await clickMember(page, "wal-1", "node-a", "Revive");
    await waitRender(page, before);
    assert.equal(await shownLeader(page, "wal-0"), "node-a");
    assert.equal(await shownLeader(page, "wal-1"), "node-a");
    assert.deepEqual(JSON.parse(await page.getByLabel("View JSON").inputValue()), JSON.parse(KILL_VIEW_CANONICAL));
    assertNoProblems(page);
  });

  const policyCases = [
    {
      label: "Eligibility",
      key: "eligibility",
      view: { groups: { g: { members: [{ id: "a", live: true, eligible: false }, { id: "b", live: true }] } } },
      off: ["a", "smallest_id"],
      on: ["b", "only_candidate"],
    },
    {
      label: "Quorum guard",
      key: "quorum_guard",
      view: { groups: { g: { members: [{ id: "a", live: true }, { id: "b", live: false }, { id: "c", live: false }], configured: "3" } } },
      off: ["a", "only_candidate"],
      on: [null, "no_quorum"],
    },
    {
      label: "Sticky incumbent",
      key: "sticky_incumbent",
      view: { groups: { g: { members: [{ id: "a", live: true }, { id: "b", live: true }], incumbent: "b" } } },
      off: ["a", "smallest_id"],
      on: ["b", "incumbent"],
    },
    {
      label: "Priority",
      key: "priority",
      view: { groups: { g: { members: [{ id: "a", live: true, priority: "0" }, { id: "b", live: true, priority: "18446744073709551615" }] } } },
      off: ["a", "smallest_id"],
      on: ["b", "priority"],
    },
    {
      label: "Rendezvous",
      key: "rendezvous",
      view: { groups: { "wal-0": { members: [{ id: "node-a", live: true }, { id: "node-b", live: true }, { id: "node-c", live: true }] } } },
      off: ["node-a", "smallest_id"],
      on: ["node-b", "rendezvous"],
    },
  ];

  for (const pc of policyCases) {
    test(`the ${pc.label} checkbox re-decides at once and moves the leader`, async () => {
      await setPolicy(page, {});
      await applyView(page, JSON.stringify(pc.view));
      const pick = async () => {
        const [d] = await shownDecisions(page);
        return [d.leader, d.reason];
      };
      assert.deepEqual(await pick(), pc.off);

      const box = page.getByLabel(pc.label, { exact: true });
      let before = await revision(page);
      await box.check();
      await waitRender(page, before);
      assert.deepEqual(await pick(), pc.on);
      assert.match(await page.locator("#announce").textContent(), /Leader changed/);

      before = await revision(page);
      await box.uncheck();
      await waitRender(page, before);
      assert.deepEqual(await pick(), pc.off);
      assertNoProblems(page);
    });
  }

  test("u64 values written as JSON numbers above 2^53 are shown exactly, as the core decides", async () => {
    const cases = corpus("views.json").cases.filter((c) =>
      ["view/generation-above-2^53-is-exact", "view/u64-fields-accept-integer-or-string"].includes(c.name),
    );
    assert.equal(cases.length, 2);
    for (const c of cases) {
      const step = c.steps[0];
      await applyView(page, step.view_text);
      const shown = await shownDecisions(page);
      assert.deepEqual(asDecisions(shown), step.expect.decisions);
    }
    // The last one: generation 2^64-1 as a number and as a string, priority 0 as a number.
    const rows = (await shownDecisions(page))[0].rows;
    assert.deepEqual(rows.map((r) => r.generation), ["18446744073709551615", "18446744073709551615"]);
    assert.deepEqual(rows.map((r) => r.priority), ["0", "0"]);
    // Next epoch comes from the core as a bigint: 2^64-2 announced as a JSON number.
    await applyView(page, '{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":18446744073709551614}]}}}');
    assert.equal((await shownDecisions(page))[0].rows[0].epoch, "18446744073709551614");
    assert.match(await page.locator(".group .facts").textContent(), /Next epoch18446744073709551615/);
    assertNoProblems(page);
  });

  test("a malformed view shows the core's error code and keeps the last good view", async () => {
    await applyView(page, JSON.stringify({ groups: { g: { members: [{ id: "a", live: true }] } } }));
    await page.getByLabel("View JSON").fill('{"groups": {"g": {"members": [{"id": "b", "live": true, "eligable": false}]}}}');
    await page.getByRole("button", { name: "Apply view" }).click();
    const err = page.locator("#view-error");
    await err.waitFor({ state: "visible" });
    assert.equal(await err.locator("code").textContent(), "INVALID_VIEW");
    assert.match(await err.textContent(), /eligable/);
    assert.equal(await shownLeader(page, "g"), "a");
    assertNoProblems(page);
  });

  test("a view opened from a file is decided", async () => {
    const before = await revision(page);
    await page.getByLabel("Open a view file").setInputFiles({
      name: "cluster.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify({ groups: { files: { members: [{ id: "z", live: true }, { id: "y", live: false }] } } })),
    });
    await waitRender(page, before);
    assert.equal(await shownLeader(page, "files"), "z");
    assert.match(await page.locator("#summary").textContent(), /file cluster\.json/);
    assertNoProblems(page);
  });

  test("a large view is shown a page at a time, with a filter and a leaderless switch", async () => {
    const groups = {};
    for (let i = 0; i < 300; i++) {
      // Every third group has no live member.
      groups[`g-${String(i).padStart(3, "0")}`] = { members: [{ id: `n-${i}`, live: i % 3 !== 0 }, { id: "z", live: false }] };
    }
    await applyView(page, JSON.stringify({ groups }));
    assert.equal(await page.locator("#summary").textContent(), "300 groups, 200 with a leader, 100 without · view from pasted text");
    assert.equal(await page.locator(".group").count(), 100);
    assert.match(await page.locator("#shown-count").textContent(), /Showing 100 of 300/);

    let before = await revision(page);
    await page.getByRole("button", { name: /^Show 100 more of 200 groups$/ }).click();
    await waitRender(page, before);
    assert.equal(await page.locator(".group").count(), 200);
    // Deciding again (a policy change, or a poll) keeps what is shown.
    before = await revision(page);
    await page.getByLabel("Priority", { exact: true }).check();
    await waitRender(page, before);
    assert.equal(await page.locator(".group").count(), 200);
    await page.getByLabel("Priority", { exact: true }).uncheck();

    before = await revision(page);
    await page.getByLabel("Filter by group or member id").fill("g-12");
    await waitRender(page, before);
    assert.deepEqual(
      (await shownDecisions(page)).map((d) => d.group),
      Array.from({ length: 10 }, (_, k) => `g-12${k}`),
    );

    before = await revision(page);
    await page.getByLabel("Filter by group or member id").fill("n-7");
    await waitRender(page, before);
    assert.deepEqual((await shownDecisions(page)).map((d) => d.group), ["g-007", ...Array.from({ length: 10 }, (_, k) => `g-07${k}`)]);

    await page.getByLabel("Filter by group or member id").fill("");
    before = await revision(page);
    await page.getByLabel("Only groups without a leader").check();
    await waitRender(page, before);
    const leaderless = await shownDecisions(page);
    assert.equal(leaderless.length, 100);
    assert.ok(leaderless.every((d) => d.leader === null && d.reason === "no_live_members"));
    assert.equal(await page.getByRole("button", { name: /^Show \d+ more/ }).isHidden(), true);
    assertNoProblems(page);
  });

  test("markup: every control labelled, buttons are buttons, headed tables, live regions", async () => {
    const report = await page.evaluate(() => {
      const unlabelled = [...document.querySelectorAll("input, textarea, select")]
        .filter((e) => e.labels.length === 0 && !e.getAttribute("aria-label"))
        .map((e) => e.id || e.outerHTML);
      const nameless = [...document.querySelectorAll("button")].filter((b) => !(b.getAttribute("aria-label") || b.textContent.trim())).length;
      const clickables = [...document.querySelectorAll("[onclick], a:not([href])")].length;
      const tables = [...document.querySelectorAll("table")];
      return {
        unlabelled,
        nameless,
        clickables,
        tablesWithoutHeaders: tables.filter((t) => t.querySelectorAll("thead th[scope=col]").length === 0).length,
        tablesWithoutCaption: tables.filter((t) => !t.caption || !t.caption.textContent.trim()).length,
        live: ["announce", "verdict"].map((id) => document.getElementById(id).getAttribute("aria-live")),
        alerts: ["view-error", "poll-error"].map((id) => document.getElementById(id).getAttribute("role")),
        icon: document.querySelector("link[rel=icon]")?.getAttribute("href"),
        lang: document.documentElement.lang,
        h1: document.querySelectorAll("h1").length,
      };
    });
    assert.deepEqual(report, {
      unlabelled: [],
      nameless: 0,
      clickables: 0,
      tablesWithoutHeaders: 0,
      tablesWithoutCaption: 0,
      live: ["polite", "polite"],
      alerts: ["alert", "alert"],
      icon: "data:,",
      lang: "en",
      h1: 1,
    });
    assertNoProblems(page);
  });

  test("text contrast is at least 4.5:1 everywhere (leader, dead, errors, verdicts)", async () => {
    await applyView(
      page,
      JSON.stringify({
        groups: {
          g: { members: [{ id: "a", live: false }, { id: "b", live: true }, { id: "c", live: true, eligible: false }, { id: "d", live: true, leaving: true }], handover_to: "b" },
          h: { members: [] },
          k: { members: [{ id: "e", live: true, leaving: true }], handover_to: "f" },
        },
      }),
    );
    assert.equal(await page.locator(".leaving-tag").count(), 2, "the leaving tags are checked too");
    assert.equal(await page.locator(".successor-tag").count(), 1, "the successor tag is checked too");
    await page.getByRole("button", { name: "Check record" }).click();
    await page.locator("#verdict .verdict-line").waitFor();
    await page.getByLabel("View JSON").fill("{");
    await page.getByRole("button", { name: "Apply view" }).click();
    await page.locator("#view-error").waitFor({ state: "visible" });
    const low = await page.evaluate(() => {
      const parse = (c) => {
        const m = /rgba?\(([^)]+)\)/.exec(c);
        const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return { r, g, b, a };
      };
      const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a),
        g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a),
        a: 1,
      });
      const background = (el) => {
        const chain = [];
        for (let e = el; e; e = e.parentElement) chain.unshift(getComputedStyle(e).backgroundColor);
        return chain.reduce((bg, c) => over(parse(c), bg), { r: 255, g: 255, b: 255, a: 1 });
      };
      const lum = ({ r, g, b }) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (x, y) => (Math.max(lum(x), lum(y)) + 0.05) / (Math.min(lum(x), lum(y)) + 0.05);
      const out = [];
      for (const el of document.querySelectorAll("body *")) {
        const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || el.matches("input[type=text], input[type=number], textarea");
        if (!hasText || el.getClientRects().length === 0 || el.closest(".visually-hidden, [hidden]") || el.matches(":disabled")) continue;
        const st = getComputedStyle(el);
        if (st.visibility === "hidden") continue;
        const bg = background(el);
        const r = ratio(over(parse(st.color), bg), bg);
        if (r < 4.5) out.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || el.value).trim().slice(0, 30)}" ${r.toFixed(2)}`);
      }
      return out;
    });
    assert.deepEqual(low, []);
    assertNoProblems(page);
  });
});
