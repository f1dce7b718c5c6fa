//! A chaos node's durable state: its log, its epoch history and its holder-aware gate, each in
//! a file of the node's data folder, so a kill and restart forgets neither a vote nor a record it
//! acknowledged.
//!
//! The log is one JSON line per record, `[epoch, holder, value]` (epoch as a decimal string),
//! appended and synced before the append returns. A truncation rewrites the file beside it and
//! renames it over the old one. The history (a [`DurableHistory`]) changes before the records on
//! an append (a reign's entry is on disk before its first record) and after them on a truncation,
//! so after a crash it may only run past the records' end, which opening trims; a torn last line
//! (a crash mid-append) is dropped the same way.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tael_coord::{DurableHistory, DurableHolderFencer, EpochHistory, EpochLog};

/// One record: the reign that wrote it and the client's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub epoch: u64,
    pub holder: String,
    pub value: String,
}

impl Record {
    /// The record as JSON: `[epoch, holder, value]`, the epoch a decimal string.
    pub fn to_json(&self) -> Value {
        json!([self.epoch.to_string(), self.holder, self.value])
    }

    /// The record a [`Record::to_json`] value holds.
    pub fn from_json(value: &Value) -> Option<Record> {
        Some(Record {
            epoch: tael_coord::parse_u64(value.get(0)?.as_str()?).ok()?,
            holder: value.get(1)?.as_str()?.to_owned(),
            value: value.get(2)?.as_str()?.to_owned(),
        })
    }
}

/// The log, the history and the gate of one node.
pub struct Store {
    dir: PathBuf,
    records: Vec<Record>,
    file: File,
    history: DurableHistory,
    pub gate: DurableHolderFencer,
}

impl Store {
    /// Opens the node's state in `dir`, creating it on the first start.
    pub fn open(dir: &Path) -> Result<Store> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let gate = DurableHolderFencer::open_or_create(dir.join("gate"))
            .with_context(|| format!("opening the gate in {}", dir.display()))?;
        let mut history = DurableHistory::open_or_create(dir.join("history"))
            .with_context(|| format!("opening the history in {}", dir.display()))?;
        let path = dir.join("log");
        let mut records = Vec::new();
        if path.exists() {
            let reader = BufReader::new(File::open(&path)?);
            for line in reader.lines() {
                let Some(record) = serde_json::from_str(&line?)
                    .ok()
                    .and_then(|v: Value| Record::from_json(&v))
                else {
                    break; // a torn last line
                };
                records.push(record);
            }
        }
        history.truncate_from_end(records.len() as u64)?;
        let file = write_log(dir, &records)?;
        Ok(Store {
            dir: dir.to_owned(),
            records,
            file,
            history,
            gate,
        })
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Up to `limit` records from `offset` on, as JSON (what one message carries).
    pub fn records_from(&self, offset: u64, limit: usize) -> Vec<Value> {
        let from = (offset as usize).min(self.records.len());
        self.records[from..]
            .iter()
            .take(limit)
            .map(Record::to_json)
            .collect()
    }

    pub fn end(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn history(&self) -> &EpochHistory {
        self.history.history()
    }

    /// `(epoch of the last record, end)`, what a node publishes for the freshness policy.
    pub fn position(&self) -> (u64, u64) {
        (self.records.last().map_or(0, |r| r.epoch), self.end())
    }

    /// Starts the reign `(epoch, holder)` at the log's end, before its first record.
    pub fn begin_reign(&mut self, epoch: u64, holder: &str) -> Result<()> {
        let end = self.end();
        self.history.assign(epoch, end, Some(holder))?;
        Ok(())
    }

    /// Appends `record` durably; its offset. A record older than the log's latest reign is
    /// refused: a log's epochs never go down.
    pub fn append(&mut self, record: Record) -> Result<u64> {
        if self.history().latest_epoch() > Some(record.epoch) {
            bail!(
                "epoch {} is older than this log's latest reign",
                record.epoch
            );
        }
        let offset = self.end();
        self.history
            .assign(record.epoch, offset, Some(&record.holder))?;
        let mut line = record.to_json().to_string();
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        self.records.push(record);
        Ok(offset)
    }

    /// Drops every record from `point` on, durably; how many went.
    pub fn truncate(&mut self, point: u64) -> Result<u64> {
        let keep = (point as usize).min(self.records.len());
        let gone = self.records.len() - keep;
        if gone > 0 {
            self.file = write_log(&self.dir, &self.records[..keep])?;
            self.records.truncate(keep);
        }
        self.history.truncate_from_end(point)?;
        Ok(gone as u64)
    }

    /// The log and history as JSON, for the checker.
    pub fn dump(&self) -> Value {
        json!({
            "records": self.records.iter().map(Record::to_json).collect::<Vec<_>>(),
            "history": self.history().to_json(),
        })
    }
}

/// Replaces the log file in `dir` with `records`, durably (written beside it, then renamed over
/// it); the new file, open for appending.
fn write_log(dir: &Path, records: &[Record]) -> Result<File> {
    let (path, new) = (dir.join("log"), dir.join("log.new"));
    let mut text = String::new();
    for record in records {
        text.push_str(&record.to_json().to_string());
        text.push('\n');
    }
    let mut file = File::create(&new)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&new, &path)?;
    File::open(dir)?.sync_all()?;
    Ok(OpenOptions::new().append(true).open(&path)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tael_coord::HolderGate;

    fn record(epoch: u64, holder: &str, value: &str) -> Record {
        Record {
            epoch,
            holder: holder.to_owned(),
            value: value.to_owned(),
        }
    }

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tael-chaos-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_reopened_store_keeps_its_records_history_and_vote() {
        let dir = temp("reopen");
        {
            let mut store = Store::open(&dir).unwrap();
            assert!(store.gate.check_and_advance(3, "node-a").unwrap());
            store.append(record(1, "node-a", "w1")).unwrap();
            store.append(record(3, "node-a", "w2")).unwrap();
            store.append(record(3, "node-a", "w3")).unwrap();
            assert_eq!(store.truncate(2).unwrap(), 1);
            store.append(record(4, "node-b", "w4")).unwrap();
        }
        let store = Store::open(&dir).unwrap();
        let values: Vec<&str> = store.records().iter().map(|r| r.value.as_str()).collect();
        assert_eq!(values, ["w1", "w2", "w4"]);
        assert_eq!(store.position(), (4, 3));
        let starts: Vec<(u64, u64)> = store
            .history()
            .entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect();
        assert_eq!(starts, [(1, 0), (3, 1), (4, 2)]);
        assert_eq!(
            store.gate.check(3, "node-b").unwrap().status(),
            tael_coord::Status::Conflict
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_last_line_and_a_history_past_the_records_are_trimmed() {
        let dir = temp("torn");
        {
            let mut store = Store::open(&dir).unwrap();
            store.append(record(1, "node-a", "w1")).unwrap();
            // A crash after the reign's entry went to disk, before its first record.
            store.begin_reign(2, "node-b").unwrap();
        }
        let mut log = OpenOptions::new()
            .append(true)
            .open(dir.join("log"))
            .unwrap();
        log.write_all(b"[\"2\",\"node-b\",\"w").unwrap(); // torn mid-append
        drop(log);
        let mut store = Store::open(&dir).unwrap();
        assert_eq!(store.end(), 1);
        assert_eq!(store.history().latest_epoch(), Some(1));
        // The log file was rewritten whole: an append after the torn line reads back.
        store.append(record(2, "node-b", "w2")).unwrap();
        drop(store);
        assert_eq!(Store::open(&dir).unwrap().end(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_log_epoch_never_goes_down() {
        let dir = temp("down");
        let mut store = Store::open(&dir).unwrap();
        store.append(record(5, "node-a", "w1")).unwrap();
        assert!(store.append(record(4, "node-b", "w2")).is_err());
        assert_eq!(store.end(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
