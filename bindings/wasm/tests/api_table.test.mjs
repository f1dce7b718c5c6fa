// The package exports exactly the JavaScript names of the API table (tests/api.json): a name the
// table gives that the package lacks, or one it exports that the table lacks, fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const tael = createRequire(import.meta.url)("../pkg/node.cjs");
const { rows } = JSON.parse(readFileSync(path.join(here, "../../../tests/api.json"), "utf8"));

function listed() {
  const out = new Set();
  for (const row of rows) {
    const cell = row.js;
    if (typeof cell === "string") out.add(cell);
    else if (Array.isArray(cell)) cell.forEach((n) => out.add(n));
    else assert.ok(typeof cell.na === "string" && cell.na.length > 0, `${row.op}: a cell is a name, names or n/a`);
  }
  return out;
}

// Every public name: the module's exports, and each class's own methods, getters and static
// methods. wasm-bindgen's internals (`__` names, the dispose symbol) are not API, nor is the
// loader every entry of the package exports (`default`, that is `init`, and `initSync`).
const LOADER = ["default", "initSync"];
function exported() {
  const out = new Set();
  for (const [name, value] of Object.entries(tael)) {
    if (name.startsWith("__") || LOADER.includes(name)) continue;
    out.add(name);
    if (typeof value !== "function" || !/^[A-Z]/.test(name)) continue;
    for (const member of Object.getOwnPropertyNames(value.prototype)) {
      if (member !== "constructor" && !member.startsWith("__")) out.add(`${name}.${member}`);
    }
    for (const member of Object.getOwnPropertyNames(value)) {
      if (!["length", "name", "prototype"].includes(member) && !member.startsWith("__")) out.add(`${name}.${member}`);
    }
  }
  return out;
}

test("the package exports exactly the table's names", () => {
  for (const name of LOADER) assert.equal(typeof tael[name], "function", `the loader's ${name}`);
  const names = exported();
  const table = listed();
  assert.deepEqual([...table].filter((n) => !names.has(n)).sort(), [], "the table names these, which the package lacks");
  assert.deepEqual([...names].filter((n) => !table.has(n)).sort(), [], "the package exports these, which the table lacks");
});
