// Every `decide` step of tests/vectors/views.json, freshness.json, reign.json and events.json with a
// view object
// (and a policy object, not policy text) is pasted into the dashboard with the policy set through
// its checkboxes and max-lag field; the leaders, reasons and exclusions the page shows, and the row
// it marks as the leader's entry, must equal the corpus's expected decisions. Under freshness every
// row shows its log position as the core reads it, and exactly the `behind` rows are marked so.
// Exactly the members the core reads as `leaving` are marked so, and a group's `handover_to` is
// shown, with whether its successor leads. Every member that claims to lead carries its claim, the
// rows marked as claimants are the decision's `claimants`, and a group warns of split brain
// exactly when it has claimants.
// Steps whose view the core refuses show the refusal's code. (A view that carries its own policy
// is decided with that policy on the page, not the checkboxes': policy.test.mjs covers those.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  dashboardSuite,
  assertNoProblems,
  applyView,
  setPolicy,
  shownDecisions,
  asDecisions,
  corpus,
  revision,
  REPO_ROOT,
} from "./harness.mjs";

const tael = createRequire(import.meta.url)(`${REPO_ROOT}/web/pkg/node.cjs`);

const steps = [];
const refusals = [];
for (const file of ["views.json", "freshness.json", "reign.json", "events.json"]) {
  for (const c of corpus(file).cases) {
    c.steps.forEach((step, i) => {
      if (step.op !== "decide" || "policy_text" in step) return;
      const name = `${c.name} step ${i}`;
      if (step.view && !("policy" in step.view) && step.expect.decisions) steps.push({ name, step });
      if (step.view_text !== undefined && step.expect.error) refusals.push({ name, step });
    });
  }
}

/** The view's groups as the core reads them (Node build), by name. */
function canonical(view) {
  return new Map(Object.entries(JSON.parse(tael.normalizeView(JSON.stringify(view))).groups));
}

describe("corpus views shown as the core decides", () => {
  const suite = dashboardSuite();

  test("the corpus has the steps this suite expects", () => {
    assert.ok(steps.length >= 50, `only ${steps.length} decide steps with a view object`);
    assert.ok(steps.some((s) => s.name.startsWith("view/utf8-trap-group")), "the UTF-16 trap case is included");
    const fresh = steps.filter((s) => s.step.policy?.freshness);
    assert.ok(fresh.length >= 18, `only ${fresh.length} steps under freshness`);
    assert.ok(fresh.some((s) => s.step.policy.max_lag === "18446744073709551614"), "a max lag above 2^53 is included");
    assert.ok(steps.some((s) => s.step.expect.decisions.some((d) => d.reason === "no_fresh_members")), "no_fresh_members is included");
    assert.ok(refusals.length >= 4, `only ${refusals.length} refused views`);
    const reign = steps.filter((s) => s.name.startsWith("handover/"));
    assert.ok(reign.length >= 15, `only ${reign.length} decide steps of reign.json`);
    for (const reason of ["handover", "no_staying_members"]) {
      assert.ok(steps.some((s) => s.step.expect.decisions.some((d) => d.reason === reason)), `${reason} is included`);
    }
    for (const reason of ["leaving", "outranked_by_handover"]) {
      assert.ok(steps.some((s) => s.step.expect.decisions.some((d) => d.excluded.some((x) => x.reason === reason))), `${reason} is included`);
    }
    assert.ok(refusals.some((r) => r.name.startsWith("handover/")), "a refused handover field is included");
    const claims = steps.filter((s) => s.step.expect.decisions.some((d) => d.claimants.length > 0));
    assert.ok(claims.length >= 5, `only ${claims.length} decide steps with claimants`);
    assert.ok(steps.some((s) => s.step.expect.decisions.some((d) => d.leader === null && d.claimants.length > 0)), "claimants without a leader are included");
    assert.ok(refusals.some((r) => r.name.startsWith("claimants/")), "a refused claims_epoch is included");
  });

  for (const { name, step } of steps) {
    test(name, async () => {
      const { page } = suite;
      // Policy first (re-deciding the current view), then the view.
      await setPolicy(page, step.policy || {});
      await applyView(page, JSON.stringify(step.view));
      assert.equal(await page.locator("#view-error").isHidden(), true, "no view error");
      const shown = await shownDecisions(page);
      assert.deepEqual(asDecisions(shown), step.expect.decisions);
      const fresh = Boolean(step.policy?.freshness);
      const groups = canonical(step.view);
      for (const g of shown) {
        const read = groups.get(g.group);
        // Exactly one row is marked leader when there is one, and it is the leader.
        assert.deepEqual(g.leaderRows, g.leader === null ? [] : [g.leader]);
        // Log positions are shown exactly when freshness decides; the behind rows are marked.
        const want = fresh ? read.members.map((m) => [m.log_epoch, m.log_end]) : g.rows.map(() => [null, null]);
        assert.deepEqual(g.rows.map((r) => [r.logEpoch, r.logEnd]), want, `${g.group}: log positions`);
        const decision = step.expect.decisions.find((d) => d.group === g.group);
        const behind = decision.excluded.filter((x) => x.reason === "behind").map((x) => x.id);
        assert.deepEqual(g.rows.filter((r) => r.behind).map((r) => r.id), behind, `${g.group}: rows marked behind`);
        // The rows marked leaving are the members the core reads as leaving, whatever decided.
        assert.deepEqual(g.rows.map((r) => r.leaving), read.members.map((m) => m.leaving), `${g.group}: rows marked leaving`);
        // The handover successor is shown, and said to lead exactly when it does.
        const to = read.handover_to ?? null;
        assert.equal(g.handoverTo, to, `${g.group}: handover_to shown`);
        assert.equal(g.handoverLeads, to === null ? null : g.leader === to, `${g.group}: whether the successor leads`);
        assert.deepEqual(g.rows.filter((r) => r.successor).map((r) => r.id), read.members.filter((m) => m.id === to).map((m) => m.id), `${g.group}: rows marked successor`);
        // Every claim is shown as the core reads it; split brain is said exactly with claimants.
        assert.deepEqual(g.rows.map((r) => r.claimsEpoch), read.members.map((m) => m.claims_epoch ?? null), `${g.group}: claims shown`);
        assert.equal(g.splitBrain !== null, decision.claimants.length > 0, `${g.group}: the split-brain warning`);
        for (const c of decision.claimants) assert.ok(g.splitBrain.includes(`${c.id} (epoch ${c.claims_epoch})`), `${g.group}: the warning names ${c.id}`);
      }
      assertNoProblems(page);
    });
  }

  for (const { name, step } of refusals) {
    test(`${name}: refused with ${step.expect.error}`, async () => {
      const { page } = suite;
      await setPolicy(page, step.policy || {});
      await applyView(page, JSON.stringify({ groups: { ok: { members: [{ id: "a", live: true }] } } }));
      const before = await revision(page);
      await page.getByLabel("View JSON").fill(step.view_text);
      await page.getByRole("button", { name: "Apply view" }).click();
      await page.locator("#view-error").waitFor({ state: "visible" });
      assert.equal(await page.getAttribute("#view-error", "data-code"), step.expect.error);
      assert.equal(await revision(page), before, "the refused view is not rendered");
      assert.equal((await shownDecisions(page))[0].group, "ok", "the previous view stays");
      assertNoProblems(page);
    });
  }

  test("the UTF-16 trap: U+FF61 is shown leading over U+1F600, against JavaScript's own <", async () => {
    const { page } = suite;
    await setPolicy(page, {});
    await applyView(page, JSON.stringify({ groups: { trap: { members: [{ id: "\u{1F600}", live: true }, { id: "\uFF61", live: true }] } } }));
    assert.ok("\u{1F600}" < "\uFF61", "JavaScript's < would pick U+1F600");
    assert.equal((await shownDecisions(page))[0].leader, "\uFF61");
    assertNoProblems(page);
  });
});
