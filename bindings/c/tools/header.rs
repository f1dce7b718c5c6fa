//! Generates `include/tael_coord.h` from this crate's source with cbindgen (run as a library,
//! pinned in Cargo.toml), so no cbindgen binary is needed.
//!
//! `--write` rewrites the committed header when it differs; `--check` fails (exit 1) when the
//! committed header is not exactly what the source generates. The normal build never touches
//! the header, so a stale one is caught, not silently fixed.

use std::path::Path;
use std::process::ExitCode;

fn generate(crate_dir: &Path) -> Result<Vec<u8>, String> {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))?;
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .map_err(|e| format!("cbindgen failed: {e}"))?;
    let mut header = Vec::new();
    bindings.write(&mut header);
    Ok(header)
}

fn main() -> ExitCode {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed_path = crate_dir.join("include/tael_coord.h");
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode != "--check" && mode != "--write" {
        eprintln!("usage: tael-coord-c-header --check | --write");
        return ExitCode::from(2);
    }
    let generated = match generate(crate_dir) {
        Ok(header) => header,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let committed = std::fs::read(&committed_path).unwrap_or_default();
    if committed == generated {
        println!("{} is current", committed_path.display());
        return ExitCode::SUCCESS;
    }
    if mode == "--write" {
        if let Err(e) = std::fs::write(&committed_path, &generated) {
            eprintln!("error: cannot write {}: {e}", committed_path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", committed_path.display());
        return ExitCode::SUCCESS;
    }
    // Keep the generated header next to this program (under target/) for a diff.
    let stale = std::env::current_exe()
        .map(|exe| exe.with_file_name("tael_coord.generated.h"))
        .unwrap_or_else(|_| "tael_coord.generated.h".into());
    let _ = std::fs::write(&stale, &generated);
    let line = committed
        .split(|&b| b == b'\n')
        .zip(generated.split(|&b| b == b'\n'))
        .take_while(|(a, b)| a == b)
        .count()
        .saturating_add(1);
    eprintln!(
        "error: {} is not what the source generates (first difference at line {line}; \
         the generated header is at {}).\n\
         Regenerate it with `cargo run -p tael-coord-c --example tael-coord-c-header -- --write` \
         and commit it.",
        committed_path.display(),
        stale.display()
    );
    ExitCode::FAILURE
}
