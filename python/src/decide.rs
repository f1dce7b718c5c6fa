//! Election over a list of ids, policies, and decisions over a membership view.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PySequence, PyString, PyTuple};
use tael_coord::{Decision, Policy, View};

use crate::convert::{not_str, not_unicode, Flag, Text};
use crate::errors::{invalid_argument, type_name, OrRaise};
use crate::gates::reduce_new;

/// One id borrowed from its Python `str`: no copy, the object stays referenced while the core
/// reads it.
fn borrow_id(index: usize, item: Bound<'_, PyAny>) -> PyResult<PyBackedStr> {
    let py = item.py();
    let prefix = |e: PyErr| {
        let message = format!("ids[{index}]: {}", e.value(py));
        PyErr::from_type(e.get_type(py), (message,))
    };
    match item.cast_into::<PyString>() {
        Ok(s) => PyBackedStr::try_from(s).map_err(|e| prefix(not_unicode(py, e))),
        Err(e) => Err(prefix(not_str(e.into_inner().as_any()))),
    }
}

/// Run the core's election over Python items, converting each as the core pulls it, so the
/// first bad id in order (wrong type, lone surrogate, or invalid) fails the call.
fn run<'py>(
    py: Python<'py>,
    items: impl Iterator<Item = PyResult<Bound<'py, PyAny>>>,
) -> PyResult<Option<usize>> {
    let mut failed = None;
    let ids = items
        .enumerate()
        .map_while(|(i, item)| match item.and_then(|o| borrow_id(i, o)) {
            Ok(id) => Some(id),
            Err(e) => {
                failed = Some(e);
                None
            }
        });
    let elected = tael_coord::try_elect_leader(ids);
    match failed {
        Some(e) => Err(e),
        None => elected.or_raise(py),
    }
}

enum Ids<'a, 'py> {
    List(&'a Bound<'py, PyList>),
    Tuple(&'a Bound<'py, PyTuple>),
    Sequence(&'a Bound<'py, PySequence>),
}

impl<'a, 'py> Ids<'a, 'py> {
    fn of(ids: &'a Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(list) = ids.cast::<PyList>() {
            return Ok(Ids::List(list));
        }
        if let Ok(tuple) = ids.cast::<PyTuple>() {
            return Ok(Ids::Tuple(tuple));
        }
        let py = ids.py();
        // A str is a sequence of one-character strs: almost certainly a mistake for [id].
        if ids.is_instance_of::<PyString>()
            || ids.is_instance_of::<PyBytes>()
            || ids.is_instance_of::<PyByteArray>()
        {
            return Err(invalid_argument(
                py,
                format!(
                    "ids must be a sequence of str, not a bare {}",
                    type_name(ids)
                ),
            ));
        }
        match ids.cast::<PySequence>() {
            Ok(seq) => Ok(Ids::Sequence(seq)),
            Err(_) => Err(invalid_argument(
                py,
                format!("ids must be a sequence of str, not {}", type_name(ids)),
            )),
        }
    }

    fn elect(&self) -> PyResult<Option<usize>> {
        match self {
            Ids::List(l) => run(l.py(), l.iter().map(Ok)),
            Ids::Tuple(t) => run(t.py(), t.iter().map(Ok)),
            Ids::Sequence(s) => run(s.py(), s.try_iter()?),
        }
    }

    fn get(&self, index: usize) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Ids::List(l) => l.get_item(index),
            Ids::Tuple(t) => t.get_item(index),
            Ids::Sequence(s) => s.get_item(index),
        }
    }
}

/// The smallest id (UTF-8 byte order), or None for an empty sequence. Every id is validated.
#[pyfunction]
pub fn elect_leader<'py>(ids: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let ids = Ids::of(ids)?;
    match ids.elect()? {
        // The winner is returned as the very str object passed in.
        Some(index) => ids.get(index).map(Some),
        None => Ok(None),
    }
}

/// The index of the first occurrence of the smallest id, or None for an empty sequence.
#[pyfunction]
pub fn elect_leader_index(ids: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
    Ids::of(ids)?.elect()
}

/// Raise INVALID_ID (or INVALID_UTF8) unless `id` is a valid node, group or stream id.
#[pyfunction]
pub fn validate_id(py: Python<'_>, id: Text<'_>) -> PyResult<()> {
    tael_coord::validate_id(id.0).or_raise(py)
}

/// The rendezvous score of `id` in `group` (64-bit FNV-1a), as the rendezvous policy uses it.
#[pyfunction]
pub fn rendezvous_score(group: Text<'_>, id: Text<'_>) -> u64 {
    tael_coord::rendezvous_score(group.0, id.0)
}

/// Election policy: toggles, all off by default (plain smallest live id). Immutable.
#[pyclass(frozen, eq, hash, module = "tael_coord", name = "Policy")]
#[derive(PartialEq, Eq, Hash)]
pub struct PyPolicy(Policy);

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(
        signature = (
            *,
            eligibility = Flag(false),
            quorum_guard = Flag(false),
            sticky_incumbent = Flag(false),
            priority = Flag(false),
            rendezvous = Flag(false)
        ),
        text_signature = "(*, eligibility=False, quorum_guard=False, sticky_incumbent=False, priority=False, rendezvous=False)"
    )]
    fn new(
        eligibility: Flag,
        quorum_guard: Flag,
        sticky_incumbent: Flag,
        priority: Flag,
        rendezvous: Flag,
    ) -> Self {
        PyPolicy(Policy {
            eligibility: eligibility.0,
            quorum_guard: quorum_guard.0,
            sticky_incumbent: sticky_incumbent.0,
            priority: priority.0,
            rendezvous: rendezvous.0,
        })
    }

    /// Parse a policy from JSON, e.g. '{"priority": true}' (INVALID_POLICY).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: Text<'_>) -> PyResult<Self> {
        Policy::from_json(text.0).or_raise(py).map(PyPolicy)
    }

    /// The policy as JSON with every toggle written.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[getter]
    fn eligibility(&self) -> bool {
        self.0.eligibility
    }

    #[getter]
    fn quorum_guard(&self) -> bool {
        self.0.quorum_guard
    }

    #[getter]
    fn sticky_incumbent(&self) -> bool {
        self.0.sticky_incumbent
    }

    #[getter]
    fn priority(&self) -> bool {
        self.0.priority
    }

    #[getter]
    fn rendezvous(&self) -> bool {
        self.0.rendezvous
    }

    fn __repr__(&self) -> String {
        let on: Vec<String> = self
            .toggles()
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| format!("{name}=True"))
            .collect();
        format!("Policy({})", on.join(", "))
    }

    /// Pickle as `Policy(**toggles)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let kwargs = PyDict::new(py);
        for (name, on) in slf.get().toggles() {
            kwargs.set_item(name, on)?;
        }
        reduce_new(slf.as_any(), PyTuple::empty(py), kwargs)
    }
}

impl PyPolicy {
    fn toggles(&self) -> [(&'static str, bool); 5] {
        let p = &self.0;
        [
            ("eligibility", p.eligibility),
            ("quorum_guard", p.quorum_guard),
            ("sticky_incumbent", p.sticky_incumbent),
            ("priority", p.priority),
            ("rendezvous", p.rendezvous),
        ]
    }
}

/// A decision as plain values; `tael_coord.Decision` wraps it in typed, immutable objects.
type DecisionParts = (String, Option<String>, String, Vec<(String, u64, String)>);

/// The core's own name of a reason: its serde name, e.g. "smallest_id".
fn serde_name(value: serde_json::Result<serde_json::Value>) -> String {
    match value {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("reasons serialize as strings, got {other:?}"),
    }
}

fn parts(d: Decision) -> DecisionParts {
    let excluded = d
        .excluded
        .into_iter()
        .map(|e| {
            let reason = serde_name(serde_json::to_value(e.reason));
            (e.id, e.generation, reason)
        })
        .collect();
    let reason = serde_name(serde_json::to_value(d.reason));
    (d.group, d.leader, reason, excluded)
}

/// Decide every group of a view (JSON text) under a policy (a `Policy` or its JSON text).
#[pyfunction]
#[pyo3(name = "_decide")]
pub fn decide(
    py: Python<'_>,
    view: Text<'_>,
    policy: &Bound<'_, PyAny>,
) -> PyResult<Vec<DecisionParts>> {
    let decisions = if let Ok(policy) = policy.cast::<PyPolicy>() {
        View::from_json(view.0).and_then(|v| tael_coord::elect_leaders(&v, &policy.get().0))
    } else if policy.is_instance_of::<PyString>() {
        let Text(policy) = policy.extract()?;
        tael_coord::elect_leaders_json(view.0, policy)
    } else {
        return Err(invalid_argument(
            py,
            format!(
                "policy must be a Policy, a dict or JSON str, not {}",
                type_name(policy)
            ),
        ));
    };
    Ok(decisions.or_raise(py)?.into_iter().map(parts).collect())
}

/// The epoch a newly elected leader of `group` promotes to (view as JSON text).
#[pyfunction]
#[pyo3(name = "_next_epoch")]
pub fn next_epoch(py: Python<'_>, view: Text<'_>, group: &Bound<'_, PyAny>) -> PyResult<u64> {
    // The view is parsed before the group is read, as the core's other fronts do.
    let view = View::from_json(view.0).or_raise(py)?;
    let Text(group) = group.extract()?;
    tael_coord::next_epoch(&view, group).or_raise(py)
}
