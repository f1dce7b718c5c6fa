// Replays the views a demo recorded (`tael-coord demo --record FILE`) through the WASM front
// (Node build) and counts every decision that differs from the node's, made through Rust.
//   node tests/replay/replay.mjs FILE
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";

const tael = createRequire(import.meta.url)("../../bindings/wasm/pkg/node.cjs");
const { views } = JSON.parse(readFileSync(process.argv[2], "utf8"));
let divergent = 0;
for (const entry of views) {
  const mine = tael.electLeaders(JSON.stringify(entry.view), entry.policy).filter((d) => d.group === entry.decision.group);
  if (!isDeepStrictEqual(mine, [entry.decision])) {
    divergent++;
    console.log(`js differs on a view of ${entry.node}: ${JSON.stringify(mine)} vs ${JSON.stringify(entry.decision)}`);
  }
}
console.log(`js replay: ${views.length} views, ${divergent} divergent decisions`);
process.exit(divergent || views.length === 0 ? 1 : 0);
