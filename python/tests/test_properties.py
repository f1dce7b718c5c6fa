"""Hypothesis properties: the native module against the pure-Python model of the spec."""

from __future__ import annotations

import pickle
from typing import Union

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
        st.tuples(st.just("check"), offers, holders),
        st.tuples(st.just("promote"), holders),
    ),
    max_size=30,
)


@settings(max_examples=300)
@given(epochs, caps, holder_ops)
def test_holder_gate_matches_sequential_model(
    highest: int, cap: int | None, ops: list[tuple[object, ...]]
) -> None:
    gate = tc.HolderFencer(highest, jump_cap=cap)
    ref = model.HolderGate(highest, None, cap)
    for op in ops:
        if op[0] == "check":
            op = ("check", resolve(op[1], ref.highest), op[2])  # type: ignore[arg-type]
        try:
            if op[0] == "check":
                want: object = ref.check(op[1], op[2])  # type: ignore[arg-type]
            else:
                want = ref.promote(op[1])  # type: ignore[arg-type]
        except model.ModelError as e:
            want = e.code
        try:
            if op[0] == "check":
                got: object = native_verdict(gate.check(op[1], op[2]))  # type: ignore[arg-type]
            else:
                got = gate.promote(op[1])  # type: ignore[arg-type]
        except tc.TaelError as e:
            got = e.code
        assert got == want, op
        assert gate.state == (ref.highest, ref.holder)
    copy = pickle.loads(pickle.dumps(gate))
    assert (copy.state, copy.jump_cap) == (gate.state, gate.jump_cap)


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
