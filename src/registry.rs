//! Many gates keyed by stream name, in memory ([`FenceRegistry`]), and the registry errors every
//! registry reports.

use std::collections::BTreeMap;

use crate::election::validate_id;
use crate::json::quote;
use crate::snapshot::{validate_names, Mark, Snapshot};
use crate::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use crate::{EpochFencer, Error, GateRegistry, Result, Status, Verdict};

/// Epoch gates keyed by stream (or resource) name; its operations are those of
/// [`GateRegistry`]. Thread-safe: checks on different or equal streams run in parallel under a
/// shared lock (each gate is lock-free); adding, removing and restoring take the lock
/// exclusively.
#[derive(Debug, Default)]
pub struct FenceRegistry {
    streams: RwLock<BTreeMap<String, EpochFencer>>,
    jump_cap: Option<u64>,
}

/// `UNKNOWN_STREAM` for `stream`.
pub(crate) fn unknown_stream(stream: &str) -> Error {
    Error::new(
        Status::UnknownStream,
        format!("the registry has no stream {}", quote(stream)),
    )
}

/// `STREAM_EXISTS` for `stream`.
pub(crate) fn stream_exists(stream: &str) -> Error {
    Error::new(
        Status::StreamExists,
        format!("the registry already has a stream {}", quote(stream)),
    )
}

impl FenceRegistry {
    /// An empty registry whose gates have no jump cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// This registry with a jump cap (`None` for none) on every gate it holds or creates.
    pub fn with_jump_cap(self, cap: impl Into<Option<u64>>) -> Self {
        let jump_cap = cap.into();
        let mut streams = self.streams.into_inner().unwrap_or_else(|e| e.into_inner());
        for gate in streams.values_mut() {
            *gate = std::mem::take(gate).with_jump_cap(jump_cap);
        }
        FenceRegistry {
            streams: RwLock::new(streams),
            jump_cap,
        }
    }

    // Gates are valid at every step, so a poisoned lock still guards good state.
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, EpochFencer>> {
        self.streams.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, EpochFencer>> {
        self.streams.write().unwrap_or_else(|e| e.into_inner())
    }

    fn gate(&self, highest: u64) -> EpochFencer {
        EpochFencer::with_highest(highest).with_jump_cap(self.jump_cap)
    }

    /// `f` applied to `stream`'s gate, or `UNKNOWN_STREAM`.
    fn with<T>(&self, stream: &str, f: impl FnOnce(&EpochFencer) -> T) -> Result<T> {
        self.read()
            .get(stream)
            .map(f)
            .ok_or_else(|| unknown_stream(stream))
    }
}

impl GateRegistry for FenceRegistry {
    fn add(&self, stream: &str, highest: u64) -> Result<()> {
        validate_id(stream)?;
        let mut streams = self.write();
        if streams.contains_key(stream) {
            return Err(stream_exists(stream));
        }
        streams.insert(stream.to_owned(), self.gate(highest));
        Ok(())
    }

    fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        self.with(stream, |gate| gate.check(epoch))
    }

    fn check_and_advance(&self, stream: &str, epoch: u64) -> Result<bool> {
        self.with(stream, |gate| gate.check_and_advance(epoch))
    }

    fn promote_to_at_least(&self, stream: &str, floor: u64) -> Result<u64> {
        self.with(stream, |gate| gate.promote_to_at_least(floor))?
    }

    fn highest(&self, stream: &str) -> Result<u64> {
        self.with(stream, EpochFencer::highest)
    }

    fn remove(&self, stream: &str) -> Result<u64> {
        self.write()
            .remove(stream)
            .map(|gate| gate.highest())
            .ok_or_else(|| unknown_stream(stream))
    }

    fn contains(&self, stream: &str) -> bool {
        self.read().contains_key(stream)
    }

    fn len(&self) -> usize {
        self.read().len()
    }

    fn jump_cap(&self) -> Option<u64> {
        self.jump_cap
    }

    fn snapshot(&self) -> Snapshot {
        let streams = self
            .read()
            .iter()
            .map(|(name, gate)| (name.clone(), Mark(gate.highest())))
            .collect();
        Snapshot { streams }
    }

    fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        validate_names(snapshot)?;
        let mut streams = self.write();
        for (name, &Mark(mark)) in &snapshot.streams {
            match streams.get(name) {
                Some(gate) => gate.raise_to(mark),
                None => {
                    streams.insert(name.clone(), self.gate(mark));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_keeps_the_max() {
        let r = FenceRegistry::new();
        r.add("a", 9).unwrap();
        let snap =
            Snapshot::from_json(r#"{"streams":{"a":"4","b":"18446744073709551615"}}"#).unwrap();
        r.restore(&snap).unwrap();
        assert_eq!(r.highest("a"), Ok(9));
        assert_eq!(r.highest("b"), Ok(u64::MAX));
        assert_eq!(
            r.snapshot().to_json(),
            r#"{"streams":{"a":"9","b":"18446744073709551615"}}"#
        );
    }

    #[test]
    fn errors_are_typed() {
        let r = FenceRegistry::new().with_jump_cap(10);
        assert_eq!(r.check("x", 1).unwrap_err().status(), Status::UnknownStream);
        r.add("x", 0).unwrap();
        assert_eq!(r.add("x", 0).unwrap_err().status(), Status::StreamExists);
        assert_eq!(r.add("", 0).unwrap_err().status(), Status::InvalidId);
        assert_eq!(r.check("x", 11).unwrap().status(), Status::TooFarAhead);
        assert!(r.contains("x"));
        assert_eq!(
            r.promote_to_at_least("x", 40),
            Ok(40),
            "the cap does not apply"
        );
        assert_eq!(r.promote_to_at_least("x", 0), Ok(41));
        assert_eq!(r.remove("x"), Ok(41));
        assert!(!r.contains("x"));
        assert_eq!(
            r.promote_to_at_least("x", 1).unwrap_err().status(),
            Status::UnknownStream
        );
        assert!(r.is_empty());
    }

    /// A snapshot built in code is held to the id rules a parsed one meets (§9): restoring a
    /// bad name is `INVALID_ID` and changes nothing.
    #[test]
    fn restore_checks_names() {
        let r = FenceRegistry::new();
        r.add("a", 1).unwrap();
        for bad in ["", "a\u{0}", &"x".repeat(256)] {
            let snapshot = Snapshot {
                streams: [("b".to_owned(), Mark(5)), (bad.to_owned(), Mark(2))].into(),
            };
            assert_eq!(
                r.restore(&snapshot).unwrap_err().status(),
                Status::InvalidId
            );
            assert_eq!(r.snapshot().to_json(), r#"{"streams":{"a":"1"}}"#);
        }
    }
}
