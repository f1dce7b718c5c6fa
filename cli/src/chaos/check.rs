//! The checker: reads what every node reported during a run and the logs they hold at its end,
//! and counts what the safe configuration promises never happens.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

/// A line a node printed, and when the harness read it (ms since the run started).
#[derive(Clone, Debug)]
pub struct Event {
    pub node: String,
    pub body: Value,
    pub t: u64,
}

impl Event {
    fn ev(&self) -> &str {
        self.body["ev"].as_str().unwrap_or("")
    }

    fn u64(&self, field: &str) -> Option<u64> {
        tael_coord::parse_u64(self.body[field].as_str()?).ok()
    }
}

/// The counts (every one 0 in the safe configuration) and what the run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Acknowledged writes missing from the final leader's log.
    pub lost_acked: u64,
    /// Replicas whose final log is not a prefix of the leader's.
    pub not_prefix: u64,
    /// Epochs whose records come from two different holders in the final logs.
    pub two_holders: u64,
    /// Messages of a reign that a replica acted on after it had seen a newer epoch: each record
    /// it appended, and each truncation it made, at that reign's word.
    pub stale_accepts: u64,
    /// Promotions during quiet periods: after a heal, once a leader serves, until the next fault.
    pub quiet_changes: u64,
    /// 1 when no node leads once the network is healed at the end.
    pub no_final_leader: u64,
}

impl Counts {
    /// The counts by name, in the order of the report.
    pub fn named(&self) -> [(&'static str, u64); 6] {
        [
            ("lost_acked", self.lost_acked),
            ("not_prefix", self.not_prefix),
            ("two_holders", self.two_holders),
            ("stale_accepts", self.stale_accepts),
            ("quiet_changes", self.quiet_changes),
            ("no_final_leader", self.no_final_leader),
        ]
    }

    /// Whether every count is 0.
    pub fn clean(&self) -> bool {
        self.named().iter().all(|(_, n)| *n == 0)
    }

    /// `name n, name n, ...`, for the report.
    pub fn summary(&self) -> String {
        let named: Vec<String> = self
            .named()
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        named.join(", ")
    }

    /// Adds another run's counts to these.
    pub fn add(&mut self, other: &Counts) {
        self.lost_acked += other.lost_acked;
        self.not_prefix += other.not_prefix;
        self.two_holders += other.two_holders;
        self.stale_accepts += other.stale_accepts;
        self.quiet_changes += other.quiet_changes;
        self.no_final_leader += other.no_final_leader;
    }
}

/// What the run did, beside the counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Activity {
    pub writes: u64,
    pub acked: u64,
    pub refused: u64,
    pub promotions: u64,
    pub established: u64,
    pub truncated_records: u64,
    pub final_leader: Option<String>,
    pub final_log_end: u64,
}

/// The records of a final log, `(epoch, holder, value)`.
fn records(dump: &Value) -> Vec<(u64, String, String)> {
    dump["log"]["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                tael_coord::parse_u64(r.get(0)?.as_str()?).ok()?,
                r.get(1)?.as_str()?.to_owned(),
                r.get(2)?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Checks one run: its events in the order read (each node's in the order it printed them),
/// the quiet windows `[from, to)` in ms, the number of writes sent, and each node's final dump
/// (its `log` event).
pub fn check(
    events: &[Event],
    quiet: &[(u64, u64)],
    writes: u64,
    dumps: &BTreeMap<String, Value>,
) -> (Counts, Activity) {
    let mut counts = Counts::default();
    let mut activity = Activity {
        writes,
        ..Activity::default()
    };
    let mut acked = BTreeSet::new();
    // Per node, the newest epoch it has seen admitted: its own promotions, the claims its gate
    // admitted, the reigns it took records from.
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    for event in events {
        let seen = seen.entry(event.node.as_str()).or_insert(0);
        match event.ev() {
            "promote" => {
                activity.promotions += 1;
                if quiet
                    .iter()
                    .any(|&(from, to)| (from..to).contains(&event.t))
                {
                    counts.quiet_changes += 1;
                }
                *seen = (*seen).max(event.u64("epoch").unwrap_or(0));
            }
            "vote" if event.body["accepted"] == true => {
                *seen = (*seen).max(event.u64("epoch").unwrap_or(0));
            }
            "append" => {
                let reign = event.u64("reign").unwrap_or(0);
                if reign < *seen {
                    counts.stale_accepts += 1;
                }
                *seen = (*seen).max(reign);
            }
            "established" => activity.established += 1,
            "acked" => {
                activity.acked += 1;
                if let Some(value) = event.body["value"].as_str() {
                    acked.insert(value.to_owned());
                }
            }
            "refused" => activity.refused += 1,
            "truncate" => {
                activity.truncated_records += event.body["gone"].as_u64().unwrap_or(0);
                if event.u64("reign").is_some_and(|reign| reign < *seen) {
                    counts.stale_accepts += 1;
                }
            }
            _ => {}
        }
    }

    // The final leader: the node that leads at the highest epoch.
    let leader = dumps
        .iter()
        .filter(|(_, d)| d["role"] == "leading")
        .max_by_key(|(_, d)| tael_coord::parse_u64(d["epoch"].as_str().unwrap_or("0")).ok())
        .map(|(id, _)| id.clone());
    let Some(leader) = leader else {
        counts.no_final_leader = 1;
        return (counts, activity);
    };
    let leader_log = records(&dumps[&leader]);
    activity.final_leader = Some(leader.clone());
    activity.final_log_end = leader_log.len() as u64;
    let held: BTreeSet<&str> = leader_log.iter().map(|r| r.2.as_str()).collect();
    counts.lost_acked = acked.iter().filter(|v| !held.contains(v.as_str())).count() as u64;
    let mut holders: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for dump in dumps.values() {
        let log = records(dump);
        if !leader_log.starts_with(&log) {
            counts.not_prefix += 1;
        }
        for (epoch, holder, _) in log {
            holders.entry(epoch).or_default().insert(holder);
        }
    }
    counts.two_holders = holders.values().filter(|h| h.len() > 1).count() as u64;
    (counts, activity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(node: &str, t: u64, body: Value) -> Event {
        Event {
            node: node.to_owned(),
            body,
            t,
        }
    }

    fn dump(role: &str, epoch: u64, records: &[(u64, &str, &str)]) -> Value {
        let records: Vec<Value> = records
            .iter()
            .map(|(e, h, v)| json!([e.to_string(), h, v]))
            .collect();
        json!({"ev": "log", "role": role, "epoch": epoch.to_string(),
               "log": {"records": records, "history": "[]"}})
    }

    #[test]
    fn a_clean_run_counts_nothing() {
        let events = vec![
            event("a", 10, json!({"ev": "promote", "epoch": "1"})),
            event("a", 20, json!({"ev": "acked", "value": "w1"})),
            event(
                "b",
                15,
                json!({"ev": "append", "reign": "1", "value": "w1"}),
            ),
        ];
        let dumps = BTreeMap::from([
            ("a".to_owned(), dump("leading", 1, &[(1, "a", "w1")])),
            ("b".to_owned(), dump("following", 0, &[(1, "a", "w1")])),
            ("c".to_owned(), dump("following", 0, &[])),
        ]);
        let (counts, activity) = check(&events, &[(100, 200)], 1, &dumps);
        assert!(counts.clean(), "{counts:?}");
        assert_eq!(activity.final_leader.as_deref(), Some("a"));
        assert_eq!((activity.acked, activity.promotions), (1, 1));
    }

    #[test]
    fn each_violation_is_counted() {
        let events = vec![
            event("a", 10, json!({"ev": "promote", "epoch": "1"})),
            event("a", 20, json!({"ev": "acked", "value": "w1"})),
            event("a", 21, json!({"ev": "acked", "value": "lost"})),
            event(
                "b",
                30,
                json!({"ev": "vote", "epoch": "2", "accepted": true}),
            ),
            event(
                "b",
                40,
                json!({"ev": "append", "reign": "1", "value": "w2"}),
            ),
            event("b", 41, json!({"ev": "truncate", "reign": "1", "gone": 1})),
            event("b", 42, json!({"ev": "truncate", "reign": null, "gone": 1})),
            event("b", 150, json!({"ev": "promote", "epoch": "3"})),
        ];
        let dumps = BTreeMap::from([
            (
                "a".to_owned(),
                dump("following", 0, &[(1, "a", "w1"), (1, "a", "x")]),
            ),
            (
                "b".to_owned(),
                dump("leading", 3, &[(1, "a", "w1"), (1, "c", "y")]),
            ),
        ]);
        let (counts, _) = check(&events, &[(100, 200)], 3, &dumps);
        assert_eq!(counts.lost_acked, 1);
        assert_eq!(counts.not_prefix, 1);
        assert_eq!(counts.two_holders, 1);
        assert_eq!(counts.stale_accepts, 2);
        assert_eq!(counts.quiet_changes, 1);
        assert_eq!(counts.no_final_leader, 0);
        assert_eq!(
            counts.summary(),
            "lost_acked 1, not_prefix 1, two_holders 1, stale_accepts 2, quiet_changes 1, \
             no_final_leader 0"
        );
        let mut totals = counts.clone();
        totals.add(&counts);
        assert_eq!((totals.stale_accepts, totals.lost_acked), (4, 2));
        assert!(!totals.clean());
    }

    #[test]
    fn no_leader_at_the_end_is_counted() {
        let dumps = BTreeMap::from([("a".to_owned(), dump("following", 0, &[]))]);
        let (counts, _) = check(&[], &[], 0, &dumps);
        assert_eq!(counts.no_final_leader, 1);
    }
}
