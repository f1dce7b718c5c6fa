//! `DurableFencer` and `DurableRegistry`: the core's durable gates behind Python handles that
//! own a file.
//!
//! Each handle is `frozen` and shared by any number of threads. The core gate sits behind a
//! `RwLock<Option<_>>` only so that `close()` can release the file (and its lock) at a known
//! moment: calls hold the read side, `close()` takes the write side and so waits for calls in
//! flight. Every call that may touch the disk runs with the GIL released.

use std::path::PathBuf;
use std::sync::{RwLock, RwLockReadGuard};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};
use tael_coord::{DurableFencer, DurableRegistry, Result, Snapshot, Status};

use crate::convert::{not_unicode, to_opt_u64, Flag, Text, U64};
use crate::errors::{error, from_core, invalid_argument, type_name, OrRaise};
use crate::gates::PyVerdict;
use crate::registry::PySnapshot;

/// A path argument: a `str` or an `os.PathLike` whose `__fspath__` gives a `str`.
fn to_path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let py = obj.py();
    static FSPATH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let fspath = FSPATH.import(py, "os", "fspath")?;
    let wrong = || {
        invalid_argument(
            py,
            format!(
                "path must be a str or an os.PathLike of str, not {}",
                type_name(obj)
            ),
        )
    };
    let text = fspath.call1((obj,)).map_err(|_| wrong())?;
    if !text.is_instance_of::<PyString>() {
        return Err(wrong());
    }
    text.extract::<PathBuf>().map_err(|e| not_unicode(py, e))
}

fn closed(py: Python<'_>, what: &str) -> PyErr {
    error(py, Status::Storage, format!("the {what} is closed"))
}

/// Read access to an open handle's core object, or `STORAGE` once it is closed.
fn open_ref<'a, T>(
    lock: &'a RwLock<Option<T>>,
) -> std::result::Result<RwLockReadGuard<'a, Option<T>>, ()> {
    let guard = lock.read().unwrap_or_else(|e| e.into_inner());
    if guard.is_some() {
        Ok(guard)
    } else {
        Err(())
    }
}

/// Run `f` on the open core object with the GIL released.
fn with_open<T: Send + Sync, R: Send>(
    py: Python<'_>,
    lock: &RwLock<Option<T>>,
    what: &str,
    f: impl FnOnce(&T) -> Result<R> + Send,
) -> PyResult<R> {
    let outcome =
        py.detach(|| open_ref(lock).map(|guard| f(guard.as_ref().expect("checked by open_ref"))));
    match outcome {
        Ok(result) => result.or_raise(py),
        Err(()) => Err(closed(py, what)),
    }
}

/// Drop the core object (releasing its file) once no call holds it. Idempotent.
fn close<T: Send + Sync>(py: Python<'_>, lock: &RwLock<Option<T>>) {
    let taken = py.detach(|| lock.write().unwrap_or_else(|e| e.into_inner()).take());
    drop(taken);
}

fn is_closed<T>(lock: &RwLock<Option<T>>) -> bool {
    open_ref(lock).is_err()
}

fn cap_repr(cap: Option<u64>) -> String {
    cap.map_or_else(String::new, |c| format!(", jump_cap={c}"))
}

fn path_repr(py: Python<'_>, path: &std::path::Path) -> String {
    path.into_pyobject(py)
        .and_then(|p| p.str())
        .and_then(|s| s.repr())
        .map_or_else(|_| format!("{path:?}"), |r| r.to_string())
}

/// An epoch gate whose high-water mark lives in a file; advances are on disk before they return.
#[pyclass(frozen, module = "tael_coord", name = "DurableFencer")]
pub struct PyDurableFencer {
    gate: RwLock<Option<DurableFencer>>,
    path: PathBuf,
}

const GATE: &str = "durable gate";

#[pymethods]
impl PyDurableFencer {
    #[new]
    #[pyo3(
        signature = (path, *, create = Flag(false), jump_cap = None),
        text_signature = "(path, *, create=False, jump_cap=None)"
    )]
    fn new(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        create: Flag,
        jump_cap: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let path = to_path(path)?;
        let cap = to_opt_u64(jump_cap)?;
        let gate = py
            .detach(|| {
                if create.0 {
                    DurableFencer::open_or_create(&path)
                } else {
                    DurableFencer::open(&path)
                }
            })
            .map_err(|e| from_core(py, e))?;
        let gate = match cap {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        };
        Ok(PyDurableFencer {
            path: gate.path().to_owned(),
            gate: RwLock::new(Some(gate)),
        })
    }

    /// Judge a record stamped with `epoch`; ADVANCED only once the new mark is on disk.
    fn check(&self, py: Python<'_>, epoch: U64) -> PyResult<PyVerdict> {
        with_open(py, &self.gate, GATE, |g| g.check(epoch.0)).map(PyVerdict)
    }

    /// The boolean form of `check`, with the same effect.
    fn check_and_advance(&self, py: Python<'_>, epoch: U64) -> PyResult<bool> {
        with_open(py, &self.gate, GATE, |g| g.check_and_advance(epoch.0))
    }

    /// A new leader's step: one past every epoch seen, returned once it is on disk.
    fn promote(&self, py: Python<'_>) -> PyResult<u64> {
        with_open(py, &self.gate, GATE, DurableFencer::promote)
    }

    /// The highest epoch accepted so far (it is on disk).
    #[getter]
    fn highest(&self, py: Python<'_>) -> PyResult<u64> {
        with_open(py, &self.gate, GATE, |g| Ok(g.highest()))
    }

    /// The jump cap, or None.
    #[getter]
    fn jump_cap(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        with_open(py, &self.gate, GATE, |g| Ok(g.jump_cap()))
    }

    /// The gate's file (absolute, through any symbolic link).
    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.path.as_path().into_pyobject(py)
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        is_closed(&self.gate)
    }

    /// Release the file and its lock (waiting for calls in flight). The mark is already on
    /// disk; later calls raise StorageError. Calling it again does nothing.
    fn close(&self, py: Python<'_>) {
        close(py, &self.gate);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) {
        close(py, &self.gate);
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let path = path_repr(py, &self.path);
        match open_ref(&self.gate) {
            Ok(g) => {
                let g = g.as_ref().expect("checked by open_ref");
                format!(
                    "DurableFencer({path}, highest={}{})",
                    g.highest(),
                    cap_repr(g.jump_cap())
                )
            }
            Err(()) => format!("DurableFencer({path}, closed)"),
        }
    }
}

/// A snapshot argument: a `Snapshot` or its JSON text.
fn to_snapshot(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Snapshot> {
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

/// A fence registry whose marks all live in one file; every change is on disk before it returns.
#[pyclass(frozen, module = "tael_coord", name = "DurableRegistry")]
pub struct PyDurableRegistry {
    registry: RwLock<Option<DurableRegistry>>,
    path: PathBuf,
}

const REGISTRY: &str = "durable registry";

#[pymethods]
impl PyDurableRegistry {
    #[new]
    #[pyo3(
        signature = (path, *, create = Flag(false), jump_cap = None),
        text_signature = "(path, *, create=False, jump_cap=None)"
    )]
    fn new(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        create: Flag,
        jump_cap: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let path = to_path(path)?;
        let cap = to_opt_u64(jump_cap)?;
        let registry = py
            .detach(|| {
                if create.0 {
                    DurableRegistry::open_or_create(&path)
                } else {
                    DurableRegistry::open(&path)
                }
            })
            .map_err(|e| from_core(py, e))?;
        let registry = match cap {
            Some(cap) => registry.with_jump_cap(cap),
            None => registry,
        };
        Ok(PyDurableRegistry {
            path: registry.path().to_owned(),
            registry: RwLock::new(Some(registry)),
        })
    }

    /// Add a stream whose gate starts at `highest`, on disk before this returns.
    #[pyo3(signature = (stream, highest = U64(0)), text_signature = "($self, stream, highest=0)")]
    fn add(&self, py: Python<'_>, stream: Text<'_>, highest: U64) -> PyResult<()> {
        with_open(py, &self.registry, REGISTRY, |r| r.add(stream.0, highest.0))
    }

    /// Judge a record of `stream` stamped with `epoch`; ADVANCED only once it is on disk.
    fn check(&self, py: Python<'_>, stream: Text<'_>, epoch: U64) -> PyResult<PyVerdict> {
        with_open(py, &self.registry, REGISTRY, |r| r.check(stream.0, epoch.0)).map(PyVerdict)
    }

    /// The boolean form of `check`, with the same effect.
    fn check_and_advance(&self, py: Python<'_>, stream: Text<'_>, epoch: U64) -> PyResult<bool> {
        with_open(py, &self.registry, REGISTRY, |r| {
            r.check(stream.0, epoch.0).map(|v| v.accepted())
        })
    }

    /// Promote `stream`'s gate; the new epoch is returned once it is on disk.
    fn promote(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
        with_open(py, &self.registry, REGISTRY, |r| r.promote(stream.0))
    }

    /// The highest epoch `stream` has accepted (it is on disk).
    fn highest(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
        with_open(py, &self.registry, REGISTRY, |r| r.highest(stream.0))
    }

    /// Remove `stream`, returning its last highest epoch, once the file no longer has it.
    fn remove(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
        with_open(py, &self.registry, REGISTRY, |r| r.remove(stream.0))
    }

    /// Every stream's mark, read under one lock.
    fn snapshot(&self, py: Python<'_>) -> PyResult<PySnapshot> {
        with_open(py, &self.registry, REGISTRY, |r| Ok(r.snapshot())).map(PySnapshot)
    }

    /// Merge a `Snapshot` (or its JSON text): missing streams added, lower marks raised, none
    /// lowered; the file is rewritten only when a mark changed. A malformed one changes nothing.
    fn restore(&self, py: Python<'_>, snapshot: &Bound<'_, PyAny>) -> PyResult<()> {
        let snapshot = to_snapshot(py, snapshot)?;
        with_open(py, &self.registry, REGISTRY, |r| r.restore(&snapshot))
    }

    /// The jump cap of every gate, or None.
    #[getter]
    fn jump_cap(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        with_open(py, &self.registry, REGISTRY, |r| Ok(r.jump_cap()))
    }

    /// The registry's file (absolute, through any symbolic link).
    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.path.as_path().into_pyobject(py)
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        is_closed(&self.registry)
    }

    /// Release the file and its lock (waiting for calls in flight); later calls raise
    /// StorageError. Calling it again does nothing.
    fn close(&self, py: Python<'_>) {
        close(py, &self.registry);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) {
        close(py, &self.registry);
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        with_open(py, &self.registry, REGISTRY, |r| Ok(r.len()))
    }

    fn __contains__(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<bool> {
        with_open(py, &self.registry, REGISTRY, |r| {
            Ok(r.highest(stream.0).is_ok())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let path = path_repr(py, &self.path);
        match open_ref(&self.registry) {
            Ok(r) => {
                let r = r.as_ref().expect("checked by open_ref");
                format!(
                    "DurableRegistry({path}, streams={}{})",
                    r.len(),
                    cap_repr(r.jump_cap())
                )
            }
            Err(()) => format!("DurableRegistry({path}, closed)"),
        }
    }
}
