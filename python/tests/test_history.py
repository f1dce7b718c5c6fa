"""Epoch histories from Python: `EpochHistory`, `DurableHistory`, `divergence_point` and
`follower_step`: their shapes, inputs read once, pickling, a durable history's file (read back,
one owner, damage refused, failed writes that change nothing), and threads sharing one."""

from __future__ import annotations

import os
import pathlib
import pickle
import threading
from collections.abc import Callable, Iterator

import pytest

import tael_coord as tc

U64_MAX = 2**64 - 1
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


def test_the_issue_examples() -> None:
    leader = tc.EpochHistory()
    assert leader.assign(1, 0) is True
    assert leader.assign(3, 8) is True
    follower = tc.EpochHistory([(1, 0), (2, 5)])
    # Offsets 5..8 of the follower were written by reign 2, which the leader never saw.
    assert tc.divergence_point(leader, 12, follower, 9) == 5
    assert leader.end_offset_for(2, 12) == (1, 8)

    # The counterexample: the leader's reign 2 starts later than the follower's.
    leader = tc.EpochHistory([(1, 0), (2, 5)])
    assert tc.divergence_point(leader, 10, [(1, 0), (2, 3)], 10) == 3
    answer = leader.end_offset_for(2, 10)
    assert answer == (2, 10)
    assert tc.follower_step([(1, 0), (2, 3)], 10, answer) == (10, True)


def test_shapes() -> None:
    h = tc.EpochHistory([(1, 0), (2, 5, "node-b")])
    assert h.entries == [(1, 0), (2, 5, "node-b")]
    assert all(type(e) is tuple for e in h.entries)
    assert len(h) == 2 and h and h.latest_epoch == 2
    assert h.to_json() == (
        '{"entries":[{"epoch":"1","start_offset":"0"},'
        '{"epoch":"2","start_offset":"5","holder":"node-b"}]}'
    )
    assert tc.EpochHistory.from_json(h.to_json()) == h
    assert repr(h) == "EpochHistory([(1, 0), (2, 5, 'node-b')])"
    h.entries.append((9, 9))  # a new list each time: the history does not change
    assert len(h) == 2

    empty = tc.EpochHistory()
    assert (len(empty), empty.latest_epoch, empty.entries, bool(empty)) == (0, None, [], False)
    assert repr(empty) == "EpochHistory([])" and empty.to_json() == '{"entries":[]}'
    assert empty == tc.EpochHistory(None) == tc.EpochHistory([]) == tc.EpochHistory(())
    assert empty.end_offset_for(0, 0) is None

    edges = tc.EpochHistory([(0, 0), (U64_MAX, U64_MAX, "x" * 255)])
    assert edges.entries == [(0, 0), (U64_MAX, U64_MAX, "x" * 255)]
    assert edges.end_offset_for(U64_MAX, U64_MAX) == (U64_MAX, U64_MAX)

    with pytest.raises(AttributeError):
        h.latest_epoch = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        h.extra = 1  # type: ignore[attr-defined]


def test_every_form_of_entries() -> None:
    want = tc.EpochHistory([(1, 0), (2, 5, "node-b")])

    def gen() -> Iterator[tuple[int, int] | tuple[int, int, str]]:
        yield (1, 0)
        yield (2, 5, "node-b")

    forms: list[object] = [
        [(1, 0), (2, 5, "node-b")],
        ((1, 0), (2, 5, "node-b")),
        [[1, 0], [2, 5, "node-b"]],
        [(1, 0, None), (2, 5, "node-b")],
        gen(),
        iter([(1, 0), (2, 5, "node-b")]),
        want,
        tc.EpochHistory.from_json(want.to_json()),
    ]
    for form in forms:
        assert tc.EpochHistory(form) == want, form  # type: ignore[arg-type]

    import enum

    class E(enum.IntEnum):
        TWO = 2

    assert tc.EpochHistory([(1, 0), (E.TWO, 5, "node-b")]) == want


def test_equality_copies_and_pickles() -> None:
    h = tc.EpochHistory([(1, 0, "n'a"), (2, 5)])
    assert h == h and not (h != h)
    assert h == tc.EpochHistory([(1, 0, "n'a"), (2, 5)])
    assert h != tc.EpochHistory([(1, 0), (2, 5)]), "holders are part of the history"
    assert h != h.entries and h != h.to_json() and h != 5
    with pytest.raises(TypeError):
        hash(h)  # mutable: not hashable
    copy = tc.EpochHistory(h)
    assert copy == h and copy is not h
    assert copy.assign(3, 9) is True
    assert len(h) == 2, "a copy is a separate history"
    for proto in PROTOCOLS:
        for original in (h, tc.EpochHistory(), tc.EpochHistory([(U64_MAX, U64_MAX, "z")])):
            again = pickle.loads(pickle.dumps(original, proto))
            assert type(again) is tc.EpochHistory and again == original and again is not original
            assert again.entries == original.entries
    again = pickle.loads(pickle.dumps(h))
    again.truncate_from_end(0)
    assert h.entries == [(1, 0, "n'a"), (2, 5)]


def test_assign_truncations_and_end_offsets() -> None:
    h = tc.EpochHistory()
    assert h.assign(1, 0) is True
    assert h.assign(1, 5) is False, "the latest reign at a later start changes nothing"
    assert h.assign(2, 5) is True and h.assign(3, 9) is True
    assert h.assign(2, 7) is True, "an older epoch removes every entry at or above it"
    assert h.entries == [(1, 0), (2, 7)]
    assert h.assign(4, 3) is True and h.entries == [(1, 0), (4, 3)]
    assert h.assign(4, 2) is True and h.entries == [(1, 0), (4, 2)]
    assert h.assign(4, 6, "b") is False, "an entry without a holder matches any holder"
    held = tc.EpochHistory([(4, 2, "a")])
    assert held.assign(4, 6, "b") is True and held.entries == [(4, 6, "b")]
    assert held.assign(4, 8, holder="b") is False

    t = tc.EpochHistory([(1, 0), (2, 5), (3, 9)])
    assert t.truncate_from_end(10) is False and t.truncate_from_end(9) is True
    assert t.entries == [(1, 0), (2, 5)]
    assert t.truncate_from_start(0) is False and t.truncate_from_start(6) is True
    assert t.entries == [(2, 6)]

    x = tc.EpochHistory([(2, 3), (4, 8)])
    assert x.end_offset_for(4, 10) == (4, 10)
    assert x.end_offset_for(5, 10) is None
    assert x.end_offset_for(3, 10) == (2, 8)
    assert x.end_offset_for(1, 10) == (1, 3)
    with pytest.raises(tc.InvalidHistoryError):
        x.end_offset_for(4, 7)


class Once:
    """An iterable whose first pass gives its items and later passes something else; it counts
    its passes."""

    def __init__(self, items: list[tuple[int, int]]) -> None:
        self.items = items
        self.passes = 0

    def __iter__(self) -> Iterator[tuple[int, int]]:
        self.passes += 1
        return iter(self.items if self.passes == 1 else [(99, 0)])


def test_every_input_is_read_once() -> None:
    leader, follower = Once([(1, 0), (2, 5)]), Once([(1, 0), (2, 3)])
    assert tc.divergence_point(leader, 10, follower, 10) == 3
    assert leader.passes == follower.passes == 1
    source = Once([(1, 0)])
    assert tc.EpochHistory(source).entries == [(1, 0)] and source.passes == 1
    source = Once([(1, 0), (2, 3)])
    assert tc.follower_step(source, 10, (2, 10)) == (10, True) and source.passes == 1

    class Index:
        """Stands in for an int through __index__, which must never be asked."""

        calls = 0

        def __index__(self) -> int:
            Index.calls += 1
            return 1

    calls: list[Callable[[], object]] = [
        lambda: tc.EpochHistory([(Index(), 0)]),  # type: ignore[list-item]
        lambda: tc.EpochHistory().assign(Index(), 0),  # type: ignore[arg-type]
        lambda: tc.EpochHistory().truncate_from_end(Index()),  # type: ignore[arg-type]
        lambda: tc.divergence_point([], Index(), [], 0),  # type: ignore[arg-type]
        lambda: tc.follower_step([], 0, (Index(), 0)),  # type: ignore[arg-type]
        lambda: tc.Policy(max_lag=Index()),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(tc.InvalidArgumentError):
            call()
    assert Index.calls == 0

    class Lying(tuple):  # type: ignore[type-arg]
        """A tuple whose Python-level reads lie: what it holds is what counts."""

        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("iterated")

        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            raise AssertionError("indexed")

        def __len__(self) -> int:
            return 7

    class LyingList(list):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("iterated")

        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            raise AssertionError("indexed")

    assert tc.EpochHistory([Lying((1, 0)), LyingList([2, 5])]).entries == [(1, 0), (2, 5)]  # type: ignore[list-item]
    assert tc.follower_step([(1, 0)], 5, Lying((1, 4))) == (4, True)
    assert tc.follower_step([(1, 0)], 5, LyingList([1, 4])) == (4, True)  # type: ignore[arg-type]


def test_an_iterables_own_error_goes_up_unchanged_and_changes_nothing() -> None:
    class Boom(Exception):
        pass

    def broken() -> Iterator[tuple[int, int]]:
        yield (1, 0)
        raise Boom("from the caller's iterator")

    class BadIter:
        def __iter__(self) -> Iterator[tuple[int, int]]:
            raise Boom("from __iter__")

    class NotAnIterator:
        def __iter__(self) -> int:
            return 5

    with pytest.raises(Boom, match="caller's iterator"):
        tc.EpochHistory(broken())
    h = tc.EpochHistory([(1, 0)])
    with pytest.raises(Boom):
        tc.divergence_point(h, 5, broken(), 5)
    with pytest.raises(Boom, match="from __iter__"):
        tc.follower_step(BadIter(), 5, None)
    with pytest.raises(tc.InvalidArgumentError):
        tc.EpochHistory(NotAnIterator())  # type: ignore[arg-type]
    assert h.entries == [(1, 0)]


def test_bad_entries_name_where_they_are() -> None:
    with pytest.raises(tc.InvalidEpochError, match=r"entries\[1\] start_offset"):
        tc.EpochHistory([(1, 0), (2, -5)])
    with pytest.raises(tc.InvalidArgumentError, match=r"entries\[0\] epoch"):
        tc.EpochHistory([(1.0, 0)])  # type: ignore[list-item]
    with pytest.raises(tc.InvalidIdError, match=r"entries\[2\] holder"):
        tc.EpochHistory([(1, 0), (2, 3), (3, 4, "")])
    with pytest.raises(tc.InvalidUtf8Error, match=r"entries\[0\] holder"):
        tc.EpochHistory([(1, 0, "a\udfffb")])
    with pytest.raises(tc.InvalidArgumentError, match=r"entries\[0\] has 4 item"):
        tc.EpochHistory([(1, 0, "a", "b")])  # type: ignore[list-item]
    with pytest.raises(tc.InvalidHistoryError, match="strictly increase"):
        tc.EpochHistory([(1, 5), (2, 5)])
    with pytest.raises(tc.InvalidEpochError, match=r"follower\[0\] epoch"):
        tc.divergence_point([], 0, [(2**64, 0)], 0)
    with pytest.raises(tc.InvalidEpochError, match="follower_log_end"):
        tc.divergence_point([], 0, [], -1)
    with pytest.raises(tc.InvalidArgumentError, match="answer end_offset"):
        tc.follower_step([], 0, (1, "2"))  # type: ignore[arg-type]
    with pytest.raises(tc.InvalidArgumentError, match="leader must be"):
        tc.divergence_point("[]", 0, [], 0)  # type: ignore[arg-type]
    with pytest.raises(tc.InvalidArgumentError, match="follower must be"):
        tc.follower_step(5, 0, None)  # type: ignore[arg-type]


def test_divergence_and_steps_take_every_kind_of_history(tmp_path: pathlib.Path) -> None:
    leader: list[tuple[int, int] | tuple[int, int, str]] = [(1, 0), (2, 5, "a"), (4, 9)]
    follower: list[tuple[int, int] | tuple[int, int, str]] = [(1, 0), (2, 5, "b")]
    with tc.DurableHistory(tmp_path / "leader", create=True) as durable:
        for e in leader:
            durable.assign(*e)
        kinds: list[object] = [leader, tc.EpochHistory(leader), durable, iter(leader)]
        for kind in kinds:
            assert tc.divergence_point(kind, 12, follower, 8) == 5  # type: ignore[arg-type]
        assert tc.divergence_point(durable, 12, durable, 10) == 10
        answer = durable.end_offset_for(2, 12)
        assert answer == (2, 9)
        assert tc.follower_step(follower, 8, answer) == (8, True)
        assert tc.follower_step(durable, 12, None) == (9, False)
        assert tc.EpochHistory(durable) == tc.EpochHistory(leader)
        assert durable.entries == leader, "reading a durable history changes nothing"


# The durable history's file: read back, one owner, damage refused, failed writes.


def test_a_durable_history_reads_its_entries_back(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "wal-0.epochs"
    with pytest.raises(tc.StorageError) as missing:
        tc.DurableHistory(path)
    assert missing.value.code == "STORAGE" and "create" in str(missing.value)
    assert list(tmp_path.iterdir()) == [], "a refused open leaves nothing behind"

    with tc.DurableHistory(path, create=True) as h:
        assert h.path == path.resolve() and not h.closed
        assert (len(h), h.latest_epoch, h.entries) == (0, None, [])
        assert h.assign(1, 0) is True
        assert h.assign(3, 120, "node-a") is True
        assert h.assign(3, 130, "node-a") is False
        assert h.end_offset_for(2, 200) == (1, 120)
        assert repr(h) == f"DurableHistory({str(path.resolve())!r}, entries=2)"
    assert h.closed and repr(h) == f"DurableHistory({str(path.resolve())!r}, closed)"

    reopened = tc.DurableHistory(str(path), create=True)
    assert reopened.entries == [(1, 0), (3, 120, "node-a")], "create never resets a file"
    assert reopened.latest_epoch == 3 and len(reopened) == 2
    assert tc.EpochHistory.from_json(reopened.to_json()) == tc.EpochHistory(reopened)
    assert reopened.truncate_from_start(50) is True
    assert reopened.truncate_from_end(120) is True
    reopened.close()
    with tc.DurableHistory(os.fspath(path)) as again:
        assert again.entries == [(1, 50)]


def test_one_owner_at_a_time_and_close(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "history"
    first = tc.DurableHistory(path, create=True)
    with pytest.raises(tc.StorageError, match="in use"):
        tc.DurableHistory(path)
    with pytest.raises(tc.StorageError, match="in use"):
        tc.DurableHistory(path, create=True)
    assert first.assign(2, 0) is True
    first.close()
    first.close()  # idempotent
    closed_calls: list[Callable[[], object]] = [
        lambda: first.assign(3, 1),
        lambda: first.truncate_from_end(0),
        lambda: first.truncate_from_start(1),
        lambda: first.end_offset_for(2, 0),
        lambda: first.entries,
        lambda: first.latest_epoch,
        lambda: len(first),
        first.to_json,
        lambda: tc.EpochHistory(first),
        lambda: tc.divergence_point(first, 0, [], 0),
        lambda: tc.follower_step(first, 0, None),
    ]
    for call in closed_calls:
        with pytest.raises(tc.StorageError, match="durable history is closed"):
            call()
    assert first.path == path.resolve(), "the path outlives the file's release"
    with tc.DurableHistory(path) as second:
        assert second.entries == [(2, 0)]


def test_a_failed_write_changes_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "history"
    h = tc.DurableHistory(path, create=True)
    h.assign(1, 0)
    h.assign(2, 5, "a")
    on_disk = path.read_bytes()
    (tmp_path / "history.tmp").mkdir()  # the temporary file cannot be made: every write fails
    changes: list[Callable[[], object]] = [
        lambda: h.assign(3, 9),
        lambda: h.assign(2, 3, "a"),
        lambda: h.truncate_from_end(5),
        lambda: h.truncate_from_start(3),
    ]
    for change in changes:
        with pytest.raises(tc.StorageError):
            change()
        assert h.entries == [(1, 0), (2, 5, "a")]
    # Calls that change nothing write nothing, so they still answer.
    assert h.assign(2, 7, "a") is False
    assert h.truncate_from_end(6) is False and h.truncate_from_start(0) is False
    assert h.end_offset_for(1, 6) == (1, 5)
    assert path.read_bytes() == on_disk
    (tmp_path / "history.tmp").rmdir()
    assert h.assign(3, 9) is True
    h.close()
    with tc.DurableHistory(path) as again:
        assert again.entries == [(1, 0), (2, 5, "a"), (3, 9)]


def test_every_damaged_file_is_refused_and_left_alone(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "history"
    with tc.DurableHistory(path, create=True) as h:
        h.assign(7, 0)
        h.assign(U64_MAX, U64_MAX - 1, "node-a")
    good = path.read_bytes()
    damaged = [good[:n] for n in range(len(good))]
    damaged += [good[:i] + bytes([good[i] ^ 0x10]) + good[i + 1 :] for i in range(len(good))]
    damaged += [good + b"\n", good + good]
    for bytes_ in damaged:
        path.write_bytes(bytes_)
        with pytest.raises(tc.StorageError):
            tc.DurableHistory(path, create=True)
        assert path.read_bytes() == bytes_
    path.write_bytes(good)
    with tc.DurableHistory(path) as h:
        assert h.entries == [(7, 0), (U64_MAX, U64_MAX - 1, "node-a")]
    with pytest.raises(tc.StorageError, match="durable history file, not a durable gate"):
        tc.DurableFencer(path)
    gate = tmp_path / "gate"
    with tc.DurableFencer(gate, create=True):
        pass
    with pytest.raises(tc.StorageError, match="durable gate file, not a durable history"):
        tc.DurableHistory(gate, create=True)


def test_bad_arguments_to_a_durable_history(tmp_path: pathlib.Path) -> None:
    for path in (123, None, b"history", ["history"]):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableHistory(path, create=True)  # type: ignore[arg-type]
    for text in ("", str(tmp_path / "a\0b"), "/"):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableHistory(text, create=True)
    with pytest.raises(tc.InvalidUtf8Error):
        tc.DurableHistory(str(tmp_path / "\ud800"), create=True)
    with pytest.raises(tc.StorageError):
        tc.DurableHistory(tmp_path, create=True)  # a directory
    for create in (1, "yes", None):
        with pytest.raises(tc.InvalidArgumentError):
            tc.DurableHistory(tmp_path / "h", create=create)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tc.DurableHistory(tmp_path / "h", create=True, jump_cap=3)  # type: ignore[call-arg]
    assert list(tmp_path.iterdir()) == [], "no refused open made a file"
    with tc.DurableHistory(tmp_path / "h", create=True) as h:
        h.assign(1, 0)
        bad_calls: list[Callable[[], object]] = [
            lambda: h.assign(2**64, 1),
            lambda: h.assign(2, 1, ""),
            lambda: h.truncate_from_end(-1),
        ]
        for bad in bad_calls:
            with pytest.raises(tc.TaelError):
                bad()
        with pytest.raises(TypeError):
            pickle.dumps(h)
        assert h.entries == [(1, 0)]


def test_threads_share_one_history(tmp_path: pathlib.Path) -> None:
    """Four writers assign distinct epochs (each assign changes the history) while a reader
    checks that every history it sees follows the rules; a durable history's file ends up
    holding exactly what it holds."""
    durable = tc.DurableHistory(tmp_path / "history", create=True)
    for history in (tc.EpochHistory(), durable):
        start = threading.Barrier(5)
        changed = [0] * 4
        seen: list[list[tuple[int, int] | tuple[int, int, str]]] = []

        def write(i: int) -> None:
            start.wait()
            for k in range(25):
                epoch = 4 * k + i + 1
                changed[i] += history.assign(epoch, epoch, f"node-{i}")

        def read() -> None:
            start.wait()
            for _ in range(50):
                seen.append(history.entries)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        threads.append(threading.Thread(target=read))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert changed == [25] * 4, "no two writers assign the same epoch"
        for entries in [*seen, history.entries]:
            assert tc.EpochHistory(entries).entries == entries  # follows the rules
            assert all(e[0] == e[1] and e[2] == f"node-{(e[0] - 1) % 4}" for e in entries)  # type: ignore[misc]
        assert history.latest_epoch in (97, 98, 99, 100)
    final = durable.entries
    durable.close()
    with tc.DurableHistory(tmp_path / "history") as again:
        assert again.entries == final
