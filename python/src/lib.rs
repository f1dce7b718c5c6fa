//! The Python front of tael-coord: the native module `tael_coord._native`.
//!
//! It only converts types and errors; every decision is the core's, and each operation of the
//! core's gate traits (and of its `EpochLog`) is wrapped once for every class that holds such an
//! object (`wrap`); the epoch gates' `check_and_advance`, a replica's call for every record, is
//! entered as CPython's own methods are (`fast`). The pure-Python package `tael_coord`
//! re-exports it, adds the `dict` view form, typed decision and event objects and `watch`, and
//! carries the hand-kept stubs (`_native.pyi`) that `mypy.stubtest` checks against this module.
//! The crate's lints (Cargo.toml) forbid the calls that panic: pyo3 would turn a panic into a
//! PanicException, not a TaelError.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod convert;
mod decide;
mod durable;
mod errors;
mod fast;
mod gates;
mod history;
mod registry;
mod wrap;

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", tael_coord::VERSION)?;
    // Private names are set, not added, so they stay out of `__all__`.
    // Every status name of the core, in the core's (numeric) order. Tests check the exceptions
    // against it.
    let names = tael_coord::Status::ALL.iter().map(|s| s.name());
    m.setattr("_STATUS_NAMES", PyTuple::new(py, names)?)?;
    // The pinned names of decision reasons and exclusions, in the core's order (the package's
    // enums are checked against them).
    let reasons = tael_coord::Reason::ALL.iter().map(|r| r.name());
    m.setattr("_REASONS", PyTuple::new(py, reasons)?)?;
    let exclusions = tael_coord::Exclusion::ALL.iter().map(|e| e.name());
    m.setattr("_EXCLUSIONS", PyTuple::new(py, exclusions)?)?;
    errors::register(m)?;
    m.add_class::<gates::PyVerdict>()?;
    m.add_class::<gates::PyEpochFencer>()?;
    fast::install::<gates::PyEpochFencer>(py)?;
    m.add_class::<gates::PyHolderFencer>()?;
    m.add_class::<registry::PySnapshot>()?;
    m.add_class::<registry::PyFenceRegistry>()?;
    m.add_class::<durable::PyDurableFencer>()?;
    fast::install::<durable::PyDurableFencer>(py)?;
    m.add_class::<durable::PyDurableHolderFencer>()?;
    m.add_class::<durable::PyDurableRegistry>()?;
    m.add_class::<history::PyEpochHistory>()?;
    m.add_class::<durable::PyDurableHistory>()?;
    m.add_class::<decide::PyPolicy>()?;
    m.add_function(wrap_pyfunction!(decide::elect_leader, m)?)?;
    m.add_function(wrap_pyfunction!(decide::elect_leader_index, m)?)?;
    m.add_function(wrap_pyfunction!(decide::validate_id, m)?)?;
    m.add_function(wrap_pyfunction!(decide::rendezvous_score, m)?)?;
    m.add_function(wrap_pyfunction!(gates::established, m)?)?;
    m.add_function(wrap_pyfunction!(history::divergence_point, m)?)?;
    m.add_function(wrap_pyfunction!(history::follower_step, m)?)?;
    m.setattr("_decide", wrap_pyfunction!(decide::decide, m)?)?;
    m.setattr("_next_epoch", wrap_pyfunction!(decide::next_epoch, m)?)?;
    m.setattr(
        "_normalize_view",
        wrap_pyfunction!(decide::normalize_view, m)?,
    )?;
    m.setattr(
        "_decision_json",
        wrap_pyfunction!(decide::decision_json, m)?,
    )?;
    m.setattr("_transitions", wrap_pyfunction!(decide::transitions, m)?)?;
    m.setattr("_event_json", wrap_pyfunction!(decide::event_json, m)?)?;
    Ok(())
}
