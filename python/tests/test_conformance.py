"""The whole conformance corpus (tests/vectors/*.json), one pytest test per case.

Cases whose ``fronts`` do not name "python" (raw bytes, which a Python str cannot hold) are
reported as skips with that reason; every other case must give exactly the expected results.
Cases with an epoch history run twice: with an ``EpochHistory``, and with a ``DurableHistory``
in a file of their own (read back from the file once the case is done). Cases with a gate or a
registry also run twice: in memory, and with durable gates in files of their own, made to count
their verdicts (each check must count its verdict once, and a failed call nothing).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pytest

import tael_coord as tc

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
FRONT = "python"

Json = Any  # a parsed JSON value from the corpus


def load_cases() -> list[dict[str, Json]]:
    cases: list[dict[str, Json]] = []
    for path in sorted(VECTORS.glob("*.json")):
        cases.extend(json.loads(path.read_text(encoding="utf-8"))["cases"])
    return cases


CASES = load_cases()


def params(cases: list[dict[str, Json]]) -> list[Any]:
    out = []
    for case in cases:
        fronts = case.get("fronts")
        marks = []
        if fronts is not None and FRONT not in fronts:
            why = ": raw bytes cannot be a Python str" if '"hex"' in json.dumps(case) else ""
            marks.append(pytest.mark.skip(reason=f"fronts {fronts} excludes python{why}"))
        out.append(pytest.param(case, id=case["name"], marks=marks))
    return out


def has_history(case: dict[str, Json]) -> bool:
    return any(step["op"] == "history" for step in case["steps"])


def has_gate(case: dict[str, Json]) -> bool:
    return any(step["op"] in ("gate", "holder_gate", "registry") for step in case["steps"])


def text(value: Json) -> str:
    """A corpus text as a Python str; UTF-16 units may leave lone surrogates in it."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "utf16" in value:
        units = [int(u, 16) for u in value["utf16"]]
        raw = struct.pack(f"<{len(units)}H", *units)
        # Pairs become one code point; a lone surrogate stays in the str as it is.
        return raw.decode("utf-16-le", "surrogatepass")
    raise AssertionError(f"the python front cannot express {value!r}")


def u64(step: dict[str, Json], key: str, default: int | None = None) -> int | None:
    if key not in step:
        return default
    value = step[key]
    assert isinstance(value, str), "u64 values in the corpus are strings"
    return int(value)


def epoch_of(step: dict[str, Json]) -> int:
    value = u64(step, "epoch")
    assert value is not None
    return value


def floor_of(step: dict[str, Json]) -> int:
    value = u64(step, "floor")
    assert value is not None
    return value


def verdict(v: tc.Verdict) -> dict[str, Json]:
    """The pinned verdict JSON, built from the Python attributes (and checked against to_json)."""
    out: dict[str, Json] = {
        "code": v.code,
        "accepted": v.accepted,
        "epoch": str(v.epoch),
        "highest": str(v.highest),
    }
    if v.from_ is not None:
        out["from"] = str(v.from_)
    if v.cap is not None:
        out["cap"] = str(v.cap)
    if v.holder is not None:
        out["holder"] = v.holder
    assert json.loads(v.to_json()) == out
    return out


def decision(d: tc.Decision) -> dict[str, Json]:
    """The pinned decision JSON, as the core writes it from the Decision's fields."""
    out: dict[str, Json] = json.loads(d.to_json())
    return out


def view_forms(step: dict[str, Json]) -> list[str | dict[str, Json]]:
    """An object view is tried as a dict and as JSON text; `view_text` only as given."""
    if "view" in step:
        return [step["view"], json.dumps(step["view"])]
    return [step["view_text"]]


def policy_forms(step: dict[str, Json]) -> list[tc.PolicyLike | None]:
    if "policy" in step:
        return [step["policy"], json.dumps(step["policy"])]
    if "policy_text" in step:
        return [step["policy_text"]]
    return [None]


History = Union[tc.EpochHistory, tc.DurableHistory]
Gate = Union[tc.EpochFencer, tc.DurableFencer]
HolderGate = Union[tc.HolderFencer, tc.DurableHolderFencer]
Registry = Union[tc.FenceRegistry, tc.DurableRegistry]
Durable = Union[tc.DurableHistory, tc.DurableFencer, tc.DurableHolderFencer, tc.DurableRegistry]


@dataclass
class State:
    gate: Gate | None = None
    holder: HolderGate | None = None
    registry: Registry | None = None
    history: History | None = None
    #: Where durable histories go; None for in-memory ones.
    dir: Path | None = None
    #: Whether gates and registries are durable ones in files of their own, counting verdicts.
    gate_files: bool = False
    #: Every durable history made so far (each in a file of its own).
    files: list[tc.DurableHistory] = field(default_factory=list)
    #: Every durable gate and registry made so far.
    handles: list[Durable] = field(default_factory=list)

    def new_file(self) -> Path:
        assert self.dir is not None
        return self.dir / f"file-{len(self.files) + len(self.handles)}"

    def new_gate(self, highest: int, cap: int | None, refuse_zero: bool) -> Gate:
        """A gate of the case's kind (a fresh file's gate starts at 0 and is promoted to
        ``highest``; the cap is the handle's, not the file's)."""
        if not self.gate_files:
            return tc.EpochFencer(highest, jump_cap=cap, refuse_zero=refuse_zero)
        gate = tc.DurableFencer(self.new_file(), create=True, jump_cap=cap, refuse_zero=refuse_zero, counters=True)
        self.handles.append(gate)
        if highest > 0:
            assert gate.promote_to_at_least(highest) == highest
        return gate

    def new_holder_gate(self, highest: int, holder: str | None, cap: int | None, refuse_zero: bool) -> HolderGate:
        """A holder gate of the case's kind resuming ``(highest, holder)``. A file's gate is a
        plain gate's file at ``highest`` (version 1) taken over by a holder gate, which adopts
        ``holder``'s reign, then opened again with the case's options."""
        memory = tc.HolderFencer(highest, holder=holder, jump_cap=cap, refuse_zero=refuse_zero)
        if not self.gate_files:
            return memory
        path = self.new_file()
        with tc.DurableFencer(path, create=True) as plain:
            if highest > 0:
                plain.promote_to_at_least(highest)
        with tc.DurableHolderFencer(path) as taken:
            assert (taken.state, taken.reign_closed) == ((highest, None), False)
            if holder is not None:
                assert taken.adopt(highest, holder).accepted
        gate = tc.DurableHolderFencer(path, jump_cap=cap, refuse_zero=refuse_zero, counters=True)
        self.handles.append(gate)
        assert (gate.state, gate.reign_closed) == (memory.state, memory.reign_closed)
        return gate

    def new_registry(self, cap: int | None, refuse_zero: bool) -> Registry:
        if not self.gate_files:
            return tc.FenceRegistry(jump_cap=cap, refuse_zero=refuse_zero)
        registry = tc.DurableRegistry(
            self.new_file(), create=True, jump_cap=cap, refuse_zero=refuse_zero, counters=True
        )
        self.handles.append(registry)
        return registry

    def close(self) -> None:
        for durable in [*self.files, *self.handles]:
            durable.close()

    def new_history(self, history: tc.EpochHistory) -> History:
        """A history of the case's kind holding ``history`` (a fresh file's history is built by
        assigning each entry, which appends it)."""
        if self.dir is None:
            return history
        durable = tc.DurableHistory(self.new_file(), create=True)
        self.files.append(durable)
        for e in history.entries:
            assert durable.assign(*e) is True
        assert durable.entries == history.entries
        return durable


def entry(value: Json) -> tuple[int, int] | tuple[int, int, str]:
    """A corpus entry [epoch, start] or [epoch, start, holder] as the Python tuple."""
    epoch, start, *holder = value
    if holder:
        return (int(epoch), int(start), text(holder[0]))
    return (int(epoch), int(start))


def entries(value: Json) -> list[tuple[int, int] | tuple[int, int, str]]:
    return [entry(e) for e in value]


def history_forms(value: Json) -> Iterator[tc._native._HistoryLike]:
    """The entries as a list, as a generator (read once), and as an EpochHistory."""
    yield entries(value)
    yield (e for e in entries(value))
    yield tc.EpochHistory(entries(value))


def refuse_zero(step: dict[str, Json]) -> bool:
    """A creating step's ``refuse_zero`` (default false)."""
    value = step.get("refuse_zero", False)
    assert isinstance(value, bool)
    return value


def decisions_of(views: list[Json], policy: Json) -> list[list[tc.Decision]]:
    """Each view decided under the policy, the same for the policy as a dict and as JSON text."""
    out = []
    for view in views:
        forms = [tc.elect_leaders(view, policy), tc.elect_leaders(json.dumps(view), json.dumps(policy))]
        assert forms[0] == forms[1]
        out.append(forms[0])
    return out


def events(step: dict[str, Json]) -> dict[str, Json]:
    """The events from the first view's decisions to the second's, read back as the pinned JSON
    (each event's ``to_json``, checked against its fields); ``watch`` over the two views gives
    the first view's leaders as elected, then the same events."""
    policy = step.get("policy", {})
    previous, next_ = decisions_of([step["previous"], step["next"]], policy)
    got = tc.transitions(previous, next_)
    assert got == tc.transitions(iter(previous), tuple(next_)), "any iterable"
    watched = list(tc.watch([step["previous"], step["next"]], policy))
    assert watched == tc.transitions([], previous) + got
    out = []
    for e in got:
        doc = json.loads(e.to_json())
        fields = [e.generation, e.epoch, e.previous_generation, e.previous_epoch]
        assert [doc["generation"], doc["epoch"], doc["previous_generation"], doc["previous_epoch"]] == [
            u64_or_none(f) for f in fields
        ]
        assert (doc["event"], doc["group"], doc["leader"], doc["previous"]) == (e.event, e.group, e.leader, e.previous)
        out.append(doc)
    return {"events": out}


def u64_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


def err(e: tc.TaelError) -> dict[str, Json]:
    return {"error": e.code}


def same_for_every_form(results: list[dict[str, Json]]) -> dict[str, Json]:
    assert all(r == results[0] for r in results), f"forms disagree: {results}"
    return results[0]


def run_step(state: State, step: dict[str, Json]) -> dict[str, Json] | None:
    op = step["op"]
    try:
        if op == "elect":
            ids = [text(i) for i in step["ids"]]
            leader = tc.elect_leader(ids)
            index = tc.elect_leader_index(ids)
            assert (leader is None) == (index is None)
            if index is not None:
                assert leader is ids[index], "the winner is the str object passed in"
            return {"leader": leader, "index": index}
        if op == "gate":
            highest = u64(step, "highest", 0) or 0
            state.gate = state.new_gate(highest, u64(step, "cap"), refuse_zero(step))
            return None
        if op == "holder_gate":
            highest = u64(step, "highest", 0) or 0
            holder = text(step["holder"]) if "holder" in step else None
            state.holder = state.new_holder_gate(highest, holder, u64(step, "cap"), refuse_zero(step))
            return None
        if op == "registry":
            state.registry = state.new_registry(u64(step, "cap"), refuse_zero(step))
            return None
        if op in ("check", "check_and_advance", "promote", "promote_to_at_least", "highest"):
            gate = state.gate
            assert gate is not None
            if op == "check":
                return verdict(gate.check(epoch_of(step)))
            if op == "check_and_advance":
                return {"accepted": gate.check_and_advance(epoch_of(step))}
            if op == "promote":
                return {"epoch": str(gate.promote())}
            if op == "promote_to_at_least":
                return {"epoch": str(gate.promote_to_at_least(floor_of(step)))}
            return {"highest": str(gate.highest)}
        if op.startswith("holder_"):
            hgate = state.holder
            assert hgate is not None
            if op == "holder_check":
                return verdict(hgate.check(epoch_of(step), text(step["holder"])))
            if op == "holder_check_and_advance":
                return {"accepted": hgate.check_and_advance(epoch_of(step), text(step["holder"]))}
            if op == "holder_promote":
                return {"epoch": str(hgate.promote(text(step["holder"])))}
            if op == "holder_promote_to_at_least":
                epoch = hgate.promote_to_at_least(floor_of(step), text(step["holder"]))
                return {"epoch": str(epoch)}
            if op == "holder_close":
                return verdict(hgate.close_reign(epoch_of(step), text(step["holder"])))
            if op == "holder_adopt":
                return verdict(hgate.adopt(epoch_of(step), text(step["holder"])))
            if op == "holder_state":
                highest, holder = hgate.state
                assert (highest, holder) == (hgate.highest, hgate.holder)
                return {"highest": str(highest), "holder": holder, "closed": hgate.reign_closed}
        if op.startswith("registry_"):
            reg = state.registry
            assert reg is not None
            if op == "registry_add":
                reg.add(text(step["stream"]), u64(step, "highest", 0) or 0)
                return {"ok": True}
            if op == "registry_check":
                return verdict(reg.check(text(step["stream"]), epoch_of(step)))
            if op == "registry_check_and_advance":
                return {"accepted": reg.check_and_advance(text(step["stream"]), epoch_of(step))}
            if op == "registry_promote":
                return {"epoch": str(reg.promote(text(step["stream"])))}
            if op == "registry_promote_to_at_least":
                epoch = reg.promote_to_at_least(text(step["stream"]), floor_of(step))
                return {"epoch": str(epoch)}
            if op == "registry_contains":
                return {"contains": text(step["stream"]) in reg}
            if op == "registry_highest":
                return {"highest": str(reg.highest(text(step["stream"])))}
            if op == "registry_remove":
                return {"highest": str(reg.remove(text(step["stream"])))}
            if op == "registry_snapshot":
                snap = reg.snapshot()
                doc = {"streams": {k: str(v) for k, v in snap.streams.items()}}
                assert json.loads(snap.to_json()) == doc
                return {"snapshot": doc}
            if op == "registry_restore":
                reg.restore(step["snapshot"])
                return {"ok": True}
        if op == "decide":
            results: list[dict[str, Json]] = []
            for view in view_forms(step):
                for policy in policy_forms(step):
                    try:
                        decisions = tc.elect_leaders(view, policy)
                        results.append({"decisions": [decision(d) for d in decisions]})
                    except tc.TaelError as e:
                        results.append(err(e))
            return same_for_every_form(results)
        if op == "transitions":
            return events(step)
        if op == "normalize_view":
            results = []
            for view in view_forms(step):
                try:
                    results.append({"view": json.loads(tc.normalize_view(view))})
                except tc.TaelError as e:
                    results.append(err(e))
            return same_for_every_form(results)
        if op == "next_epoch":
            results = []
            for view in view_forms(step):
                try:
                    results.append({"epoch": str(tc.next_epoch(view, text(step["group"])))})
                except tc.TaelError as e:
                    results.append(err(e))
            return same_for_every_form(results)
        if op == "history":
            if "json" in step:
                made = tc.EpochHistory.from_json(step["json"])
            else:
                made = tc.EpochHistory(entries(step.get("entries", [])))
            state.history = state.new_history(made)
            return None
        if op.startswith("history_"):
            history = state.history
            assert history is not None
            if op == "history_assign":
                holder = text(step["holder"]) if "holder" in step else None
                start = u64(step, "start_offset")
                assert start is not None
                return {"changed": history.assign(epoch_of(step), start, holder)}
            if op in ("history_truncate_from_end", "history_truncate_from_start"):
                offset = u64(step, "offset")
                assert offset is not None
                if op == "history_truncate_from_end":
                    return {"changed": history.truncate_from_end(offset)}
                return {"changed": history.truncate_from_start(offset)}
            if op == "history_end_offset_for":
                log_end = u64(step, "log_end")
                assert log_end is not None
                answer = history.end_offset_for(epoch_of(step), log_end)
                if answer is None:
                    return {"epoch": None, "end_offset": None}
                return {"epoch": str(answer[0]), "end_offset": str(answer[1])}
            if op == "history_latest_epoch":
                return {"epoch": u64_or_none(history.latest_epoch)}
        if op == "divergence_point":
            leader_end, follower_end = u64(step, "leader_log_end"), u64(step, "follower_log_end")
            assert leader_end is not None and follower_end is not None
            results = []
            for lead, follow in zip(history_forms(step["leader"]), history_forms(step["follower"])):
                try:
                    point = tc.divergence_point(lead, leader_end, follow, follower_end)
                    swapped = tc.divergence_point(
                        entries(step["follower"]), follower_end, entries(step["leader"]), leader_end
                    )
                    assert swapped == point, "the divergence point is symmetric"
                    results.append({"offset": str(point)})
                except tc.TaelError as e:
                    results.append(err(e))
            return same_for_every_form(results)
        if op == "follower_step":
            follower_end = u64(step, "follower_log_end")
            assert follower_end is not None
            answer = None if step["answer"] is None else (int(step["answer"][0]), int(step["answer"][1]))
            results = []
            for follower in history_forms(step["follower"]):
                try:
                    offset, done = tc.follower_step(follower, follower_end, answer)
                    results.append({"offset": str(offset), "done": done})
                except tc.TaelError as e:
                    results.append(err(e))
            return same_for_every_form(results)
        if op == "votes":
            return votes(step)
    except tc.TaelError as e:
        return err(e)
    raise AssertionError(f"unknown op {op!r}")


def votes(step: dict[str, Json]) -> dict[str, Json]:
    """Claimants' tokens over a group's fresh holder gates, in order; then, per distinct token
    in order of first appearance, whether its reign is established by the latest verdict each
    gate gave it."""
    gates = [tc.HolderFencer() for _ in range(step["gates"])]
    configured = u64(step, "configured")
    assert configured is not None
    codes: list[str] = []
    # dicts keep insertion order: tokens in order of first appearance, gates by index.
    latest: dict[tuple[int, str], dict[int, tc.Verdict]] = {}
    for gate, epoch, holder in step["tokens"]:
        token = (int(epoch), text(holder))
        v = gates[gate].check(*token)
        codes.append(v.code)
        latest.setdefault(token, {})[gate] = v
    established = []
    for (epoch, holder), answers in latest.items():
        got = tc.established(epoch, answers.values(), configured)
        # Any iterable, read once: the same answer from a list and from a generator.
        assert tc.established(epoch, (v for v in answers.values()), configured) is got
        assert tc.established(epoch, list(answers.values()), configured) is got
        established.append([str(epoch), holder, got])
    return {"verdicts": codes, "established": established}


def cap(value: int | None) -> str | None:
    return None if value is None else str(value)


def state_of(state: State) -> dict[str, Json] | None:
    """The case's gates and registry as the corpus writes their state, read back through the
    package's own accessors; None while the case has none."""
    out: dict[str, Json] = {}
    if state.gate is not None:
        g = state.gate
        out["gate"] = {"highest": str(g.highest), "jump_cap": cap(g.jump_cap), "refuses_zero": g.refuses_epoch_zero}
    if state.holder is not None:
        h = state.holder
        highest, holder = h.state
        out["holder_gate"] = {
            "highest": str(highest),
            "holder": holder,
            "closed": h.reign_closed,
            "jump_cap": cap(h.jump_cap),
            "refuses_zero": h.refuses_epoch_zero,
        }
    if state.registry is not None:
        r = state.registry
        streams = {k: str(v) for k, v in r.snapshot().streams.items()}
        out["registry"] = {"streams": streams, "jump_cap": cap(r.jump_cap), "refuses_zero": r.refuses_epoch_zero}
    if state.history is not None:
        out["history"] = history_state(state.history)
    return out or None


def history_state(history: History) -> dict[str, Json]:
    """The history's JSON form, built from its entries (and checked against the rest of its
    accessors)."""
    listed = history.entries
    doc: dict[str, Json] = {"entries": []}
    for e in listed:
        item = {"epoch": str(e[0]), "start_offset": str(e[1])}
        if len(e) == 3:
            item["holder"] = e[2]
        doc["entries"].append(item)
    assert json.loads(history.to_json()) == doc
    assert len(history) == len(listed)
    assert history.latest_epoch == (listed[-1][0] if listed else None)
    assert tc.EpochHistory.from_json(history.to_json()) == tc.EpochHistory(history)
    return doc


# The checks that count their verdict, by the gate they use.
CHECKS = {
    "check": "gate",
    "check_and_advance": "gate",
    "holder_check": "holder",
    "holder_check_and_advance": "holder",
    "registry_check": "registry",
    "registry_check_and_advance": "registry",
}


def counted(state: State, op: str) -> dict[str, int] | None:
    """The counters of the gate or registry a step uses, if it counts (the durable run)."""
    gate: Gate | HolderGate | Registry | None = None
    if op in ("check", "check_and_advance", "promote", "promote_to_at_least", "highest"):
        gate = state.gate
    elif op.startswith("holder_"):
        gate = state.holder
    elif op.startswith("registry_"):
        gate = state.registry
    return None if gate is None else gate.counters()


def check_counted(op: str, before: dict[str, int] | None, after: dict[str, int] | None, got: Json) -> None:
    """A check counts its verdict once; anything else (a failed check, a close, a promotion)
    counts nothing."""
    if before is None:
        assert after is None
        return
    assert after is not None and list(after) == list(before)
    moved = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    if op not in CHECKS or "error" in got:
        assert moved == {}, f"{op} counted {moved}"
    elif "code" in got:
        assert moved == {got["code"]: 1}, f"{op} -> {got['code']} counted {moved}"
    else:
        ((code, n),) = moved.items()
        assert n == 1 and (code in ("CURRENT", "ADVANCED")) == got["accepted"], moved


def run_case(case: dict[str, Json], state: State) -> None:
    for i, step in enumerate(case["steps"]):
        before = counted(state, step["op"])
        got = run_step(state, step)
        want = step.get("expect")
        assert got == want, f"step {i} ({step['op']}): expected {want}, got {got}"
        if got is not None:
            check_counted(step["op"], before, counted(state, step["op"]), got)
        held = state_of(state)
        assert held == step.get("state"), f"step {i} ({step['op']}) state: {held}"


@pytest.mark.parametrize("case", params(CASES))
def test_case(case: dict[str, Json]) -> None:
    run_case(case, State())


@pytest.mark.parametrize("case", params([c for c in CASES if has_history(c)]))
def test_case_with_durable_histories(case: dict[str, Json], tmp_path: Path) -> None:
    state = State(dir=tmp_path)
    try:
        run_case(case, state)
        final = state.history
        for durable in state.files:
            held = durable.entries
            durable.close()
            with tc.DurableHistory(durable.path) as reopened:
                assert reopened.entries == held, "the file holds what the history held"
        # None when every creation failed (a failed creation makes no file).
        assert final is None or (isinstance(final, tc.DurableHistory) and final.closed)
    finally:
        state.close()


@pytest.mark.parametrize("case", params([c for c in CASES if has_gate(c)]))
def test_case_with_durable_counting_gates(case: dict[str, Json], tmp_path: Path) -> None:
    state = State(dir=tmp_path, gate_files=True)
    try:
        run_case(case, state)
        # What each file holds is what its gate held: reopened, it reads the same.
        for handle in state.handles:
            if isinstance(handle, tc.DurableFencer):
                held: object = handle.highest
                handle.close()
                with tc.DurableFencer(handle.path) as gate:
                    assert gate.highest == held and gate.counters() is None
            elif isinstance(handle, tc.DurableHolderFencer):
                held = (handle.state, handle.reign_closed)
                handle.close()
                with tc.DurableHolderFencer(handle.path) as holder_gate:
                    assert (holder_gate.state, holder_gate.reign_closed) == held
            elif isinstance(handle, tc.DurableRegistry):
                held = handle.snapshot()
                handle.close()
                with tc.DurableRegistry(handle.path) as registry:
                    assert registry.snapshot() == held
    finally:
        state.close()


def test_corpus_is_whole() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names are unique"
    assert len(CASES) >= 60
    runnable = [c for c in CASES if FRONT in c.get("fronts", [FRONT])]
    # Only raw-byte cases are out of reach of a Python str.
    for case in CASES:
        if case not in runnable:
            assert "hex" in json.dumps(case), case["name"]
    assert len(runnable) >= len(CASES) - 10
    assert sum(has_history(c) for c in CASES) >= 20, "the durable run has cases to run"
    assert sum(has_gate(c) for c in CASES) >= 40, "the durable gates' run has cases to run"
