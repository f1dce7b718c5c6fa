#!/usr/bin/env bash
# The PyPI packages, checked as PyPI and pip will see them (python/PACKAGING.md says why each
# choice): builds the release wheel (abi3, manylinux2014 through maturin's zig linker) and the
# sdist into target/python-package/dist; checks them with twine, auditwheel, abi3audit and
# package-test/check.py (contents, tags, metadata, classifiers); installs the wheel into a fresh
# venv and runs python/tests against it from outside the source tree, plus the PyPI README's
# examples and mypy --strict on the installed types; installs the sdist into another fresh venv
# (a source build, outside the repository) and runs the README's examples there.
#
# Idempotent, runnable from any directory; everything it installs or builds stays under
# target/python-package (pinned tools in tools/, the test dependencies' wheels in wheelhouse/,
# the venvs it recreates each run in venvs/). Separate from python/test.sh, which it does not slow.
# TAEL_WHEEL_LINKER=native builds with the system linker instead (no ziglang; here the wheel is
# then manylinux_2_34, this machine's glibc baseline).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$root/target/python-package"
python="${PYTHON:-python3}"
linker="${TAEL_WHEEL_LINKER:-zig}"

# The test dependencies are python/test.sh's pins (maturin, pytest, hypothesis, mypy): one list.
read -r -a test_pins <<<"$(sed -n 's/^pins=(\(.*\))$/\1/p' "$here/test.sh")"
maturin_pin="$(printf '%s\n' "${test_pins[@]}" | grep '^maturin==')" ||
  { echo "no maturin pin in the pins=(...) line of $here/test.sh" >&2; exit 1; }
# Versions verified together here (Python 3.11, maturin 1.16.0).
tool_pins=("$maturin_pin" twine==7.0.0 auditwheel==6.8.2 abi3audit==0.0.26
  trove-classifiers==2026.9.21.13)

start_all=$(date +%s%N)
since() { local d=$(($(date +%s%N) - $1)); printf '%d.%d s' $((d / 1000000000)) $((d / 100000000 % 10)); }
step() { printf '\n== python package: %s\n' "$*"; }
failed=()
passed=0
# Runs one check, prints what it printed, and keeps going: the summary lists every failure.
check() {
  local name="$1"
  shift
  printf -- '\n-- %s\n' "$name"
  if "$@"; then passed=$((passed + 1)); else failed+=("$name"); echo "FAILED: $name"; fi
}
pip_into() { # pip_into VENV ARGS...: the tools' pip installs into another venv (which has no pip)
  local venv="$1"
  shift
  "$tools/bin/python" -m pip --python "$venv/bin/python" install --quiet --no-cache-dir \
    --disable-pip-version-check --no-index --find-links "$house" "$@"
}
fresh_venv() { rm -rf "$1" && "$python" -m venv --without-pip "$1"; }

step "tools ($work/tools): ${tool_pins[*]}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  { echo "Python 3.10+ is required (found $("$python" -V 2>&1))" >&2; exit 1; }
tools="$work/tools"
if ! "$tools/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$tools"
  "$python" -m venv "$tools"
fi
if [ "$(cat "$tools/.pins" 2>/dev/null || true)" != "${tool_pins[*]}" ]; then
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${tool_pins[@]}"
  printf '%s' "${tool_pins[*]}" >"$tools/.pins"
fi
export PATH="$tools/bin:$PATH"

step "test dependencies' wheels ($work/wheelhouse): ${test_pins[*]}"
# Downloaded once; the fresh venvs and the sdist's isolated build then install offline from here.
house="$work/wheelhouse"
if [ "$(cat "$house/.pins" 2>/dev/null || true)" != "${test_pins[*]}" ]; then
  rm -rf "$house"
  "$tools/bin/python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    --dest "$house" "${test_pins[@]}"
  printf '%s' "${test_pins[*]}" >"$house/.pins"
fi

step "build the wheel ($linker linker) and the sdist into $work/dist"
dist="$work/dist"
rm -rf "$dist"
start=$(date +%s%N)
bash "$here/wheel.sh" "$dist"
build_time="$(since "$start")"
cd "$here"
start=$(date +%s%N)
maturin sdist --out "$dist"
sdist_time="$(since "$start")"
wheel="$(echo "$dist"/*.whl)"
sdist="$(echo "$dist"/*.tar.gz)"
[ -f "$wheel" ] && [ -f "$sdist" ] || { echo "expected one wheel and one sdist in $dist" >&2; exit 1; }
cd "$work"

step "checks"
start=$(date +%s%N)
check "twine check --strict (wheel and sdist)" twine check --strict "$wheel" "$sdist"
auditwheel_show() {
  local out tag
  out="$(auditwheel show "$wheel")" || { echo "$out"; return 1; }
  echo "$out"
  # auditwheel's verdict must be one of the wheel's own platform tags.
  tag="$(echo "$out" | tr -s ' \n' ' ' | sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p')"
  [ -n "$tag" ] && [[ "$(basename "$wheel")" == *"$tag"* ]] ||
    { echo "auditwheel's tag '$tag' is not among the wheel's ($(basename "$wheel"))"; return 1; }
}
check "auditwheel show" auditwheel_show
check "abi3audit --strict" abi3audit --strict --summary --verbose "$wheel"
check "wheel contents, tags and metadata" "$tools/bin/python" "$here/package-test/check.py" wheel "$wheel" "$here/README.pypi.md"
check "sdist contents and metadata" "$tools/bin/python" "$here/package-test/check.py" sdist "$sdist" "$here/README.pypi.md"
checks_time="$(since "$start")"

step "the wheel in a fresh venv: python/tests from outside the source tree"
start=$(date +%s%N)
venvs="$work/venvs"
fresh_venv "$venvs/wheel"
mapfile -t test_deps < <(printf '%s\n' "${test_pins[@]}" | grep -v '^maturin==')
pip_into "$venvs/wheel" "$wheel" "${test_deps[@]}"
# A copy of the tests (and of the example they run) in target/, where the tests find the
# repository's data as they expect (parents[2]/tests: a link to the repository's tests/), under
# a rootdir of their own: pyproject.toml for pytest's options, and a conftest that refuses any
# tael_coord but the installed one. test_wheel.py is left out: it builds from the source tree,
# which is what this script does better.
tree="$work/tree"
rm -rf "$tree"
mkdir -p "$tree/python"
cp -r "$here/tests" "$here/examples" "$here/pyproject.toml" "$here/package-test/conftest.py" "$tree/python/"
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
ln -s "$root/tests" "$tree/tests"
cd "$tree/python"
check "pytest on the installed wheel" \
  "$venvs/wheel/bin/python" -m pytest -p no:cacheprovider --ignore=tests/test_wheel.py tests
check "the README's examples on the installed wheel" \
  "$venvs/wheel/bin/python" "$here/package-test/check.py" readme "$here/README.pypi.md"
check "mypy --strict on tests and examples, typed by the installed wheel (py.typed)" \
  "$venvs/wheel/bin/python" -m mypy --strict --cache-dir "$work/mypy-cache" tests examples
wheel_tests_time="$(since "$start")"

step "the sdist in a fresh venv, built from source outside the repository"
start=$(date +%s%N)
fresh_venv "$venvs/sdist"
outside="$(mktemp -d "${TMPDIR:-/tmp}/tael-coord-sdist.XXXXXX")"
trap 'rm -rf "$outside"' EXIT
cd "$outside"
# pip unpacks the sdist and runs maturin (from the wheelhouse, in an isolated build env). The
# crates.io dependencies' artifacts are kept in target/python-package/cargo-sdist; the sdist's
# own crates' are deleted first: every file in an sdist has the same old mtime, so cargo would
# take a previous sdist's build for fresh. No pip cache either (pip_into): pip would reuse a
# wheel it once built from an sdist of the same name.
find "$work/cargo-sdist" -name '*tael[-_]coord*' -prune -exec rm -rf {} + 2>/dev/null || true
sdist_install() { CARGO_TARGET_DIR="$work/cargo-sdist" pip_into "$venvs/sdist" "$sdist"; }
check "pip install of the sdist" sdist_install
check "the README's examples on the sdist's build" \
  "$venvs/sdist/bin/python" "$here/package-test/check.py" readme "$here/README.pypi.md"
sdist_install_time="$(since "$start")"

step "summary"
tags="$("$tools/bin/python" -c 'import sys, zipfile
w = zipfile.ZipFile(sys.argv[1])
info = next(n for n in w.namelist() if n.endswith(".dist-info/WHEEL"))
print(" ".join(l[5:] for l in w.read(info).decode().splitlines() if l.startswith("Tag: ")))' "$wheel")"
echo "wheel: $(basename "$wheel"), tags $tags, $(stat -c %s "$wheel") bytes"
echo "sdist: $(basename "$sdist"), $(stat -c %s "$sdist") bytes"
echo "time: wheel build $build_time, sdist $sdist_time, checks $checks_time," \
  "wheel tests $wheel_tests_time, sdist install $sdist_install_time, total $(since "$start_all")"
for name in "${failed[@]}"; do echo "failed: $name"; done
echo "packaging: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
