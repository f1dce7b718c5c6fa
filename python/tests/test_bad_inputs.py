"""The bad-input matrix: every wrong value is one clear exception of the right class, with the
right `.code`, and changes nothing; nothing is wrapped, truncated, coerced or accepted."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import math
import pickle
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import tael_coord as tc

U64_MAX = 2**64 - 1
GOOD_VIEW = {"groups": {"g": {"members": [{"id": "a", "live": True}]}}}


def view_with(**member: object) -> dict[str, object]:
    return {"groups": {"g": {"members": [{"id": "a", "live": True, **member}]}}}


# Values that are not an int (or are a bool) where an epoch belongs.
NOT_INTS: list[object] = [True, False, 1.0, 1.5, math.nan, "1", b"1", None, Decimal(1), Fraction(1), [1]]
OUT_OF_RANGE = [-1, -(2**64), 2**64, 2**64 + 5, 2**100]

Case = tuple[str, Callable[[], object], type[tc.TaelError], type[BaseException]]


# The decision of GOOD_VIEW: group "g", led by "a".
DECISION = tc.elect_leaders(GOOD_VIEW)[0]
EVENT = tc.Event("elected", "g", "a", 0, 0, None, None, None)


def with_fields(**fields: Any) -> tc.Decision:
    return dataclasses.replace(DECISION, **fields)


def with_excluded(generation: Any) -> tc.Decision:
    return with_fields(excluded=(tc.Excluded("b", generation, tc.Exclusion.DEAD),))


def with_claimant(claims_epoch: Any) -> tc.Decision:
    return with_fields(claimants=(tc.Claimant("b", 0, claims_epoch),))


EPOCH_TAKERS: list[tuple[str, Callable[[Any], object]]] = [
    ("check", lambda b: tc.EpochFencer().check(b)),
    ("check_and_advance", lambda b: tc.EpochFencer().check_and_advance(b)),
    ("EpochFencer(highest)", lambda b: tc.EpochFencer(b)),
    ("EpochFencer(jump_cap)", lambda b: tc.EpochFencer(jump_cap=b)),
    ("HolderFencer(highest)", lambda b: tc.HolderFencer(b)),
    ("HolderFencer.check", lambda b: tc.HolderFencer().check(b, "a")),
    ("FenceRegistry(jump_cap)", lambda b: tc.FenceRegistry(jump_cap=b)),
    ("FenceRegistry.add", lambda b: tc.FenceRegistry().add("s", b)),
    ("FenceRegistry.check", lambda b: registry().check("s", b)),
    ("Snapshot", lambda b: tc.Snapshot({"s": b})),
    ("Policy(max_lag)", lambda b: tc.Policy(max_lag=b)),
    ("elect_leaders(max_lag)", lambda b: tc.elect_leaders(GOOD_VIEW, freshness=True, max_lag=b)),
    ("EpochHistory(epoch)", lambda b: tc.EpochHistory([(1, 0), (b, 5)])),
    ("EpochHistory(start_offset)", lambda b: tc.EpochHistory([(b, 0, "a")])),
    ("EpochHistory.assign(epoch)", lambda b: history().assign(b, 9)),
    ("EpochHistory.assign(start_offset)", lambda b: history().assign(3, b, "a")),
    ("EpochHistory.truncate_from_end", lambda b: history().truncate_from_end(b)),
    ("EpochHistory.truncate_from_start", lambda b: history().truncate_from_start(b)),
    ("EpochHistory.end_offset_for(epoch)", lambda b: history().end_offset_for(b, 9)),
    ("EpochHistory.end_offset_for(log_end)", lambda b: history().end_offset_for(2, b)),
    ("divergence_point(leader_log_end)", lambda b: tc.divergence_point([(1, 0)], b, [(1, 0)], 5)),
    ("divergence_point(follower_log_end)", lambda b: tc.divergence_point([(1, 0)], 5, [(1, 0)], b)),
    ("divergence_point(leader entry)", lambda b: tc.divergence_point([(1, b)], 5, [(1, 0)], 5)),
    ("follower_step(follower_log_end)", lambda b: tc.follower_step([(1, 0)], b, (1, 4))),
    ("follower_step(answer epoch)", lambda b: tc.follower_step([(1, 0)], 5, (b, 4))),
    ("follower_step(answer end)", lambda b: tc.follower_step([(1, 0)], 5, (1, b))),
    ("established(epoch)", lambda b: tc.established(b, [], 3)),
    ("established(configured)", lambda b: tc.established(5, [], b)),
    ("HolderFencer.close_reign", lambda b: tc.HolderFencer().close_reign(b, "a")),
    ("HolderFencer.adopt", lambda b: tc.HolderFencer().adopt(b, "a")),
    ("refusing HolderFencer.close_reign", lambda b: tc.HolderFencer(refuse_zero=True).close_reign(b, "a")),
    ("counting FenceRegistry.check", lambda b: registry(counters=True).check("s", b)),
    ("Decision.to_json(leader_generation, may be None)", lambda b: with_fields(leader_generation=b).to_json()),
    ("transitions(leader_epoch, may be None)", lambda b: tc.transitions([with_fields(leader_epoch=b)], [])),
    ("transitions(excluded generation)", lambda b: tc.transitions([], [with_excluded(b)])),
    ("transitions(claims_epoch)", lambda b: tc.transitions([with_claimant(b)], [])),
    ("Event.to_json(epoch, may be None)", lambda b: dataclasses.replace(EVENT, epoch=b).to_json()),
]

def epoch_cases() -> list[Case]:
    cases: list[Case] = []
    for name, take in EPOCH_TAKERS:
        for bad in NOT_INTS:
            if bad is None and ("jump_cap" in name or "may be None" in name):
                continue  # None is "no cap", "no epoch"
            call = functools.partial(take, bad)
            cases.append((f"{name}({bad!r})", call, tc.InvalidArgumentError, TypeError))
        for bad in OUT_OF_RANGE:
            call = functools.partial(take, bad)
            cases.append((f"{name}({bad!r})", call, tc.InvalidEpochError, ValueError))
    return cases


def registry(counters: bool = False) -> tc.FenceRegistry:
    r = tc.FenceRegistry(counters=counters)
    r.add("s", 5)
    return r


def history() -> tc.EpochHistory:
    return tc.EpochHistory([(1, 0), (2, 5)])


def json_decision() -> dict[str, object]:
    """The decision JSON of DECISION, parsed: a dict, not a Decision."""
    parsed: dict[str, object] = json.loads(DECISION.to_json())
    return parsed


def full_gate() -> tc.EpochFencer:
    return tc.EpochFencer(U64_MAX)


TEXT_CASES: list[Case] = [
    # ids: a bare str or bytes where a list belongs, wrong element types, bad text
    ("elect_leader(str)", lambda: tc.elect_leader("node-a"), tc.InvalidArgumentError, TypeError),
    ("elect_leader(bytes)", lambda: tc.elect_leader(b"ab"), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader(int)", lambda: tc.elect_leader(5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader(None)", lambda: tc.elect_leader(None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader(set)", lambda: tc.elect_leader({"a"}), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader(dict)", lambda: tc.elect_leader({"a": 1}), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader(iter)", lambda: tc.elect_leader(iter(["a"])), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("elect_leader([int])", lambda: tc.elect_leader(["a", 1]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("elect_leader([None])", lambda: tc.elect_leader([None]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("elect_leader([bytes])", lambda: tc.elect_leader([b"a"]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("elect_leader([lone high])", lambda: tc.elect_leader(["a", "\ud800"]), tc.InvalidUtf8Error, UnicodeError),
    ("elect_leader([lone low])", lambda: tc.elect_leader(["x\udc00y"]), tc.InvalidUtf8Error, UnicodeError),
    ("elect_leader([empty])", lambda: tc.elect_leader(["a", ""]), tc.InvalidIdError, ValueError),
    ("elect_leader([256 bytes])", lambda: tc.elect_leader(["é" * 128]), tc.InvalidIdError, ValueError),
    ("elect_leader([control])", lambda: tc.elect_leader(["a\x85"]), tc.InvalidIdError, ValueError),
    ("elect_leader_index(str)", lambda: tc.elect_leader_index("ab"), tc.InvalidArgumentError, TypeError),
    ("validate_id(int)", lambda: tc.validate_id(1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("validate_id(surrogate)", lambda: tc.validate_id("\udfff"), tc.InvalidUtf8Error, UnicodeError),
    ("validate_id(tab)", lambda: tc.validate_id("a\tb"), tc.InvalidIdError, ValueError),
    ("rendezvous_score(None)", lambda: tc.rendezvous_score("g", None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    # holders and streams
    ("HolderFencer.check(int holder)", lambda: tc.HolderFencer().check(1, 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("HolderFencer.check(empty)", lambda: tc.HolderFencer().check(1, ""), tc.InvalidIdError, ValueError),
    ("HolderFencer.check(surrogate)", lambda: tc.HolderFencer().check(1, "\ud800"), tc.InvalidUtf8Error, UnicodeError),
    ("HolderFencer.promote(empty)", lambda: tc.HolderFencer().promote(""), tc.InvalidIdError, ValueError),
    ("HolderFencer(holder=empty)", lambda: tc.HolderFencer(3, holder=""), tc.InvalidIdError, ValueError),
    ("HolderFencer(holder=int)", lambda: tc.HolderFencer(3, holder=7), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("HolderFencer.close_reign(int holder)", lambda: tc.HolderFencer().close_reign(1, 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("HolderFencer.close_reign(empty)", lambda: tc.HolderFencer().close_reign(1, ""), tc.InvalidIdError, ValueError),
    ("HolderFencer.close_reign(surrogate)", lambda: tc.HolderFencer().close_reign(1, "\ud800"), tc.InvalidUtf8Error, UnicodeError),
    ("HolderFencer.adopt(None holder)", lambda: tc.HolderFencer().adopt(1, None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("HolderFencer.adopt(control)", lambda: tc.HolderFencer().adopt(1, "a\x07"), tc.InvalidIdError, ValueError),
    ("HolderFencer.adopt(256 bytes)", lambda: tc.HolderFencer().adopt(1, "x" * 256), tc.InvalidIdError, ValueError),
    # epoch 0 on gates made to refuse it: before the holder or the stream is looked at
    ("refusing EpochFencer.check(0)", lambda: tc.EpochFencer(refuse_zero=True).check(0), tc.InvalidEpochError, ValueError),
    ("refusing EpochFencer.check_and_advance(0)", lambda: tc.EpochFencer(refuse_zero=True, counters=True).check_and_advance(0), tc.InvalidEpochError, ValueError),
    ("refusing HolderFencer.check(0, empty)", lambda: tc.HolderFencer(refuse_zero=True).check(0, ""), tc.InvalidEpochError, ValueError),
    ("refusing HolderFencer.adopt(0, int)", lambda: tc.HolderFencer(refuse_zero=True).adopt(0, 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("refusing HolderFencer.adopt(0)", lambda: tc.HolderFencer(refuse_zero=True).adopt(0, "a"), tc.InvalidEpochError, ValueError),
    ("refusing FenceRegistry.check(unknown, 0)", lambda: tc.FenceRegistry(refuse_zero=True).check("t", 0), tc.InvalidEpochError, ValueError),
    # the options are bools and nothing else
    ("EpochFencer(refuse_zero=1)", lambda: tc.EpochFencer(refuse_zero=1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("EpochFencer(counters=None)", lambda: tc.EpochFencer(counters=None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("HolderFencer(refuse_zero='yes')", lambda: tc.HolderFencer(refuse_zero="yes"), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("FenceRegistry(counters=1.0)", lambda: tc.FenceRegistry(counters=1.0), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    # transitions: iterables of Decisions and nothing else
    ("transitions(str)", lambda: tc.transitions("[]", []), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(bytes)", lambda: tc.transitions([], b""), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(None)", lambda: tc.transitions(None, []), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(int)", lambda: tc.transitions([], 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(a Decision)", lambda: tc.transitions(DECISION, []), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions([int])", lambda: tc.transitions([1], []), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("transitions([None])", lambda: tc.transitions([], [None]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("transitions([json])", lambda: tc.transitions([DECISION.to_json()], []), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("transitions([dict])", lambda: tc.transitions([json_decision()], []), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("transitions(group twice)", lambda: tc.transitions([DECISION, DECISION], []), tc.InvalidArgumentError, TypeError),
    ("transitions(next group twice)", lambda: tc.transitions([], (DECISION, DECISION)), tc.InvalidArgumentError, TypeError),
    ("transitions(group int)", lambda: tc.transitions([with_fields(group=1)], []), tc.InvalidArgumentError, TypeError),
    ("transitions(leader bytes)", lambda: tc.transitions([with_fields(leader=b"a")], []), tc.InvalidArgumentError, TypeError),
    ("transitions(leader surrogate)", lambda: tc.transitions([with_fields(leader="\udc00")], []), tc.InvalidUtf8Error, UnicodeError),
    ("transitions(reason str)", lambda: tc.transitions([with_fields(reason="smallest_id")], []), tc.InvalidArgumentError, TypeError),
    ("transitions(reason Exclusion)", lambda: tc.transitions([with_fields(reason=tc.Exclusion.DEAD)], []), tc.InvalidArgumentError, TypeError),
    ("transitions(excluded tuples)", lambda: tc.transitions([with_fields(excluded=(("b", 0, "dead"),))], []), tc.InvalidArgumentError, TypeError),
    ("transitions(excluded None)", lambda: tc.transitions([with_fields(excluded=None)], []), tc.InvalidArgumentError, TypeError),
    ("transitions(excluded reason)", lambda: tc.transitions([with_fields(excluded=(tc.Excluded("b", 0, tc.Reason.HANDOVER),))], []), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(claimants Excluded)", lambda: tc.transitions([with_fields(claimants=(tc.Excluded("b", 0, tc.Exclusion.DEAD),))], []), tc.InvalidArgumentError, TypeError),
    ("transitions(claimant id int)", lambda: tc.transitions([with_fields(claimants=(tc.Claimant(1, 0, 0),))], []), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("transitions(leader_index bool)", lambda: tc.transitions([with_fields(leader_index=True)], []), tc.InvalidArgumentError, TypeError),
    ("transitions(leader_index -1)", lambda: tc.transitions([with_fields(leader_index=-1)], []), tc.InvalidEpochError, ValueError),
    ("Decision.to_json(reason None)", lambda: with_fields(reason=None).to_json(), tc.InvalidArgumentError, TypeError),
    ("Event.to_json(event)", lambda: dataclasses.replace(EVENT, event="won").to_json(), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("Event.to_json(group None)", lambda: dataclasses.replace(EVENT, group=None).to_json(), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    # watch: an iterable of views, and a policy; both checked at once
    ("watch(str)", lambda: tc.watch('{"groups":{}}'), tc.InvalidArgumentError, TypeError),
    ("watch(a view dict)", lambda: tc.watch(GOOD_VIEW), tc.InvalidArgumentError, TypeError),
    ("watch(None)", lambda: tc.watch(None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("watch(int)", lambda: tc.watch(5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("watch(policy int)", lambda: tc.watch([GOOD_VIEW], 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("watch(policy bad json)", lambda: tc.watch([GOOD_VIEW], "{"), tc.InvalidPolicyError, ValueError),
    ("watch(policy unknown)", lambda: tc.watch([GOOD_VIEW], {"prio": True}), tc.InvalidPolicyError, ValueError),
    ("watch(bad second view)", lambda: list(tc.watch([GOOD_VIEW, "{"])), tc.InvalidViewError, ValueError),
    ("watch(bad first view)", lambda: list(tc.watch([{"groups": 1}])), tc.InvalidViewError, ValueError),
    ("FenceRegistry.add(int)", lambda: tc.FenceRegistry().add(5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("FenceRegistry.add(empty)", lambda: tc.FenceRegistry().add(""), tc.InvalidIdError, ValueError),
    ("FenceRegistry.add(surrogate)", lambda: tc.FenceRegistry().add("\udc80"), tc.InvalidUtf8Error, UnicodeError),
    ("FenceRegistry.add twice", lambda: registry().add("s"), tc.StreamExistsError, ValueError),
    ("FenceRegistry.check unknown", lambda: registry().check("t", 1), tc.UnknownStreamError, LookupError),
    ("FenceRegistry.promote unknown", lambda: registry().promote("t"), tc.UnknownStreamError, LookupError),
    ("FenceRegistry.remove unknown", lambda: registry().remove("t"), tc.UnknownStreamError, LookupError),
    ("FenceRegistry.highest(None)", lambda: registry().highest(None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("in FenceRegistry (int)", lambda: 5 in registry(), tc.InvalidArgumentError, TypeError),  # type: ignore[operator]
    # snapshots
    ("restore(bad json)", lambda: registry().restore("{"), tc.InvalidSnapshotError, ValueError),
    ("restore(negative)", lambda: registry().restore('{"streams":{"s":"-1"}}'), tc.InvalidSnapshotError, ValueError),
    ("restore(2**64)", lambda: registry().restore('{"streams":{"s":18446744073709551616}}'), tc.InvalidSnapshotError, ValueError),
    ("restore(unknown field)", lambda: registry().restore('{"streams":{},"x":1}'), tc.InvalidSnapshotError, ValueError),
    ("restore(bad name)", lambda: registry().restore('{"streams":{"":"1"}}'), tc.InvalidSnapshotError, ValueError),
    ("restore(dict)", lambda: registry().restore({"streams": {}}), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("restore(int)", lambda: registry().restore(5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("Snapshot.from_json(bad)", lambda: tc.Snapshot.from_json("[]"), tc.InvalidSnapshotError, ValueError),
    ("Snapshot(list)", lambda: tc.Snapshot([("s", 1)]), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("Snapshot(int key)", lambda: tc.Snapshot({1: 1}), tc.InvalidArgumentError, TypeError),  # type: ignore[dict-item]
    ("Snapshot(empty name)", lambda: tc.Snapshot({"": 1}), tc.InvalidIdError, ValueError),
    ("Snapshot(negative)", lambda: tc.Snapshot({"s": -1}), tc.InvalidEpochError, ValueError),
    # epoch histories: entries, holders, JSON, log ends that do not fit
    ("EpochHistory(str)", lambda: tc.EpochHistory("1,0"), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("EpochHistory(bytes)", lambda: tc.EpochHistory(b"\x01\x00"), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("EpochHistory(int)", lambda: tc.EpochHistory(5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("EpochHistory([int])", lambda: tc.EpochHistory([1, 0]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([str])", lambda: tc.EpochHistory(["10"]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([dict])", lambda: tc.EpochHistory([{"epoch": 1, "start_offset": 0}]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([()])", lambda: tc.EpochHistory([()]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([4-tuple])", lambda: tc.EpochHistory([(1, 0, "a", "b")]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([int holder])", lambda: tc.EpochHistory([(1, 0, 7)]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([bytes holder])", lambda: tc.EpochHistory([(1, 0, b"a")]), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("EpochHistory([empty holder])", lambda: tc.EpochHistory([(1, 0, "")]), tc.InvalidIdError, ValueError),
    ("EpochHistory([control holder])", lambda: tc.EpochHistory([(1, 0, "a\n")]), tc.InvalidIdError, ValueError),
    ("EpochHistory([surrogate holder])", lambda: tc.EpochHistory([(1, 0, "\udc00")]), tc.InvalidUtf8Error, UnicodeError),
    ("EpochHistory(equal epochs)", lambda: tc.EpochHistory([(2, 0), (2, 5)]), tc.InvalidHistoryError, ValueError),
    ("EpochHistory(older epoch)", lambda: tc.EpochHistory([(3, 0), (2, 5)]), tc.InvalidHistoryError, ValueError),
    ("EpochHistory(equal starts)", lambda: tc.EpochHistory([(1, 5), (2, 5)]), tc.InvalidHistoryError, ValueError),
    ("EpochHistory.from_json(bad)", lambda: tc.EpochHistory.from_json("{"), tc.InvalidHistoryError, ValueError),
    ("EpochHistory.from_json(list)", lambda: tc.EpochHistory.from_json("[]"), tc.InvalidHistoryError, ValueError),
    (
        "EpochHistory.from_json(negative)",
        lambda: tc.EpochHistory.from_json('{"entries":[{"epoch":"-1","start_offset":"0"}]}'),
        tc.InvalidHistoryError,
        ValueError,
    ),
    ("EpochHistory.from_json(None)", lambda: tc.EpochHistory.from_json(None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("EpochHistory.from_json(dict)", lambda: tc.EpochHistory.from_json({"entries": []}), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("assign(empty holder)", lambda: history().assign(3, 9, ""), tc.InvalidIdError, ValueError),
    ("assign(int holder)", lambda: history().assign(3, 9, 1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("assign(surrogate holder)", lambda: history().assign(3, 9, "\ud800"), tc.InvalidUtf8Error, UnicodeError),
    ("end_offset_for(log end before latest)", lambda: history().end_offset_for(2, 4), tc.InvalidHistoryError, ValueError),
    ("end_offset_for(empty, log end 1)", lambda: tc.EpochHistory().end_offset_for(0, 1), tc.InvalidHistoryError, ValueError),
    ("divergence_point(None)", lambda: tc.divergence_point(None, 0, [], 0), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("divergence_point(follower str)", lambda: tc.divergence_point([], 0, "", 0), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("divergence_point(dict)", lambda: tc.divergence_point({1: 0}, 5, [], 0), tc.InvalidArgumentError, TypeError),  # type: ignore[dict-item]
    ("divergence_point(json text)", lambda: tc.divergence_point(history().to_json(), 5, [], 0), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("divergence_point(beyond end)", lambda: tc.divergence_point(history(), 4, [(1, 0)], 5), tc.InvalidHistoryError, ValueError),
    ("divergence_point(no reign)", lambda: tc.divergence_point([(1, 0)], 5, [], 3), tc.InvalidHistoryError, ValueError),
    ("divergence_point(bad entries)", lambda: tc.divergence_point([(2, 0), (1, 5)], 9, [], 0), tc.InvalidHistoryError, ValueError),
    ("follower_step(answer int)", lambda: tc.follower_step([(1, 0)], 4, 1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(answer 1 item)", lambda: tc.follower_step([(1, 0)], 4, (1,)), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(answer 3 items)", lambda: tc.follower_step([(1, 0)], 4, (1, 2, 3)), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(answer str)", lambda: tc.follower_step([(1, 0)], 4, "14"), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(answer dict)", lambda: tc.follower_step([(1, 0)], 4, {1: 4}), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(follower None)", lambda: tc.follower_step(None, 0, None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("follower_step(beyond end)", lambda: tc.follower_step(history(), 4, (2, 4)), tc.InvalidHistoryError, ValueError),
    # established: an iterable of Verdicts, nothing else
    ("established(str)", lambda: tc.established(5, "CURRENT", 3), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("established(bytes)", lambda: tc.established(5, b"", 3), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("established(None)", lambda: tc.established(5, None, 3), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("established(int)", lambda: tc.established(5, 2, 3), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("established(a Verdict)", lambda: tc.established(5, tc.EpochFencer().check(5), 3), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
    ("established([int])", lambda: tc.established(5, [1], 3), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("established([None])", lambda: tc.established(5, [None], 3), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("established([code])", lambda: tc.established(5, ["CURRENT"], 3), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("established([json])", lambda: tc.established(5, [tc.EpochFencer().check(5).to_json()], 3), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    ("established([gate])", lambda: tc.established(5, [tc.HolderFencer()], 3), tc.InvalidArgumentError, TypeError),  # type: ignore[list-item]
    # overflow
    ("promote at 2**64-1", lambda: full_gate().promote(), tc.EpochOverflowError, OverflowError),
    ("holder promote at 2**64-1", lambda: tc.HolderFencer(U64_MAX).promote("a"), tc.EpochOverflowError, OverflowError),
]


def view_cases() -> list[Case]:
    bad_views: list[tuple[str, object, type[tc.TaelError], type[BaseException]]] = [
        ("int", 5, tc.InvalidArgumentError, TypeError),
        ("list", [GOOD_VIEW], tc.InvalidArgumentError, TypeError),
        ("None", None, tc.InvalidArgumentError, TypeError),
        ("bad json text", "{", tc.InvalidViewError, ValueError),
        ("json text with trailing data", '{"groups":{}} x', tc.InvalidViewError, ValueError),
        ("int key", {"groups": {1: {"members": []}}}, tc.InvalidViewError, ValueError),
        ("None key", {"groups": {None: {"members": []}}}, tc.InvalidViewError, ValueError),
        ("unknown field", view_with(eligable=False), tc.InvalidViewError, ValueError),
        ("float generation", view_with(generation=1.0), tc.InvalidViewError, ValueError),
        ("nan generation", view_with(generation=math.nan), tc.InvalidViewError, ValueError),
        ("bool generation", view_with(generation=True), tc.InvalidViewError, ValueError),
        ("negative generation", view_with(generation=-1), tc.InvalidViewError, ValueError),
        ("2**64 generation", view_with(generation=2**64), tc.InvalidViewError, ValueError),
        ("2**64 epoch as text", view_with(epoch="18446744073709551616"), tc.InvalidViewError, ValueError),
        ("leading zero", view_with(priority="01"), tc.InvalidViewError, ValueError),
        ("object value", view_with(priority=object()), tc.InvalidViewError, ValueError),
        ("live as int", view_with(live=1), tc.InvalidViewError, ValueError),
        ("negative log_end", view_with(log_end=-1), tc.InvalidViewError, ValueError),
        ("2**64 log_epoch", view_with(log_epoch=2**64), tc.InvalidViewError, ValueError),
        ("leaving as int", view_with(leaving=1), tc.InvalidViewError, ValueError),
        ("leaving as None", view_with(leaving=None), tc.InvalidViewError, ValueError),
        ("leaving as text", view_with(leaving="true"), tc.InvalidViewError, ValueError),
        (
            "empty handover_to",
            {"groups": {"g": {"members": [{"id": "a", "live": True}], "handover_to": ""}}},
            tc.InvalidViewError,
            ValueError,
        ),
        (
            "int handover_to",
            {"groups": {"g": {"members": [{"id": "a", "live": True}], "handover_to": 1}}},
            tc.InvalidViewError,
            ValueError,
        ),
        (
            "lone surrogate handover_to",
            {"groups": {"g": {"members": [{"id": "a", "live": True}], "handover_to": "\udc00"}}},
            tc.InvalidUtf8Error,
            UnicodeError,
        ),
        ("bool log_epoch", view_with(log_epoch=False), tc.InvalidViewError, ValueError),
        ("empty id", {"groups": {"g": {"members": [{"id": "", "live": True}]}}}, tc.InvalidViewError, ValueError),
        (
            "lone surrogate id",
            {"groups": {"g": {"members": [{"id": "\ud800", "live": True}]}}},
            tc.InvalidUtf8Error,
            UnicodeError,
        ),
        ("lone surrogate text", '{"groups":{"\ud800":{"members":[]}}}', tc.InvalidUtf8Error, UnicodeError),
    ]
    cases: list[Case] = []
    for name, view, error, builtin in bad_views:
        elect: Callable[[Any], object] = tc.elect_leaders
        cases.append((f"elect_leaders({name})", functools.partial(elect, view), error, builtin))
        epoch: Callable[[Any, Any], object] = tc.next_epoch
        cases.append((f"next_epoch({name})", functools.partial(epoch, view, "g"), error, builtin))
    policy_cases: list[Case] = [
        ("policy bad json", lambda: tc.elect_leaders(GOOD_VIEW, "{"), tc.InvalidPolicyError, ValueError),
        ("policy non-bool", lambda: tc.elect_leaders(GOOD_VIEW, {"priority": 1}), tc.InvalidPolicyError, ValueError),
        ("policy unknown", lambda: tc.elect_leaders(GOOD_VIEW, {"prio": True}), tc.InvalidPolicyError, ValueError),
        ("policy int", lambda: tc.elect_leaders(GOOD_VIEW, 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        ("toggle non-bool", lambda: tc.elect_leaders(GOOD_VIEW, priority=1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        (
            "policy and toggle",
            lambda: tc.elect_leaders(GOOD_VIEW, tc.Policy(), priority=True),
            tc.InvalidArgumentError,
            TypeError,
        ),
        ("Policy(priority=1)", lambda: tc.Policy(priority=1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        ("Policy(freshness=1)", lambda: tc.Policy(freshness=1), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        ("freshness toggle non-bool", lambda: tc.elect_leaders(GOOD_VIEW, freshness=None), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        (
            "policy and max_lag",
            lambda: tc.elect_leaders(GOOD_VIEW, {"freshness": True}, max_lag=2),
            tc.InvalidArgumentError,
            TypeError,
        ),
        (
            "policy and freshness",
            lambda: tc.elect_leaders(GOOD_VIEW, tc.Policy(), freshness=True),
            tc.InvalidArgumentError,
            TypeError,
        ),
        ("policy max_lag -1", lambda: tc.elect_leaders(GOOD_VIEW, {"max_lag": -1}), tc.InvalidPolicyError, ValueError),
        ("policy max_lag 1.5", lambda: tc.elect_leaders(GOOD_VIEW, '{"max_lag": 1.5}'), tc.InvalidPolicyError, ValueError),
        ("policy max_lag 2**64", lambda: tc.elect_leaders(GOOD_VIEW, {"max_lag": 2**64}), tc.InvalidPolicyError, ValueError),
        ("policy freshness 1", lambda: tc.elect_leaders(GOOD_VIEW, {"freshness": 1}), tc.InvalidPolicyError, ValueError),
        ("Policy.from_json(max_lag text)", lambda: tc.Policy.from_json('{"max_lag": "01"}'), tc.InvalidPolicyError, ValueError),
        ("Policy.from_json(bad)", lambda: tc.Policy.from_json('{"priority": "yes"}'), tc.InvalidPolicyError, ValueError),
        ("next_epoch unknown group", lambda: tc.next_epoch(GOOD_VIEW, "h"), tc.UnknownGroupError, LookupError),
        ("next_epoch int group", lambda: tc.next_epoch(GOOD_VIEW, 5), tc.InvalidArgumentError, TypeError),  # type: ignore[arg-type]
        (
            "next_epoch overflow",
            lambda: tc.next_epoch(view_with(epoch=U64_MAX), "g"),
            tc.EpochOverflowError,
            OverflowError,
        ),
    ]
    return cases + policy_cases


ALL_CASES = epoch_cases() + TEXT_CASES + view_cases()


@pytest.mark.parametrize(
    ("call", "error", "builtin"),
    [pytest.param(call, error, builtin, id=name) for name, call, error, builtin in ALL_CASES],
)
def test_bad_input_raises_one_clear_exception(
    call: Callable[[], object], error: type[tc.TaelError], builtin: type[BaseException]
) -> None:
    with pytest.raises(tc.TaelError) as info:
        call()
    e = info.value
    assert type(e) is error, f"{type(e).__name__}: {e}"
    assert isinstance(e, builtin)
    assert e.code == error.code
    assert str(e), "the message says what was wrong"
    assert e.__cause__ is None, "never wrapped"


def test_a_refused_value_changes_nothing() -> None:
    gate = tc.EpochFencer(7, jump_cap=3)
    for bad in [*NOT_INTS, *OUT_OF_RANGE]:
        with pytest.raises(tc.TaelError):
            gate.check(bad)  # type: ignore[arg-type]
    assert gate.highest == 7
    # 2**64 + 5 is not truncated to 5 and 2**64 not wrapped to 0
    assert gate.check(5).code == "STALE_EPOCH"

    holder = tc.HolderFencer(4, holder="a", refuse_zero=True, counters=True)
    for bad_holder in ["", "\ud800", "a\x00", "x" * 256]:
        for call in (holder.check, holder.check_and_advance, holder.close_reign, holder.adopt):
            with pytest.raises(tc.TaelError):
                call(9, bad_holder)
            # Epoch 0 is refused before the holder is judged an id (a lone surrogate is no
            # well-formed text at all: refused as it is read, first).
            with pytest.raises(tc.InvalidUtf8Error if bad_holder == "\ud800" else tc.InvalidEpochError):
                call(0, bad_holder)
        with pytest.raises(tc.TaelError):
            holder.promote(bad_holder)
    assert (holder.state, holder.reign_closed) == ((4, "a"), False)
    assert set(holder.counters().values()) == {0}, "a refused call is not counted"  # type: ignore[union-attr]

    h = tc.EpochHistory([(1, 0, "a"), (2, 5)])
    before = h.entries
    bad_calls: list[Callable[[], object]] = [
        lambda: h.assign(3, 9, ""),
        lambda: h.assign(3, 9, "\ud800"),
        lambda: h.assign(3, 9, 9),  # type: ignore[arg-type]
        lambda: h.assign(-1, 9),
        lambda: h.assign(3, 2**64),
        lambda: h.assign(True, 0),
        lambda: h.truncate_from_end(-1),
        lambda: h.truncate_from_start(1.0),  # type: ignore[arg-type]
        lambda: h.truncate_from_end(2**64 + 5),
        lambda: h.end_offset_for(1, 4),
    ]
    for bad_call in bad_calls:
        with pytest.raises(tc.TaelError):
            bad_call()
    # 2**64 + 5 was not truncated to 5 (which would drop the entry starting at 5)
    assert h.entries == before == [(1, 0, "a"), (2, 5)]

    reg = registry()
    reg.check("s", 9)
    with pytest.raises(tc.InvalidSnapshotError):
        reg.restore('{"streams":{"s":"100","t":"-1"}}')
    assert reg.snapshot().streams == {"s": 9}
    with pytest.raises(tc.StreamExistsError):
        reg.add("s", 0)
    assert reg.highest("s") == 9


def test_int_subclasses_are_ints_but_bool_is_not() -> None:
    import enum

    class E(enum.IntEnum):
        FIVE = 5

    assert tc.EpochFencer(E.FIVE).highest == 5
    with pytest.raises(tc.InvalidArgumentError):
        tc.EpochFencer(True)


def check_and_advance_calls(gate: Any, value: object) -> list[object]:
    """What `check_and_advance` answers (or raises: class and message) for `value` passed each
    way a caller may pass it, and the gate's mark after each."""
    answers: list[object] = []
    calls: list[Callable[[], object]] = [
        lambda: gate.check_and_advance(value),
        lambda: gate.check_and_advance(epoch=value),
        lambda: type(gate).check_and_advance(gate, value),
        lambda: type(gate).check_and_advance(gate, epoch=value),
    ]
    for call in calls:
        try:
            answers.append(call())
        except Exception as e:  # noqa: BLE001 - compared below
            answers.append((type(e), str(e)))
        answers.append(gate.highest)
    return answers


@pytest.mark.parametrize("durable", [False, True], ids=["EpochFencer", "DurableFencer"])
def test_check_and_advance_answers_alike_however_it_is_called(durable: bool, tmp_path: Any) -> None:
    # The common call (one positional exact int) has its own entry (python/src/fast.rs); every
    # other form goes through pyo3's method. Both must give one answer, error and mark.
    def gate() -> Any:
        if durable:
            path = tmp_path / f"g{len(list(tmp_path.iterdir()))}"
            durable_gate = tc.DurableFencer(path, jump_cap=10, refuse_zero=True, create=True)
            durable_gate.promote_to_at_least(7)
            return durable_gate
        return tc.EpochFencer(7, jump_cap=10, refuse_zero=True)

    for value in [7, 6, 8, 0, 18, 19, U64_MAX, 2**63, *NOT_INTS, *OUT_OF_RANGE]:
        answers = check_and_advance_calls(gate(), value)
        assert answers == answers[:2] * 4, value

    class Big(int):
        pass

    assert check_and_advance_calls(gate(), Big(9)) == [True, 9] * 4
    g = gate()
    bad_calls: list[tuple[Callable[[], object], str]] = [
        (lambda: g.check_and_advance(), "missing 1 required positional argument: 'epoch'"),
        (lambda: g.check_and_advance(8, 9), "takes 1 positional arguments but 2 were given"),
        (lambda: g.check_and_advance(8, epoch=8), "got multiple values for argument 'epoch'"),
        (lambda: g.check_and_advance(epoc=8), "got an unexpected keyword argument 'epoc'"),
    ]
    for bad_call, message in bad_calls:
        with pytest.raises(TypeError, match=message):
            bad_call()
    assert g.highest == 7
    assert str(inspect.signature(type(g).check_and_advance)) == "(self, /, epoch)"
    assert (type(g).check_and_advance.__doc__ or "").startswith("Accept a record stamped with")


def test_u64_extremes_are_exact() -> None:
    gate = tc.EpochFencer()
    assert gate.check(U64_MAX).highest == U64_MAX
    assert gate.check(2**53 + 1).code == "STALE_EPOCH"
    view = view_with(generation=2**53 + 1, epoch=2**64 - 2)
    view["groups"]["g"]["members"].append({"id": "b", "live": True, "generation": U64_MAX})  # type: ignore[index]
    (d,) = tc.elect_leaders(view)
    assert d.excluded == (tc.Excluded("b", U64_MAX, tc.Exclusion.OUTRANKED_BY_SMALLER_ID),)
    assert tc.next_epoch(view, "g") == U64_MAX
    assert tc.next_epoch(view_with(epoch=2**53 + 1), "g") == 2**53 + 2


def test_every_status_of_the_core_is_raised_returned_or_not_pythons() -> None:
    # A status added to the core must be placed here: raised (its class), returned (a verdict),
    # or not a Python one, so a forgotten exception class fails this test.
    raised = {
        getattr(tc, name).code
        for name in tc.__all__
        if isinstance(getattr(tc, name), type) and issubclass(getattr(tc, name), tc.TaelError)
    }
    verdicts = {"CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT", "CLOSED"}
    # OK is no error; NO_LEADER and UNDEFINED_EPOCH are None; NULL_POINTER and BUFFER_TOO_SMALL
    # are C's; INTERNAL is TaelError's own code.
    not_raised = {"OK", "NO_LEADER", "UNDEFINED_EPOCH", "NULL_POINTER", "BUFFER_TOO_SMALL"}
    statuses = tc._native._STATUS_NAMES
    assert len(statuses) == len(set(statuses))
    assert set(statuses) == raised | verdicts | not_raised
    assert "INTERNAL" in raised and tc.TaelError.code == "INTERNAL"
    assert tc.InvalidHistoryError.code == "INVALID_HISTORY"
    assert issubclass(tc.InvalidHistoryError, ValueError)


def test_every_exception_is_declared_once_with_its_status_name() -> None:
    classes = [
        getattr(tc, name)
        for name in tc.__all__
        if isinstance(getattr(tc, name), type) and issubclass(getattr(tc, name), BaseException)
    ]
    assert tc.TaelError in classes
    codes = [c.code for c in classes if c is not tc.TaelError]
    assert len(codes) == len(set(codes)) == len(classes) - 1, "one class per status"
    statuses = set(tc._native._STATUS_NAMES)
    assert set(codes) <= statuses
    verdicts = {"CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT", "CLOSED"}
    assert not set(codes) & verdicts, "verdicts are returned, never raised"
    for cls in classes:
        assert issubclass(cls, tc.TaelError) and issubclass(cls, Exception)
        assert cls.__module__ == "tael_coord"
        assert cls.__doc__
        e = cls("boom")
        copy = pickle.loads(pickle.dumps(e))
        assert type(copy) is cls and str(copy) == "boom" and copy.code == cls.code
