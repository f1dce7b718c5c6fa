//! One wrapper per operation of the core's gate traits and of its `EpochLog` (epoch histories),
//! written once for every class that holds such an object: [`Access`] says how a class reaches
//! its core object (directly, or through a durable handle that may be closed), [`AccessMut`] how
//! it changes one the core changes through `&mut` (a history), and the macros below write the
//! `#[pymethods]` of each family from them. An operation added to a core trait is added here once.
//! A gate or registry class holds its core object as the boxed gate of its family with the
//! options it was made with ([`Options`]: the core's `RefuseZero` and `Counting` wrappers), so
//! the options, too, are the core's, for the in-memory and the durable types alike.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tael_coord::{
    Counters, Counting, EpochGate, GateRegistry, HolderGate, RefuseZero, Result, Status,
};

use crate::convert::Flag;
use crate::errors::{error, from_core, OrRaise};

/// Any epoch gate, in memory or durable, with its options (see [`Options`]).
pub type AnyEpochGate = Box<dyn EpochGate>;
/// Any holder gate, in memory or durable, with its options.
pub type AnyHolderGate = Box<dyn HolderGate>;
/// Any registry, in memory or durable, with its options.
pub type AnyRegistry = Box<dyn GateRegistry>;

/// The options every gate constructor takes as keywords (SEMANTICS.md §5 and §16): refuse
/// epoch 0 (`refuse_zero`), count verdicts (`counters`). They are the core's own wrappers, so
/// a class holds its gate as `Counting(RefuseZero(gate))`, or as much of that as was asked
/// for, behind one box (a gate without options pays one indirect call).
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub refuse_zero: bool,
    pub counters: bool,
}

impl Options {
    /// The options of a constructor's keywords.
    pub fn new(refuse_zero: Flag, counters: Flag) -> Self {
        Options {
            refuse_zero: refuse_zero.0,
            counters: counters.0,
        }
    }

    /// `gate` with these options, as the class holds it.
    pub fn wrap<G, H: Wrap<G>>(self, gate: G) -> H {
        H::wrap(self, gate)
    }

    /// The options as `repr()` shows them: `, refuse_zero=True, counters=True` (those set).
    pub fn repr(refuse_zero: bool, counters: bool) -> String {
        let mut out = String::new();
        if refuse_zero {
            out.push_str(", refuse_zero=True");
        }
        if counters {
            out.push_str(", counters=True");
        }
        out
    }
}

/// A boxed gate of one family, made from a core gate `G` of that family and the options.
pub trait Wrap<G> {
    fn wrap(options: Options, gate: G) -> Self;
}

/// `impl Wrap` for the boxed form of each gate trait.
macro_rules! wrap_for {
    ($($trait:ident),*) => {$(
        impl<G: $trait + 'static> Wrap<G> for Box<dyn $trait> {
            fn wrap(options: Options, gate: G) -> Self {
                let gate: Box<dyn $trait> = if options.refuse_zero {
                    Box::new(RefuseZero(gate))
                } else {
                    Box::new(gate)
                };
                if options.counters {
                    Box::new(Counting::new(gate))
                } else {
                    gate
                }
            }
        }
    )*};
}

wrap_for!(EpochGate, HolderGate, GateRegistry);

/// How a Python class reaches the core object it wraps.
pub trait Access {
    /// The core object.
    type Core;

    /// Run `f` on the core object and raise its error, if any.
    fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Self::Core) -> Result<R> + Send,
    ) -> PyResult<R>;
}

/// `impl Access` for a one-field tuple class that owns its core object: calls run with the GIL
/// held (they never block).
macro_rules! owned {
    ($class:ty => $core:ty) => {
        impl $crate::wrap::Access for $class {
            type Core = $core;

            #[inline]
            fn with<R: Send>(
                &self,
                py: pyo3::Python<'_>,
                f: impl FnOnce(&$core) -> tael_coord::Result<R> + Send,
            ) -> pyo3::PyResult<R> {
                $crate::errors::OrRaise::or_raise(f(&self.0), py)
            }
        }
    };
}
pub(crate) use owned;

/// How a Python class changes the core object it wraps when the core changes it through
/// `&mut` (an epoch history is a plain value, where the gates lock themselves): exclusively, so
/// a change is seen whole or not at all.
pub trait AccessMut: Access {
    /// Run `f` on the core object, exclusively, and raise its error, if any.
    fn with_mut<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Self::Core) -> Result<R> + Send,
    ) -> PyResult<R>;
}

/// The lock of a class that owns a plain core value, whatever a panic elsewhere left (none can:
/// the crate's lints forbid the calls that panic).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// `impl Access + AccessMut` for a one-field tuple class that owns its core value behind a
/// `Mutex`: each call holds the lock, with the GIL held, for as long as the core's work lasts
/// (it runs no Python code and never blocks, so no other thread can be waiting for the lock
/// while holding the GIL it needs).
macro_rules! locked {
    ($class:ty => $core:ty) => {
        impl $crate::wrap::Access for $class {
            type Core = $core;

            #[inline]
            fn with<R: Send>(
                &self,
                py: pyo3::Python<'_>,
                f: impl FnOnce(&$core) -> tael_coord::Result<R> + Send,
            ) -> pyo3::PyResult<R> {
                $crate::errors::OrRaise::or_raise(f(&$crate::wrap::lock(&self.0)), py)
            }
        }

        impl $crate::wrap::AccessMut for $class {
            #[inline]
            fn with_mut<R: Send>(
                &self,
                py: pyo3::Python<'_>,
                f: impl FnOnce(&mut $core) -> tael_coord::Result<R> + Send,
            ) -> pyo3::PyResult<R> {
                $crate::errors::OrRaise::or_raise(f(&mut $crate::wrap::lock(&self.0)), py)
            }
        }
    };
}
pub(crate) use locked;

/// A durable core object owned by a Python handle, with a known moment of release.
///
/// The core object sits behind a `RwLock<Option<_>>` only so that `close()` can release the
/// file (and its lock) at a known moment: calls hold the read side, `close()` takes the write
/// side and so waits for calls in flight. Every call runs with the GIL released (it may write).
pub struct Durable<T> {
    cell: RwLock<Option<T>>,
    path: PathBuf,
    /// What the object is, for the error once it is closed ("durable gate").
    what: &'static str,
}

impl<T: Send + Sync> Durable<T> {
    /// Open the object with the GIL released: `open` answers it and its file.
    pub fn open(
        py: Python<'_>,
        what: &'static str,
        open: impl FnOnce() -> Result<(T, PathBuf)> + Send,
    ) -> PyResult<Self>
    where
        T: Send,
    {
        let (object, path) = py.detach(open).map_err(|e| from_core(py, e))?;
        Ok(Durable {
            path,
            cell: RwLock::new(Some(object)),
            what,
        })
    }

    /// Read access to the open object, or `None` once it is closed.
    fn open_ref(&self) -> Option<RwLockReadGuard<'_, Option<T>>> {
        let guard = self.cell.read().unwrap_or_else(|e| e.into_inner());
        guard.is_some().then_some(guard)
    }

    /// Run `f` on the open object with the GIL released; `STORAGE` once it is closed.
    pub fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&T) -> Result<R> + Send,
    ) -> PyResult<R> {
        let outcome = py.detach(|| self.open_ref().map(|guard| guard.as_ref().map(f)));
        match outcome {
            Some(Some(result)) => result.or_raise(py),
            _ => Err(self.closed(py)),
        }
    }

    /// Run `f` on the open object, exclusively (the write side: calls in flight finish first,
    /// later ones wait), with the GIL released; `STORAGE` once it is closed.
    pub fn with_mut<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut T) -> Result<R> + Send,
    ) -> PyResult<R> {
        let outcome = py.detach(|| {
            let mut guard = self.cell.write().unwrap_or_else(|e| e.into_inner());
            guard.as_mut().map(f)
        });
        match outcome {
            Some(result) => result.or_raise(py),
            None => Err(self.closed(py)),
        }
    }

    /// The error of a call made once the object is closed.
    fn closed(&self, py: Python<'_>) -> PyErr {
        error(py, Status::Storage, format!("the {} is closed", self.what))
    }

    /// `f` of the open object, or `None` once it is closed (for `__repr__`).
    pub fn peek<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.open_ref().and_then(|guard| guard.as_ref().map(f))
    }

    /// Drop the object (releasing its file) once no call holds it. Idempotent.
    pub fn close(&self, py: Python<'_>) {
        let taken = py.detach(|| self.cell.write().unwrap_or_else(|e| e.into_inner()).take());
        drop(taken);
    }

    pub fn is_closed(&self) -> bool {
        self.open_ref().is_none()
    }

    /// The object's file (absolute, through any symbolic link).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file as Python's `repr()` of its `str`, for `__repr__`.
    pub fn path_repr(&self, py: Python<'_>) -> String {
        self.path
            .as_path()
            .into_pyobject(py)
            .and_then(|p| p.str())
            .and_then(|s| s.repr())
            .map_or_else(|_| format!("{:?}", self.path), |r| r.to_string())
    }
}

/// A Python class holding a durable object of the core type `$core` (opened with
/// `$core::open_with(path, create)`), held as `$held`: a gate or registry is opened with
/// `with_jump_cap` and held with its options (`refuse_zero`, `counters`: [`Options`]) as the
/// boxed gate of its family; a history (the arm that says `without jump cap`) as it is. The
/// macro writes the class, its access to the object, its constructor, its lifecycle (`path`,
/// `closed`, `close`, the context manager) and its repr (`$summary` of the open object, with
/// the GIL token `$py`), then the methods of its family, which `$family!` (one of the macros
/// below) writes.
macro_rules! durable_class {
    (
        $(#[$doc:meta])*
        $family:ident! $class:ident($name:literal, $core:ty as $held:ty, $what:literal),
        |$py:ident, $object:ident| $summary:expr
    ) => {
        $crate::wrap::durable_class!(@class
            $(#[$doc])*
            $family! $class($name, $held, $what),
            |$py, $object| $summary,
            {
                #[new]
                #[pyo3(
                    signature = (
                        path,
                        *,
                        create = Flag(false),
                        jump_cap = None,
                        refuse_zero = Flag(false),
                        counters = Flag(false)
                    ),
                    text_signature = "(path, *, create=False, jump_cap=None, refuse_zero=False, counters=False)"
                )]
                fn new(
                    py: Python<'_>,
                    path: &Bound<'_, PyAny>,
                    create: Flag,
                    jump_cap: Option<&Bound<'_, PyAny>>,
                    refuse_zero: Flag,
                    counters: Flag,
                ) -> PyResult<Self> {
                    let path = $crate::convert::to_path(path)?;
                    let cap = to_opt_u64(jump_cap)?;
                    let options = $crate::wrap::Options::new(refuse_zero, counters);
                    let open = || {
                        let object = <$core>::open_with(&path, create.0)?.with_jump_cap(cap);
                        let file = object.path().to_owned();
                        Ok((options.wrap::<$core, $held>(object), file))
                    };
                    let durable = $crate::wrap::Durable::open(py, $what, open)?;
                    Ok($class { durable })
                }
            }
        );
    };
    (
        $(#[$doc:meta])*
        $family:ident! $class:ident($name:literal, $core:ty, $what:literal, without jump cap),
        |$py:ident, $object:ident| $summary:expr
    ) => {
        $crate::wrap::durable_class!(@class
            $(#[$doc])*
            $family! $class($name, $core, $what),
            |$py, $object| $summary,
            {
                #[new]
                #[pyo3(
                    signature = (path, *, create = Flag(false)),
                    text_signature = "(path, *, create=False)"
                )]
                fn new(py: Python<'_>, path: &Bound<'_, PyAny>, create: Flag) -> PyResult<Self> {
                    let path = $crate::convert::to_path(path)?;
                    let open = || {
                        let object = <$core>::open_with(&path, create.0)?;
                        let file = object.path().to_owned();
                        Ok((object, file))
                    };
                    let durable = $crate::wrap::Durable::open(py, $what, open)?;
                    Ok($class { durable })
                }
            }
        );
    };
    (@class
        $(#[$doc:meta])*
        $family:ident! $class:ident($name:literal, $core:ty, $what:literal),
        |$py:ident, $object:ident| $summary:expr,
        { $($constructor:tt)* }
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "tael_coord", name = $name)]
        pub struct $class {
            durable: $crate::wrap::Durable<$core>,
        }

        impl $crate::wrap::Access for $class {
            type Core = $core;

            fn with<R: Send>(
                &self,
                py: pyo3::Python<'_>,
                f: impl FnOnce(&$core) -> tael_coord::Result<R> + Send,
            ) -> pyo3::PyResult<R> {
                self.durable.with(py, f)
            }
        }

        impl $crate::wrap::AccessMut for $class {
            fn with_mut<R: Send>(
                &self,
                py: pyo3::Python<'_>,
                f: impl FnOnce(&mut $core) -> tael_coord::Result<R> + Send,
            ) -> pyo3::PyResult<R> {
                self.durable.with_mut(py, f)
            }
        }

        $crate::wrap::$family! { $class {
            $($constructor)*

            /// The file (absolute, through any symbolic link).
            #[getter]
            fn path<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.durable.path().into_pyobject(py)
            }

            /// Whether `close()` was called.
            #[getter]
            fn closed(&self) -> bool {
                self.durable.is_closed()
            }

            /// Release the file and its lock (waiting for calls in flight). Every change is
            /// already on disk; later calls raise StorageError. Calling it again does nothing.
            fn close(&self, py: Python<'_>) {
                self.durable.close(py);
            }

            fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
                slf
            }

            #[pyo3(signature = (*_exc))]
            fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) {
                self.durable.close(py);
            }

            fn __repr__(&self, $py: Python<'_>) -> String {
                let path = self.durable.path_repr($py);
                self.durable
                    .peek(|$object| format!("{}({path}, {})", $name, $summary))
                    .unwrap_or_else(|| format!("{}({path}, closed)", $name))
            }
        } }
    };
}
pub(crate) use durable_class;

/// A gate's counters as Python sees them: a new dict from each verdict's status name to its
/// count, in the core's order, or None for a gate that does not count.
pub fn counters_dict(
    py: Python<'_>,
    counters: Option<Counters>,
) -> PyResult<Option<Bound<'_, PyDict>>> {
    let Some(counters) = counters else {
        return Ok(None);
    };
    let dict = PyDict::new(py);
    for (status, count) in counters.by_status() {
        dict.set_item(status.name(), count)?;
    }
    Ok(Some(dict))
}

/// The `#[pymethods]` of an epoch gate class (the core's `EpochGate`), plus `$extra`.
macro_rules! epoch_gate {
    ($class:ident { $($extra:tt)* }) => {
        impl $crate::fast::FastCheck for $class {
            fn generic() -> &'static pyo3::sync::PyOnceLock<pyo3::Py<pyo3::PyAny>> {
                static GENERIC: pyo3::sync::PyOnceLock<pyo3::Py<pyo3::PyAny>> =
                    pyo3::sync::PyOnceLock::new();
                &GENERIC
            }
        }

        #[pymethods]
        impl $class {
            /// Judge a record stamped with `epoch`, advancing the gate when it is higher. A
            /// durable gate answers ADVANCED only once the new mark is on disk.
            fn check(&self, py: Python<'_>, epoch: U64) -> PyResult<PyVerdict> {
                self.with(py, |g| EpochGate::check(g, epoch.0)).map(PyVerdict)
            }

            /// Accept a record stamped with `epoch`? True for CURRENT and ADVANCED; advances the
            /// gate as `check` does.
            fn check_and_advance(&self, py: Python<'_>, epoch: U64) -> PyResult<bool> {
                self.with(py, |g| EpochGate::check_and_advance(g, epoch.0))
            }

            /// A new leader's step: one past every epoch seen; returns the new epoch.
            fn promote(&self, py: Python<'_>) -> PyResult<u64> {
                self.with(py, |g| EpochGate::promote(g))
            }

            /// A new leader's step past `floor` (usually `next_epoch` of its view): the gate
            /// moves to max(floor, highest + 1), which is returned. The jump cap does not apply.
            fn promote_to_at_least(&self, py: Python<'_>, floor: U64) -> PyResult<u64> {
                self.with(py, |g| EpochGate::promote_to_at_least(g, floor.0))
            }

            /// The highest epoch accepted so far.
            #[getter]
            fn highest(&self, py: Python<'_>) -> PyResult<u64> {
                self.with(py, |g| Ok(EpochGate::highest(g)))
            }

            /// The jump cap, or None.
            #[getter]
            fn jump_cap(&self, py: Python<'_>) -> PyResult<Option<u64>> {
                self.with(py, |g| Ok(EpochGate::jump_cap(g)))
            }

            /// Whether the gate refuses epoch 0 (InvalidEpochError, before anything else is
            /// looked at), as it was made (`refuse_zero=True`).
            #[getter]
            fn refuses_epoch_zero(&self, py: Python<'_>) -> PyResult<bool> {
                self.with(py, |g| Ok(EpochGate::refuses_epoch_zero(g)))
            }

            /// How many checks (`check` and `check_and_advance`) got each verdict so far: a new
            /// dict from status name to count, every verdict listed (`{"CURRENT": 3, ...}`),
            /// for a gate made to count them (`counters=True`); None for one that does not.
            /// A call that fails is not counted; counts start at 0 with each object.
            fn counters<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<Option<Bound<'py, pyo3::types::PyDict>>> {
                let counters = self.with(py, |g| Ok(EpochGate::counters(g)))?;
                $crate::wrap::counters_dict(py, counters)
            }

            $($extra)*
        }
    };
}
pub(crate) use epoch_gate;

/// The `#[pymethods]` of a holder gate class (the core's `HolderGate`), plus `$extra`.
macro_rules! holder_gate {
    ($class:ident { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            /// Judge a record carrying the token (epoch, holder).
            fn check(&self, py: Python<'_>, epoch: U64, holder: Text<'_>) -> PyResult<PyVerdict> {
                self.with(py, |g| HolderGate::check(g, epoch.0, holder.0)).map(PyVerdict)
            }

            /// The boolean form of `check`, with the same effect.
            fn check_and_advance(
                &self,
                py: Python<'_>,
                epoch: U64,
                holder: Text<'_>,
            ) -> PyResult<bool> {
                self.with(py, |g| HolderGate::check_and_advance(g, epoch.0, holder.0))
            }

            /// `holder` takes a new reign one past the highest; returns the new epoch.
            fn promote(&self, py: Python<'_>, holder: Text<'_>) -> PyResult<u64> {
                self.with(py, |g| HolderGate::promote(g, holder.0))
            }

            /// `holder` takes a new reign at max(floor, highest + 1); returns it.
            fn promote_to_at_least(
                &self,
                py: Python<'_>,
                floor: U64,
                holder: Text<'_>,
            ) -> PyResult<u64> {
                self.with(py, |g| HolderGate::promote_to_at_least(g, floor.0, holder.0))
            }

            /// The highest epoch accepted so far.
            #[getter]
            fn highest(&self, py: Python<'_>) -> PyResult<u64> {
                self.with(py, |g| Ok(HolderGate::highest(g)))
            }

            /// The holder of the highest epoch, or None if none is recorded.
            #[getter]
            fn holder(&self, py: Python<'_>) -> PyResult<Option<String>> {
                self.with(py, |g| Ok(HolderGate::holder(g)))
            }

            /// (highest, holder), read together.
            #[getter]
            fn state(&self, py: Python<'_>) -> PyResult<(u64, Option<String>)> {
                self.with(py, |g| Ok(HolderGate::state(g)))
            }

            /// The jump cap, or None.
            #[getter]
            fn jump_cap(&self, py: Python<'_>) -> PyResult<Option<u64>> {
                self.with(py, |g| Ok(HolderGate::jump_cap(g)))
            }

            /// `holder` ends its reign at `epoch` (SEMANTICS.md §16): CLOSED once the reign is
            /// closed (or already was, by anyone: the verdict names who closed it), after which
            /// every token of that epoch is CLOSED until a higher epoch moves the gate. The
            /// current epoch of another holder is CONFLICT, an older one STALE_EPOCH; a higher
            /// one moves the gate to it, closed (within the jump cap, else TOO_FAR_AHEAD).
            /// (`close()` on a durable gate releases its file; this ends a reign.)
            fn close_reign(
                &self,
                py: Python<'_>,
                epoch: U64,
                holder: Text<'_>,
            ) -> PyResult<PyVerdict> {
                self.with(py, |g| HolderGate::close(g, epoch.0, holder.0)).map(PyVerdict)
            }

            /// Move the gate to the reign (epoch, holder) its group established, once this
            /// replica, which voted for another claimant, has truncated its log to the
            /// divergence point (SEMANTICS.md §16): CURRENT (the epoch is the highest: its
            /// holder is replaced) or ADVANCED (a higher epoch, whatever the jump cap). Never
            /// below the highest (STALE_EPOCH), never into a closed reign (CLOSED); both change
            /// nothing.
            fn adopt(&self, py: Python<'_>, epoch: U64, holder: Text<'_>) -> PyResult<PyVerdict> {
                self.with(py, |g| HolderGate::adopt(g, epoch.0, holder.0)).map(PyVerdict)
            }

            /// Whether the reign at the highest epoch was closed (`close_reign`).
            #[getter]
            fn reign_closed(&self, py: Python<'_>) -> PyResult<bool> {
                self.with(py, |g| Ok(HolderGate::closed(g)))
            }

            /// Whether the gate refuses epoch 0 (InvalidEpochError, before anything else is
            /// looked at), as it was made (`refuse_zero=True`).
            #[getter]
            fn refuses_epoch_zero(&self, py: Python<'_>) -> PyResult<bool> {
                self.with(py, |g| Ok(HolderGate::refuses_epoch_zero(g)))
            }

            /// How many checks (`check` and `check_and_advance`) got each verdict so far: a new
            /// dict from status name to count, every verdict listed (`{"CURRENT": 3, ...}`),
            /// for a gate made to count them (`counters=True`); None for one that does not.
            /// A call that fails is not counted; counts start at 0 with each object.
            fn counters<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<Option<Bound<'py, pyo3::types::PyDict>>> {
                let counters = self.with(py, |g| Ok(HolderGate::counters(g)))?;
                $crate::wrap::counters_dict(py, counters)
            }

            $($extra)*
        }
    };
}
pub(crate) use holder_gate;

/// The `#[pymethods]` of a registry class (the core's `GateRegistry`), plus `$extra`.
macro_rules! registry {
    ($class:ident { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            /// Add a stream whose gate starts at `highest` (STREAM_EXISTS if the name is taken).
            #[pyo3(signature = (stream, highest = U64(0)), text_signature = "($self, stream, highest=0)")]
            fn add(&self, py: Python<'_>, stream: Text<'_>, highest: U64) -> PyResult<()> {
                self.with(py, |r| GateRegistry::add(r, stream.0, highest.0))
            }

            /// Judge a record of `stream` stamped with `epoch` (UNKNOWN_STREAM if not there).
            fn check(&self, py: Python<'_>, stream: Text<'_>, epoch: U64) -> PyResult<PyVerdict> {
                self.with(py, |r| GateRegistry::check(r, stream.0, epoch.0)).map(PyVerdict)
            }

            /// The boolean form of `check`, with the same effect.
            fn check_and_advance(
                &self,
                py: Python<'_>,
                stream: Text<'_>,
                epoch: U64,
            ) -> PyResult<bool> {
                self.with(py, |r| GateRegistry::check_and_advance(r, stream.0, epoch.0))
            }

            /// Promote `stream`'s gate and return its new epoch.
            fn promote(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
                self.with(py, |r| GateRegistry::promote(r, stream.0))
            }

            /// Promote `stream`'s gate to max(floor, highest + 1) and return it.
            fn promote_to_at_least(
                &self,
                py: Python<'_>,
                stream: Text<'_>,
                floor: U64,
            ) -> PyResult<u64> {
                self.with(py, |r| GateRegistry::promote_to_at_least(r, stream.0, floor.0))
            }

            /// The highest epoch `stream` has accepted.
            fn highest(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
                self.with(py, |r| GateRegistry::highest(r, stream.0))
            }

            /// Remove `stream`, returning its last highest epoch.
            fn remove(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<u64> {
                self.with(py, |r| GateRegistry::remove(r, stream.0))
            }

            /// Every stream's mark, read under one lock.
            fn snapshot(&self, py: Python<'_>) -> PyResult<PySnapshot> {
                self.with(py, |r| Ok(GateRegistry::snapshot(r))).map(PySnapshot)
            }

            /// Merge a `Snapshot` (or its JSON text): missing streams are added, lower marks
            /// raised, none lowered. A malformed snapshot changes nothing.
            fn restore(&self, py: Python<'_>, snapshot: &Bound<'_, PyAny>) -> PyResult<()> {
                let snapshot = to_snapshot(snapshot)?;
                self.with(py, |r| GateRegistry::restore(r, &snapshot))
            }

            /// The jump cap of every gate, or None.
            #[getter]
            fn jump_cap(&self, py: Python<'_>) -> PyResult<Option<u64>> {
                self.with(py, |r| Ok(GateRegistry::jump_cap(r)))
            }

            /// Whether the registry refuses epoch 0 (InvalidEpochError, before anything else is
            /// looked at), as it was made (`refuse_zero=True`).
            #[getter]
            fn refuses_epoch_zero(&self, py: Python<'_>) -> PyResult<bool> {
                self.with(py, |r| Ok(GateRegistry::refuses_epoch_zero(r)))
            }

            /// How many checks (`check` and `check_and_advance`) got each verdict so far: a new
            /// dict from status name to count, every verdict listed (`{"CURRENT": 3, ...}`),
            /// for a registry made to count them (`counters=True`); None for one that does not.
            /// A call that fails is not counted; counts start at 0 with each object.
            fn counters<'py>(
                &self,
                py: Python<'py>,
            ) -> PyResult<Option<Bound<'py, pyo3::types::PyDict>>> {
                let counters = self.with(py, |r| Ok(GateRegistry::counters(r)))?;
                $crate::wrap::counters_dict(py, counters)
            }

            fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
                self.with(py, |r| Ok(GateRegistry::len(r)))
            }

            fn __contains__(&self, py: Python<'_>, stream: Text<'_>) -> PyResult<bool> {
                self.with(py, |r| Ok(GateRegistry::contains(r, stream.0)))
            }

            $($extra)*
        }
    };
}
pub(crate) use registry;

/// The `#[pymethods]` of an epoch history class (the core's `EpochLog`), plus `$extra`.
macro_rules! epoch_log {
    ($class:ident { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            /// Record that the reign `epoch` (held by `holder`, if given) starts at
            /// `start_offset` (Kafka's assign); returns whether the history changed. An invalid
            /// holder changes nothing. A durable history's change is on disk before it returns.
            #[pyo3(
                signature = (epoch, start_offset, holder = None),
                text_signature = "($self, epoch, start_offset, holder=None)"
            )]
            fn assign(
                &self,
                py: Python<'_>,
                epoch: U64,
                start_offset: U64,
                holder: Option<Text<'_>>,
            ) -> PyResult<bool> {
                let holder = holder.map(|h| h.0);
                self.with_mut(py, |h| EpochLog::assign(h, epoch.0, start_offset.0, holder))
            }

            /// The log was truncated to end at `offset`: every entry starting at or after it
            /// goes. Returns whether the history changed.
            fn truncate_from_end(&self, py: Python<'_>, offset: U64) -> PyResult<bool> {
                self.with_mut(py, |h| EpochLog::truncate_from_end(h, offset.0))
            }

            /// Retention deleted the records before `offset`: entries wholly before it go, and
            /// the one covering it now starts at it. Returns whether the history changed.
            fn truncate_from_start(&self, py: Python<'_>, offset: U64) -> PyResult<bool> {
                self.with_mut(py, |h| EpochLog::truncate_from_start(h, offset.0))
            }

            /// The leader's answer `(epoch, end_offset)` to a follower whose latest epoch is
            /// `epoch`, for a log ending at `log_end`; None when undefined (above the latest
            /// epoch, or an empty history). INVALID_HISTORY when `log_end` does not fit.
            fn end_offset_for(
                &self,
                py: Python<'_>,
                epoch: U64,
                log_end: U64,
            ) -> PyResult<Option<(u64, u64)>> {
                self.with(py, |h| EpochLog::end_offset_for(h, epoch.0, log_end.0))
            }

            /// The latest entry's epoch, or None when the history is empty.
            #[getter]
            fn latest_epoch(&self, py: Python<'_>) -> PyResult<Option<u64>> {
                self.with(py, |h| Ok(EpochLog::latest_epoch(h)))
            }

            /// A new list of the entries, oldest first: `(epoch, start_offset)`, or
            /// `(epoch, start_offset, holder)` where a holder is recorded.
            #[getter]
            fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                let entries = self.with(py, |h| Ok(EpochLog::entries(h).to_vec()))?;
                entries_list(py, &entries)
            }

            /// The history's JSON form, u64 values as decimal strings.
            fn to_json(&self, py: Python<'_>) -> PyResult<String> {
                self.with(py, |h| Ok(EpochLog::history(h).to_json()))
            }

            fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
                self.with(py, |h| Ok(EpochLog::entries(h).len()))
            }

            $($extra)*
        }
    };
}
pub(crate) use epoch_log;
