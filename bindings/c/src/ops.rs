//! The shape every operation on a handle has, written once ([`call`]): check the answer's
//! destination, the handle and the argument's pointer (so a call that fails with
//! `NULL_POINTER` changed nothing), convert the argument, call the core, write the answer
//! ([`Answer`]). Every exported function of `gates.rs` and `registry.rs` is one `call` with the
//! operation's own closure. A handle holds its gate or registry as the core's trait
//! (`EpochGate`, `HolderGate`, `GateRegistry`), so one function serves a gate in memory and one
//! kept in a file.

use std::ffi::c_char;
use std::path::PathBuf;
use std::ptr::NonNull;

use tael::{Result, Verdict};

use crate::guard::{self, put};
use crate::status::{TaelStatus, TAEL_STATUS_OK};
use crate::text::{OwnedOut, TextOut};
use crate::verdict::TaelVerdict;

/// A C handle: an opaque struct that owns one core object (or a trait object of one).
pub(crate) trait Handle {
    /// What the handle holds.
    type Core: ?Sized;
    /// The parameter name of such a handle, for `NULL_POINTER` messages.
    const NAME: &'static str;
    /// The core object.
    fn core(&self) -> &Self::Core;
}

/// `impl Handle for` a one-field tuple struct holding its core object, or a box of it.
macro_rules! handle {
    ($handle:ty => $core:ty, $name:literal) => {
        impl $crate::ops::Handle for $handle {
            type Core = $core;
            const NAME: &'static str = $name;
            #[inline]
            fn core(&self) -> &Self::Core {
                std::borrow::Borrow::borrow(&self.0)
            }
        }
    };
}
pub(crate) use handle;

/// The core object behind `handle`, or `NULL_POINTER`.
///
/// # Safety
///
/// `handle` is NULL or a live handle.
#[inline]
unsafe fn core<'a, H: Handle + 'a>(handle: *const H) -> Result<&'a H::Core> {
    // SAFETY: the caller's contract above.
    unsafe { guard::get(handle, H::NAME) }.map(Handle::core)
}

/// A text argument: `(pointer, length, parameter name)`.
pub(crate) type Text<'a> = (*const c_char, usize, &'a str);

/// What an operation takes besides its handle: nothing, or a text converted one way.
pub(crate) enum Arg<'a> {
    /// No text.
    None,
    /// An id the call presents or records (a holder, a new stream): UTF-8 and the id rules.
    Id(Text<'a>),
    /// Text the core judges itself, in its own order: a name it looks up (a stream; the core
    /// says what is unknown), or a holder it validates only after refusing epoch 0 (a holder
    /// gate's check, close and adopt, SEMANTICS.md §5). UTF-8 only.
    Name(Text<'a>),
    /// A NUL-terminated UTF-8 document (JSON) and its parameter name.
    Json(*const c_char, &'a str),
}

impl Arg<'_> {
    /// The argument's bytes: its pointer checked, nothing converted yet.
    ///
    /// # Safety
    ///
    /// A text's pointer is NULL or readable for its length; a document's is NULL or
    /// NUL-terminated.
    #[inline]
    unsafe fn bytes<'b>(&self) -> Result<&'b [u8]> {
        match *self {
            Arg::None => Ok(&[]),
            // SAFETY: the caller's contract above.
            Arg::Id((p, len, name)) | Arg::Name((p, len, name)) => unsafe {
                guard::bytes(p, len, name)
            },
            // SAFETY: the caller's contract above.
            Arg::Json(p, name) => unsafe { guard::c_bytes(p, name) },
        }
    }

    /// The argument's bytes as text, once every pointer was checked.
    #[inline]
    fn text<'b>(&self, bytes: &'b [u8]) -> Result<&'b str> {
        match *self {
            Arg::None => Ok(""),
            Arg::Id((_, _, name)) => guard::id(bytes, name),
            Arg::Name((_, _, name)) | Arg::Json(_, name) => guard::utf8(bytes, name),
        }
    }
}

/// Texts: every pointer checked (`NULL_POINTER`) before any text is converted.
///
/// # Safety
///
/// As [`Arg::bytes`], for each argument.
// Always inlined: with a constant argument list (often `[Arg::None]`) it folds to a few tests.
#[inline(always)]
pub(crate) unsafe fn texts<'b, const N: usize>(args: [Arg<'_>; N]) -> Result<[&'b str; N]> {
    let mut bytes: [&[u8]; N] = [&[]; N];
    for (slot, arg) in bytes.iter_mut().zip(&args) {
        // SAFETY: the caller's contract above.
        *slot = unsafe { arg.bytes() }?;
    }
    let mut texts: [&str; N] = [""; N];
    for ((slot, arg), bytes) in texts.iter_mut().zip(&args).zip(bytes) {
        *slot = arg.text(bytes)?;
    }
    Ok(texts)
}

/// Where an operation's answer goes: checked before any other work (so a call that fails with
/// `NULL_POINTER` changed nothing), written once the core answered.
pub(crate) trait Answer {
    /// What the core gives.
    type Value;
    /// The destination, once checked.
    type Checked;
    /// # Safety
    ///
    /// The destination's pointers are NULL or writable.
    unsafe fn check(self) -> Result<Self::Checked>;
    /// Write the value; the call's status (OK, or a verdict's code).
    ///
    /// # Safety
    ///
    /// As `check`.
    unsafe fn write(to: Self::Checked, value: Self::Value) -> Result<TaelStatus>;
}

/// No answer but the status.
impl Answer for () {
    type Value = ();
    type Checked = ();
    unsafe fn check(self) -> Result<()> {
        Ok(())
    }
    unsafe fn write((): (), (): ()) -> Result<TaelStatus> {
        Ok(TAEL_STATUS_OK)
    }
}

/// A value through an out-parameter, with its parameter name.
impl<T> Answer for (*mut T, &str) {
    type Value = T;
    type Checked = NonNull<T>;
    unsafe fn check(self) -> Result<NonNull<T>> {
        guard::out(self.0, self.1)
    }
    unsafe fn write(to: NonNull<T>, value: T) -> Result<TaelStatus> {
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(to, value) };
        Ok(TAEL_STATUS_OK)
    }
}

/// A verdict through `out_verdict`; the status is the verdict's code.
pub(crate) struct VerdictOut(pub *mut TaelVerdict);

impl Answer for VerdictOut {
    type Value = Verdict;
    type Checked = NonNull<TaelVerdict>;
    unsafe fn check(self) -> Result<NonNull<TaelVerdict>> {
        guard::out(self.0, "out_verdict")
    }
    unsafe fn write(to: NonNull<TaelVerdict>, verdict: Verdict) -> Result<TaelStatus> {
        let v = TaelVerdict::from_core(&verdict);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(to, v) };
        Ok(v.code)
    }
}

/// A jump cap through `out_has_cap` and `out_cap` (0 without a cap).
pub(crate) struct CapOut(pub *mut bool, pub *mut u64);

impl Answer for CapOut {
    type Value = Option<u64>;
    type Checked = (NonNull<bool>, NonNull<u64>);
    unsafe fn check(self) -> Result<Self::Checked> {
        Ok((
            guard::out(self.0, "out_has_cap")?,
            guard::out(self.1, "out_cap")?,
        ))
    }
    unsafe fn write((has, out): Self::Checked, cap: Option<u64>) -> Result<TaelStatus> {
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            put(has, cap.is_some());
            put(out, cap.unwrap_or(0));
        }
        Ok(TAEL_STATUS_OK)
    }
}

/// A text answer into a caller's buffer `(buf, cap, out_len)`.
pub(crate) struct BufferOut(pub *mut c_char, pub usize, pub *mut usize);

impl Answer for BufferOut {
    type Value = String;
    type Checked = TextOut;
    unsafe fn check(self) -> Result<TextOut> {
        TextOut::new(self.0, self.1, self.2)
    }
    unsafe fn write(to: TextOut, text: String) -> Result<TaelStatus> {
        // SAFETY: checked by TextOut::new; writable per the caller's contract.
        unsafe { to.put(&text) }
    }
}

/// A text answer in a string the library allocates, through `out_json` (set to NULL first, so
/// it is NULL after any failure).
pub(crate) struct AllocOut(pub *mut *mut c_char);

impl Answer for AllocOut {
    type Value = String;
    type Checked = OwnedOut;
    unsafe fn check(self) -> Result<OwnedOut> {
        // SAFETY: the caller's contract.
        unsafe { OwnedOut::new(self.0) }
    }
    unsafe fn write(to: OwnedOut, text: String) -> Result<TaelStatus> {
        to.put(text)
    }
}

/// The shape of every call with an answer: check the answer's destination (so a call that
/// fails with `NULL_POINTER` changed nothing), run `f`, and write its answer.
///
/// # Safety
///
/// The answer's pointers are NULL or valid for what they say; `f`'s own contract.
#[inline]
pub(crate) unsafe fn run<A: Answer>(answer: A, f: impl FnOnce() -> Result<A::Value>) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let to = unsafe { answer.check() }?;
        let value = f()?;
        // SAFETY: the caller's contract above.
        unsafe { A::write(to, value) }
    })
}

/// The shape of every operation on a handle: [`run`], with the handle and the argument's
/// pointer checked before `f` is called on the core object with the argument as text.
///
/// # Safety
///
/// `handle` is NULL or a live handle; the argument's and the answer's pointers are NULL or
/// valid for what they say.
#[inline]
pub(crate) unsafe fn call<H: Handle, A: Answer>(
    handle: *const H,
    arg: Arg<'_>,
    answer: A,
    f: impl FnOnce(&H::Core, &str) -> Result<A::Value>,
) -> TaelStatus {
    let body = || {
        // SAFETY: the caller's contract above.
        let core = unsafe { core(handle) }?;
        // SAFETY: the caller's contract above.
        let [text] = unsafe { texts([arg]) }?;
        f(core, text)
    };
    // SAFETY: the caller's contract above.
    unsafe { run(answer, body) }
}

// ---- durable handles ----------------------------------------------------------------------

/// Open a durable object at the path `(p, len)` and hand its new handle to C through `out`
/// (named `out_name`; written only on success).
///
/// # Safety
///
/// `p` is NULL or readable for `len` bytes; `out` is NULL or writable.
pub(crate) unsafe fn open<H>(
    (p, len): (*const c_char, usize),
    (out, out_name): (*mut *mut H, &str),
    open: impl FnOnce(PathBuf) -> Result<H>,
) -> TaelStatus {
    guard::status(|| {
        // SAFETY: the caller's contract above.
        let path = unsafe { path(p, len) }?;
        let out = guard::out(out, out_name)?;
        let handle = open(path)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { put(out, Box::into_raw(Box::new(handle))) };
        Ok(TAEL_STATUS_OK)
    })
}

/// The path `(p, len)`: any bytes but NUL on POSIX systems (UTF-8 elsewhere); the core refuses
/// an empty path or one with a NUL byte as INVALID_ARGUMENT.
///
/// # Safety
///
/// As [`guard::bytes`].
unsafe fn path(p: *const c_char, len: usize) -> Result<PathBuf> {
    // SAFETY: the caller's contract above.
    let bytes = unsafe { guard::bytes(p, len, "path") }?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        guard::utf8(bytes, "path").map(PathBuf::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tael::Status;

    #[test]
    #[cfg(unix)]
    fn paths_are_bytes_on_posix() {
        let bytes = b"dir/\xffgate";
        // SAFETY: a live array and its length.
        let p = unsafe { path(bytes.as_ptr().cast(), bytes.len()) }.unwrap();
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(p.as_os_str().as_bytes(), bytes);
        // SAFETY: (NULL, 0) is the empty path; (NULL, 1) is refused before any read.
        let empty = unsafe { path(std::ptr::null(), 0) }.unwrap();
        assert!(empty.as_os_str().is_empty());
        // SAFETY: as above.
        let null = unsafe { path(std::ptr::null(), 1) }.unwrap_err();
        assert_eq!(null.status(), Status::NullPointer);
    }
}
