"""Leader election and epoch fencing for replication groups.

Python front of the tael-coord Rust core: every decision here is the core's, bit for bit the
same as the C and WebAssembly fronts make (SEMANTICS.md is the specification).

>>> import tael_coord
>>> tael_coord.elect_leader(["node-c", "node-a", "node-b"])
'node-a'
>>> gate = tael_coord.EpochFencer(7)
>>> gate.check(6)
Verdict(code='STALE_EPOCH', accepted=False, epoch=6, highest=7)
>>> gate.promote()
8
>>> gates = [tael_coord.HolderFencer() for _ in range(3)]
>>> votes = [g.check(5, "node-a") for g in gates[:2]]
>>> tael_coord.established(5, votes, 3)
True
>>> gates[0].close_reign(5, "node-a")
Verdict(code='CLOSED', accepted=False, epoch=5, highest=5, holder='node-a')
>>> before = tael_coord.elect_leaders({"groups": {"g": {"members": [{"id": "a", "live": True}]}}})
>>> after = tael_coord.elect_leaders({"groups": {"g": {"members": [{"id": "a", "live": False}]}}})
>>> [(e.event, e.group, e.previous) for e in tael_coord.transitions(before, after)]
[('lost', 'g', 'a')]
>>> leader = tael_coord.EpochHistory([(1, 0), (3, 8)])
>>> tael_coord.divergence_point(leader, 12, [(1, 0), (2, 5)], 9)
5
"""

from ._decide import (
    Claimant,
    Decision,
    Excluded,
    Exclusion,
    PolicyLike,
    Reason,
    ViewLike,
    elect_leaders,
    next_epoch,
    normalize_view,
)
from ._events import Event, transitions, watch
from ._native import (
    DurableFencer,
    DurableHistory,
    DurableHolderFencer,
    DurableRegistry,
    EpochFencer,
    EpochHistory,
    EpochOverflowError,
    FenceRegistry,
    HolderFencer,
    InvalidArgumentError,
    InvalidEpochError,
    InvalidHistoryError,
    InvalidIdError,
    InvalidPolicyError,
    InvalidSnapshotError,
    InvalidUtf8Error,
    InvalidViewError,
    Policy,
    Snapshot,
    StorageError,
    StreamExistsError,
    TaelError,
    UnknownGroupError,
    UnknownStreamError,
    Verdict,
    __version__,
    divergence_point,
    elect_leader,
    elect_leader_index,
    established,
    follower_step,
    rendezvous_score,
    validate_id,
)

__all__ = [
    "Claimant",
    "Decision",
    "DurableFencer",
    "DurableHistory",
    "DurableHolderFencer",
    "DurableRegistry",
    "EpochFencer",
    "EpochHistory",
    "EpochOverflowError",
    "Event",
    "Excluded",
    "Exclusion",
    "FenceRegistry",
    "HolderFencer",
    "InvalidArgumentError",
    "InvalidEpochError",
    "InvalidHistoryError",
    "InvalidIdError",
    "InvalidPolicyError",
    "InvalidSnapshotError",
    "InvalidUtf8Error",
    "InvalidViewError",
    "Policy",
    "PolicyLike",
    "Reason",
    "Snapshot",
    "StorageError",
    "StreamExistsError",
    "TaelError",
    "UnknownGroupError",
    "UnknownStreamError",
    "Verdict",
    "ViewLike",
    "__version__",
    "divergence_point",
    "elect_leader",
    "elect_leader_index",
    "elect_leaders",
    "established",
    "follower_step",
    "next_epoch",
    "normalize_view",
    "rendezvous_score",
    "transitions",
    "validate_id",
    "watch",
]
