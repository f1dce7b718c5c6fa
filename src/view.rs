//! Membership views: what a node believes about every replication group, as pinned JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::election::validate_id;
use crate::json::{self, id, id_map, objects, opt_id, opt_object, opt_u64_text, quote, u64_text};
use crate::{Policy, Result, Status};

/// A membership view of many replication groups, keyed by group name.
///
/// JSON (SEMANTICS.md pins it): `{"groups": {"<group>": {"members": [...], "incumbent": ...,
/// "handover_to": ..., "configured": ...}}, "policy": {...}}`. Unknown fields are refused, so a misspelt field
/// never silently changes a decision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// The groups, by name (ordered by UTF-8 bytes).
    #[serde(deserialize_with = "id_map::objects")]
    pub groups: BTreeMap<String, Group>,
    /// The policy the cluster that wrote the view decides with, if it says. Carried, never
    /// applied by [`elect_leaders`](crate::elect_leaders): its caller chooses the policy, e.g.
    /// this one to agree with the cluster, or another to ask "what if".
    #[serde(
        default,
        deserialize_with = "opt_object::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub policy: Option<Policy>,
}

/// One replication group as a node sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The members, in the order gossip listed them. One id may appear more than once (e.g. a
    /// restarted node seen with its old and new generation); it counts once.
    #[serde(deserialize_with = "objects::deserialize")]
    pub members: Vec<Member>,
    /// The member that currently leads, for the sticky-incumbent policy.
    #[serde(
        default,
        deserialize_with = "opt_id::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub incumbent: Option<String>,
    /// The member a leaving leader hands over to: when it is a candidate, it leads (before
    /// every ranking rule).
    #[serde(
        default,
        deserialize_with = "opt_id::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub handover_to: Option<String>,
    /// How many members the group is configured to have, for the quorum guard. When absent,
    /// the number of distinct ids listed.
    #[serde(
        default,
        with = "opt_u64_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub configured: Option<u64>,
}

/// One member of a group as a node sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The node id.
    #[serde(deserialize_with = "id::deserialize")]
    pub id: String,
    /// Whether the node is live in this view.
    pub live: bool,
    /// The node's incarnation (bumped on every restart); default 0.
    #[serde(default, with = "u64_text")]
    pub generation: u64,
    /// Leadership priority, higher wins under the priority policy; default 0.
    #[serde(default, with = "u64_text")]
    pub priority: u64,
    /// Whether the node may lead under the eligibility policy; default true.
    #[serde(default = "yes")]
    pub eligible: bool,
    /// The last epoch this member announced; default 0.
    #[serde(default, with = "u64_text")]
    pub epoch: u64,
    /// The epoch of the last record in the member's log, for the freshness policy; default 0.
    #[serde(default, with = "u64_text")]
    pub log_epoch: u64,
    /// The member's log end offset, for the freshness policy; default 0.
    #[serde(default, with = "u64_text")]
    pub log_end: u64,
    /// Whether the member is leaving (a clean shutdown): it may not lead, but still counts as
    /// live for the quorum guard; default false.
    #[serde(default)]
    pub leaving: bool,
    /// The epoch at which the member claims to lead (it believes it is the leader), if it does:
    /// listed in decisions as a claimant unless it is the leader (SEMANTICS.md §16).
    #[serde(
        default,
        with = "opt_u64_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub claims_epoch: Option<u64>,
}

fn yes() -> bool {
    true
}

impl Member {
    /// A live, eligible member with generation, priority, epoch and log position 0.
    pub fn live(id: impl Into<String>) -> Self {
        Member {
            id: id.into(),
            live: true,
            generation: 0,
            priority: 0,
            eligible: true,
            epoch: 0,
            log_epoch: 0,
            log_end: 0,
            leaving: false,
            claims_epoch: None,
        }
    }
}

impl View {
    /// Parse a view from its JSON text. A malformed view is `INVALID_VIEW` with the path and
    /// cause, e.g. `at groups.wal-0.members[1].generation: -1 is negative; expected a u64`.
    pub fn from_json(text: &str) -> Result<View> {
        json::from_json(text, Status::InvalidView)
    }

    /// The view as compact JSON (u64 values as decimal strings).
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }

    /// Check the id rules on a view built in code (a parsed view has passed them already):
    /// every group name, member id and incumbent must be a valid id. `INVALID_VIEW` otherwise.
    pub fn validate(&self) -> Result<()> {
        let fail = |path: String, e: crate::Error| {
            Err(crate::Error::new(
                Status::InvalidView,
                format!("at {path}: {}", e.message()),
            ))
        };
        for (name, group) in &self.groups {
            if let Err(e) = validate_id(name) {
                return fail(format!("groups.{}", quote(name)), e);
            }
            for (i, member) in group.members.iter().enumerate() {
                if let Err(e) = validate_id(&member.id) {
                    return fail(format!("groups.{name}.members[{i}].id"), e);
                }
            }
            if let Some(Err(e)) = group.incumbent.as_deref().map(validate_id) {
                return fail(format!("groups.{name}.incumbent"), e);
            }
            if let Some(Err(e)) = group.handover_to.as_deref().map(validate_id) {
                return fail(format!("groups.{name}.handover_to"), e);
            }
        }
        Ok(())
    }
}
