//! Leader-change events between two observed decision lists (SEMANTICS.md §16).

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::json::{self, opt_u64_text, quote};
use crate::{decisions_from_json, Decision, Error, Result, Status};

/// What happened to a group's leader between two observations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// The group gained a leader (it had none, or was not listed).
    Elected,
    /// The group lost its leader (it has none, or is no longer listed).
    Lost,
    /// Another leader, or the same id in a new generation or at a new epoch.
    Changed,
}

impl Change {
    /// Every change, in the order SEMANTICS.md lists them.
    pub const ALL: &'static [Change] = &[Change::Elected, Change::Lost, Change::Changed];

    /// The pinned name: `"elected"`, `"lost"` or `"changed"`.
    pub const fn name(self) -> &'static str {
        match self {
            Change::Elected => "elected",
            Change::Lost => "lost",
            Change::Changed => "changed",
        }
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One leader change of one group. The leader fields are the later observation's (`None` for
/// `lost`), the `previous_*` fields the earlier one's (`None` for `elected`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    pub event: Change,
    pub group: String,
    pub leader: Option<String>,
    #[serde(with = "opt_u64_text")]
    pub generation: Option<u64>,
    #[serde(with = "opt_u64_text")]
    pub epoch: Option<u64>,
    pub previous: Option<String>,
    #[serde(with = "opt_u64_text")]
    pub previous_generation: Option<u64>,
    #[serde(with = "opt_u64_text")]
    pub previous_epoch: Option<u64>,
}

impl Event {
    /// The pinned event JSON: every field, `null` where absent, u64 values as decimal strings.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

/// A group's leader as one observation saw it: id, generation, epoch.
type Reign<'a> = (&'a str, Option<u64>, Option<u64>);

fn reign(d: &Decision) -> Option<Reign<'_>> {
    d.leader
        .as_deref()
        .map(|id| (id, d.leader_generation, d.leader_epoch))
}

/// Each group's leader in `decisions`, by group name; `INVALID_ARGUMENT` for a group listed
/// twice (`which` names the list).
fn leaders<'a>(
    decisions: &'a [Decision],
    which: &str,
) -> Result<BTreeMap<&'a str, Option<Reign<'a>>>> {
    let mut out = BTreeMap::new();
    for d in decisions {
        if out.insert(d.group.as_str(), reign(d)).is_some() {
            return Err(Error::new(
                Status::InvalidArgument,
                format!("{which}: the group {} is listed twice", quote(&d.group)),
            ));
        }
    }
    Ok(out)
}

/// The leader changes from the decisions `previous` to the decisions `next` (SEMANTICS.md §16):
/// at most one event per group, in group-name order (UTF-8 bytes). A group listed in only one
/// of the lists counts as leaderless in the other. Every difference between the two lists'
/// leaders is reported; changes that came and went between the two observations are not seen.
/// `INVALID_ARGUMENT` when a list names a group twice.
pub fn transitions(previous: &[Decision], next: &[Decision]) -> Result<Vec<Event>> {
    let before = leaders(previous, "previous")?;
    let after = leaders(next, "next")?;
    let mut groups: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    groups.sort_unstable();
    groups.dedup();
    Ok(groups
        .into_iter()
        .filter_map(|group| {
            let was = before.get(group).copied().flatten();
            let is = after.get(group).copied().flatten();
            let event = match (was, is) {
                (None, Some(_)) => Change::Elected,
                (Some(_), None) => Change::Lost,
                (Some(a), Some(b)) if a != b => Change::Changed,
                _ => return None,
            };
            Some(Event {
                event,
                group: group.to_owned(),
                leader: is.map(|(id, _, _)| id.to_owned()),
                generation: is.and_then(|(_, g, _)| g),
                epoch: is.and_then(|(_, _, e)| e),
                previous: was.map(|(id, _, _)| id.to_owned()),
                previous_generation: was.and_then(|(_, g, _)| g),
                previous_epoch: was.and_then(|(_, _, e)| e),
            })
        })
        .collect())
}

/// [`transitions`] over two decision lists in their pinned JSON (arrays of decision objects,
/// as [`decisions_to_json`](crate::decisions_to_json) writes them); the events as a JSON array.
/// A list that is not decisions JSON is `INVALID_ARGUMENT`, with the path and cause.
pub fn transitions_json(previous: &str, next: &str) -> Result<String> {
    let parse = |which: &str, text: &str| {
        decisions_from_json(text)
            .map_err(|e| Error::new(e.status(), format!("{which}: {}", e.message())))
    };
    let events = transitions(&parse("previous", previous)?, &parse("next", next)?)?;
    Ok(json::to_json(&events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{elect_leaders, Policy, View};

    fn decide(view: &str) -> Vec<Decision> {
        elect_leaders(&View::from_json(view).unwrap(), &Policy::default()).unwrap()
    }

    #[test]
    fn every_kind_of_change_in_group_order() {
        let before = decide(
            r#"{"groups":{"b":{"members":[{"id":"x","live":true,"epoch":"3"}]},
                "c":{"members":[{"id":"x","live":true}]},
                "d":{"members":[{"id":"x","live":true}]}}}"#,
        );
        let after = decide(
            r#"{"groups":{"a":{"members":[{"id":"y","live":true}]},
                "b":{"members":[{"id":"x","live":true,"epoch":"4"}]},
                "c":{"members":[{"id":"x","live":false}]},
                "d":{"members":[{"id":"x","live":true}]}}}"#,
        );
        let events = transitions(&before, &after).unwrap();
        let json: Vec<String> = events.iter().map(Event::to_json).collect();
        assert_eq!(
            json,
            [
                r#"{"event":"elected","group":"a","leader":"y","generation":"0","epoch":"0","previous":null,"previous_generation":null,"previous_epoch":null}"#,
                r#"{"event":"changed","group":"b","leader":"x","generation":"0","epoch":"4","previous":"x","previous_generation":"0","previous_epoch":"3"}"#,
                r#"{"event":"lost","group":"c","leader":null,"generation":null,"epoch":null,"previous":"x","previous_generation":"0","previous_epoch":"0"}"#,
            ]
        );
        assert_eq!(transitions(&after, &after), Ok(vec![]));
        let text = transitions_json(
            &crate::decisions_to_json(&before),
            &crate::decisions_to_json(&after),
        )
        .unwrap();
        assert_eq!(text, format!("[{}]", json.join(",")));
    }

    #[test]
    fn a_group_listed_twice_or_bad_json_is_refused() {
        let list = decide(r#"{"groups":{"g":{"members":[]}}}"#);
        let twice = [list.clone(), list.clone()].concat();
        let e = transitions(&twice, &list).unwrap_err();
        assert_eq!(e.status(), Status::InvalidArgument);
        assert!(e.message().contains("previous"), "{e}");
        for bad in ["{}", "[1]", "[{\"group\":\"\"}]", "[] []", "[[\"g\"]]"] {
            let e = transitions_json(bad, "[]").unwrap_err();
            assert_eq!(e.status(), Status::InvalidArgument, "{bad}");
        }
    }
}
