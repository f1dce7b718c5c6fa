"""Decisions over a membership view, as typed immutable objects.

The core parses and validates the view and decides; this module only turns a ``dict`` into JSON
text (Python ints are exact, so no u64 loses precision) and the core's answer into objects.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, Union

from ._native import (
    InvalidArgumentError,
    InvalidPolicyError,
    InvalidViewError,
    Policy,
    TaelError,
    _decide,
    _decision_json,
    _next_epoch,
    _normalize_view,
)

if TYPE_CHECKING:
    from ._native import _DecisionParts, _PlainDecision

_T = TypeVar("_T")

ViewLike = Union[str, Mapping[str, object]]
"""A membership view (SEMANTICS.md §7): its JSON text, or the same document as a dict."""
PolicyLike = Union[Policy, str, Mapping[str, object]]
"""A policy (SEMANTICS.md §8): a Policy, its JSON text, or the same document as a dict."""


class _Name(enum.Enum):
    """A name of the pinned JSON; shown as ``Class.MEMBER``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class Reason(_Name):
    """Why a group has the leader it has (or none). Values are the pinned JSON names, in the
    core's order (a test checks them against ``tael_coord._native._REASONS``)."""

    ONLY_CANDIDATE = "only_candidate"
    """One candidate was left when ranking began."""
    INCUMBENT = "incumbent"
    """The sticky incumbent kept its place (policy ``sticky_incumbent``)."""
    PRIORITY = "priority"
    """The only candidate of the highest priority (policy ``priority``)."""
    RENDEZVOUS = "rendezvous"
    """The only candidate of the highest rendezvous score (policy ``rendezvous``)."""
    SMALLEST_ID = "smallest_id"
    """The candidate with the smallest id (UTF-8 byte order): the plain rule."""
    NO_MEMBERS = "no_members"
    """No leader: the group lists no member."""
    NO_LIVE_MEMBERS = "no_live_members"
    """No leader: no member is live."""
    NO_ELIGIBLE_MEMBERS = "no_eligible_members"
    """No leader: staying members, none eligible (policy ``eligibility``)."""
    NO_QUORUM = "no_quorum"
    """No leader: live members are not a strict majority (policy ``quorum_guard``)."""
    NO_FRESH_MEMBERS = "no_fresh_members"
    """No leader: eligible members, all behind (policy ``freshness``)."""
    NO_STAYING_MEMBERS = "no_staying_members"
    """No leader: live members, all leaving."""
    HANDOVER = "handover"
    """The successor the group's ``handover_to`` names (a graceful handover)."""


class Exclusion(_Name):
    """Why a listed member is not the leader. Values are the pinned JSON names, in the core's
    order (a test checks them against ``tael_coord._native._EXCLUSIONS``)."""

    DUPLICATE = "duplicate"
    """Another entry of the same id won (the highest generation, then the first listed)."""
    DEAD = "dead"
    """The member is not live."""
    INELIGIBLE = "ineligible"
    """The member is not eligible (policy ``eligibility``)."""
    NO_QUORUM = "no_quorum"
    """No leader for want of a quorum (policy ``quorum_guard``)."""
    OUTRANKED_BY_INCUMBENT = "outranked_by_incumbent"
    """The sticky incumbent leads (policy ``sticky_incumbent``)."""
    OUTRANKED_BY_PRIORITY = "outranked_by_priority"
    """A candidate of higher priority leads (policy ``priority``)."""
    OUTRANKED_BY_RENDEZVOUS = "outranked_by_rendezvous"
    """A candidate of higher rendezvous score leads (policy ``rendezvous``)."""
    OUTRANKED_BY_SMALLER_ID = "outranked_by_smaller_id"
    """A candidate with a smaller id leads."""
    BEHIND = "behind"
    """The member's log is behind the freshest (policy ``freshness``)."""
    LEAVING = "leaving"
    """The member is leaving (shutting down)."""
    OUTRANKED_BY_HANDOVER = "outranked_by_handover"
    """The successor named by the group's ``handover_to`` leads."""


@dataclass(frozen=True, slots=True)
class Excluded:
    """One listed member that is not the leader, and why."""

    id: str
    """The member's id."""
    generation: int
    """The generation of the listed entry (tells duplicates apart)."""
    reason: Exclusion
    """Why it is not the leader."""


@dataclass(frozen=True, slots=True)
class Claimant:
    """A live member that claims to lead (its view entry carries ``claims_epoch``) without being
    the decision's leader: more than none in a decision is two nodes leading at once, as far as
    the view can tell (SEMANTICS.md §8)."""

    id: str
    """The member's id."""
    generation: int
    """The generation of the listed entry."""
    claims_epoch: int
    """The epoch at which it claims to lead."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision for one group: its leader (or None), the reason, every listed member that
    is not the leader, with why, in the order the view lists them, which listed entry leads,
    and every other member that claims to lead."""

    group: str
    """The group's name."""
    leader: str | None
    """The leader's id, or None when the group has no leader."""
    reason: Reason
    """Why it has this leader, or none."""
    excluded: tuple[Excluded, ...]
    """Every listed entry that is not the leader, once, in the order the view lists them."""
    leader_index: int | None
    """The index of the leader's entry in the group's ``members`` (or None without a leader)."""
    leader_generation: int | None
    """The generation of the leader's entry (or None without a leader)."""
    leader_epoch: int | None = None
    """The epoch the leader's entry announced, its ``epoch`` (or None without a leader)."""
    claimants: tuple[Claimant, ...] = ()
    """Every live member but the leader that claims to lead, in the order the view lists them."""

    def to_json(self) -> str:
        """The pinned decision JSON of SEMANTICS.md §8, as the core writes it."""
        return _decision_json(_plain(self, "decision"))


def _name(value: object, kind: type[_Name], where: str) -> str:
    """The pinned name of an enum member of ``kind``."""
    if not isinstance(value, kind):
        raise InvalidArgumentError(f"{where} must be a {kind.__name__}, not {type(value).__name__}")
    name = value.value
    assert isinstance(name, str)
    return name


def _each(items: object, kind: type[_T], where: str) -> list[_T]:
    """The items of a decision's tuple field, each an instance of ``kind``, read once."""
    if not isinstance(items, (tuple, list)):
        raise InvalidArgumentError(f"{where} must be a tuple of {kind.__name__}, not {type(items).__name__}")
    out: list[_T] = []
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise InvalidArgumentError(f"{where}[{i}] must be a {kind.__name__}, not {type(item).__name__}")
        out.append(item)
    return out


def _plain(decision: object, where: str) -> _PlainDecision:
    """A Decision as the plain values the core takes, each field read once (the enums by their
    names); ``where`` names it in errors. The core checks every value (InvalidArgumentError)."""
    if not isinstance(decision, Decision):
        raise InvalidArgumentError(f"{where} must be a Decision, not {type(decision).__name__}")
    d = decision
    group, leader, reason = d.group, d.leader, _name(d.reason, Reason, f"{where}.reason")
    excluded = [
        (e.id, e.generation, _name(e.reason, Exclusion, f"{where}.excluded[{i}].reason"))
        for i, e in enumerate(_each(d.excluded, Excluded, f"{where}.excluded"))
    ]
    index, generation, epoch = d.leader_index, d.leader_generation, d.leader_epoch
    claimants = [(c.id, c.generation, c.claims_epoch) for c in _each(d.claimants, Claimant, f"{where}.claimants")]
    return (group, leader, reason, excluded, index, generation, epoch, claimants)


def _plain_json(value: object, path: str, error: type[TaelError]) -> object:
    """``value`` read once into plain JSON containers: each mapping into a new dict (a key that
    is not a str, or one its ``items()`` gives twice, is ``error``: json.dumps would silently
    turn int, float, bool and None keys into strings), each list or tuple into a new list."""
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise error(f"at {path}: key {key!r} is a {type(key).__name__}, not a str")
            if key in out:
                raise error(f"at {path}: key {key!r} appears twice")
            out[key] = _plain_json(item, f"{path}.{key}", error)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain_json(item, f"{path}[{i}]", error) for i, item in enumerate(value)]
    return value


def _document(doc: object, what: str, error: type[TaelError]) -> str:
    """The JSON text of a document given as text or as a dict (read once); the core does the
    rest."""
    if isinstance(doc, str):
        return doc
    if isinstance(doc, Mapping):
        try:
            return json.dumps(_plain_json(doc, what, error), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as e:
            if isinstance(e, TaelError):
                raise
            raise error(f"{what} cannot be written as JSON: {e}") from None
    raise InvalidArgumentError(f"{what} must be a dict or a JSON str, not {type(doc).__name__}")


def _decision(parts: _DecisionParts) -> Decision:
    group, leader, reason, excluded, leader_index, leader_generation, leader_epoch, claimants = parts
    return Decision(
        group=group,
        leader=leader,
        reason=Reason(reason),
        excluded=tuple(Excluded(id, generation, Exclusion(why)) for id, generation, why in excluded),
        leader_index=leader_index,
        leader_generation=leader_generation,
        leader_epoch=leader_epoch,
        claimants=tuple(Claimant(id, generation, epoch) for id, generation, epoch in claimants),
    )


def elect_leaders(
    view: ViewLike,
    policy: PolicyLike | None = None,
    *,
    eligibility: bool = False,
    quorum_guard: bool = False,
    sticky_incumbent: bool = False,
    priority: bool = False,
    rendezvous: bool = False,
    freshness: bool = False,
    max_lag: int = 0,
) -> list[Decision]:
    """Decide every group of ``view``, in byte order of the group names.

    The policy is either ``policy`` (a :class:`Policy`, its JSON text or a dict) or the keyword
    toggles and ``max_lag``, not both; with neither it is the plain smallest-live-id rule. The
    view's own ``policy`` (what its cluster decides with) is not applied.
    """
    view_text = _document(view, "view", InvalidViewError)
    toggles = {
        "eligibility": eligibility,
        "quorum_guard": quorum_guard,
        "sticky_incumbent": sticky_incumbent,
        "priority": priority,
        "rendezvous": rendezvous,
        "freshness": freshness,
    }
    # The default, exactly: an int 0 (not False, not 0.0), so anything else given is seen.
    lag_given = type(max_lag) is not int or max_lag != 0
    chosen: Policy | str
    if policy is None:
        chosen = Policy(**toggles, max_lag=max_lag)
    elif any(on is not False for on in toggles.values()) or lag_given:
        raise InvalidArgumentError("give either a policy or keyword toggles, not both")
    else:
        chosen = _policy(policy)
    return [_decision(parts) for parts in _decide(view_text, chosen)]


def _policy(policy: object) -> Policy | str:
    """A policy argument as the core takes it: a Policy, or JSON text (a dict is written as
    JSON once, here)."""
    if isinstance(policy, (Policy, str)):
        return policy
    if isinstance(policy, Mapping):
        return _document(policy, "policy", InvalidPolicyError)
    raise InvalidArgumentError(f"policy must be a Policy, a dict or a JSON str, not {type(policy).__name__}")


def normalize_view(view: ViewLike) -> str:
    """The view as the core reads it, written back as JSON text: every u64 as a decimal string,
    every default written out, the view's own ``policy`` kept (INVALID_VIEW)."""
    return _normalize_view(_document(view, "view", InvalidViewError))


def next_epoch(view: ViewLike, group: str) -> int:
    """The epoch a newly elected leader of ``group`` promotes to: one past every epoch any
    listed member announced (UNKNOWN_GROUP, EPOCH_OVERFLOW)."""
    return _next_epoch(_document(view, "view", InvalidViewError), group)
