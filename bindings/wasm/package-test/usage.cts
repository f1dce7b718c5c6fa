// (c) tsc --strict, module nodenext, a CommonJS module: the `require` condition's types
// (node.d.cts).
import tael = require("tael-coord-wasm");

const leader: string | undefined = tael.electLeader(["node-b", "node-a"]);
const decisions: tael.Decision[] = tael.electLeaders('{"groups": {}}', undefined);
const highest: bigint = new tael.EpochFencer(7n).highest;
const point: bigint = tael.divergencePoint([[1n, 0n], [3n, 5n]], 9n, [[1n, 0n], [2n, 5n]], 7n);
// @ts-expect-error epochs are bigints
const wrong: string = tael.nextEpoch('{"groups": {}}', "wal-0");

export = { leader, decisions, highest, point, wrong };
