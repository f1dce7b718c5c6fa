// (c) tsc --strict, moduleResolution bundler, with the DOM library: the package by name (the
// `import` condition's types) and its browser build with the exact loader types (`/web`).
import init, { electLeader, EpochFencer } from "tael-coord-wasm";
import initWeb, { electLeader as electWeb, type InitInput, type InitOutput } from "tael-coord-wasm/web";

const wasm: InitInput = new URL("tael_coord_bg.wasm", import.meta.url);
const loaded: Promise<InitOutput> = initWeb({ module_or_path: wasm });
const ready: Promise<unknown> = init();
const leader: string | undefined = electLeader(["node-b", "node-a"]) ?? electWeb(["node-c"]);
const stale: boolean = new EpochFencer(7n).check(6n).accepted;
// @ts-expect-error the browser build's init resolves to the module's exports
const wrong: Promise<string> = initWeb();

export { loaded, ready, leader, stale, wrong };
