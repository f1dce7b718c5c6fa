//! `EpochHistory`, `divergence_point` and `follower_step`: the epoch history of one log (the
//! core's `EpochHistory`) and the two questions asked of two logs' histories.
//!
//! Histories come in as `EpochHistory` or `DurableHistory` objects, or as entries: an iterable
//! of `(epoch, start_offset)` pairs or `(epoch, start_offset, holder)` triples, read once. They go
//! out as lists of the same tuples (a triple only where a holder is recorded).

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use tael_coord::{validate_id, EpochEntry, EpochHistory, EpochLog};

use crate::convert::{at, iterate, to_u64, Text, U64};
use crate::durable::PyDurableHistory;
use crate::errors::{invalid_argument, type_name, OrRaise};
use crate::gates::py_str_repr;
use crate::wrap::{epoch_log, lock, locked, Access, AccessMut};

/// The entries as a new list of tuples: `(epoch, start_offset)`, or `(epoch, start_offset,
/// holder)` where a holder is recorded.
pub fn entries_list<'py>(py: Python<'py>, entries: &[EpochEntry]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for e in entries {
        let tuple = match &e.holder {
            None => (e.epoch, e.start_offset).into_pyobject(py)?,
            Some(holder) => (e.epoch, e.start_offset, holder).into_pyobject(py)?,
        };
        list.append(tuple)?;
    }
    Ok(list)
}

/// One entry, `what[index]`: a tuple (or list) of two or three items, read without running
/// Python code.
fn to_entry(what: &str, index: usize, item: &Bound<'_, PyAny>) -> PyResult<EpochEntry> {
    let py = item.py();
    let place = format!("{what}[{index}]");
    let items: Vec<Bound<'_, PyAny>> = if let Ok(tuple) = item.cast::<PyTuple>() {
        tuple.iter().collect()
    } else if let Ok(list) = item.cast::<PyList>() {
        list.iter().collect()
    } else {
        return Err(invalid_argument(
            py,
            format!(
                "{place} must be a tuple (epoch, start_offset) or (epoch, start_offset, holder), \
                 not {}",
                type_name(item)
            ),
        ));
    };
    let (epoch, start, holder) = match items.as_slice() {
        [epoch, start] => (epoch, start, None),
        [epoch, start, holder] => (epoch, start, Some(holder)),
        _ => {
            return Err(invalid_argument(
                py,
                format!(
                    "{place} has {} item(s); an entry is (epoch, start_offset) or \
                     (epoch, start_offset, holder)",
                    items.len()
                ),
            ))
        }
    };
    let epoch = to_u64(epoch).map_err(|e| at(py, &format!("{place} epoch"), e))?;
    let start_offset = to_u64(start).map_err(|e| at(py, &format!("{place} start_offset"), e))?;
    let holder = match holder.filter(|h| !h.is_none()) {
        Some(h) => {
            let holder = h
                .extract::<Text<'_>>()
                .and_then(|Text(holder)| validate_id(holder).or_raise(py).map(|()| holder))
                .map_err(|e| at(py, &format!("{place} holder"), e))?;
            Some(holder.to_owned())
        }
        None => None,
    };
    Ok(EpochEntry {
        epoch,
        start_offset,
        holder,
    })
}

/// A history argument: an `EpochHistory` or `DurableHistory` (its history as it stands), or an
/// iterable of entries read once (INVALID_HISTORY unless they follow the rules; INVALID_ID,
/// INVALID_UTF8 for a bad holder). `what` names the argument in messages.
pub fn to_history(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<EpochHistory> {
    let py = obj.py();
    if let Ok(history) = obj.cast::<PyEpochHistory>() {
        return Ok(lock(&history.get().0).clone());
    }
    if let Ok(durable) = obj.cast::<PyDurableHistory>() {
        return durable.get().with(py, |h| Ok(EpochLog::history(h).clone()));
    }
    let wrong = || {
        invalid_argument(
            py,
            format!(
                "{what} must be an EpochHistory, a DurableHistory or an iterable of \
                 (epoch, start_offset[, holder]) tuples, not {}",
                type_name(obj)
            ),
        )
    };
    let mut entries = Vec::new();
    for (index, item) in iterate(obj, wrong)?.enumerate() {
        entries.push(to_entry(what, index, &item?)?);
    }
    EpochHistory::from_entries(entries).or_raise(py)
}

/// The epoch history of one log: entries (epoch, start_offset[, holder]) with epochs and start
/// offsets both strictly increasing (Kafka's leader-epoch cache). Thread-safe.
#[pyclass(frozen, module = "tael_coord", name = "EpochHistory")]
pub struct PyEpochHistory(Mutex<EpochHistory>);

locked!(PyEpochHistory => EpochHistory);

epoch_log!(PyEpochHistory {
    /// A history of `entries`: an iterable of (epoch, start_offset) pairs or (epoch,
    /// start_offset, holder) triples, read once, or another history (copied); empty by default.
    #[new]
    #[pyo3(signature = (entries = None), text_signature = "(entries=None)")]
    fn new(entries: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let history = match entries {
            Some(entries) if !entries.is_none() => to_history(entries, "entries")?,
            _ => EpochHistory::new(),
        };
        Ok(PyEpochHistory(Mutex::new(history)))
    }

    /// Parse the history's JSON form (INVALID_HISTORY).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: Text<'_>) -> PyResult<Self> {
        let history = EpochHistory::from_json(text.0).or_raise(py)?;
        Ok(PyEpochHistory(Mutex::new(history)))
    }

    /// Equal to another EpochHistory with the same entries (holders included).
    fn __eq__(&self, other: &Bound<'_, Self>) -> bool {
        // Each lock in turn (never both at once: `h == h` takes the same lock twice).
        let mine = lock(&self.0).clone();
        let theirs = lock(&other.get().0).clone();
        mine == theirs
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let entries: Vec<String> = lock(&self.0)
            .entries()
            .iter()
            .map(|e| match &e.holder {
                None => format!("({}, {})", e.epoch, e.start_offset),
                Some(h) => format!("({}, {}, {})", e.epoch, e.start_offset, py_str_repr(py, h)),
            })
            .collect();
        format!("EpochHistory([{}])", entries.join(", "))
    }

    /// Pickle as `EpochHistory(entries)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let entries = lock(&slf.get().0).entries().to_vec();
        let args = PyTuple::new(py, [entries_list(py, &entries)?])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
});

/// The length of the prefix two logs share: the first offset, from where both histories start
/// to where the shorter log ends, whose reigns differ (or the shorter log's end). Symmetric.
/// Each history is an EpochHistory, a DurableHistory or an iterable of entries; INVALID_HISTORY
/// when a log end does not fit its history.
#[pyfunction]
pub fn divergence_point(
    py: Python<'_>,
    leader: &Bound<'_, PyAny>,
    leader_log_end: &Bound<'_, PyAny>,
    follower: &Bound<'_, PyAny>,
    follower_log_end: &Bound<'_, PyAny>,
) -> PyResult<u64> {
    // Converted in the order they are given, so the first bad argument is the one reported.
    let leader = to_history(leader, "leader")?;
    let leader_log_end = to_u64(leader_log_end).map_err(|e| at(py, "leader_log_end", e))?;
    let follower = to_history(follower, "follower")?;
    let follower_log_end = to_u64(follower_log_end).map_err(|e| at(py, "follower_log_end", e))?;
    tael_coord::divergence_point(&leader, leader_log_end, &follower, follower_log_end).or_raise(py)
}

/// The leader's answer as the core takes it: None, or a pair (epoch, end_offset).
fn to_answer(obj: &Bound<'_, PyAny>) -> PyResult<Option<(u64, u64)>> {
    if obj.is_none() {
        return Ok(None);
    }
    let items: Option<Vec<Bound<'_, PyAny>>> = if let Ok(tuple) = obj.cast::<PyTuple>() {
        Some(tuple.iter().collect())
    } else if let Ok(list) = obj.cast::<PyList>() {
        Some(list.iter().collect())
    } else {
        None
    };
    match items.as_deref() {
        Some([epoch, end]) => {
            let py = obj.py();
            let epoch = to_u64(epoch).map_err(|e| at(py, "answer epoch", e))?;
            let end = to_u64(end).map_err(|e| at(py, "answer end_offset", e))?;
            Ok(Some((epoch, end)))
        }
        _ => Err(invalid_argument(
            obj.py(),
            format!(
                "answer must be None or a pair (epoch, end_offset), not {}",
                match &items {
                    Some(items) => format!("a {} of {} item(s)", type_name(obj), items.len()),
                    None => type_name(obj),
                }
            ),
        )),
    }
}

/// A follower's truncation step: given its history, its log end and the leader's answer to
/// `end_offset_for(its latest epoch, the leader's log end)` (a pair, or None), the offset to
/// truncate to and whether it is done (if not, it truncates and asks again).
#[pyfunction]
pub fn follower_step(
    py: Python<'_>,
    follower: &Bound<'_, PyAny>,
    follower_log_end: &Bound<'_, PyAny>,
    answer: &Bound<'_, PyAny>,
) -> PyResult<(u64, bool)> {
    let follower = to_history(follower, "follower")?;
    let follower_log_end = to_u64(follower_log_end).map_err(|e| at(py, "follower_log_end", e))?;
    let answer = to_answer(answer)?;
    let step = tael_coord::follower_step(&follower, follower_log_end, answer).or_raise(py)?;
    Ok((step.offset, step.done))
}
