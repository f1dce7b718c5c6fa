// The dashboard at scale: a view of 5,000 groups x 7 members (web/bench/bigview.mjs) pasted as a
// user pastes it, filtered, a node killed and revived, each timed from the event to the painted
// frame (Performance API), against loose bounds (the figures of record are scripts/bench's, in
// docs/BENCHMARKS.md); what the page shows is the core's decision; and the page answers input
// while it polls that view every second.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openDashboard, assertNoProblems, shownDecisions, asDecisions } from "./harness.mjs";
import { bigViewText, bigViewSource, measureDashboard, coreFloorInPage, measurePolling } from "../bench/bigview.mjs";

// Generous bounds for a loaded 2-core machine (the goals are 300 ms and 100 ms).
const PASTE_MS = 1500;
const RERENDER_MS = 500;

/** The core's decisions of `text` for the groups shown, as asDecisions writes them. */
async function coreDecisions(page, text, groups) {
  const all = await page.evaluate(async (text) => {
    const tael = await import("/pkg/tael_coord.js");
    return tael.electLeaders(text, {});
  }, text);
  const by = new Map(all.map((d) => [d.group, d]));
  return groups.map((g) => {
    const { group, leader, reason, excluded, leader_index, leader_generation, leader_epoch, claimants } = by.get(g);
    return { group, leader, reason, excluded, leader_index, leader_generation, leader_epoch, claimants };
  });
}

describe("the dashboard at 5,000 groups x 7 members", () => {
  let server, browser, page;
  const source = bigViewSource();
  before(async () => {
    server = await startServer((req, res, url) => source.api(req, res, url));
    browser = await launchBrowser();
    page = await openDashboard(browser.context, `${server.url}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("paste, filter, kill and revive are painted within loose bounds", async (t) => {
    const text = bigViewText();
    const floor = (await page.evaluate(coreFloorInPage, { text })).ms;
    const m = await measureDashboard(page, { rounds: 3, text });
    const f = (x) => `${Math.round(x)} ms`;
    t.diagnostic(
      `5,000 x 7 (${(m.viewBytes / 1e6).toFixed(1)} MB): paste ${f(m.paste)} (every card ${f(m.pasteAll)}; the core alone ${f(floor)}), ` +
        `filter ${f(m.filter)} (${f(m.filterAll)}), clear ${f(m.filterClear)} (${f(m.filterClearAll)}), ` +
        `kill ${f(m.kill)} (${f(m.killAll)}), revive ${f(m.revive)} (${f(m.reviveAll)})`,
    );
    assert.ok(m.paste <= PASTE_MS, `paste to painted: ${f(m.paste)} > ${PASTE_MS} ms`);
    for (const step of ["filter", "filterClear", "kill", "revive"]) assert.ok(m[step] <= RERENDER_MS, `${step} to painted: ${f(m[step])} > ${RERENDER_MS} ms`);
    // The page adds little to the core's own reading and deciding of the view.
    assert.ok(m.paste <= 4 * floor, `paste to painted ${f(m.paste)} is more than 4x the core's ${f(floor)}`);
    // The text box was left out of it: the text is kept aside, and said so.
    assert.equal(await page.getByLabel("View JSON").inputValue(), "");
    assert.match(await page.locator("#view-text-note").textContent(), /million characters\) is kept aside/);
    assertNoProblems(page);
  });

  test("the cards shown are the core's decisions, after a kill too", async () => {
    const text = bigViewText();
    const shown = asDecisions(await shownDecisions(page));
    assert.equal(shown.length, 100, "a page of 100 cards");
    assert.deepEqual(shown, await coreDecisions(page, text, shown.map((d) => d.group)));
    assert.match(await page.locator("#summary").textContent(), /^5000 groups/);

    // Kill node-01 (listed in 7 of every 40 groups): every group is decided as in the whole view
    // with node-01 dead, and the text kept aside is that view.
    const before = Number(await page.getAttribute("#groups", "data-revision"));
    await page.locator('#groups button.toggle.kill[data-id="node-01"]').first().click();
    await page.waitForFunction((b) => Number(document.getElementById("groups").dataset.revision) > b, before);
    const killed = JSON.parse(text);
    for (const g of Object.values(killed.groups)) for (const mm of g.members) if (mm.id === "node-01") mm.live = false;
    const killedText = JSON.stringify(killed);
    const after = asDecisions(await shownDecisions(page));
    assert.deepEqual(after, await coreDecisions(page, killedText, after.map((d) => d.group)));
    assert.ok(after.some((d, i) => d.leader !== shown[i].leader), "the kill moved some leaders");
    // The leader changes (found after the frame that showed the decisions) are drawn by then:
    // each card's current reign is its leader's, and the feed counts the moves.
    for (const g of await shownDecisions(page)) assert.deepEqual(g.reigns[0].slice(1), [g.leader, true], `${g.group}: the current reign`);
    assert.match(await page.locator("#events-count").textContent(), /^\(\d+\)$/);
    assert.match(await page.locator("#announce").textContent(), /^Leader changed: grp-/);
    // Apply view decides the text kept aside: the same decisions.
    const beforeApply = Number(await page.getAttribute("#groups", "data-revision"));
    await page.getByRole("button", { name: "Apply view" }).click();
    await page.waitForFunction((b) => Number(document.getElementById("groups").dataset.revision) > b, beforeApply);
    assert.deepEqual(asDecisions(await shownDecisions(page)), after);
    assert.equal(await page.getByLabel("View JSON").inputValue(), "");

    // Two kills in one task (the second before the first's frame, its text and its leader
    // changes): both count.
    const beforeTwo = Number(await page.getAttribute("#groups", "data-revision"));
    await page.evaluate(() => {
      for (const id of ["node-05", "node-06"]) document.querySelector(`#groups button.toggle.kill[data-id="${id}"]`).click();
    });
    await page.waitForFunction((b) => Number(document.getElementById("groups").dataset.revision) > b, beforeTwo);
    for (const g of Object.values(killed.groups)) for (const mm of g.members) if (mm.id === "node-05" || mm.id === "node-06") mm.live = false;
    const two = asDecisions(await shownDecisions(page));
    assert.deepEqual(two, await coreDecisions(page, JSON.stringify(killed), two.map((d) => d.group)));
    for (const g of await shownDecisions(page)) assert.deepEqual(g.reigns[0].slice(1), [g.leader, true], `${g.group}: the current reign`);
    // Typing in the box drops the text kept aside.
    await page.getByLabel("View JSON").fill("{");
    assert.ok(await page.locator("#view-text-note").isHidden());
    assert.equal(await page.locator("#view-text-note").textContent(), "", "the box is no longer described as holding a view aside");
    assertNoProblems(page);
  });

  test("an unchanged poll decides nothing; the page answers input while a changing view is polled every second", async (t) => {
    const polled = await openDashboard(browser.context, `${server.url}/?poll=/big/view.json&interval=1`);
    try {
      assert.match(await polled.locator("#summary").textContent(), /^5000 groups/);
      // The same view again: no render.
      source.changing = false;
      const start = source.gets;
      // A poll is armed once the one before is done: at the second answer from now, the first
      // (the view on screen, again) has been read.
      await source.waitGets(start + 2);
      const revision = Number(await polled.getAttribute("#groups", "data-revision"));
      await source.waitGets(start + 4);
      assert.equal(Number(await polled.getAttribute("#groups", "data-revision")), revision, "an unchanged view is not rendered again");

      // A node dies and comes back at every poll, while someone types in the filter.
      source.changing = true;
      const r = await measurePolling(polled, source, { polls: 4 });
      const f = (x) => `${Math.round(x)} ms`;
      t.diagnostic(
        `polling 5,000 x 7 every second, a node dying and coming back at each poll, typing in the filter: ` +
          `slowest input to paint ${f(r.slowestInput)}, longest task ${f(r.longestTask)}, main thread busy ${(100 * r.busyShare).toFixed(0)}% of ${r.seconds.toFixed(1)} s, ${r.keys} keys, ${r.renders} renders`,
      );
      assert.ok(r.renders >= 4, `the polls and the filter rendered (${r.renders})`);
      assert.ok(r.slowestInput <= 1000, `an input waited ${f(r.slowestInput)} for its frame`);
      assert.ok(r.busyShare < 0.9, `the main thread was busy ${(100 * r.busyShare).toFixed(0)}% of the time`);
      assertNoProblems(polled);
    } finally {
      await polled.close();
    }
  });
});
