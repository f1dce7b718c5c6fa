//! Durable gates: an epoch gate ([`DurableFencer`]), a holder-aware gate
//! ([`DurableHolderFencer`]) and a registry ([`DurableRegistry`]) whose state lives in a file and
//! reaches the disk before a change is acknowledged; and an epoch history ([`DurableHistory`]).
//!
//! Every advance writes the whole state to `<file>.tmp`, fsyncs it, renames it over `<file>` and
//! fsyncs the directory; only then does the mark move in memory and the call return. The rename
//! makes each write all-or-nothing, so after a crash the file holds the last acknowledged state
//! or a later one, never a torn one. SEMANTICS.md §12 is the specification and gives the format.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::election::validate_id;
use crate::holder::Reign;
use crate::json::{self, quote, u64_text};
use crate::registry::{stream_exists, unknown_stream};
use crate::snapshot::validate_names;
use crate::verdict::{promoted, Step};
use crate::{
    EpochGate, EpochHistory, EpochLog, Error, GateRegistry, HolderGate, Mark, Result, Snapshot,
    Status, Verdict,
};

/// Which state a file holds; its first line says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Gate,
    HolderGate,
    Registry,
    History,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Gate, Kind::HolderGate, Kind::Registry, Kind::History];

    fn header(self) -> &'static str {
        match self {
            Kind::Gate => "tael-coord durable-gate 1",
            // Version 2 of the gate file: the mark with its holder and closed flag.
            Kind::HolderGate => "tael-coord durable-gate 2",
            Kind::Registry => "tael-coord durable-registry 1",
            Kind::History => "tael-coord epoch-history 1",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Gate => "durable gate",
            Kind::HolderGate => "durable holder gate",
            Kind::Registry => "durable registry",
            Kind::History => "durable history",
        }
    }
}

/// CRC-32C (Castagnoli), the checksum of the file format.
fn crc32c(bytes: &[u8]) -> u32 {
    const CASTAGNOLI: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
    CASTAGNOLI.checksum(bytes)
}

/// The file's bytes: the header line, the body line, and the checksum line over both.
fn encode(kind: Kind, body: &str) -> Vec<u8> {
    let mut text = format!("{}\n{body}\n", kind.header());
    let crc = crc32c(text.as_bytes());
    text.push_str(&format!("crc32c {crc:08x}\n"));
    text.into_bytes()
}

fn storage(message: String) -> Error {
    Error::new(Status::Storage, message)
}

fn shown(path: &Path) -> String {
    quote(&path.display().to_string())
}

/// The kind and body line of a file of `kind` or of one of the older kinds it `reads`, once its
/// header, its shape and its checksum are right.
fn decode<'a>(kind: Kind, reads: &[Kind], path: &Path, bytes: &'a [u8]) -> Result<(Kind, &'a str)> {
    let corrupt = |why: &str| {
        storage(format!(
            "the {} file {} is corrupt: {why}; it was left as it is",
            kind.noun(),
            shown(path)
        ))
    };
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("it is not UTF-8 text"))?;
    if text.is_empty() {
        return Err(corrupt("it is empty"));
    }
    let rest = text
        .strip_suffix('\n')
        .ok_or_else(|| corrupt("its last line is cut short"))?;
    let lines: Vec<&str> = rest.split('\n').collect();
    let header = lines[0];
    let found = std::iter::once(kind)
        .chain(reads.iter().copied())
        .find(|k| k.header() == header);
    let Some(found) = found else {
        if let Some(other) = Kind::ALL.into_iter().find(|k| k.header() == header) {
            return Err(storage(format!(
                "{} is a {} file, not a {} file",
                shown(path),
                other.noun(),
                kind.noun()
            )));
        }
        let head: String = header.chars().take(40).collect();
        return Err(corrupt(&format!(
            "its first line is {}, not {}",
            quote(&head),
            quote(kind.header())
        )));
    };
    let [_, body, sum] = lines[..] else {
        return Err(corrupt(&format!(
            "it has {} lines; the format has 3",
            lines.len()
        )));
    };
    let recorded = sum
        .strip_prefix("crc32c ")
        .filter(|hex| hex.len() == 8 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or_else(|| corrupt("its checksum line is malformed"))?;
    let actual = crc32c(&bytes[..header.len() + body.len() + 2]);
    if actual != recorded {
        return Err(corrupt(&format!(
            "its checksum is {actual:08x} but the file records {recorded:08x}"
        )));
    }
    Ok((found, body))
}

/// The file of a durable gate or registry: where it is, the open directory (fsynced after each
/// rename) and the lock that keeps every other owner out.
#[derive(Debug)]
struct Store {
    kind: Kind,
    path: PathBuf,
    tmp: PathBuf,
    dir: File,
    // Held, never read: the exclusive lock lasts until this store is dropped.
    lock: File,
}

impl Drop for Store {
    /// Unlock before the descriptor closes. The lock belongs to the open file description, which
    /// a child process shares from its fork until its exec closes the copy: closing ours alone
    /// would leave the lock held for that moment whenever another thread spawns a process.
    fn drop(&mut self) {
        let _ = self.lock.unlock();
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// The absolute path the store reads and replaces: an existing file's real path (through any
/// symbolic link), or the new file's name in its directory's real path, so that a later change
/// of the working directory cannot move the gate.
fn resolve(kind: Kind, path: &Path) -> Result<PathBuf> {
    let invalid = |why: &str| Error::new(Status::InvalidArgument, format!("path: {why}"));
    let bytes = path.as_os_str().as_encoded_bytes();
    if bytes.is_empty() {
        return Err(invalid("the path is empty"));
    }
    if bytes.contains(&0) {
        return Err(invalid("the path holds a NUL byte"));
    }
    let Some(name) = path.file_name() else {
        return Err(invalid(&format!(
            "{} names no file (it is a root or ends in ..)",
            shown(path)
        )));
    };
    match fs::canonicalize(path) {
        Ok(real) => Ok(real),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = fs::canonicalize(parent).map_err(|e| {
                storage(format!(
                    "cannot use the directory {} of the {} {}: {e}",
                    shown(parent),
                    kind.noun(),
                    shown(path)
                ))
            })?;
            Ok(dir.join(name))
        }
        Err(e) => Err(storage(format!(
            "cannot resolve the {} path {}: {e}",
            kind.noun(),
            shown(path)
        ))),
    }
}

impl Store {
    /// Open the store at `path` and read its bytes, or `None` for a missing file when
    /// `create` is set (the caller then writes the fresh state).
    fn open(kind: Kind, path: &Path, create: bool) -> Result<(Store, Option<Vec<u8>>)> {
        let path = resolve(kind, path)?;
        let missing = || {
            storage(format!(
                "there is no {} file {} (open it with create to start a fresh one)",
                kind.noun(),
                shown(&path)
            ))
        };
        let unreadable = |e: io::Error| {
            storage(format!(
                "cannot read the {} {}: {e}",
                kind.noun(),
                shown(&path)
            ))
        };
        let not_a_file = || {
            storage(format!(
                "the {} {} is not a regular file",
                kind.noun(),
                shown(&path)
            ))
        };
        // Checked before the lock file is made, so a wrong path leaves nothing behind.
        match fs::metadata(&path) {
            Ok(meta) if !meta.is_file() => return Err(not_a_file()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Err(missing()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(unreadable(e)),
        }
        let dir_path = path.parent().unwrap_or(Path::new("/"));
        let dir = File::open(dir_path).map_err(|e| {
            storage(format!(
                "cannot open the directory {}: {e}",
                shown(dir_path)
            ))
        })?;
        let lock_path = sibling(&path, ".lock");
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| {
                storage(format!(
                    "cannot open the lock file {}: {e}",
                    shown(&lock_path)
                ))
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(storage(format!(
                    "the {} {} is in use: another handle or process holds {}",
                    kind.noun(),
                    shown(&path),
                    shown(&lock_path)
                )))
            }
            Err(TryLockError::Error(e)) => {
                return Err(storage(format!("cannot lock {}: {e}", shown(&lock_path))))
            }
        }
        let bytes = match File::open(&path) {
            Ok(mut file) => {
                if !file.metadata().map_err(unreadable)?.is_file() {
                    return Err(not_a_file());
                }
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(unreadable)?;
                Some(bytes)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(missing()),
            Err(e) => return Err(unreadable(e)),
        };
        let tmp = sibling(&path, ".tmp");
        let store = Store {
            kind,
            path,
            tmp,
            dir,
            lock,
        };
        Ok((store, bytes))
    }

    /// Replace the file with one holding `body`, durably: write `<file>.tmp`, fsync it, rename
    /// it over the file, fsync the directory. On an error the old file or the new one is in
    /// place (never a mix), and the caller must not acknowledge the new state.
    fn write(&self, body: &str) -> Result<()> {
        let failed = |what: &str, e: io::Error| {
            storage(format!(
                "cannot write the {} {}: {what}: {e}",
                self.kind.noun(),
                shown(&self.path)
            ))
        };
        {
            // Closed at the end of this block, before the rename.
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.tmp)
                .map_err(|e| failed("creating the temporary file", e))?;
            file.write_all(&encode(self.kind, body))
                .map_err(|e| failed("writing the temporary file", e))?;
            file.sync_all()
                .map_err(|e| failed("fsync of the temporary file", e))?;
        }
        fs::rename(&self.tmp, &self.path).map_err(|e| failed("renaming the temporary file", e))?;
        self.dir
            .sync_all()
            .map_err(|e| failed("fsync of the directory", e))
    }
}

/// What a durable file holds: its kind and the JSON body of its state (SEMANTICS.md §12). A
/// file that `create` makes starts with the default state (a gate at 0, an empty registry).
trait Body: Serialize + DeserializeOwned + Default {
    const KIND: Kind;

    /// Older kinds of file this body also reads; the next write upgrades the file to `KIND`.
    const READS: &'static [Kind] = &[];

    /// The state of a body of kind `found` (`KIND` or one of `READS`).
    fn parse(found: Kind, body: &str) -> Result<Self> {
        debug_assert_eq!(found, Self::KIND);
        json::from_json::<Self>(body, Status::Storage)
    }
}

/// Open the store at `path` and read its state back, or start a fresh one (written before
/// this returns) when the file is missing and `create` is set.
fn open_state<B: Body>(path: &Path, create: bool) -> Result<(Store, B)> {
    let (store, bytes) = Store::open(B::KIND, path, create)?;
    let state = match bytes {
        Some(bytes) => {
            let (found, body) = decode(B::KIND, B::READS, &store.path, &bytes)?;
            B::parse(found, body).map_err(|e| {
                storage(format!(
                    "the {} file {} is corrupt: {}",
                    B::KIND.noun(),
                    shown(&store.path),
                    e.message()
                ))
            })?
        }
        None => {
            let fresh = B::default();
            store.write(&json::to_json(&fresh))?;
            fresh
        }
    };
    Ok((store, state))
}

/// The body of a gate file: `{"highest":"<mark>"}`.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateBody {
    #[serde(with = "u64_text")]
    highest: u64,
}

impl Body for GateBody {
    const KIND: Kind = Kind::Gate;
}

/// The body of a holder gate file (version 2 of the gate file):
/// `{"highest":"<mark>","holder":"<id>" or null,"closed":<bool>}`. It also reads version 1, a
/// plain gate's file (no holder, open), so an epoch gate's file can be taken over by a holder gate.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolderGateBody {
    #[serde(with = "u64_text")]
    highest: u64,
    holder: Option<String>,
    closed: bool,
}

impl Body for HolderGateBody {
    const KIND: Kind = Kind::HolderGate;
    const READS: &'static [Kind] = &[Kind::Gate];

    fn parse(found: Kind, body: &str) -> Result<Self> {
        if found == Kind::Gate {
            let GateBody { highest } = GateBody::parse(found, body)?;
            return Ok(HolderGateBody {
                highest,
                ..Default::default()
            });
        }
        let body: HolderGateBody = json::from_json(body, Status::Storage)?;
        if let Some(holder) = &body.holder {
            validate_id(holder)?;
        }
        if body.closed && body.holder.is_none() {
            return Err(storage("a closed reign has no holder".into()));
        }
        Ok(body)
    }
}

impl From<&Reign> for HolderGateBody {
    fn from(reign: &Reign) -> Self {
        HolderGateBody {
            highest: reign.epoch,
            holder: reign.holder.clone(),
            closed: reign.closed,
        }
    }
}

/// The body of a registry file is its snapshot.
impl Body for Snapshot {
    const KIND: Kind = Kind::Registry;
}

/// What both durable types hold: their state in memory (moved only by the holder of `store`,
/// after the write returned), the handle's jump cap, and the file that keeps the state.
#[derive(Debug)]
struct Durable<S> {
    state: S,
    jump_cap: Option<u64>,
    path: PathBuf,
    store: Mutex<Store>,
}

impl<S> Durable<S> {
    /// Open the file at `path` (see [`open_state`]) and make the state from its body.
    fn open<B: Body>(path: &Path, create: bool, state: impl FnOnce(B) -> S) -> Result<Self> {
        let (store, body) = open_state::<B>(path, create)?;
        Ok(Durable {
            state: state(body),
            jump_cap: None,
            path: store.path.clone(),
            store: Mutex::new(store),
        })
    }

    // A panic while the lock was held left the state as it was (it moves only after a write),
    // so a poisoned lock still guards good state.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The constructors every durable type shares, with their docs (and the gates' jump cap).
macro_rules! durable_type {
    ($ty:ident, "history", $body:ty, |$b:ident| $state:expr) => {
        durable_type!(@open $ty, "history", $body, |$b| $state);
    };
    ($ty:ident, $noun:literal, $body:ty, |$b:ident| $state:expr) => {
        durable_type!(@open $ty, $noun, $body, |$b| $state);

        impl $ty {
            #[doc = concat!("This ", $noun, " with a jump cap, `None` for none (as")]
            #[doc = "[`EpochFencer::with_jump_cap`](crate::EpochFencer::with_jump_cap)). The cap"]
            #[doc = "is a setting of this handle; the file holds only the marks."]
            pub fn with_jump_cap(self, cap: impl Into<Option<u64>>) -> Self {
                $ty(Durable {
                    jump_cap: cap.into(),
                    ..self.0
                })
            }
        }
    };
    (@open $ty:ident, $noun:literal, $body:ty, |$b:ident| $state:expr) => {
        impl $ty {
            #[doc = concat!("Open the ", $noun, " stored at `path`. A missing, unreadable or ")]
            #[doc = "corrupt file, or one another owner holds, is `STORAGE`; a bad path (empty,"]
            #[doc = "NUL byte, no file name) `INVALID_ARGUMENT`."]
            pub fn open(path: impl AsRef<Path>) -> Result<$ty> {
                Self::open_with(path, false)
            }

            #[doc = concat!("Open the ", $noun, " stored at `path`, or, when there is no file")]
            #[doc = "there, create a fresh one and write its file before returning. An existing"]
            #[doc = "file is read, never reset."]
            pub fn open_or_create(path: impl AsRef<Path>) -> Result<$ty> {
                Self::open_with(path, true)
            }

            /// [`open_or_create`](Self::open_or_create) when `create` is set, else
            /// [`open`](Self::open).
            pub fn open_with(path: impl AsRef<Path>, create: bool) -> Result<$ty> {
                Durable::open::<$body>(path.as_ref(), create, |$b| $state).map($ty)
            }

            #[doc = concat!("The ", $noun, "'s file (absolute, through any symbolic link).")]
            pub fn path(&self) -> &Path {
                &self.0.path
            }
        }
    };
}

/// An epoch gate (§5 of SEMANTICS.md) whose high-water mark lives in a file; its operations are
/// those of [`EpochGate`].
///
/// An advance (a [`check`](EpochGate::check) that moves the gate, or a promotion) returns only
/// after the new mark is on disk: written to a temporary file, fsynced, renamed over the gate's
/// file, and the directory fsynced. A call that fails with `STORAGE` has acknowledged nothing
/// and left the mark in memory where it was. Verdicts that move nothing (`CURRENT`,
/// `STALE_EPOCH`, `TOO_FAR_AHEAD`) write nothing.
///
/// Thread-safe: advances are serialized by an internal lock held across the write, so no
/// caller is ever told of a mark that is not yet durable; verdicts that move nothing do not
/// wait for it. One gate file has one owner at a time: opening it takes an exclusive lock on
/// `<file>.lock` (released when the gate is dropped, or when its process dies), and a second
/// open fails with `STORAGE`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tael-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use tael_coord::{DurableFencer, EpochGate, Verdict};
///
/// let path = dir.join("wal-0.gate");
/// let gate = DurableFencer::open_or_create(&path)?;
/// assert_eq!(gate.check(7)?, Verdict::Advanced { from: 0, to: 7 });
/// drop(gate);
///
/// let gate = DurableFencer::open(&path)?; // a restarted standby reads its mark back
/// assert_eq!(gate.highest(), 7);
/// assert!(!gate.check_and_advance(6)?);
/// # drop(gate);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Debug)]
pub struct DurableFencer(Durable<AtomicU64>);

durable_type!(DurableFencer, "gate", GateBody, |body| AtomicU64::new(
    body.highest
));

impl DurableFencer {
    /// Write `mark` durably, then publish it. Called with the store locked.
    fn commit(&self, store: &Store, mark: u64) -> Result<()> {
        store.write(&json::to_json(&GateBody { highest: mark }))?;
        self.0.state.store(mark, Ordering::Release);
        Ok(())
    }
}

/// An `ADVANCED` verdict is returned only once the new mark is on disk; `STORAGE` if it could
/// not be written (the gate did not move). A promotion's epoch likewise.
impl EpochGate for DurableFencer {
    fn check(&self, epoch: u64) -> Result<Verdict> {
        let settled = |highest| Step::of(highest, epoch, self.0.jump_cap).settled(epoch, highest);
        if let Some(verdict) = settled(self.highest()) {
            return Ok(verdict);
        }
        let store = self.0.store();
        let from = self.highest();
        if let Some(verdict) = settled(from) {
            return Ok(verdict);
        }
        self.commit(&store, epoch)?;
        Ok(Verdict::Advanced { from, to: epoch })
    }

    fn promote_to_at_least(&self, floor: u64) -> Result<u64> {
        let store = self.0.store();
        let next = promoted(self.highest(), floor)?;
        self.commit(&store, next)?;
        Ok(next)
    }

    /// The mark on disk.
    fn highest(&self) -> u64 {
        self.0.state.load(Ordering::Acquire)
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap
    }
}

/// A holder-aware gate (§6 and §16 of SEMANTICS.md) whose reign — highest epoch, holder and
/// closed flag — lives in a file; its operations are those of [`HolderGate`]. Its vote survives
/// a restart, as Raft persists its vote, which is what makes an established reign (§16) the only
/// one of its epoch across restarts.
///
/// Every change (an advance, the first holder recorded at the current epoch, a promotion, a
/// close, an adoption) is on disk before the call returns, as for [`DurableFencer`]; a call that
/// fails with `STORAGE` changed nothing, and verdicts that change nothing write nothing. The
/// file (version 2 of the gate file) also opens from a plain gate's file (version 1: no holder,
/// open), rewritten as version 2 on the first change. One owner at a time.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tael-doc-holder-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use tael_coord::{DurableHolderFencer, HolderGate, Status};
///
/// let path = dir.join("wal-0.vote");
/// let gate = DurableHolderFencer::open_or_create(&path)?;
/// assert!(gate.check_and_advance(4, "node-a")?); // the vote at epoch 4 goes to node-a
/// drop(gate);
///
/// let gate = DurableHolderFencer::open(&path)?; // restarted: the vote is kept
/// assert_eq!(gate.check(4, "node-b")?.status(), Status::Conflict);
/// # drop(gate);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Debug)]
pub struct DurableHolderFencer(Durable<Mutex<Reign>>);

durable_type!(DurableHolderFencer, "holder gate", HolderGateBody, |body| {
    Mutex::new(Reign::new(body.highest, body.holder, body.closed))
});

impl DurableHolderFencer {
    // The reign moves only after a successful write, so a poisoned lock still guards good state.
    fn reign(&self) -> MutexGuard<'_, Reign> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Apply `change` to a copy of the reign under the store lock and, when it changed, write
    /// the copy durably before it replaces the reign.
    fn change<T>(&self, change: impl FnOnce(&mut Reign) -> T) -> Result<T> {
        let store = self.0.store();
        let mut next = self.reign().clone();
        let answer = change(&mut next);
        if next != *self.reign() {
            store.write(&json::to_json(&HolderGateBody::from(&next)))?;
            *self.reign() = next;
        }
        Ok(answer)
    }
}

/// A verdict or epoch is returned only once the reign it reports is on disk; `STORAGE` if it
/// could not be written (nothing changed).
impl HolderGate for DurableHolderFencer {
    fn check(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        self.change(|reign| reign.check(epoch, holder, self.0.jump_cap))
    }

    fn promote_to_at_least(&self, floor: u64, holder: &str) -> Result<u64> {
        validate_id(holder)?;
        self.change(|reign| reign.promote(floor, holder))?
    }

    fn close(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        self.change(|reign| reign.close(epoch, holder, self.0.jump_cap))
    }

    fn adopt(&self, epoch: u64, holder: &str) -> Result<Verdict> {
        validate_id(holder)?;
        self.change(|reign| reign.adopt(epoch, holder))
    }

    fn state(&self) -> (u64, Option<String>) {
        let reign = self.reign();
        (reign.epoch, reign.holder.clone())
    }

    fn closed(&self) -> bool {
        self.reign().closed
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap
    }
}

/// A fence registry (§9 of SEMANTICS.md) whose marks all live in one file; its operations are
/// those of [`GateRegistry`].
///
/// Every change of a mark (an advancing check, a promotion, `add`, `remove`, a `restore` that
/// raises a mark) rewrites the file durably, as [`DurableFencer`] does, before the call
/// returns; a call that fails with `STORAGE` changed nothing. Changes are serialized by one
/// internal lock held across the write (a write costs a few fsyncs and is proportional to the
/// number of streams); verdicts that move nothing, reads and snapshots do not wait for it. The
/// file has one owner at a time, as for [`DurableFencer`].
#[derive(Debug)]
pub struct DurableRegistry(Durable<RwLock<BTreeMap<String, u64>>>);

durable_type!(DurableRegistry, "registry", Snapshot, |snapshot| {
    let marks = snapshot.streams.into_iter();
    RwLock::new(marks.map(|(name, Mark(mark))| (name, mark)).collect())
});

impl DurableRegistry {
    // Marks change only after a successful write, so a poisoned lock still guards good state.
    fn marks(&self) -> RwLockReadGuard<'_, BTreeMap<String, u64>> {
        self.0.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn marks_mut(&self) -> RwLockWriteGuard<'_, BTreeMap<String, u64>> {
        self.0.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn mark(&self, stream: &str) -> Result<u64> {
        self.marks()
            .get(stream)
            .copied()
            .ok_or_else(|| unknown_stream(stream))
    }

    /// Change the marks with `change` (which may refuse, or report that nothing changed),
    /// durably, under the store lock: the file is rewritten only when the marks changed.
    fn change<T>(&self, change: impl FnOnce(&mut BTreeMap<String, u64>) -> Result<T>) -> Result<T> {
        let store = self.0.store();
        let mut next = self.marks().clone();
        let answer = change(&mut next)?;
        if next != *self.marks() {
            store.write(&snapshot_of(&next).to_json())?;
            *self.marks_mut() = next;
        }
        Ok(answer)
    }
}

fn snapshot_of(marks: &BTreeMap<String, u64>) -> Snapshot {
    Snapshot {
        streams: marks
            .iter()
            .map(|(name, &mark)| (name.clone(), Mark(mark)))
            .collect(),
    }
}

/// Every change is on disk before the call returns; `STORAGE` if it could not be written
/// (nothing changed).
impl GateRegistry for DurableRegistry {
    fn add(&self, stream: &str, highest: u64) -> Result<()> {
        validate_id(stream)?;
        self.change(|marks| {
            if marks.contains_key(stream) {
                return Err(stream_exists(stream));
            }
            marks.insert(stream.to_owned(), highest);
            Ok(())
        })
    }

    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        let settled = |highest| Step::of(highest, epoch, self.0.jump_cap).settled(epoch, highest);
        if let Some(verdict) = settled(self.mark(stream)?) {
            return Ok(verdict);
        }
        self.change(|marks| {
            let mark = marks
                .get_mut(stream)
                .ok_or_else(|| unknown_stream(stream))?;
            let from = *mark;
            if let Some(verdict) = settled(from) {
                return Ok(verdict);
            }
            *mark = epoch;
            Ok(Verdict::Advanced { from, to: epoch })
        })
    }

    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64> {
        self.change(|marks| {
            let mark = marks
                .get_mut(stream)
                .ok_or_else(|| unknown_stream(stream))?;
            *mark = promoted(*mark, floor)?;
            Ok(*mark)
        })
    }

    fn highest(&self, stream: &str) -> Result<u64> {
        self.mark(stream)
    }

    fn remove(&self, stream: &str) -> Result<u64> {
        self.change(|marks| marks.remove(stream).ok_or_else(|| unknown_stream(stream)))
    }

    fn contains(&self, stream: &str) -> bool {
        self.marks().contains_key(stream)
    }

    fn len(&self) -> usize {
        self.marks().len()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.0.jump_cap
    }

    fn snapshot(&self) -> Snapshot {
        snapshot_of(&self.marks())
    }

    /// The file is rewritten only when a mark changed.
    fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        validate_names(snapshot)?;
        self.change(|marks| {
            for (name, &Mark(mark)) in &snapshot.streams {
                let entry = marks.entry(name.clone()).or_insert(mark);
                *entry = (*entry).max(mark);
            }
            Ok(())
        })
    }
}

/// An epoch history (§15 of SEMANTICS.md) kept in a file; its operations are those of
/// [`EpochLog`].
///
/// Every change (an [`assign`](EpochLog::assign) or truncation that changes the history) is on
/// disk before the call returns, as for [`DurableFencer`]; a call that fails with `STORAGE`
/// changed nothing. Calls that change nothing write nothing. The file has one owner at a time.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("tael-doc-history-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use tael_coord::{DurableHistory, EpochLog};
///
/// let path = dir.join("wal-0.epochs");
/// let mut history = DurableHistory::open_or_create(&path)?;
/// history.assign(3, 120, Some("node-a"))?;
/// drop(history);
/// assert_eq!(DurableHistory::open(&path)?.latest_epoch(), Some(3));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Debug)]
pub struct DurableHistory(Durable<EpochHistory>);

impl Body for EpochHistory {
    const KIND: Kind = Kind::History;
}

durable_type!(DurableHistory, "history", EpochHistory, |history| history);

impl DurableHistory {
    /// Apply `change` to a copy of the history and, when it changed, write the copy durably
    /// before it replaces the history.
    fn change(&mut self, change: impl FnOnce(&mut EpochHistory) -> Result<bool>) -> Result<bool> {
        let mut next = self.0.state.clone();
        if !change(&mut next)? {
            return Ok(false);
        }
        let store = self.0.store.get_mut().unwrap_or_else(|e| e.into_inner());
        store.write(&next.to_json())?;
        self.0.state = next;
        Ok(true)
    }
}

/// Every change is on disk before the call returns; `STORAGE` if it could not be written
/// (nothing changed).
impl EpochLog for DurableHistory {
    fn assign(&mut self, epoch: u64, start_offset: u64, holder: Option<&str>) -> Result<bool> {
        self.change(|h| h.assign(epoch, start_offset, holder))
    }

    fn truncate_from_end(&mut self, offset: u64) -> Result<bool> {
        self.change(|h| Ok(h.truncate_from_end(offset)))
    }

    fn truncate_from_start(&mut self, offset: u64) -> Result<bool> {
        self.change(|h| Ok(h.truncate_from_start(offset)))
    }

    fn history(&self) -> &EpochHistory {
        &self.0.state
    }
}

// Not built under Miri, which has no file locks; this module has no unsafe code.
#[cfg(test)]
#[cfg(not(miri))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("tael-durable-unit-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn join(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A fresh directory and a path in it, for one test.
    fn scratch(name: &str) -> (TempDir, PathBuf) {
        let dir = TempDir::new();
        let path = dir.join(name);
        (dir, path)
    }

    /// The gate at `path`, created if missing, with the cap `cap`.
    fn open_gate(path: &Path, cap: impl Into<Option<u64>>) -> DurableFencer {
        DurableFencer::open_or_create(path)
            .unwrap()
            .with_jump_cap(cap)
    }

    fn status<T: std::fmt::Debug>(r: Result<T>) -> Status {
        r.unwrap_err().status()
    }

    /// The message of a call refused with `STORAGE`.
    fn refused<T: std::fmt::Debug>(r: Result<T>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.status(), Status::Storage, "{e}");
        e.message().to_owned()
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn the_file_format_is_pinned() {
        let dir = TempDir::new();
        let gate = DurableFencer::open_or_create(dir.join("g")).unwrap();
        gate.check(57).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("g")).unwrap(),
            "tael-coord durable-gate 1\n{\"highest\":\"57\"}\ncrc32c a3b2ad67\n"
        );
        let registry = DurableRegistry::open_or_create(dir.join("r")).unwrap();
        registry.add("wal-0", 7).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("r")).unwrap(),
            "tael-coord durable-registry 1\n{\"streams\":{\"wal-0\":\"7\"}}\ncrc32c 8ca4641a\n"
        );
    }

    #[test]
    fn a_holder_gate_keeps_its_vote_and_its_close_across_a_reopen() {
        let (dir, path) = scratch("vote");
        let gate = DurableHolderFencer::open_or_create(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "tael-coord durable-gate 2\n{\"highest\":\"0\",\"holder\":null,\"closed\":false}\ncrc32c 77664420\n"
        );
        assert_eq!(gate.check(4, "a"), Ok(Verdict::Advanced { from: 0, to: 4 }));
        drop(gate);
        let gate = DurableHolderFencer::open(&path).unwrap();
        assert_eq!(gate.state(), (4, Some("a".into())), "the vote survives");
        assert_eq!(gate.check(4, "b").unwrap().status(), Status::Conflict);
        assert_eq!(gate.close(4, "a").unwrap().status(), Status::Closed);
        drop(gate);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "tael-coord durable-gate 2\n{\"highest\":\"4\",\"holder\":\"a\",\"closed\":true}\ncrc32c 10f16276\n"
        );
        let gate = DurableHolderFencer::open(&path).unwrap();
        assert!(gate.closed(), "the close survives");
        // Verdicts that change nothing write nothing (a directory where the temporary file
        // goes makes every write fail).
        fs::create_dir(dir.join("vote.tmp")).unwrap();
        assert_eq!(gate.check(4, "a").unwrap().status(), Status::Closed);
        assert_eq!(gate.close(4, "b").unwrap().status(), Status::Closed);
        assert_eq!(gate.adopt(3, "b").unwrap().status(), Status::StaleEpoch);
        for change in [gate.check(5, "b"), gate.adopt(5, "b"), gate.close(5, "b")] {
            assert_eq!(status(change), Status::Storage);
        }
        assert_eq!(status(gate.promote("b")), Status::Storage);
        assert_eq!((gate.state(), gate.closed()), ((4, Some("a".into())), true));
        fs::remove_dir(dir.join("vote.tmp")).unwrap();
        assert_eq!(gate.adopt(5, "b"), Ok(Verdict::Advanced { from: 4, to: 5 }));
        assert_eq!(
            (gate.state(), gate.closed()),
            ((5, Some("b".into())), false)
        );
    }

    #[test]
    fn a_holder_gate_reads_a_plain_gate_file_and_rewrites_it_as_version_2() {
        let (_dir, path) = scratch("gate");
        let gate = open_gate(&path, None);
        assert_eq!(gate.promote_to_at_least(7), Ok(7));
        drop(gate);
        let holder = DurableHolderFencer::open(&path).unwrap();
        assert_eq!((holder.state(), holder.closed()), ((7, None), false));
        drop(holder);
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .starts_with("tael-coord durable-gate 1\n"),
            "opening writes nothing"
        );
        let holder = DurableHolderFencer::open(&path).unwrap();
        assert_eq!(holder.check(7, "a"), Ok(Verdict::Current { epoch: 7 }));
        drop(holder);
        assert!(fs::read_to_string(&path)
            .unwrap()
            .starts_with("tael-coord durable-gate 2\n"));
        assert!(refused(DurableFencer::open(&path)).contains("is a durable holder gate file"));
    }

    #[test]
    fn a_damaged_holder_gate_file_is_refused() {
        let (_dir, path) = scratch("vote");
        for body in [
            "{\"highest\":\"1\"}",
            "{\"highest\":\"1\",\"holder\":null}",
            "{\"highest\":\"1\",\"holder\":\"\",\"closed\":false}",
            "{\"highest\":\"1\",\"holder\":null,\"closed\":true}",
            "{\"highest\":\"1\",\"holder\":\"a\",\"closed\":false,\"x\":1}",
        ] {
            fs::write(&path, encode(Kind::HolderGate, body)).unwrap();
            assert!(
                refused(DurableHolderFencer::open(&path)).contains("corrupt"),
                "{body}"
            );
        }
    }

    /// A bare file name is a file of the current directory. (The only test that uses a
    /// relative path or the current directory: every other test's paths are absolute.)
    #[test]
    fn a_bare_name_is_in_the_current_directory() {
        let dir = TempDir::new();
        let back = std::env::current_dir().unwrap();
        std::env::set_current_dir(&dir.0).unwrap();
        let opened = DurableFencer::open_or_create("gate").map(|g| g.path().to_owned());
        std::env::set_current_dir(back).unwrap();
        assert_eq!(opened, Ok(fs::canonicalize(dir.join("gate")).unwrap()));
    }

    #[test]
    fn missing_file_is_fresh_only_when_asked() {
        let (dir, path) = scratch("gate");
        assert!(refused(DurableFencer::open(&path)).contains("create"));
        assert_eq!(
            fs::read_dir(&dir.0).unwrap().count(),
            0,
            "nothing left behind"
        );
        let gate = DurableFencer::open_or_create(&path).unwrap();
        assert_eq!(gate.highest(), 0);
        assert_eq!(gate.path(), fs::canonicalize(&path).unwrap());
        drop(gate);
        // The fresh gate was written before open_or_create returned.
        assert_eq!(DurableFencer::open(&path).unwrap().highest(), 0);
        assert_eq!(
            status(DurableRegistry::open(dir.join("reg"))),
            Status::Storage
        );
    }

    #[test]
    fn advances_survive_a_reopen_and_nothing_else_writes() {
        let (dir, path) = scratch("gate");
        let gate = open_gate(&path, 100);
        assert_eq!(gate.check(5), Ok(Verdict::Advanced { from: 0, to: 5 }));
        assert_eq!(gate.promote(), Ok(6));
        assert_eq!(gate.check_and_advance(9), Ok(true));
        drop(gate);
        let gate = DurableFencer::open_or_create(&path).unwrap();
        assert_eq!(gate.highest(), 9, "create never resets an existing file");
        assert_eq!(gate.jump_cap(), None, "the cap belongs to the handle");
        // A directory where the temporary file goes makes every write fail, so what follows
        // shows which calls write: only the advancing ones.
        fs::create_dir(dir.join("gate.tmp")).unwrap();
        assert_eq!(gate.check(9), Ok(Verdict::Current { epoch: 9 }));
        assert_eq!(gate.check(3).map(|v| v.status()), Ok(Status::StaleEpoch));
        assert_eq!(status(gate.check(10)), Status::Storage);
        assert_eq!(status(gate.check_and_advance(10)), Status::Storage);
        assert_eq!(status(gate.promote()), Status::Storage);
        assert_eq!(gate.highest(), 9, "a failed write acknowledges nothing");
        drop(gate);
        fs::remove_dir(dir.join("gate.tmp")).unwrap();
        let gate = DurableFencer::open(&path).unwrap();
        assert_eq!(gate.highest(), 9);
        assert_eq!(gate.check(10), Ok(Verdict::Advanced { from: 9, to: 10 }));
    }

    #[test]
    fn caps_and_overflow_write_nothing() {
        let (_dir, path) = scratch("gate");
        let gate = open_gate(&path, 5);
        assert_eq!(gate.check(6).map(|v| v.status()), Ok(Status::TooFarAhead));
        assert_eq!(gate.check(5), Ok(Verdict::Advanced { from: 0, to: 5 }));
        drop(gate);
        let gate = DurableFencer::open(&path).unwrap();
        assert_eq!(gate.check(u64::MAX).map(|v| v.highest()), Ok(u64::MAX));
        assert_eq!(status(gate.promote()), Status::EpochOverflow);
        drop(gate);
        assert_eq!(DurableFencer::open(&path).unwrap().highest(), u64::MAX);
    }

    #[test]
    fn every_damaged_file_is_refused_never_reset() {
        let (_dir, path) = scratch("gate");
        DurableFencer::open_or_create(&path)
            .unwrap()
            .check(1234)
            .unwrap();
        let good = fs::read(&path).unwrap();
        let mut damaged: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
        for i in 0..good.len() {
            for flip in [0x01, 0x20, 0x80, 0xff] {
                let mut bytes = good.clone();
                bytes[i] ^= flip;
                damaged.push(bytes);
            }
        }
        damaged.push([good.as_slice(), b"x"].concat());
        damaged.push([good.as_slice(), b"\n"].concat());
        damaged.push([good.as_slice(), good.as_slice()].concat());
        for bytes in &damaged {
            fs::write(&path, bytes).unwrap();
            let e = DurableFencer::open_or_create(&path).unwrap_err();
            assert_eq!(
                e.status(),
                Status::Storage,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            assert_eq!(
                fs::read(&path).unwrap(),
                *bytes,
                "a refused file is left as it is"
            );
        }
        assert!(damaged.len() > 4 * good.len());
        fs::write(&path, &good).unwrap();
        assert_eq!(DurableFencer::open(&path).unwrap().highest(), 1234);
    }

    #[test]
    fn a_body_that_checks_out_must_still_parse() {
        let (_dir, path) = scratch("gate");
        for body in [
            "{\"highest\":\"-1\"}",
            "{\"highest\":\"1\",\"x\":1}",
            "{}",
            "[\"1\"]",
        ] {
            fs::write(&path, encode(Kind::Gate, body)).unwrap();
            assert!(
                refused(DurableFencer::open(&path)).contains("corrupt"),
                "{body}"
            );
        }
        fs::write(&path, encode(Kind::Registry, "{\"streams\":{\"\":\"1\"}}")).unwrap();
        assert_eq!(status(DurableFencer::open(&path)), Status::Storage);
        assert_eq!(status(DurableRegistry::open(&path)), Status::Storage);
        fs::write(&path, encode(Kind::Registry, "{\"streams\":{}}")).unwrap();
        assert!(refused(DurableFencer::open(&path)).contains("is a durable registry file"));
        assert!(DurableRegistry::open(&path).unwrap().is_empty());
    }

    #[test]
    fn bad_paths() {
        let dir = TempDir::new();
        fs::create_dir(dir.join("sub")).unwrap();
        let cases = [
            (PathBuf::from(""), Status::InvalidArgument),
            (dir.join("a\0b"), Status::InvalidArgument),
            (PathBuf::from("/"), Status::InvalidArgument),
            (dir.join("no/such/dir/gate"), Status::Storage),
            (dir.join("sub"), Status::Storage),
        ];
        let named = dir.0.display().to_string();
        for (path, want) in cases {
            let gate = DurableFencer::open_or_create(&path).map(|_| ());
            let registry = DurableRegistry::open_or_create(&path).map(|_| ());
            for e in [gate.unwrap_err(), registry.unwrap_err()] {
                assert_eq!(e.status(), want, "{path:?}");
                if want == Status::Storage {
                    assert!(e.message().contains(&named), "names the path: {e}");
                }
            }
        }
        assert!(
            !dir.join("sub.lock").exists(),
            "a refused path leaves no lock file"
        );
    }

    /// §12: a file that exists but cannot be read is `STORAGE` (the message says it cannot be
    /// read, not that it is missing), with or without `create`, and is never replaced by a
    /// fresh one. Root reads every file, so the opens run on a thread whose file-system user id
    /// is an unprivileged one (`setfsuid` changes only the calling thread's).
    #[test]
    #[cfg(target_os = "linux")]
    fn an_unreadable_file_is_refused_never_reset() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new();
        fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o777)).unwrap();
        let path = dir.join("gate");
        open_gate(&path, None).check(9).unwrap();
        let good = fs::read(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        // The lock file this test's own open made, which another user could not open.
        fs::remove_file(dir.join("gate.lock")).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                // Fails harmlessly for a user who may not change it (and cannot read the file).
                nix::unistd::setfsuid(nix::unistd::Uid::from_raw(65534));
                assert!(
                    File::open(&path).is_err(),
                    "this thread cannot read the file"
                );
                for create in [false, true] {
                    let message = refused(DurableFencer::open_with(&path, create));
                    assert!(
                        message.contains("cannot read"),
                        "create {create}: {message}"
                    );
                }
            });
        });
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            fs::read(&path).unwrap(),
            good,
            "the file was left as it was"
        );
    }

    /// §15: a durable history's changes survive a reopen; calls that change nothing write
    /// nothing, and a failed write changes nothing; the file is the pinned format and has one
    /// owner.
    #[test]
    fn history_changes_survive_a_reopen_and_nothing_else_writes() {
        let (dir, path) = scratch("wal.epochs");
        let mut history = DurableHistory::open_or_create(&path).unwrap();
        assert_eq!(history.assign(3, 0, Some("node-a")), Ok(true));
        assert_eq!(history.assign(5, 1200, Some("node-b")), Ok(true));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "tael-coord epoch-history 1\n\
             {\"entries\":[{\"epoch\":\"3\",\"start_offset\":\"0\",\"holder\":\"node-a\"},\
             {\"epoch\":\"5\",\"start_offset\":\"1200\",\"holder\":\"node-b\"}]}\n\
             crc32c 1859ba65\n",
            "the example of SEMANTICS.md §15"
        );
        assert!(refused(DurableHistory::open(&path)).contains("in use"));
        drop(history);
        let mut history = DurableHistory::open(&path).unwrap();
        assert_eq!(history.latest_epoch(), Some(5));
        assert_eq!(history.end_offset_for(3, 1300), Ok(Some((3, 1200))));
        fs::create_dir(dir.join("wal.epochs.tmp")).unwrap();
        assert_eq!(history.assign(5, 1300, Some("node-b")), Ok(false));
        assert_eq!(history.truncate_from_end(1300), Ok(false));
        assert_eq!(history.truncate_from_start(0), Ok(false));
        assert_eq!(status(history.truncate_from_end(1200)), Status::Storage);
        assert_eq!(status(history.assign(6, 1250, None)), Status::Storage);
        assert_eq!(history.history().len(), 2, "a failed write changes nothing");
        fs::remove_dir(dir.join("wal.epochs.tmp")).unwrap();
        assert_eq!(history.truncate_from_start(100), Ok(true));
        assert_eq!(history.assign(4, 1000, None), Ok(true));
        drop(history);
        let history = DurableHistory::open(&path).unwrap();
        let pairs: Vec<(u64, u64)> = history
            .entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect();
        assert_eq!(pairs, [(3, 100), (4, 1000)]);
        drop(history);
        // A gate's file is not a history's, nor the other way round.
        assert!(refused(DurableFencer::open(&path)).contains("durable history file"));
        let gate = dir.join("gate");
        drop(DurableFencer::open_or_create(&gate).unwrap());
        assert!(refused(DurableHistory::open(&gate)).contains("durable gate file"));
    }

    #[test]
    fn one_owner_at_a_time() {
        let (_dir, path) = scratch("gate");
        let first = DurableFencer::open_or_create(&path).unwrap();
        assert!(refused(DurableFencer::open(&path)).contains("in use"));
        drop(first);
        assert!(DurableFencer::open(&path).is_ok());
    }

    /// A process spawned while a gate is open holds a copy of its lock's descriptor until it
    /// execs (or for good, if it never does); dropping the gate still releases the lock.
    #[test]
    fn a_copy_of_the_lock_descriptor_does_not_keep_the_gate() {
        let (_dir, path) = scratch("gate");
        let gate = DurableFencer::open_or_create(&path).unwrap();
        let copy = gate.0.store.lock().unwrap().lock.try_clone().unwrap();
        drop(gate);
        assert!(DurableFencer::open(&path).is_ok());
        drop(copy);
    }

    #[test]
    fn concurrent_advances_are_serialized_and_durable() {
        let (_dir, path) = scratch("gate");
        let gate = DurableFencer::open_or_create(&path).unwrap();
        let promoted: Vec<Vec<u64>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..25).map(|_| gate.promote().unwrap()).collect()))
                .collect();
            let checker = s.spawn(|| {
                for e in (0..100).rev() {
                    let v = gate.check(e).unwrap();
                    assert!(v.highest() >= e);
                }
            });
            checker.join().unwrap();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let mut all: Vec<u64> = promoted.concat();
        for run in &promoted {
            assert!(
                run.windows(2).all(|w| w[0] < w[1]),
                "each thread sees its epochs rise"
            );
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 100, "no two promotions returned the same epoch");
        let top = gate.highest();
        assert!(top >= 100);
        assert_eq!(
            top,
            *all.last().unwrap(),
            "the last promotion is the highest mark"
        );
        drop(gate);
        assert_eq!(DurableFencer::open(&path).unwrap().highest(), top);
    }

    #[test]
    fn registry_changes_survive_a_reopen() {
        let (dir, path) = scratch("registry");
        let r = DurableRegistry::open_or_create(&path)
            .unwrap()
            .with_jump_cap(10);
        assert!(r.is_empty());
        r.add("a", 3).unwrap();
        r.add("b", 0).unwrap();
        r.add("gone", 1).unwrap();
        assert_eq!(status(r.add("a", 9)), Status::StreamExists);
        assert_eq!(status(r.add("", 9)), Status::InvalidId);
        assert_eq!(r.check("a", 8), Ok(Verdict::Advanced { from: 3, to: 8 }));
        assert_eq!(
            r.check("a", 19).map(|v| v.status()),
            Ok(Status::TooFarAhead)
        );
        assert_eq!(r.promote("b"), Ok(1));
        assert_eq!(r.remove("gone"), Ok(1));
        assert_eq!(status(r.check("gone", 1)), Status::UnknownStream);
        assert_eq!(status(r.promote("gone")), Status::UnknownStream);
        assert_eq!(status(r.remove("gone")), Status::UnknownStream);
        let snap =
            Snapshot::from_json(r#"{"streams":{"a":"4","b":"50","c":"18446744073709551615"}}"#)
                .unwrap();
        r.restore(&snap).unwrap();
        assert_eq!(status(r.promote("c")), Status::EpochOverflow);
        drop(r);
        let r = DurableRegistry::open(&path).unwrap();
        assert_eq!(
            r.snapshot().to_json(),
            r#"{"streams":{"a":"8","b":"50","c":"18446744073709551615"}}"#
        );
        assert_eq!(r.len(), 3);
        // Writes fail from here on: only changes notice.
        fs::create_dir(dir.join("registry.tmp")).unwrap();
        assert_eq!(r.check("a", 8), Ok(Verdict::Current { epoch: 8 }));
        r.restore(&snap).unwrap(); // raises nothing, so writes nothing
        assert_eq!(status(r.check("a", 9)), Status::Storage);
        assert_eq!(status(r.add("d", 1)), Status::Storage);
        assert_eq!(status(r.remove("a")), Status::Storage);
        assert_eq!(status(r.promote("a")), Status::Storage);
        assert_eq!(r.highest("a"), Ok(8), "a failed write changed nothing");
        assert_eq!(r.len(), 3);
    }
}
