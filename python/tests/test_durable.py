"""Durable gates from Python: marks that survive closing and reopening, one owner at a time,
damaged files refused (never reset), failed writes that acknowledge nothing, bad arguments,
and threads sharing one handle."""

from __future__ import annotations

import os
import pathlib
import pickle
import threading

import pytest

import tael_coord as tc

U64_MAX = 2**64 - 1


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
