"""Replays the views a demo recorded (`tael-coord demo --record FILE`) through the Python front
and counts every decision that differs from the one the node made through the Rust core.

    python tests/replay/replay.py FILE
"""

import json
import sys

import tael_coord


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["views"]
    divergent = 0
    for entry in entries:
        decided = tael_coord.elect_leaders(json.dumps(entry["view"]), json.dumps(entry["policy"]))
        mine = [json.loads(d.to_json()) for d in decided if d.group == entry["decision"]["group"]]
        if mine != [entry["decision"]]:
            divergent += 1
            print(f"python differs on a view of {entry['node']}: {mine} vs {entry['decision']}")
    print(f"python replay: {len(entries)} views, {divergent} divergent decisions")
    return 1 if divergent or not entries else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
