// (d), (e) The package in Chromium: serves SITE on 127.0.0.1 (a tiny static server, .wasm as
// application/wasm), opens each page in Debian's Chromium through playwright-core (web/'s pinned
// install) and checks the answers each page shows, and that no page logged an error or a
// warning or had a request fail.
//   node browser.mjs SITE WEB_DIR VERSION PAGE...
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const [site, webDir, version, ...pages] = process.argv.slice(2);
const { chromium } = createRequire(path.join(webDir, "package.json"))("playwright-core");

const EXPECTED = { leader: "node-b", reason: "smallest_id", utf8Order: "\uFF61", verdict: "STALE_EPOCH", version };

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
};
const root = path.resolve(site);
const server = createServer(async (req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
  const file = path.resolve(root, "." + rel);
  const data = file.startsWith(root + path.sep) ? await readFile(file).catch(() => null) : null;
  if (data === null) return res.writeHead(404).end();
  res.writeHead(200, { "Content-Type": MIME[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" });
  res.end(data);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(existsSync(executablePath), `${executablePath} is missing`);
const profile = mkdtempSync(path.join(tmpdir(), "tael-package-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let failed = 0;
try {
  for (const name of pages) {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (m) => ["error", "warning"].includes(m.type()) && problems.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e}`));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    try {
      await page.goto(`${base}/${name}`);
      const deadline = Date.now() + 30_000;
      while (!(await page.$("body[data-done=true]"))) {
        assert.ok(problems.length === 0 && Date.now() < deadline, "the page never showed its answers");
        await page.waitForTimeout(50);
      }
      const error = await page.getAttribute("body", "data-error");
      assert.equal(error, null, `the page failed: ${error}`);
      const answers = JSON.parse(await page.textContent("#answers"));
      assert.deepEqual(answers, EXPECTED, "the answers the page shows");
      assert.deepEqual(problems, [], "no error or warning in the console, no failed request");
      const wasm = (await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name))).filter((u) => u.endsWith(".wasm"));
      assert.equal(wasm.length, 1, `one .wasm fetched, not ${wasm.join(", ")}`);
      console.log(`chromium ${name}: leader ${answers.leader}, ${answers.verdict}, version ${answers.version} (${new URL(wasm[0]).pathname})`);
    } catch (err) {
      failed++;
      console.log(`chromium ${name}: FAILED ${err.message}${problems.length ? `\n  ${problems.join("\n  ")}` : ""}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.closeAllConnections();
  server.close();
}
process.exit(failed ? 1 : 0);
