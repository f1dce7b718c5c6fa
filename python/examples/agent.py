"""A replica agent: keep only the records the holder-aware gate admits.

The agent reads a stream of ``(epoch, holder, record)`` tokens, as a replica receives them from
whoever believes it leads, and applies a record only when ``tael_coord.HolderFencer`` accepts
its token: a deposed leader's records (a lower epoch) are fenced out, and so are a second
writer's records claiming the current epoch (a conflict).

Run it on JSON lines, one ``{"epoch": 3, "holder": "node-a", "record": ...}`` per line:

    python examples/agent.py records.jsonl        # or: ... | python examples/agent.py -

With no argument it replays a short failover with a stale leader and a split brain.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TextIO, TypeVar

import tael_coord

R = TypeVar("R")


@dataclass
class Replica(Generic[R]):
    """The records a replica kept, and why it refused the others."""

    gate: tael_coord.HolderFencer = field(default_factory=tael_coord.HolderFencer)
    kept: list[R] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)

    def receive(self, epoch: int, holder: str, record: R) -> tael_coord.Verdict:
        """Apply ``record`` if the gate admits its token; return the gate's verdict."""
        verdict = self.gate.check(epoch, holder)
        if verdict.accepted:
            self.kept.append(record)
        else:
            self.refused[verdict.code] += 1
        return verdict


def admit(stream: Iterable[tuple[int, str, R]], replica: Replica[R] | None = None) -> list[R]:
    """The records of ``stream`` that the gate admits, in order."""
    replica = replica if replica is not None else Replica()
    for epoch, holder, record in stream:
        replica.receive(epoch, holder, record)
    return replica.kept


def read_json_lines(lines: TextIO) -> Iterator[tuple[int, str, object]]:
    """Tokens from JSON lines; blank lines are skipped."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError(f"line {number}: expected an object, got {type(item).__name__}")
        yield item["epoch"], item["holder"], item.get("record")


def demo() -> list[tuple[int, str, object]]:
    """node-a leads at epoch 1; node-b takes over at 2; node-a keeps shipping (stale); node-c
    wrongly believes it leads at epoch 2 too (conflict); node-b goes on."""
    return [
        (1, "node-a", "a1"),
        (1, "node-a", "a2"),
        (2, "node-b", "b1"),
        (1, "node-a", "a3 (stale leader)"),
        (2, "node-c", "c1 (split brain)"),
        (2, "node-b", "b2"),
        (3, "node-b", "b3"),
    ]


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] != "-":
        with open(argv[1], encoding="utf-8") as f:
            tokens: list[tuple[int, str, object]] = list(read_json_lines(f))
    elif len(argv) > 1:
        tokens = list(read_json_lines(sys.stdin))
    else:
        tokens = demo()
    replica: Replica[object] = Replica()
    for epoch, holder, record in tokens:
        verdict = replica.receive(epoch, holder, record)
        mark = "keep  " if verdict.accepted else "refuse"
        print(f"{mark} epoch={epoch} holder={holder} {verdict.code}: {record!r}")
    refused = ", ".join(f"{code}={n}" for code, n in sorted(replica.refused.items()))
    print(f"kept {len(replica.kept)} of {len(tokens)} records; refused: {refused or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
