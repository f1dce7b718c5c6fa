"""What package-test.sh checks in the wheel and the sdist besides twine, auditwheel and abi3audit.

    python check.py wheel  WHEEL README   contents, tags, metadata (run by the tools' venv)
    python check.py sdist  SDIST README   contents and PKG-INFO (run by the tools' venv)
    python check.py readme README         the README's examples, as doctests, against the
                                          installed package (run by a test venv)

Each prints what it found and exits 1 after listing every problem."""

from __future__ import annotations

import doctest
import email.message
import email.parser
import fnmatch
import sys
import tarfile
import zipfile
from pathlib import Path

REPOSITORY = "https://github.com/tael-coord/tael-coord"
# The Project-URL labels PyPI's sidebar should show (pyproject.toml [project.urls]).
URL_LABELS = {"Homepage", "Source", "Documentation", "Changelog", "Issues"}
# Classifiers a PyPI-ready release of this package must carry (the license is stated by
# License-Expression, PEP 639; "License ::" classifiers are deprecated next to it).
REQUIRED_CLASSIFIERS = {
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Rust",
    "Operating System :: POSIX :: Linux",
    "Typing :: Typed",
}
# What the sdist may hold: the core crate (workspace root; its benches/ because its Cargo.toml
# declares a [[bench]], without which cargo refuses the manifest), the pyo3 crate (python/), the
# Python package and the metadata files. Anything else leaked in from the repository.
SDIST_ALLOWED = [
    "PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md", "README.pypi.md",
    "LICENSE", "CHANGELOG.md", "SEMANTICS.md", "src/*", "benches/*", "python/*", "tael_coord/*",
]
SDIST_REQUIRED = [
    "PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock", "README.pypi.md", "LICENSE",
    "src/lib.rs", "python/Cargo.toml", "python/src/lib.rs", "tael_coord/__init__.py",
    "tael_coord/_native.pyi", "tael_coord/py.typed",
]

problems: list[str] = []


def expect(ok: bool, problem: str) -> None:
    if not ok:
        problems.append(problem)


def finish(what: str) -> None:
    if problems:
        print(f"{what}: {len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        sys.exit(1)
    print(f"{what}: ok")


def check_metadata(raw: str, readme: Path) -> email.message.Message:
    """The core metadata (METADATA or PKG-INFO) of a PyPI-ready release."""
    import trove_classifiers  # the tools' venv has it; the test venvs need not

    meta = email.parser.Parser().parsestr(raw)
    expect(meta["Name"] == "tael-coord", f"Name is {meta['Name']!r}")
    expect(meta["Metadata-Version"] in {"2.4", "2.5"}, f"Metadata-Version {meta['Metadata-Version']}")
    expect(bool(meta["Summary"]), "no Summary")
    expect(meta["Requires-Python"] == ">=3.10", f"Requires-Python is {meta['Requires-Python']!r}")
    expect(meta["License-Expression"] == "Apache-2.0", f"License-Expression {meta['License-Expression']!r}")
    expect("LICENSE" in (meta.get_all("License-File") or []), "no License-File: LICENSE")
    content_type = meta["Description-Content-Type"] or ""
    expect(content_type.startswith("text/markdown"), f"Description-Content-Type {content_type!r}")
    body = meta.get_payload()
    expect(isinstance(body, str) and body.strip() == readme.read_text(encoding="utf-8").strip(),
           f"the long description is not {readme.name}")

    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    expect(URL_LABELS <= urls.keys(), f"Project-URL lacks {sorted(URL_LABELS - urls.keys())}")
    for label, url in urls.items():
        expect(url.startswith(REPOSITORY), f"Project-URL {label} is {url} (not under {REPOSITORY})")

    classifiers = set(meta.get_all("Classifier") or [])
    unknown = classifiers - trove_classifiers.classifiers
    expect(not unknown, f"classifiers PyPI does not know: {sorted(unknown)}")
    deprecated = classifiers & set(trove_classifiers.deprecated_classifiers)
    expect(not deprecated, f"deprecated classifiers: {sorted(deprecated)}")
    licenses = {c for c in classifiers if c.startswith("License ::")}
    expect(not licenses, f"License classifiers next to License-Expression (PEP 639): {sorted(licenses)}")
    expect(REQUIRED_CLASSIFIERS <= classifiers, f"classifiers lack {sorted(REQUIRED_CLASSIFIERS - classifiers)}")
    print(f"metadata: {meta['Name']} {meta['Version']}, License-Expression {meta['License-Expression']}, "
          f"{len(classifiers)} classifiers, Project-URLs: {', '.join(sorted(urls))}, "
          f"long description {readme.name} ({content_type})")
    return meta


def wheel(path: Path, readme: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        dist_info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA")), "")
        tags = archive.read(f"{dist_info}/WHEEL").decode().splitlines()
        meta = check_metadata(archive.read(f"{dist_info}/METADATA").decode(), readme)
    tag_values = [line.split(": ", 1)[1] for line in tags if line.startswith("Tag: ")]
    print(f"wheel: {path.name}")
    print(f"tags: {', '.join(tag_values)}")
    print(f"size: {path.stat().st_size} bytes ({path.stat().st_size / 1024:.0f} KiB)")
    for expected in ["tael_coord/__init__.py", "tael_coord/py.typed", "tael_coord/_native.pyi",
                     f"{dist_info}/licenses/LICENSE"]:
        expect(expected in names, f"the wheel lacks {expected}")
    native = [n for n in names if n.startswith("tael_coord/_native") and n.endswith(".so")]
    expect(native == ["tael_coord/_native.abi3.so"], f"native modules: {native}")
    strays = [n for n in names if not n.startswith(("tael_coord/", f"{dist_info}/"))]
    expect(not strays, f"files outside the package: {strays}")
    expect("Root-Is-Purelib: false" in tags, "Root-Is-Purelib is not false")
    expect(bool(tag_values) and all(t.startswith("cp310-abi3-manylinux") for t in tag_values),
           f"tags are not cp310-abi3-manylinux*: {tag_values}")
    expect(path.name.startswith(f"tael_coord-{meta['Version']}-cp310-abi3-manylinux"),
           f"file name {path.name}")
    finish("wheel contents and metadata")


def sdist(path: Path, readme: Path) -> None:
    with tarfile.open(path) as archive:
        members = archive.getnames()
        top = members[0].split("/")[0]
        names = [m.split("/", 1)[1] for m in members if "/" in m and archive.getmember(m).isfile()]
        pkg_info = archive.extractfile(f"{top}/PKG-INFO")
        assert pkg_info is not None
        meta = check_metadata(pkg_info.read().decode(), readme)
        pyproject = archive.extractfile(f"{top}/pyproject.toml")
        assert pyproject is not None
        pyproject_text = pyproject.read().decode()
    print(f"sdist: {path.name}, {path.stat().st_size} bytes ({path.stat().st_size / 1024:.0f} KiB), "
          f"{len(names)} files")
    expect(top == f"tael_coord-{meta['Version']}", f"top directory {top}")
    for required in SDIST_REQUIRED:
        expect(required in names, f"the sdist lacks {required}")
    stray = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in SDIST_ALLOWED)]
    expect(not stray, f"files that are not the package's (check the crates' `include` in "
                      f"Cargo.toml: an unanchored pattern matches at every depth): {stray}")
    # The sdist's pyproject.toml sits at its root, beside the core's README.md: the PyPI README
    # has a name of its own so that a wheel built from the sdist gets the same description.
    expect('readme = "README.pypi.md"' in pyproject_text, "the sdist's pyproject.toml readme")
    finish("sdist contents and metadata")


def readme_examples(readme: Path) -> None:
    """The README's `>>>` examples against the installed package (fence lines dropped, so that
    a closing fence is not read as expected output), and the README is its long description."""
    import importlib.metadata

    import tael_coord

    description = importlib.metadata.metadata("tael-coord").get_payload()  # type: ignore[attr-defined]
    expect(isinstance(description, str) and description.strip() == readme.read_text(encoding="utf-8").strip(),
           f"the installed distribution's long description is not {readme.name}")

    text = "\n".join(line for line in readme.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("```"))
    test = doctest.DocTestParser().get_doctest(text, {}, readme.name, str(readme), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    expect(result.attempted > 0, "no examples found")
    expect(result.failed == 0, f"{result.failed} example(s) failed")
    print(f"{readme.name}: {result.attempted} examples run against {Path(tael_coord.__file__).parent}")
    finish("README examples")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "wheel":
        wheel(Path(args[0]), Path(args[1]))
    elif command == "sdist":
        sdist(Path(args[0]), Path(args[1]))
    elif command == "readme":
        readme_examples(Path(args[0]))
    else:
        sys.exit(f"unknown command {command}")
