// The package's module cut down to some of its exports: binaryen's wasm-metadce removes every
// export the keep test refuses and all code only they reach, then the package's own wasm-opt
// step shrinks what is left. The gzipped size is what a module holding just those exports
// would weigh at the package's settings (what a split into two modules could reach at best).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const wasmDir = fileURLToPath(new URL("../", import.meta.url));

/**
 * A test of export names: true for the JavaScript functions and classes named (a class's
 * exports are wasm-bindgen's `<class>_<member>` and `__wbg_<class>_free`); the module's
 * runtime (`memory`, wasm-bindgen's other `__` exports) is never named.
 */
export function named({ functions = [], classes = [] }) {
  const prefixes = classes.map((c) => c.toLowerCase());
  return (name) => {
    const free = /^__wbg_(\w+)_free$/.exec(name);
    if (free) return prefixes.includes(free[1]);
    if (name === "memory" || name.startsWith("__")) return false;
    return functions.includes(name) || prefixes.some((p) => name.startsWith(`${p}_`));
  };
}

/** Whether an export is the module's runtime, which every cut keeps. */
export const runtime = (name) => (name === "memory" || name.startsWith("__")) && !/^__wbg_\w+_free$/.test(name);

/** {bytes, gzipBytes, exports} of `wasmUrl` cut to the exports `keep(name)` accepts. */
export function cutSize(wasmUrl, keep) {
  const bytes = readFileSync(wasmUrl);
  const names = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
  const kept = names.filter(keep);
  // wasm-metadce's graph: one node per export, the kept ones roots.
  const graph = names.map((name) => ({ name: `export ${name}`, export: name, ...(kept.includes(name) && { root: true }) }));
  const dir = mkdtempSync(join(tmpdir(), "tael-cut-"));
  try {
    const [graphFile, out] = [join(dir, "graph.json"), join(dir, "cut.wasm")];
    writeFileSync(graphFile, JSON.stringify(graph));
    execFileSync(join(wasmDir, "node_modules/.bin/wasm-metadce"), ["-f", graphFile, fileURLToPath(wasmUrl), "-o", out], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync("bash", [join(wasmDir, "wasm-opt.sh"), out], { stdio: "inherit" });
    const cut = readFileSync(out);
    return { bytes: cut.length, gzipBytes: gzipSync(cut, { level: 9 }).length, exports: kept.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
