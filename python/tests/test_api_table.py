"""The package exports exactly the Python names of the API table (tests/api.json): a name the
table gives that the package lacks, or one the package exports that the table lacks, fails."""

from __future__ import annotations

import enum
import inspect
import json
from pathlib import Path

import tael_coord as tc

TABLE = Path(__file__).resolve().parents[2] / "tests" / "api.json"
# Protocol methods that are API (`in`, `len()`, `with`); other dunders are Python's own.
PROTOCOL = {"__contains__", "__len__", "__enter__", "__exit__"}


def listed() -> set[str]:
    out: set[str] = set()
    for row in json.loads(TABLE.read_text(encoding="utf-8"))["rows"]:
        cell = row["python"]
        if isinstance(cell, str):
            out.add(cell)
        elif isinstance(cell, list):
            out.update(cell)
        else:
            assert set(cell) == {"na"} and cell["na"], f"{row['op']}: a cell is a name, names or n/a"
    return out


def exported() -> set[str]:
    """Every public name of the package: its ``__all__`` (but the exception classes, which are
    one per status and named in the table as ``TaelError``), and each class's own methods,
    properties and fields (not enum members, which are values)."""
    out: set[str] = set()
    for name in tc.__all__:
        obj = getattr(tc, name)
        if inspect.isclass(obj) and issubclass(obj, tc.TaelError) and obj is not tc.TaelError:
            continue
        out.add(name)
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            continue
        for attr in vars(obj):
            if attr.startswith("_") and attr not in PROTOCOL:
                continue
            if isinstance(obj, enum.EnumMeta) and attr in obj.__members__:
                continue
            out.add(f"{name}.{attr}")
    return out


def test_the_package_exports_exactly_the_tables_names() -> None:
    names, table = exported(), listed()
    assert sorted(table - names) == [], "the table names these, which the package lacks"
    assert sorted(names - table) == [], "the package exports these, which the table lacks"


def test_every_status_the_package_raises_has_its_class() -> None:
    # The table's one row for errors stands for TaelError and its subclasses: one per status.
    subclasses = [c for c in vars(tc).values() if inspect.isclass(c) and issubclass(c, tc.TaelError) and c is not tc.TaelError]
    assert {c.code for c in subclasses} <= set(tc._native._STATUS_NAMES)
    assert len({c.code for c in subclasses}) == len(subclasses)
