"""Builds the Python reference (pdoc) of the installed tael_coord package into the directory
given as the only argument, and fails on any pdoc warning and on any public item without a
docstring. Run it with the Python that has the package installed; `scripts/docs` does.

pdoc applies a module's own .pyi stub only to that module, and reads a variable's docstring only
from the module that assigns it; tael_coord re-exports its names from tael_coord._native (whose
hand-kept stub holds the types) and from its private pure-Python modules. So each re-exported
name here is patched from the module it comes from, stub included (pdoc issue 791).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.doc
import pdoc.doc_pyi

PACKAGE = "tael_coord"

_stubs_of_own_module = pdoc.doc_pyi.include_typeinfo_from_stub_files


@functools.cache
def _origins() -> list[pdoc.doc.Module]:
    """The package's private modules, those with a stub first."""
    package = importlib.import_module(PACKAGE)
    names = [f"{PACKAGE}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    names.sort(key=lambda name: (pdoc.doc_pyi.find_stub_file(name) is None, name))
    return [pdoc.doc.Module.from_name(name) for name in names if name.rpartition(".")[2][0] == "_"]


def _include_typeinfo(module: pdoc.doc.Module) -> None:
    _stubs_of_own_module(module)
    if module.modulename != PACKAGE:
        return
    for name, member in module.members.items():
        obj = getattr(module.obj, name, None)
        found = [o for o in _origins() if name in o.members and getattr(o.obj, name, None) is obj]
        documented = [o for o in found if o.members[name].docstring]
        if found:
            # pdoc's own stub patching, with the defining module's documentation as the "stub".
            pdoc.doc_pyi._patch_doc(member, (documented or found)[0])
        if isinstance(member, pdoc.doc.Class):
            _constructor(member)


def _constructor(cls: pdoc.doc.Class) -> None:
    """A native class is made by its __new__ (whose documentation comes from the stub), but pdoc
    shows a class's constructor from its __init__: show the __new__ there."""
    new, init = cls.members.get("__new__"), cls.members.get("__init__")
    if not isinstance(new, pdoc.doc.Function) or not isinstance(init, pdoc.doc.Function):
        return
    if new.docstring and new.docstring != inspect.getdoc(object.__new__) and not init.docstring:
        init.signature = new.signature.replace(return_annotation=inspect.Signature.empty)
        init.docstring = new.docstring


pdoc.doc_pyi.include_typeinfo_from_stub_files = _include_typeinfo


def _public(member: pdoc.doc.Doc, all_names: list[str] | None) -> bool:
    """What pdoc's default template shows (its `is_public` macro), for this package."""
    if all_names is not None:
        return member.name in all_names
    if member.name == "__init__":
        # Shown when it says something or takes something.
        return isinstance(member, pdoc.doc.Function) and bool(
            member.docstring or member.signature_without_self.parameters
        )
    return not member.name.startswith("_")


def _items(namespace: pdoc.doc.Namespace, all_names: list[str] | None) -> list[pdoc.doc.Doc]:
    """Every public item the reference shows, inherited members left out (they are shown, and
    documented, on their own class)."""
    items: list[pdoc.doc.Doc] = []
    for member in namespace.own_members:
        if not _public(member, all_names):
            continue
        if member.name == "__init__" and dataclasses.is_dataclass(namespace.obj):
            continue  # a dataclass's constructor takes its fields, documented one by one
        items.append(member)
        if isinstance(member, pdoc.doc.Class):
            items.extend(_items(member, None))
    return items


def main() -> int:
    out = Path(sys.argv[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(PACKAGE, output_directory=out)
        module = pdoc.doc.Module.from_name(PACKAGE)
        items = [module, *_items(module, list(getattr(module.obj, "__all__")))]
    problems = [f"warning: {w.filename}:{w.lineno}: {w.message}" for w in caught]
    problems += [
        f"not documented: {d.fullname} ({d.kind})" for d in items if not d.docstring.strip()
    ]
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"python reference: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"python reference: {len(items)} public items, all documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
