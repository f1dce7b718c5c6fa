//! Epoch histories: which reign wrote each offset of a log (the leader-epoch cache of one log),
//! the point where two logs stop agreeing, and a follower's truncation step (SEMANTICS.md §15).

use serde::{Deserialize, Serialize};

use crate::election::validate_id;
use crate::json::{self, objects, opt_id, u64_text};
use crate::{Error, Result, Status};

/// One reign of a log: its epoch, the offset of its first record, and (where recorded) the
/// leader that held it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochEntry {
    #[serde(with = "u64_text")]
    pub epoch: u64,
    #[serde(with = "u64_text")]
    pub start_offset: u64,
    /// The id of the reign's leader, when the history records holders.
    #[serde(
        default,
        deserialize_with = "opt_id::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub holder: Option<String>,
}

impl EpochEntry {
    /// An entry without a holder.
    pub fn new(epoch: u64, start_offset: u64) -> Self {
        EpochEntry {
            epoch,
            start_offset,
            holder: None,
        }
    }

    /// An entry whose reign was held by `holder`.
    pub fn held(epoch: u64, start_offset: u64, holder: impl Into<String>) -> Self {
        EpochEntry {
            epoch,
            start_offset,
            holder: Some(holder.into()),
        }
    }

    /// Whether two entries name the same reign: the same epoch, and holders that do not
    /// disagree (an entry without a holder claims only its epoch).
    pub(crate) fn same_reign(&self, other: &EpochEntry) -> bool {
        self.epoch == other.epoch
            && match (&self.holder, &other.holder) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// The epoch history of one log: entries `(epoch, start_offset[, holder])` with epochs and
/// start offsets both strictly increasing. The reign of an offset is that of the entry with the
/// largest start offset at or below it. Kafka's `LeaderEpochFileCache` is the model; SEMANTICS.md
/// §15 pins every operation.
///
/// JSON: `{"entries": [{"epoch": "1", "start_offset": "0", "holder": "node-a"}, ...]}`, u64s as
/// decimal strings, `holder` written only when recorded.
///
/// ```
/// use tael_coord::{divergence_point, EpochHistory};
///
/// let mut leader = EpochHistory::new();
/// leader.assign(1, 0, None)?;
/// leader.assign(3, 8, None)?;
/// let follower = EpochHistory::from_pairs(&[(1, 0), (2, 5)])?;
/// // Offsets 5..8 of the follower were written by reign 2, which the leader never saw.
/// assert_eq!(divergence_point(&leader, 12, &follower, 9)?, 5);
/// assert_eq!(leader.end_offset_for(2, 12)?, Some((1, 8)));
/// # Ok::<(), tael_coord::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct EpochHistory {
    entries: Vec<EpochEntry>,
}

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidHistory, message)
}

impl EpochHistory {
    /// An empty history.
    pub fn new() -> Self {
        EpochHistory::default()
    }

    /// A history of these entries. Epochs and start offsets must both strictly increase
    /// (`INVALID_HISTORY`); a holder must be an id (`INVALID_ID`, `INVALID_UTF8`).
    pub fn from_entries(entries: Vec<EpochEntry>) -> Result<Self> {
        for entry in &entries {
            if let Some(holder) = &entry.holder {
                validate_id(holder)?;
            }
        }
        for (i, pair) in entries.windows(2).enumerate() {
            let (a, b) = (&pair[0], &pair[1]);
            if b.epoch <= a.epoch || b.start_offset <= a.start_offset {
                return Err(invalid(format!(
                    "entry {} (epoch {}, start {}) does not follow entry {} (epoch {}, start {}): \
                     epochs and start offsets must both strictly increase",
                    i + 1,
                    b.epoch,
                    b.start_offset,
                    i,
                    a.epoch,
                    a.start_offset
                )));
            }
        }
        Ok(EpochHistory { entries })
    }

    /// A history of `(epoch, start_offset)` pairs, without holders.
    pub fn from_pairs(pairs: &[(u64, u64)]) -> Result<Self> {
        Self::from_entries(pairs.iter().map(|&(e, s)| EpochEntry::new(e, s)).collect())
    }

    /// Parse the JSON form; a malformed history is `INVALID_HISTORY`.
    pub fn from_json(text: &str) -> Result<Self> {
        let doc: HistoryDoc = json::from_json(text, Status::InvalidHistory)?;
        Self::from_entries(doc.entries).map_err(|e| invalid(e.message().to_owned()))
    }

    /// The JSON form, compact.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[EpochEntry] {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the history has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The latest entry's epoch, `None` when empty.
    pub fn latest_epoch(&self) -> Option<u64> {
        self.entries.last().map(|e| e.epoch)
    }

    /// Record that the reign `epoch` (held by `holder`, if given) starts at `start_offset`, as
    /// Kafka's `assign`: nothing changes when this names the latest entry's reign at or after
    /// its start; otherwise every entry from the end whose epoch is at or above `epoch`, or whose
    /// start offset is at or above `start_offset`, is removed and the new entry appended.
    /// Returns whether the history changed. An invalid holder is `INVALID_ID`/`INVALID_UTF8`
    /// and changes nothing.
    pub fn assign(&mut self, epoch: u64, start_offset: u64, holder: Option<&str>) -> Result<bool> {
        if let Some(holder) = holder {
            validate_id(holder)?;
        }
        let entry = EpochEntry {
            epoch,
            start_offset,
            holder: holder.map(str::to_owned),
        };
        if !self.assign_changes(&entry) {
            return Ok(false);
        }
        while let Some(last) = self.entries.last() {
            if last.epoch >= epoch || last.start_offset >= start_offset {
                self.entries.pop();
            } else {
                break;
            }
        }
        self.entries.push(entry);
        Ok(true)
    }

    /// Whether [`assign`](Self::assign) of `entry` changes the history.
    pub(crate) fn assign_changes(&self, entry: &EpochEntry) -> bool {
        self.entries
            .last()
            .is_none_or(|last| !last.same_reign(entry) || entry.start_offset < last.start_offset)
    }

    /// The log was truncated to end at `offset`: every entry starting at or after it goes.
    /// Returns whether the history changed.
    pub fn truncate_from_end(&mut self, offset: u64) -> bool {
        let keep = self.entries.partition_point(|e| e.start_offset < offset);
        let changed = keep < self.entries.len();
        self.entries.truncate(keep);
        changed
    }

    /// Retention deleted the records before `offset`: every entry wholly before it goes, and
    /// the one covering it now starts at it. Nothing changes unless the first entry starts
    /// before `offset`. Returns whether the history changed.
    pub fn truncate_from_start(&mut self, offset: u64) -> bool {
        if self
            .entries
            .first()
            .is_none_or(|e| e.start_offset >= offset)
        {
            return false;
        }
        let covering = self.entries.partition_point(|e| e.start_offset <= offset) - 1;
        self.entries.drain(..covering);
        self.entries[0].start_offset = offset;
        true
    }

    /// Refuse a log end this history cannot belong to: one below the latest entry's start, or
    /// above 0 with no entry at all (`INVALID_HISTORY`).
    pub(crate) fn check_log_end(&self, log_end: u64) -> Result<()> {
        match self.entries.last() {
            Some(last) if last.start_offset > log_end => Err(invalid(format!(
                "the entry of epoch {} starts at {}, beyond the log's end {log_end}",
                last.epoch, last.start_offset
            ))),
            None if log_end > 0 => Err(invalid(format!(
                "the history is empty but its log ends at {log_end}; records need a reign"
            ))),
            _ => Ok(()),
        }
    }

    /// The leader's answer to a follower whose latest epoch is `epoch` (Kafka's
    /// `endOffsetFor`), for a log ending at `log_end`: `(epoch, log_end)` for the latest epoch;
    /// `None` above it and on an empty history; otherwise the largest entry at or below
    /// `epoch`, with the start offset of the entry after it (below the first entry, the asked
    /// epoch with the first entry's start). `INVALID_HISTORY` when `log_end` does not fit the
    /// history (it ends before the latest entry's start, or is above 0 with no entry).
    pub fn end_offset_for(&self, epoch: u64, log_end: u64) -> Result<Option<(u64, u64)>> {
        self.check_log_end(log_end)?;
        let Some(last) = self.entries.last() else {
            return Ok(None);
        };
        if epoch == last.epoch {
            return Ok(Some((epoch, log_end)));
        }
        if epoch > last.epoch {
            return Ok(None);
        }
        // The first entry above `epoch` exists: the latest is above it.
        let above = self.entries.partition_point(|e| e.epoch <= epoch);
        let end = self.entries[above].start_offset;
        Ok(Some(match above {
            0 => (epoch, end),
            _ => (self.entries[above - 1].epoch, end),
        }))
    }

    /// The entry whose reign wrote `offset`, if the history covers it.
    pub(crate) fn reign_at(&self, offset: u64) -> Option<&EpochEntry> {
        let at = self.entries.partition_point(|e| e.start_offset <= offset);
        at.checked_sub(1).map(|i| &self.entries[i])
    }
}

impl<'de> Deserialize<'de> for EpochHistory {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let doc = HistoryDoc::deserialize(d)?;
        EpochHistory::from_entries(doc.entries).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryDoc {
    #[serde(deserialize_with = "objects::deserialize")]
    entries: Vec<EpochEntry>,
}

/// The length of the prefix two logs share: the smallest offset `x` with
/// `max(first starts) <= x < min(log ends)` whose reigns differ (the same epoch, and holders that do not disagree),
/// or `min(log ends)` when there is none. Symmetric, and never above either end.
/// `INVALID_HISTORY` when a log end does not fit its history (as for
/// [`EpochHistory::end_offset_for`]).
///
/// When the result is below the leader's first start, the follower has nothing the leader
/// still holds: it truncates everything and resumes at the leader's first start.
pub fn divergence_point(
    leader: &EpochHistory,
    leader_log_end: u64,
    follower: &EpochHistory,
    follower_log_end: u64,
) -> Result<u64> {
    leader.check_log_end(leader_log_end)?;
    follower.check_log_end(follower_log_end)?;
    let end = leader_log_end.min(follower_log_end);
    let (Some(a), Some(b)) = (leader.entries.first(), follower.entries.first()) else {
        return Ok(end);
    };
    // Reigns change only where an entry starts: compare them at the first compared offset and
    // at every start after it, in order, until one differs.
    let first = a.start_offset.max(b.start_offset);
    let mut starts = leader
        .entries
        .iter()
        .chain(&follower.entries)
        .map(|e| e.start_offset)
        .filter(|&s| s > first && s < end)
        .collect::<Vec<_>>();
    starts.sort_unstable();
    for x in std::iter::once(first)
        .chain(starts)
        .take_while(|&x| x < end)
    {
        let (Some(l), Some(f)) = (leader.reign_at(x), follower.reign_at(x)) else {
            unreachable!("both histories start at or before {x}");
        };
        if !l.same_reign(f) {
            return Ok(x);
        }
    }
    Ok(end)
}

/// A follower's truncation step over the network (KIP-279): what it does with the leader's
/// answer to `end_offset_for(follower's latest epoch, leader's log end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Truncation {
    /// Truncate the log (and the history, [`EpochHistory::truncate_from_end`]) to this offset.
    pub offset: u64,
    /// Whether the follower is done; if not, it asks again with its new latest epoch.
    pub done: bool,
}

/// A follower's step: given its history, its log end and the leader's `answer`, where to
/// truncate and whether to ask again (SEMANTICS.md §15):
/// - an empty history is done where its log ends;
/// - no answer (the leader does not know the follower's latest epoch): drop that reign —
///   truncate to its start — and ask again (done if no entry is left);
/// - an answer `(epoch, end)` the follower has an entry for: truncate to the smaller of `end`
///   and the follower's own end for that epoch; done;
/// - an answer whose epoch the follower has no entry for: truncate to the follower's end for
///   its largest epoch below it, and ask again;
///
/// never beyond the follower's log end. `INVALID_HISTORY` when the log end does not fit.
pub fn follower_step(
    follower: &EpochHistory,
    follower_log_end: u64,
    answer: Option<(u64, u64)>,
) -> Result<Truncation> {
    follower.check_log_end(follower_log_end)?;
    let Some(last) = follower.entries.last() else {
        return Ok(Truncation {
            offset: follower_log_end,
            done: true,
        });
    };
    let Some((epoch, end)) = answer else {
        return Ok(Truncation {
            offset: last.start_offset,
            done: follower.entries.len() == 1,
        });
    };
    Ok(match follower.end_offset_for(epoch, follower_log_end)? {
        Some((own, own_end)) if own == epoch => Truncation {
            offset: own_end.min(end).min(follower_log_end),
            done: true,
        },
        Some((_, own_end)) => Truncation {
            offset: own_end.min(follower_log_end),
            done: false,
        },
        // The leader answered an epoch above the follower's latest: trust its end.
        None => Truncation {
            offset: end.min(follower_log_end),
            done: true,
        },
    })
}

/// The epoch history of one log, in memory ([`EpochHistory`]) or in a file
/// ([`DurableHistory`](crate::DurableHistory)). The fronts wrap this trait once. Only a durable
/// history's changes can fail with `STORAGE`.
pub trait EpochLog: Send {
    /// [`EpochHistory::assign`], durably for a durable history.
    fn assign(&mut self, epoch: u64, start_offset: u64, holder: Option<&str>) -> Result<bool>;

    /// [`EpochHistory::truncate_from_end`], durably for a durable history.
    fn truncate_from_end(&mut self, offset: u64) -> Result<bool>;

    /// [`EpochHistory::truncate_from_start`], durably for a durable history.
    fn truncate_from_start(&mut self, offset: u64) -> Result<bool>;

    /// The history as it stands.
    fn history(&self) -> &EpochHistory;

    /// [`EpochHistory::end_offset_for`].
    fn end_offset_for(&self, epoch: u64, log_end: u64) -> Result<Option<(u64, u64)>> {
        self.history().end_offset_for(epoch, log_end)
    }

    /// [`EpochHistory::latest_epoch`].
    fn latest_epoch(&self) -> Option<u64> {
        self.history().latest_epoch()
    }

    /// [`EpochHistory::entries`].
    fn entries(&self) -> &[EpochEntry] {
        self.history().entries()
    }
}

impl EpochLog for EpochHistory {
    fn assign(&mut self, epoch: u64, start_offset: u64, holder: Option<&str>) -> Result<bool> {
        EpochHistory::assign(self, epoch, start_offset, holder)
    }

    fn truncate_from_end(&mut self, offset: u64) -> Result<bool> {
        Ok(EpochHistory::truncate_from_end(self, offset))
    }

    fn truncate_from_start(&mut self, offset: u64) -> Result<bool> {
        Ok(EpochHistory::truncate_from_start(self, offset))
    }

    fn history(&self) -> &EpochHistory {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(u64, u64)]) -> EpochHistory {
        EpochHistory::from_pairs(pairs).unwrap()
    }

    fn pairs(h: &EpochHistory) -> Vec<(u64, u64)> {
        h.entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect()
    }

    #[test]
    fn assign_follows_kafka() {
        let mut x = EpochHistory::new();
        assert_eq!(x.assign(1, 0, None), Ok(true));
        assert_eq!(x.assign(1, 5, None), Ok(false), "same epoch, later start");
        assert_eq!(x.assign(2, 5, None), Ok(true));
        assert_eq!(x.assign(3, 9, None), Ok(true));
        // An older epoch removes every entry at or above it.
        assert_eq!(x.assign(2, 7, None), Ok(true));
        assert_eq!(pairs(&x), [(1, 0), (2, 7)]);
        // A newer epoch with an earlier start removes entries starting at or after it.
        assert_eq!(x.assign(4, 3, None), Ok(true));
        assert_eq!(pairs(&x), [(1, 0), (4, 3)]);
        // The latest epoch with an earlier start moves it back.
        assert_eq!(x.assign(4, 2, None), Ok(true));
        assert_eq!(pairs(&x), [(1, 0), (4, 2)]);
        // Another holder of the latest epoch is another reign.
        assert_eq!(x.assign(4, 6, Some("b")), Ok(false), "unheld matches any");
        let mut y = EpochHistory::new();
        y.assign(4, 2, Some("a")).unwrap();
        assert_eq!(y.assign(4, 6, Some("b")), Ok(true));
        assert_eq!(y.entries(), [EpochEntry::held(4, 6, "b")]);
        assert_eq!(
            y.assign(5, 7, Some("")).unwrap_err().status(),
            Status::InvalidId
        );
    }

    #[test]
    fn truncations() {
        let mut x = h(&[(1, 0), (2, 5), (3, 9)]);
        assert!(!x.truncate_from_end(10));
        assert!(x.truncate_from_end(9));
        assert_eq!(pairs(&x), [(1, 0), (2, 5)]);
        assert!(!x.truncate_from_start(0));
        assert!(x.truncate_from_start(6));
        assert_eq!(pairs(&x), [(2, 6)]);
        let mut y = h(&[(1, 0), (2, 5)]);
        assert!(y.truncate_from_start(5));
        assert_eq!(pairs(&y), [(2, 5)]);
    }

    #[test]
    fn end_offsets() {
        let x = h(&[(2, 3), (4, 8)]);
        assert_eq!(x.end_offset_for(4, 10), Ok(Some((4, 10))));
        assert_eq!(x.end_offset_for(5, 10), Ok(None));
        assert_eq!(x.end_offset_for(3, 10), Ok(Some((2, 8))));
        assert_eq!(x.end_offset_for(1, 10), Ok(Some((1, 3))));
        assert_eq!(EpochHistory::new().end_offset_for(0, 0), Ok(None));
        assert_eq!(
            x.end_offset_for(4, 7).unwrap_err().status(),
            Status::InvalidHistory
        );
    }

    #[test]
    fn the_issue_counterexample() {
        let leader = h(&[(1, 0), (2, 5)]);
        let follower = h(&[(1, 0), (2, 3)]);
        assert_eq!(divergence_point(&leader, 10, &follower, 10), Ok(3));
        let answer = leader.end_offset_for(2, 10).unwrap();
        assert_eq!(
            follower_step(&follower, 10, answer),
            Ok(Truncation {
                offset: 10,
                done: true
            })
        );
    }

    #[test]
    fn json_round_trip() {
        let x =
            EpochHistory::from_entries(vec![EpochEntry::new(1, 0), EpochEntry::held(2, 5, "b")])
                .unwrap();
        let text = x.to_json();
        assert_eq!(
            text,
            r#"{"entries":[{"epoch":"1","start_offset":"0"},{"epoch":"2","start_offset":"5","holder":"b"}]}"#
        );
        assert_eq!(EpochHistory::from_json(&text), Ok(x));
        for bad in [
            r#"{"entries":[{"epoch":"2","start_offset":"0"},{"epoch":"2","start_offset":"5"}]}"#,
            r#"{"entries":[{"epoch":"1","start_offset":"0","holder":""}]}"#,
            r#"{"entries":[{"epoch":"1"}]}"#,
            r#"{"entries":[], "x": 1}"#,
            r#"[]"#,
        ] {
            assert_eq!(
                EpochHistory::from_json(bad).unwrap_err().status(),
                Status::InvalidHistory,
                "{bad}"
            );
        }
    }
}
