// Runs web/bench/index.html in Debian's Chromium (headless, through playwright-core) against the
// web build and prints its results as one JSON line.
//   node web/bench/run.mjs [--quick]
import { startServer, launchBrowser } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${server.url}/bench/index.html${quick ? "?quick" : ""}`);
  await page.waitForFunction(() => window.__bench !== undefined || document.getElementById("status").textContent !== "running…", null, { timeout: 300000 });
  const result = await page.evaluate(() => window.__bench);
  if (!result || errors.length) throw new Error(`the benchmark page failed: ${errors.join("; ")}`);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.close();
}
