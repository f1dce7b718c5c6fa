#!/usr/bin/env bash
# Builds the floor modules of scripts/bench (see src/lib.rs), after bindings/wasm/build.sh (its
# tools): with the parts, at the package's settings, into web/bench/floor/ (where the Chromium
# page and Node load it); `electLeaders` alone, at the smallest setting (opt-level "z"), into
# target/wasm-floor/alone/ (for its size).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wasm="$(cd "$here/../.." && pwd)"
root="$(cd "$wasm/../.." && pwd)"
metadata="$(cargo metadata --no-deps --format-version 1 --manifest-path "$root/Cargo.toml")"
target_dir="$(node -e 'console.log(JSON.parse(process.argv[1]).target_directory)' "$metadata")"

# build OUT [cargo options]: the module, through wasm-bindgen and wasm-opt as the package's.
build() {
  local out="$1"
  shift
  cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm-release \
    -p tael-coord-wasm-floor "$@"
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name floor \
    "$target_dir/wasm32-unknown-unknown/wasm-release/tael_coord_wasm_floor.wasm"
  bash "$wasm/wasm-opt.sh" "$out/floor_bg.wasm"
  echo '{ "type": "module" }' >"$out/package.json"
}

build "$root/web/bench/floor"
build "$target_dir/wasm-floor/alone" --no-default-features \
  --config 'profile.wasm-release.opt-level="z"'
echo "floor modules: web/bench/floor/ (the parts), $target_dir/wasm-floor/alone/ (electLeaders alone)"
