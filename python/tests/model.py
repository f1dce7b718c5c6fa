"""A small pure-Python model of the specification (SEMANTICS.md §2, §3, §5, §6, §9), for the
property tests. It is written from the spec, independently of the core, and kept deliberately
naive: sequential, no locks, no cleverness."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

U64_MAX = 2**64 - 1
MAX_ID_BYTES = 255


class ModelError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def validate_id(value: object) -> bytes:
    """The id's UTF-8 bytes, or ModelError with the status the spec gives."""
    if not isinstance(value, str):
        raise ModelError("INVALID_ARGUMENT")
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelError("INVALID_UTF8") from None
    if not raw or len(raw) > MAX_ID_BYTES:
        raise ModelError("INVALID_ID")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ModelError("INVALID_ID")
    return raw


def elect(ids: list[object]) -> int | None:
    """Index of the first occurrence of the smallest id (UTF-8 byte order); every id is
    checked in order and the first bad one fails the election."""
    best: tuple[int, bytes] | None = None
    for i, value in enumerate(ids):
        raw = validate_id(value)
        if best is None or raw < best[1]:
            best = (i, raw)
    return None if best is None else best[0]


Verdict = dict[str, object]


def _step(highest: int, epoch: int, cap: int | None) -> str:
    if epoch < highest:
        return "STALE_EPOCH"
    if epoch == highest:
        return "CURRENT"
    if cap is not None and epoch - highest > cap:
        return "TOO_FAR_AHEAD"
    return "ADVANCED"


@dataclass
class Gate:
    """§5: one number, compared and maybe advanced; the cap is strict; promote never wraps."""

    highest: int = 0
    cap: int | None = None

    def check(self, epoch: int) -> Verdict:
        code = _step(self.highest, epoch, self.cap)
        before = self.highest
        if code == "ADVANCED":
            self.highest = epoch
        out: Verdict = {
            "code": code,
            "accepted": code in ("CURRENT", "ADVANCED"),
            "epoch": epoch,
            "highest": self.highest,
        }
        if code == "ADVANCED":
            out["from"] = before
        if code == "TOO_FAR_AHEAD":
            out["cap"] = self.cap
        return out

    def promote(self) -> int:
        return self.promote_to_at_least(0)

    def promote_to_at_least(self, floor: int) -> int:
        self.highest = _promoted(self.highest, floor)
        return self.highest


def _promoted(highest: int, floor: int) -> int:
    """§5: max(floor, highest + 1), never past 2**64-1."""
    if highest == U64_MAX:
        raise ModelError("EPOCH_OVERFLOW")
    return max(floor, highest + 1)


@dataclass
class HolderGate:
    """§6: the gate over (epoch, holder) tokens."""

    highest: int = 0
    holder: str | None = None
    cap: int | None = None

    def check(self, epoch: int, holder: str) -> Verdict:
        validate_id(holder)
        code = _step(self.highest, epoch, self.cap)
        before = self.highest
        if code == "ADVANCED":
            self.highest, self.holder = epoch, holder
        elif code == "CURRENT":
            if self.holder is None:
                self.holder = holder
            elif self.holder != holder:
                code = "CONFLICT"
        out: Verdict = {
            "code": code,
            "accepted": code in ("CURRENT", "ADVANCED"),
            "epoch": epoch,
            "highest": self.highest,
        }
        if code == "ADVANCED":
            out["from"] = before
        if code == "TOO_FAR_AHEAD":
            out["cap"] = self.cap
        if code == "CONFLICT":
            out["holder"] = self.holder
        return out

    def promote(self, holder: str) -> int:
        return self.promote_to_at_least(0, holder)

    def promote_to_at_least(self, floor: int, holder: str) -> int:
        validate_id(holder)
        self.highest = _promoted(self.highest, floor)
        self.holder = holder
        return self.highest


@dataclass
class Registry:
    """§9: gates by stream name; restore raises, never lowers, and ignores the cap."""

    cap: int | None = None
    gates: dict[str, Gate] = field(default_factory=dict)

    def gate(self, stream: str) -> Gate:
        if stream not in self.gates:
            raise ModelError("UNKNOWN_STREAM")
        return self.gates[stream]

    def add(self, stream: str, highest: int) -> None:
        validate_id(stream)
        if stream in self.gates:
            raise ModelError("STREAM_EXISTS")
        self.gates[stream] = Gate(highest, self.cap)

    def remove(self, stream: str) -> int:
        highest = self.gate(stream).highest
        del self.gates[stream]
        return highest

    def restore(self, marks: dict[str, int]) -> None:
        for name in marks:
            validate_id(name)
        for name, mark in marks.items():
            if name in self.gates:
                self.gates[name].highest = max(self.gates[name].highest, mark)
            else:
                self.gates[name] = Gate(mark, self.cap)

    def snapshot(self) -> dict[str, int]:
        ordered = sorted(self.gates, key=lambda n: n.encode("utf-8"))
        return {name: self.gates[name].highest for name in ordered}
