"""The reign lifecycle and the gates' options from Python: closing and adopting a reign
(SEMANTICS.md §6 and §16), refusing epoch 0 (§5), counting verdicts (§16), and copies that keep
all of it."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import tael_coord as tc

PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)
# Every verdict's status name, in the core's order: the keys of counters().
COUNTED = ["CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT", "CLOSED"]


def test_a_closed_reign_answers_closed_to_every_token_of_its_epoch() -> None:
    gate = tc.HolderFencer()
    assert gate.check(3, "a").code == "ADVANCED" and gate.reign_closed is False
    closed = gate.close_reign(3, "a")
    assert (closed.code, closed.accepted, closed.epoch, closed.highest, closed.holder) == ("CLOSED", False, 3, 3, "a")
    assert (closed.from_, closed.cap) == (None, None)
    assert repr(closed) == "Verdict(code='CLOSED', accepted=False, epoch=3, highest=3, holder='a')"
    assert json.loads(closed.to_json()) == {"code": "CLOSED", "accepted": False, "epoch": "3", "highest": "3", "holder": "a"}
    assert closed == tc.HolderFencer(3, holder="a").close_reign(3, "a")
    assert hash(closed) == hash(tc.HolderFencer(3).close_reign(3, "a"))
    assert closed != tc.HolderFencer(3, holder="a").check(3, "b"), "CLOSED is not CONFLICT"
    assert gate.reign_closed is True and gate.state == (3, "a")
    for holder in ("a", "b"):
        assert gate.check(3, holder) == closed, "from anyone, naming who closed it"
        assert gate.check_and_advance(3, holder) is False
        assert gate.close_reign(3, holder) == closed, "closing again, by anyone, is CLOSED"
        assert gate.adopt(3, holder) == closed, "a closed reign cannot be adopted"
    assert gate.check(2, "a").code == "STALE_EPOCH"
    assert repr(gate) == "HolderFencer(highest=3, holder='a', reign_closed=True)"
    # The successor promotes at once; the old epoch is stale from then on.
    assert gate.promote("b") == 4 and gate.reign_closed is False
    assert gate.check(3, "a").code == "STALE_EPOCH" and gate.check(4, "b").code == "CURRENT"


def test_closing_another_holders_an_older_or_a_later_reign() -> None:
    held = tc.HolderFencer(5, holder="a")
    conflict = held.close_reign(5, "b")
    assert (conflict.code, conflict.holder) == ("CONFLICT", "a")
    assert held.close_reign(4, "a").code == "STALE_EPOCH"
    assert held.reign_closed is False and held.state == (5, "a"), "refusals change nothing"
    # A gate with no holder records the closer; a later epoch moves the gate to it, closed.
    assert tc.HolderFencer(5).close_reign(5, "b").holder == "b"
    capped = tc.HolderFencer(1, jump_cap=2)
    far = capped.close_reign(9, "a")
    assert (far.code, far.cap, capped.state, capped.reign_closed) == ("TOO_FAR_AHEAD", 2, (1, None), False)
    ahead = capped.close_reign(3, "a")
    assert (ahead.code, ahead.highest, capped.state, capped.reign_closed) == ("CLOSED", 3, (3, "a"), True)
    assert capped.check(4, "b").code == "ADVANCED" and capped.reign_closed is False, "a higher epoch reopens"


def test_adopt_rejoins_the_reign_the_group_established() -> None:
    gate = tc.HolderFencer(4, jump_cap=1)
    assert gate.check(5, "b").code == "ADVANCED", "this replica voted for b"
    assert gate.check(5, "a").code == "CONFLICT", "a was established elsewhere"
    assert gate.adopt(5, "a") == tc.HolderFencer(5).check(5, "a"), "CURRENT: the holder is replaced"
    assert gate.state == (5, "a")
    assert gate.check(5, "a").code == "CURRENT" and gate.check(5, "b").code == "CONFLICT"
    assert gate.adopt(4, "c").code == "STALE_EPOCH" and gate.state == (5, "a")
    later = gate.adopt(9, "c")
    assert (later.code, later.from_, gate.state) == ("ADVANCED", 5, (9, "c")), "the jump cap does not apply"
    assert gate.check(11, "c").code == "TOO_FAR_AHEAD", "to checks it does"


def gates(refuse_zero: bool = False, counters: bool = False) -> list[tuple[Any, Callable[[Any, int], tc.Verdict]]]:
    """One gate of each in-memory kind made with the options, and how to check an epoch on it."""
    registry = tc.FenceRegistry(refuse_zero=refuse_zero, counters=counters)
    registry.add("s")
    return [
        (tc.EpochFencer(refuse_zero=refuse_zero, counters=counters), lambda g, e: g.check(e)),
        (tc.HolderFencer(refuse_zero=refuse_zero, counters=counters), lambda g, e: g.check(e, "a")),
        (registry, lambda g, e: g.check("s", e)),
    ]


def test_a_gate_made_to_refuse_epoch_zero_refuses_it_first() -> None:
    for gate, check in gates():
        assert gate.refuses_epoch_zero is False
        assert check(gate, 0).code == "CURRENT", "by default epoch 0 is an epoch like any other"
    for gate, check in gates(refuse_zero=True):
        assert gate.refuses_epoch_zero is True
        with pytest.raises(tc.InvalidEpochError) as refused:
            check(gate, 0)
        assert refused.value.code == "INVALID_EPOCH" and "unfenced" in str(refused.value)
        assert check(gate, 1).code == "ADVANCED", "any other epoch is judged as usual"
        assert repr(gate).endswith(", refuse_zero=True)")
    holder = tc.HolderFencer(refuse_zero=True)
    for call in (holder.check, holder.check_and_advance, holder.close_reign, holder.adopt):
        with pytest.raises(tc.InvalidEpochError):
            call(0, "")  # before the holder is judged an id
    assert holder.promote("a") == 1, "a promotion never produces 0"
    assert tc.EpochFencer(0, refuse_zero=True).highest == 0, "a gate may still start at 0"
    registry = tc.FenceRegistry(refuse_zero=True)
    with pytest.raises(tc.InvalidEpochError):
        registry.check_and_advance("nope", 0)  # before the stream is looked up
    with pytest.raises(tc.UnknownStreamError):
        registry.check("nope", 1)


def test_counters_count_each_checks_verdict_once() -> None:
    for gate, check in gates():
        assert gate.counters() is None, "counting is opt-in"
    gate = tc.HolderFencer(jump_cap=10, refuse_zero=True, counters=True)
    assert gate.counters() == dict.fromkeys(COUNTED, 0)
    assert gate.check(3, "a").code == "ADVANCED"
    assert gate.check_and_advance(3, "a") is True
    assert gate.check_and_advance(2, "a") is False
    assert gate.check(99, "a").code == "TOO_FAR_AHEAD"
    assert gate.check(3, "b").code == "CONFLICT"
    assert gate.close_reign(3, "a").code == "CLOSED"
    assert gate.check(3, "a").code == "CLOSED"
    assert gate.adopt(4, "b").code == "ADVANCED" and gate.promote("c") == 5
    refusals: list[Callable[[], object]] = [
        lambda: gate.check(0, "a"),
        lambda: gate.check(6, ""),
        lambda: gate.check(6, 6),
    ]
    for refused in refusals:
        with pytest.raises(tc.TaelError):
            refused()
    counted = gate.counters()
    assert counted == {"CURRENT": 1, "ADVANCED": 1, "STALE_EPOCH": 1, "TOO_FAR_AHEAD": 1, "CONFLICT": 1, "CLOSED": 1}
    assert counted is not None and list(counted) == COUNTED, "in the core's order"
    counted["CURRENT"] = 100
    assert gate.counters() == dict.fromkeys(COUNTED, 1), "a new dict each time"
    assert repr(gate).endswith(", jump_cap=10, refuse_zero=True, counters=True)")
    for gate, check in gates(counters=True):
        check(gate, 2)
        check(gate, 2)
        check(gate, 1)
        assert gate.counters() == {**dict.fromkeys(COUNTED, 0), "ADVANCED": 1, "CURRENT": 1, "STALE_EPOCH": 1}


def test_copies_keep_the_reign_and_the_options_and_count_from_zero() -> None:
    gate = tc.HolderFencer(2, holder="a", jump_cap=4, refuse_zero=True, counters=True)
    assert gate.close_reign(3, "a").code == "CLOSED"
    for proto in PROTOCOLS:
        twin = pickle.loads(pickle.dumps(gate, proto))
        assert repr(twin) == repr(gate) == (
            "HolderFencer(highest=3, holder='a', reign_closed=True, jump_cap=4, refuse_zero=True, counters=True)"
        )
        assert twin.counters() == dict.fromkeys(COUNTED, 0), "counts are not state"
        assert twin.check(3, "b").code == "CLOSED" and twin.check(8, "b").code == "TOO_FAR_AHEAD"
        with pytest.raises(tc.InvalidEpochError):
            twin.check(0, "b")
        assert twin.check(4, "b").code == "ADVANCED"
        assert (gate.state, gate.reign_closed) == ((3, "a"), True), "a copy is a separate gate"
    assert repr(copy.copy(gate)) == repr(copy.deepcopy(gate)) == repr(gate)
    open_ = pickle.loads(pickle.dumps(tc.HolderFencer(3, holder="a")))
    assert (open_.state, open_.reign_closed, open_.counters()) == ((3, "a"), False, None)
    assert open_.check(3, "a").code == "CURRENT"
    for other in (tc.EpochFencer(5, refuse_zero=True, counters=True), tc.FenceRegistry(jump_cap=3, counters=True)):
        twin = pickle.loads(pickle.dumps(other))
        assert repr(twin) == repr(other)
        assert (twin.refuses_epoch_zero, twin.counters()) == (other.refuses_epoch_zero, dict.fromkeys(COUNTED, 0))


def test_setstate_closes_only_a_reign_with_a_holder() -> None:
    gate = tc.HolderFencer(3, holder="a")
    gate.__setstate__(False)
    assert gate.reign_closed is False
    gate.__setstate__(True)
    assert (gate.state, gate.reign_closed) == ((3, "a"), True)
    with pytest.raises(tc.InvalidArgumentError):
        tc.HolderFencer(3).__setstate__(True)
    with pytest.raises(tc.InvalidArgumentError):
        tc.HolderFencer(3, holder="a").__setstate__(1)  # type: ignore[arg-type]
