"""The API table (tests/api.json): every operation and its name in each front.

A cell is a name, a list of names, `{"na": why}` (the front cannot or need not have it), or for
C `{"header": name}` (a type, struct field or constant of the header, which is not a symbol).

    python3 tests/api/table.py markdown           the table as SEMANTICS.md §14 shows it
    python3 tests/api/table.py check-spec         SEMANTICS.md §14 is exactly that table
    python3 tests/api/table.py check-rust FILE    FILE: rustdoc's JSON output for the core crate
    python3 tests/api/table.py check-c HEADER SYMBOL...

Each check fails (exit 1) on a name the front has that the table lacks and on a name the table
gives that the front lacks. Python and JavaScript check their own exports in their test suites
(python/tests/test_api_table.py, bindings/wasm/tests/api_table.test.mjs).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "api.json"
SPEC = Path(__file__).resolve().parents[2] / "SEMANTICS.md"
# The table sits in SEMANTICS.md between these two lines.
BEGIN, END = "<!-- api table: begin -->", "<!-- api table: end -->"
FRONTS = ("rust", "c", "python", "js")


def rows() -> list[dict]:
    return json.loads(TABLE.read_text(encoding="utf-8"))["rows"]


def names(front: str, kind: type = str) -> set[str]:
    """Every name the table gives `front` (plain names; for C also the header's, as `kind`)."""
    out: set[str] = set()
    for row in rows():
        cell = row[front]
        if kind is str and isinstance(cell, str):
            out.add(cell)
        elif kind is str and isinstance(cell, list):
            out.update(cell)
        elif kind is dict and isinstance(cell, dict) and "header" in cell:
            out.add(cell["header"])
    return out


def rust_names(doc: dict) -> set[str]:
    """The public API of the core crate from rustdoc's JSON: every item the crate root exports,
    every public inherent method, associated constant and named field of its types
    (`Type::name`), and every method of its traits (`Trait::name`). Enum variants (values, not
    operations) and tuple fields are not listed."""
    index = doc["index"]

    def item(i: int) -> dict:
        return index[str(i)]

    out: set[str] = set()
    for i in item(doc["root"])["inner"]["module"]["items"]:
        it = item(i)
        if it["visibility"] != "public":
            continue
        kind, inner = next(iter(it["inner"].items()))
        if kind == "use":
            if str(inner["id"]) not in index:
                continue
            it = index[str(inner["id"])]
            kind, inner = next(iter(it["inner"].items()))
        name = it["name"]
        out.add(name)
        if kind == "struct" and "plain" in inner["kind"]:
            out.update(f"{name}::{item(f)['name']}" for f in inner["kind"]["plain"]["fields"])
        if kind in ("struct", "enum"):
            for impl_id in inner["impls"]:
                impl = item(impl_id)["inner"]["impl"]
                if impl["trait"] is not None or impl["is_synthetic"] or impl["blanket_impl"]:
                    continue
                out.update(
                    f"{name}::{item(m)['name']}" for m in impl["items"] if item(m)["visibility"] == "public"
                )
        elif kind == "trait":
            out.update(f"{name}::{item(m)['name']}" for m in inner["items"])
    return out


def compare(front: str, exported: set[str], listed: set[str]) -> bool:
    missing, unlisted = sorted(listed - exported), sorted(exported - listed)
    for n in missing:
        print(f"{front}: the table names {n}, which the front does not export")
    for n in unlisted:
        print(f"{front}: the front exports {n}, which the table lacks")
    print(f"{front}: {len(exported)} names, {len(missing)} missing, {len(unlisted)} not in the table")
    return not missing and not unlisted


def check_c(header_path: str, symbols: list[str]) -> bool:
    header = Path(header_path).read_text(encoding="utf-8")
    ok = compare("c", set(symbols), names("c"))
    for name in sorted(names("c", dict)):
        struct, _, field = name.partition(".")
        if field:
            body = re.search(r"typedef struct \{((?:(?!typedef).)*?)\} " + re.escape(struct) + ";", header, re.S)
            found = body is not None and re.search(r"\b" + re.escape(field) + r"(\[[^\]]*\])?;", body.group(1))
        else:
            found = re.search(r"\b" + re.escape(struct) + r"\b", header)
        if not found:
            print(f"c: the header has no {name}")
            ok = False
    return ok


def markdown() -> str:
    def cell(front: str, value: object) -> str:
        if isinstance(value, dict):
            return f"`{value['header']}` (header)" if "header" in value else f"n/a: {value['na']}"
        values = value if isinstance(value, list) else [value]
        return ", ".join(f"`{v}`" for v in values)

    lines = ["| operation | Rust | C | Python | JavaScript |", "|---|---|---|---|---|"]
    for row in rows():
        lines.append(
            f"| {row['about']} (`{row['op']}`) | " + " | ".join(cell(f, row[f]) for f in FRONTS) + " |"
        )
    return "\n".join(lines) + "\n"


def check_spec() -> bool:
    spec = SPEC.read_text(encoding="utf-8")
    shown = spec.split(BEGIN, 1)[-1].split(END, 1)[0].strip("\n") + "\n"
    if BEGIN in spec and END in spec and shown == markdown():
        print(f"SEMANTICS.md §14: {len(rows())} operations, the table is current")
        return True
    print("SEMANTICS.md §14 is not the table of tests/api.json; between the markers it should be:")
    print(markdown())
    return False


def check_cells() -> bool:
    """Every row names each front, and an n/a says why."""
    ok = True
    ops = [row["op"] for row in rows()]
    if len(ops) != len(set(ops)):
        print("api.json: an op appears twice")
        ok = False
    for row in rows():
        for front in FRONTS:
            cell = row.get(front)
            good = (
                (isinstance(cell, str) and cell)
                or (isinstance(cell, list) and cell and all(isinstance(n, str) and n for n in cell))
                or (isinstance(cell, dict) and len(cell) == 1 and ("na" in cell or (front == "c" and "header" in cell)))
            )
            if not good:
                print(f"api.json: {row.get('op')}: the {front} cell is not a name, names, n/a or a header name")
                ok = False
    return ok


def main(argv: list[str]) -> int:
    if argv[:1] == ["markdown"]:
        sys.stdout.write(markdown())
        return 0
    if argv[:1] == ["check-spec"]:
        return 0 if check_cells() and check_spec() else 1
    if argv[:1] == ["check-rust"] and len(argv) == 2:
        doc = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        return 0 if compare("rust", rust_names(doc), names("rust")) else 1
    if argv[:1] == ["check-c"] and len(argv) >= 2:
        return 0 if check_c(argv[1], argv[2:]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
