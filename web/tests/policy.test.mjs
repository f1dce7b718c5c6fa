// A view that carries its cluster's policy is decided with that policy, the toggles show it, and
// changing a toggle is a visibly marked what-if until the cluster's policy is chosen again.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dashboardSuite, assertNoProblems, applyView, shownLeader, revision, waitRender } from "./harness.mjs";

const members = [
  { id: "node-a", live: true },
  { id: "node-b", live: true, epoch: "7" },
];
const withPolicy = JSON.stringify({ groups: { "wal-0": { members, incumbent: "node-b" } }, policy: { sticky_incumbent: true } });
const withoutPolicy = JSON.stringify({ groups: { "wal-0": { members, incumbent: "node-b" } } });

async function toggle(page, label) {
  const before = await revision(page);
  await page.locator(`label[for="${await page.getByLabel(label, { exact: true }).getAttribute("id")}"]`).click();
  await waitRender(page, before);
}

describe("the view's own policy", () => {
  const suite = dashboardSuite();

  test("a view without a policy is decided by the toggles", async () => {
    const { page } = suite;
    await applyView(page, withoutPolicy);
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "local");
    assert.equal(await shownLeader(page, "wal-0"), "node-a", "all toggles off: the smallest id");
    assert.equal(await page.locator("#use-cluster-policy").isHidden(), true);
  });

  test("a view with a policy is decided by it, and the toggles show it", async () => {
    const { page } = suite;
    await applyView(page, withPolicy);
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "cluster");
    assert.match(await page.textContent("#policy-source"), /cluster's policy decides \(sticky incumbent\)/);
    assert.equal(await page.getByLabel("Sticky incumbent", { exact: true }).isChecked(), true);
    assert.equal(await page.getByLabel("Priority", { exact: true }).isChecked(), false);
    assert.equal(await shownLeader(page, "wal-0"), "node-b", "the sticky incumbent keeps leading");
  });

  test("changing a toggle is a marked what-if, and the cluster's policy comes back", async () => {
    const { page } = suite;
    await toggle(page, "Sticky incumbent");
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "what-if");
    assert.match(await page.textContent("#policy-source"), /What-if/);
    assert.equal(await shownLeader(page, "wal-0"), "node-a");
    // Applying a view anew starts from its cluster's policy again.
    await applyView(page, withPolicy.replace('"7"', '"8"'));
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "cluster");

    await toggle(page, "Sticky incumbent");
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "what-if");
    const before = await revision(page);
    await page.getByRole("button", { name: "Use the cluster's policy" }).click();
    await waitRender(page, before);
    assert.equal(await page.getAttribute("#policy-source", "data-mode"), "cluster");
    assert.equal(await page.getByLabel("Sticky incumbent", { exact: true }).isChecked(), true);
    assert.equal(await shownLeader(page, "wal-0"), "node-b");
    assert.equal(await page.locator("#use-cluster-policy").isHidden(), true);
    assertNoProblems(page);
  });
});
