#!/usr/bin/env bash
# Shrinks a .wasm in place as the package's is shrunk (build.sh, and the benchmark's floor
# modules, whose sizes are compared with it): binaryen's wasm-opt from npm (build.sh installs
# it), at -Oz, keeping the features rustc's wasm32 target enables by default.
#   bash bindings/wasm/wasm-opt.sh FILE.wasm
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals "$1" -o "$1"
