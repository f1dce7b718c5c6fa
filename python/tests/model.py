"""A small pure-Python model of the specification (SEMANTICS.md §2, §3, §5, §6, §8's freshness
rule, §9, §16's closed reigns and counters, and the epoch histories of src/history.rs), for the property tests. It is written from
the spec, independently of the core, and kept deliberately naive: sequential, no locks, no
cleverness (a log's reigns are compared offset by offset)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Optional

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


def _verdict(code: str, epoch: int, highest: int, before: int, cap: int | None, holder: str | None) -> Verdict:
    """A verdict as the spec writes it: ``from`` for ADVANCED, ``cap`` for TOO_FAR_AHEAD,
    ``holder`` for CONFLICT and CLOSED."""
    out: Verdict = {
        "code": code,
        "accepted": code in ("CURRENT", "ADVANCED"),
        "epoch": epoch,
        "highest": highest,
    }
    if code == "ADVANCED":
        out["from"] = before
    if code == "TOO_FAR_AHEAD":
        out["cap"] = cap
    if code in ("CONFLICT", "CLOSED"):
        out["holder"] = holder
    return out


def _text(value: object) -> None:
    """What a front checks as it reads a holder, before the core sees it: a str, well formed."""
    if not isinstance(value, str):
        raise ModelError("INVALID_ARGUMENT")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelError("INVALID_UTF8") from None


@dataclass
class HolderGate:
    """§6 and §16: the gate over (epoch, holder) tokens, whose reign may be closed; optionally
    refusing epoch 0 (§5: before the holder is judged an id) and counting the verdicts of its
    checks (§16)."""

    highest: int = 0
    holder: str | None = None
    cap: int | None = None
    closed: bool = False
    refuse_zero: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def _token(self, epoch: int, holder: object) -> str:
        _text(holder)
        if self.refuse_zero and epoch == 0:
            raise ModelError("INVALID_EPOCH")
        validate_id(holder)
        assert isinstance(holder, str)
        return holder

    def check(self, epoch: int, holder: str) -> Verdict:
        holder = self._token(epoch, holder)
        code = _step(self.highest, epoch, self.cap)
        before = self.highest
        if code == "ADVANCED":
            self.highest, self.holder, self.closed = epoch, holder, False
        elif code == "CURRENT":
            if self.closed:
                code = "CLOSED"
            elif self.holder is None:
                self.holder = holder
            elif self.holder != holder:
                code = "CONFLICT"
        self.counts[code] = self.counts.get(code, 0) + 1
        return _verdict(code, epoch, self.highest, before, self.cap, self.holder)

    def close(self, epoch: int, holder: str) -> Verdict:
        holder = self._token(epoch, holder)
        code = _step(self.highest, epoch, self.cap)
        if code == "CURRENT" and not self.closed and self.holder not in (None, holder):
            code = "CONFLICT"
        elif code in ("CURRENT", "ADVANCED"):
            if not self.closed or code == "ADVANCED":
                self.highest, self.holder, self.closed = epoch, holder, True
            code = "CLOSED"
        return _verdict(code, epoch, self.highest, self.highest, self.cap, self.holder)

    def adopt(self, epoch: int, holder: str) -> Verdict:
        holder = self._token(epoch, holder)
        code = _step(self.highest, epoch, None)
        before = self.highest
        if code == "CURRENT":
            if self.closed:
                code = "CLOSED"
            else:
                self.holder = holder
        elif code == "ADVANCED":
            self.highest, self.holder, self.closed = epoch, holder, False
        return _verdict(code, epoch, self.highest, before, self.cap, self.holder)

    def promote(self, holder: str) -> int:
        return self.promote_to_at_least(0, holder)

    def promote_to_at_least(self, floor: int, holder: str) -> int:
        validate_id(holder)
        self.highest = _promoted(self.highest, floor)
        self.holder, self.closed = holder, False
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


# An entry of an epoch history: (epoch, start_offset, holder or None).
Entry = tuple[int, int, Optional[str]]


def same_reign(a: Entry, b: Entry) -> bool:
    """The same epoch, and holders that do not disagree (an entry without one claims only its
    epoch)."""
    return a[0] == b[0] and (a[2] is None or b[2] is None or a[2] == b[2])


@dataclass
class History:
    """An epoch history (Kafka's leader-epoch cache): entries with epochs and starts strictly
    increasing; the reign of an offset is the entry with the largest start at or below it."""

    entries: list[Entry] = field(default_factory=list)

    def assign(self, epoch: int, start: int, holder: str | None = None) -> bool:
        if holder is not None:
            validate_id(holder)
        new = (epoch, start, holder)
        if self.entries and same_reign(self.entries[-1], new) and start >= self.entries[-1][1]:
            return False
        while self.entries and (self.entries[-1][0] >= epoch or self.entries[-1][1] >= start):
            self.entries.pop()
        self.entries.append(new)
        return True

    def truncate_from_end(self, offset: int) -> bool:
        kept = [e for e in self.entries if e[1] < offset]
        changed = len(kept) != len(self.entries)
        self.entries = kept
        return changed

    def truncate_from_start(self, offset: int) -> bool:
        if not self.entries or self.entries[0][1] >= offset:
            return False
        covering = max(i for i, e in enumerate(self.entries) if e[1] <= offset)
        epoch, _, holder = self.entries[covering]
        self.entries = [(epoch, offset, holder), *self.entries[covering + 1 :]]
        return True

    def check_log_end(self, log_end: int) -> None:
        """A log end the history cannot belong to: before the latest start, or records with no
        reign."""
        if (self.entries and self.entries[-1][1] > log_end) or (not self.entries and log_end > 0):
            raise ModelError("INVALID_HISTORY")

    def end_offset_for(self, epoch: int, log_end: int) -> tuple[int, int] | None:
        self.check_log_end(log_end)
        if not self.entries or epoch > self.entries[-1][0]:
            return None
        if epoch == self.entries[-1][0]:
            return (epoch, log_end)
        above = next(i for i, e in enumerate(self.entries) if e[0] > epoch)
        if above == 0:
            return (epoch, self.entries[0][1])
        return (self.entries[above - 1][0], self.entries[above][1])

    def reign_at(self, offset: int) -> Entry | None:
        held = [e for e in self.entries if e[1] <= offset]
        return held[-1] if held else None


def divergence_point(a: History, a_end: int, b: History, b_end: int) -> int:
    """Offset by offset: the first offset both logs still hold, below the shorter log's end,
    whose reigns differ; or the shorter log's end."""
    a.check_log_end(a_end)
    b.check_log_end(b_end)
    end = min(a_end, b_end)
    for x in range(end):
        ra, rb = a.reign_at(x), b.reign_at(x)
        if ra is None or rb is None:
            continue  # before one log's first start (deleted, or never written): not compared
        if not same_reign(ra, rb):
            return x
    return end


def follower_step(f: History, f_end: int, answer: tuple[int, int] | None) -> tuple[int, bool]:
    """KIP-279's follower: what to truncate to given the leader's answer, and whether done."""
    f.check_log_end(f_end)
    if not f.entries:
        return (f_end, True)
    if answer is None:
        return (f.entries[-1][1], len(f.entries) == 1)
    epoch, end = answer
    own = f.end_offset_for(epoch, f_end)
    if own is None:
        return (min(end, f_end), True)
    if own[0] == epoch:
        return (min(own[1], end, f_end), True)
    return (min(own[1], f_end), False)


@dataclass
class Member:
    id: str
    live: bool
    log_epoch: int = 0
    log_end: int = 0


def fresh_decision(members: list[Member], max_lag: int) -> tuple[str | None, str, dict[str, str]]:
    """§8 with only the freshness toggle on, for members with distinct ids: (leader, reason,
    {id: exclusion})."""
    live = [m for m in members if m.live]
    if not members:
        return (None, "no_members", {})
    why = {m.id: "dead" for m in members if not m.live}
    if not live:
        return (None, "no_live_members", why)
    freshest = max((m.log_epoch, m.log_end) for m in live)
    candidates = []
    for m in live:
        if m.log_epoch == freshest[0] and freshest[1] - m.log_end <= max_lag:
            candidates.append(m)
        else:
            why[m.id] = "behind"
    if not candidates:
        return (None, "no_fresh_members", why)
    leader = min(candidates, key=lambda m: m.id.encode("utf-8"))
    for m in candidates:
        if m is not leader:
            why[m.id] = "outranked_by_smaller_id"
    return (leader.id, "only_candidate" if len(candidates) == 1 else "smallest_id", why)
