"""What deciding many groups costs through the Python front: time and memory per call of
``tael_coord.elect_leaders`` (view JSON text in, ``Decision`` objects out) for views of 10k, 100k
and 1M groups of 5 members. docs/SCALING.md has the figures.

    target/python-venv/bin/python scripts/scale/decisions.py --groups 10000,100000,1000000

The view is the one ``gossip/examples/decisions.rs`` decides (and ``benches/core.rs`` at 10,000
groups), byte for byte: group ``wal-<g>`` lists ``node-<(g+m) % 7>`` for m in 0..5, the third one
dead, generation ``g % 3``, epoch ``g``. Each size runs in a fresh child process, so its first
call's memory is measured against a clean heap: the peak resident set size during that call above
the resident set size just before it (Linux ``/proc/self/status``; the peak is reset through
``/proc/self/clear_refs``), with the input already in memory and the output still held. Times are
the median over the runs (each call's output dropped before the next), on the wall clock and
in CPU time of the calling thread (which a busy machine does not inflate).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def view_text(groups: int) -> str:
    parts = []
    for g in range(groups):
        members = ",".join(
            f'{{"id":"node-{(g + m) % 7}","live":{"true" if m != 2 else "false"},'
            f'"generation":"{g % 3}","epoch":"{g}"}}'
            for m in range(5)
        )
        parts.append(f'"wal-{g}":{{"members":[{members}]}}')
    return '{"groups":{' + ",".join(parts) + "}}"


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def child(groups: int, runs: int, no_gc: bool) -> None:
    import gc

    import tael_coord

    text = view_text(groups)
    if no_gc:
        # The cyclic collector walks every object it tracks; a million decisions are several
        # million objects, none of them in a cycle.
        gc.disable()
    times = []
    cpu = []
    reset_peak()
    before = status_kib("VmRSS")
    t, c = time.perf_counter(), time.thread_time()
    first = tael_coord.elect_leaders(text)
    times.append((time.perf_counter() - t) * 1e3)
    cpu.append((time.thread_time() - c) * 1e3)
    peak = status_kib("VmHWM")
    leaders = sum(1 for d in first if d.leader is not None)
    del first
    for _ in range(1, runs):
        t, c = time.perf_counter(), time.thread_time()
        result = tael_coord.elect_leaders(text)
        times.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
        del result
    print(
        json.dumps(
            {
                "front": "python",
                "version": tael_coord.__version__,
                "groups": groups,
                "input_bytes": len(text.encode()),
                "leaders": leaders,
                "runs": runs,
                "first_ms": times[0],
                "median_ms": statistics.median(times),
                "cpu_median_ms": statistics.median(cpu),
                "min_ms": min(times),
                "max_ms": max(times),
                "rss_before_kib": before,
                "peak_delta_kib": max(0, peak - before),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", default="10000,100000,1000000", help="numbers of groups, comma-separated")
    parser.add_argument("--runs", help="calls per size (one value, or one per --groups entry); by default 9, 3, 1 by size")
    parser.add_argument("--no-gc", action="store_true", help="call with the cyclic garbage collector disabled")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, int(args.runs or 1), args.no_gc)
        return 0
    sizes = [int(g) for g in args.groups.split(",")]
    given = [int(r) for r in args.runs.split(",")] if args.runs else None
    print(f"Python {sys.version.split()[0]} ({sys.executable})")
    print("| front | call | groups | input MB | runs | median ms (min–max) | CPU ms | first ms | per group µs (CPU) | peak RSS delta MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    call = ", gc disabled" if args.no_gc else ""
    for i, groups in enumerate(sizes):
        if given is None:
            runs = 9 if groups <= 10_000 else 3 if groups <= 100_000 else 1
        else:
            runs = given[0] if len(given) == 1 else given[i]
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(groups), "--runs", str(runs)]
            + (["--no-gc"] if args.no_gc else []),
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout)
        print(
            f"| Python {r['version']} | elect_leaders (text){call} | {groups} | {r['input_bytes'] / 1e6:.1f} | {runs} "
            f"| {r['median_ms']:.1f} ({r['min_ms']:.1f}–{r['max_ms']:.1f}) | {r['cpu_median_ms']:.1f} "
            f"| {r['first_ms']:.1f} | {r['cpu_median_ms'] * 1e3 / groups:.2f} | {r['peak_delta_kib'] / 1024:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
