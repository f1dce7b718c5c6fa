//! Gives the shared library its versioned soname, so programs linked against it load
//! `libtael_coord.so.1` and a future incompatible `.so.2` can sit beside it (ABI 1 was
//! `.so.0`).

/// Bumped together with `TAEL_ABI_VERSION` when the ABI breaks.
const SONAME_MAJOR: u32 = 1;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtael_coord.so.{SONAME_MAJOR}");
    }
}
