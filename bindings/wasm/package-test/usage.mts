// (c) tsc --strict, module nodenext, an ES module: the `import` condition's types (node.d.mts),
// which need no DOM library.
import init, { electLeader, electLeaders, EpochFencer, HolderFencer, initSync, version } from "tael-coord-wasm";
import type { Decision, Verdict, VerdictCode } from "tael-coord-wasm";

const leader: string | undefined = electLeader(["node-b", "node-a"]);
const decisions: Decision[] = electLeaders('{"groups": {}}', { sticky_incumbent: true });
const verdict: Verdict = new EpochFencer(7n).check(6n);
const code: VerdictCode = verdict.code;
const accepted: boolean = new HolderFencer().checkAndAdvance(1n, "node-a");
const ready: Promise<unknown> = init();
initSync();
const v: string = version();
// @ts-expect-error an election answers a string or undefined
const wrong: number = electLeader(["node-a"]);

export { leader, decisions, code, accepted, ready, v, wrong };
