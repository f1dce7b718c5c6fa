//! The synchronisation primitives the gates and the registry are built on: the standard
//! library's, or loom's model-checked stand-ins in a build with `--cfg loom` (tests/loom.rs
//! explores every interleaving of the gates' operations with them). Nothing else differs
//! between the two builds, and the public API is the same in both.

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
