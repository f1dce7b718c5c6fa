// Runs web/bench/index.html in Debian's Chromium (headless, through playwright-core) against the
// web build, then times the dashboard on a view of 5,000 groups x 7 members (bigview.mjs), and
// prints the results as one JSON line.
//   node web/bench/run.mjs [--quick]
import { startServer, launchBrowser, openDashboard } from "../tests/harness.mjs";
import { bigViewText, bigViewSource, measureDashboard, coreFloorInPage, measurePolling } from "./bigview.mjs";

const quick = process.argv.includes("--quick");
const source = bigViewSource();
const server = await startServer((req, res, url) => source.api(req, res, url));
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
  await page.close();

  // The dashboard: paste, filter, kill, revive (medians), the core's own part of a paste, and
  // input while the view is polled every second (a node dying and coming back at each poll).
  const text = bigViewText();
  const dash = await openDashboard(browser.context, `${server.url}/`);
  const core = await dash.evaluate(coreFloorInPage, { text });
  const steps = await measureDashboard(dash, { rounds: quick ? 3 : 7, text });
  const polled = await openDashboard(browser.context, `${server.url}/?poll=/big/view.json&interval=1`);
  const polling = await measurePolling(polled, source, { polls: quick ? 4 : 10 });
  const problems = [...dash.problems, ...polled.problems];
  if (problems.length) throw new Error(`the dashboard logged problems: ${JSON.stringify(problems)}`);
  const { rounds, ...figures } = steps;
  result.dashboard = { ...figures, core, polling };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.close();
}
