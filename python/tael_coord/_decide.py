"""Decisions over a membership view, as typed immutable objects.

The core parses and validates the view and decides; this module only turns a ``dict`` into JSON
text (Python ints are exact, so no u64 loses precision) and the core's answer into objects.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

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

#: A membership view: its JSON text, or the same document as a dict.
ViewLike = Union[str, Mapping[str, object]]
#: A policy: a Policy, its JSON text, or the same document as a dict.
PolicyLike = Union[Policy, str, Mapping[str, object]]


class _Name(enum.Enum):
    """A name of the pinned JSON; shown as ``Class.MEMBER``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class Reason(_Name):
    """Why a group has the leader it has (or none). Values are the pinned JSON names, in the
    core's order (a test checks them against ``tael_coord._native._REASONS``)."""

    ONLY_CANDIDATE = "only_candidate"
    INCUMBENT = "incumbent"
    PRIORITY = "priority"
    RENDEZVOUS = "rendezvous"
    SMALLEST_ID = "smallest_id"
    NO_MEMBERS = "no_members"
    NO_LIVE_MEMBERS = "no_live_members"
    NO_ELIGIBLE_MEMBERS = "no_eligible_members"
    NO_QUORUM = "no_quorum"
    NO_FRESH_MEMBERS = "no_fresh_members"
    NO_STAYING_MEMBERS = "no_staying_members"
    HANDOVER = "handover"


class Exclusion(_Name):
    """Why a listed member is not the leader. Values are the pinned JSON names, in the core's
    order (a test checks them against ``tael_coord._native._EXCLUSIONS``)."""

    DUPLICATE = "duplicate"
    DEAD = "dead"
    INELIGIBLE = "ineligible"
    NO_QUORUM = "no_quorum"
    OUTRANKED_BY_INCUMBENT = "outranked_by_incumbent"
    OUTRANKED_BY_PRIORITY = "outranked_by_priority"
    OUTRANKED_BY_RENDEZVOUS = "outranked_by_rendezvous"
    OUTRANKED_BY_SMALLER_ID = "outranked_by_smaller_id"
    BEHIND = "behind"
    LEAVING = "leaving"
    OUTRANKED_BY_HANDOVER = "outranked_by_handover"


@dataclass(frozen=True, slots=True)
class Excluded:
    """One listed member that is not the leader, and why."""

    id: str
    #: The generation of the listed entry (tells duplicates apart).
    generation: int
    reason: Exclusion


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision for one group: its leader (or None), the reason, every listed member that
    is not the leader, with why, in the order the view lists them, and which listed entry
    leads."""

    group: str
    leader: str | None
    reason: Reason
    excluded: tuple[Excluded, ...]
    #: The index of the leader's entry in the group's ``members`` (or None without a leader).
    leader_index: int | None
    #: The generation of the leader's entry (or None without a leader).
    leader_generation: int | None

    def to_json(self) -> str:
        """The pinned decision JSON of SEMANTICS.md §8, as the core writes it."""
        return _decision_json(
            self.group,
            self.leader,
            self.reason.value,
            [(e.id, e.generation, e.reason.value) for e in self.excluded],
            self.leader_index,
            self.leader_generation,
        )


def _check_keys(value: object, path: str, error: type[TaelError]) -> None:
    # json.dumps would silently turn int, float, bool and None keys into strings.
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise error(f"at {path}: key {key!r} is a {type(key).__name__}, not a str")
            _check_keys(item, f"{path}.{key}", error)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_keys(item, f"{path}[{i}]", error)


def _document(doc: object, what: str, error: type[TaelError]) -> str:
    """The JSON text of a document given as text or as a dict; the core does the rest."""
    if isinstance(doc, str):
        return doc
    if isinstance(doc, Mapping):
        try:
            _check_keys(doc, what, error)
            return json.dumps(dict(doc), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as e:
            if isinstance(e, TaelError):
                raise
            raise error(f"{what} cannot be written as JSON: {e}") from None
    raise InvalidArgumentError(f"{what} must be a dict or a JSON str, not {type(doc).__name__}")


def _decision(
    parts: tuple[str, str | None, str, list[tuple[str, int, str]], int | None, int | None],
) -> Decision:
    group, leader, reason, excluded, leader_index, leader_generation = parts
    return Decision(
        group=group,
        leader=leader,
        reason=Reason(reason),
        excluded=tuple(Excluded(id, generation, Exclusion(why)) for id, generation, why in excluded),
        leader_index=leader_index,
        leader_generation=leader_generation,
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
    elif isinstance(policy, (Policy, str)):
        chosen = policy
    elif isinstance(policy, Mapping):
        chosen = _document(policy, "policy", InvalidPolicyError)
    else:
        raise InvalidArgumentError(
            f"policy must be a Policy, a dict or a JSON str, not {type(policy).__name__}"
        )
    return [_decision(parts) for parts in _decide(view_text, chosen)]


def normalize_view(view: ViewLike) -> str:
    """The view as the core reads it, written back as JSON text: every u64 as a decimal string,
    every default written out, the view's own ``policy`` kept (INVALID_VIEW)."""
    return _normalize_view(_document(view, "view", InvalidViewError))


def next_epoch(view: ViewLike, group: str) -> int:
    """The epoch a newly elected leader of ``group`` promotes to: one past every epoch any
    listed member announced (UNKNOWN_GROUP, EPOCH_OVERFLOW)."""
    return _next_epoch(_document(view, "view", InvalidViewError), group)
