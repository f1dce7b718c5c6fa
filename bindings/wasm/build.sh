#!/usr/bin/env bash
# Builds the WebAssembly package twice with wasm-pack: for Node (bindings/wasm/pkg-node/) and
# for the browser (web/pkg/, loaded by the dashboard); prints the .wasm size raw and gzipped.
# Installs the pinned tools it needs first (idempotent).
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
# wasm-opt from npm's binaryen (Debian's miscompiles); typescript for the .d.ts check.
if [ ! -x node_modules/.bin/wasm-opt ] || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
export PATH="$here/node_modules/.bin:$PATH"

wasm-pack --quiet build --profile wasm-release --target nodejs --out-dir pkg-node --out-name tael_coord
wasm-pack --quiet build --profile wasm-release --target web --out-dir "$root/web/pkg" --out-name tael_coord

raw=$(stat -c %s pkg-node/tael_coord_bg.wasm)
gz=$(gzip -9 -c pkg-node/tael_coord_bg.wasm | wc -c)
echo "wasm size: $raw bytes raw, $gz bytes gzipped (goal: <= 40960 gzipped)"
