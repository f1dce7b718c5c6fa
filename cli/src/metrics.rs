//! The dashboard server's `GET /metrics`: the cluster as the observer sees it, in the
//! OpenMetrics text format (prometheus-client). The names are pinned in SEMANTICS.md §16:
//!
//! - `tael_group_leader{group, leader, epoch}`: 1 for the group's leader, with its announced epoch
//!   as exact decimal text (no sample without a leader);
//! - `tael_group_has_leader{group}`: 1 with a leader, 0 without;
//! - `tael_group_leader_epoch{group}`: the leader's announced epoch as a number (no sample
//!   without a leader). Prometheus values are 64-bit floats, exact only up to 2^53: the `epoch`
//!   label of `tael_group_leader` is the exact one;
//! - `tael_group_claimants{group}`: how many other live members claim to lead (split brain when
//!   above 0);
//! - `tael_gate_verdicts_total{node, verdict}`: the verdicts of each node's gate, as the node
//!   gossips them under `tael.counters` (its newest generation's; nodes that do not count have
//!   none).
//!
//! Groups are decided with the policy the view carries (the cluster's own), as the page does.

use std::collections::BTreeMap;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tael_coord::{elect_leaders, Counters, Decision, View};

/// The content type of the answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupLabels {
    group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LeaderLabels {
    group: String,
    leader: String,
    epoch: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    node: String,
    verdict: String,
}

/// The metrics text for `view` and each node's counters (by node id).
pub fn render(view: &View, counters: &BTreeMap<String, Counters>) -> String {
    let policy = view.policy.unwrap_or_default();
    let decisions = elect_leaders(view, &policy).unwrap_or_default();
    render_decisions(&decisions, counters)
}

fn render_decisions(decisions: &[Decision], counters: &BTreeMap<String, Counters>) -> String {
    let mut registry = Registry::default();
    let leader = Family::<LeaderLabels, Gauge>::default();
    let has_leader = Family::<GroupLabels, Gauge>::default();
    let epoch = Family::<GroupLabels, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
    let claimants = Family::<GroupLabels, Gauge>::default();
    let verdicts = Family::<VerdictLabels, Counter>::default();
    for d in decisions {
        let group = GroupLabels {
            group: d.group.clone(),
        };
        has_leader
            .get_or_create(&group)
            .set(i64::from(d.leader.is_some()));
        claimants
            .get_or_create(&group)
            .set(i64::try_from(d.claimants.len()).unwrap_or(i64::MAX));
        if let (Some(id), Some(e)) = (&d.leader, d.leader_epoch) {
            let labels = LeaderLabels {
                group: d.group.clone(),
                leader: id.clone(),
                epoch: e.to_string(),
            };
            leader.get_or_create(&labels).set(1);
            // As a float, as Prometheus keeps every value (exact below 2^53).
            epoch.get_or_create(&group).set(e as f64);
        }
    }
    for (node, c) in counters {
        for (status, count) in c.by_status() {
            let labels = VerdictLabels {
                node: node.clone(),
                verdict: status.name().to_owned(),
            };
            verdicts.get_or_create(&labels).inc_by(count);
        }
    }
    registry.register(
        "tael_group_leader",
        "1 for the leader of each group that has one",
        leader,
    );
    registry.register(
        "tael_group_has_leader",
        "Whether the group has a leader (1) or not (0)",
        has_leader,
    );
    registry.register(
        "tael_group_leader_epoch",
        "The epoch the group's leader announced",
        epoch,
    );
    registry.register(
        "tael_group_claimants",
        "Live members other than the leader that claim to lead",
        claimants,
    );
    registry.register(
        "tael_gate_verdicts",
        "Verdicts of each node's gate, by verdict",
        verdicts,
    );
    let mut text = String::new();
    encode(&mut text, &registry).expect("writing to a String cannot fail");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_written_with_its_labels() {
        let view = View::from_json(
            r#"{"groups":{"wal-0":{"members":[
                {"id":"a","live":true,"epoch":"18446744073709551615","claims_epoch":"7"},
                {"id":"b","live":true,"claims_epoch":"6"}]},
                "wal-1":{"members":[{"id":"c","live":false}]}}}"#,
        )
        .unwrap();
        let counters = BTreeMap::from([(
            "a".to_owned(),
            Counters {
                current: 3,
                closed: 1,
                ..Counters::default()
            },
        )]);
        let text = render(&view, &counters);
        for line in [
            "tael_group_leader{group=\"wal-0\",leader=\"a\",epoch=\"18446744073709551615\"} 1",
            "tael_group_has_leader{group=\"wal-0\"} 1",
            "tael_group_has_leader{group=\"wal-1\"} 0",
            "tael_group_leader_epoch{group=\"wal-0\"} 18446744073709553000.0",
            "tael_group_claimants{group=\"wal-0\"} 1",
            "tael_group_claimants{group=\"wal-1\"} 0",
            "tael_gate_verdicts_total{node=\"a\",verdict=\"CURRENT\"} 3",
            "tael_gate_verdicts_total{node=\"a\",verdict=\"CLOSED\"} 1",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "{line}\n{text}");
        }
        assert!(!text.contains("leader_epoch{group=\"wal-1\"}"), "{text}");
    }
}
