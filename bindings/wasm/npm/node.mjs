// The package's entry for Node's `import` (and Deno's, Bun's): the browser entry, tael_coord.js,
// instantiated synchronously from the .wasm next to it while this module loads, so every
// export is ready to call once the import resolves. `init` and
// `initSync` stay exported and return at once, so code written for the browser
// (`await init()` first) runs here unchanged.
import { readFileSync } from "node:fs";
import { initSync } from "./tael_coord.js";

initSync({ module: readFileSync(new URL("./tael_coord_bg.wasm", import.meta.url)) });

export * from "./tael_coord.js";
export { default } from "./tael_coord.js";
