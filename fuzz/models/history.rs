//! The model of an epoch history's rules (SEMANTICS.md §15) that the `history` and `c_api`
//! targets share: written here, apart from the core, from the specification.

use tael::EpochEntry;

/// Two entries name the same reign: the same epoch, holders that do not disagree.
pub fn same_reign(a: &EpochEntry, b: &EpochEntry) -> bool {
    a.epoch == b.epoch
        && match (&a.holder, &b.holder) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// Epochs and start offsets both strictly increase.
pub fn increasing(entries: &[EpochEntry]) -> bool {
    entries
        .windows(2)
        .all(|w| w[0].epoch < w[1].epoch && w[0].start_offset < w[1].start_offset)
}

/// Kafka's `assign`: nothing when the latest entry names the same reign at or before the new
/// start (`isUpdateNeeded`); otherwise every entry whose epoch or start is at or above the new
/// one's goes (they form a suffix), and the new one is appended.
pub fn assign(entries: &mut Vec<EpochEntry>, new: EpochEntry) -> bool {
    if entries
        .last()
        .is_some_and(|l| same_reign(l, &new) && new.start_offset >= l.start_offset)
    {
        return false;
    }
    entries.retain(|e| e.epoch < new.epoch && e.start_offset < new.start_offset);
    entries.push(new);
    true
}

/// The log was truncated to end at `offset`: entries starting at or after it go.
pub fn truncate_from_end(entries: &mut Vec<EpochEntry>, offset: u64) -> bool {
    let before = entries.len();
    entries.retain(|e| e.start_offset < offset);
    entries.len() != before
}

/// Retention deleted the records before `offset`: entries wholly before it go, the covering one
/// now starts at it.
pub fn truncate_from_start(entries: &mut Vec<EpochEntry>, offset: u64) -> bool {
    if entries.first().is_none_or(|e| e.start_offset >= offset) {
        return false;
    }
    let covering = entries
        .iter()
        .rposition(|e| e.start_offset <= offset)
        .expect("the first starts before");
    entries.drain(..covering);
    entries[0].start_offset = offset;
    true
}
