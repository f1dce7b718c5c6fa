// Every `decide` step of tests/vectors/views.json with a view object (and a policy object, not
// policy text) is pasted into the dashboard with the policy set through its checkboxes; the
// leaders, reasons and exclusions the page shows, and the row it marks as the leader's entry,
// must equal the corpus's expected decisions. (A view that carries its own policy is decided
// with that policy on the page, not the checkboxes': policy.test.mjs covers those.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dashboardSuite, assertNoProblems, applyView, setPolicy, shownDecisions, asDecisions, corpus } from "./harness.mjs";

const steps = [];
for (const c of corpus("views.json").cases) {
  c.steps.forEach((step, i) => {
    if (step.op === "decide" && step.view && !("policy_text" in step) && !("policy" in step.view)) {
      steps.push({ name: `${c.name} step ${i}`, step });
    }
  });
}

describe("corpus views shown as the core decides", () => {
  const suite = dashboardSuite();

  test("the corpus has the steps this suite expects", () => {
    assert.ok(steps.length >= 30, `only ${steps.length} decide steps with a view object`);
    assert.ok(steps.some((s) => s.name.startsWith("view/utf8-trap-group")), "the UTF-16 trap case is included");
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
      for (const g of shown) {
        // Exactly one row is marked leader when there is one, and it is the leader.
        assert.deepEqual(g.leaderRows, g.leader === null ? [] : [g.leader]);
      }
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
