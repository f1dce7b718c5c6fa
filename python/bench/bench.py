"""Speed of the Python front, in one run (a benchmark, not a timed test).

    target/python-venv/bin/python python/bench/bench.py

Prints per-call times (ns, the minimum of 7 repeats: a noisy machine only ever adds time; each
figure's repeats alternate with its baseline's, so that both meet the same moments of the
machine), and the ratios against the goals:
  * ``EpochFencer.check_and_advance`` at most 2x a builtin call with one int, ``abs(n)`` (the
    call floor);
  * ``EpochFencer.check_and_advance`` at least 4x faster than a pure-Python gate under
    ``threading.Lock``;
  * ``elect_leader`` over 5 ids at most 1.1x builtin ``min()`` (which does no validation);
and, for information, what counting verdicts (``counters=True``) adds to a check.
"""

from __future__ import annotations

import json
import sys
import threading
import timeit

import tael_coord


class LockGate:
    """The pure-Python equivalent of check_and_advance (no jump cap), guarded by a Lock."""

    def __init__(self, highest: int = 0) -> None:
        self._lock = threading.Lock()
        self._highest = highest

    def check_and_advance(self, epoch: int) -> bool:
        with self._lock:
            if epoch < self._highest:
                return False
            self._highest = epoch
            return True


def measure(
    stmt: str, env: dict[str, object], base_env: dict[str, object], number: int, repeat: int
) -> tuple[float, float]:
    """ns per call of `stmt` in `env` and in its baseline's `base_env`, the two timed in turn."""
    timers = (timeit.Timer(stmt, globals=env), timeit.Timer(stmt, globals=base_env))
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for timer, times in zip(timers, runs):
            times.append(timer.timeit(number=number))
    return min(runs[0]) / number * 1e9, min(runs[1]) / number * 1e9


def main() -> int:
    # With --json the human-readable lines go to stderr and one JSON line to stdout.
    out = sys.stdout
    if "--json" in sys.argv:
        sys.stdout = sys.stderr
    number, repeat = 200_000, 7
    if "--quick" in sys.argv:
        number = 50_000
    print(f"tael_coord {tael_coord.__version__}, Python {sys.version.split()[0]}")
    print(f"minimum of {repeat} runs x {number:,} calls each\n")

    epoch = 7
    rust_gate = tael_coord.EpochFencer(epoch)
    lock_gate = LockGate(epoch)
    gate = {"f": rust_gate.check_and_advance, "e": epoch}
    rust, pure = measure("f(e)", gate, {"f": lock_gate.check_and_advance, "e": epoch}, number, repeat)
    gate_speedup = pure / rust
    print(f"check_and_advance  EpochFencer (Rust)  {rust:7.1f} ns")
    print(f"check_and_advance  LockGate (Python)   {pure:7.1f} ns")
    print(f"  -> EpochFencer is {gate_speedup:.2f}x faster (goal >= 4x)\n")

    called, floor = measure("f(e)", gate, {"f": abs, "e": epoch}, number, repeat)
    floor_ratio = called / floor
    print(f"check_and_advance  EpochFencer (Rust)  {called:7.1f} ns (again, beside abs)")
    print(f"abs(n) (a builtin call, one int)     {floor:7.1f} ns")
    print(f"  -> check_and_advance is {floor_ratio:.2f}x the call floor (goal <= 2x)\n")

    counting_gate = tael_coord.EpochFencer(epoch, counters=True)
    counting, plain = measure(
        "f(e)", {"f": counting_gate.check_and_advance, "e": epoch}, gate, number, repeat
    )
    print(f"check_and_advance  EpochFencer(counters=True) {counting:7.1f} ns")
    print(f"  -> counting costs {counting / plain:.2f}x the plain gate (no goal: informative)\n")

    ids = ["node-d", "node-b", "node-e", "node-a", "node-c"]
    ours, builtin = measure(
        "f(ids)", {"f": tael_coord.elect_leader, "ids": ids}, {"f": min, "ids": ids}, number, repeat
    )
    ratio = ours / builtin
    print(f"elect_leader (5 ids, validated)      {ours:7.1f} ns")
    print(f"min() (5 ids, no validation)         {builtin:7.1f} ns")
    print(f"  -> elect_leader is {ratio:.2f}x min() (goal <= 1.1x)\n")

    met = gate_speedup >= 4 and floor_ratio <= 2 and ratio <= 1.1
    print("goals met" if met else "GOALS MISSED")
    if "--json" in sys.argv:
        figures = {
            "check_and_advance": {"ns": rust, "baseline_ns": pure},
            "call_floor": {"ns": called, "baseline_ns": floor},
            "elect_leader5": {"ns": ours, "baseline_ns": builtin},
            "check_and_advance_counting": {"ns": counting, "baseline_ns": plain},
        }
        print(json.dumps(figures), file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
