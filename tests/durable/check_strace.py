#!/usr/bin/env python3
"""Checks, from an strace log of `tael-coord durable-child`, that every acknowledgement the child
printed came after the new mark was on disk: its bytes written to `<file>.tmp`, that file
fsynced, renamed over `<file>`, and the directory fsynced, in this order, before the `write` of
the acknowledgement to stdout began.

usage: check_strace.py LOG FILE            check a log (FILE: the gate's or registry's real path)
       check_strace.py --self-test LOG FILE  also check that doctored logs (a missing fsync of the
                                             data or of the directory, an acknowledgement moved
                                             before its fsync) are refused

The log comes from `strace -f -qq -s 4096 -xx -o LOG -e trace=write,fsync,fdatasync,rename,
renameat,renameat2,openat ...` (`-xx`: every string in hex, so it decodes exactly). Prints one
summary line; exits 1 on any violation.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
STRING = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")


def strings(args: str) -> list[bytes]:
    return [bytes.fromhex(s.replace("\\x", "")) for s in STRING.findall(args)]


def first_int(args: str) -> int:
    m = re.match(r"\s*(\d+)", args)
    return int(m.group(1)) if m else -1


def marks(content: bytes) -> dict[str, int]:
    """The marks a file's bytes hold: {"gate": n} or one entry per registry stream."""
    header, body, _ = content.decode().split("\n", 2)
    doc = json.loads(body)
    if header == "tael-coord durable-gate 1":
        return {"gate": int(doc["highest"])}
    if header == "tael-coord durable-registry 1":
        return {k: int(v) for k, v in doc["streams"].items()}
    raise ValueError(f"not a durable file: {header!r}")


@dataclass
class Checker:
    path: str
    tmp: str = ""
    directory: str = ""
    fds: dict[int, str] = field(default_factory=dict)
    written: dict[int, bytes] = field(default_factory=dict)  # tmp fd -> bytes written so far
    synced: dict[int, bool] = field(default_factory=dict)  # tmp fd -> fsynced after last write
    last_tmp: int | None = None  # the tmp fd most recently written
    renamed: dict[str, int] | None = None  # marks renamed into place, directory not yet synced
    durable: dict[str, int] = field(default_factory=dict)  # marks whose every step is done
    commits: int = 0
    acks: int = 0
    violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tmp = self.path + ".tmp"
        self.directory = self.path.rsplit("/", 1)[0] or "/"

    def fail(self, where: int, what: str) -> None:
        self.violations.append(f"log line {where}: {what}")

    def started(self, where: int, name: str, args: str) -> None:
        if name != "write" or first_int(args) != 1:
            return
        text = strings(args)[0].decode()
        for line in text.splitlines():
            if not line.startswith("ack "):
                continue
            _, key, epoch = line.split(" ")
            self.acks += 1
            if self.durable.get(key, -1) < int(epoch):
                self.fail(where, f"{line!r} acknowledged before a durable mark >= {epoch} "
                                 f"(durable: {self.durable.get(key)})")

    def finished(self, where: int, name: str, args: str, result: int) -> None:
        if result < 0:
            return
        if name == "openat":
            path = strings(args)[0].decode(errors="replace")
            self.fds[result] = path
            if path == self.tmp:
                self.written[result] = b""
                self.synced[result] = False
        elif name == "write":
            fd = first_int(args)
            if self.fds.get(fd) == self.tmp:
                self.written[fd] += strings(args)[0]
                self.synced[fd] = False
                self.last_tmp = fd
        elif name in ("fsync", "fdatasync"):
            fd = first_int(args)
            if self.fds.get(fd) == self.tmp:
                self.synced[fd] = True
            elif self.fds.get(fd) == self.directory:
                if self.renamed is not None:
                    self.durable = self.renamed
                    self.renamed = None
                    self.commits += 1
        elif name in ("rename", "renameat", "renameat2"):
            paths = [p.decode(errors="replace") for p in strings(args)]
            if paths[-2:] != [self.tmp, self.path]:
                return
            fd = self.last_tmp
            if fd is None or not self.synced.get(fd):
                self.fail(where, "renamed the temporary file before fsyncing its data")
                self.renamed = None
                return
            try:
                self.renamed = marks(self.written[fd])
            except (ValueError, KeyError, UnicodeDecodeError) as e:
                self.fail(where, f"renamed a file that is not a whole durable file: {e}")
                self.renamed = None

    def run(self, lines: list[str]) -> None:
        pending: dict[str, tuple[str, str]] = {}
        for where, raw in enumerate(lines, 1):
            m = LINE.match(raw)
            if not m:
                continue
            pid, rest = m.groups()
            if rest.startswith("+++") or rest.startswith("---"):
                continue
            resumed = RESUMED.match(rest)
            if resumed:
                name, tail = resumed.groups()
                _, head = pending.pop(pid, (name, ""))
                r = RESULT.search(tail)
                if r:
                    self.finished(where, name, head + tail, int(r.group(1)))
                continue
            call = CALL.match(rest)
            if not call:
                continue
            name, args = call.groups()
            self.started(where, name, args)
            if args.endswith("<unfinished ...>"):
                pending[pid] = (name, args[: -len("<unfinished ...>")])
                continue
            r = RESULT.search(args)
            if r:
                self.finished(where, name, args, int(r.group(1)))


def check(lines: list[str], path: str) -> Checker:
    c = Checker(path)
    c.run(lines)
    if c.acks == 0:
        c.violations.append("no acknowledgement in the log: nothing was checked")
    return c


def doctored(lines: list[str], path: str) -> dict[str, list[str]]:
    """Logs with one durability step broken; each must be refused."""
    c = Checker(path)  # only for its paths
    fd_of: dict[str, set[int]] = {c.tmp: set(), c.directory: set()}
    for raw in lines:
        m = re.search(r'openat\(AT_FDCWD, "([^"]*)".*= (\d+)$', raw)
        if m:
            p = bytes.fromhex(m.group(1).replace("\\x", "")).decode(errors="replace")
            if p in fd_of:
                fd_of[p].add(int(m.group(2)))

    def is_fsync_of(raw: str, what: str) -> bool:
        m = re.search(r"\s(?:fsync|fdatasync)\((\d+)", raw)
        return bool(m) and int(m.group(1)) in fd_of[what]

    def ack(raw: str) -> bool:
        return bool(re.search(r'\swrite\(1, "\\x61\\x63\\x6b', raw))

    out = {
        "no fsync of the directory": [x for x in lines if not is_fsync_of(x, c.directory)],
        "no fsync of the data": [x for x in lines if not is_fsync_of(x, c.tmp)],
    }
    # Each acknowledgement moved to just before the directory fsync that preceded it.
    moved = list(lines)
    for i, raw in enumerate(moved):
        if ack(raw):
            j = i - 1
            while j >= 0 and not is_fsync_of(moved[j], c.directory):
                j -= 1
            if j >= 0:
                moved.insert(j, moved.pop(i))
    out["acknowledgements before their directory fsync"] = moved
    return out


def main(argv: list[str]) -> int:
    self_test = argv[:1] == ["--self-test"]
    if self_test:
        argv = argv[1:]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    log, path = argv
    with open(log, encoding="ascii", errors="replace") as f:
        lines = f.read().splitlines()
    c = check(lines, path)
    for v in c.violations[:20]:
        print("VIOLATION", v, file=sys.stderr)
    print(f"strace check {path}: {c.acks} acknowledgements, each after its data fsync, rename and "
          f"directory fsync; {c.commits} durable writes; {len(c.violations)} violations")
    if c.violations:
        return 1
    if self_test:
        for what, bad in doctored(lines, path).items():
            refused = check(bad, path).violations
            print(f"self-test: a log with {what}: {'refused' if refused else 'ACCEPTED'} "
                  f"({len(refused)} violations)")
            if not refused:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
