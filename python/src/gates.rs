//! `Verdict`, `EpochFencer` and `HolderFencer`: the core's gates (with their options: the core's
//! `RefuseZero` and `Counting` wrappers) behind immutable Python handles, and `established`,
//! which counts a reign's verdicts as votes.
//!
//! Each class is `frozen`: Python never borrows it mutably, the core's gates are `Sync` (atomics or
//! an internal lock), so one object is shared by any number of threads with no extra locking.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple};
use tael_coord::{EpochFencer, EpochGate, HolderFencer, HolderGate, Status, Verdict};

use crate::convert::{at, iterate, to_opt_u64, to_u64, Flag, Text, U64};
use crate::errors::{invalid_argument, type_name, OrRaise};
use crate::wrap::{epoch_gate, holder_gate, owned, Access, AnyEpochGate, AnyHolderGate, Options};

/// What a gate decided about one record: immutable, hashable, compared by value.
#[pyclass(frozen, eq, hash, module = "tael_coord", name = "Verdict")]
#[derive(PartialEq, Eq, Hash)]
pub struct PyVerdict(pub Verdict);

#[pymethods]
impl PyVerdict {
    /// "CURRENT", "ADVANCED", "STALE_EPOCH", "TOO_FAR_AHEAD", "CONFLICT" or "CLOSED".
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
        self.0.from()
    }

    /// TOO_FAR_AHEAD only: the gate's jump cap.
    #[getter]
    fn cap(&self) -> Option<u64> {
        self.0.cap()
    }

    /// CONFLICT: the holder already recorded for the epoch; CLOSED: the holder whose reign
    /// was closed. None for the other verdicts.
    #[getter]
    fn holder(&self) -> Option<&str> {
        self.0.holder()
    }

    /// The pinned verdict JSON (u64 values as decimal strings).
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let v = &self.0;
        let accepted = if v.accepted() { "True" } else { "False" };
        let extra = match (v.from(), v.cap(), v.holder()) {
            (Some(from), _, _) => format!(", from_={from}"),
            (_, Some(cap), _) => format!(", cap={cap}"),
            (_, _, Some(holder)) => format!(", holder={}", py_str_repr(py, holder)),
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

/// Whether the reign at `epoch` is established: admitted by a strict majority of its group's
/// `configured` gates (SEMANTICS.md §16). `verdicts` (an iterable of Verdicts, read once) are the
/// answers the reign's token got from distinct holder gates of the group, the latest from each;
/// an accepted verdict at `epoch` is a vote, anything else is not.
#[pyfunction]
pub fn established(
    py: Python<'_>,
    epoch: &Bound<'_, PyAny>,
    verdicts: &Bound<'_, PyAny>,
    configured: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    // Converted in the order they are given, so the first bad argument is the one reported.
    let epoch = to_u64(epoch).map_err(|e| at(py, "epoch", e))?;
    let wrong = || {
        invalid_argument(
            py,
            format!(
                "verdicts must be an iterable of Verdict, not {}",
                type_name(verdicts)
            ),
        )
    };
    let mut votes = Vec::new();
    for (index, item) in iterate(verdicts, wrong)?.enumerate() {
        let item = item?;
        match item.cast::<PyVerdict>() {
            Ok(v) => votes.push(v.get().0.clone()),
            Err(_) => {
                return Err(invalid_argument(
                    py,
                    format!(
                        "verdicts[{index}] must be a Verdict, not {}",
                        type_name(&item)
                    ),
                ))
            }
        }
    }
    let configured = to_u64(configured).map_err(|e| at(py, "configured", e))?;
    Ok(tael_coord::established(epoch, &votes, configured))
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

pub fn cap_repr(cap: Option<u64>) -> String {
    cap.map_or_else(String::new, |c| format!(", jump_cap={c}"))
}

/// Monotonic epoch gate that fences a deposed leader out of a record stream (lock-free).
#[pyclass(frozen, module = "tael_coord", name = "EpochFencer")]
pub struct PyEpochFencer(AnyEpochGate);

owned!(PyEpochFencer => AnyEpochGate);

epoch_gate!(PyEpochFencer {
    #[new]
    #[pyo3(
        signature = (highest = U64(0), *, jump_cap = None, refuse_zero = Flag(false), counters = Flag(false)),
        text_signature = "(highest=0, *, jump_cap=None, refuse_zero=False, counters=False)"
    )]
    fn new(
        highest: U64,
        jump_cap: Option<&Bound<'_, PyAny>>,
        refuse_zero: Flag,
        counters: Flag,
    ) -> PyResult<Self> {
        let gate = EpochFencer::with_highest(highest.0).with_jump_cap(to_opt_u64(jump_cap)?);
        Ok(PyEpochFencer(Options::new(refuse_zero, counters).wrap(gate)))
    }

    fn __repr__(&self) -> String {
        let gate = &self.0;
        format!(
            "EpochFencer(highest={}{}{})",
            gate.highest(),
            cap_repr(gate.jump_cap()),
            Options::repr(gate.refuses_epoch_zero(), gate.counters().is_some())
        )
    }

    /// Pickle as `EpochFencer(highest, jump_cap=cap, refuse_zero=..., counters=...)`: the mark,
    /// the cap and the options survive; a copy's counters start at 0.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let gate = &slf.get().0;
        let kwargs = PyDict::new(py);
        kwargs.set_item("jump_cap", gate.jump_cap())?;
        set_options(&kwargs, gate.refuses_epoch_zero(), gate.counters().is_some())?;
        reduce_new(slf.as_any(), PyTuple::new(py, [gate.highest()])?, kwargs)
    }
});

/// The options as the keywords of a pickled constructor call.
pub fn set_options(kwargs: &Bound<'_, PyDict>, refuse_zero: bool, counters: bool) -> PyResult<()> {
    kwargs.set_item("refuse_zero", refuse_zero)?;
    kwargs.set_item("counters", counters)
}

/// An epoch gate that also records who holds the current epoch, and whether that reign was
/// closed (a short internal lock per call).
#[pyclass(frozen, module = "tael_coord", name = "HolderFencer")]
pub struct PyHolderFencer(AnyHolderGate);

owned!(PyHolderFencer => AnyHolderGate);

holder_gate!(PyHolderFencer {
    #[new]
    #[pyo3(
        signature = (
            highest = U64(0),
            *,
            holder = None,
            jump_cap = None,
            refuse_zero = Flag(false),
            counters = Flag(false)
        ),
        text_signature = "(highest=0, *, holder=None, jump_cap=None, refuse_zero=False, counters=False)"
    )]
    fn new(
        py: Python<'_>,
        highest: U64,
        holder: Option<&Bound<'_, PyAny>>,
        jump_cap: Option<&Bound<'_, PyAny>>,
        refuse_zero: Flag,
        counters: Flag,
    ) -> PyResult<Self> {
        let holder: Option<Text<'_>> = holder.filter(|h| !h.is_none()).map(|h| h.extract()).transpose()?;
        let cap = to_opt_u64(jump_cap)?;
        let gate = HolderFencer::with_holder(highest.0, holder.map(|h| h.0)).or_raise(py)?;
        let gate = gate.with_jump_cap(cap);
        Ok(PyHolderFencer(Options::new(refuse_zero, counters).wrap(gate)))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let gate = &self.0;
        let (highest, holder) = gate.state();
        let holder =
            holder.map_or_else(String::new, |h| format!(", holder={}", py_str_repr(py, &h)));
        let closed = if gate.closed() { ", reign_closed=True" } else { "" };
        format!(
            "HolderFencer(highest={highest}{holder}{closed}{}{})",
            cap_repr(gate.jump_cap()),
            Options::repr(gate.refuses_epoch_zero(), gate.counters().is_some())
        )
    }

    /// Pickle as `HolderFencer(highest, holder=..., jump_cap=..., refuse_zero=...,
    /// counters=...)`, plus the state `True` when the reign is closed, which `__setstate__`
    /// closes again; a copy's counters start at 0.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let gate = &slf.get().0;
        let (highest, holder) = gate.state();
        let kwargs = PyDict::new(py);
        kwargs.set_item("holder", holder)?;
        kwargs.set_item("jump_cap", gate.jump_cap())?;
        set_options(&kwargs, gate.refuses_epoch_zero(), gate.counters().is_some())?;
        let new = reduce_new(slf.as_any(), PyTuple::new(py, [highest])?, kwargs)?;
        if !gate.closed() {
            return Ok(new);
        }
        let [call, args] = [new.get_item(0)?, new.get_item(1)?];
        PyTuple::new(py, [call, args, PyBool::new(py, true).to_owned().into_any()])
    }

    /// Unpickling a closed reign: `True` closes the reign at the highest epoch, as its holder's
    /// `close_reign(highest, holder)` does (the core's close); `False` does nothing.
    fn __setstate__(&self, py: Python<'_>, closed: Flag) -> PyResult<()> {
        if !closed.0 {
            return Ok(());
        }
        let (highest, holder) = self.0.state();
        let holder = holder
            .ok_or_else(|| invalid_argument(py, "a reign with no holder cannot be closed"))?;
        let verdict = HolderGate::close(&self.0, highest, &holder).or_raise(py)?;
        match verdict.status() {
            Status::Closed => Ok(()),
            _ => Err(invalid_argument(
                py,
                format!("the reign could not be closed: {}", verdict.code()),
            )),
        }
    }
});
