//! What every gate and every registry offers, whether it keeps its marks in memory or in a file.
//!
//! The fronts wrap these traits once each, so an operation added here reaches the in-memory
//! and the durable types of every front through one wrapper.

use crate::{Counters, Error, Result, Snapshot, Status, Verdict};

/// An epoch gate (SEMANTICS.md §5): [`EpochFencer`](crate::EpochFencer) in memory,
/// [`DurableFencer`](crate::DurableFencer) in a file. Only a durable gate's calls can fail
/// (`STORAGE`, when a write does not reach the disk); the in-memory gate's also exist as
/// infallible inherent methods.
pub trait EpochGate: Send + Sync {
    /// Judge a record stamped with `epoch`, advancing the gate when it is higher (within the
    /// jump cap).
    fn check(&self, epoch: u64) -> Result<Verdict>;

    /// The boolean form of [`check`](Self::check), with the same effect: true exactly for
    /// `CURRENT` and `ADVANCED`.
    fn check_and_advance(&self, epoch: u64) -> Result<bool> {
        self.check(epoch).map(|v| v.accepted())
    }

    /// A new leader's step: atomically move one past every epoch seen and return the new
    /// epoch (`EPOCH_OVERFLOW` at 2^64-1, nothing changed). The jump cap does not apply.
    fn promote(&self) -> Result<u64> {
        self.promote_to_at_least(0)
    }

    /// A new leader's step past a floor (e.g. [`next_epoch`](crate::next_epoch) of its view):
    /// atomically move to `max(floor, highest + 1)` and return it (`EPOCH_OVERFLOW` at
    /// 2^64-1, nothing changed). The jump cap does not apply.
    fn promote_to_at_least(&self, floor: u64) -> Result<u64>;

    /// The highest epoch accepted so far.
    fn highest(&self) -> u64;

    /// The jump cap, if the gate has one.
    fn jump_cap(&self) -> Option<u64>;

    /// Whether the gate refuses epoch 0 (`INVALID_EPOCH`): see [`RefuseZero`].
    fn refuses_epoch_zero(&self) -> bool {
        false
    }

    /// How many checks got each verdict, for a gate that counts them (see
    /// [`Counting`](crate::Counting)); `None` for one that does not.
    fn counters(&self) -> Option<Counters> {
        None
    }
}

/// A holder-aware gate over `(epoch, holder)` tokens (SEMANTICS.md §6):
/// [`HolderFencer`](crate::HolderFencer). Every call that takes a holder fails with
/// `INVALID_ID` for a holder that is not an id, changing nothing.
pub trait HolderGate: Send + Sync {
    /// Judge a record carrying the token `(epoch, holder)`.
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict>;

    /// The boolean form of [`check`](Self::check), with the same effect.
    fn check_and_advance(&self, epoch: u64, holder: &str) -> Result<bool> {
        self.check(epoch, holder).map(|v| v.accepted())
    }

    /// `holder` takes a new reign one past the highest epoch; returns it.
    fn promote(&self, holder: &str) -> Result<u64> {
        self.promote_to_at_least(0, holder)
    }

    /// `holder` takes a new reign at `max(floor, highest + 1)`; returns it.
    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64>;

    /// `holder` ends its reign at `epoch` (SEMANTICS.md §16): `CLOSED` once it is closed (or
    /// already was), after which every token of that epoch is `CLOSED` until a higher epoch
    /// moves the gate. Closing the current epoch of another holder is `CONFLICT`, an older
    /// epoch `STALE_EPOCH`; a higher epoch (within the jump cap, else `TOO_FAR_AHEAD`) moves
    /// the gate to that epoch, closed.
    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict>;

    /// Move the gate to the reign `(epoch, holder)` that its group established, after this
    /// replica voted for another claimant and truncated its log to the divergence point
    /// (SEMANTICS.md §16): `CURRENT` (the epoch is the highest: its holder is replaced) or
    /// `ADVANCED` (a higher epoch, whatever the jump cap), after which the holder's tokens are
    /// accepted. Never below the highest (`STALE_EPOCH`), never into a closed reign (`CLOSED`);
    /// both change nothing.
    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict>;

    /// The highest epoch and its recorded holder, read together.
    fn state(&self) -> (u64, Option<String>);

    /// The highest epoch accepted so far.
    fn highest(&self) -> u64 {
        self.state().0
    }

    /// The holder recorded for the highest epoch, if any.
    fn holder(&self) -> Option<String> {
        self.state().1
    }

    /// Whether the reign at the highest epoch was closed.
    fn closed(&self) -> bool;

    /// The jump cap, if the gate has one.
    fn jump_cap(&self) -> Option<u64>;

    /// Whether the gate refuses epoch 0 (`INVALID_EPOCH`): see [`RefuseZero`].
    fn refuses_epoch_zero(&self) -> bool {
        false
    }

    /// How many checks got each verdict, for a gate that counts them (see
    /// [`Counting`](crate::Counting)); `None` for one that does not.
    fn counters(&self) -> Option<Counters> {
        None
    }
}

/// Epoch gates keyed by stream name (SEMANTICS.md §9): [`FenceRegistry`](crate::FenceRegistry)
/// in memory, [`DurableRegistry`](crate::DurableRegistry) in a file. A stream the registry does
/// not hold is `UNKNOWN_STREAM`.
pub trait GateRegistry: Send + Sync {
    /// Add a stream whose gate starts at `highest` (`INVALID_ID` for a bad name,
    /// `STREAM_EXISTS` if it is taken; the existing gate is left as it was).
    fn add(&self, stream: &str, highest: u64) -> Result<()>;

    /// Judge a record of `stream` stamped with `epoch` (as [`EpochGate::check`]).
    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict>;

    /// The boolean form of [`check`](Self::check), with the same effect.
    fn check_and_advance(&self, stream: &str, epoch: u64) -> Result<bool> {
        self.check(stream, epoch).map(|v| v.accepted())
    }

    /// Promote `stream`'s gate (as [`EpochGate::promote`]).
    fn promote(&self, stream: &str) -> Result<u64> {
        self.promote_to_at_least(stream, 0)
    }

    /// Promote `stream`'s gate past `floor` (as [`EpochGate::promote_to_at_least`]).
    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64>;

    /// The highest epoch `stream` has accepted.
    fn highest(&self, stream: &str) -> Result<u64>;

    /// Remove `stream`, returning its last highest epoch.
    fn remove(&self, stream: &str) -> Result<u64>;

    /// Whether the registry holds `stream`.
    fn contains(&self, stream: &str) -> bool;

    /// The number of streams.
    fn len(&self) -> usize;

    /// Whether the registry has no stream.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The jump cap of every gate, if any.
    fn jump_cap(&self) -> Option<u64>;

    /// Every stream's high-water mark, read under one lock (a consistent cut).
    fn snapshot(&self) -> Snapshot;

    /// Merge a snapshot: a missing stream is added at its mark, an existing one raised to it
    /// if that is higher and never lowered; streams it does not name are kept. The jump cap
    /// does not apply.
    fn restore(&self, snapshot: &Snapshot) -> Result<()>;

    /// Whether every gate refuses epoch 0 (`INVALID_EPOCH`): see [`RefuseZero`].
    fn refuses_epoch_zero(&self) -> bool {
        false
    }

    /// How many checks got each verdict, for a registry that counts them (see
    /// [`Counting`](crate::Counting)); `None` for one that does not.
    fn counters(&self) -> Option<Counters> {
        None
    }
}

/// Any gate or registry that **refuses epoch 0**, which several fencing systems reserve to mean
/// "unfenced" (SEMANTICS.md §5): every call that is offered epoch 0 — a check, a holder gate's
/// `close` or `adopt` — fails with `INVALID_EPOCH` before anything else is looked at, and
/// changes nothing. Promotions never reach 0, and a gate or stream may still start at 0 (no
/// record has been accepted yet). Everything else is the wrapped gate's.
///
/// ```
/// use tael_coord::{EpochFencer, EpochGate, RefuseZero, Status};
///
/// let gate = RefuseZero(EpochFencer::new());
/// assert_eq!(gate.check(0).unwrap_err().status(), Status::InvalidEpoch);
/// assert!(gate.check_and_advance(1)?);
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct RefuseZero<G>(pub G);

/// `INVALID_EPOCH` for epoch 0 on a gate that refuses it.
fn nonzero(epoch: u64) -> Result<u64> {
    if epoch == 0 {
        return Err(Error::new(
            Status::InvalidEpoch,
            "epoch 0 is refused by this gate (it means \"unfenced\")",
        ));
    }
    Ok(epoch)
}

impl<G: EpochGate> EpochGate for RefuseZero<G> {
    fn check(&self, epoch: u64) -> Result<Verdict> {
        self.0.check(nonzero(epoch)?)
    }

    fn check_and_advance(&self, epoch: u64) -> Result<bool> {
        self.0.check_and_advance(nonzero(epoch)?)
    }

    fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        self.0.promote_to_at_least(floor)
    }

    fn highest(&self) -> u64 {
        self.0.highest()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        true
    }

    fn counters(&self) -> Option<Counters> {
        self.0.counters()
    }
}

impl<G: HolderGate> HolderGate for RefuseZero<G> {
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.0.check(nonzero(epoch)?, holder)
    }

    fn check_and_advance(&self, epoch: u64, holder: &str) -> Result<bool> {
        self.0.check_and_advance(nonzero(epoch)?, holder)
    }

    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64> {
        self.0.promote_to_at_least(floor, holder)
    }

    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.0.close(nonzero(epoch)?, holder)
    }

    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        self.0.adopt(nonzero(epoch)?, holder)
    }

    fn state(&self) -> (u64, Option<String>) {
        self.0.state()
    }

    fn closed(&self) -> bool {
        self.0.closed()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        true
    }

    fn counters(&self) -> Option<Counters> {
        self.0.counters()
    }
}

impl<G: GateRegistry> GateRegistry for RefuseZero<G> {
    fn add(&self, stream: &str, highest: u64) -> Result<()> {
        self.0.add(stream, highest)
    }

    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        self.0.check(stream, nonzero(epoch)?)
    }

    fn check_and_advance(&self, stream: &str, epoch: u64) -> Result<bool> {
        self.0.check_and_advance(stream, nonzero(epoch)?)
    }

    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64> {
        self.0.promote_to_at_least(stream, floor)
    }

    fn highest(&self, stream: &str) -> Result<u64> {
        self.0.highest(stream)
    }

    fn remove(&self, stream: &str) -> Result<u64> {
        self.0.remove(stream)
    }

    fn contains(&self, stream: &str) -> bool {
        self.0.contains(stream)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    fn snapshot(&self) -> Snapshot {
        self.0.snapshot()
    }

    fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        self.0.restore(snapshot)
    }

    fn refuses_epoch_zero(&self) -> bool {
        true
    }

    fn counters(&self) -> Option<Counters> {
        self.0.counters()
    }
}

/// A boxed gate is a gate, so a front can hold any gate as `Box<dyn EpochGate>` and still wrap it
/// (e.g. in [`RefuseZero`]).
impl<G: EpochGate + ?Sized> EpochGate for Box<G> {
    fn check(&self, epoch: u64) -> Result<Verdict> {
        (**self).check(epoch)
    }

    fn check_and_advance(&self, epoch: u64) -> Result<bool> {
        (**self).check_and_advance(epoch)
    }

    fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        (**self).promote_to_at_least(floor)
    }

    fn highest(&self) -> u64 {
        (**self).highest()
    }

    fn jump_cap(&self) -> Option<u64> {
        (**self).jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        (**self).refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        (**self).counters()
    }
}

/// A boxed holder gate is a holder gate.
impl<G: HolderGate + ?Sized> HolderGate for Box<G> {
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        (**self).check(epoch, holder)
    }

    fn check_and_advance(&self, epoch: u64, holder: &str) -> Result<bool> {
        (**self).check_and_advance(epoch, holder)
    }

    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64> {
        (**self).promote_to_at_least(floor, holder)
    }

    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        (**self).close(epoch, holder)
    }

    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        (**self).adopt(epoch, holder)
    }

    fn state(&self) -> (u64, Option<String>) {
        (**self).state()
    }

    fn closed(&self) -> bool {
        (**self).closed()
    }

    fn jump_cap(&self) -> Option<u64> {
        (**self).jump_cap()
    }

    fn refuses_epoch_zero(&self) -> bool {
        (**self).refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        (**self).counters()
    }
}

/// A boxed registry is a registry.
impl<G: GateRegistry + ?Sized> GateRegistry for Box<G> {
    fn add(&self, stream: &str, highest: u64) -> Result<()> {
        (**self).add(stream, highest)
    }

    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        (**self).check(stream, epoch)
    }

    fn check_and_advance(&self, stream: &str, epoch: u64) -> Result<bool> {
        (**self).check_and_advance(stream, epoch)
    }

    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64> {
        (**self).promote_to_at_least(stream, floor)
    }

    fn highest(&self, stream: &str) -> Result<u64> {
        (**self).highest(stream)
    }

    fn remove(&self, stream: &str) -> Result<u64> {
        (**self).remove(stream)
    }

    fn contains(&self, stream: &str) -> bool {
        (**self).contains(stream)
    }

    fn len(&self) -> usize {
        (**self).len()
    }

    fn jump_cap(&self) -> Option<u64> {
        (**self).jump_cap()
    }

    fn snapshot(&self) -> Snapshot {
        (**self).snapshot()
    }

    fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        (**self).restore(snapshot)
    }

    fn refuses_epoch_zero(&self) -> bool {
        (**self).refuses_epoch_zero()
    }

    fn counters(&self) -> Option<Counters> {
        (**self).counters()
    }
}
