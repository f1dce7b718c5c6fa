"""The bad-input matrix of SEMANTICS.md §13 (tests/bad_inputs.json), one pytest test per row.

Every row the Python front can express raises exactly the row's exception class with the row's
`.code`, and changes nothing (the gates, the registry and the epoch history read the same);
rows Python cannot express are skips with the data file's reason.
(test_bad_inputs.py holds many more Python-specific cases.)
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

import tael_coord as tc

DATA = json.loads((Path(__file__).resolve().parents[2] / "tests" / "bad_inputs.json").read_text(encoding="utf-8"))
FRONT = "python"
MIN_ROWS = 45

Json = Any  # a parsed JSON value from the data file


def params() -> list[Any]:
    out = []
    for row in DATA["rows"]:
        want = row["expect"][FRONT]
        marks = [] if isinstance(want, str) else [pytest.mark.skip(reason=f"n/a: {want['na']}")]
        out.append(pytest.param(row, id=row["name"], marks=marks))
    return out


def value(v: Json) -> Any:
    """A value of the data file as the Python object it stands for."""
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return [value(x) for x in v]
    assert isinstance(v, dict), v
    if "utf16" in v:
        units = [int(u, 16) for u in v["utf16"]]
        return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "surrogatepass")
    if "repeat" in v:
        return v["repeat"] * v["times"]
    if "concat" in v:
        parts = [value(p) for p in v["concat"]]
        assert all(isinstance(p, str) for p in parts), v
        return "".join(parts)
    if "value" in v:
        return v["value"]
    if "int" in v:
        return int(v["int"])
    if "float" in v:
        return float(v["float"])
    raise AssertionError(f"the python front cannot express {v!r}")


def number(step: dict[str, Json], key: str, default: int | None) -> Any:
    """A u64 argument: decimal text is the int it spells; other forms are what they say."""
    if key not in step:
        return default
    v = step[key]
    return int(v) if isinstance(v, str) else value(v)


def entries(v: Json) -> Any:
    """History entries: a list of entries, each a tuple (u64 text is the int it spells, a holder
    the text it is); other forms are what they say."""
    if not isinstance(v, list):
        return value(v)
    return [tuple(number_or_value(x, i < 2) for i, x in enumerate(e)) if isinstance(e, list) else value(e) for e in v]


def number_or_value(v: Json, is_number: bool) -> Any:
    return int(v) if is_number and isinstance(v, str) else value(v)


def answer(v: Json) -> Any:
    """A leader's answer: null is None, [epoch, end] a tuple; other forms are what they say."""
    if v is None:
        return None
    if isinstance(v, list):
        return tuple(number_or_value(x, True) for x in v)
    return value(v)


def decisions(text: str) -> Any:
    """Decisions JSON text as the Decision objects it stands for (the front's transitions takes
    its own decision values): each decision object becomes a Decision, anything else stays the
    value it is."""
    return [decision(d) if isinstance(d, dict) else d for d in json.loads(text)]


def decision(d: dict[str, Json]) -> tc.Decision:
    def u64(v: Json) -> int | None:
        return None if v is None else int(v)

    return tc.Decision(
        group=d["group"],
        leader=d["leader"],
        reason=tc.Reason(d["reason"]),
        excluded=tuple(tc.Excluded(e["id"], int(e["generation"]), tc.Exclusion(e["reason"])) for e in d["excluded"]),
        leader_index=d["leader_index"],
        leader_generation=u64(d["leader_generation"]),
        leader_epoch=u64(d.get("leader_epoch")),
        claimants=tuple(
            tc.Claimant(c["id"], int(c["generation"]), int(c["claims_epoch"])) for c in d.get("claimants", [])
        ),
    )


def refuse_zero(step: dict[str, Json]) -> bool:
    value = step.get("refuse_zero", False)
    assert isinstance(value, bool)
    return value


class State:
    def __init__(self) -> None:
        self.gate = tc.EpochFencer()
        self.holder = tc.HolderFencer()
        self.registry = tc.FenceRegistry()
        self.history = tc.EpochHistory()

    def summary(self) -> tuple[object, ...]:
        return (
            self.gate.highest,
            self.holder.state,
            self.holder.reign_closed,
            self.registry.snapshot().to_json(),
            self.history.to_json(),
            self.history.entries,
        )


def run(state: State, step: dict[str, Json]) -> None:
    for modifier in ("length", "handle", "out", "buffer"):
        assert modifier not in step, f"the python front cannot express {modifier}"
    op = step["op"]
    if op == "elect":
        tc.elect_leader(value(step["ids"]))
    elif op == "validate_id":
        tc.validate_id(value(step["id"]))
    elif op == "gate":
        state.gate = tc.EpochFencer(
            number(step, "highest", 0), jump_cap=number(step, "cap", None), refuse_zero=refuse_zero(step)
        )
    elif op == "check":
        state.gate.check(number(step, "epoch", None))
    elif op == "promote":
        state.gate.promote()
    elif op == "promote_to_at_least":
        state.gate.promote_to_at_least(number(step, "floor", None))
    elif op == "holder_gate":
        holder = value(step["holder"]) if "holder" in step else None
        state.holder = tc.HolderFencer(number(step, "highest", 0), holder=holder, refuse_zero=refuse_zero(step))
    elif op == "holder_check":
        state.holder.check(number(step, "epoch", None), value(step["holder"]))
    elif op == "holder_check_and_advance":
        state.holder.check_and_advance(number(step, "epoch", None), value(step["holder"]))
    elif op == "holder_promote":
        state.holder.promote(value(step["holder"]))
    elif op == "holder_promote_to_at_least":
        state.holder.promote_to_at_least(number(step, "floor", None), value(step["holder"]))
    elif op == "holder_close":
        state.holder.close_reign(number(step, "epoch", None), value(step["holder"]))
    elif op == "holder_adopt":
        state.holder.adopt(number(step, "epoch", None), value(step["holder"]))
    elif op == "registry":
        state.registry = tc.FenceRegistry(jump_cap=number(step, "cap", None), refuse_zero=refuse_zero(step))
    elif op == "registry_add":
        state.registry.add(value(step["stream"]), number(step, "highest", 0))
    elif op == "registry_check":
        state.registry.check(value(step["stream"]), number(step, "epoch", None))
    elif op == "registry_check_and_advance":
        state.registry.check_and_advance(value(step["stream"]), number(step, "epoch", None))
    elif op == "registry_promote":
        state.registry.promote(value(step["stream"]))
    elif op == "registry_promote_to_at_least":
        state.registry.promote_to_at_least(value(step["stream"]), number(step, "floor", None))
    elif op == "registry_contains":
        value(step["stream"]) in state.registry  # noqa: B015 (the lookup is the call)
    elif op == "registry_remove":
        state.registry.remove(value(step["stream"]))
    elif op == "registry_restore":
        state.registry.restore(value(step["snapshot"]))
    elif op == "decide":
        if "policy" in step:
            tc.elect_leaders(value(step["view"]), value(step["policy"]))
        else:
            tc.elect_leaders(value(step["view"]))
    elif op == "normalize_view":
        tc.normalize_view(value(step["view"]))
    elif op == "next_epoch":
        tc.next_epoch(value(step["view"]), value(step["group"]))
    elif op == "history":
        if "json" in step:
            state.history = tc.EpochHistory.from_json(value(step["json"]))
        else:
            state.history = tc.EpochHistory(entries(step["entries"]))
    elif op == "history_assign":
        holder = value(step["holder"]) if "holder" in step else None
        state.history.assign(number(step, "epoch", None), number(step, "start_offset", None), holder)
    elif op == "history_truncate_from_end":
        state.history.truncate_from_end(number(step, "offset", None))
    elif op == "history_truncate_from_start":
        state.history.truncate_from_start(number(step, "offset", None))
    elif op == "history_end_offset_for":
        state.history.end_offset_for(number(step, "epoch", None), number(step, "log_end", None))
    elif op == "divergence_point":
        tc.divergence_point(
            entries(step["leader"]),
            number(step, "leader_log_end", None),
            entries(step["follower"]),
            number(step, "follower_log_end", None),
        )
    elif op == "follower_step":
        tc.follower_step(entries(step["follower"]), number(step, "follower_log_end", None), answer(step["answer"]))
    elif op == "transitions":
        tc.transitions(decisions(value(step["previous"])), decisions(value(step["next"])))
    elif op == "established":
        tc.established(number(step, "epoch", None), value(step["verdicts"]), number(step, "configured", None))
    else:
        raise AssertionError(f"the python front has no op {op}")


@pytest.mark.parametrize("row", params())
def test_row(row: dict[str, Json]) -> None:
    code = row["expect"][FRONT]
    cls = getattr(tc, DATA["python_classes"][code])
    state = State()
    for step in row.get("setup", []):
        run(state, step)
    before = state.summary()
    with pytest.raises(tc.TaelError) as info:
        run(state, row["call"])
    e = info.value
    assert type(e) is cls, f"{type(e).__name__}: {e}"
    assert e.code == code
    assert state.summary() == before, "a refused call changed nothing"


def test_every_class_of_the_table_has_its_code() -> None:
    for code, name in DATA["python_classes"].items():
        cls = getattr(tc, name)
        assert issubclass(cls, tc.TaelError) and cls.code == code


def test_enough_rows_are_expressed() -> None:
    expressed = [row for row in DATA["rows"] if isinstance(row["expect"][FRONT], str)]
    assert len(expressed) >= MIN_ROWS
