"""Leader-change events between observed decision lists (SEMANTICS.md §16), as typed immutable
objects.

The core compares the decisions and writes the events' JSON; this module only reads the
arguments (each once) and turns the core's answer into objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from ._decide import Decision, PolicyLike, ViewLike, _plain, _policy, elect_leaders
from ._native import InvalidArgumentError, Policy, _event_json, _transitions

if TYPE_CHECKING:
    from ._native import _PlainDecision


@dataclass(frozen=True, slots=True)
class Event:
    """One leader change of one group between two observed decision lists. The leader fields
    are the later list's (None for ``"lost"``), the ``previous*`` fields the earlier one's
    (None for ``"elected"``)."""

    event: Literal["elected", "lost", "changed"]
    """``"elected"`` (the group gained a leader), ``"lost"`` (it lost its leader) or
    ``"changed"`` (another leader, or the same id in a new generation or at a new epoch)."""
    group: str
    """The group's name."""
    leader: str | None
    """The leader now, or None."""
    generation: int | None
    """The generation of the leader's entry now, or None."""
    epoch: int | None
    """The epoch the leader announced now, or None."""
    previous: str | None
    """The leader before, or None."""
    previous_generation: int | None
    """The generation of the earlier leader's entry, or None."""
    previous_epoch: int | None
    """The epoch the earlier leader announced, or None."""

    def to_json(self) -> str:
        """The pinned event JSON of SEMANTICS.md §16 (every field, null where absent, ints as
        decimal strings), as the core writes it."""
        return _event_json(
            (
                self.event,
                self.group,
                self.leader,
                self.generation,
                self.epoch,
                self.previous,
                self.previous_generation,
                self.previous_epoch,
            )
        )


def _decision_list(decisions: object, which: str) -> list[_PlainDecision]:
    """An iterable of Decisions, read once, as plain values for the core. ``None``, a ``str``
    and bytes (never decisions) and a non-iterable are InvalidArgumentError; an error raised by
    the iterable's own code goes up unchanged."""
    wrong = f"{which} must be an iterable of Decision, not {type(decisions).__name__}"
    if decisions is None or isinstance(decisions, (str, bytes, bytearray)):
        raise InvalidArgumentError(wrong)
    try:
        items = iter(cast(Iterable[object], decisions))
    except TypeError:
        raise InvalidArgumentError(wrong) from None
    return [_plain(d, f"{which}[{i}]") for i, d in enumerate(items)]


def transitions(previous: Iterable[Decision], next: Iterable[Decision]) -> list[Event]:
    """The leader changes from the decisions ``previous`` to the decisions ``next``: two
    observations of a cluster, e.g. ``elect_leaders`` of two polls (SEMANTICS.md §16).

    At most one event per group, in byte order of the group names; a group listed in only one
    of them is leaderless in the other. No difference between the two lists' leaders is lost,
    but a change that came and went between the two observations is not seen. Each argument is
    any iterable of Decision, read once; InvalidArgumentError for anything else, or for a list
    that names a group twice.
    """
    before = _decision_list(previous, "previous")
    after = _decision_list(next, "next")
    return [Event(*parts) for parts in _transitions(before, after)]


def watch(views: Iterable[ViewLike], policy: PolicyLike | None = None) -> Iterator[Event]:
    """The leader changes across successive observed views, e.g. a poll loop's: an iterator of
    the events between each view's decisions and the next view's (``transitions``), in order.

    It starts from knowing nothing, as ``tael-coord watch`` does: the first view's leaders are
    ``elected``, so the events begin with the current state; after that, each view is compared
    with the one before. It is lazy, one
    view at a time: a view is read and decided under ``policy`` (a Policy, its JSON text or a
    dict; the plain rule by default), as ``elect_leaders`` does, only when the iterator reaches
    it, so ``views`` may be endless. ``views`` and ``policy`` are checked here, at once; a view
    that is not valid raises when it is reached (and ends the iteration).
    """
    wrong = f"views must be an iterable of views, not {type(views).__name__}"
    # A mapping is one view (its keys are no views), a str one view's text.
    if views is None or isinstance(views, (str, bytes, bytearray, Mapping)):
        raise InvalidArgumentError(wrong)
    try:
        items = iter(views)
    except TypeError:
        raise InvalidArgumentError(wrong) from None
    chosen = Policy() if policy is None else _policy(policy)
    # Read (and checked) once, whatever the number of views.
    fixed = Policy.from_json(chosen) if isinstance(chosen, str) else chosen
    return _watch(items, fixed)


def _watch(views: Iterator[ViewLike], policy: Policy) -> Iterator[Event]:
    previous: list[Decision] = []
    for view in views:
        decisions = elect_leaders(view, policy)
        yield from transitions(previous, decisions)
        previous = decisions
