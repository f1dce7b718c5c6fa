"""Runs the programs of docs/README.md that need nothing built for them alone: the Python one
(with the Python that has tael_coord installed), the Node one (against the npm package's folder)
and the C one (against the static library, when it is built), and checks that each prints the
story, the README's first text block. scripts/docs runs it; the Rust program, the install
commands, the browser page and the command line were checked by hand when the README was written.

    python3 readme_check.py PYTHON PKG_DIR C_INCLUDE_DIR C_STATIC_LIB
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    python, pkg, include, lib = (os.path.abspath(a) for a in sys.argv[1:5])
    blocks = re.findall(r"```(\w+)\n(.*?)```", README.read_text(encoding="utf-8"), re.S)

    def block(lang: str) -> str:
        found = [body for kind, body in blocks if kind == lang]
        if len(found) != 1:
            raise SystemExit(f"{README}: expected one {lang} block, found {len(found)}")
        return found[0]

    story = next(body for kind, body in blocks if kind == "text")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "hello.py").write_text(block("python"))
        (work / "hello.mjs").write_text(block("js"))
        (work / "node_modules").mkdir()
        (work / "node_modules" / "tael-coord-wasm").symlink_to(Path(pkg).resolve())
        (work / "hello.c").write_text(block("c"))
        runs = {"python": [python, "hello.py"], "js": ["node", "hello.mjs"]}
        if os.path.isfile(lib):
            build = ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "hello.c",
                     f"-I{include}", lib, "-lpthread", "-ldl", "-lm", "-o", "hello"]
            if subprocess.run(build, cwd=work).returncode != 0:
                raise SystemExit("c: the program does not compile")
            runs["c"] = ["./hello"]
        else:
            print(f"c: skipped ({lib} is not built)")
        for lang, command in runs.items():
            done = subprocess.run(command, cwd=work, capture_output=True, text=True)
            if done.returncode == 0 and done.stdout == story:
                print(f"{lang}: prints the story")
            else:
                failed += 1
                print(f"{lang}: FAILED (exit {done.returncode})\n{done.stdout}{done.stderr}")
    print(f"docs/README.md: {len(runs) - failed} of {len(runs)} programs print the story")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
