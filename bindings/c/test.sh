#!/usr/bin/env bash
# The C front's tests. Builds libtael_coord, checks that the committed header is exactly what the
# source generates and that the library exports exactly the header's functions, compiles the
# header as C++ and C99, runs the C suite (the whole conformance corpus, in memory and in files,
# the bad-input matrix, the threads test, the durable gates) under AddressSanitizer + UBSan with
# leak detection and again, unsanitized and against the release library, under valgrind, and
# builds and runs the example against the static library and, installed by install.sh (the debug
# build, into target/c-front/prefix), through the installed pkg-config file against the shared
# one (by its soname). The installed package as users get it (release build, static and CMake
# too) is bindings/c/package-test.sh's.
#
# Runnable from any directory; installs what it needs (Debian packages) only when missing.
# Build outputs go under the cargo target directory (target/c-front/), never into the sources.
set -euo pipefail

c_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$c_dir/../.." && pwd)"
cd "$root"

step() { printf '\n-- c: %s\n' "$*"; }
fail() {
  printf 'c front: FAILED: %s\n' "$*" >&2
  exit 1
}

step "tools"
missing=()
for pkg in gcc g++ libjansson-dev valgrind pkg-config binutils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"
fi

step "build (cargo build -p tael-coord-c)"
cargo build -p tael-coord-c
target_dir="$(cargo metadata --no-deps --format-version 1 |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$target_dir" ] || fail "cannot find the cargo target directory"
lib_dir="$target_dir/debug"
out="$target_dir/c-front"
mkdir -p "$out"
header="$c_dir/include/tael_coord.h"
version="$(cargo pkgid -p tael-coord-c)"
version="${version##*[@#]}"
for f in libtael_coord.a libtael_coord.so; do
  [ -f "$lib_dir/$f" ] || fail "$lib_dir/$f was not built"
done

step "unit tests of the C crate (the status constants against the core's table)"
cargo test -q -p tael-coord-c --lib

step "the committed header is what the source generates"
cargo run -q -p tael-coord-c --example tael-coord-c-header -- --check ||
  fail "include/tael_coord.h is stale"

step "the library exports exactly the header's functions, with a versioned soname"
exported="$(nm -D --defined-only "$lib_dir/libtael_coord.so" | awk 'NF == 3 { print $3 }' | sort)"
declared="$(grep -vE '^[[:space:]]*(/?\*|//)' "$header" | grep -oE '\btael_[a-z0-9_]+\(' |
  tr -d '(' | sort -u)"
if [ "$exported" != "$declared" ]; then
  diff <(printf '%s\n' "$declared") <(printf '%s\n' "$exported") || true
  fail "exported symbols (right) differ from the header's functions (left)"
fi
echo "$(printf '%s\n' "$exported" | wc -l) functions, all declared"
# shellcheck disable=SC2086 # one symbol per word
python3 "$root/tests/api/table.py" check-c "$header" $exported ||
  fail "the exported symbols differ from the API table's C names (tests/api.json)"
readelf -d "$lib_dir/libtael_coord.so" | grep -q 'SONAME.*\[libtael_coord\.so\.1\]' ||
  fail "libtael_coord.so has no soname libtael_coord.so.1"

step "the header compiles as C++17 and as C99"
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$c_dir/include" \
  "$c_dir/tests/header_cxx.cpp"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c "$header"

suite_sources=("$c_dir"/tests/main.c "$c_dir"/tests/corpus.c "$c_dir"/tests/bad_inputs.c
  "$c_dir"/tests/threads.c "$c_dir"/tests/durable.c)
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -I"$c_dir/include"
  "-DTAEL_EXPECTED_VERSION=\"$version\"")
libs=("$lib_dir/libtael_coord.a" -ljansson -lpthread -ldl -lm)

# Runs a suite binary; passes only when it exits 0 and its last line is `N passed, 0 failed`.
run_suite() {
  local log="$1"
  shift
  local status=0
  "$@" "$root/tests/vectors" 2>&1 | tee "$log" || status=$?
  [ "$status" -eq 0 ] || fail "the C suite failed (exit $status; log $log)"
  tail -n 1 "$log" | grep -qE '^[0-9]+ passed, 0 failed$' ||
    fail "the C suite did not end with 'N passed, 0 failed' (log $log)"
}

step "C suite under AddressSanitizer + UBSan (leak detection on)"
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
  "${suite_sources[@]}" "${libs[@]}" -o "$out/suite-asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suite "$out/suite-asan.log" "$out/suite-asan"

step "C suite, unsanitized, under valgrind (the release library, as install.sh installs it)"
# The optimized library, which users link: valgrind runs the debug build's unoptimized Rust
# several times slower, and package-test.sh's install then reuses this build.
cargo build --release -p tael-coord-c
gcc "${cflags[@]}" -O1 "${suite_sources[@]}" "$target_dir/release/libtael_coord.a" "${libs[@]:1}" \
  -o "$out/suite-plain"
run_suite "$out/suite-valgrind.log" valgrind -q --error-exitcode=1 --leak-check=full \
  "$out/suite-plain"

expected_story="$(cat "$c_dir/tests/standby.expected")"

step "example: examples/c/standby.c against the static library"
# The README's one-line build, plus warnings as errors.
cc -std=c11 -Wall -Wextra -Werror -pedantic "$root/examples/c/standby.c" -I"$c_dir/include" \
  "$lib_dir/libtael_coord.a" -lpthread -ldl -lm -o "$out/standby"
story="$("$out/standby")"
[ "$story" = "$expected_story" ] || {
  diff <(printf '%s\n' "$expected_story") <(printf '%s\n' "$story") || true
  fail "the standby's built-in story changed"
}
echo "built-in story: as expected"
streamed="$(printf '7 node-a first\n6 node-b late\n\n# note\n7 node-b rival\n8 node-b next\n' |
  "$out/standby" -)"
[ "$(printf '%s\n' "$streamed" | grep -c '^keep ')" -eq 2 ] &&
  printf '%s\n' "$streamed" | grep -q '^drop  epoch 6 from node-b: STALE_EPOCH' &&
  printf '%s\n' "$streamed" | grep -q '^drop  epoch 7 from node-b: CONFLICT' &&
  printf '%s\n' "$streamed" | grep -q '^kept 2 of 4 records; the standby is at epoch 8, held by node-b$' ||
  fail "the standby fenced stdin wrongly: $streamed"
echo "stdin stream: as expected"

step "install.sh (the debug build) into $out/prefix; its pkg-config file"
prefix="$out/prefix"
rm -rf "$prefix"
bash "$c_dir/install.sh" --profile dev "$prefix" >"$out/install.log" 2>&1 || {
  cat "$out/install.log" >&2
  fail "bindings/c/install.sh failed"
}
pc_version="$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion tael_coord)"
[ "$pc_version" = "$version" ] || fail "tael_coord.pc says $pc_version, the crate is $version"
echo "installed; tael_coord.pc: version $pc_version, prefix $prefix"

step "example against the installed shared library, through pkg-config, by its soname"
read -r -a pc_flags <<<"$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs tael_coord)"
cc -std=c11 -Wall -Wextra -Werror -pedantic "$root/examples/c/standby.c" "${pc_flags[@]}" \
  -o "$out/standby-shared"
readelf -d "$out/standby-shared" | grep -q 'NEEDED.*\[libtael_coord\.so\.1\]' ||
  fail "the shared build does not load libtael_coord.so.1"
if nm "$out/standby-shared" | grep -q ' T tael_'; then
  fail "the shared build has the library linked in statically"
fi
shared_story="$(LD_LIBRARY_PATH="$prefix/lib" "$out/standby-shared")"
[ "$shared_story" = "$expected_story" ] || fail "the shared build tells another story"
echo "libtael_coord.so.1: loaded, same story"

printf '\nc front: all checks passed\n'
