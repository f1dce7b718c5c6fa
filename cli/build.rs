//! Gathers the dashboard page into `$OUT_DIR/web`, which `src/dashboard.rs` embeds in the
//! binary: from `../web` in the repository, from `assets/` in the published crate (where
//! `assets.sh` put it before `cargo package`). A crate without its page is an error; a checkout
//! without the WASM build builds with a warning and no page, and `dashboard` refuses to start.

use std::fs;
use std::path::{Path, PathBuf};

/// What the page loads (the rule `assets.sh` copies by): the top-level `*.html`, `*.css` and
/// `*.js` of the folder, and from `pkg/` the browser entry, the glue under it, its `.wasm` and its
/// snippets.
fn page_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str());
            if path.is_file() && matches!(ext, Some("html" | "css" | "js")) {
                files.push(PathBuf::from(entry.file_name()));
            }
        }
    }
    for name in [
        "pkg/tael_coord.js",
        "pkg/tael_coord_bindgen.js",
        "pkg/tael_coord_bg.wasm",
    ] {
        if dir.join(name).is_file() {
            files.push(PathBuf::from(name));
        }
    }
    let mut pending = vec![PathBuf::from("pkg/snippets")];
    while let Some(rel) = pending.pop() {
        for entry in fs::read_dir(dir.join(&rel)).into_iter().flatten().flatten() {
            let rel = rel.join(entry.file_name());
            if entry.path().is_dir() {
                pending.push(rel);
            } else {
                files.push(rel);
            }
        }
    }
    files.sort();
    files
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("web");
    let in_tree = manifest
        .parent()
        .map_or_else(PathBuf::new, |root| root.join("web"));
    let in_tree = in_tree.join("index.html").is_file().then_some(in_tree);
    let source = in_tree.clone().unwrap_or_else(|| manifest.join("assets"));
    let files = page_files(&source);
    // A new top-level file is seen once index.html or a module that imports it changes.
    for file in &files {
        println!("cargo::rerun-if-changed={}", source.join(file).display());
    }
    println!("cargo::rerun-if-changed={}", source.join("pkg").display());
    if in_tree.is_none() {
        println!("cargo::rerun-if-changed={}", source.display());
    }

    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("create $OUT_DIR/web");
    let missing: Vec<&str> = ["index.html", "pkg/tael_coord.js", "pkg/tael_coord_bg.wasm"]
        .into_iter()
        .filter(|name| !files.iter().any(|f| f == Path::new(name)))
        .collect();
    if !missing.is_empty() {
        let what = format!("{} lacks {}", source.display(), missing.join(", "));
        if in_tree.is_some() {
            // A checkout without the WASM build still builds (`demo` and the rest need no page);
            // `dashboard` then refuses to start and says why.
            println!(
                "cargo::warning=no dashboard page built in ({what}): run `bash bindings/wasm/build.sh`, then build again"
            );
        } else {
            println!(
                "cargo::error=the crate has no dashboard page ({what}): run `bash cli/assets.sh` before `cargo package`"
            );
        }
        return;
    }
    for file in &files {
        let to = out.join(file);
        fs::create_dir_all(to.parent().expect("a file has a folder")).expect("create $OUT_DIR/web");
        fs::copy(source.join(file), &to)
            .unwrap_or_else(|e| panic!("copy {}: {e}", source.join(file).display()));
    }
}
