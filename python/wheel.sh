#!/usr/bin/env bash
# Builds the release wheel (abi3) into OUT_DIR, as PyPI gets it: manylinux2014 through maturin's
# zig linker (zig links against glibc 2.17's symbol versions, so the wheel runs on any glibc >=
# 2.17), or with TAEL_WHEEL_LINKER=native the system linker and the lowest manylinux tag maturin
# can prove here. python/test.sh and package-test.sh both build through here, with the same tools
# (maturin, as pinned in test.sh, and ziglang, in target/python-package/build-tools) into one
# cargo directory, so the second build is a no-op: any difference in the interpreter, the venv or
# the zig wrapper would make cargo rebuild pyo3 and everything above it.
#   bash python/wheel.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
work="$here/../target/python-package"
python="${PYTHON:-python3}"

maturin_pin="$(sed -n 's/^pins=(\(.*\))$/\1/p' "$here/test.sh" | tr ' ' '\n' | grep '^maturin==')" ||
  { echo "no maturin pin in the pins=(...) line of $here/test.sh" >&2; exit 1; }
pins=("$maturin_pin")
case "${TAEL_WHEEL_LINKER:-zig}" in
  zig) pins+=(ziglang==0.17.0) ;;
  native) ;;
  *) echo "TAEL_WHEEL_LINKER is zig or native, not '$TAEL_WHEEL_LINKER'" >&2; exit 1 ;;
esac
tools="$work/build-tools"
if ! "$tools/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$tools"
  "$python" -m venv "$tools"
fi
if [ "$(cat "$tools/.pins" 2>/dev/null || true)" != "${pins[*]}" ]; then
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
  printf '%s' "${pins[*]}" >"$tools/.pins"
fi

unset VIRTUAL_ENV CONDA_PREFIX
export PATH="$tools/bin:$PATH"
export CARGO_TARGET_DIR="$work/cargo"
export ZIG_GLOBAL_CACHE_DIR="$work/zig-cache"
cd "$here"
if [ "${TAEL_WHEEL_LINKER:-zig}" = zig ]; then
  maturin build --release --locked --zig --compatibility manylinux2014 --auditwheel check \
    -i "$tools/bin/python" --out "$out"
else
  maturin build --release --locked --compatibility pypi --auditwheel check -i "$tools/bin/python" --out "$out"
fi
