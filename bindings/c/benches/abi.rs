//! P4: `tael_fencer_check_and_advance` as a C program calls it, from the shared library the
//! crate builds, against the same check in Rust, called and inlined: one run, the same epochs.
//! `scripts/bench` builds the library first (`cargo build --release -p tael-coord-c`) and reads
//! the medians; each is per check (criterion's throughput).
// A benchmark fails by panicking, as a test does (the crate's lints are for the library).
#![allow(clippy::expect_used, clippy::panic)]

use std::ffi::c_void;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use libloading::{Library, Symbol};
use tael::EpochFencer;

/// Checks per iteration: a few nanoseconds each, timed in bulk so criterion's own loop is not
/// part of the figure.
const BATCH: u64 = 1024;

type New = unsafe extern "C" fn(u64) -> *mut c_void;
type Check = unsafe extern "C" fn(*const c_void, u64, *mut bool) -> u32;
type Free = unsafe extern "C" fn(*mut c_void);

/// The library as `cargo build` leaves it, in the directory above this benchmark's
/// (`target/release/`).
fn library() -> Library {
    let exe = std::env::current_exe().expect("the benchmark's path");
    let dir: PathBuf = exe.ancestors().nth(2).expect("target/<profile>").into();
    let path = dir.join(libloading::library_filename("tael_coord"));
    // SAFETY: the crate's own library, whose initialisers only set up Rust's runtime.
    unsafe { Library::new(&path) }.unwrap_or_else(|e| {
        panic!(
            "{}: {e} (cargo build --release -p tael-coord-c first)",
            path.display()
        )
    })
}

fn accepted(epochs: &[u64], check: impl Fn(u64) -> bool) -> usize {
    epochs.iter().filter(|&&e| check(e)).count()
}

fn abi(c: &mut Criterion) {
    let lib = library();
    // SAFETY: the types are the header's prototypes of these three functions.
    let (new, check, free): (Symbol<New>, Symbol<Check>, Symbol<Free>) = unsafe {
        (
            lib.get(b"tael_fencer_new").expect("tael_fencer_new"),
            lib.get(b"tael_fencer_check_and_advance").expect("check"),
            lib.get(b"tael_fencer_free").expect("tael_fencer_free"),
        )
    };
    let (check, free) = (*check, *free);
    // SAFETY: as the header says; the handle is freed once, at the end.
    let handle = unsafe { new(7) };
    assert!(!handle.is_null());
    let through_c = |e| {
        let mut ok = false;
        // SAFETY: `handle` is live until freed below; `ok` is writable.
        let status = unsafe { black_box(check)(handle, e, &mut ok) };
        status == 0 && ok
    };
    let fencer = EpochFencer::with_highest(7);
    let call: fn(&EpochFencer, u64) -> bool = EpochFencer::check_and_advance;
    let called = |e| black_box(call)(&fencer, e);
    let inlined = |e| fencer.check_and_advance(e);

    // A gate at 7 sees its current leader's epochs, every fourth one from the reign before;
    // the three ways give the same answers.
    let epochs: Vec<u64> = (0..BATCH).map(|i| if i % 4 == 3 { 6 } else { 7 }).collect();
    let answer = accepted(&epochs, inlined);
    assert_eq!(accepted(&epochs, through_c), answer);
    assert_eq!(accepted(&epochs, called), answer);

    let mut g = c.benchmark_group("abi");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("c", |b| b.iter(|| accepted(black_box(&epochs), through_c)));
    g.bench_function("rust_called", |b| {
        b.iter(|| accepted(black_box(&epochs), called))
    });
    g.bench_function("rust_inlined", |b| {
        b.iter(|| accepted(black_box(&epochs), inlined))
    });
    g.finish();
    // SAFETY: the handle came from tael_fencer_new and is freed once.
    unsafe { free(handle) };
}

criterion_group!(benches, abi);
criterion_main!(benches);
