//! P1: the core against the floor each operation cannot beat, in one run (criterion).
//! `scripts/bench` reads the medians and writes docs/BENCHMARKS.md.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tael_coord::{elect_leaders_json, try_elect_leader, Counting, EpochFencer, EpochGate};

fn ids(n: usize) -> Vec<String> {
    // Spread so the minimum is found late and comparisons see shared prefixes.
    (0..n)
        .map(|i| format!("node-{:04}", (i * 7919 + 13) % 10_007))
        .collect()
}

/// 10,000 groups of 5 members, one dead per group, u64 fields as strings.
pub fn view_text() -> String {
    let mut text = String::from("{\"groups\":{");
    for g in 0..10_000 {
        if g > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"wal-{g}\":{{\"members\":["));
        for m in 0..5 {
            if m > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "{{\"id\":\"node-{}\",\"live\":{},\"generation\":\"{}\",\"epoch\":\"{g}\"}}",
                (g + m) % 7,
                m != 2,
                g % 3
            ));
        }
        text.push_str("]}");
    }
    text.push_str("}}");
    text
}

/// Checks timed per iteration in the not-advancing pair: one such check is under a nanosecond, so
/// one per iteration would time criterion's loop around it as much as the check. Criterion is
/// told the batch as the throughput, and `scripts/bench_report.py` reports per check.
const BATCH: u64 = 1024;

/// The epochs a gate at 7 sees from its current leader, every fourth one from the reign before.
fn current_and_stale() -> Vec<u64> {
    (0..BATCH).map(|i| if i % 4 == 3 { 6 } else { 7 }).collect()
}

fn accepted(epochs: &[u64], check: impl Fn(u64) -> bool) -> usize {
    epochs.iter().filter(|&&e| check(e)).count()
}

fn gate(c: &mut Criterion) {
    // The pair side by side, over the same epochs, with the same answers.
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(BATCH));
    let epochs = current_and_stale();
    let fencer = EpochFencer::with_highest(7);
    let atomic = AtomicU64::new(7);
    let floor = |e| e == atomic.load(Ordering::Acquire);
    assert_eq!(
        accepted(&epochs, |e| fencer.check_and_advance(e)),
        accepted(&epochs, floor)
    );
    g.bench_function("current", |b| {
        b.iter(|| accepted(black_box(&epochs), |e| fencer.check_and_advance(e)))
    });
    g.bench_function("floor_load_compare", |b| {
        b.iter(|| accepted(black_box(&epochs), floor))
    });
    g.finish();

    let mut g = c.benchmark_group("gate");
    // Counters are opt-in (a wrapper): the plain gate above is untouched; this pair shows what
    // counting costs, both through the trait the fronts call.
    let plain: Box<dyn EpochGate> = Box::new(EpochFencer::with_highest(7));
    g.bench_function("check_current_trait", |b| {
        b.iter(|| plain.check_and_advance(black_box(7)))
    });
    let counting: Box<dyn EpochGate> = Box::new(Counting::new(EpochFencer::with_highest(7)));
    g.bench_function("check_current_counting", |b| {
        b.iter(|| counting.check_and_advance(black_box(7)))
    });
    let fencer = EpochFencer::new();
    let mut next = 0u64;
    g.bench_function("check_advancing", |b| {
        b.iter(|| {
            next += 1;
            fencer.check_and_advance(black_box(next))
        })
    });
    let atomic = AtomicU64::new(0);
    let mut next = 0u64;
    g.bench_function("floor_compare_and_swap", |b| {
        b.iter(|| {
            next += 1;
            atomic
                .compare_exchange(
                    next - 1,
                    black_box(next),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        })
    });
    g.finish();
}

fn election(c: &mut Criterion) {
    let mut g = c.benchmark_group("elect");
    for n in [5, 100] {
        let ids = ids(n);
        g.bench_function(format!("elect_leader_{n}"), |b| {
            b.iter(|| try_elect_leader(black_box(&ids)).ok().flatten())
        });
        g.bench_function(format!("floor_min_{n}"), |b| {
            b.iter(|| black_box(&ids).iter().min())
        });
    }
    g.finish();
}

fn view(c: &mut Criterion) {
    let text = view_text();
    let mut g = c.benchmark_group("view");
    g.sample_size(10);
    g.bench_function("elect_leaders_10k", |b| {
        b.iter(|| elect_leaders_json(black_box(&text), "{}").map(|d| d.len()))
    });
    g.bench_function("floor_parse_value_10k", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).is_ok())
    });
    g.finish();
}

criterion_group!(benches, gate, election, view);
criterion_main!(benches);
