#!/usr/bin/env bash
# Builds the npm package tael-coord-wasm into bindings/wasm/pkg/: one wasm-pack build for the web
# (wasm-bindgen's ES module glue and the one .wasm), to which npm/assemble.mjs adds the Node
# entries for `import` and `require`, their types, the README and the package.json (see
# npm/README.md). Copies the package to web/pkg/, where the dashboard loads it; prints the .wasm
# size raw and gzipped. Installs the pinned tools it needs first (idempotent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the locked tree wants a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
fi
# wasm-opt from npm's binaryen (Debian's miscompiles); typescript for the .d.ts check; esbuild
# for package-test.sh.
if [ ! -x node_modules/.bin/wasm-opt ] || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
export PATH="$here/node_modules/.bin:$PATH"

rm -rf pkg
wasm-pack --quiet build --profile wasm-release --target web --out-dir pkg --out-name tael_coord
node npm/assemble.mjs pkg $([ -f "$root/LICENSE" ] && echo "$root/LICENSE")
rm -rf "$root/web/pkg"
cp -R pkg "$root/web/pkg"

raw=$(stat -c %s pkg/tael_coord_bg.wasm)
gz=$(gzip -9 -c pkg/tael_coord_bg.wasm | wc -c)
echo "wasm size: $raw bytes raw, $gz bytes gzipped (goal: <= 40960 gzipped)"
