"""Build the wheel with maturin, install it into fresh virtual environments, import it there.

One abi3 wheel (cp310-abi3) serves every CPython from 3.10 on; besides the interpreter running
the tests, each other CPython 3.10+ found on PATH gets the same wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tael_coord

PYTHON_DIR = Path(__file__).resolve().parents[1]
OTHER_PYTHONS = ["python3.10", "python3.12", "python3.13"]

SMOKE = """
import pathlib, sys, tael_coord as tc
assert tc.__version__ == sys.argv[1], tc.__version__
assert tc.elect_leader(["node-b", "node-a"]) == "node-a"
gate = tc.EpochFencer(7, jump_cap=3)
assert gate.check(6).code == "STALE_EPOCH" and gate.check(11).code == "TOO_FAR_AHEAD"
try:
    gate.check(-1)
except tc.InvalidEpochError as e:
    assert e.code == "INVALID_EPOCH"
else:
    raise AssertionError("no error")
package = pathlib.Path(tc.__file__).parent
assert (package / "py.typed").is_file() and (package / "_native.pyi").is_file()
assert "site-packages" in str(package), package
print("ok", sys.version_info[:2], package)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # python/test.sh builds the release wheel once (wheel.sh) and names it here; run alone, the
    # tests build their own.
    built_by_test_sh = os.environ.get("TAEL_COORD_WHEEL")
    if built_by_test_sh:
        return Path(built_by_test_sh)
    out = tmp_path_factory.mktemp("wheels")
    maturin = shutil.which("maturin", path=str(Path(sys.executable).parent))
    assert maturin, "maturin is installed next to the test interpreter"
    subprocess.run(
        [maturin, "build", "--release", "--quiet", "--out", str(out), "-i", sys.executable],
        cwd=PYTHON_DIR,
        check=True,
        timeout=900,
    )
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_is_one_abi3_wheel_with_stubs(wheel: Path) -> None:
    assert wheel.name.startswith(f"tael_coord-{tael_coord.__version__}-cp310-abi3-")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ["tael_coord/__init__.py", "tael_coord/py.typed", "tael_coord/_native.pyi"]:
        assert expected in names
    assert any(n.startswith("tael_coord/_native") and n.endswith(".abi3.so") for n in names), names
    assert not any(n.startswith(("tests/", "examples/", "bench/")) for n in names), names


def install_and_import(python: str, wheel: Path, venv: Path) -> str:
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    venv_python = venv / "bin" / "python"
    # The outer pip installs into the fresh environment (no network: the wheel has no deps).
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "install", "--quiet",
         "--no-index", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    done = subprocess.run(
        [str(venv_python), "-c", SMOKE, tael_coord.__version__],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=venv,  # not the source tree, so the installed package is imported
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_installs_into_a_fresh_venv_and_imports(wheel: Path, tmp_path: Path) -> None:
    out = install_and_import(sys.executable, wheel, tmp_path / "venv")
    assert out.startswith("ok")


def find_python(name: str) -> str | None:
    """`name` on PATH, or in a pyenv installation (whose shims work only for the active one)."""
    candidates = [shutil.which(name)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    version = name.removeprefix("python")
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/{name}"))
    for python in candidates:
        if python and subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0:
            return python
    return None


@pytest.mark.parametrize("name", OTHER_PYTHONS)
def test_the_same_wheel_on_other_cpythons(name: str, wheel: Path, tmp_path: Path) -> None:
    python = find_python(name)
    if python is None:
        pytest.skip(f"{name} is not installed here")
    out = install_and_import(python, wheel, tmp_path / "venv")
    assert out.startswith("ok (3, " + name.removeprefix("python3.") + ")"), out


def test_pip_install_of_the_source_directory(tmp_path: Path) -> None:
    """`pip install ./python` in a fresh venv: pip runs maturin as the PEP 517 backend."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    venv_python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "install", "--quiet",
         str(PYTHON_DIR)],
        check=True,
        timeout=900,
    )
    done = subprocess.run(
        [str(venv_python), "-c", SMOKE, tael_coord.__version__],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=venv,
    )
    assert done.returncode == 0, done.stderr
