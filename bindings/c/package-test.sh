#!/usr/bin/env bash
# The C library as its users get it: installs it with bindings/c/install.sh into a temporary
# prefix (mktemp, outside the repository), checks what went where (again, and under DESTDIR),
# then builds examples/c/standby.c against the installed files only:
#   - with pkg-config, shared (`pkg-config --cflags --libs`) and static (`cc -static` with
#     `pkg-config --static`);
#   - with CMake (Debian's cmake), examples/c/CMakeLists.txt: find_package(tael_coord CONFIG) and
#     the targets tael_coord::tael_coord (shared) and tael_coord::tael_coord_static;
# runs every program, compares its output with bindings/c/tests/standby.expected, and shows with
# readelf/ldd that the shared builds load libtael_coord.so.<major> by its soname from the prefix:
# the pkg-config build through LD_LIBRARY_PATH (it has no rpath), the CMake build through the
# RUNPATH CMake gives build-tree programs. Prints what each check showed; ends with
# `N passed, 0 failed`.
#
# Runnable from any directory; installs what it needs (Debian packages, cmake among them) only
# when missing. TAEL_PACKAGE_TEST_KEEP=1 keeps the temporary directory for inspection.
set -euo pipefail

c_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$c_dir/../.." && pwd)"
cd "$root"

passed=0
step() { printf '\n-- package: %s\n' "$*"; }
ok() {
  passed=$((passed + 1))
  printf '   ok: %s\n' "$*"
}
fail() {
  printf 'package test: FAILED: %s\n' "$*" >&2
  printf '%d passed, 1 failed\n' "$passed"
  exit 1
}

step "tools"
missing=()
for pkg in gcc pkg-config binutils cmake make; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"
fi
echo "   $(cmake --version | head -n 1), pkg-config $(pkg-config --version), $(gcc --version | head -n 1)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tael-coord-package.XXXXXX")"
case "$tmp/" in
  "$root"/*) fail "the temporary directory $tmp is inside the repository" ;;
esac
if [ "${TAEL_PACKAGE_TEST_KEEP:-0}" = 1 ]; then
  trap 'echo "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi
prefix="$tmp/prefix"
work="$tmp/build"
mkdir -p "$work"
expected="$(cat "$c_dir/tests/standby.expected")"
version="$(cargo pkgid -p tael-coord-c)"
version="${version##*[@#]}"

# grep for a match, reading all its input (grep -q would stop early, and under pipefail the
# writer's SIGPIPE would turn a match into a failure).
contains() { grep "$@" >/dev/null; }
# Runs a program (with the environment given first, if any); its output must be the story.
check_story() {
  local what="$1" story
  shift
  story="$(env "$@")" || fail "$what exited with status $?"
  if [ "$story" != "$expected" ]; then
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$story") || true
    fail "$what tells another story than bindings/c/tests/standby.expected"
  fi
  ok "$what: its output is bindings/c/tests/standby.expected ($(printf '%s\n' "$story" | tail -n 1))"
}
# The dynamic entries of a program, one "TAG value" per line (NEEDED, RPATH, RUNPATH).
dynamic() {
  readelf -d "$1" | sed -n 's/.*(\(NEEDED\|RPATH\|RUNPATH\)) *[^[]*\[\(.*\)\]$/\1 \2/p'
}
# Where the loader finds libtael_coord for a program (ldd; environment given after the program).
resolved() {
  local program="$1"
  shift
  env "$@" ldd "$program" |
    awk '$1 ~ /^libtael_coord\.so/ { print $1, $2, ($3 == "not" ? "not found" : $3) }'
}
# A listing of an installed tree with contents: path, type, link target, checksum.
tree_listing() {
  (cd "$1" && find . \( -type f -o -type l \) -printf '%p %y %l\n' | sort |
    while read -r path type link; do
      if [ "$type" = f ]; then echo "$path f $(sha256sum <"$path" | cut -c1-16)"; else echo "$path l $link"; fi
    done)
}

step "install: bash bindings/c/install.sh $prefix"
bash "$c_dir/install.sh" "$prefix"
soname="$(readelf -d "$prefix/lib/libtael_coord.so" |
  sed -n 's/.*(SONAME).*\[\(libtael_coord\.so\.[0-9]*\)\]$/\1/p')"
[ -n "$soname" ] || fail "the installed libtael_coord.so has no soname libtael_coord.so.N"
real="$(readlink "$prefix/lib/$soname")"
[[ "$real" =~ ^$soname\.[0-9]+\.[0-9]+$ ]] || fail "$soname points to '$real', not $soname.M.P"
[ -f "$prefix/lib/$real" ] && [ ! -L "$prefix/lib/$real" ] || fail "$real is not a file"
[ "$(readlink "$prefix/lib/libtael_coord.so")" = "$soname" ] || fail "libtael_coord.so does not point to $soname"
ok "lib: $real (soname $soname), $soname -> $real, libtael_coord.so -> $soname"
cmp -s "$prefix/include/tael_coord.h" "$c_dir/include/tael_coord.h" || fail "the installed header differs"
ok "include/tael_coord.h is bindings/c/include/tael_coord.h"
nm "$prefix/lib/libtael_coord.a" 2>/dev/null | contains ' T tael_abi_version$' ||
  fail "libtael_coord.a is not an archive with the C functions"
ok "lib/libtael_coord.a: an archive defining the C functions"
for f in lib/pkgconfig/tael_coord.pc lib/cmake/tael_coord/tael_coordConfig.cmake \
  lib/cmake/tael_coord/tael_coordConfigVersion.cmake; do
  [ -f "$prefix/$f" ] || fail "$f was not installed"
done
ok "lib/pkgconfig/tael_coord.pc, lib/cmake/tael_coord/tael_coordConfig{,Version}.cmake"

step "install again: the same files; another release of the same ABI replaced, another ABI kept"
before="$(tree_listing "$prefix")"
cp "$prefix/lib/$real" "$prefix/lib/$soname.0.0"            # as if an earlier release were here
cp "$prefix/lib/$real" "$prefix/lib/libtael_coord.so.999.0.0" # a library of another ABI
bash "$c_dir/install.sh" "$prefix" >"$work/install-again.log" 2>&1 ||
  fail "the second install failed (log $work/install-again.log)"
[ ! -e "$prefix/lib/$soname.0.0" ] || fail "the older $soname.0.0 is still there"
[ -f "$prefix/lib/libtael_coord.so.999.0.0" ] || fail "the install removed another ABI's library"
rm -f "$prefix/lib/libtael_coord.so.999.0.0"
after="$(tree_listing "$prefix")"
if [ "$before" != "$after" ]; then
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") || true
  fail "installing twice changed the installed tree"
fi
ok "second install: $(printf '%s\n' "$after" | wc -l) files and links, identical; $soname.0.0 removed, libtael_coord.so.999.0.0 kept"

step "install under DESTDIR"
fake_prefix="/opt/tael-coord-package-test-$$"
[ ! -e "$fake_prefix" ] || fail "$fake_prefix exists already"
DESTDIR="$tmp/stage" bash "$c_dir/install.sh" "$fake_prefix" >"$work/install-destdir.log" 2>&1 ||
  fail "the DESTDIR install failed (log $work/install-destdir.log)"
[ ! -e "$fake_prefix" ] || fail "the DESTDIR install wrote into $fake_prefix"
[ -L "$tmp/stage$fake_prefix/lib/$soname" ] && [ -f "$tmp/stage$fake_prefix/include/tael_coord.h" ] ||
  fail "the DESTDIR install did not stage the files under \$DESTDIR\$PREFIX"
staged_prefix="$(PKG_CONFIG_PATH="$tmp/stage$fake_prefix/lib/pkgconfig" pkg-config --variable=prefix tael_coord)"
[ "$staged_prefix" = "$fake_prefix" ] || fail "the staged tael_coord.pc says prefix=$staged_prefix"
ok "DESTDIR=\$tmp/stage, PREFIX=$fake_prefix: files under \$tmp/stage$fake_prefix, tael_coord.pc says prefix=$staged_prefix"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
step "pkg-config (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)"
pc_version="$(pkg-config --modversion tael_coord)"
[ "$pc_version" = "$version" ] || fail "tael_coord.pc says version $pc_version, the crate is $version"
[ "$(pkg-config --variable=prefix tael_coord)" = "$prefix" ] || fail "tael_coord.pc has another prefix"
read -r -a pc_shared <<<"$(pkg-config --cflags --libs tael_coord)"
read -r -a pc_static <<<"$(pkg-config --static --cflags --libs tael_coord)"
ok "version $pc_version, prefix $prefix"
echo "   pkg-config --cflags --libs:          ${pc_shared[*]}"
echo "   pkg-config --static --cflags --libs: ${pc_static[*]}"

step "pkg-config, shared: cc standby.c \$(pkg-config --cflags --libs tael_coord)"
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic)
cc "${cflags[@]}" examples/c/standby.c "${pc_shared[@]}" -o "$work/standby-pc-shared"
entries="$(dynamic "$work/standby-pc-shared")"
printf '%s\n' "$entries" | sed 's/^/   readelf -d: /'
printf '%s\n' "$entries" | contains -x "NEEDED $soname" || fail "the program does not load $soname"
! printf '%s\n' "$entries" | contains -E '^(RPATH|RUNPATH) ' || fail "the pkg-config build has an rpath"
! nm "$work/standby-pc-shared" | contains ' T tael_' || fail "the shared build has the library linked in"
ok "NEEDED $soname, no RPATH/RUNPATH, no tael_ function linked in"
unresolved="$(resolved "$work/standby-pc-shared")"
echo "   ldd (no LD_LIBRARY_PATH): $unresolved"
[ "$unresolved" = "$soname => not found" ] || fail "without LD_LIBRARY_PATH it finds $soname elsewhere: $unresolved"
found="$(resolved "$work/standby-pc-shared" LD_LIBRARY_PATH="$prefix/lib")"
echo "   ldd (LD_LIBRARY_PATH=$prefix/lib): $found"
[ "$found" = "$soname => $prefix/lib/$soname" ] || fail "it loads $soname from elsewhere: $found"
ok "resolved through LD_LIBRARY_PATH to $prefix/lib/$soname -> $real"
check_story "the pkg-config shared build" LD_LIBRARY_PATH="$prefix/lib" "$work/standby-pc-shared"

step "pkg-config, static: cc -static standby.c \$(pkg-config --static --cflags --libs tael_coord)"
# A fully static program: -static makes the linker take libtael_coord.a (not the .so beside it)
# and the static C library; glibc warns that getaddrinfo and getpwuid_r (in Rust's std, unused
# by tael-coord) would need its shared libraries at run time. Other warnings fail the check.
cc "${cflags[@]}" -static examples/c/standby.c "${pc_static[@]}" -o "$work/standby-pc-static" \
  2>"$work/static-link.log" || {
  cat "$work/static-link.log" >&2
  fail "the static link failed"
}
others="$(grep -i 'warning' "$work/static-link.log" |
  grep -v "in statically linked applications requires at runtime the shared libraries" || true)"
[ -z "$others" ] || fail "the static link warned: $others"
echo "   linker: $(grep -c 'warning' "$work/static-link.log" || true) glibc warnings about static programs (getaddrinfo/getpwuid_r in Rust's std)"
readelf -d "$work/standby-pc-static" | contains 'There is no dynamic section' ||
  fail "the -static build is not static"
nm "$work/standby-pc-static" | contains ' T tael_holder_fencer_check$' || fail "the static build lacks the library"
ok "no dynamic section (statically linked); tael_ functions linked in"
check_story "the pkg-config static build" "$work/standby-pc-static"

step "CMake: find_package(tael_coord CONFIG) — the package's targets and version"
probe="$work/probe"
mkdir -p "$probe"
cat >"$probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(tael_coord_probe LANGUAGES C)
if(WANT STREQUAL "")
  find_package(tael_coord CONFIG)
else()
  find_package(tael_coord ${WANT} CONFIG)
endif()
message(STATUS "probe: found=${tael_coord_FOUND} version=${tael_coord_VERSION} soname=${tael_coord_SONAME}")
if(tael_coord_FOUND)
  foreach(t tael_coord::tael_coord tael_coord::tael_coord_static)
    foreach(p TYPE IMPORTED_LOCATION IMPORTED_SONAME INTERFACE_INCLUDE_DIRECTORIES INTERFACE_LINK_LIBRARIES)
      get_target_property(v ${t} ${p})
      if(v)
        message(STATUS "probe: ${t} ${p}=${v}")
      endif()
    endforeach()
  endforeach()
endif()
EOF
# Configures the probe asking for version $1 (empty: any); prints its "probe:" lines. One build
# directory for all: the compiler is detected once.
probe() {
  cmake -S "$probe" -B "$probe/build" -DCMAKE_PREFIX_PATH="$prefix" -DWANT="$1" \
    >"$probe/log" 2>&1 || {
    cat "$probe/log" >&2
    fail "cmake could not configure the probe (version '$1')"
  }
  sed -n 's/^-- probe: //p' "$probe/log"
}
props="$(probe "")"
printf '%s\n' "$props" | sed 's/^/   /'
printf '%s\n' "$props" | contains -x "found=1 version=$version soname=$soname" || fail "find_package did not find $version"
for line in \
  "tael_coord::tael_coord TYPE=SHARED_LIBRARY" \
  "tael_coord::tael_coord IMPORTED_LOCATION=$prefix/lib/$real" \
  "tael_coord::tael_coord IMPORTED_SONAME=$soname" \
  "tael_coord::tael_coord INTERFACE_INCLUDE_DIRECTORIES=$prefix/include" \
  "tael_coord::tael_coord_static TYPE=STATIC_LIBRARY" \
  "tael_coord::tael_coord_static IMPORTED_LOCATION=$prefix/lib/libtael_coord.a" \
  "tael_coord::tael_coord_static INTERFACE_INCLUDE_DIRECTORIES=$prefix/include" \
  "tael_coord::tael_coord_static INTERFACE_LINK_LIBRARIES=pthread;dl;m"; do
  printf '%s\n' "$props" | contains -xF "$line" || fail "the probe did not see: $line"
done
ok "targets tael_coord::tael_coord (shared) and tael_coord::tael_coord_static (static; pthread, dl, m), both with INTERFACE_INCLUDE_DIRECTORIES"
IFS=. read -r v_major v_minor v_patch <<<"$version"
seen=""
for want in "$version" "$v_major.$v_minor" "0.0.1...$v_major.$((v_minor + 1))" \
  "$v_major.$v_minor.$((v_patch + 1))" "$((v_major + 1)).0" "$v_major.$((v_minor + 1))"; do
  found_it="$(probe "$want" | sed -n 's/^found=\([^ ]*\) .*/\1/p')"
  case "$want" in
    "$version" | "$v_major.$v_minor" | *...*) expect=1 ;;
    *) expect=0 ;;
  esac
  [ "$found_it" = "$expect" ] || fail "find_package(tael_coord $want) gave found='$found_it', expected $expect"
  seen="$seen $want:$([ "$expect" = 1 ] && echo found || echo refused)"
done
ok "version checks (installed $version):$seen"

step "CMake: examples/c/CMakeLists.txt (-DCMAKE_PREFIX_PATH=$prefix)"
build="$work/cmake-example"
cmake -S examples/c -B "$build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS="-Wall -Wextra -Werror -pedantic" >"$work/cmake-configure.log" 2>&1 || {
  cat "$work/cmake-configure.log" >&2
  fail "cmake could not configure examples/c"
}
cmake --build "$build" >"$work/cmake-build.log" 2>&1 || {
  cat "$work/cmake-build.log" >&2
  fail "cmake could not build examples/c"
}
ok "configured and built: standby (tael_coord::tael_coord), standby-static (tael_coord::tael_coord_static)"
entries="$(dynamic "$build/standby")"
printf '%s\n' "$entries" | sed 's/^/   readelf -d standby: /'
printf '%s\n' "$entries" | contains -x "NEEDED $soname" || fail "the CMake shared build does not load $soname"
printf '%s\n' "$entries" | contains -E "^(RUNPATH|RPATH) (.*:)?$prefix/lib(:.*)?$" ||
  fail "the CMake shared build has no rpath to $prefix/lib"
found="$(resolved "$build/standby")"
echo "   ldd standby (no LD_LIBRARY_PATH): $found"
[ "$found" = "$soname => $prefix/lib/$soname" ] || fail "the CMake build loads $soname from elsewhere: $found"
ok "standby: NEEDED $soname, resolved through its RUNPATH to $prefix/lib/$soname -> $real"
check_story "the CMake shared build (standby)" "$build/standby"
entries="$(dynamic "$build/standby-static")"
printf '%s\n' "$entries" | sed 's/^/   readelf -d standby-static: /'
! printf '%s\n' "$entries" | contains 'libtael_coord' || fail "standby-static loads libtael_coord"
nm "$build/standby-static" | contains ' T tael_holder_fencer_check$' || fail "standby-static lacks the library"
ok "standby-static: libtael_coord.a linked in, only system libraries loaded"
check_story "the CMake static build (standby-static)" "$build/standby-static"
ctest_log="$(ctest --test-dir "$build" 2>&1)" || {
  printf '%s\n' "$ctest_log" >&2
  fail "ctest failed"
}
ok "ctest: $(printf '%s\n' "$ctest_log" | grep -E 'tests passed')"

printf '\npackage test: all checks passed (tael-coord %s, %s)\n' "$version" "$real"
printf '%d passed, 0 failed\n' "$passed"
