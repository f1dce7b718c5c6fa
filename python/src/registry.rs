//! `FenceRegistry` and `Snapshot`: many gates keyed by stream name, and their high-water marks.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString, PyTuple};
use tael_coord::{validate_id, FenceRegistry, GateRegistry, Mark, Snapshot};

use crate::convert::{to_opt_u64, to_u64, Flag, Text, U64};
use crate::errors::{error, invalid_argument, type_name, OrRaise};
use crate::gates::{cap_repr, py_str_repr, reduce_new, set_options, PyVerdict};
use crate::wrap::{owned, registry, Access, AnyRegistry, Options};

/// The high-water marks of a registry's streams: immutable, compared by value.
#[pyclass(frozen, eq, module = "tael_coord", name = "Snapshot")]
#[derive(PartialEq, Eq)]
pub struct PySnapshot(pub Snapshot);

#[pymethods]
impl PySnapshot {
    /// A snapshot from a mapping of stream name to mark. Names must be valid ids.
    #[new]
    #[pyo3(signature = (streams = None), text_signature = "(streams=None)")]
    fn new(py: Python<'_>, streams: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut out = BTreeMap::new();
        if let Some(streams) = streams.filter(|s| !s.is_none()) {
            let mapping = streams.cast::<PyMapping>().map_err(|_| {
                invalid_argument(
                    py,
                    format!(
                        "streams must be a mapping of str to int, not {}",
                        type_name(streams)
                    ),
                )
            })?;
            for item in mapping.items()?.iter() {
                let (name, mark) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
                let Text(name) = name.extract()?;
                validate_id(name).or_raise(py)?;
                if out.insert(name.to_owned(), Mark(to_u64(&mark)?)).is_some() {
                    // As the snapshot JSON's repeated keys are (a mapping's items() can repeat).
                    return Err(error(
                        py,
                        tael_coord::Status::InvalidSnapshot,
                        format!("stream {name:?} appears twice"),
                    ));
                }
            }
        }
        Ok(PySnapshot(Snapshot { streams: out }))
    }

    /// Parse the snapshot JSON `{"streams": {"<stream>": "<highest>"}}` (INVALID_SNAPSHOT).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: Text<'_>) -> PyResult<Self> {
        Snapshot::from_json(text.0).or_raise(py).map(PySnapshot)
    }

    /// The snapshot JSON, marks as decimal strings, names in byte order.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// A new dict of stream name to mark, in byte order of the names.
    #[getter]
    fn streams<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, Mark(mark)) in &self.0.streams {
            dict.set_item(name, mark)?;
        }
        Ok(dict)
    }

    fn __len__(&self) -> usize {
        self.0.streams.len()
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        for (name, Mark(mark)) in &self.0.streams {
            name.hash(&mut h);
            mark.hash(&mut h);
        }
        h.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let items: Vec<String> = self
            .0
            .streams
            .iter()
            .map(|(name, Mark(mark))| format!("{}: {mark}", py_str_repr(py, name)))
            .collect();
        format!("Snapshot({{{}}})", items.join(", "))
    }

    /// Pickle as `Snapshot(streams)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let args = PyTuple::new(py, [slf.get().streams(py)?])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
}

/// A snapshot argument: a `Snapshot` or its JSON text.
pub fn to_snapshot(obj: &Bound<'_, PyAny>) -> PyResult<Snapshot> {
    let py = obj.py();
    if let Ok(snapshot) = obj.cast::<PySnapshot>() {
        return Ok(snapshot.get().0.clone());
    }
    if obj.is_instance_of::<PyString>() {
        let Text(text) = obj.extract()?;
        return Snapshot::from_json(text).or_raise(py);
    }
    Err(invalid_argument(
        py,
        format!(
            "snapshot must be a Snapshot or its JSON str, not {}",
            type_name(obj)
        ),
    ))
}

/// Epoch gates keyed by stream name (thread-safe).
#[pyclass(frozen, module = "tael_coord", name = "FenceRegistry")]
pub struct PyFenceRegistry(AnyRegistry);

owned!(PyFenceRegistry => AnyRegistry);

registry!(PyFenceRegistry {
    /// A registry, optionally restored from a snapshot, whose gates have an optional jump cap
    /// and the options `refuse_zero` and `counters`.
    #[new]
    #[pyo3(
        signature = (snapshot = None, *, jump_cap = None, refuse_zero = Flag(false), counters = Flag(false)),
        text_signature = "(snapshot=None, *, jump_cap=None, refuse_zero=False, counters=False)"
    )]
    fn new(
        py: Python<'_>,
        snapshot: Option<&Bound<'_, PyAny>>,
        jump_cap: Option<&Bound<'_, PyAny>>,
        refuse_zero: Flag,
        counters: Flag,
    ) -> PyResult<Self> {
        let registry = FenceRegistry::new().with_jump_cap(to_opt_u64(jump_cap)?);
        if let Some(snapshot) = snapshot.filter(|s| !s.is_none()) {
            registry.restore(&to_snapshot(snapshot)?).or_raise(py)?;
        }
        Ok(PyFenceRegistry(Options::new(refuse_zero, counters).wrap(registry)))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let registry = &self.0;
        format!(
            "FenceRegistry({}{}{})",
            PySnapshot(registry.snapshot()).__repr__(py),
            cap_repr(registry.jump_cap()),
            Options::repr(registry.refuses_epoch_zero(), registry.counters().is_some())
        )
    }

    /// Pickle as `FenceRegistry(snapshot, jump_cap=cap, refuse_zero=..., counters=...)`; a
    /// copy's counters start at 0.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let registry = &slf.get().0;
        let kwargs = PyDict::new(py);
        kwargs.set_item("jump_cap", registry.jump_cap())?;
        set_options(&kwargs, registry.refuses_epoch_zero(), registry.counters().is_some())?;
        let snapshot = Bound::new(py, PySnapshot(registry.snapshot()))?;
        reduce_new(slf.as_any(), PyTuple::new(py, [snapshot])?, kwargs)
    }
});
