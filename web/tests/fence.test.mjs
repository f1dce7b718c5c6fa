// The fence panel: a stream's gate (highest, optional jump cap, optional holder-aware mode) and
// an incoming (epoch, holder) give the core's verdict; epoch text goes to the core as a BigInt.

import { describe, test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openDashboard, assertNoProblems } from "./harness.mjs";

describe("fence panel", () => {
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

  async function setGate({ kind = "epoch", highest = "0", cap = "" } = {}) {
    await page.getByLabel(kind === "holder" ? "Holder-aware gate" : "Epoch gate", { exact: true }).check();
    await page.getByLabel("Highest epoch").fill(highest);
    await page.getByLabel("Jump cap (optional)").fill(cap);
    await page.getByRole("button", { name: "Set gate" }).click();
    await page.locator("#verdict").getByText("Gate set.").waitFor();
  }

  /** Offer a record; resolves to the verdict shown (or the error shown). */
  async function check(epoch, holder) {
    await page.getByLabel("Epoch", { exact: true }).fill(epoch);
    if (holder !== undefined) await page.getByLabel("Holder (holder-aware gate)").fill(holder);
    const seq = Number((await page.getAttribute("#verdict", "data-seq")) || "0");
    await page.getByRole("button", { name: "Check record" }).click();
    await page.waitForFunction((s) => Number(document.getElementById("verdict").dataset.seq) > s, seq);
    return page.locator("#verdict").evaluate((box) => {
      const err = box.querySelector(".verdict-error");
      if (err) return { error: err.querySelector("code").textContent, text: err.textContent };
      const get = (cls) => box.querySelector(`.${cls}`)?.textContent;
      const v = { code: get("verdict-code"), accepted: get("v-accepted"), epoch: get("v-epoch"), highest: get("v-highest") };
      for (const k of ["from", "cap", "holder"]) if (get(`v-${k}`) !== undefined) v[k] = get(`v-${k}`);
      return v;
    });
  }

  test("epoch gate: ADVANCED, CURRENT and STALE_EPOCH, with exact u64 epochs", async () => {
    await setGate({ highest: "9007199254740993" });
    assert.match(await page.locator("#gate-state").textContent(), /highest 9007199254740993/);
    assert.deepEqual(await check("9007199254740994"), { code: "ADVANCED", accepted: "yes", epoch: "9007199254740994", highest: "9007199254740994", from: "9007199254740993" });
    assert.deepEqual(await check("9007199254740994"), { code: "CURRENT", accepted: "yes", epoch: "9007199254740994", highest: "9007199254740994" });
    assert.deepEqual(await check("9007199254740993"), { code: "STALE_EPOCH", accepted: "no", epoch: "9007199254740993", highest: "9007199254740994" });
    assert.deepEqual(await check("18446744073709551615"), { code: "ADVANCED", accepted: "yes", epoch: "18446744073709551615", highest: "18446744073709551615", from: "9007199254740994" });
    assert.equal(await page.locator("#verdict-log tbody tr").count(), 4);
    assertNoProblems(page);
  });

  test("jump cap: TOO_FAR_AHEAD beyond the cap, ADVANCED within it", async () => {
    await setGate({ highest: "10", cap: "5" });
    assert.match(await page.locator("#gate-state").textContent(), /jump cap 5/);
    assert.deepEqual(await check("16"), { code: "TOO_FAR_AHEAD", accepted: "no", epoch: "16", highest: "10", cap: "5" });
    assert.deepEqual(await check("15"), { code: "ADVANCED", accepted: "yes", epoch: "15", highest: "15", from: "10" });
    assertNoProblems(page);
  });

  test("holder-aware gate: first claimant takes the reign, another holder is a CONFLICT", async () => {
    await setGate({ kind: "holder", highest: "7" });
    assert.deepEqual(await check("7", "node-a"), { code: "CURRENT", accepted: "yes", epoch: "7", highest: "7" });
    assert.match(await page.locator("#gate-state").textContent(), /holder node-a/);
    assert.deepEqual(await check("7", "node-b"), { code: "CONFLICT", accepted: "no", epoch: "7", highest: "7", holder: "node-a" });
    assert.deepEqual(await check("8", "node-b"), { code: "ADVANCED", accepted: "yes", epoch: "8", highest: "8", from: "7" });
    assert.deepEqual(await check("7", "node-a"), { code: "STALE_EPOCH", accepted: "no", epoch: "7", highest: "8" });
    assertNoProblems(page);
  });

  test("invalid epoch text and invalid holders show an error with its code", async () => {
    await setGate({ kind: "holder", highest: "3" });
    // Not decimal text: refused before BigInt could read it as hex or as 0.
    for (const text of ["12x", "0x10", "", "1.5"]) {
      const shown = await check(text, "node-a");
      assert.equal(shown.error, "INVALID_EPOCH", `epoch text ${JSON.stringify(text)}`);
    }
    // Decimal, but out of range: the core refuses it with its own code.
    for (const text of ["-1", "18446744073709551616"]) {
      const shown = await check(text, "node-a");
      assert.equal(shown.error, "INVALID_EPOCH", `epoch text ${text}`);
      assert.match(shown.text, /0\.\.2\^64-1/, "the core's own message");
    }
    assert.equal((await check("3", "")).error, "INVALID_ID");
    // Nothing above changed the gate.
    assert.match(await page.locator("#gate-state").textContent(), /highest 3 · no holder/);
    // A bad gate setting is reported too, and the old gate stays.
    await page.getByLabel("Jump cap (optional)").fill("-5");
    const seq = Number(await page.getAttribute("#verdict", "data-seq"));
    await page.getByRole("button", { name: "Set gate" }).click();
    await page.waitForFunction((s) => Number(document.getElementById("verdict").dataset.seq) > s, seq);
    assert.equal(await page.locator("#verdict .verdict-error code").textContent(), "INVALID_EPOCH");
    assert.match(await page.locator("#verdict .verdict-error").textContent(), /Gate not set/);
    assert.match(await page.locator("#gate-state").textContent(), /highest 3 · no holder recorded · no jump cap/);
    assertNoProblems(page);
  });
});
