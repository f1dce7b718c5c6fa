#!/usr/bin/env python3
"""Sums the chaos harness's run reports (`tael-coord chaos --report FILE`, JSON lines): runs per
configuration, each count, the fault kinds drawn, writes and acknowledgements, and the seeds of
the runs with a count above 0. Usage: python3 scripts/chaos_summary.py FILE..."""

import collections
import json
import sys

COUNTS = ["lost_acked", "not_prefix", "two_holders", "stale_accepts", "quiet_changes",
          "no_final_leader"]


def main(paths):
    by_config = collections.OrderedDict()
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.strip():
                    run = json.loads(line)
                    key = (run["mode"], run["control"], run["loopback"], run["nodes"])
                    by_config.setdefault(key, []).append(run)
    for (mode, control, loopback, nodes), runs in by_config.items():
        where = "loopback" if loopback else "namespaces"
        print(f"## {mode}, control {control}, {nodes} nodes, {where}: {len(runs)} runs\n")
        print("| count | total | runs above 0 |")
        print("|---|---|---|")
        for name in COUNTS:
            total = sum(r["counts"][name] for r in runs)
            above = sum(1 for r in runs if r["counts"][name] > 0)
            print(f"| {name} | {total} | {above} |")
        kinds = collections.Counter(k for r in runs for k in r["faults"])
        print("\nfaults: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        act = lambda f: sum(r["activity"][f] for r in runs)
        print(f"writes {act('writes')}, acknowledged {act('acked')}, refused {act('refused')}, "
              f"promotions {act('promotions')}, established {act('established')}, "
              f"records truncated {act('truncated_records')}")
        failing = [r["seed"] for r in runs if any(r["counts"][c] for c in COUNTS)]
        print(f"runs with a count above 0: {len(failing)}"
              + (f" (seeds {', '.join(failing)})" if failing else "") + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
