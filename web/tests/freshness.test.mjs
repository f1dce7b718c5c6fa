// Freshness on the page: under a policy with freshness, every member's log position is shown as the
// core reads it, the members that are behind are marked so (with their position), the policy line
// says the max lag, and the max-lag field asks "what if" like the toggles. Without freshness the
// log columns are not shown.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dashboardSuite, assertNoProblems, applyView, setPolicy, shownDecisions, revision, waitRender } from "./harness.mjs";

// wal-0: b is the freshest live log (3, 40); a is on an older epoch, c three records behind it
// (max lag 2), d dead (dead members do not set the freshest). big: positions past 2^53, one of
// them written as a JSON number that JSON.parse would round.
const VIEW = `{"groups": {
  "wal-0": {"members": [
    {"id": "a", "live": true, "log_epoch": "2", "log_end": "100"},
    {"id": "b", "live": true, "log_epoch": "3", "log_end": "40"},
    {"id": "c", "live": true, "log_epoch": "3", "log_end": "37"},
    {"id": "d", "live": false, "log_epoch": "9", "log_end": "999"}
  ]},
  "big": {"members": [
    {"id": "x", "live": true, "log_epoch": "18446744073709551615", "log_end": "9007199254740990"},
    {"id": "y", "live": true, "log_epoch": "18446744073709551615", "log_end": 9007199254740993}
  ]}
},
 "policy": {"freshness": true, "max_lag": "2"}}`;

const group = async (page, name) => (await shownDecisions(page)).find((g) => g.group === name);
const row = (g, id) => g.rows.find((r) => r.id === id);
const headers = (page, name) => page.locator(`.group[data-group="${name}"] thead th`).allTextContents();

async function commitLag(page, text) {
  const before = await revision(page);
  const lag = page.getByLabel("Max lag (records)", { exact: true });
  await lag.fill(text);
  await lag.press("Enter");
  await waitRender(page, before);
}

describe("freshness on the dashboard", () => {
  const suite = dashboardSuite();

  test("behind members are marked, with their log position, under the cluster's freshness", async () => {
    const { page } = suite;
    await applyView(page, VIEW);
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "cluster");
    assert.match(await page.textContent("#policy-source"), /cluster's policy decides \(freshness \(max lag 2\)\)/);
    assert.equal(await page.getByLabel("Freshness", { exact: true }).isChecked(), true);
    assert.equal(await page.getByLabel("Max lag (records)", { exact: true }).inputValue(), "2");
    assert.deepEqual(await headers(page, "wal-0"), ["Member", "State", "Generation", "Priority", "Eligible", "Epoch", "Log epoch", "Log end", "Decision", "Action"]);

    const wal0 = await group(page, "wal-0");
    assert.equal(wal0.leader, "b");
    assert.deepEqual(
      wal0.rows.map((r) => [r.id, r.logEpoch, r.logEnd, r.behind]),
      [["a", "2", "100", true], ["b", "3", "40", false], ["c", "3", "37", true], ["d", "9", "999", false]],
    );
    for (const id of ["a", "c"]) {
      assert.equal(row(wal0, id).decision, "log behind the freshest live member's behind", `${id}: the words and the code`);
    }
    assert.equal(row(wal0, "d").decision, "dead dead");
    const a = page.locator('.group[data-group="wal-0"] tr[data-id="a"]');
    assert.equal(await a.getAttribute("title"), "a's log is behind: epoch 2, end 100");

    const big = await group(page, "big");
    assert.equal(big.leader, "y");
    assert.deepEqual(row(big, "x"), { ...row(big, "x"), logEpoch: "18446744073709551615", logEnd: "9007199254740990", behind: true });
    assert.equal(row(big, "y").logEnd, "9007199254740993", "exact, not JSON.parse's 9007199254740992");
    assertNoProblems(page);
  });

  test("the max-lag field asks what if; the cluster's policy comes back", async () => {
    const { page } = suite;
    await commitLag(page, "3");
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "what-if");
    assert.match(await page.textContent("#policy-source"), /What-if/);
    const wal0 = await group(page, "wal-0");
    assert.deepEqual(wal0.rows.map((r) => [r.id, r.behind]), [["a", true], ["b", false], ["c", false], ["d", false]]);
    assert.equal(row(wal0, "c").decision, "outranked by a smaller id outranked_by_smaller_id");
    // 2^64-1: nobody on the freshest epoch is behind; big's x leads again by the smallest id.
    await commitLag(page, "18446744073709551615");
    assert.equal((await group(page, "big")).leader, "x");

    const before = await revision(page);
    await page.getByRole("button", { name: "Use the cluster's policy" }).click();
    await waitRender(page, before);
    assert.equal(await page.getByLabel("Max lag (records)", { exact: true }).inputValue(), "2");
    assert.deepEqual((await group(page, "wal-0")).rows.map((r) => r.behind), [true, false, true, false]);
    assertNoProblems(page);
  });

  test("without freshness no log columns are shown and nobody is behind", async () => {
    const { page } = suite;
    const before = await revision(page);
    await page.locator('label[for="policy-freshness"]').click();
    await waitRender(page, before);
    assert.deepEqual(await headers(page, "wal-0"), ["Member", "State", "Generation", "Priority", "Eligible", "Epoch", "Decision", "Action"]);
    const wal0 = await group(page, "wal-0");
    assert.equal(wal0.leader, "a", "the smallest id, log or no log");
    assert.ok(wal0.rows.every((r) => r.logEpoch === null && r.logEnd === null && !r.behind));
    assertNoProblems(page);
  });

  test("no fresh members: the ineligible freshest log blocks election, and the page says why", async () => {
    const { page } = suite;
    await setPolicy(page, { eligibility: true, freshness: true });
    await applyView(
      page,
      JSON.stringify({
        groups: {
          g: {
            members: [
              { id: "a", live: true, log_epoch: "4", log_end: "10" },
              { id: "b", live: true, eligible: false, log_epoch: "4", log_end: "12" },
            ],
          },
        },
      }),
    );
    const [g] = await shownDecisions(page);
    assert.equal(g.leader, null);
    assert.equal(g.reason, "no_fresh_members");
    assert.match(await page.locator('.group[data-group="g"] .reason').textContent(), /no fresh members/);
    assert.deepEqual(g.rows.map((r) => [r.id, r.logEpoch, r.logEnd, r.behind]), [["a", "4", "10", true], ["b", "4", "12", false]]);
    assertNoProblems(page);
  });

  test("a max lag the core refuses is a policy error; the last decision stays until it is fixed", async () => {
    const { page } = suite;
    const lag = page.getByLabel("Max lag (records)", { exact: true });
    const before = await revision(page);
    for (const bad of ["01", "-1", "18446744073709551616", "two"]) {
      await lag.fill(bad);
      await lag.press("Enter");
      // The core's message names the value refused.
      await page.waitForFunction((t) => document.getElementById("view-error").textContent.includes(t), bad);
      assert.equal(await page.getAttribute("#view-error", "data-code"), "INVALID_POLICY", bad);
      assert.match(await page.textContent("#view-error"), /^Policy not applied: INVALID_POLICY/);
    }
    assert.equal(await revision(page), before, "nothing was rendered");
    assert.equal((await shownDecisions(page))[0].reason, "no_fresh_members", "the last decision stays");
    await commitLag(page, "2");
    assert.equal(await page.locator("#view-error").isHidden(), true);
    const [g] = await shownDecisions(page);
    assert.equal(g.leader, "a", "within a lag of 2 of the ineligible freshest");
    assertNoProblems(page);
  });
});
