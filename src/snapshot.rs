//! Snapshots: the high-water marks of a registry's streams, and their JSON form (SEMANTICS.md §9).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::election::validate_id;
use crate::json::{self, id_map, u64_text};
use crate::{Result, Status};

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

/// Check every name of a snapshot built in code (a parsed one has passed already).
pub(crate) fn validate_names(snapshot: &Snapshot) -> Result<()> {
    snapshot
        .streams
        .keys()
        .try_for_each(|name| validate_id(name))
}
