//! Many gates keyed by stream name, with snapshots of their high-water marks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::election::validate_id;
use crate::json::{self, id_map, quote, u64_text};
use crate::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use crate::{EpochFencer, Error, Result, Status, Verdict};

/// The high-water marks of a registry's streams.
///
/// JSON: `{"streams": {"<stream>": "<highest>"}}`, u64 values written as decimal strings (an
/// exact JSON integer is accepted on input). Unknown fields are refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    #[serde(deserialize_with = "id_map::deserialize")]
    pub streams: BTreeMap<String, Mark>,
}

/// One stream's high-water mark in a [`Snapshot`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mark(#[serde(with = "u64_text")] pub u64);

impl Snapshot {
    /// Parse a snapshot; a malformed one is `INVALID_SNAPSHOT` with the path and cause.
    pub fn from_json(text: &str) -> Result<Snapshot> {
        json::from_json(text, Status::InvalidSnapshot)
    }

    /// The snapshot as compact JSON.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

/// Epoch gates keyed by stream (or resource) name. Thread-safe: checks on different or equal
/// streams run in parallel under a shared lock (each gate is lock-free); adding, removing and
/// restoring take the lock exclusively.
#[derive(Debug, Default)]
pub struct FenceRegistry {
    streams: RwLock<BTreeMap<String, EpochFencer>>,
    jump_cap: Option<u64>,
}

fn unknown(stream: &str) -> Error {
    Error::new(
        Status::UnknownStream,
        format!("the registry has no stream {}", quote(stream)),
    )
}

impl FenceRegistry {
    /// An empty registry whose gates have no jump cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// This registry with a jump cap on every gate it holds or creates.
    pub fn with_jump_cap(self, cap: u64) -> Self {
        let mut streams = self.into_streams();
        for gate in streams.values_mut() {
            *gate = std::mem::take(gate).with_jump_cap(cap);
        }
        FenceRegistry {
            streams: RwLock::new(streams),
            jump_cap: Some(cap),
        }
    }

    /// The jump cap of the registry's gates, if any.
    pub fn jump_cap(&self) -> Option<u64> {
        self.jump_cap
    }

    fn into_streams(self) -> BTreeMap<String, EpochFencer> {
        self.streams.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    // Gates are valid at every step, so a poisoned lock still guards good state.
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, EpochFencer>> {
        self.streams.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, EpochFencer>> {
        self.streams.write().unwrap_or_else(|e| e.into_inner())
    }

    fn gate(&self, highest: u64) -> EpochFencer {
        let gate = EpochFencer::with_highest(highest);
        match self.jump_cap {
            Some(cap) => gate.with_jump_cap(cap),
            None => gate,
        }
    }

    /// Add a stream whose gate starts at `highest`. `INVALID_ID` for a bad name,
    /// `STREAM_EXISTS` if it is already there (its gate is left as it was).
    pub fn add(&self, stream: &str, highest: u64) -> Result<()> {
        validate_id(stream)?;
        let mut streams = self.write();
        if streams.contains_key(stream) {
            return Err(Error::new(
                Status::StreamExists,
                format!("the registry already has a stream {}", quote(stream)),
            ));
        }
        streams.insert(stream.to_owned(), self.gate(highest));
        Ok(())
    }

    /// Judge a record of `stream` stamped with `epoch` (as [`EpochFencer::check`]).
    /// `UNKNOWN_STREAM` if the stream is not registered.
    pub fn check(&self, stream: &str, epoch: u64) -> Result<Verdict> {
        Ok(self
            .read()
            .get(stream)
            .ok_or_else(|| unknown(stream))?
            .check(epoch))
    }

    /// Promote `stream`'s gate (as [`EpochFencer::promote`]).
    pub fn promote(&self, stream: &str) -> Result<u64> {
        self.read()
            .get(stream)
            .ok_or_else(|| unknown(stream))?
            .promote()
    }

    /// The highest epoch `stream` has accepted.
    pub fn highest(&self, stream: &str) -> Result<u64> {
        Ok(self
            .read()
            .get(stream)
            .ok_or_else(|| unknown(stream))?
            .highest())
    }

    /// Remove `stream`, returning its last highest epoch.
    pub fn remove(&self, stream: &str) -> Result<u64> {
        Ok(self
            .write()
            .remove(stream)
            .ok_or_else(|| unknown(stream))?
            .highest())
    }

    /// The number of streams.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the registry has no stream.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Every stream's high-water mark, read under one lock (a consistent cut).
    pub fn snapshot(&self) -> Snapshot {
        let mut streams = BTreeMap::new();
        for (name, gate) in self.read().iter() {
            streams.insert(name.clone(), Mark(gate.highest()));
        }
        Snapshot { streams }
    }

    /// Merge a snapshot: a missing stream is added at its mark; an existing one is raised to
    /// the mark if that is higher and never lowered, so a stale snapshot cannot readmit a
    /// deposed leader. Streams absent from the snapshot are kept. The jump cap does not apply:
    /// a snapshot is a trusted record of marks already reached.
    pub fn restore(&self, snapshot: &Snapshot) -> Result<()> {
        for name in snapshot.streams.keys() {
            validate_id(name)?;
        }
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
        assert_eq!(r.remove("x"), Ok(0));
        assert!(r.is_empty());
    }
}
