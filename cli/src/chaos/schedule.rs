//! The nemesis's schedule: faults, each followed by a heal and a quiet period, drawn from a seed
//! (or read from a file, for a fixed schedule), printed and replayable. A seed replays the
//! schedule, not the thread interleaving: a fault aimed at "the leader" hits whichever node
//! leads when it starts.

use anyhow::{bail, Context, Result};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// One fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    /// These nodes are cut off from the rest (a minority, or a majority when more than half).
    Partition { side: Vec<usize> },
    /// The leader is cut off from every other node (in a namespace network: its cable is
    /// pulled at the bridge).
    IsolateLeader,
    /// `left` and the rest cannot reach each other; `bridge` reaches both (non-transitive).
    Bridge { left: Vec<usize>, bridge: usize },
    /// A partition of `side` from the rest, made and healed every `period_ms`.
    Flap { side: Vec<usize>, period_ms: u64 },
    /// Every datagram of every node is lost with this probability.
    Loss { rate: f64 },
    /// Every datagram is delayed, plus a jitter drawn per copy.
    Delay { delay_ms: u64, jitter_ms: u64 },
    /// Every datagram is sent twice with this probability.
    Duplicate { rate: f64 },
    /// The leader is stopped (SIGSTOP) for the whole step, longer than failure detection.
    PauseLeader,
    /// The leader is killed (SIGKILL) and restarted, with a new generation, at the heal.
    KillLeader,
    /// A node that is not the leader is killed and restarted at the heal.
    KillFollower,
    /// The leader is killed, and so is the next node to promote, right after it promotes (before
    /// its reign is established); both restart at the heal.
    KillPromoting,
}

/// A fault, how long it lasts, and the quiet period after its heal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(flatten)]
    pub fault: Fault,
    pub duration_ms: u64,
    pub quiet_ms: u64,
}

/// Every kind of fault, by name (for `--faults` and the report).
pub const KINDS: [&str; 11] = [
    "partition",
    "isolate-leader",
    "bridge",
    "flap",
    "loss",
    "delay",
    "duplicate",
    "pause-leader",
    "kill-leader",
    "kill-follower",
    "kill-promoting",
];

impl Fault {
    /// The fault's kind, one of [`KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Partition { .. } => "partition",
            Fault::IsolateLeader => "isolate-leader",
            Fault::Bridge { .. } => "bridge",
            Fault::Flap { .. } => "flap",
            Fault::Loss { .. } => "loss",
            Fault::Delay { .. } => "delay",
            Fault::Duplicate { .. } => "duplicate",
            Fault::PauseLeader => "pause-leader",
            Fault::KillLeader => "kill-leader",
            Fault::KillFollower => "kill-follower",
            Fault::KillPromoting => "kill-promoting",
        }
    }
}

/// `k` distinct nodes of `0..n`, in order.
fn pick(rng: &mut ChaCha8Rng, n: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    let mut chosen = all[..k].to_vec();
    chosen.sort_unstable();
    chosen
}

/// `steps` faults of the kinds named in `kinds` for `n` nodes, drawn from `seed`.
pub fn generate(seed: u64, n: usize, steps: usize, kinds: &[String]) -> Result<Vec<Step>> {
    if n < 3 {
        bail!("a nemesis needs at least 3 nodes, not {n}");
    }
    for kind in kinds {
        if !KINDS.contains(&kind.as_str()) {
            bail!("unknown fault {kind:?} (known: {})", KINDS.join(", "));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut schedule = Vec::with_capacity(steps);
    for _ in 0..steps {
        let kind = kinds[rng.random_range(0..kinds.len())].as_str();
        let minority = n.div_ceil(2) - 1; // the largest minority
        let fault = match kind {
            "partition" => {
                // A minority or a majority side, of any size that leaves both sides non-empty.
                let size = rng.random_range(1..n);
                Fault::Partition {
                    side: pick(&mut rng, n, size),
                }
            }
            "isolate-leader" => Fault::IsolateLeader,
            "bridge" => {
                let size = 1 + rng.random_range(1..=minority);
                let chosen = pick(&mut rng, n, size);
                let bridge = chosen[rng.random_range(0..chosen.len())];
                Fault::Bridge {
                    left: chosen.into_iter().filter(|&i| i != bridge).collect(),
                    bridge,
                }
            }
            "flap" => {
                let size = rng.random_range(1..=minority);
                Fault::Flap {
                    side: pick(&mut rng, n, size),
                    period_ms: rng.random_range(200..=600),
                }
            }
            "loss" => Fault::Loss {
                rate: f64::from(rng.random_range(1..=20u32)) / 100.0,
            },
            "delay" => Fault::Delay {
                delay_ms: rng.random_range(0..=30),
                jitter_ms: rng.random_range(5..=40),
            },
            "duplicate" => Fault::Duplicate {
                rate: f64::from(rng.random_range(5..=50u32)) / 100.0,
            },
            "pause-leader" => Fault::PauseLeader,
            "kill-leader" => Fault::KillLeader,
            "kill-follower" => Fault::KillFollower,
            _ => Fault::KillPromoting,
        };
        schedule.push(Step {
            fault,
            duration_ms: rng.random_range(2000..=4000),
            quiet_ms: 4000,
        });
    }
    Ok(schedule)
}

/// A fixed schedule from a JSON file: `[{"fault": "isolate-leader", "duration_ms": 2500,
/// "quiet_ms": 4000}, ...]`, with node numbers below `n`.
pub fn read(path: &std::path::Path, n: usize) -> Result<Vec<Step>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let steps: Vec<Step> =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    for step in &steps {
        let nodes: Vec<usize> = match &step.fault {
            Fault::Partition { side } | Fault::Flap { side, .. } => side.clone(),
            Fault::Bridge { left, bridge } => left.iter().copied().chain([*bridge]).collect(),
            _ => Vec::new(),
        };
        if let Some(bad) = nodes.iter().find(|&&i| i >= n) {
            bail!("{}: node {bad} in a cluster of {n}", path.display());
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<String> {
        KINDS.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn a_seed_replays_its_schedule_and_another_seed_differs() {
        let a = generate(42, 5, 20, &all_kinds()).unwrap();
        assert_eq!(a, generate(42, 5, 20, &all_kinds()).unwrap());
        assert_ne!(a, generate(43, 5, 20, &all_kinds()).unwrap());
    }

    #[test]
    fn every_kind_is_drawn_and_every_fault_fits_the_cluster() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..20 {
            for n in [3, 5, 9] {
                for step in generate(seed, n, 20, &all_kinds()).unwrap() {
                    seen.insert(step.fault.kind());
                    assert!((2000..=4000).contains(&step.duration_ms));
                    match &step.fault {
                        Fault::Partition { side } => assert!(!side.is_empty() && side.len() < n),
                        Fault::Flap { side, period_ms } => {
                            assert!(!side.is_empty() && 2 * side.len() < n);
                            assert!((200..=600).contains(period_ms));
                        }
                        Fault::Bridge { left, bridge } => {
                            // Both sides non-empty, the bridge on neither.
                            assert!(!left.is_empty() && !left.contains(bridge));
                            assert!(left.len() + 1 < n);
                        }
                        Fault::Loss { rate } => assert!((0.01..=0.20).contains(rate)),
                        Fault::Duplicate { rate } => assert!((0.05..=0.50).contains(rate)),
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(seen.len(), KINDS.len(), "{seen:?}");
    }

    #[test]
    fn only_the_kinds_asked_for_are_drawn() {
        let kinds = vec!["loss".to_owned(), "kill-leader".to_owned()];
        for step in generate(7, 5, 50, &kinds).unwrap() {
            assert!(kinds.iter().any(|k| k == step.fault.kind()));
        }
        assert!(generate(7, 5, 1, &["netem".to_owned()]).is_err());
        assert!(generate(7, 2, 1, &kinds).is_err());
    }

    #[test]
    fn a_fixed_schedule_is_read_and_checked_against_the_cluster() {
        let dir = std::env::temp_dir().join(format!("tael-chaos-schedule-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        std::fs::write(
            &path,
            r#"[{"fault": "partition", "side": [0, 4], "duration_ms": 10, "quiet_ms": 20},
                {"fault": "kill-leader", "duration_ms": 30, "quiet_ms": 40}]"#,
        )
        .unwrap();
        let steps = read(&path, 5).unwrap();
        assert_eq!(steps[0].fault, Fault::Partition { side: vec![0, 4] });
        assert_eq!((steps[1].duration_ms, steps[1].quiet_ms), (30, 40));
        let error = read(&path, 3).unwrap_err().to_string();
        assert!(error.contains("node 4 in a cluster of 3"), "{error}");
        std::fs::write(
            &path,
            r#"[{"fault": "netem", "duration_ms": 1, "quiet_ms": 1}]"#,
        )
        .unwrap();
        assert!(read(&path, 5).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
