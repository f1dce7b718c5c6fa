//! The election policy: the toggles that shape a decision (SEMANTICS.md §8).

use serde::{Deserialize, Serialize};

use crate::json::{self, u64_text};
use crate::{Result, Status};

/// Election policy: toggles that combine, applied in one fixed order (SEMANTICS.md):
/// eligibility, freshness, quorum guard, sticky incumbent, priority, rendezvous, and last the
/// smallest id.
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
    /// Only members whose log is fresh may lead: on the freshest live member's `log_epoch`, and
    /// at most `max_lag` records behind its `log_end`.
    pub freshness: bool,
    /// How many records behind the freshest live member a candidate may be under
    /// `freshness` (ignored without it).
    #[serde(with = "u64_text")]
    pub max_lag: u64,
}

impl Policy {
    /// Parse a policy from JSON, e.g. `{"priority": true}`. Absent toggles are off and
    /// `max_lag` is 0; unknown fields, non-boolean toggles and a `max_lag` that is not a u64
    /// are `INVALID_POLICY`.
    pub fn from_json(text: &str) -> Result<Policy> {
        json::from_json(text, Status::InvalidPolicy)
    }

    /// The policy as compact JSON with every field written.
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
        // Under Miri, 8 of the 64 combinations, each toggle on in half of them.
        for bits in (0..64u8).step_by(if cfg!(miri) { 9 } else { 1 }) {
            let on = |bit: u8| bits & (1 << bit) != 0;
            let policy = Policy {
                eligibility: on(0),
                quorum_guard: on(1),
                sticky_incumbent: on(2),
                priority: on(3),
                rendezvous: on(4),
                freshness: on(5),
                max_lag: u64::from(bits) << 58,
            };
            let text = policy.to_json();
            let fields: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap();
            assert_eq!(fields.len(), 7, "{text}");
            assert_eq!(fields["rendezvous"], policy.rendezvous, "{text}");
            assert_eq!(fields["max_lag"], policy.max_lag.to_string(), "{text}");
            assert_eq!(Policy::from_json(&text), Ok(policy), "{text}");
        }
        for bad in [
            r#"{"max_lag": -1}"#,
            r#"{"max_lag": true}"#,
            r#"{"freshness": 1}"#,
        ] {
            let e = Policy::from_json(bad).unwrap_err();
            assert_eq!(e.status(), Status::InvalidPolicy, "{bad}");
        }
    }
}
