"""Claimants and leader epochs in decisions (SEMANTICS.md §8), and leader-change events between
observed decision lists (§16): `transitions`, `Event`, `watch`, and arguments read once."""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

import tael_coord as tc


def view(*members: dict[str, object], group: str = "g") -> dict[str, object]:
    return {"groups": {group: {"members": list(members)}}}


def decided(*members: dict[str, object], group: str = "g") -> list[tc.Decision]:
    return tc.elect_leaders(view(*members, group=group))


def test_a_decision_lists_every_other_member_that_claims_to_lead() -> None:
    (d,) = decided(
        {"id": "a", "live": True, "epoch": 7, "claims_epoch": 7},
        {"id": "b", "live": True, "generation": "2", "claims_epoch": "6"},
        {"id": "c", "live": False, "claims_epoch": 5},
        {"id": "d", "live": True, "claims_epoch": None},
    )
    assert (d.leader, d.leader_epoch) == ("a", 7)
    assert d.claimants == (tc.Claimant("b", 2, 6),), "a dead claimant never counts; null is no claim"
    assert json.loads(d.to_json())["claimants"] == [{"id": "b", "generation": "2", "claims_epoch": "6"}]
    assert json.loads(d.to_json())["leader_epoch"] == "7"
    claimant = d.claimants[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        claimant.claims_epoch = 9  # type: ignore[misc]
    assert repr(claimant) == "Claimant(id='b', generation=2, claims_epoch=6)"
    assert pickle.loads(pickle.dumps(d)) == d
    # Without a leader every claimant is listed, and there is no leader epoch.
    ineligible = view({"id": "a", "live": True, "eligible": False, "claims_epoch": 2**64 - 1})
    (lone,) = tc.elect_leaders(ineligible, eligibility=True)
    assert (lone.leader, lone.leader_epoch, lone.claimants) == (None, None, (tc.Claimant("a", 0, 2**64 - 1),))
    # A view written back keeps a claim, and writes no claims_epoch where there is none.
    assert tc.normalize_view(view({"id": "a", "live": True, "claims_epoch": 3})).count('"claims_epoch":"3"') == 1
    assert "claims_epoch" not in tc.normalize_view(view({"id": "a", "live": True, "claims_epoch": None}))


def test_transitions_reports_each_groups_change_in_group_order() -> None:
    before = tc.elect_leaders(
        {
            "groups": {
                "b": {"members": [{"id": "x", "live": True, "epoch": "3"}]},
                "c": {"members": [{"id": "x", "live": True}]},
                "d": {"members": [{"id": "x", "live": True}]},
            }
        }
    )
    after = tc.elect_leaders(
        {
            "groups": {
                "a": {"members": [{"id": "y", "live": True}]},
                "b": {"members": [{"id": "x", "live": True, "epoch": "4"}]},
                "c": {"members": [{"id": "x", "live": False}]},
                "d": {"members": [{"id": "x", "live": True}]},
            }
        }
    )
    events = tc.transitions(before, after)
    assert events == [
        tc.Event("elected", "a", "y", 0, 0, None, None, None),
        tc.Event("changed", "b", "x", 0, 4, "x", 0, 3),
        tc.Event("lost", "c", None, None, None, "x", 0, 0),
    ]
    assert [e.to_json() for e in events] == [
        '{"event":"elected","group":"a","leader":"y","generation":"0","epoch":"0","previous":null,"previous_generation":null,"previous_epoch":null}',
        '{"event":"changed","group":"b","leader":"x","generation":"0","epoch":"4","previous":"x","previous_generation":"0","previous_epoch":"3"}',
        '{"event":"lost","group":"c","leader":null,"generation":null,"epoch":null,"previous":"x","previous_generation":"0","previous_epoch":"0"}',
    ]
    assert tc.transitions(after, after) == [] and tc.transitions([], []) == []
    assert [e.event for e in tc.transitions(after, before)] == ["lost", "changed", "elected"]
    # UTF-8 byte order of the names, not UTF-16's: U+FF61 sorts before U+1F600 in UTF-16 only.
    groups = ["\U0001f600", "\uff61", "z"]
    lists = [decided({"id": "n", "live": True}, group=g)[0] for g in groups]
    assert [e.group for e in tc.transitions([], lists)] == ["z", "\uff61", "\U0001f600"]


def test_events_are_immutable_values() -> None:
    event = tc.Event("changed", "g", "b", 1, 8, "a", 3, 7)
    assert event == tc.Event("changed", "g", "b", 1, 8, "a", 3, 7) and hash(event) == hash(tc.Event("changed", "g", "b", 1, 8, "a", 3, 7))
    assert event != tc.Event("changed", "g", "b", 1, 8, "a", 3, 6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.leader = "c"  # type: ignore[misc]
    assert repr(event) == (
        "Event(event='changed', group='g', leader='b', generation=1, epoch=8, previous='a', "
        "previous_generation=3, previous_epoch=7)"
    )
    assert pickle.loads(pickle.dumps(event)) == event
    top = tc.Event("elected", "g", "a", 2**64 - 1, 2**64 - 1, None, None, None)
    assert json.loads(top.to_json())["epoch"] == "18446744073709551615", "u64 values are exact"


def test_watch_compares_successive_views_lazily() -> None:
    one = view({"id": "a", "live": True})
    two = view({"id": "a", "live": False}, {"id": "b", "live": True})
    seen: list[int] = []

    def polls() -> Iterator[tc.ViewLike]:
        forms: list[tc.ViewLike] = [one, json.dumps(one), two, one]
        for n, v in enumerate(forms):
            seen.append(n)
            yield v

    events = tc.watch(polls())
    assert seen == [], "nothing is read before the first event is asked for"
    assert next(events) == tc.Event("elected", "g", "a", 0, 0, None, None, None)
    assert seen == [0], "the first view's leaders are elected: the watcher starts from nothing"
    second = next(events)
    assert seen == [0, 1, 2], "an unchanged view yields nothing"
    assert second == tc.Event("changed", "g", "b", 0, 0, "a", 0, 0)
    assert list(events) == [tc.Event("changed", "g", "a", 0, 0, "b", 0, 0)]
    assert seen == [0, 1, 2, 3]
    assert list(tc.watch([])) == []
    assert list(tc.watch([one])) == [tc.Event("elected", "g", "a", 0, 0, None, None, None)]
    # The policy is applied to every view, and read once.
    sticky = view({"id": "a", "live": True}, {"id": "b", "live": True})
    sticky["groups"]["g"]["incumbent"] = "b"  # type: ignore[index]
    assert list(tc.watch([one, sticky], tc.Policy(sticky_incumbent=True)))[1:] == [tc.Event("changed", "g", "b", 0, 0, "a", 0, 0)]
    assert list(tc.watch([one, sticky]))[1:] == []

    class Once(collections.abc.Mapping[str, object]):
        reads = 0

        def __getitem__(self, key: str) -> object:
            return {"sticky_incumbent": True}[key]

        def __iter__(self) -> Iterator[str]:
            Once.reads += 1
            return iter(["sticky_incumbent"])

        def __len__(self) -> int:
            return 1

    assert list(tc.watch([one, sticky, sticky, one], Once()))[1].leader == "b"
    assert Once.reads == 1


class Boom(Exception):
    pass


def test_transitions_reads_each_argument_once_and_its_errors_go_up() -> None:
    before = decided({"id": "a", "live": True})
    after = decided({"id": "b", "live": True})
    want = [tc.Event("changed", "g", "b", 0, 0, "a", 0, 0)]

    class Once:
        """First pass gives its decisions, later passes others; counts passes."""

        def __init__(self, items: list[tc.Decision]) -> None:
            self.items, self.passes = items, 0

        def __iter__(self) -> Iterator[tc.Decision]:
            self.passes += 1
            return iter(self.items if self.passes == 1 else [])

    previous, next_ = Once(before), Once(after)
    assert tc.transitions(previous, next_) == want
    assert previous.passes == next_.passes == 1

    class Shifty:
        """A sequence whose length lies and whose items change on a second read."""

        def __init__(self) -> None:
            self.reads = 0

        def __len__(self) -> int:
            return 1000

        def __getitem__(self, i: int) -> tc.Decision:
            if i >= 1:
                raise IndexError(i)
            self.reads += 1
            return before[0] if self.reads == 1 else after[0]

    collections.abc.Sequence.register(Shifty)
    shifty = Shifty()
    assert tc.transitions(shifty, after) == want  # type: ignore[arg-type]
    assert shifty.reads == 1

    def broken() -> Iterator[tc.Decision]:
        yield before[0]
        raise Boom("from the caller's iterator")

    class BadIter:
        def __iter__(self) -> Iterator[tc.Decision]:
            raise Boom("from __iter__")

    class NotAnIterator:
        def __iter__(self) -> int:
            return 5

    with pytest.raises(Boom, match="caller's iterator"):
        tc.transitions(broken(), after)
    with pytest.raises(Boom, match="from __iter__"):
        tc.transitions(before, BadIter())
    with pytest.raises(tc.InvalidArgumentError, match="next must be an iterable of Decision"):
        tc.transitions(before, NotAnIterator())  # type: ignore[arg-type]
    with pytest.raises(tc.InvalidArgumentError, match=r"previous\[1\] must be a Decision, not Event"):
        tc.transitions([before[0], want[0]], after)  # type: ignore[list-item]
    with pytest.raises(tc.InvalidArgumentError, match=r'next: the group "g" is listed twice'):
        tc.transitions(before, after * 2)


def test_each_field_of_a_decision_is_read_once() -> None:
    (d,) = decided({"id": "a", "live": True, "epoch": 4})
    reads: dict[str, int] = {}

    def shifty(name: str, first: object, later: object) -> Any:
        def get(self: object) -> object:
            reads[name] = reads.get(name, 0) + 1
            return first if reads[name] == 1 else later

        return property(get)

    # A Decision whose fields answer differently after their first read.
    shifting = {"leader": shifty("leader", "a", 5), "leader_epoch": shifty("leader_epoch", 4, "x"), "excluded": shifty("excluded", (), None)}
    Shifting = type("Shifting", (tc.Decision,), {"__slots__": (), **shifting})
    sly: tc.Decision = object.__new__(Shifting)
    for f in dataclasses.fields(d):
        if f.name not in shifting:
            object.__setattr__(sly, f.name, getattr(d, f.name))
    assert tc.transitions([], [sly]) == [tc.Event("elected", "g", "a", 0, 4, None, None, None)]
    assert reads == {"leader": 1, "leader_epoch": 1, "excluded": 1}
    with pytest.raises(tc.InvalidArgumentError):
        sly.to_json()  # the second reads' values are refused, never written
    assert reads["leader"] == 2 and max(reads.values()) == 2, "read once per call"


def test_a_decision_with_values_of_the_wrong_type_is_refused_not_written() -> None:
    (d,) = decided({"id": "a", "live": True})

    class Index:
        """Stands in for an int through __index__, which must never be asked."""

        calls = 0

        def __index__(self) -> int:
            Index.calls += 1
            return 1

    for bad in (
        dataclasses.replace(d, leader_generation=Index()),  # type: ignore[arg-type]
        dataclasses.replace(d, leader_index=Index()),  # type: ignore[arg-type]
        dataclasses.replace(d, claimants=(tc.Claimant("b", Index(), 1),)),  # type: ignore[arg-type]
    ):
        with pytest.raises(tc.InvalidArgumentError):
            bad.to_json()
        with pytest.raises(tc.InvalidArgumentError):
            tc.transitions([bad], [])
    assert Index.calls == 0
