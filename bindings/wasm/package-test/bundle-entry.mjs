// (d) The esbuild entry: the package by name (esbuild picks its `browser` entry); init() with no
// argument fetches tael_coord_bg.wasm next to the bundle (copied there: see package-test.sh).
import init, * as tael from "tael-coord-wasm";
import { show, fail } from "./show.js";

init().then(() => show(tael), fail);
