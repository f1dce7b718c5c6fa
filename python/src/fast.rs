//! The hot call of an epoch gate, `check_and_advance(epoch)` (a replica asks it for every
//! record), entered the way CPython enters its own methods: a vectorcall method whose common case
//! (one positional exact `int`) reads the int and asks the gate with nothing in between. pyo3's
//! generic method machinery (its argument parser, its trampoline's interpreter bookkeeping) is
//! about as long as a builtin call on its own (docs/benchmarks-notes.md).
//!
//! Every other call (a keyword, a wrong count, any other type, an int out of range) goes to the
//! method pyo3 wrote from `wrap::epoch_gate!`, which this entry replaces on the class and keeps
//! behind it: arguments, errors, docstring and signature are that method's. The operation itself
//! (`Access::with` around the core's `EpochGate::check_and_advance`) is the same call in both.

use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PySystemError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyTuple};
use pyo3::PyClass;
use tael_coord::EpochGate;

use crate::convert::exact_u64;
use crate::wrap::{Access, AnyEpochGate};

/// The method's name on the class.
const NAME: &str = "check_and_advance";

/// A frozen class whose core object is an epoch gate, with the place that keeps the method pyo3
/// wrote for it.
pub trait FastCheck: PyClass<Frozen = True> + Access<Core = AnyEpochGate> + Sync {
    /// pyo3's `check_and_advance` of this class, once `install` has put the fast entry in its
    /// place.
    fn generic() -> &'static PyOnceLock<Py<PyAny>>;
}

/// Put the fast entry in place of pyo3's `check_and_advance` on `T` (done once, as the module
/// is made), keeping pyo3's method for the calls the entry does not take.
pub fn install<T: FastCheck>(py: Python<'_>) -> PyResult<()> {
    let class = T::type_object(py);
    let generic = class.getattr(NAME)?;
    // The method's docstring with its text signature in front, as CPython reads them from a
    // method's definition: `help()` and `inspect.signature` see what they saw before.
    let signature: String = generic.getattr("__text_signature__")?.extract()?;
    let doc: String = generic.getattr("__doc__")?.extract()?;
    let doc = CString::new(format!("{NAME}{signature}\n--\n\n{doc}"))?;
    let name = CString::new(NAME)?;
    // The definition must outlive the method object made from it: it is made once a process
    // (the module cannot be made twice), so it is kept for good.
    let definition = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name.into_raw().cast_const(),
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionFastWithKeywords: check_and_advance::<T>,
        },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: doc.into_raw().cast_const(),
    }));
    // SAFETY: the class is a live type object and the definition lives for good.
    let method = unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyDescr_NewMethod(class.as_type_ptr(), definition))
    }?;
    if T::generic().set(py, generic.unbind()).is_err() {
        return Err(PySystemError::new_err(format!(
            "{NAME} is already installed"
        )));
    }
    class.setattr(NAME, method)
}

/// The fast entry: CPython calls it with `slf` an instance of `T` (its method descriptor checks
/// that), `nargs` positional arguments at `args`, then one value for each name in `kwnames`.
unsafe extern "C" fn check_and_advance<T: FastCheck>(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython holds the interpreter attached while it runs a method.
    let py = unsafe { Python::assume_attached() };
    // No input reaches a panic (the crate's lints); were one to happen, it becomes an error here
    // rather than unwinding into CPython.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as CPython calls a METH_FASTCALL | METH_KEYWORDS method (above).
        unsafe { call::<T>(py, slf, args, nargs, kwnames) }
    }));
    let result = outcome.unwrap_or_else(|_| {
        Err(PySystemError::new_err(format!(
            "{NAME} panicked (a bug in tael_coord)"
        )))
    });
    match result {
        Ok(object) => object.into_ptr(),
        Err(e) => {
            e.restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The call itself: the common case here, the rest through pyo3's method.
///
/// # Safety
/// As for [`check_and_advance`].
unsafe fn call<'py, T: FastCheck>(
    py: Python<'py>,
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: CPython passes a live instance of `T` and `nargs` live arguments.
    let slf = unsafe { Bound::from_borrowed_ptr(py, slf) };
    if nargs == 1 && kwnames.is_null() {
        // SAFETY: one live argument was passed.
        let epoch = unsafe { Bound::from_borrowed_ptr(py, *args) };
        if let Some(epoch) = exact_u64(&epoch) {
            // SAFETY: the method's descriptor lets only instances of `T` through.
            let gate = unsafe { slf.cast_unchecked::<T>() };
            let accepted = gate
                .get()
                .with(py, |g| EpochGate::check_and_advance(g, epoch))?;
            return Ok(PyBool::new(py, accepted).to_owned().into_any());
        }
    }
    // Anything else, as pyo3's method takes it: (self, *args, **kwargs).
    let count = usize::try_from(nargs).unwrap_or(0);
    let names = if kwnames.is_null() {
        None
    } else {
        // SAFETY: CPython passes a tuple of str, or NULL.
        Some(unsafe { Bound::from_borrowed_ptr(py, kwnames).cast_into_unchecked::<PyTuple>() })
    };
    let values = match names.as_ref().map_or(0, |n| n.len()) + count {
        0 => &[][..],
        // SAFETY: CPython passes `nargs` positional values, then one for each keyword name.
        all => unsafe { std::slice::from_raw_parts(args, all) },
    };
    // SAFETY: each value is live for the call.
    let value = |v: &*mut ffi::PyObject| unsafe { Bound::from_borrowed_ptr(py, *v) };
    let (positional, keyword) = values.split_at(count.min(values.len()));
    let positional: Vec<_> = std::iter::once(slf)
        .chain(positional.iter().map(value))
        .collect();
    let positional = PyTuple::new(py, positional)?;
    let kwargs = PyDict::new(py);
    for (name, v) in names.iter().flat_map(|n| n.iter()).zip(keyword) {
        kwargs.set_item(name, value(v))?;
    }
    let generic = T::generic()
        .get(py)
        .ok_or_else(|| PySystemError::new_err(format!("{NAME} is not installed")))?;
    generic.bind(py).call(positional, Some(&kwargs))
}
