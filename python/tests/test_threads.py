"""One gate shared by 8 threads: no lock on the Python side, every verdict consistent with some
sequential order. Threads start together on a Barrier (no sleeps); a tiny switch interval makes
the interpreter interleave them as often as it can."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import tael_coord as tc

THREADS = 8
OFFERS = 3000


@contextmanager
def busy_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def run_threads(work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as e:  # reported below; a thread cannot fail the test itself
            errors.append(e)

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    with busy_switching():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors


def random_offers() -> list[list[int]]:
    return [
        [random.Random(n * 7919 + i).randrange(1, 10_000) for i in range(OFFERS)]
        for n in range(THREADS)
    ]


def test_eight_threads_check_one_epoch_fencer() -> None:
    gate = tc.EpochFencer()
    offers = random_offers()
    verdicts: list[list[tc.Verdict]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        mine = verdicts[n]
        for epoch in offers[n]:
            mine.append(gate.check(epoch))

    run_threads(work)

    for vs in verdicts:
        accepted = [v.epoch for v in vs if v.accepted]
        assert accepted == sorted(accepted), "each thread's accepted epochs never go down"
        for v in vs:
            if v.code == "STALE_EPOCH":
                assert v.epoch < v.highest
            elif v.code == "CURRENT":
                assert v.epoch == v.highest
            else:
                assert v.code == "ADVANCED" and v.from_ is not None and v.from_ < v.epoch
    top = max(max(o) for o in offers)
    assert gate.highest == top
    # Every ADVANCED moved the gate from exactly where the one before left it: together the
    # verdicts chain 0 -> ... -> top with no gap and no overlap, as in one sequential order.
    moves = sorted((v.epoch, v.from_) for vs in verdicts for v in vs if v.code == "ADVANCED")
    assert [frm for _, frm in moves] == [0] + [to for to, _ in moves[:-1]]
    assert moves[-1][0] == top


def test_eight_threads_check_and_advance_one_epoch_fencer() -> None:
    gate = tc.EpochFencer()
    offers = random_offers()
    accepted: list[list[int]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        mine = accepted[n]
        for epoch in offers[n]:
            if gate.check_and_advance(epoch):
                mine.append(epoch)

    run_threads(work)
    for mine in accepted:
        assert mine == sorted(mine), "each thread's accepted epochs never go down"
    top = max(max(o) for o in offers)
    assert gate.highest == top
    assert sum(mine.count(top) for mine in accepted) >= 1


def test_eight_threads_promote_one_gate_to_distinct_epochs() -> None:
    gate = tc.EpochFencer(100)
    got: list[list[int]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        for _ in range(500):
            got[n].append(gate.promote())

    run_threads(work)
    every = sorted(e for mine in got for e in mine)
    assert every == list(range(101, 101 + THREADS * 500)), "no epoch is handed out twice"
    assert all(mine == sorted(mine) for mine in got)
    assert gate.highest == 100 + THREADS * 500


def test_eight_threads_on_one_holder_fencer() -> None:
    gate = tc.HolderFencer()
    won: list[list[int]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        me = f"node-{n}"
        for _ in range(300):
            epoch = gate.promote(me)
            won[n].append(epoch)
            v = gate.check(epoch, me)
            # Either still my reign, or someone promoted past me in between.
            assert v.code in ("CURRENT", "STALE_EPOCH"), v

    run_threads(work)
    every = sorted(e for mine in won for e in mine)
    assert every == list(range(1, THREADS * 300 + 1))
    highest, holder = gate.state
    assert highest == THREADS * 300
    assert holder == f"node-{next(n for n in range(THREADS) if highest in won[n])}"


def test_eight_threads_on_one_registry() -> None:
    reg = tc.FenceRegistry(jump_cap=1000)
    for n in range(4):
        reg.add(f"s{n}")

    def work(n: int) -> None:
        rng = random.Random(n)
        for i in range(2000):
            stream = f"s{rng.randrange(4)}"
            if i % 100 == 0:
                reg.restore(tc.Snapshot({stream: rng.randrange(500)}))
            reg.check_and_advance(stream, rng.randrange(10_000))

    run_threads(work)
    marks = reg.snapshot().streams
    assert set(marks) == {"s0", "s1", "s2", "s3"}
    assert all(0 < m < 10_000 for m in marks.values())


def test_eight_threads_count_on_one_counting_gate() -> None:
    """Every verdict is counted exactly once, whatever the interleaving: the counts equal the
    verdicts the threads got."""
    gate = tc.EpochFencer(refuse_zero=True, counters=True)
    offers = random_offers()
    codes: list[dict[str, int]] = [{} for _ in range(THREADS)]

    def work(n: int) -> None:
        mine = codes[n]
        for epoch in offers[n]:
            code = gate.check(epoch).code
            mine[code] = mine.get(code, 0) + 1

    run_threads(work)
    total: dict[str, int] = {}
    for mine in codes:
        for code, n in mine.items():
            total[code] = total.get(code, 0) + n
    counted = gate.counters()
    assert counted is not None and sum(counted.values()) == THREADS * OFFERS
    assert {code: n for code, n in counted.items() if n} == total


def test_eight_threads_close_and_adopt_one_holder_fencer() -> None:
    """Closing and adopting race with checks and promotions: whatever the order, a closed
    reign is never reopened at its epoch, and every verdict agrees with the gate's one order."""
    gate = tc.HolderFencer(counters=True)
    seen: list[list[tc.Verdict]] = [[] for _ in range(THREADS)]

    def work(n: int) -> None:
        me = f"node-{n}"
        for i in range(200):
            epoch = gate.promote(me)
            seen[n].append(gate.check(epoch, me))
            if i % 2:
                seen[n].append(gate.close_reign(epoch, me))
                after = gate.check(epoch, f"node-{(n + 1) % THREADS}")
                # Closed (by me), or a later epoch already deposed mine.
                assert after.code in ("CLOSED", "STALE_EPOCH"), after
                assert after.code == "STALE_EPOCH" or after.holder == me
                assert gate.adopt(epoch, me).code in ("CLOSED", "STALE_EPOCH")

    run_threads(work)
    for mine in seen:
        for v in mine:
            assert v.code in ("CURRENT", "STALE_EPOCH", "CLOSED"), v
    counted = gate.counters()
    assert counted is not None and sum(counted.values()) == THREADS * (200 + 100)
    assert gate.highest == THREADS * 200
