//! The C ABI of tael-coord: `libtael_coord.a`, `libtael_coord.so` and the cbindgen-generated
//! header `include/tael_coord.h`.
//!
//! This crate only converts: C pointers, lengths and integers into the core's types, and the
//! core's results and errors into statuses, out-parameters and the thread-local last error.
//! Every rule (ordering, fencing, JSON) is the core's. Every exported body runs inside
//! `catch_unwind` (see `guard`), so nothing unwinds into C; and the crate's lints (Cargo.toml)
//! forbid the calls that panic (`unwrap`, `expect`, indexing, ...), so no input reaches a
//! panic at all.
//!
//! The doc comments of the exported items become the header's documentation, so they are
//! written for C readers. Modules depend one way: `status` and `last_error` (leaves), `guard`
//! (conversions), `text` (text answers), `verdict` (the structs gates fill), `options` (the
//! options gates are made with, applied as the core's wrappers), `ops` (one wrapper per
//! operation of the core's gate traits), then the modules of exported functions (`history`
//! wraps the core's `EpochLog` the same way, behind a lock of its own; `events` hands out an
//! array of structs the caller frees).
// Tests may panic: that is how they fail.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

// In this order in the header.
pub mod status;

pub mod last_error;

pub mod info;

pub mod election;
pub mod gates;
pub mod history;
pub mod options;
pub mod registry;
pub mod reign;
pub mod verdict;
pub mod views;

pub mod events;

pub mod text;

mod guard;
mod ops;

#[cfg(test)]
mod abi_tests;
