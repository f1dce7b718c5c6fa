//! What every gate and every registry offers, whether it keeps its marks in memory or in a file.
//!
//! The fronts wrap these traits once each, so an operation added here reaches the in-memory
//! and the durable types of every front through one wrapper.

use crate::{Result, Snapshot, Verdict};

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

    /// The jump cap, if the gate has one.
    fn jump_cap(&self) -> Option<u64>;
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
}
