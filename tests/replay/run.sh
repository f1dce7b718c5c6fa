#!/usr/bin/env bash
# Runs the demo on real gossip with --record, then replays every recorded view through the C,
# Python and WASM fronts; each must decide exactly as the nodes did through the Rust core.
# Expects the fronts built (scripts/test builds them first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="target/replay"
mkdir -p "$out"
cargo build -q -p tael-coord-cli -p tael-coord-c
./target/debug/tael-coord demo --record "$out/views.json"

gcc -std=c11 -Wall -Wextra -Werror tests/replay/replay.c -Ibindings/c/include \
  target/debug/libtael_coord.a -ljansson -lpthread -ldl -lm -o "$out/replay-c"
"$out/replay-c" "$out/views.json"
target/python-venv/bin/python tests/replay/replay.py "$out/views.json"
node tests/replay/replay.mjs "$out/views.json"
