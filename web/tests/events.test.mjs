// Leader changes on the dashboard (SEMANTICS.md §16): the feed of the core's events between
// successive views (pasted, and polled from this test's own server), each group's reign timeline
// built from them, and the claimants of a decision (§8) with the split-brain warning.

import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, launchBrowser, openDashboard, assertNoProblems, applyView, setPolicy, shownDecisions, shownFeed,
  feedEvent, corpus, revision, waitRender,
} from "./harness.mjs";

/** A view of `{group: [member, ...]}`, every member live unless it says otherwise. */
function viewOf(groups) {
  const out = {};
  for (const [g, members] of Object.entries(groups)) out[g] = { members: members.map((m) => ({ live: true, ...m })) };
  return JSON.stringify({ groups: out });
}

/** How many events the page has seen in all (the feed's heading counts them). */
async function eventCount(page) {
  const text = await page.locator("#events-count").textContent();
  return text === "" ? 0 : Number(/\((\d+)\)/.exec(text)[1]);
}

/** The group's reign timeline as shown, newest first: [epoch, leader, open]. */
async function reigns(page, group) {
  const g = (await shownDecisions(page)).find((d) => d.group === group);
  assert.ok(g, `group ${group} is shown`);
  return g.reigns;
}

// The `transitions` steps of the corpus (events.json), each a previous and a next view.
const TRANSITIONS = corpus("events.json").cases.flatMap((c) =>
  c.steps.filter((s) => s.op === "transitions").map((step) => ({ name: c.name, step })),
);

describe("leader changes on the dashboard", () => {
  let server, browser, page;
  // Successive views for the page to poll: GET /seq/view.json answers views[at].
  const seq = { views: [], at: 0, gets: 0, waiters: [] };
  /** Resolves once /seq/view.json has been answered `n` times in all. */
  const waitGets = (n) => (seq.gets >= n ? Promise.resolve() : new Promise((resolve) => seq.waiters.push({ n, resolve })));

  before(async () => {
    server = await startServer((req, res, url) => {
      if (req.method !== "GET" || url.pathname !== "/seq/view.json") return false;
      seq.gets += 1;
      seq.waiters = seq.waiters.filter((w) => (seq.gets >= w.n ? (w.resolve(), false) : true));
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(seq.views[seq.at]);
      return true;
    });
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

  test("the corpus's transitions: pasting the previous view, then the next, shows exactly its events", async () => {
    assert.ok(TRANSITIONS.length >= 10, `only ${TRANSITIONS.length} transitions steps`);
    for (const { name, step } of TRANSITIONS) {
      await setPolicy(page, step.policy || {});
      await applyView(page, JSON.stringify(step.previous));
      const seen = await eventCount(page);
      await applyView(page, JSON.stringify(step.next));
      const added = (await eventCount(page)) - seen;
      assert.equal(added, step.expect.events.length, `${name}: how many events`);
      const feed = (await shownFeed(page)).slice(0, added);
      assert.deepEqual(feed.map(feedEvent), step.expect.events.map(feedEvent), `${name}: the feed's newest rows, in group order`);
      // Each event opened the reign its group has now (a lost group without a card is not shown).
      const shown = await shownDecisions(page);
      for (const e of step.expect.events) {
        const card = shown.find((d) => d.group === e.group);
        if (card) assert.deepEqual(card.reigns[0], [e.epoch, e.leader, true], `${name}: ${e.group}'s current reign`);
      }
    }
    assertNoProblems(page);
  });

  test("polling successive views: the feed, newest first, and each group's reigns", async () => {
    seq.views = [
      viewOf({ "wal-0": [{ id: "node-a", epoch: "5" }, { id: "node-b", epoch: "5" }], "wal-1": [{ id: "node-b", epoch: "3" }] }),
      viewOf({ "wal-0": [{ id: "node-a", live: false, epoch: "5" }, { id: "node-b", epoch: "6" }], "wal-1": [{ id: "node-b", epoch: "3" }] }),
      viewOf({
        "wal-0": [{ id: "node-a", live: false }, { id: "node-b", live: false, epoch: "6" }],
        "wal-1": [{ id: "node-b", epoch: "3" }],
        "wal-2": [{ id: "node-c", epoch: "1" }],
      }),
      viewOf({
        "wal-0": [{ id: "node-a", epoch: "7" }, { id: "node-b", live: false, epoch: "6" }],
        "wal-1": [{ id: "node-b", epoch: "3" }],
        "wal-2": [{ id: "node-c", epoch: "1" }],
      }),
    ];
    seq.at = 0;
    await page.goto(`${server.url}/?poll=/seq/view.json&interval=0.1`);
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForFunction(() => document.querySelector('.group[data-group="wal-0"] .leader')?.dataset.leader === "node-a");
    // The first view has nothing before it: no event, every reign seen from now.
    assert.equal(await eventCount(page), 0);
    assert.equal(await page.locator("#events").isHidden(), true);
    assert.equal(await page.locator("#feed-empty").isVisible(), true);
    assert.deepEqual(await reigns(page, "wal-0"), [["5", "node-a", true]]);
    assert.match(await page.locator('.group[data-group="wal-0"] .reign').textContent(), /seen since .* ongoing/);

    // Each next view, once the page has polled it.
    const expectCount = [1, 3, 4];
    for (let k = 1; k < seq.views.length; k++) {
      seq.at = k;
      await page.waitForFunction((n) => document.getElementById("events-count").textContent === `(${n})`, expectCount[k - 1]);
    }
    const feed = await shownFeed(page);
    assert.deepEqual(feed.map(feedEvent), [
      { event: "elected", group: "wal-0", leader: "node-a", epoch: "7", previous: null, previous_epoch: null },
      { event: "lost", group: "wal-0", leader: null, epoch: null, previous: "node-b", previous_epoch: "6" },
      { event: "elected", group: "wal-2", leader: "node-c", epoch: "1", previous: null, previous_epoch: null },
      { event: "changed", group: "wal-0", leader: "node-b", epoch: "6", previous: "node-a", previous_epoch: "5" },
    ]);
    assert.match(feed[3].text, /changed.*node-b at epoch 6.*node-a at epoch 5/);
    assert.match(feed[1].text, /lost its leader.*none.*node-b at epoch 6/);

    // wal-0's reigns, newest first: node-a again (open), a time without a leader, node-b, node-a.
    assert.deepEqual(await reigns(page, "wal-0"), [["7", "node-a", true], [null, null, false], ["6", "node-b", false], ["5", "node-a", false]]);
    const lengths = await page.$$eval('.group[data-group="wal-0"] .reign', (lis) => lis.map((li) => li.dataset.durationMs ?? null));
    assert.equal(lengths[0], null, "the current reign is open-ended");
    assert.ok(lengths.slice(1).every((ms) => Number(ms) >= 0), `closed reigns have a length: ${lengths}`);
    assert.match(await page.locator('.group[data-group="wal-0"] .reign.current').textContent(), /epoch 7 · node-a · since .* ongoing/);
    assert.match(await page.locator('.group[data-group="wal-0"] .reign.leaderless').textContent(), /no leader · since .* · for /);
    // An unchanged group keeps its one reign; a new one starts with its election.
    assert.deepEqual(await reigns(page, "wal-1"), [["3", "node-b", true]]);
    assert.deepEqual(await reigns(page, "wal-2"), [["1", "node-c", true]]);
    assert.match(await page.locator('.group[data-group="wal-2"] .reign').textContent(), /^epoch 1 · node-c · since /);
    assert.match(await page.locator("#announce").textContent(), /Leader changed: wal-0: no leader → node-a/);

    // An unchanged view polled again adds nothing.
    const gets = seq.gets;
    await waitGets(gets + 3);
    assert.equal(await eventCount(page), 4);

    // A group's name in the feed filters the groups to it.
    const before = await revision(page);
    await page.locator('#events tr[data-group="wal-2"] button').click();
    await waitRender(page, before);
    assert.deepEqual((await shownDecisions(page)).map((d) => d.group), ["wal-2"]);
    assert.equal(await page.getByLabel("Filter by group or member id").inputValue(), "wal-2");
    assertNoProblems(page);
  });

  test("a policy change and a local kill are changes too, said with their cause", async () => {
    await setPolicy(page, {});
    await applyView(page, viewOf({ g: [{ id: "a", epoch: "2" }, { id: "b", priority: "5", epoch: "3" }] }));
    const seen = await eventCount(page);
    await setPolicy(page, { priority: true });
    assert.equal(await eventCount(page), seen + 1);
    let [top] = await shownFeed(page);
    assert.deepEqual(feedEvent(top), { event: "changed", group: "g", leader: "b", epoch: "3", previous: "a", previous_epoch: "2" });
    assert.equal(await page.getAttribute("#events tbody tr", "title"), "seen after policy change");
    const before = await revision(page);
    await page.locator('.group[data-group="g"]').getByRole("button", { name: "Kill b", exact: true }).click();
    await waitRender(page, before);
    [top] = await shownFeed(page);
    assert.deepEqual(feedEvent(top), { event: "changed", group: "g", leader: "a", epoch: "2", previous: "b", previous_epoch: "3" });
    assert.equal(await page.getAttribute("#events tbody tr", "title"), "seen after killing b here");
    await setPolicy(page, {});
    assertNoProblems(page);
  });

  test("a large view: the feed draws its newest rows only, and keeps the count", async () => {
    const groups = (epoch) => {
      const out = {};
      for (let i = 0; i < 3000; i++) out[`g-${String(i).padStart(4, "0")}`] = [{ id: `n-${i % 7}`, epoch: String(epoch) }];
      return viewOf(out);
    };
    await setPolicy(page, {});
    await applyView(page, groups(1));
    const seen = await eventCount(page);
    await applyView(page, groups(2));
    assert.equal(await eventCount(page), seen + 3000, "every group's new epoch is an event");
    assert.equal(await page.locator("#events tbody tr").count(), 50, "the newest 50 are drawn");
    assert.match(await page.locator("#feed-more").textContent(), /earlier changes not shown/);
    assert.deepEqual(feedEvent((await shownFeed(page))[0]), { event: "changed", group: "g-0000", leader: "n-0", epoch: "2", previous: "n-0", previous_epoch: "1" });
    assert.equal(await page.locator(".group").count(), 100, "the groups are still paged");
    assert.deepEqual(await reigns(page, "g-0000"), [["2", "n-0", true], ["1", "n-0", false]]);
    assertNoProblems(page);
  });

  test("claimants: each claim is tagged, other claimants are marked, and split brain is warned of", async () => {
    await setPolicy(page, {});
    await applyView(
      page,
      viewOf({
        // The leader claims too (no split brain by itself); node-b claims as well: split brain.
        "wal-0": [{ id: "node-a", epoch: "7", claims_epoch: "7" }, { id: "node-b", generation: "2", claims_epoch: "6" }, { id: "node-c", live: false, claims_epoch: "9" }],
        // No leader (every live member is leaving), yet node-a believes it leads.
        "wal-1": [{ id: "node-a", leaving: true, claims_epoch: "4" }],
        "wal-2": [{ id: "node-a", epoch: "1", claims_epoch: "1" }],
      }),
    );
    const shown = await shownDecisions(page);
    const [w0, w1, w2] = ["wal-0", "wal-1", "wal-2"].map((g) => shown.find((d) => d.group === g));
    assert.deepEqual(w0.rows.map((r) => r.claimsEpoch), ["7", "6", "9"], "every claim is shown, the leader's and a dead member's too");
    assert.deepEqual(w0.claimants, [{ id: "node-b", generation: "2", claims_epoch: "6" }], "only the core's claimants are marked");
    assert.equal(w0.leaderEpoch, "7");
    assert.match(w0.splitBrain, /Split brain: besides the leader node-a \(epoch 7\), node-b \(epoch 6\) claims to lead/);
    assert.equal(w1.leader, null);
    assert.deepEqual(w1.claimants, [{ id: "node-a", generation: "0", claims_epoch: "4" }]);
    assert.match(w1.splitBrain, /no leader is decided, yet node-a \(epoch 4\) claims to lead/);
    assert.equal(w2.splitBrain, null, "a leader's own claim is no split brain");
    assert.deepEqual(w2.claimants, []);
    assert.match(await page.locator(".group[data-group=wal-0] tr.is-claimant .claims-tag").textContent(), /^claims to lead at epoch 6$/);
    assert.match(await page.locator("#summary").textContent(), /2 with more than one node claiming to lead/);

    const before = await revision(page);
    await page.getByLabel("Only groups where another node claims to lead").check();
    await waitRender(page, before);
    assert.deepEqual((await shownDecisions(page)).map((d) => d.group), ["wal-0", "wal-1"]);
    await page.getByLabel("Only groups where another node claims to lead").uncheck();
    assertNoProblems(page);
  });
});
