#!/usr/bin/env bash
# Durable gates (SEMANTICS.md §12): the system-call order check, in its short form for CI.
#
#   bash tests/durable/run.sh            strace check: every acknowledgement after the fsync of
#                                        the data and of the directory (gate and registry, 2
#                                        threads each), plus the checker's self-test
#   bash tests/durable/run.sh --full     the same with 10x the advances, then the full crash run
#                                        (TAEL_CRASH_CYCLES SIGKILLs, default 1000)
#
# The crash test's short form (100 SIGKILLs) is an ordinary `cargo test` (cli/tests/durable_crash.rs).
# Installs strace (Debian) only when missing. Runnable from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
full=0
if [ "${1:-}" = "--full" ]; then full=1; fi

step() { printf '\n-- durable: %s\n' "$*"; }
fail() {
  printf 'durable: FAILED: %s\n' "$*" >&2
  exit 1
}

step "tools"
if ! command -v strace >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y strace >/dev/null 2>&1 ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y strace >/dev/null; }
fi
strace -V | head -n 1

# The debug build, which `cargo test` builds anyway: fsyncs, not code, set the pace.
step "build (cargo build -p tael-coord-cli)"
cargo build -q -p tael-coord-cli
target_dir="$(cargo metadata --no-deps --format-version 1 |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$target_dir" ] || fail "cannot find the cargo target directory"
bin="$target_dir/debug/tael-coord"
work="$target_dir/durable-strace"
rm -rf "$work"
mkdir -p "$work"
work="$(cd "$work" && pwd -P)" # the real path, as the gate resolves it

count=100
if [ "$full" -eq 1 ]; then count=1000; fi
# One child per kind: `--count` advances on each of 2 threads, then a normal exit.
for kind in gate registry; do
  step "strace: $kind, 2 threads x $count advances"
  log="$work/$kind.strace"
  strace -f -qq -s 4096 -xx -o "$log" \
    -e trace=write,fsync,fdatasync,rename,renameat,renameat2,openat \
    "$bin" durable-child "--$kind" "$work/$kind" --threads 2 --count "$count" >"$work/$kind.out" ||
    fail "the child failed under strace (log $log)"
  acked="$(grep -c '^ack ' "$work/$kind.out" || true)"
  [ "$acked" -eq $((2 * count)) ] || fail "$acked acknowledgements printed, expected $((2 * count))"
  python3 "$root/tests/durable/check_strace.py" --self-test "$log" "$work/$kind" ||
    fail "system-call order (log $log)"
done

if [ "$full" -eq 1 ]; then
  step "full crash run: ${TAEL_CRASH_CYCLES:-1000} SIGKILLs"
  TAEL_CRASH_CYCLES="${TAEL_CRASH_CYCLES:-1000}" cargo test -q -p tael-coord-cli \
    --test durable_crash -- --nocapture
fi

rm -rf "$work"
printf '\ndurable: all checks passed\n'
