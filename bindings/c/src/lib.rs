//! The C ABI of tael-coord: `libtael_coord.a`, `libtael_coord.so` and the cbindgen-generated
//! header `include/tael_coord.h`.
//!
//! This crate only converts: C pointers, lengths and integers into the core's types, and the
//! core's results and errors into statuses, out-parameters and the thread-local last error.
//! Every rule (ordering, fencing, JSON) is the core's. Every exported body runs inside
//! `catch_unwind` (see [`guard`]), so nothing unwinds into C.
//!
//! The doc comments of the exported items become the header's documentation, so they are
//! written for C readers.

// In this order in the header.
pub mod status;

pub mod election;
pub mod gates;
pub mod registry;
pub mod views;

pub mod durable;

mod guard;

#[cfg(test)]
mod abi_tests;
