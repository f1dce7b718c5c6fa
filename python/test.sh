#!/usr/bin/env bash
# Python front: set up its virtual environment (idempotently), build and install the package,
# check the stubs and types, then run pytest (last, so its summary line closes the output).
# Runnable from any directory; `scripts/test` calls it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/target/python-venv"
python="${PYTHON:-python3}"

# Versions verified together on this project's machines (Python 3.11, 2 cores).
pins=(maturin==1.16.0 pytest==9.2.0 hypothesis==6.170.15 mypy==2.4.1)

step() { printf '\n== python: %s\n' "$*"; }

step "virtual environment $venv"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  { echo "Python 3.10+ is required (found $("$python" -V 2>&1))" >&2; exit 1; }
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
stamp="$venv/.tael-coord-pins"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "${pins[*]}" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
  printf '%s' "${pins[*]}" >"$stamp"
fi
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"

step "build the release wheel (wheel.sh, as PyPI gets it) and install it"
# The wheel, not an editable build: the tests see what users install, and package-test.sh's
# build of the same wheel is then a no-op.
dist="$root/target/python-wheel"
rm -rf "$dist"
bash "$here/wheel.sh" "$dist"
export TAEL_COORD_WHEEL="$(echo "$dist"/*.whl)"
python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$TAEL_COORD_WHEEL"
# An editable build of old left its module in the source package: remove it, so that nothing
# can import the source tree's tael_coord as if it were built.
rm -f "$here"/tael_coord/_native*.so
cd "$here"

step "stubs match the native module (mypy.stubtest)"
# From outside the source tree, so the installed package is what gets checked.
(cd "$root/target" && python -m mypy.stubtest tael_coord)

step "types (mypy --strict on tests, examples, bench)"
python -m mypy --strict --cache-dir "$root/target/python-mypy-cache" tests examples bench

step "pytest (on the installed wheel)"
# The pytest script, not `python -m pytest`: that would put this folder, and so the source
# tree's tael_coord (which has no native module), first on sys.path.
(cd "$root/target" && python -c 'import pathlib, tael_coord
p = pathlib.Path(tael_coord.__file__)
assert "site-packages" in p.parts, f"tael_coord comes from {p}, not from the venv"')
pytest -p no:cacheprovider tests
