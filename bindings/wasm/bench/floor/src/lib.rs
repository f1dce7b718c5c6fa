//! The floors under the WebAssembly package's view path, built by `bindings/wasm/bench/floor/
//! build.sh` for `scripts/bench` and never shipped.
//!
//! - Size: built without its default features, the module holds `electLeaders` alone (a view's
//!   JSON text in, the decisions' JSON text out, through the same core functions as the
//!   package) and nothing else of the package. Its gzipped size, at the smallest setting, is
//!   what the view path costs on its own.
//! - Time: with `parts`, what the package's `electLeaders` cannot do without: a view's text
//!   brought into the module and read into the core's types (`textRoom`, `readView`), the floor
//!   the benchmark sets beside the package's figure.

use tael_coord::{elect_leaders_to_json, Policy, View};
use wasm_bindgen::prelude::*;

fn thrown(e: tael_coord::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Every group of the view decided under the default policy, as the decisions' JSON text.
#[wasm_bindgen(js_name = electLeaders)]
pub fn elect_leaders_text(view: &str) -> Result<String, JsError> {
    let view = View::from_json(view).map_err(thrown)?;
    elect_leaders_to_json(&view, &Policy::default()).map_err(thrown)
}

#[cfg(feature = "parts")]
mod parts {
    use std::cell::RefCell;

    use tael_coord::View;
    use wasm_bindgen::prelude::*;

    use super::thrown;

    thread_local! {
        static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    /// Room for `size` bytes in this module's memory: its address. The caller writes a view's
    /// UTF-8 there with `TextEncoder.encodeInto`, as the package's entry writes a view's text
    /// into the package's module (a `&str` would come in through wasm-bindgen's glue instead,
    /// which copies a character at a time).
    #[wasm_bindgen(js_name = textRoom)]
    pub fn text_room(size: usize) -> *mut u8 {
        TEXT.with(|text| {
            let mut text = text.borrow_mut();
            if text.len() < size {
                text.resize(size, 0);
            }
            text.as_mut_ptr()
        })
    }

    /// Read the first `len` bytes written into the room as a view, into the core's types, as
    /// the package does (UTF-8 checked, then parsed); then drop it. Answers the number of groups.
    #[wasm_bindgen(js_name = readView)]
    pub fn read_view(len: usize) -> Result<usize, JsError> {
        TEXT.with(|text| {
            let text = text.borrow();
            let bytes = text.get(..len).unwrap_or_default();
            let view = std::str::from_utf8(bytes).map_err(|e| JsError::new(&e.to_string()))?;
            Ok(View::from_json(view).map_err(thrown)?.groups.len())
        })
    }
}
