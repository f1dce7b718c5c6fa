//! Leader election and epoch fencing for replication groups.
//!
//! The leader of a group is its live member with the smallest node id (byte order of UTF-8),
//! optionally shaped by a [`Policy`]; each reign carries a strictly higher epoch, and a
//! standby's [`EpochFencer`] accepts records at or above the highest epoch it has seen and
//! rejects older ones, so a deposed leader cannot corrupt the replicas.
//!
//! This crate is pure logic with no I/O, except for the durable gates ([`DurableFencer`],
//! [`DurableRegistry`]), which keep their marks in a file. Every rule lives here: the C, Python
//! and WebAssembly fronts convert types and errors and call it, wrapping each operation of the
//! gate traits ([`EpochGate`], [`HolderGate`], [`GateRegistry`]) once for all the types that
//! implement them. `SEMANTICS.md` is the specification all of them obey.
//!
//! ```
//! use tael_coord::{elect_leaders, EpochFencer, Policy, Verdict, View};
//!
//! let view = View::from_json(r#"{"groups": {"wal-0": {"members": [
//!     {"id": "node-b", "live": true},
//!     {"id": "node-a", "live": false}
//! ]}}}"#)?;
//! let decisions = elect_leaders(&view, &Policy::default())?;
//! assert_eq!(decisions[0].leader.as_deref(), Some("node-b"));
//!
//! let gate = EpochFencer::with_highest(7);
//! assert_eq!(gate.check(6), Verdict::Stale { epoch: 6, highest: 7 });
//! assert_eq!(gate.promote()?, 8);
//! # Ok::<(), tael_coord::Error>(())
//! ```

#![forbid(unsafe_code)]

// Leaf types first, then the traits and the gates built on them, then views and decisions.
mod error;
mod json;
mod status;
mod sync;

mod election;
mod policy;
mod snapshot;
mod verdict;

mod gate;

mod counters;

mod fence;
mod holder;
mod registry;

mod history;

mod durable;

mod view;

mod decide;
mod events;

pub use counters::{Counters, Counting};
pub use decide::{
    decisions_from_json, decisions_to_json, elect_leaders, elect_leaders_json,
    elect_leaders_to_json, next_epoch, rendezvous_score, Claimant, Decision, Excluded, Exclusion,
    Reason,
};
pub use durable::{DurableFencer, DurableHistory, DurableHolderFencer, DurableRegistry};
pub use election::{elect_leader, try_elect_leader, validate_id, validate_id_bytes, MAX_ID_BYTES};
pub use error::{Error, Result};
pub use events::{transitions, transitions_json, Change, Event};
pub use fence::EpochFencer;
pub use gate::{EpochGate, GateRegistry, HolderGate, RefuseZero};
pub use history::{
    divergence_point, follower_step, EpochEntry, EpochHistory, EpochLog, Truncation,
};
pub use holder::HolderFencer;
pub use json::parse_u64;
pub use policy::Policy;
pub use registry::FenceRegistry;
pub use snapshot::{Mark, Snapshot};
pub use status::Status;
pub use verdict::{established, Verdict};
pub use view::{Group, Member, View};

/// The crate version, as every front reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The README's example is compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
