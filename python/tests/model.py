"""A small pure-Python model of the specification (SEMANTICS.md §2, §3, §5, §6), for the
property tests. It is written from the spec, independently of the core, and kept deliberately
naive: sequential, no locks, no cleverness."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

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
        if self.highest == U64_MAX:
            raise ModelError("EPOCH_OVERFLOW")
        self.highest += 1
        return self.highest


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
        validate_id(holder)
        if self.highest == U64_MAX:
            raise ModelError("EPOCH_OVERFLOW")
        self.highest += 1
        self.holder = holder
        return self.highest
