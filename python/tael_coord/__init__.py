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
>>> leader = tael_coord.EpochHistory([(1, 0), (3, 8)])
>>> tael_coord.divergence_point(leader, 12, [(1, 0), (2, 5)], 9)
5
"""

from ._decide import (
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
from ._native import (
    DurableFencer,
    DurableHistory,
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
    "Decision",
    "DurableFencer",
    "DurableHistory",
    "DurableRegistry",
    "EpochFencer",
    "EpochHistory",
    "EpochOverflowError",
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
    "validate_id",
]
