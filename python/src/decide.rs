//! Election over a list of ids, policies, decisions over a membership view, and the leader-change
//! events between two decision lists.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PySequence, PyString, PyTuple};
use tael_coord::{Change, Claimant, Decision, Event, Excluded, Exclusion, Policy, Reason, View};

use crate::convert::{self, not_str, not_unicode, Flag, OwnedText, Text, U64};
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

/// The ids as read: a list or a tuple as passed (reading them runs no Python code), any other
/// sequence read once into a new list (its `__iter__` or `__getitem__` may answer differently
/// each time), so the winner returned is the very object the election read.
enum Ids<'py> {
    List(Bound<'py, PyList>),
    Tuple(Bound<'py, PyTuple>),
}

impl<'py> Ids<'py> {
    fn of(ids: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(list) = ids.cast::<PyList>() {
            return Ok(Ids::List(list.clone()));
        }
        if let Ok(tuple) = ids.cast::<PyTuple>() {
            return Ok(Ids::Tuple(tuple.clone()));
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
            Ok(seq) => {
                let items = seq.try_iter()?.collect::<PyResult<Vec<_>>>()?;
                Ok(Ids::List(PyList::new(py, items)?))
            }
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
        }
    }

    fn get(&self, index: usize) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Ids::List(l) => l.get_item(index),
            Ids::Tuple(t) => t.get_item(index),
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

/// Election policy: toggles, all off by default (plain smallest live id), and the freshness
/// rule's `max_lag`. Immutable.
#[pyclass(frozen, eq, hash, module = "tael_coord", name = "Policy")]
#[derive(PartialEq, Eq, Hash)]
pub struct PyPolicy(Policy);

/// The class's methods, with one keyword argument and one property per toggle (a bool) and per
/// number (a u64, default 0) of the core's `Policy`, each named as the policy JSON names it;
/// `$text_signature` is the constructor as Python shows it (pyo3 cannot write the default of a
/// converted argument).
macro_rules! policy_class {
    ($text_signature:literal; $($toggle:ident),* ; $($number:ident),* $(,)?) => {
        #[pymethods]
        impl PyPolicy {
            #[new]
            #[pyo3(
                signature = (*, $($toggle = Flag(false),)* $($number = U64(0)),*),
                text_signature = $text_signature
            )]
            fn new($($toggle: Flag,)* $($number: U64),*) -> Self {
                PyPolicy(Policy { $($toggle: $toggle.0,)* $($number: $number.0),* })
            }

            /// Parse a policy from JSON, e.g. '{"priority": true}' (INVALID_POLICY).
            #[staticmethod]
            fn from_json(py: Python<'_>, text: Text<'_>) -> PyResult<Self> {
                Policy::from_json(text.0).or_raise(py).map(PyPolicy)
            }

            /// The policy as JSON with every field written.
            fn to_json(&self) -> String {
                self.0.to_json()
            }

            $(
                #[getter]
                fn $toggle(&self) -> bool {
                    self.0.$toggle
                }
            )*

            $(
                #[getter]
                fn $number(&self) -> u64 {
                    self.0.$number
                }
            )*

            fn __repr__(&self) -> String {
                let toggles = [$((stringify!($toggle), self.0.$toggle)),*]
                    .into_iter()
                    .filter(|(_, on)| *on)
                    .map(|(name, _)| format!("{name}=True"));
                let numbers = [$((stringify!($number), self.0.$number)),*]
                    .into_iter()
                    .filter(|(_, n)| *n != 0)
                    .map(|(name, n)| format!("{name}={n}"));
                let set: Vec<String> = toggles.chain(numbers).collect();
                format!("Policy({})", set.join(", "))
            }

            /// Pickle as `Policy(**fields)`.
            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
                let py = slf.py();
                let kwargs = PyDict::new(py);
                $(kwargs.set_item(stringify!($toggle), slf.get().0.$toggle)?;)*
                $(kwargs.set_item(stringify!($number), slf.get().0.$number)?;)*
                reduce_new(slf.as_any(), PyTuple::empty(py), kwargs)
            }
        }
    };
}

policy_class!(
    "(*, eligibility=False, quorum_guard=False, sticky_incumbent=False, priority=False, rendezvous=False, freshness=False, max_lag=0)";
    eligibility,
    quorum_guard,
    sticky_incumbent,
    priority,
    rendezvous,
    freshness;
    max_lag
);

/// A decision as plain values, as the core answers it; `tael_coord.Decision` wraps it in typed,
/// immutable objects: group, leader, reason, excluded `(id, generation, reason)`,
/// leader_index, leader_generation, leader_epoch, claimants `(id, generation, claims_epoch)`.
type DecisionParts = (
    String,
    Option<String>,
    &'static str,
    Vec<(String, u64, &'static str)>,
    Option<usize>,
    Option<u64>,
    Option<u64>,
    Vec<(String, u64, u64)>,
);

fn parts(d: Decision) -> DecisionParts {
    let excluded = d
        .excluded
        .into_iter()
        .map(|e| (e.id, e.generation, e.reason.name()))
        .collect();
    let claimants = d
        .claimants
        .into_iter()
        .map(|c| (c.id, c.generation, c.claims_epoch))
        .collect();
    (
        d.group,
        d.leader,
        d.reason.name(),
        excluded,
        d.leader_index,
        d.leader_generation,
        d.leader_epoch,
        claimants,
    )
}

/// A decision as the package passes it in (`tael_coord.Decision`'s fields, each read once, the
/// enums by their names), in the same order as [`DecisionParts`]; every value is checked here.
type PlainDecision = (
    OwnedText,
    Option<OwnedText>,
    OwnedText,
    Vec<(OwnedText, U64, OwnedText)>,
    Option<U64>,
    Option<U64>,
    Option<U64>,
    Vec<(OwnedText, U64, U64)>,
);

/// The core's decision from its plain values; `INVALID_ARGUMENT` for an unknown name or a
/// value of the wrong type (`at` says where: `previous[2]`).
fn to_decision(py: Python<'_>, plain: &Bound<'_, PyAny>, at: &str) -> PyResult<Decision> {
    let place = |e: PyErr| convert::at(py, at, e);
    let (group, leader, reason, excluded, leader_index, leader_generation, leader_epoch, claimants) =
        plain.extract::<PlainDecision>().map_err(place)?;
    let unknown = |what: &str, name: &str| {
        invalid_argument(py, format!("{at}: {name:?} is not a {what} name"))
    };
    let reason = Reason::from_name(&reason.0).ok_or_else(|| unknown("reason", &reason.0))?;
    let excluded = excluded
        .into_iter()
        .map(|(id, generation, why)| {
            let reason =
                Exclusion::from_name(&why.0).ok_or_else(|| unknown("exclusion", &why.0))?;
            Ok(Excluded {
                id: id.0,
                generation: generation.0,
                reason,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let leader_index = leader_index
        .map(|i| usize::try_from(i.0))
        .transpose()
        .map_err(|_| invalid_argument(py, format!("{at}: leader_index is too large")))?;
    let claimants = claimants
        .into_iter()
        .map(|(id, generation, claims_epoch)| Claimant {
            id: id.0,
            generation: generation.0,
            claims_epoch: claims_epoch.0,
        })
        .collect();
    Ok(Decision {
        group: group.0,
        leader: leader.map(|l| l.0),
        reason,
        excluded,
        leader_index,
        leader_generation: leader_generation.map(|g| g.0),
        leader_epoch: leader_epoch.map(|e| e.0),
        claimants,
    })
}

/// The pinned decision JSON of a decision given as plain values (what `Decision.to_json`
/// passes): the core writes it, so every front writes the same bytes.
#[pyfunction]
#[pyo3(name = "_decision_json")]
pub fn decision_json(py: Python<'_>, decision: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(to_decision(py, decision, "decision")?.to_json())
}

/// An event as plain values: event name, group, leader, generation, epoch, previous,
/// previous_generation, previous_epoch (`tael_coord.Event`'s fields, in order).
type EventParts = (
    &'static str,
    String,
    Option<String>,
    Option<u64>,
    Option<u64>,
    Option<String>,
    Option<u64>,
    Option<u64>,
);

/// The leader changes from the decisions `previous` to the decisions `next` (lists of plain
/// decisions, as `tael_coord.transitions` passes them): the core's `transitions`.
#[pyfunction]
#[pyo3(name = "_transitions")]
pub fn transitions(
    py: Python<'_>,
    previous: &Bound<'_, PyList>,
    next: &Bound<'_, PyList>,
) -> PyResult<Vec<EventParts>> {
    let list = |which: &str, plain: &Bound<'_, PyList>| {
        plain
            .iter()
            .enumerate()
            .map(|(i, d)| to_decision(py, &d, &format!("{which}[{i}]")))
            .collect::<PyResult<Vec<_>>>()
    };
    let (previous, next) = (list("previous", previous)?, list("next", next)?);
    let events = tael_coord::transitions(&previous, &next).or_raise(py)?;
    Ok(events
        .into_iter()
        .map(|e| {
            let name = e.event.name();
            (
                name,
                e.group,
                e.leader,
                e.generation,
                e.epoch,
                e.previous,
                e.previous_generation,
                e.previous_epoch,
            )
        })
        .collect())
}

/// An event as the package passes it in (`tael_coord.Event`'s fields, each read once).
type PlainEvent = (
    OwnedText,
    OwnedText,
    Option<OwnedText>,
    Option<U64>,
    Option<U64>,
    Option<OwnedText>,
    Option<U64>,
    Option<U64>,
);

/// The pinned event JSON of an event given as plain values (what `Event.to_json` passes).
#[pyfunction]
#[pyo3(name = "_event_json")]
pub fn event_json(py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<String> {
    let place = |e: PyErr| convert::at(py, "event", e);
    let (name, group, leader, generation, epoch, previous, previous_generation, previous_epoch) =
        event.extract::<PlainEvent>().map_err(place)?;
    let change = Change::ALL
        .iter()
        .copied()
        .find(|c| c.name() == name.0)
        .ok_or_else(|| invalid_argument(py, format!("event: {:?} is not an event name", name.0)))?;
    let text = |t: Option<OwnedText>| t.map(|t| t.0);
    let number = |n: Option<U64>| n.map(|n| n.0);
    let event = Event {
        event: change,
        group: group.0,
        leader: text(leader),
        generation: number(generation),
        epoch: number(epoch),
        previous: text(previous),
        previous_generation: number(previous_generation),
        previous_epoch: number(previous_epoch),
    };
    Ok(event.to_json())
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

/// The view as the core reads it, written back canonically (view as JSON text).
#[pyfunction]
#[pyo3(name = "_normalize_view")]
pub fn normalize_view(py: Python<'_>, view: Text<'_>) -> PyResult<String> {
    View::from_json(view.0).or_raise(py).map(|v| v.to_json())
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
