//! The three document parsers on arbitrary text: `View::from_json`, `Policy::from_json` and
//! `Snapshot::from_json`.
//!
//! Beyond "no panic", each parser must either refuse with its own status or return a document
//! that is valid, writes back to JSON, and reads back as itself; writing it again gives the same
//! text (the canonical form, as `normalize_view` writes a view).

#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tael::{validate_id, Policy, Snapshot, Status, View};

/// Whether serde_json itself reads `text` as one JSON object (what every document must be).
fn is_json_object(text: &str) -> bool {
    matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(_)))
}

/// One parser on `text`: it refuses with its own status (`refused`), or the document it reads
/// came from a JSON object, passes `valid`, and writes back to JSON that reads back as itself
/// and writes back the same (the written form is canonical: what `normalize_view` answers).
fn parser<T: PartialEq + Debug>(
    text: &str,
    refused: Status,
    read: fn(&str) -> tael::Result<T>,
    write: fn(&T) -> String,
    valid: impl FnOnce(&T),
) {
    match read(text) {
        Ok(doc) => {
            assert!(
                is_json_object(text),
                "{refused:?}: a document was read from a non-object: {text:?}"
            );
            valid(&doc);
            let written = write(&doc);
            let again = read(&written).expect("a written document parses");
            assert_eq!(again, doc, "round trip through {written}");
            assert_eq!(write(&again), written, "the written form is canonical");
        }
        Err(e) => assert_eq!(e.status(), refused, "{e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    // The Rust API takes &str; bytes that are not UTF-8 are the C front's (see c_api).
    let text = String::from_utf8_lossy(data);
    parser(
        &text,
        Status::InvalidView,
        View::from_json,
        View::to_json,
        |view| {
            view.validate().expect("a parsed view obeys the id rules");
        },
    );
    parser(
        &text,
        Status::InvalidPolicy,
        Policy::from_json,
        Policy::to_json,
        |_| {},
    );
    parser(
        &text,
        Status::InvalidSnapshot,
        Snapshot::from_json,
        Snapshot::to_json,
        |snapshot| {
            for name in snapshot.streams.keys() {
                validate_id(name).expect("a parsed snapshot names valid streams");
            }
        },
    );
});
