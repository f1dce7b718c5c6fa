//! The election policy: the toggles that shape a decision (SEMANTICS.md §8).

use serde::{Deserialize, Serialize};

use crate::{json, Result, Status};

/// Election policy: toggles that combine, applied in one fixed order (SEMANTICS.md):
/// eligibility, quorum guard, sticky incumbent, priority, rendezvous, and last the smallest id.
/// The default (all off) is the plain smallest-live-id rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Only members with `eligible: true` may lead.
    pub eligibility: bool,
    /// No leader unless the live members are a strict majority of `configured`.
    pub quorum_guard: bool,
    /// Keep the group's `incumbent` while it is a candidate (no flapping when a smaller id rejoins).
    pub sticky_incumbent: bool,
    /// Only the candidates of highest `priority` remain.
    pub priority: bool,
    /// The candidate with the highest [`rendezvous_score`](crate::rendezvous_score) for the
    /// group wins.
    pub rendezvous: bool,
}

impl Policy {
    /// Parse a policy from JSON, e.g. `{"priority": true}`. Absent toggles are off; unknown
    /// fields and non-boolean values are `INVALID_POLICY`.
    pub fn from_json(text: &str) -> Result<Policy> {
        json::from_json(text, Status::InvalidPolicy)
    }

    /// The policy as compact JSON with every toggle written.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §8: the JSON form writes every toggle, and reads back as the same policy.
    #[test]
    fn json_writes_every_toggle() {
        for bits in 0..32u8 {
            let on = |bit: u8| bits & (1 << bit) != 0;
            let policy = Policy {
                eligibility: on(0),
                quorum_guard: on(1),
                sticky_incumbent: on(2),
                priority: on(3),
                rendezvous: on(4),
            };
            let text = policy.to_json();
            let fields: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap();
            assert_eq!(fields.len(), 5, "{text}");
            assert_eq!(fields["rendezvous"], policy.rendezvous, "{text}");
            assert_eq!(Policy::from_json(&text), Ok(policy), "{text}");
        }
    }
}
