"""Hypothesis properties: the native module against the pure-Python model of the spec."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable
from typing import Any, Union

from hypothesis import given, settings
from hypothesis import strategies as st

import model
import tael_coord as tc

U64_MAX = model.U64_MAX

# Text that may hold control characters, lone surrogates and astral characters.
characters = st.one_of(st.characters(), st.characters(categories=["Cs"]))
interesting_ids = st.sampled_from(
    [
        "node-a",
        "node-b",
        "Node-b",
        "node-10",
        "node-9",
        "é",
        "e\u0301",
        "\uff61",
        "\U0001f600",
        "",
        "a\x00",
        "x" * 255,
        "x" * 256,
        "é" * 128,
        "\ud800",
    ]
)
ids_items = st.one_of(
    st.text(alphabet=characters, max_size=5),
    interesting_ids,
    st.text(alphabet="abc", min_size=1, max_size=3),
    # UTF-8 byte order and UTF-16 code-unit order disagree on these.
    st.text(alphabet="a\uff61\U0001f600", min_size=1, max_size=2),
)
not_str = st.one_of(st.integers(), st.none(), st.binary(max_size=3), st.booleans())


def outcome_model(ids: list[object]) -> tuple[str, int | None]:
    try:
        return ("ok", model.elect(ids))
    except model.ModelError as e:
        return (e.code, None)


def outcome_native(ids: list[object]) -> tuple[str, int | None]:
    try:
        index = tc.elect_leader_index(ids)  # type: ignore[arg-type]
        leader = tc.elect_leader(ids)  # type: ignore[arg-type]
    except tc.TaelError as e:
        return (e.code, None)
    assert leader == (None if index is None else ids[index])
    return ("ok", index)


@given(st.lists(ids_items, max_size=8))
def test_election_matches_model(ids: list[object]) -> None:
    assert outcome_native(ids) == outcome_model(ids)


@given(st.lists(st.one_of(ids_items, not_str), max_size=6))
def test_election_with_wrong_types_fails_at_the_first_bad_item(ids: list[object]) -> None:
    assert outcome_native(ids) == outcome_model(ids)


@given(st.lists(st.text(alphabet="ab\u00e9\uff61\U0001f600", min_size=1, max_size=4), min_size=1))
def test_election_is_min_by_utf8_bytes_for_any_sequence(ids: list[str]) -> None:
    want = min(ids, key=lambda s: s.encode("utf-8"))
    assert tc.elect_leader(ids) == want
    assert tc.elect_leader(tuple(ids)) == want
    assert tc.elect_leader_index(ids) == ids.index(want)


epochs = st.one_of(
    st.integers(0, 20),
    st.integers(0, U64_MAX),
    st.integers(0, 3).map(lambda d: U64_MAX - d),
)
caps = st.one_of(st.none(), st.integers(0, 10), st.integers(0, U64_MAX))

# An offered epoch: absolute, or relative to the gate's highest at that moment (so the
# boundaries, equal and exactly-the-cap-above, come up often).
Offer = tuple[str, int]
offers = st.one_of(
    st.tuples(st.just("abs"), epochs),
    st.tuples(st.just("rel"), st.integers(-3, 12)),
)
GateOp = tuple[str, Union[Offer, None]]
gate_ops = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["check", "check_and_advance"]), offers),
        st.just(("promote", None)),
    ),
    max_size=30,
)


def resolve(offer: Offer, highest: int) -> int:
    mode, value = offer
    if mode == "abs":
        return value
    return min(max(highest + value, 0), U64_MAX)


def native_verdict(v: tc.Verdict) -> dict[str, object]:
    out: dict[str, object] = {
        "code": v.code,
        "accepted": v.accepted,
        "epoch": v.epoch,
        "highest": v.highest,
    }
    for key, value in (("from", v.from_), ("cap", v.cap), ("holder", v.holder)):
        if value is not None:
            out[key] = value
    return out


def run_gate(gate: tc.EpochFencer, ref: model.Gate, ops: list[GateOp]) -> None:
    for op, offer in ops:
        if offer is None:
            try:
                want: object = ref.promote()
            except model.ModelError as e:
                want = e.code
            try:
                got: object = gate.promote()
            except tc.TaelError as e:
                got = e.code
        elif op == "check":
            epoch = resolve(offer, ref.highest)
            want, got = ref.check(epoch), native_verdict(gate.check(epoch))
        else:
            epoch = resolve(offer, ref.highest)
            want = ref.check(epoch)["accepted"]
            got = gate.check_and_advance(epoch)
        assert got == want, (op, offer)
        assert gate.highest == ref.highest


@settings(max_examples=300)
@given(epochs, caps, gate_ops)
def test_epoch_gate_matches_sequential_model(highest: int, cap: int | None, ops: list[GateOp]) -> None:
    gate = tc.EpochFencer(highest, jump_cap=cap)
    assert gate.jump_cap == cap
    run_gate(gate, model.Gate(highest, cap), ops)


@given(epochs, caps, gate_ops, gate_ops)
def test_a_pickled_gate_goes_on_like_the_original(
    highest: int, cap: int | None, before: list[GateOp], after: list[GateOp]
) -> None:
    gate = tc.EpochFencer(highest, jump_cap=cap)
    ref = model.Gate(highest, cap)
    run_gate(gate, ref, before)
    copy = pickle.loads(pickle.dumps(gate))
    assert repr(copy) == repr(gate)
    run_gate(copy, ref, after)


holders = st.one_of(st.sampled_from(["a", "b", "c"]), st.sampled_from(["", "\x07", "\udc00"]))
holder_ops = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["check", "check", "close", "adopt"]), offers, holders),
        st.tuples(st.just("promote"), holders),
    ),
    max_size=30,
)
HolderGate = Union[tc.HolderFencer, tc.DurableHolderFencer]


def run_holder(gate: HolderGate, ref: model.HolderGate, ops: list[tuple[object, ...]]) -> None:
    """Each op on the gate and on the model: the same verdict or error, the same reign, and
    the same counts (checks only; failed calls count nothing)."""
    calls: dict[str, tuple[Callable[[int, Any], object], Callable[[int, Any], tc.Verdict]]] = {
        "check": (ref.check, gate.check),
        "close": (ref.close, gate.close_reign),
        "adopt": (ref.adopt, gate.adopt),
    }
    for op in ops:
        want: object
        got: object
        if op[0] == "promote":
            try:
                want = ref.promote(op[1])  # type: ignore[arg-type]
            except model.ModelError as e:
                want = e.code
            try:
                got = gate.promote(op[1])  # type: ignore[arg-type]
            except tc.TaelError as e:
                got = e.code
        else:
            name, offer, holder = op
            epoch = resolve(offer, ref.highest)  # type: ignore[arg-type]
            modelled, native = calls[str(name)]
            try:
                want = modelled(epoch, holder)
            except model.ModelError as e:
                want = e.code
            try:
                got = native_verdict(native(epoch, holder))
            except tc.TaelError as e:
                got = e.code
        assert got == want, op
        assert (gate.state, gate.reign_closed) == ((ref.highest, ref.holder), ref.closed)
        counted = gate.counters()
        assert counted is not None and {k: n for k, n in counted.items() if n} == ref.counts


@settings(max_examples=300)
@given(epochs, caps, st.booleans(), holder_ops)
def test_holder_gate_matches_sequential_model(
    highest: int, cap: int | None, refuse_zero: bool, ops: list[tuple[object, ...]]
) -> None:
    gate = tc.HolderFencer(highest, jump_cap=cap, refuse_zero=refuse_zero, counters=True)
    assert (gate.jump_cap, gate.refuses_epoch_zero) == (cap, refuse_zero)
    ref = model.HolderGate(highest, None, cap, refuse_zero=refuse_zero)
    run_holder(gate, ref, ops)
    copy = pickle.loads(pickle.dumps(gate))
    assert (copy.state, copy.reign_closed, copy.jump_cap) == (gate.state, gate.reign_closed, gate.jump_cap)
    counted = copy.counters()
    assert copy.refuses_epoch_zero == refuse_zero
    assert counted is not None and set(counted.values()) == {0}, "a copy counts from 0"
    ref.counts.clear()
    run_holder(copy, ref, ops)


@settings(max_examples=40, deadline=None)
@given(caps, st.booleans(), holder_ops, holder_ops)
def test_a_durable_holder_gate_matches_the_model_across_reopening(
    cap: int | None, refuse_zero: bool, before: list[tuple[object, ...]], after: list[tuple[object, ...]]
) -> None:
    ref = model.HolderGate(cap=cap, refuse_zero=refuse_zero)
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/vote"
        with tc.DurableHolderFencer(path, create=True, jump_cap=cap, refuse_zero=refuse_zero, counters=True) as durable:
            run_holder(durable, ref, before)
        ref.counts.clear()
        with tc.DurableHolderFencer(path, jump_cap=cap, refuse_zero=refuse_zero, counters=True) as durable:
            assert (durable.state, durable.reign_closed) == ((ref.highest, ref.holder), ref.closed)
            run_holder(durable, ref, after)


def fnv1a(group: str, id: str) -> int:
    h = 0xCBF29CE484222325
    for b in group.encode() + b"\x00" + id.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return h


@given(st.text(), st.text())
def test_rendezvous_score_is_fnv1a_of_the_spec(group: str, id: str) -> None:
    assert tc.rendezvous_score(group, id) == fnv1a(group, id)


members = st.lists(
    st.tuples(st.text(alphabet="abcé", min_size=1, max_size=3), st.booleans()),
    max_size=6,
    unique_by=lambda m: m[0],
)


@given(members, st.integers(0, U64_MAX))
def test_plain_policy_elects_the_smallest_live_id(
    listed: list[tuple[str, bool]], generation: int
) -> None:
    view = {
        "groups": {
            "g": {
                "members": [
                    {"id": i, "live": live, "generation": generation} for i, live in listed
                ]
            }
        }
    }
    (decision,) = tc.elect_leaders(view)
    live = [i for i, on in listed if on]
    want = min(live, key=lambda s: s.encode()) if live else None
    assert decision.leader == want
    if not listed:
        assert decision.reason is tc.Reason.NO_MEMBERS
    elif not live:
        assert decision.reason is tc.Reason.NO_LIVE_MEMBERS
    elif len(live) == 1:
        assert decision.reason is tc.Reason.ONLY_CANDIDATE
    else:
        assert decision.reason is tc.Reason.SMALLEST_ID
    assert [e.id for e in decision.excluded] == [i for i, _ in listed if i != want]
    # Python ints are exact: a u64 generation comes back unchanged, even above 2**53.
    assert all(e.generation == generation for e in decision.excluded)


@settings(max_examples=50)
@given(st.lists(st.integers(0, U64_MAX), min_size=1, max_size=5))
def test_next_epoch_is_one_past_every_announced_epoch(announced: list[int]) -> None:
    view = {
        "groups": {
            "g": {
                "members": [
                    {"id": f"n{k}", "live": k % 2 == 0, "epoch": e} for k, e in enumerate(announced)
                ]
            }
        }
    }
    try:
        got: object = tc.next_epoch(view, "g")
    except tc.EpochOverflowError as e:
        got = e.code
    want = max(announced) + 1 if max(announced) < U64_MAX else "EPOCH_OVERFLOW"
    assert got == want


# Epoch histories (src/history.rs) against the per-offset model. Offsets stay small so the
# model can walk them one by one; the corpus covers the u64 edges. These tests make several
# native calls per example, so they have no deadline (a loaded machine is not a failure).
history_holders = st.sampled_from([None, None, "a", "b"])
assign_args = st.tuples(st.integers(0, 10), st.integers(0, 40), history_holders)


def native_entries(h: model.History) -> list[tuple[int, int] | tuple[int, int, str]]:
    """The model's entries as the package writes them (a triple only with a holder)."""
    return [(e, s) if holder is None else (e, s, holder) for e, s, holder in h.entries]


@st.composite
def logs_from(draw: st.DrawFn, base: list[model.Entry]) -> tuple[model.History, int]:
    """A log grown from ``base`` by a few assigns, maybe with a deleted prefix, and its end (now
    and then one that does not fit the history)."""
    h = model.History(list(base))
    for epoch, start, holder in draw(st.lists(assign_args, max_size=3)):
        h.assign(epoch, start, holder)
    if draw(st.booleans()):
        h.truncate_from_start(draw(st.integers(0, 40)))
    floor = h.entries[-1][1] if h.entries else 0
    end = draw(st.one_of(st.integers(floor, floor + 8), st.integers(0, 50)))
    return h, end


@st.composite
def two_logs(draw: st.DrawFn) -> tuple[model.History, int, model.History, int]:
    """Two logs that share a history, each grown its own way from it."""
    base = model.History()
    for epoch, start, holder in draw(st.lists(assign_args, max_size=4)):
        base.assign(epoch, start, holder)
    a, a_end = draw(logs_from(base.entries))
    b, b_end = draw(logs_from(base.entries))
    return a, a_end, b, b_end


def native_point(a: model.History, a_end: int, b: model.History, b_end: int) -> int | str:
    try:
        # The model's (epoch, start, None) triples go in as they are: a None holder is none.
        return tc.divergence_point(a.entries, a_end, tc.EpochHistory(b.entries), b_end)
    except tc.TaelError as e:
        return e.code


@settings(max_examples=400, deadline=None)
@given(two_logs())
def test_divergence_point_matches_the_per_offset_model(logs: tuple[model.History, int, model.History, int]) -> None:
    a, a_end, b, b_end = logs
    try:
        want: int | str = model.divergence_point(a, a_end, b, b_end)
    except model.ModelError as e:
        want = e.code
    got = native_point(a, a_end, b, b_end)
    assert got == want
    assert native_point(b, b_end, a, a_end) == got, "symmetric"
    if isinstance(got, int):
        assert got <= a_end and got <= b_end, "never above either end"


@settings(deadline=None)
@given(two_logs(), st.integers(0, 8), st.integers(0, 8))
def test_equal_histories_share_the_shorter_log(
    logs: tuple[model.History, int, model.History, int], more: int, other: int
) -> None:
    h = logs[0]
    floor = h.entries[-1][1] if h.entries else 0
    # Log ends that fit the history (an empty one holds no record).
    ends = (floor + more, floor + other) if h.entries else (0, 0)
    history = tc.EpochHistory(native_entries(h))
    assert tc.divergence_point(history, ends[0], history, ends[1]) == min(ends)
    assert tc.divergence_point(history, ends[0], native_entries(h), ends[1]) == min(ends)


@settings(deadline=None)
@given(
    logs_from([]),
    st.one_of(st.none(), st.tuples(st.integers(0, 12), st.integers(0, 50))),
)
def test_follower_step_matches_the_model(log: tuple[model.History, int], answer: tuple[int, int] | None) -> None:
    f, end = log
    try:
        want: object = model.follower_step(f, end, answer)
    except model.ModelError as e:
        want = e.code
    try:
        got: object = tc.follower_step(native_entries(f), end, answer)
    except tc.TaelError as e:
        got = e.code
    assert got == want
    if isinstance(got, tuple):
        assert got[0] <= end, "never beyond the log end"


@settings(deadline=None)
@given(two_logs())
def test_the_follower_loop_ends(logs: tuple[model.History, int, model.History, int]) -> None:
    """A follower that truncates as each step says and asks again is done within one step per
    entry it holds, and never grows its log."""
    leader, leader_end, follower, end = logs
    try:
        leader.check_log_end(leader_end)
        follower.check_log_end(end)
    except model.ModelError:
        return
    mine = tc.EpochHistory(native_entries(follower))
    for _ in range(len(mine) + 1):
        latest = mine.latest_epoch
        answer = None if latest is None else tc.EpochHistory(native_entries(leader)).end_offset_for(latest, leader_end)
        offset, done = tc.follower_step(mine, end, answer)
        assert offset <= end
        mine.truncate_from_end(offset)
        end = offset
        if done:
            break
    else:
        raise AssertionError("the follower never finished")


HistoryOp = tuple[str, tuple[int, int, Union[str, None]]]
history_ops = st.lists(
    st.one_of(
        st.tuples(st.just("assign"), assign_args),
        st.tuples(st.sampled_from(["truncate_from_end", "truncate_from_start"]), assign_args),
        st.tuples(st.just("end_offset_for"), assign_args),
    ),
    max_size=25,
)


def run_history(native: tc.EpochHistory | tc.DurableHistory, ref: model.History, ops: list[HistoryOp]) -> None:
    for op, (n, m, holder) in ops:
        want: object
        got: object
        if op == "assign":
            want, got = ref.assign(n, m, holder), native.assign(n, m, holder)
        elif op == "truncate_from_end":
            want, got = ref.truncate_from_end(m), native.truncate_from_end(m)
        elif op == "truncate_from_start":
            want, got = ref.truncate_from_start(m), native.truncate_from_start(m)
        else:
            try:
                want = ref.end_offset_for(n, m)
            except model.ModelError as e:
                want = e.code
            try:
                got = native.end_offset_for(n, m)
            except tc.TaelError as e:
                got = e.code
        assert got == want, (op, n, m, holder)
        assert native.entries == native_entries(ref)
        assert native.latest_epoch == (ref.entries[-1][0] if ref.entries else None)


@settings(max_examples=300, deadline=None)
@given(history_ops)
def test_history_operations_match_the_model(ops: list[HistoryOp]) -> None:
    history = tc.EpochHistory()
    ref = model.History()
    run_history(history, ref, ops)
    copy = pickle.loads(pickle.dumps(history))
    assert copy == history and tc.EpochHistory.from_json(history.to_json()) == history


@settings(max_examples=40, deadline=None)
@given(history_ops, history_ops)
def test_a_durable_history_matches_the_model_across_reopening(before: list[HistoryOp], after: list[HistoryOp]) -> None:
    ref = model.History()
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/history"
        with tc.DurableHistory(path, create=True) as durable:
            run_history(durable, ref, before)
        with tc.DurableHistory(path) as durable:
            assert durable.entries == native_entries(ref), "the file holds every change"
            run_history(durable, ref, after)


fresh_members = st.lists(
    st.builds(
        model.Member,
        st.text(alphabet="abcé", min_size=1, max_size=2),
        st.booleans(),
        st.integers(0, 2),
        st.one_of(st.integers(0, 6), st.integers(U64_MAX - 3, U64_MAX)),
    ),
    max_size=5,
    unique_by=lambda m: m.id,
)


@settings(deadline=None)
@given(fresh_members, st.one_of(st.integers(0, 3), st.just(U64_MAX)))
def test_freshness_matches_the_model(members: list[model.Member], max_lag: int) -> None:
    view = {
        "groups": {
            "g": {
                "members": [
                    {"id": m.id, "live": m.live, "log_epoch": m.log_epoch, "log_end": str(m.log_end)}
                    for m in members
                ]
            }
        }
    }
    leader, reason, why = model.fresh_decision(members, max_lag)
    for decisions in (
        tc.elect_leaders(view, freshness=True, max_lag=max_lag),
        tc.elect_leaders(view, tc.Policy(freshness=True, max_lag=max_lag)),
        tc.elect_leaders(view, {"freshness": True, "max_lag": max_lag}),
    ):
        (d,) = decisions
        assert (d.leader, d.reason.value) == (leader, reason)
        assert {e.id: e.reason.value for e in d.excluded} == why


@settings(max_examples=300)
@given(
    st.integers(1, 6),
    st.integers(0, 2),
    st.lists(st.tuples(st.integers(0, 6), st.booleans()), max_size=24),
    st.one_of(st.integers(0, 2), st.just(U64_MAX - 1)),
)
def test_at_most_one_claimant_is_established_per_epoch(
    gates: int, configured_extra: int, order: list[tuple[int, bool]], start: int
) -> None:
    """SEMANTICS.md §16: whatever the order two claimants' tokens at one epoch reach a group's
    holder gates, at most one claimant is established (each counting the latest verdict each
    gate gave it)."""
    group = [tc.HolderFencer(start) for _ in range(gates)]
    configured = gates + configured_extra
    epoch = start + 1
    claimants = ("a", "b")
    latest: list[dict[int, tc.Verdict]] = [{}, {}]
    for gate, second in order:
        latest[second][gate % gates] = group[gate % gates].check(epoch, claimants[second])
    won = []
    for answers in latest:
        got = tc.established(epoch, answers.values(), configured)
        votes = sum(v.accepted and v.epoch == epoch for v in answers.values())
        assert got == (2 * votes > configured), "a strict majority of the configured size"
        won.append(got)
    assert sum(won) <= 1, latest
    # The gates kept one holder each, the first claimant to reach them.
    for gate, fencer in enumerate(group):
        reached = [claimants[second] for g, second in order if g % gates == gate]
        assert fencer.state == ((epoch, reached[0]) if reached else (start, None))
