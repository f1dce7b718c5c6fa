//! Python values in, core values out: strict ints for u64 values, borrowed `&str` for text,
//! paths, iterables read once.

use std::path::PathBuf;

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyUnicodeEncodeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyIterator, PyString};
use tael_coord::Status;

use crate::errors::{error, invalid_argument, type_name};

/// A u64 value (epoch, highest, jump cap): a Python `int` from 0 to 2**64-1. A `bool` is refused
/// although it is an `int` subclass, and so is anything merely convertible (`float`, `__index__`).
pub struct U64(pub u64);

impl<'a, 'py> FromPyObject<'a, 'py> for U64 {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        to_u64(&obj).map(U64)
    }
}

pub fn to_u64(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let py = obj.py();
    // Anything but the common case, or an int out of range, takes the checks below, which say
    // what was wrong.
    if let Some(value) = exact_u64(obj) {
        return Ok(value);
    }
    if !(obj.is_exact_instance_of::<PyInt>()
        || (obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>()))
    {
        return Err(invalid_argument(
            py,
            format!("expected an int from 0 to 2**64-1, not {}", type_name(obj)),
        ));
    }
    match obj.extract::<u64>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => {
            let negative = obj.lt(0).unwrap_or(false);
            let what = if negative {
                "is negative"
            } else {
                "is larger than 2**64-1"
            };
            Err(error(
                py,
                Status::InvalidEpoch,
                format!("{obj} {what}; expected an int from 0 to 2**64-1"),
            ))
        }
        Err(e) => Err(e),
    }
}

/// The common case of [`to_u64`] in one C call: an exact `int` (by its type pointer) that fits.
/// None for anything else (nothing but the type pointer is read then) and for an int out of range.
pub fn exact_u64(obj: &Bound<'_, PyAny>) -> Option<u64> {
    let py = obj.py();
    if obj.get_type_ptr() != PyInt::type_object_raw(py) {
        return None;
    }
    // SAFETY: `obj` is a live `int`; the call only reads it.
    let value = unsafe { pyo3::ffi::PyLong_AsUnsignedLongLong(obj.as_ptr()) };
    (value != u64::MAX || PyErr::take(py).is_none()).then_some(value)
}

/// `e` with its message prefixed by where the bad value was (`entries[2]`), same class.
pub fn at(py: Python<'_>, place: &str, e: PyErr) -> PyErr {
    let message = format!("{place}: {}", e.value(py));
    PyErr::from_type(e.get_type(py), (message,))
}

/// An iterator over a collection argument, to be read once. `None`, a `str` (an iterable of
/// one-character strs) and bytes are `wrong()`, never items; so is a non-iterable. Any other
/// error raised by the iterable's own code (its `__iter__`, or later its `__next__`) is the
/// caller's own and goes up unchanged.
pub fn iterate<'py>(
    obj: &Bound<'py, PyAny>,
    wrong: impl Fn() -> PyErr,
) -> PyResult<Bound<'py, PyIterator>> {
    if obj.is_none()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Err(wrong());
    }
    obj.try_iter().map_err(|e| {
        if e.is_instance_of::<PyTypeError>(obj.py()) {
            wrong()
        } else {
            e
        }
    })
}

/// An optional u64 where `None` means absent (the jump cap).
pub fn to_opt_u64(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    match obj {
        Some(o) if !o.is_none() => to_u64(o).map(Some),
        _ => Ok(None),
    }
}

/// Text borrowed from a Python `str` (no copy: the UTF-8 form CPython caches in the object).
/// A non-`str` is `INVALID_ARGUMENT`; a `str` holding a lone surrogate is `INVALID_UTF8`.
pub struct Text<'a>(pub &'a str);

impl<'a, 'py> FromPyObject<'a, 'py> for Text<'a> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if !obj.is_instance_of::<PyString>() {
            return Err(not_str(&obj));
        }
        <&'a str as FromPyObject<'a, 'py>>::extract(obj)
            .map(Text)
            .map_err(|e| not_unicode(obj.py(), e))
    }
}

/// Text copied out of a Python `str`, with the errors of [`Text`] (for text kept past the call,
/// or read out of a container).
pub struct OwnedText(pub String);

impl<'a, 'py> FromPyObject<'a, 'py> for OwnedText {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Text::extract(obj).map(|Text(text)| OwnedText(text.to_owned()))
    }
}

pub fn not_str(obj: &Bound<'_, PyAny>) -> PyErr {
    invalid_argument(obj.py(), format!("expected a str, not {}", type_name(obj)))
}

/// `INVALID_UTF8` in place of the `UnicodeEncodeError` CPython raises for a lone surrogate.
pub fn not_unicode(py: Python<'_>, e: PyErr) -> PyErr {
    if !e.is_instance_of::<PyUnicodeEncodeError>(py) {
        return e;
    }
    let at = e
        .value(py)
        .getattr("start")
        .and_then(|s| s.extract::<usize>())
        .map_or_else(|_| String::new(), |i| format!(" at index {i}"));
    error(
        py,
        Status::InvalidUtf8,
        format!("str holds a lone surrogate{at}; it is not well-formed Unicode"),
    )
}

/// A `bool` and nothing else (policy toggles).
pub struct Flag(pub bool);

impl<'a, 'py> FromPyObject<'a, 'py> for Flag {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.cast::<PyBool>() {
            Ok(b) => Ok(Flag(b.is_true())),
            Err(_) => Err(invalid_argument(
                obj.py(),
                format!("expected a bool, not {}", type_name(&obj)),
            )),
        }
    }
}

/// A path argument: a `str` or an `os.PathLike` whose `__fspath__` gives a `str`.
pub fn to_path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
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
