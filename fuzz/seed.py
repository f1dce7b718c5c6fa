#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the conformance corpus (tests/vectors).

view_parser: every view, policy and snapshot document the corpus holds, as JSON text.
decide:      every view, prefixed with the byte of its case's policy toggles (mode: text).
c_api:       no seeds (its input is a structured call sequence; it starts from nothing).

Idempotent: a seed's file name is the hash of its bytes. Usage: seed.py [OUT_DIR]
(default: fuzz/seeds next to this file).
"""

import hashlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE.parent / "tests" / "vectors"
TOGGLES = ["eligibility", "quorum_guard", "sticky_incumbent", "priority", "rendezvous"]


def text(doc):
    return doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)


def policy_byte(step):
    if "policy" in step:
        policy = step["policy"]
    elif "policy_text" in step:
        try:
            policy = json.loads(step["policy_text"])
        except ValueError:
            return 0
    else:
        policy = {}
    if not isinstance(policy, dict):
        return 0
    return sum(1 << i for i, name in enumerate(TOGGLES) if policy.get(name) is True)


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "seeds"
    seeds = {"view_parser": set(), "decide": set()}
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            for step in case["steps"]:
                for key in ("view", "view_text", "policy", "policy_text", "snapshot"):
                    if key in step:
                        seeds["view_parser"].add(text(step[key]).encode())
                if isinstance(step.get("expect"), dict) and "snapshot" in step["expect"]:
                    seeds["view_parser"].add(text(step["expect"]["snapshot"]).encode())
                for key in ("view", "view_text"):
                    if key in step:
                        view = text(step[key]).encode()
                        seeds["decide"].add(bytes([policy_byte(step)]) + view)
                        seeds["decide"].add(bytes([0x1F]) + view)
    for target, items in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            (folder / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds in {folder}")


if __name__ == "__main__":
    main()
