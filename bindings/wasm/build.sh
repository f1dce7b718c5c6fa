#!/usr/bin/env bash
# Builds the npm package tael-coord-wasm into bindings/wasm/pkg/: cargo builds the crate for
# wasm32, wasm-bindgen writes the ES module glue for the web (`--target web`) beside the one
# .wasm, wasm-opt shrinks it, and npm/assemble.mjs adds the Node entries for `import` and
# `require`, their types, the README and the package.json (see npm/README.md). Copies the package
# to web/pkg/, where the dashboard loads it; prints the .wasm size raw and gzipped. Installs the
# pinned tools it needs first (idempotent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

WASM_BINDGEN_VERSION=0.2.130

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the locked tree wants a crate version the registry here lacks. No default
  # features: they only add TLS (rustls, ring) for the test runner's downloads, which the build
  # never uses, and a cold install compiles less.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features
fi
# wasm-opt from npm's binaryen (Debian's miscompiles); typescript for the .d.ts check; esbuild
# for package-test.sh.
if [ ! -x node_modules/.bin/wasm-opt ] || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
export PATH="$here/node_modules/.bin:$PATH"

# The crate's name, version, description, license and repository, for the package.json.
metadata="$(cargo metadata --no-deps --format-version 1 --manifest-path Cargo.toml)"
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm-release -p tael-coord-wasm
target_dir="$(node -e 'console.log(JSON.parse(process.argv[1]).target_directory)' "$metadata")"
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name tael_coord \
  "$target_dir/wasm32-unknown-unknown/wasm-release/tael_coord_wasm.wasm"
bash wasm-opt.sh pkg/tael_coord_bg.wasm
node npm/assemble.mjs pkg "$metadata" $([ -f "$root/LICENSE" ] && echo "$root/LICENSE")
rm -rf "$root/web/pkg"
cp -R pkg "$root/web/pkg"

raw=$(stat -c %s pkg/tael_coord_bg.wasm)
gz=$(gzip -9 -c pkg/tael_coord_bg.wasm | wc -c)
echo "wasm size: $raw bytes raw, $gz bytes gzipped (goal: <= 49152 gzipped)"
