// (d) The esbuild entry with `--loader:.wasm=file`: esbuild copies the .wasm into the output and
// the import gives its URL, which init() is given.
import init, * as tael from "tael-coord-wasm";
import wasmUrl from "tael-coord-wasm/tael_coord_bg.wasm";
import { show, fail } from "./show.js";

init({ module_or_path: wasmUrl }).then(() => show(tael), fail);
