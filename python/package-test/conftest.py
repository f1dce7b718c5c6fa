"""Conftest of the copy of python/tests that package-test.sh runs outside the source tree.

The tael_coord under test must be the wheel installed in the virtual environment running pytest,
never the source tree's package: the session refuses to start otherwise, and the header says
which file was imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tael_coord

PACKAGE = Path(tael_coord.__file__).resolve().parent


def pytest_report_header() -> str:
    return f"tael_coord {tael_coord.__version__} imported from {PACKAGE}"


def pytest_sessionstart(session: pytest.Session) -> None:
    venv = Path(sys.prefix).resolve()
    if venv == Path(sys.base_prefix).resolve():
        raise pytest.UsageError("not running in a virtual environment")
    if venv not in PACKAGE.parents or "site-packages" not in PACKAGE.parts:
        raise pytest.UsageError(f"tael_coord comes from {PACKAGE}, not from the venv {venv}")
