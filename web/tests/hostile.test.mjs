// The hostile-input cases of hostile-cases.mjs in Chromium, against the web build the dashboard
// loads (the same cases run in Node against the Node build: bindings/wasm/tests).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, openDashboard, assertNoProblems } from "./harness.mjs";
import { hostileCases } from "./hostile-cases.mjs";

// The names only (nothing runs here): each case runs in the page, one test each.
const NAMES = hostileCases({}, undefined).map((c) => c.name);

describe("hostile inputs in Chromium", () => {
  let server, browser, page, results;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await openDashboard(browser.context, `${server.url}/`);
    results = await page.evaluate(async () => {
      const tael = await import("/pkg/tael_coord.js");
      const { memory } = await tael.default();
      const { hostileCases } = await import("/tests/hostile-cases.mjs");
      return hostileCases(tael, memory).map(({ name, run }) => {
        try {
          run();
          return { name, ok: true };
        } catch (e) {
          return { name, ok: false, error: `${e && e.name}: ${e && e.message}` };
        }
      });
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const name of NAMES) {
    test(name, () => {
      const r = results.find((x) => x.name === name);
      assert.ok(r, "the case ran in the page");
      assert.ok(r.ok, r.error);
    });
  }

  test("the page logged no error or warning", () => {
    assert.equal(results.length, NAMES.length);
    assertNoProblems(page);
  });
});
