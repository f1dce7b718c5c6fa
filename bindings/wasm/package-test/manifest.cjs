"use strict";
// The installed package's package.json: the fields a registry and its users read, the crate's
// version, and the `exports` conditions in the order resolvers need — first match wins, so
// `types` comes first (TypeScript), `browser` before `import`/`require` (else a browser bundler
// would take a Node entry), `default` last.
//   node manifest.cjs CRATE_VERSION
const assert = require("node:assert/strict");
const pkg = require("tael-coord-wasm/package.json");

const [crateVersion] = process.argv.slice(2);
assert.equal(pkg.name, "tael-coord-wasm");
assert.equal(pkg.version, crateVersion, "the crate's version");
for (const field of ["description", "license", "main", "module", "types"]) {
  assert.equal(typeof pkg[field], "string", field);
}
assert.equal(pkg.license, "Apache-2.0");
assert.match(pkg.repository?.url ?? "", /^https:\/\/github\.com\//, "repository.url");
assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.length > 0, "keywords");
assert.ok(Array.isArray(pkg.files) && Array.isArray(pkg.sideEffects), "files and sideEffects");
const root = pkg.exports["."];
assert.deepEqual(Object.keys(root), ["types", "browser", "import", "require", "default"], "the conditions' order");
assert.deepEqual(Object.keys(root.types), ["browser", "require", "default"], "the types' conditions' order");
for (const entry of [root.import, root.require]) assert.ok(pkg.sideEffects.includes(entry), `${entry} instantiates the module: a side effect`);
console.log(`${pkg.name}@${pkg.version}: exports ${Object.keys(root).join(" > ")}`);
