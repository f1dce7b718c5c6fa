"""Durable gates from Python: marks that survive closing and reopening, one owner at a time,
damaged files refused (never reset), failed writes that acknowledge nothing, bad arguments,
and threads sharing one handle."""

from __future__ import annotations

import os
import pathlib
import pickle
import threading
from collections.abc import Callable
from typing import Any

import pytest

import tael_coord as tc

U64_MAX = 2**64 - 1
# Every verdict's status name, in the core's order: the keys of counters().
COUNTED = ["CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT", "CLOSED"]


def test_a_gate_reads_its_mark_back(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "wal-0.gate"
    with pytest.raises(tc.StorageError) as missing:
        tc.DurableFencer(path)
    assert missing.value.code == "STORAGE" and "create" in str(missing.value)
    assert isinstance(missing.value, OSError) and isinstance(missing.value, tc.TaelError)
    assert list(tmp_path.iterdir()) == [], "a refused open leaves nothing behind"

    with tc.DurableFencer(path, create=True) as gate:
        assert gate.path == path.resolve() and gate.highest == 0 and not gate.closed
        assert gate.check(5) == tc.EpochFencer(0).check(5)
        assert gate.promote() == 6
        assert gate.check_and_advance(4) is False
        assert gate.check(6).code == "CURRENT"
        assert repr(gate) == f"DurableFencer({str(path.resolve())!r}, highest=6)"
    assert gate.closed and repr(gate).endswith(", closed)")

    reopened = tc.DurableFencer(str(path), create=True, jump_cap=3)
    assert reopened.highest == 6, "create never resets an existing file"
    assert reopened.jump_cap == 3
    far = reopened.check(10)
    assert (far.code, far.cap, far.highest) == ("TOO_FAR_AHEAD", 3, 6)
    reopened.close()


def test_one_owner_at_a_time_and_close(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gate"
    first = tc.DurableFencer(path, create=True)
    with pytest.raises(tc.StorageError, match="in use"):
        tc.DurableFencer(path)
    first.check(3)
    first.close()
    first.close()  # idempotent
    for call in (first.promote, lambda: first.check(9), lambda: first.check_and_advance(9), lambda: first.highest):
        with pytest.raises(tc.StorageError, match="closed"):
            call()
    second = tc.DurableFencer(path)
    assert second.highest == 3
    second.close()


def test_a_failed_write_acknowledges_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gate"
    gate = tc.DurableFencer(path, create=True)
    gate.check(10)
    (tmp_path / "gate.tmp").mkdir()  # the temporary file cannot be made: every write fails
    with pytest.raises(tc.StorageError):
        gate.check(11)
    with pytest.raises(tc.StorageError):
        gate.promote()
    assert gate.check(10).code == "CURRENT" and gate.check(2).code == "STALE_EPOCH"
    assert gate.highest == 10
    (tmp_path / "gate.tmp").rmdir()
    assert gate.promote() == 11
    gate.close()
    assert tc.DurableFencer(path).highest == 11


def test_every_damaged_file_is_refused_and_left_alone(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gate"
    with tc.DurableFencer(path, create=True) as gate:
        gate.check(U64_MAX - 7)
    good = path.read_bytes()
    damaged = [good[:n] for n in range(len(good))]
    damaged += [good[:i] + bytes([good[i] ^ 0x10]) + good[i + 1 :] for i in range(len(good))]
    damaged += [good + b"\n", good + good, good.replace(b"gate", b"registry")]
    for bytes_ in damaged:
        path.write_bytes(bytes_)
        with pytest.raises(tc.StorageError):
            tc.DurableFencer(path, create=True)
        assert path.read_bytes() == bytes_
    path.write_bytes(good)
    with tc.DurableFencer(path) as gate:
        assert gate.highest == U64_MAX - 7
    with pytest.raises(tc.StorageError, match="durable gate file, not a durable registry"):
        tc.DurableRegistry(path)


def test_bad_arguments(tmp_path: pathlib.Path) -> None:
    for path in (123, None, b"gate", ["gate"]):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableFencer(path, create=True)  # type: ignore[arg-type]
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableRegistry(path, create=True)  # type: ignore[arg-type]
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableHolderFencer(path, create=True)  # type: ignore[arg-type]
    for text in ("", str(tmp_path / "a\0b"), "/"):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableFencer(text, create=True)
    with pytest.raises(tc.InvalidUtf8Error):
        tc.DurableFencer(str(tmp_path / "\ud800"), create=True)
    with pytest.raises(tc.StorageError):
        tc.DurableFencer(tmp_path, create=True)  # a directory
    with pytest.raises(tc.StorageError):
        tc.DurableFencer(tmp_path / "no" / "such" / "gate", create=True)
    for create in (1, "yes", None):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableFencer(tmp_path / "g", create=create)  # type: ignore[arg-type]
    with pytest.raises(tc.InvalidEpochError):
        tc.DurableFencer(tmp_path / "g", create=True, jump_cap=-1)
    assert list(tmp_path.iterdir()) == [], "no refused open made a file"
    with tc.DurableFencer(tmp_path / "g", create=True) as gate:
        with pytest.raises(tc.InvalidEpochError):
            gate.check(2**64)
        with pytest.raises(tc.InvalidArgumentError):
            gate.check(True)
        with pytest.raises(TypeError):
            pickle.dumps(gate)
        assert gate.highest == 0


def test_a_registry_keeps_every_change(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "registry"
    with pytest.raises(tc.StorageError):
        tc.DurableRegistry(path)
    with tc.DurableRegistry(os.fspath(path), create=True, jump_cap=100) as r:
        assert len(r) == 0 and r.jump_cap == 100 and r.path == path.resolve()
        r.add("wal-0", 3)
        r.add("wal-1")
        r.add("gone", 5)
        with pytest.raises(tc.StreamExistsError):
            r.add("wal-0", 9)
        with pytest.raises(tc.InvalidIdError):
            r.add("", 9)
        assert r.check("wal-0", 8).from_ == 3
        assert r.check("wal-0", 500).code == "TOO_FAR_AHEAD"
        assert r.check_and_advance("wal-0", 2) is False
        with pytest.raises(tc.UnknownStreamError):
            r.check("nope", 1)
        assert r.promote("wal-1") == 1
        assert r.remove("gone") == 5 and "gone" not in r and "wal-0" in r
        r.restore(tc.Snapshot({"wal-1": 40, "wal-0": 1}))
        r.restore('{"streams": {"wal-2": "7"}}')
        with pytest.raises(tc.InvalidSnapshotError):
            r.restore('{"streams": {"wal-2": -1}}')
        with pytest.raises(tc.InvalidArgumentError):
            r.restore({"wal-2": 9})  # type: ignore[arg-type]
        assert repr(r) == f"DurableRegistry({str(path.resolve())!r}, streams=3, jump_cap=100)"
    with pytest.raises(tc.StorageError, match="closed"):
        len(r)
    with tc.DurableRegistry(path, create=True) as r:
        assert r.snapshot() == tc.Snapshot({"wal-0": 8, "wal-1": 40, "wal-2": 7})
        assert r.highest("wal-1") == 40 and r.jump_cap is None
    with pytest.raises(tc.StorageError, match="durable registry file, not a durable gate"):
        tc.DurableFencer(path)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(tc.StorageError, match="corrupt"):
        tc.DurableRegistry(path, create=True)


def test_threads_share_one_durable_gate(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gate"
    gate = tc.DurableFencer(path, create=True)
    start = threading.Barrier(8)
    seen: list[list[int]] = [[] for _ in range(8)]

    def work(i: int) -> None:
        start.wait()
        for _ in range(15):
            seen[i].append(gate.promote())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = sorted(e for run in seen for e in run)
    assert every == list(range(1, 121)), "each promotion got its own epoch, none lost"
    assert all(run == sorted(run) for run in seen)
    assert gate.highest == 120
    gate.close()
    assert tc.DurableFencer(path).highest == 120


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as SEMANTICS.md §12 defines the file's checksum."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def holder_file(body: str) -> bytes:
    """A version-2 gate file (a holder gate's) with ``body``, its checksum right."""
    head = f"tael-coord durable-gate 2\n{body}\n".encode()
    return head + f"crc32c {crc32c(head):08x}\n".encode()


def test_a_holder_gate_keeps_its_vote_and_its_close(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "wal-0.vote"
    assert crc32c(b"123456789") == 0xE3069283
    with pytest.raises(tc.StorageError, match="create"):
        tc.DurableHolderFencer(path)
    with tc.DurableHolderFencer(path, create=True) as gate:
        assert (gate.state, gate.reign_closed, gate.jump_cap) == ((0, None), False, None)
        assert gate.path == path.resolve() and not gate.closed
        assert gate.check(4, "node-a") == tc.HolderFencer().check(4, "node-a")
        assert repr(gate) == f"DurableHolderFencer({str(path.resolve())!r}, highest=4, holder='node-a')"
    assert gate.closed and repr(gate).endswith(", closed)")

    with tc.DurableHolderFencer(path) as gate:
        assert (gate.state, gate.highest, gate.holder) == ((4, "node-a"), 4, "node-a"), "the vote survives"
        assert gate.check(4, "node-b").code == "CONFLICT"
        closed = gate.close_reign(4, "node-a")
        assert (closed.code, closed.holder, closed.accepted) == ("CLOSED", "node-a", False)
    assert path.read_bytes() == holder_file('{"highest":"4","holder":"node-a","closed":true}')

    with tc.DurableHolderFencer(path, jump_cap=1) as gate:
        assert gate.reign_closed, "the close survives"
        assert gate.check(4, "node-a").code == "CLOSED" and gate.check_and_advance(4, "node-b") is False
        assert gate.adopt(4, "node-b").code == "CLOSED"
        assert gate.check(3, "node-a").code == "STALE_EPOCH"
        assert repr(gate).endswith("highest=4, holder='node-a', reign_closed=True, jump_cap=1)")
        far = gate.adopt(9, "node-b")
        assert (far.code, far.from_) == ("ADVANCED", 4), "adopting ignores the jump cap"
        assert gate.promote_to_at_least(5, "node-c") == 10
    with tc.DurableHolderFencer(path) as gate:
        assert (gate.state, gate.reign_closed) == ((10, "node-c"), False)
        assert gate.promote("node-a") == 11


def test_a_holder_gate_takes_over_a_plain_gate_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "gate"
    with tc.DurableFencer(path, create=True) as plain:
        assert plain.promote_to_at_least(7) == 7
    version_1 = path.read_bytes()
    assert version_1.startswith(b"tael-coord durable-gate 1\n")
    with tc.DurableHolderFencer(path) as gate:
        assert (gate.state, gate.reign_closed) == ((7, None), False)
        assert gate.check(6, "a").code == "STALE_EPOCH"
    assert path.read_bytes() == version_1, "opening (and a verdict that changes nothing) writes nothing"
    with tc.DurableHolderFencer(path) as gate:
        assert gate.check(7, "a").code == "CURRENT", "the first holder at the current epoch"
    assert path.read_bytes() == holder_file('{"highest":"7","holder":"a","closed":false}')
    with pytest.raises(tc.StorageError, match="is a durable holder gate file"):
        tc.DurableFencer(path)
    with pytest.raises(tc.StorageError, match="durable holder gate file, not a durable registry"):
        tc.DurableRegistry(path)


def test_every_damaged_holder_file_is_refused_and_left_alone(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "vote"
    with tc.DurableHolderFencer(path, create=True) as gate:
        gate.close_reign(U64_MAX, "node-a")
    good = path.read_bytes()
    damaged = [good[:n] for n in range(0, len(good), 3)]
    damaged += [good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1 :] for i in range(len(good))]
    # Bodies whose checksum is right but whose state is not a reign.
    damaged += [
        holder_file(body)
        for body in (
            '{"highest":"1"}',
            '{"highest":"1","holder":null}',
            '{"highest":"1","holder":"","closed":false}',
            '{"highest":"1","holder":"\\u0007","closed":false}',
            '{"highest":"1","holder":null,"closed":true}',
            '{"highest":"1","holder":"a","closed":"yes"}',
            '{"highest":"-1","holder":"a","closed":false}',
            '{"highest":"1","holder":"a","closed":false,"x":1}',
        )
    ]
    for bytes_ in damaged:
        path.write_bytes(bytes_)
        with pytest.raises(tc.StorageError):
            tc.DurableHolderFencer(path, create=True)
        assert path.read_bytes() == bytes_
    path.write_bytes(good)
    with tc.DurableHolderFencer(path) as gate:
        assert (gate.state, gate.reign_closed) == ((U64_MAX, "node-a"), True)
        with pytest.raises(tc.EpochOverflowError):
            gate.promote("node-b")


def test_a_released_holder_gate_raises_and_one_owner_at_a_time(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "vote"
    first = tc.DurableHolderFencer(path, create=True, counters=True)
    with pytest.raises(tc.StorageError, match="in use"):
        tc.DurableHolderFencer(path)
    first.check(3, "a")
    first.close()
    first.close()  # idempotent
    calls = [
        lambda: first.check(3, "a"),
        lambda: first.check_and_advance(3, "a"),
        lambda: first.promote("a"),
        lambda: first.promote_to_at_least(9, "a"),
        lambda: first.close_reign(3, "a"),
        lambda: first.adopt(3, "a"),
        lambda: first.state,
        lambda: first.highest,
        lambda: first.holder,
        lambda: first.reign_closed,
        lambda: first.jump_cap,
        lambda: first.refuses_epoch_zero,
        first.counters,
    ]
    for call in calls:
        with pytest.raises(tc.StorageError, match="durable holder gate is closed"):
            call()
    with tc.DurableHolderFencer(path) as second:
        assert second.state == (3, "a")
        with pytest.raises(TypeError):
            pickle.dumps(second)


def test_a_failed_holder_write_acknowledges_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "vote"
    gate = tc.DurableHolderFencer(path, create=True)
    gate.check(4, "a")
    (tmp_path / "vote.tmp").mkdir()  # every write fails
    for change in (
        lambda: gate.check(5, "b"),
        lambda: gate.close_reign(4, "a"),
        lambda: gate.adopt(4, "b"),
        lambda: gate.adopt(5, "b"),
        lambda: gate.promote("b"),
    ):
        with pytest.raises(tc.StorageError):
            change()
    # Verdicts that change nothing write nothing, so they still answer.
    assert gate.check(4, "a").code == "CURRENT" and gate.check(4, "b").code == "CONFLICT"
    assert gate.close_reign(3, "a").code == "STALE_EPOCH" and gate.adopt(4, "a").code == "CURRENT"
    assert (gate.state, gate.reign_closed) == ((4, "a"), False)
    (tmp_path / "vote.tmp").rmdir()
    assert gate.close_reign(4, "a").code == "CLOSED"
    gate.close()
    with tc.DurableHolderFencer(path) as again:
        assert (again.state, again.reign_closed) == ((4, "a"), True)


def test_options_are_the_handles_not_the_files(tmp_path: pathlib.Path) -> None:
    def gate(**options: bool) -> tc.DurableFencer:
        return tc.DurableFencer(tmp_path / "gate", create=True, **options)

    def holder_gate(**options: bool) -> tc.DurableHolderFencer:
        return tc.DurableHolderFencer(tmp_path / "vote", create=True, **options)

    def registry(**options: bool) -> tc.DurableRegistry:
        made = tc.DurableRegistry(tmp_path / "registry", create=True, **options)
        if "s" not in made:
            made.add("s")
        return made

    kinds: list[tuple[Callable[..., Any], Callable[[Any, int], tc.Verdict]]] = [
        (gate, lambda g, e: g.check(e)),
        (holder_gate, lambda g, e: g.check(e, "a")),
        (registry, lambda g, e: g.check("s", e)),
    ]
    for open_, check in kinds:
        with open_(refuse_zero=True, counters=True) as handle:
            assert handle.refuses_epoch_zero is True
            assert repr(handle).endswith(", refuse_zero=True, counters=True)")
            with pytest.raises(tc.InvalidEpochError):
                check(handle, 0)
            assert check(handle, 2).code == "ADVANCED" and check(handle, 1).code == "STALE_EPOCH"
            assert handle.counters() == {
                "CURRENT": 0,
                "ADVANCED": 1,
                "STALE_EPOCH": 1,
                "TOO_FAR_AHEAD": 0,
                "CONFLICT": 0,
                "CLOSED": 0,
            }
        with open_() as handle:
            assert handle.refuses_epoch_zero is False and handle.counters() is None
            assert check(handle, 0).code == "STALE_EPOCH", "epoch 0 is a verdict again"
        with open_(counters=True) as handle:
            assert handle.counters() == dict.fromkeys(COUNTED, 0), "counts start at 0 with each handle"
    for bad in (1, None, "yes"):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableHolderFencer(tmp_path / "other", create=True, refuse_zero=bad)  # type: ignore[arg-type]
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableRegistry(tmp_path / "other", create=True, counters=bad)  # type: ignore[arg-type]
    assert not (tmp_path / "other").exists(), "no refused open made a file"


def test_threads_share_one_durable_holder_gate(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "vote"
    gate = tc.DurableHolderFencer(path, create=True, counters=True)
    start = threading.Barrier(8)
    seen: list[list[int]] = [[] for _ in range(8)]

    def work(i: int) -> None:
        start.wait()
        for _ in range(10):
            epoch = gate.promote(f"node-{i}")
            seen[i].append(epoch)
            gate.check(epoch, f"node-{i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e for run in seen for e in run) == list(range(1, 81)), "each promotion its own epoch"
    counts = gate.counters()
    assert counts is not None and sum(counts.values()) == 80, "every check counted once"
    assert counts["CURRENT"] + counts["STALE_EPOCH"] == 80
    state = gate.state
    gate.close()
    with tc.DurableHolderFencer(path) as again:
        assert again.state == state and state[0] == 80
