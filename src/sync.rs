//! The synchronisation primitives the in-memory gates and registry are built on
//! ([`EpochFencer`](crate::EpochFencer), [`HolderFencer`](crate::HolderFencer),
//! [`FenceRegistry`](crate::FenceRegistry)): the standard library's, or loom's model-checked
//! stand-ins in a build with `--cfg loom` (tests/loom.rs explores every interleaving of those
//! gates' operations with them). Nothing else differs between the two builds, and the public API
//! is the same in both.
//!
//! The durable gates (`durable.rs`) use `std::sync` directly and are **not** model-checked:
//! loom cannot model their files, and their locking is one mutex held across judge, write and
//! publish (SEMANTICS.md §12). Their concurrency is covered by the threaded unit tests in
//! `durable.rs` and the crash test (`cli/tests/durable_crash.rs`) instead.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
