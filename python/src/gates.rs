//! `Verdict`, `EpochFencer` and `HolderFencer`: the core's gates behind immutable Python handles.
//!
//! Each class is `frozen`: Python never borrows it mutably, the core's gates are `Sync` (atomics or
//! an internal lock), so one object is shared by any number of threads with no extra locking.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};
use tael_coord::{EpochFencer, HolderFencer, Verdict};

use crate::convert::{to_opt_u64, Text, U64};
use crate::errors::OrRaise;

/// What a gate decided about one record: immutable, hashable, compared by value.
#[pyclass(frozen, eq, hash, module = "tael_coord", name = "Verdict")]
#[derive(PartialEq, Eq, Hash)]
pub struct PyVerdict(pub Verdict);

#[pymethods]
impl PyVerdict {
    /// "CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD" or "CONFLICT".
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Whether the record is accepted: CURRENT or ADVANCED.
    #[getter]
    fn accepted(&self) -> bool {
        self.0.accepted()
    }

    /// The epoch the record carried.
    #[getter]
    fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    /// The gate's highest epoch once this verdict was reached.
    #[getter]
    fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// ADVANCED only: the highest before the gate moved (`from` in the verdict JSON).
    #[getter]
    fn from_(&self) -> Option<u64> {
        match self.0 {
            Verdict::Advanced { from, .. } => Some(from),
            _ => None,
        }
    }

    /// TOO_FAR_AHEAD only: the gate's jump cap.
    #[getter]
    fn cap(&self) -> Option<u64> {
        match self.0 {
            Verdict::TooFarAhead { cap, .. } => Some(cap),
            _ => None,
        }
    }

    /// CONFLICT only: the holder already recorded for the epoch.
    #[getter]
    fn holder(&self) -> Option<&str> {
        match &self.0 {
            Verdict::Conflict { holder, .. } => Some(holder),
            _ => None,
        }
    }

    /// The pinned verdict JSON (u64 values as decimal strings).
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let v = &self.0;
        let accepted = if v.accepted() { "True" } else { "False" };
        let extra = match v {
            Verdict::Advanced { from, .. } => format!(", from_={from}"),
            Verdict::TooFarAhead { cap, .. } => format!(", cap={cap}"),
            Verdict::Conflict { holder, .. } => format!(", holder={}", py_str_repr(py, holder)),
            _ => String::new(),
        };
        format!(
            "Verdict(code='{}', accepted={accepted}, epoch={}, highest={}{extra})",
            v.code(),
            v.epoch(),
            v.highest()
        )
    }
}

/// Python's own `repr()` of a str, for `__repr__` output.
pub fn py_str_repr(py: Python<'_>, s: &str) -> String {
    PyString::new(py, s)
        .repr()
        .map_or_else(|_| format!("{s:?}"), |r| r.to_string())
}

/// `__reduce__` for a class whose constructor takes keywords: `copyreg.__newobj_ex__(cls, args,
/// kwargs)`, what protocols 2+ write for `__getnewargs_ex__`, spelled out so protocols 0 and 1
/// work too.
pub fn reduce_new<'py>(
    obj: &Bound<'py, PyAny>,
    args: Bound<'py, PyTuple>,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = obj.py();
    static NEWOBJ_EX: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let newobj_ex = NEWOBJ_EX.import(py, "copyreg", "__newobj_ex__")?;
    let call = PyTuple::new(
        py,
        [
            obj.get_type().into_any(),
            args.into_any(),
            kwargs.into_any(),
        ],
    )?;
    PyTuple::new(py, [newobj_ex.clone().into_any(), call.into_any()])
}

fn cap_repr(cap: Option<u64>) -> String {
    cap.map_or_else(String::new, |c| format!(", jump_cap={c}"))
}

/// Monotonic epoch gate that fences a deposed leader out of a record stream (lock-free).
#[pyclass(frozen, module = "tael_coord", name = "EpochFencer")]
pub struct PyEpochFencer(EpochFencer);

#[pymethods]
impl PyEpochFencer {
    #[new]
    #[pyo3(signature = (highest = U64(0), *, jump_cap = None), text_signature = "(highest=0, *, jump_cap=None)")]
    fn new(highest: U64, jump_cap: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let gate = EpochFencer::with_highest(highest.0);
        Ok(PyEpochFencer(match to_opt_u64(jump_cap)? {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        }))
    }

    /// Accept a record stamped with `epoch`? True for CURRENT and ADVANCED; advances the gate.
    fn check_and_advance(&self, epoch: U64) -> bool {
        self.0.check_and_advance(epoch.0)
    }

    /// Judge a record stamped with `epoch`, advancing the gate when it is higher.
    fn check(&self, epoch: U64) -> PyVerdict {
        PyVerdict(self.0.check(epoch.0))
    }

    /// A new leader's step: move one past every epoch seen and return the new epoch.
    fn promote(&self, py: Python<'_>) -> PyResult<u64> {
        self.0.promote().or_raise(py)
    }

    /// The highest epoch accepted so far.
    #[getter]
    fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// The jump cap, or None.
    #[getter]
    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    fn __repr__(&self) -> String {
        format!(
            "EpochFencer(highest={}{})",
            self.0.highest(),
            cap_repr(self.0.jump_cap())
        )
    }

    /// Pickle as `EpochFencer(highest, jump_cap=cap)`: the mark and the cap survive.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let gate = &slf.get().0;
        let kwargs = PyDict::new(py);
        kwargs.set_item("jump_cap", gate.jump_cap())?;
        reduce_new(slf.as_any(), PyTuple::new(py, [gate.highest()])?, kwargs)
    }
}

/// An epoch gate that also records who holds the current epoch (a short internal lock per call).
#[pyclass(frozen, module = "tael_coord", name = "HolderFencer")]
pub struct PyHolderFencer(HolderFencer);

#[pymethods]
impl PyHolderFencer {
    #[new]
    #[pyo3(
        signature = (highest = U64(0), *, holder = None, jump_cap = None),
        text_signature = "(highest=0, *, holder=None, jump_cap=None)"
    )]
    fn new(
        py: Python<'_>,
        highest: U64,
        holder: Option<&Bound<'_, PyAny>>,
        jump_cap: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let gate = HolderFencer::with_highest(highest.0);
        let gate = match to_opt_u64(jump_cap)? {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        };
        if let Some(holder) = holder.filter(|h| !h.is_none()) {
            // The core has no constructor taking a holder. A gate resumed with no holder gives
            // its current epoch to the first claimant (CURRENT, cap not involved), which is
            // exactly the state (highest, holder).
            let holder: Text<'_> = holder.extract()?;
            gate.check(highest.0, holder.0).or_raise(py)?;
        }
        Ok(PyHolderFencer(gate))
    }

    /// Judge a record carrying the token (epoch, holder).
    fn check(&self, py: Python<'_>, epoch: U64, holder: Text<'_>) -> PyResult<PyVerdict> {
        self.0.check(epoch.0, holder.0).or_raise(py).map(PyVerdict)
    }

    /// The boolean form of `check`, with the same effect.
    fn check_and_advance(&self, py: Python<'_>, epoch: U64, holder: Text<'_>) -> PyResult<bool> {
        self.0
            .check(epoch.0, holder.0)
            .or_raise(py)
            .map(|v| v.accepted())
    }

    /// `holder` takes a new reign: one past the highest, recorded for `holder`; the new epoch.
    fn promote(&self, py: Python<'_>, holder: Text<'_>) -> PyResult<u64> {
        self.0.promote(holder.0).or_raise(py)
    }

    /// The highest epoch accepted so far.
    #[getter]
    fn highest(&self) -> u64 {
        self.0.highest()
    }

    /// The holder of the highest epoch, or None if none is recorded.
    #[getter]
    fn holder(&self) -> Option<String> {
        self.0.holder()
    }

    /// (highest, holder), read together.
    #[getter]
    fn state(&self) -> (u64, Option<String>) {
        self.0.state()
    }

    /// The jump cap, or None.
    #[getter]
    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let (highest, holder) = self.0.state();
        let holder =
            holder.map_or_else(String::new, |h| format!(", holder={}", py_str_repr(py, &h)));
        format!(
            "HolderFencer(highest={highest}{holder}{})",
            cap_repr(self.0.jump_cap())
        )
    }

    /// Pickle as `HolderFencer(highest, holder=..., jump_cap=...)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let gate = &slf.get().0;
        let (highest, holder) = gate.state();
        let kwargs = PyDict::new(py);
        kwargs.set_item("holder", holder)?;
        kwargs.set_item("jump_cap", gate.jump_cap())?;
        reduce_new(slf.as_any(), PyTuple::new(py, [highest])?, kwargs)
    }
}
