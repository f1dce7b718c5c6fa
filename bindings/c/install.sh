#!/usr/bin/env bash
# Installs the tael-coord C library into PREFIX, as C and CMake users expect it:
#
#   PREFIX/include/tael_coord.h
#   PREFIX/lib/libtael_coord.a
#   PREFIX/lib/libtael_coord.so.S.M.P         the shared library (soname libtael_coord.so.S)
#   PREFIX/lib/libtael_coord.so.S -> libtael_coord.so.S.M.P   what programs load
#   PREFIX/lib/libtael_coord.so   -> libtael_coord.so.S       what `-ltael_coord` links
#   PREFIX/lib/pkgconfig/tael_coord.pc        prefix=PREFIX; Libs.private for static links
#   PREFIX/lib/cmake/tael_coord/tael_coordConfig.cmake, tael_coordConfigVersion.cmake
#
# usage: bash bindings/c/install.sh [--profile PROFILE] PREFIX
#        DESTDIR=/tmp/stage bash bindings/c/install.sh /usr/local
#
# It first builds the library with cargo (`cargo build --release -p tael-coord-c`; `--profile
# dev` installs the debug build instead, as bindings/c/test.sh does). S is the soname's major
# number as the build gives it (bindings/c/build.rs: 1 for C ABI 2, TAEL_ABI_VERSION), M.P the
# crate version's minor and patch (0.1.0 gives libtael_coord.so.1.1.0). Programs record only
# libtael_coord.so.S, so a later release of the same ABI replaces S.M.P in place (an older
# libtael_coord.so.S.* in the same directory is removed), while a library of another ABI
# (libtael_coord.so.0, .so.2) stays beside it for the programs built against it.
#
# Running it again installs the same files again (idempotent). With DESTDIR set the files go
# under $DESTDIR$PREFIX while every path written into them says PREFIX (for packagers). The CMake
# files find the prefix from their own place, so a copied prefix keeps working for CMake;
# pkg-config users of a moved prefix pass --define-variable=prefix=NEW. When the library
# directory is one the dynamic loader's cache covers (/usr/local/lib, ...), no DESTDIR is set and
# it runs as root, it runs ldconfig so programs find the library at once.
#
# Needs cargo, a C toolchain (cargo links with it) and readelf (binutils); nothing else.
set -euo pipefail

usage() {
  echo "usage: bash bindings/c/install.sh [--profile PROFILE] PREFIX" >&2
  exit 2
}
fail() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

profile=release
prefix=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --profile)
      [ "$#" -ge 2 ] || usage
      profile="$2"
      shift 2
      ;;
    --profile=*)
      profile="${1#--profile=}"
      shift
      ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
      [ -z "$prefix" ] || usage
      prefix="$1"
      shift
      ;;
  esac
done
[ -n "$prefix" ] || usage
# An absolute prefix without trailing slashes: it is written into the pkg-config file.
case "$prefix" in
  /*) ;;
  *) prefix="$PWD/$prefix" ;;
esac
while [ "${#prefix}" -gt 1 ] && [ "${prefix%/}" != "$prefix" ]; do prefix="${prefix%/}"; done
case "$prefix" in
  *[[:space:]]*) fail "the prefix may not contain spaces (pkg-config cannot quote them): $prefix" ;;
esac

c_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$c_dir/../.." && pwd)"
cd "$root"

# The system libraries a static link needs besides libtael_coord.a (Rust's std: threads, dlsym,
# math). Written into the pkg-config file (Libs.private) and the CMake static target.
static_libs=(pthread dl m)

echo "-- building libtael_coord (cargo build --profile $profile -p tael-coord-c)"
cargo build --profile "$profile" -p tael-coord-c
target_dir="$(cargo metadata --no-deps --format-version 1 |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$target_dir" ] || fail "cannot find the cargo target directory"
case "$profile" in
  dev | test) build_dir="$target_dir/debug" ;;
  bench) build_dir="$target_dir/release" ;;
  *) build_dir="$target_dir/$profile" ;;
esac
for f in libtael_coord.a libtael_coord.so; do
  [ -f "$build_dir/$f" ] || fail "$build_dir/$f was not built"
done

version="$(cargo pkgid -p tael-coord-c)"
version="${version##*[@#]}"
[[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]] || fail "cannot read the crate version: $version"
major="${BASH_REMATCH[1]}"
minor="${BASH_REMATCH[2]}"
patch="${BASH_REMATCH[3]}"
# The soname the linker gave the library is the truth about which ABI series this is.
soname="$(readelf -d "$build_dir/libtael_coord.so" |
  sed -n 's/.*(SONAME).*\[\(libtael_coord\.so\.[0-9][0-9]*\)\]$/\1/p')"
[ -n "$soname" ] || fail "$build_dir/libtael_coord.so has no soname libtael_coord.so.N (see bindings/c/build.rs)"
real_name="$soname.$minor.$patch"
case "$(readelf -h "$build_dir/libtael_coord.so" | sed -n 's/^ *Class: *//p')" in
  ELF64) pointer_size=8 ;;
  ELF32) pointer_size=4 ;;
  *) fail "cannot tell the library's word size" ;;
esac

dest="${DESTDIR:-}$prefix"
libdir="$prefix/lib"
echo "-- installing tael-coord $version ($real_name, soname $soname) into ${DESTDIR:+$DESTDIR}$prefix"

install -d "$dest/include" "$dest/lib/pkgconfig" "$dest/lib/cmake/tael_coord"
install -m 0644 "$c_dir/include/tael_coord.h" "$dest/include/tael_coord.h"
install -m 0644 "$build_dir/libtael_coord.a" "$dest/lib/libtael_coord.a"
# install(1) unlinks an existing file before writing, so running programs keep their mapping.
install -m 0755 "$build_dir/libtael_coord.so" "$dest/lib/$real_name"
for old in "$dest/lib/$soname".*; do
  if [ -f "$old" ] && [ ! -L "$old" ] && [ "$old" != "$dest/lib/$real_name" ] &&
    [[ "${old##*/}" =~ ^libtael_coord\.so\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "   removing ${old##*/} (another release of the same ABI)"
    rm -f "$old"
  fi
done
ln -sfn "$real_name" "$dest/lib/$soname"
ln -sfn "$soname" "$dest/lib/libtael_coord.so"

# Written next to its destination, then renamed over it: a reader never sees half a file.
write() {
  local path="$1"
  cat >"$path.tmp.$$"
  chmod 0644 "$path.tmp.$$"
  mv -f "$path.tmp.$$" "$path"
}

private=""
for l in "${static_libs[@]}"; do private="$private -l$l"; done
write "$dest/lib/pkgconfig/tael_coord.pc" <<EOF
# pkg-config file of the tael-coord C library, written by bindings/c/install.sh.
#   cc app.c \$(pkg-config --cflags --libs tael_coord)            shared (soname $soname)
#   cc -static app.c \$(pkg-config --static --cflags --libs tael_coord)   static
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: tael_coord
Description: Leader election and epoch fencing for replication groups (C API of tael-coord)
URL: https://github.com/tael-coord/tael-coord
Version: $version
Libs: -L\${libdir} -ltael_coord
Libs.private:$private
Cflags: -I\${includedir}
EOF

write "$dest/lib/cmake/tael_coord/tael_coordConfig.cmake" <<EOF
# CMake package of the tael-coord C library $version, written by bindings/c/install.sh.
#
#   find_package(tael_coord CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE tael_coord::tael_coord)          # libtael_coord.so ($soname)
#   target_link_libraries(app PRIVATE tael_coord::tael_coord_static)   # libtael_coord.a
#
# Both targets carry the include directory; the static one also the system libraries it needs
# (${static_libs[*]}). Paths are found from this file's place (PREFIX/lib/cmake/tael_coord), so
# the prefix may be moved. Also sets tael_coord_SONAME (what programs linked to the shared one load).
cmake_policy(PUSH)
cmake_policy(VERSION 3.10...3.31)

get_filename_component(_tael_coord_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_tael_coord_missing "")
foreach(_tael_coord_file include/tael_coord.h lib/libtael_coord.a lib/$real_name)
  if(NOT EXISTS "\${_tael_coord_prefix}/\${_tael_coord_file}")
    list(APPEND _tael_coord_missing "\${_tael_coord_prefix}/\${_tael_coord_file}")
  endif()
endforeach()

if(tael_coord_FIND_COMPONENTS)
  set(tael_coord_FOUND FALSE)
  set(tael_coord_NOT_FOUND_MESSAGE
    "tael_coord has no components (asked for: \${tael_coord_FIND_COMPONENTS})")
elseif(_tael_coord_missing)
  set(tael_coord_FOUND FALSE)
  set(tael_coord_NOT_FOUND_MESSAGE
    "the install is incomplete (reinstall with bindings/c/install.sh); missing: \${_tael_coord_missing}")
else()
  if(NOT TARGET tael_coord::tael_coord)
    add_library(tael_coord::tael_coord SHARED IMPORTED)
    set_target_properties(tael_coord::tael_coord PROPERTIES
      IMPORTED_LOCATION "\${_tael_coord_prefix}/lib/$real_name"
      IMPORTED_SONAME "$soname"
      INTERFACE_INCLUDE_DIRECTORIES "\${_tael_coord_prefix}/include")
  endif()
  if(NOT TARGET tael_coord::tael_coord_static)
    add_library(tael_coord::tael_coord_static STATIC IMPORTED)
    set_target_properties(tael_coord::tael_coord_static PROPERTIES
      IMPORTED_LOCATION "\${_tael_coord_prefix}/lib/libtael_coord.a"
      IMPORTED_LINK_INTERFACE_LANGUAGES "C"
      INTERFACE_INCLUDE_DIRECTORIES "\${_tael_coord_prefix}/include"
      INTERFACE_LINK_LIBRARIES "$(IFS=';'; echo "${static_libs[*]}")")
  endif()
  set(tael_coord_SONAME "$soname")
endif()

unset(_tael_coord_file)
unset(_tael_coord_missing)
unset(_tael_coord_prefix)
cmake_policy(POP)
EOF

write "$dest/lib/cmake/tael_coord/tael_coordConfigVersion.cmake" <<EOF
# Version of the installed tael-coord C library, written by bindings/c/install.sh.
# Compatible as Cargo reads semantic versions: not older than the request, the same major and,
# below 1.0, the same minor. A version range is honoured as CMake defines it. A build of another
# word size (CMAKE_SIZEOF_VOID_P) is unsuitable.
set(PACKAGE_VERSION "$version")
set(PACKAGE_VERSION_EXACT FALSE)
set(PACKAGE_VERSION_COMPATIBLE FALSE)

if(PACKAGE_FIND_VERSION_RANGE)
  if((PACKAGE_FIND_VERSION_RANGE_MIN STREQUAL "INCLUDE"
      AND PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION_MIN)
     AND ((PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE"
           AND PACKAGE_VERSION VERSION_LESS_EQUAL PACKAGE_FIND_VERSION_MAX)
          OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE"
              AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MAX)))
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
elseif(NOT DEFINED PACKAGE_FIND_VERSION OR PACKAGE_FIND_VERSION STREQUAL "")
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  # older than asked for
elseif(NOT PACKAGE_FIND_VERSION_MAJOR EQUAL $major)
  # another major version
elseif(PACKAGE_FIND_VERSION_MAJOR EQUAL 0 AND NOT PACKAGE_FIND_VERSION_MINOR EQUAL $minor)
  # below 1.0 a minor version may break compatibility
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_VERSION VERSION_EQUAL PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()

if(DEFINED CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P STREQUAL ""
   AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "$pointer_size")
  math(EXPR _tael_coord_bits "$pointer_size * 8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (\${_tael_coord_bits}-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
  unset(_tael_coord_bits)
endif()
EOF

echo "-- installed:"
for f in include/tael_coord.h lib/libtael_coord.a "lib/$real_name" "lib/$soname" lib/libtael_coord.so \
  lib/pkgconfig/tael_coord.pc lib/cmake/tael_coord/tael_coordConfig.cmake \
  lib/cmake/tael_coord/tael_coordConfigVersion.cmake; do
  if [ -L "$dest/$f" ]; then echo "   $f -> $(readlink "$dest/$f")"; else echo "   $f"; fi
done

# A system library directory is served through the loader's cache, which ldconfig refreshes.
if [ -z "${DESTDIR:-}" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1 &&
  ldconfig -v -N 2>/dev/null | awk -F: -v d="$libdir" '$1 == d { found = 1 } END { exit !found }'; then
  echo "-- ldconfig ($libdir is in the loader's cache)"
  ldconfig
fi
echo "-- done: pkg-config: PKG_CONFIG_PATH=$libdir/pkgconfig; CMake: -DCMAKE_PREFIX_PATH=$prefix"
