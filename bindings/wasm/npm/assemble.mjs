// Turns wasm-bindgen's `--target web` output into the npm package `tael-coord-wasm` (build.sh runs
// it): renames the glue tael_coord_bindgen.js and puts the package's entry (tael_coord.js) in
// its place, adds the Node entries and the README from this folder and the repository's
// LICENSE, writes the Node entries' types, and writes the package.json from
// package.template.json, whose "(from Cargo.toml)" values come from the crate's Cargo.toml
// (`cargo metadata` output, passed by build.sh). wasm-bindgen's glue is otherwise left as it
// wrote it. Then checks that every file the package.json names is there.
//   node npm/assemble.mjs PKG_DIR CARGO_METADATA_JSON [LICENSE_FILE]
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [dir, metadata, license] = process.argv.slice(2);
if (!dir || !metadata) throw new Error("usage: node npm/assemble.mjs PKG_DIR CARGO_METADATA_JSON [LICENSE_FILE]");
const read = (f) => readFileSync(path.join(dir, f), "utf8");

// package.json: the template, with the crate's values where it says so.
const PLACEHOLDER = "(from Cargo.toml)";
const template = JSON.parse(readFileSync(path.join(here, "package.template.json"), "utf8"));
const crate = JSON.parse(metadata).packages.find((p) => p.name === template.name);
if (!crate) throw new Error(`cargo metadata lists no crate named ${template.name}`);
const generated = {
  version: crate.version,
  description: crate.description,
  license: crate.license,
  repository: { url: crate.repository },
};
function fill(value, from, at) {
  if (value === PLACEHOLDER) {
    if (typeof from !== "string" || from === "") throw new Error(`Cargo.toml gives no ${at}`);
    return from;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, from?.[k], `${at}.${k}`)]));
  }
  return value;
}
const pkg = fill(template, generated, "package");
writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");

// wasm-bindgen's glue under a name of its own, and the package's entry in its place (its types
// are the glue's: the entry has the same exports); the Node entries and the README; not the
// raw exports' types, which no entry uses.
renameSync(path.join(dir, "tael_coord.js"), path.join(dir, "tael_coord_bindgen.js"));
rmSync(path.join(dir, "tael_coord_bg.wasm.d.ts"), { force: true });
for (const f of ["tael_coord.js", "node.mjs", "node.cjs", "README.md"]) copyFileSync(path.join(here, f), path.join(dir, f));
if (license) copyFileSync(license, path.join(dir, "LICENSE"));

// The Node entries' types: the API part of wasm-bindgen's .d.ts (all of it up to the loader,
// whose parameter types need the DOM library), then the loader as Node has it. The same text
// serves `import` (.d.mts) and `require` (.d.cts): both get the same namespace.
const dts = read("tael_coord.d.ts");
const LOADER = "\nexport type InitInput = ";
const cut = dts.indexOf(LOADER);
if (cut < 0) throw new Error(`tael_coord.d.ts has no "${LOADER.trim()}": wasm-bindgen's output changed`);
const nodeTypes = `${dts.slice(0, cut).trimEnd()}

/**
 * In Node the package instantiates its WebAssembly module while it loads, so the loader has
 * nothing left to do: \`init\` resolves and \`initSync\` returns at once (with the module's raw
 * exports, which are not API). They are here so that code written for the browser build
 * (\`await init()\` before anything else) runs in Node unchanged.
 */
export default function init(module_or_path?: unknown): Promise<unknown>;
/** As \`init\`, synchronously: returns at once. */
export function initSync(module?: unknown): unknown;
`;
writeFileSync(path.join(dir, "node.d.mts"), nodeTypes);
writeFileSync(path.join(dir, "node.d.cts"), nodeTypes);

// Everything the package.json points at is in the package.
const targets = new Set([pkg.main, pkg.module, pkg.types]);
(function walk(v) {
  if (typeof v === "string") targets.add(v);
  else for (const w of Object.values(v)) walk(w);
})(pkg.exports);
for (const f of [...targets, ...pkg.files]) {
  if (!f.includes("*") && !existsSync(path.join(dir, f))) throw new Error(`package.json names ${f}, which is not in ${dir}`);
}
for (const f of targets) {
  const shipped = pkg.files.some((g) => path.posix.normalize(g) === path.posix.normalize(f));
  if (!f.includes("*") && !shipped && f !== "./package.json") {
    throw new Error(`package.json points at ${f}, which "files" leaves out of the tarball`);
  }
}
