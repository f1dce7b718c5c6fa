#!/usr/bin/env bash
# Browser tests of the dashboard: Debian's Chromium driven by playwright-core against the page
# served on 127.0.0.1 (and against a live `tael-coord dashboard`). Installs what it needs
# (idempotent) and runs `node --test web/tests/`.
# Writes the screenshot target/dashboard.png.
set -euo pipefail
web="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$web/.." && pwd)"

# Debian's chromium (playwright cannot download browsers here).
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

# playwright-core as pinned by web/package-lock.json: reinstall when missing or stale.
cd "$web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi

# The npm package tael-coord-wasm, which bindings/wasm/build.sh copies to web/pkg/ (the top-level
# test builds it before this script): the page loads its browser entry, tael_coord.js, and the
# Node-side tests its node.cjs.
if [ ! -f "$web/pkg/tael_coord.js" ] || [ ! -f "$web/pkg/node.cjs" ]; then
  bash "$root/bindings/wasm/build.sh"
fi

# The CLI, for the live dashboard test (cluster.test.mjs runs `tael-coord dashboard`).
cd "$root"
cargo build -q -p tael-coord-cli
node --test web/tests/
