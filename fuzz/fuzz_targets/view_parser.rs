//! The three document parsers on arbitrary text: `View::from_json`, `Policy::from_json` and
//! `Snapshot::from_json`.
//!
//! Beyond "no panic", each parser must either refuse with its own status or return a document
//! that is valid, writes back to JSON, and reads back as itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tael::{validate_id, Policy, Snapshot, Status, View};

/// Whether serde_json itself reads `text` as one JSON object (what every document must be).
fn is_json_object(text: &str) -> bool {
    matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(_)))
}

fn view(text: &str) {
    match View::from_json(text) {
        Ok(view) => {
            assert!(
                is_json_object(text),
                "a view was read from a non-object: {text:?}"
            );
            view.validate().expect("a parsed view obeys the id rules");
            let written = view.to_json();
            let again = View::from_json(&written).expect("a written view parses");
            assert_eq!(again, view, "view round trip through {written}");
        }
        Err(e) => assert_eq!(e.status(), Status::InvalidView, "{e}"),
    }
}

fn policy(text: &str) {
    match Policy::from_json(text) {
        Ok(policy) => {
            assert!(
                is_json_object(text),
                "a policy was read from a non-object: {text:?}"
            );
            let again = Policy::from_json(&policy.to_json()).expect("a written policy parses");
            assert_eq!(again, policy);
        }
        Err(e) => assert_eq!(e.status(), Status::InvalidPolicy, "{e}"),
    }
}

fn snapshot(text: &str) {
    match Snapshot::from_json(text) {
        Ok(snapshot) => {
            assert!(
                is_json_object(text),
                "a snapshot was read from a non-object: {text:?}"
            );
            for name in snapshot.streams.keys() {
                validate_id(name).expect("a parsed snapshot names valid streams");
            }
            let again =
                Snapshot::from_json(&snapshot.to_json()).expect("a written snapshot parses");
            assert_eq!(again, snapshot);
        }
        Err(e) => assert_eq!(e.status(), Status::InvalidSnapshot, "{e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    // The Rust API takes &str; bytes that are not UTF-8 are the C front's (see c_api).
    let text = String::from_utf8_lossy(data);
    view(&text);
    policy(&text);
    snapshot(&text);
});
