// Graceful handover on the page (SEMANTICS.md §16): a member that publishes `leaving` is marked so
// (in words, with its exclusion), a group's `handover_to` is shown with what became of it, and the
// reasons `handover`, `no_staying_members`, `leaving` and `outranked_by_handover` are said in
// words. Kill and Revive keep a member's `leaving`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dashboardSuite, assertNoProblems, applyView, setPolicy, shownDecisions, clickMember, revision, waitRender } from "./harness.mjs";
import { DECISION_WORDS, EXCLUSION_WORDS } from "../words.js";

// wal-0: the incumbent node-a is leaving and hands over to node-c, past the sticky incumbent,
// node-b's priority and the smallest id. wal-1: every live member is leaving. wal-2: the
// successor is dead, so the handover changes nothing. wal-3: the successor is not listed.
// wal-4: node-a leaving still counts as live for the quorum guard (2 of 3 live).
const VIEW = `{"groups": {
  "wal-0": {"members": [
    {"id": "node-a", "live": true, "leaving": true},
    {"id": "node-b", "live": true, "priority": "9"},
    {"id": "node-c", "live": true}
  ], "incumbent": "node-a", "handover_to": "node-c"},
  "wal-1": {"members": [
    {"id": "node-a", "live": true, "leaving": true},
    {"id": "node-b", "live": false}
  ]},
  "wal-2": {"members": [
    {"id": "node-a", "live": true, "leaving": true},
    {"id": "node-b", "live": true},
    {"id": "node-c", "live": false}
  ], "handover_to": "node-c"},
  "wal-3": {"members": [
    {"id": "node-b", "live": true}
  ], "handover_to": "node-z"},
  "wal-4": {"members": [
    {"id": "node-a", "live": true, "leaving": true},
    {"id": "node-b", "live": true},
    {"id": "node-c", "live": false}
  ], "configured": "3"}
}}`;

const group = async (page, name) => (await shownDecisions(page)).find((g) => g.group === name);
const row = (g, id) => g.rows.find((r) => r.id === id);
const words = (reason) => `${EXCLUSION_WORDS[reason]} ${reason}`;

describe("graceful handover on the dashboard", () => {
  const suite = dashboardSuite();

  test("a leaving leader hands over: the successor leads, the leaving member is marked", async () => {
    const { page } = suite;
    await setPolicy(page, { sticky_incumbent: true, priority: true });
    await applyView(page, VIEW);
    const wal0 = await group(page, "wal-0");
    assert.equal(wal0.leader, "node-c");
    assert.equal(wal0.reason, "handover");
    const reason = page.locator('.group[data-group="wal-0"] .leader-line .reason');
    assert.equal((await reason.textContent()).trim(), `— ${DECISION_WORDS.handover} handover`);
    assert.deepEqual(
      wal0.rows.map((r) => [r.id, r.state, r.leaving, r.successor]),
      [["node-a", "live leaving", true, false], ["node-b", "live", false, false], ["node-c", "live successor", false, true]],
    );
    assert.equal(row(wal0, "node-a").decision, words("leaving"));
    assert.equal(row(wal0, "node-b").decision, words("outranked_by_handover"));
    assert.equal(wal0.handoverTo, "node-c");
    assert.equal(wal0.handoverLeads, true);
    assert.equal(wal0.handoverText, "node-c (leads)");
    const a = page.locator('.group[data-group="wal-0"] tr[data-id="node-a"]');
    assert.equal(await a.getAttribute("data-leaving"), "true");
    assert.match(await a.getAttribute("title"), /node-a is leaving \(a clean shutdown\): it may not lead, and still counts as live for the quorum guard/);
    assert.equal(await page.locator('.group[data-group="wal-0"] .facts dt').allTextContents().then((t) => t.includes("Hands over to")), true);
    assertNoProblems(page);
  });

  test("every live member leaving: no leader, no staying members", async () => {
    const { page } = suite;
    const wal1 = await group(page, "wal-1");
    assert.equal(wal1.leader, null);
    assert.equal(wal1.reason, "no_staying_members");
    const reason = page.locator('.group[data-group="wal-1"] .leader-line .reason');
    assert.equal((await reason.textContent()).trim(), `— ${DECISION_WORDS.no_staying_members} no_staying_members`);
    assert.deepEqual(wal1.rows.map((r) => [r.id, r.decision]), [["node-a", words("leaving")], ["node-b", words("dead")]]);
    assert.equal(wal1.handoverTo, null, "no handover_to, no fact");
    assert.ok(await page.locator('.group[data-group="wal-1"]').evaluate((card) => card.classList.contains("leaderless")));
    assertNoProblems(page);
  });

  test("a successor that is no candidate changes nothing, and the page says why", async () => {
    const { page } = suite;
    const wal2 = await group(page, "wal-2");
    assert.equal(wal2.leader, "node-b");
    assert.equal(wal2.reason, "only_candidate");
    assert.equal(wal2.handoverLeads, false);
    assert.equal(wal2.handoverText, `node-c (does not lead: ${EXCLUSION_WORDS.dead})`);
    assert.deepEqual(wal2.rows.filter((r) => r.successor).map((r) => [r.id, r.state]), [["node-c", "dead successor"]]);
    const wal3 = await group(page, "wal-3");
    assert.equal(wal3.leader, "node-b");
    assert.equal(wal3.handoverText, "node-z (not listed: no effect)");
    assert.ok(wal3.rows.every((r) => !r.successor));
    // Leaving counts as live for the quorum guard: 2 live of 3 configured.
    await setPolicy(page, { quorum_guard: true });
    const wal4 = await group(page, "wal-4");
    assert.equal(wal4.leader, "node-b");
    assert.equal(row(wal4, "node-a").decision, words("leaving"));
    // Under the quorum guard a successor excluded for want of quorum says so.
    const before = await revision(page);
    await applyView(page, JSON.stringify({ groups: { q: { members: [{ id: "a", live: true, leaving: true }, { id: "b", live: true }], configured: "5", handover_to: "b" } } }));
    assert.ok((await revision(page)) > before);
    const [q] = await shownDecisions(page);
    assert.equal(q.reason, "no_quorum");
    assert.equal(q.handoverText, `b (does not lead: ${EXCLUSION_WORDS.no_quorum})`);
    await setPolicy(page, {});
    assertNoProblems(page);
  });

  test("killing and reviving a leaving member keeps it leaving", async () => {
    const { page } = suite;
    await applyView(page, VIEW);
    let before = await revision(page);
    await clickMember(page, "wal-0", "node-a", "Kill");
    await waitRender(page, before);
    let wal0 = await group(page, "wal-0");
    assert.deepEqual([row(wal0, "node-a").state, row(wal0, "node-a").decision], ["dead leaving", words("dead")]);
    assert.equal(wal0.leader, "node-c", "the successor still leads");
    let text = JSON.parse(await page.getByLabel("View JSON").inputValue());
    assert.deepEqual(text.groups["wal-0"].members[0], { ...text.groups["wal-0"].members[0], live: false, leaving: true });
    assert.equal(text.groups["wal-0"].handover_to, "node-c");

    before = await revision(page);
    await clickMember(page, "wal-0", "node-a", "Revive");
    await waitRender(page, before);
    wal0 = await group(page, "wal-0");
    assert.equal(row(wal0, "node-a").state, "live leaving");
    text = JSON.parse(await page.getByLabel("View JSON").inputValue());
    assert.equal(text.groups["wal-0"].members[0].leaving, true);
    assertNoProblems(page);
  });
});
