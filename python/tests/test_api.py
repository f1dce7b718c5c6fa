"""The shapes of the public API: names, immutability, equality, repr, pickling, version."""

from __future__ import annotations

import dataclasses
import doctest
import importlib.metadata
import json
import pickle
from collections.abc import Iterator

import pytest

import tael_coord as tc

PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)
VIEW = {
    "groups": {
        "wal-0": {
            "members": [
                {"id": "node-b", "live": True, "priority": "2"},
                {"id": "node-a", "live": False},
                {"id": "node-c", "live": True, "priority": 2},
            ],
            "incumbent": "node-c",
        },
        "wal-1": {"members": []},
    }
}


def test_version_is_the_cores() -> None:
    assert tc.__version__ == tc._native.__version__
    assert tc.__version__ == importlib.metadata.version("tael-coord")
    assert tc.__version__.count(".") == 2


def test_the_package_docstring_examples_run() -> None:
    result = doctest.testmod(tc, raise_on_error=False, verbose=False)
    assert result.attempted >= 5 and result.failed == 0


def test_public_names() -> None:
    for name in tc.__all__:
        assert hasattr(tc, name), name
    for cls in (
        tc.Verdict,
        tc.EpochFencer,
        tc.HolderFencer,
        tc.FenceRegistry,
        tc.Snapshot,
        tc.Policy,
        tc.EpochHistory,
        tc.DurableHistory,
        tc.DurableFencer,
        tc.DurableHolderFencer,
        tc.DurableRegistry,
        tc.InvalidHistoryError,
    ):
        assert cls.__module__ == "tael_coord"


def test_issue_shapes() -> None:
    assert tc.elect_leader(["node-c", "node-a", "node-b"]) == "node-a"
    assert tc.elect_leader([]) is None
    fencer = tc.EpochFencer()
    assert fencer.highest == 0
    assert fencer.check_and_advance(5) is True
    v = fencer.check(4)
    assert (v.code, v.accepted, v.epoch, v.highest) == ("STALE_EPOCH", False, 4, 5)
    assert fencer.promote() == 6
    with pytest.raises(AttributeError):
        fencer.highest = 9  # type: ignore[misc]
    assert fencer.highest == 6


def test_verdicts_are_immutable_values() -> None:
    gate = tc.EpochFencer(5, jump_cap=10)
    current, advanced = gate.check(5), gate.check(9)
    stale, far = gate.check(1), gate.check(100)
    assert (advanced.code, advanced.from_, advanced.cap, advanced.holder) == ("ADVANCED", 5, None, None)
    assert (far.code, far.cap, far.highest, far.accepted) == ("TOO_FAR_AHEAD", 10, 9, False)
    assert current == tc.EpochFencer(5).check(5)
    assert current != advanced and hash(current) == hash(tc.EpochFencer(5).check(5))
    assert len({current, advanced, stale, far, tc.EpochFencer(5).check(5)}) == 4
    assert current != "CURRENT"
    with pytest.raises(AttributeError):
        advanced.code = "CURRENT"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        advanced.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        tc.Verdict()
    assert repr(advanced) == "Verdict(code='ADVANCED', accepted=True, epoch=9, highest=9, from_=5)"
    assert repr(far) == "Verdict(code='TOO_FAR_AHEAD', accepted=False, epoch=100, highest=9, cap=10)"
    conflict = tc.HolderFencer(3, holder="n'a").check(3, "b")
    assert repr(conflict) == (
        "Verdict(code='CONFLICT', accepted=False, epoch=3, highest=3, holder=\"n'a\")"
    )
    assert json.loads(conflict.to_json()) == {
        "code": "CONFLICT",
        "accepted": False,
        "epoch": "3",
        "highest": "3",
        "holder": "n'a",
    }


def test_gate_reprs_and_pickles_keep_mark_cap_and_holder() -> None:
    gate = tc.EpochFencer(2**64 - 1, jump_cap=7)
    assert repr(gate) == "EpochFencer(highest=18446744073709551615, jump_cap=7)"
    assert repr(tc.EpochFencer()) == "EpochFencer(highest=0)"
    holder = tc.HolderFencer(9, holder="node-a", jump_cap=2)
    assert repr(holder) == "HolderFencer(highest=9, holder='node-a', jump_cap=2)"
    assert repr(tc.HolderFencer(4)) == "HolderFencer(highest=4)"
    for proto in PROTOCOLS:
        g = pickle.loads(pickle.dumps(gate, proto))
        assert (g.highest, g.jump_cap) == (2**64 - 1, 7)
        h = pickle.loads(pickle.dumps(holder, proto))
        assert (h.state, h.jump_cap) == ((9, "node-a"), 2)
        assert h.check(9, "node-b").code == "CONFLICT"
        assert h.check(12, "node-b").code == "TOO_FAR_AHEAD"
        bare = pickle.loads(pickle.dumps(tc.HolderFencer(4), proto))
        assert bare.state == (4, None) and bare.jump_cap is None
    copy = pickle.loads(pickle.dumps(tc.EpochFencer(3)))
    copy.check(10)
    assert copy.highest == 10
    original = tc.EpochFencer(3)
    assert pickle.loads(pickle.dumps(original)).check(10).code == "ADVANCED"
    assert original.highest == 3, "a copy is a separate gate"


def test_a_snapshot_names_each_stream_once() -> None:
    import collections.abc

    class Twice(collections.abc.Mapping[str, int]):
        """A mapping whose items() repeat a name, as a JSON object may repeat a key."""

        def __getitem__(self, name: str) -> int:
            return 1

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(["a"])

        def __len__(self) -> int:
            return 1

        def items(self):  # type: ignore[no-untyped-def]
            return [("a", 1), ("a", 2)]

    with pytest.raises(tc.InvalidSnapshotError) as e:
        tc.Snapshot(Twice())
    assert e.value.code == "INVALID_SNAPSHOT"
    with pytest.raises(tc.InvalidSnapshotError):
        tc.Snapshot.from_json('{"streams": {"a": "1", "a": "2"}}')


def test_a_view_dict_is_read_once() -> None:
    import collections.abc

    good = {"groups": {"g": {"members": [{"id": "a", "live": True}]}}}

    class Shifty(collections.abc.Mapping[str, object]):
        """A view whose items() give a good view first, and a key that is no str after."""

        def __init__(self, items: list[tuple[object, object]]) -> None:
            self.given, self.reads = items, 0

        def __getitem__(self, key: str) -> object:
            return dict(self.items())[key]

        def __iter__(self) -> Iterator[str]:
            return iter([k for k, _ in self.items() if isinstance(k, str)])

        def __len__(self) -> int:
            return 1

        def items(self) -> list[tuple[object, object]]:  # type: ignore[override]
            self.reads += 1
            return self.given if self.reads == 1 else [(1, {})]

    view = Shifty(list(good.items()))
    (d,) = tc.elect_leaders(view)
    assert d.leader == "a" and view.reads == 1
    nested = Shifty([("members", [{"id": "b", "live": True}])])
    assert tc.elect_leaders({"groups": {"g": nested}})[0].leader == "b", "a nested mapping is a JSON object"
    assert nested.reads == 1
    with pytest.raises(tc.InvalidViewError, match="appears twice"):
        tc.elect_leaders(Shifty([("groups", {}), ("groups", {})]))


def test_registry_snapshot_restore_pickle() -> None:
    reg = tc.FenceRegistry(jump_cap=100)
    reg.add("b", 5)
    reg.add("a")
    assert reg.check("b", 50).code == "ADVANCED"
    assert reg.check_and_advance("a", 101) is False
    assert reg.promote("a") == 1
    assert len(reg) == 2 and "a" in reg and "z" not in reg
    snap = reg.snapshot()
    assert snap.streams == {"a": 1, "b": 50}
    assert list(snap.streams) == ["a", "b"]
    assert snap == tc.Snapshot({"b": 50, "a": 1}) and hash(snap) == hash(tc.Snapshot({"a": 1, "b": 50}))
    assert snap != tc.Snapshot({"a": 1})
    assert len(snap) == 2
    assert snap.to_json() == '{"streams":{"a":"1","b":"50"}}'
    assert tc.Snapshot.from_json(snap.to_json()) == snap
    assert repr(snap) == "Snapshot({'a': 1, 'b': 50})"
    assert repr(reg) == "FenceRegistry(Snapshot({'a': 1, 'b': 50}), jump_cap=100)"
    snap.streams["a"] = 99  # a fresh dict each time: the snapshot does not change
    assert snap.streams["a"] == 1

    # restore never lowers, adds what is missing, keeps what it does not name
    reg.restore(tc.Snapshot({"a": 0, "c": 7}))
    reg.restore('{"streams": {"b": "60"}}')
    assert reg.snapshot().streams == {"a": 1, "b": 60, "c": 7}
    # a registry built from a snapshot, and its pickle
    again = tc.FenceRegistry(reg.snapshot(), jump_cap=100)
    assert again.snapshot() == reg.snapshot()
    for proto in PROTOCOLS:
        copy = pickle.loads(pickle.dumps(reg, proto))
        assert copy.snapshot() == reg.snapshot() and copy.jump_cap == 100
        assert pickle.loads(pickle.dumps(snap, proto)) == snap
    assert reg.remove("c") == 7 and "c" not in reg


def test_policies() -> None:
    p = tc.Policy(priority=True, sticky_incumbent=True)
    assert (p.priority, p.sticky_incumbent, p.eligibility, p.quorum_guard, p.rendezvous) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert (p.freshness, p.max_lag) == (False, 0)
    assert repr(p) == "Policy(sticky_incumbent=True, priority=True)"
    assert repr(tc.Policy()) == "Policy()"
    assert p == tc.Policy.from_json('{"priority": true, "sticky_incumbent": true}')
    assert hash(p) == hash(tc.Policy(sticky_incumbent=True, priority=True))
    assert json.loads(p.to_json()) == {
        "eligibility": False,
        "quorum_guard": False,
        "sticky_incumbent": True,
        "priority": True,
        "rendezvous": False,
        "freshness": False,
        "max_lag": "0",
    }
    fresh = tc.Policy(freshness=True, max_lag=2**64 - 1)
    assert (fresh.freshness, fresh.max_lag) == (True, 2**64 - 1)
    assert repr(fresh) == "Policy(freshness=True, max_lag=18446744073709551615)"
    assert repr(tc.Policy(max_lag=3)) == "Policy(max_lag=3)", "max_lag is kept without freshness"
    assert json.loads(fresh.to_json())["max_lag"] == "18446744073709551615"
    assert tc.Policy.from_json(fresh.to_json()) == fresh
    assert tc.Policy.from_json('{"freshness": true, "max_lag": 18446744073709551615}') == fresh
    assert fresh != tc.Policy(freshness=True) and hash(fresh) == hash(tc.Policy.from_json(fresh.to_json()))
    for proto in PROTOCOLS:
        assert pickle.loads(pickle.dumps(p, proto)) == p
        assert pickle.loads(pickle.dumps(fresh, proto)) == fresh
    with pytest.raises(AttributeError):
        p.priority = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        fresh.max_lag = 0  # type: ignore[misc]


def test_decisions_are_typed_immutable_objects() -> None:
    plain = tc.elect_leaders(VIEW)
    assert [d.group for d in plain] == ["wal-0", "wal-1"]
    wal0, wal1 = plain
    assert wal0 == tc.Decision(
        group="wal-0",
        leader="node-b",
        reason=tc.Reason.SMALLEST_ID,
        excluded=(
            tc.Excluded("node-a", 0, tc.Exclusion.DEAD),
            tc.Excluded("node-c", 0, tc.Exclusion.OUTRANKED_BY_SMALLER_ID),
        ),
        leader_index=0,
        leader_generation=0,
        leader_epoch=0,
        claimants=(),
    )
    # leader_epoch and claimants default to none, as in decisions written before they existed
    assert wal1 == tc.Decision("wal-1", None, tc.Reason.NO_MEMBERS, (), None, None)
    assert hash(wal0) == hash(tc.elect_leaders(json.dumps(VIEW))[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        wal0.leader = "node-z"  # type: ignore[misc]
    assert repr(wal1) == (
        "Decision(group='wal-1', leader=None, reason=Reason.NO_MEMBERS, excluded=(), "
        "leader_index=None, leader_generation=None, leader_epoch=None, claimants=())"
    )
    assert pickle.loads(pickle.dumps(plain)) == plain


def test_a_decision_writes_the_pinned_json() -> None:
    pinned = [
        {
            "group": "wal-0",
            "leader": "node-b",
            "reason": "smallest_id",
            "excluded": [
                {"id": "node-a", "generation": "0", "reason": "dead"},
                {"id": "node-c", "generation": "0", "reason": "outranked_by_smaller_id"},
            ],
            "leader_index": 0,
            "leader_generation": "0",
            "leader_epoch": "0",
            "claimants": [],
        },
        {
            "group": "wal-1",
            "leader": None,
            "reason": "no_members",
            "excluded": [],
            "leader_index": None,
            "leader_generation": None,
            "leader_epoch": None,
            "claimants": [],
        },
    ]
    assert [json.loads(d.to_json()) for d in tc.elect_leaders(VIEW)] == pinned
    # Compact, in the pinned field order, exactly as every front writes it.
    assert tc.elect_leaders(VIEW)[1].to_json() == (
        '{"group":"wal-1","leader":null,"reason":"no_members","excluded":[],'
        '"leader_index":null,"leader_generation":null,"leader_epoch":null,"claimants":[]}'
    )


def test_the_enums_are_the_cores_lists() -> None:
    # A reason added to the core must be added here too, or this fails (not a run-time lookup).
    assert tuple(r.value for r in tc.Reason) == tc._native._REASONS
    assert tuple(e.value for e in tc.Exclusion) == tc._native._EXCLUSIONS


def test_normalize_view_writes_the_view_back_canonically() -> None:
    text = tc.normalize_view({"groups": {"g": {"members": [{"id": "a", "live": True}]}}, "policy": {"quorum_guard": True}})
    assert json.loads(text) == {
        "groups": {
            "g": {
                "members": [
                    {
                        "id": "a",
                        "live": True,
                        "generation": "0",
                        "priority": "0",
                        "eligible": True,
                        "epoch": "0",
                        "log_epoch": "0",
                        "log_end": "0",
                        "leaving": False,
                    }
                ]
            }
        },
        "policy": {
            "eligibility": False,
            "quorum_guard": True,
            "sticky_incumbent": False,
            "priority": False,
            "rendezvous": False,
            "freshness": False,
            "max_lag": "0",
        },
    }
    assert tc.normalize_view(text) == text, "a normalized view is a fixed point"
    with pytest.raises(tc.InvalidViewError):
        tc.normalize_view({"groups": {}, "policy": {"quorum": True}})

    # the same policy three ways: keyword toggles, a Policy, a dict, JSON text
    sticky = [
        tc.elect_leaders(VIEW, sticky_incumbent=True),
        tc.elect_leaders(VIEW, tc.Policy(sticky_incumbent=True)),
        tc.elect_leaders(VIEW, {"sticky_incumbent": True}),
        tc.elect_leaders(VIEW, '{"sticky_incumbent": true}'),
    ]
    assert all(s == sticky[0] for s in sticky)
    assert (sticky[0][0].leader, sticky[0][0].reason) == ("node-c", tc.Reason.INCUMBENT)
    assert tc.elect_leaders(VIEW, priority=True)[0].reason is tc.Reason.SMALLEST_ID
    assert {r.value for r in tc.Reason} >= {"only_candidate", "no_quorum"}
    assert tc.Exclusion("outranked_by_rendezvous") is tc.Exclusion.OUTRANKED_BY_RENDEZVOUS


def test_next_epoch_and_rendezvous() -> None:
    view = {"groups": {"g": {"members": [{"id": "a", "live": False, "epoch": "41"}, {"id": "b", "live": True}]}}}
    assert tc.next_epoch(view, "g") == 42
    assert tc.next_epoch(json.dumps(view), "g") == 42
    assert tc.rendezvous_score("", "") == 0xAF63BD4C8601B7DF
    tc.validate_id("node-a")


def test_elect_leader_takes_any_sequence_and_returns_the_same_object() -> None:
    ids = ["node-c", "".join(["node-", "a"]), "node-b"]
    assert tc.elect_leader(ids) is ids[1]
    assert tc.elect_leader(tuple(ids)) is ids[1]

    class Ids:
        def __init__(self, items: list[str]) -> None:
            self.items = items

        def __len__(self) -> int:
            return len(self.items)

        def __getitem__(self, i: int) -> str:
            return self.items[i]

    import collections.abc

    collections.abc.Sequence.register(Ids)
    assert tc.elect_leader(Ids(ids)) == "node-a"  # type: ignore[arg-type]
    assert tc.elect_leader_index(Ids(ids)) == 1  # type: ignore[arg-type]


def test_a_sequence_is_read_once_and_the_answer_is_a_value_read() -> None:
    import collections.abc

    class Shifty:
        """Answers ["node-b", "node-a"] on the first reads, anything else afterwards."""

        def __init__(self) -> None:
            self.reads = 0

        def __len__(self) -> int:
            return 2

        def __getitem__(self, i: int) -> object:
            if not 0 <= i < 2:
                raise IndexError(i)
            self.reads += 1
            return ["node-b", "node-a"][i] if self.reads <= 2 else 42

    collections.abc.Sequence.register(Shifty)
    ids = Shifty()
    assert tc.elect_leader(ids) == "node-a"  # type: ignore[arg-type]
    assert ids.reads == 2, "each element is read once"


def test_established_counts_the_votes_of_distinct_gates() -> None:
    gates = [tc.HolderFencer() for _ in range(5)]
    votes = [g.check(5, "a") for g in gates[:3]]
    assert [v.code for v in votes] == ["ADVANCED"] * 3
    assert tc.established(5, votes, 5) is True
    assert tc.established(5, votes[:2], 5) is False, "2 of 5 is no majority"
    assert tc.established(5, votes, 6) is False, "3 of 6 is no strict majority"
    assert tc.established(5, [], 0) is False
    assert tc.established(4, votes, 5) is False, "votes at another epoch count for nothing"
    # CURRENT is a vote too; CONFLICT, STALE_EPOCH and TOO_FAR_AHEAD are not.
    again = [g.check(5, "a") for g in gates[:3]]
    assert [v.code for v in again] == ["CURRENT"] * 3 and tc.established(5, again, 5)
    rival = [g.check(5, "b") for g in gates]
    assert [v.code for v in rival] == ["CONFLICT"] * 3 + ["ADVANCED"] * 2
    assert tc.established(5, rival, 5) is False
    stale = tc.HolderFencer(9).check(5, "a")
    far = tc.HolderFencer(1, jump_cap=2).check(5, "a")
    assert (stale.code, far.code) == ("STALE_EPOCH", "TOO_FAR_AHEAD")
    assert tc.established(5, [stale, far, votes[0]], 1) is True
    assert tc.established(5, [stale, far], 1) is False
    # Verdicts of any gate count (the caller owns "one per holder gate of the group").
    assert tc.established(7, [tc.EpochFencer().check(7)], 1) is True
    # Any iterable, read once; ints per §4.
    assert tc.established(5, (v for v in votes), 5) is True
    assert tc.established(5, tuple(votes), 2**64 - 1) is False
    assert tc.established(2**64 - 1, [tc.HolderFencer().check(2**64 - 1, "a")], 1) is True

    class Once:
        def __init__(self) -> None:
            self.reads = 0

        def __iter__(self) -> Iterator[tc.Verdict]:
            self.reads += 1
            return iter(votes)

    once = Once()
    assert tc.established(5, once, 5) is True
    assert once.reads == 1

    def broken() -> Iterator[tc.Verdict]:
        yield votes[0]
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        tc.established(5, broken(), 5)
    with pytest.raises(tc.InvalidArgumentError, match=r"verdicts\[1\] must be a Verdict, not str"):
        tc.established(5, [votes[0], "CURRENT"], 5)  # type: ignore[list-item]
    with pytest.raises(tc.InvalidEpochError, match="configured"):
        tc.established(5, votes, -1)
