//! The exception hierarchy, declared once: `TaelError` and one subclass per status this front
//! can raise, each with a class attribute `code` equal to the core's status name.

use pyo3::exceptions::{
    PyException, PyLookupError, PyOSError, PyOverflowError, PyTypeError, PyUnicodeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use tael_coord::{Error, Status};

/// The builtin exception a class also derives from, so `except ValueError` and friends work.
#[derive(Clone, Copy)]
enum Builtin {
    Value,
    Type,
    Lookup,
    Overflow,
    Unicode,
    Os,
}

struct Class {
    status: Status,
    name: &'static str,
    builtin: Builtin,
    doc: &'static str,
}

/// Every status the Python front raises. Verdicts are returned, never raised; `NO_LEADER` and
/// `UNDEFINED_EPOCH` are `None`; `NULL_POINTER` and `BUFFER_TOO_SMALL` belong to C.
const CLASSES: &[Class] = &[
    Class {
        status: Status::EpochOverflow,
        name: "EpochOverflowError",
        builtin: Builtin::Overflow,
        doc: "Promoting would pass 2**64-1; nothing changed.",
    },
    Class {
        status: Status::InvalidId,
        name: "InvalidIdError",
        builtin: Builtin::Value,
        doc: "An id is empty, longer than 255 UTF-8 bytes, or holds a control character.",
    },
    Class {
        status: Status::InvalidUtf8,
        name: "InvalidUtf8Error",
        builtin: Builtin::Unicode,
        doc: "A str holds a lone surrogate, so it is not well-formed Unicode (never replaced).",
    },
    Class {
        status: Status::InvalidEpoch,
        name: "InvalidEpochError",
        builtin: Builtin::Value,
        doc: "An int epoch (or other u64 value) below 0 or above 2**64-1, or epoch 0 offered \
              to a gate made to refuse it (refuse_zero=True).",
    },
    Class {
        status: Status::InvalidView,
        name: "InvalidViewError",
        builtin: Builtin::Value,
        doc: "A membership view that is not valid JSON or breaks the view schema.",
    },
    Class {
        status: Status::InvalidPolicy,
        name: "InvalidPolicyError",
        builtin: Builtin::Value,
        doc: "A policy that is not valid JSON or breaks the policy schema.",
    },
    Class {
        status: Status::InvalidSnapshot,
        name: "InvalidSnapshotError",
        builtin: Builtin::Value,
        doc: "A registry snapshot that is not valid JSON or breaks the snapshot schema.",
    },
    Class {
        status: Status::UnknownGroup,
        name: "UnknownGroupError",
        builtin: Builtin::Lookup,
        doc: "The view has no group of that name.",
    },
    Class {
        status: Status::UnknownStream,
        name: "UnknownStreamError",
        builtin: Builtin::Lookup,
        doc: "The registry has no stream of that name.",
    },
    Class {
        status: Status::StreamExists,
        name: "StreamExistsError",
        builtin: Builtin::Value,
        doc: "The registry already has a stream of that name; its gate is unchanged.",
    },
    Class {
        status: Status::InvalidArgument,
        name: "InvalidArgumentError",
        builtin: Builtin::Type,
        doc: "An argument of the wrong Python type or shape (a bool or float epoch, a non-str id, \
              a bare str where a list of ids belongs, ...).",
    },
    Class {
        status: Status::Storage,
        name: "StorageError",
        builtin: Builtin::Os,
        doc: "A durable gate's file could not be used: missing (and create not asked), \
              unreadable, corrupt, held by another owner, or a write, fsync or rename failed \
              (or the handle is closed). Nothing moved, and nothing was reset.",
    },
    Class {
        status: Status::InvalidHistory,
        name: "InvalidHistoryError",
        builtin: Builtin::Value,
        doc: "An epoch history that breaks its rules: epochs or start offsets not strictly \
              increasing, an entry starting beyond its log's end, records with no reign (an \
              empty history whose log ends above 0), or JSON that is not a history.",
    },
];

const BASE_DOC: &str = "The base of every error tael_coord raises. `code` is the core's status \
                        name, e.g. \"INVALID_ID\"; each subclass fixes it.";

struct Types {
    base: Py<PyType>,
    classes: Vec<Py<PyType>>,
}

static TYPES: PyOnceLock<Types> = PyOnceLock::new();

fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Bound<'py, PyTuple>,
    doc: &str,
    code: Option<&str>,
) -> PyResult<Py<PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "tael_coord")?;
    dict.set_item("__doc__", doc)?;
    if let Some(code) = code {
        dict.set_item("code", code)?;
    }
    // `type(name, bases, dict)`: PyErr::new_type takes a single base, these need two.
    let class = py.get_type::<PyType>().call1((name, bases, dict))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

fn types(py: Python<'_>) -> PyResult<&'static Types> {
    TYPES.get_or_try_init(py, || {
        let base = new_class(
            py,
            "TaelError",
            PyTuple::new(py, [py.get_type::<PyException>()])?,
            BASE_DOC,
            Some(Status::Internal.name()),
        )?;
        let classes = CLASSES
            .iter()
            .map(|c| {
                let builtin = match c.builtin {
                    Builtin::Value => py.get_type::<PyValueError>(),
                    Builtin::Type => py.get_type::<PyTypeError>(),
                    Builtin::Lookup => py.get_type::<PyLookupError>(),
                    Builtin::Overflow => py.get_type::<PyOverflowError>(),
                    Builtin::Unicode => py.get_type::<PyUnicodeError>(),
                    Builtin::Os => py.get_type::<PyOSError>(),
                };
                let bases = PyTuple::new(py, [base.bind(py).clone(), builtin])?;
                new_class(py, c.name, bases, c.doc, Some(c.status.name()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Types { base, classes })
    })
}

/// Add `TaelError` and its subclasses to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let types = types(py)?;
    m.add("TaelError", types.base.bind(py))?;
    for (class, ty) in CLASSES.iter().zip(&types.classes) {
        m.add(class.name, ty.bind(py))?;
    }
    Ok(())
}

/// The exception for a status and message. A status without its own class (none today) is
/// raised as `TaelError` with `code` set on the instance, so `.code` is always the status name.
pub fn error(py: Python<'_>, status: Status, message: impl Into<String>) -> PyErr {
    let message = message.into();
    let made = types(py).and_then(|types| {
        let class = CLASSES
            .iter()
            .zip(&types.classes)
            .find(|(c, _)| c.status == status);
        match class {
            Some((_, class)) => Ok(PyErr::from_type(class.bind(py).clone(), (message.clone(),))),
            None => {
                let instance = types.base.bind(py).call1((message.clone(),))?;
                instance.setattr("code", status.name())?;
                Ok(PyErr::from_value(instance))
            }
        }
    });
    made.unwrap_or_else(|e| e)
}

/// The exception for a core error: same status, same message.
pub fn from_core(py: Python<'_>, e: Error) -> PyErr {
    error(py, e.status(), e.message())
}

/// Map a core `Result` to a `PyResult`.
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for tael_coord::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| from_core(py, e))
    }
}

/// `INVALID_ARGUMENT`: a value of the wrong type or shape.
pub fn invalid_argument(py: Python<'_>, message: impl Into<String>) -> PyErr {
    error(py, Status::InvalidArgument, message)
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n: Bound<'_, PyString>| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}
