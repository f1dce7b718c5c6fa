#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the conformance corpus (tests/vectors).

view_parser: every view, policy and snapshot document the corpus holds, as JSON text.
decide:      every view, prefixed with the byte of its case's policy toggles (mode: text) and,
             when the policy has a max_lag, the byte of it.
history:     every epoch history of history.json: the JSON texts (mode: text; a divergence
             case's two histories separated by a NUL byte), and, in the target's byte layout
             (mode: built), every divergence_point and follower_step case, and every case's
             history with the assigns and truncations that follow it.
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
TOGGLES = ["eligibility", "quorum_guard", "sticky_incumbent", "priority", "rendezvous", "freshness"]
U64_MAX = 2**64 - 1


def text(doc):
    return doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)


def policy_of(step):
    if "policy" in step:
        policy = step["policy"]
    elif "policy_text" in step:
        try:
            policy = json.loads(step["policy_text"])
        except ValueError:
            return {}
    else:
        policy = {}
    return policy if isinstance(policy, dict) else {}


def max_lag_byte(value):
    """The decide target's max_lag byte: 0xff is 2^64-1, 0xfe 2^64-2, any other byte itself."""
    lag = int(value)
    if lag >= U64_MAX - 1:
        return 0xFF if lag == U64_MAX else 0xFE
    return min(lag, 0xFD)


def policy_prefix(step):
    """The decide target's first byte (the toggles, bit 6 when a max_lag byte follows) and the
    max_lag byte, for the step's policy."""
    policy = policy_of(step)
    flags = sum(1 << i for i, name in enumerate(TOGGLES) if policy.get(name) is True)
    lag = policy.get("max_lag")
    if isinstance(lag, (str, int)) and not isinstance(lag, bool) and str(lag).isdigit() and int(lag):
        return bytes([flags | 0x40, max_lag_byte(lag)])
    return bytes([flags])


# ---- history: the target's byte layout (fuzz_targets/history.rs) -------------------------------

VALID_HOLDERS = ["a", "b", "c", "node-a", "node-b"]  # 0x40 + index; "x" * 255 is 0xdf
INVALID_HOLDERS = ["", "a\u0007", "a\nb", "\u007f", "\u0085", "x" * 256, "\u00e9" * 128]


class Unfit(Exception):
    """A value the byte layout cannot write (the case is left out)."""


def u64(value):
    return int(value)


def epoch_byte(value):
    """An absolute epoch: 0..0x7b itself, 2^64-4.. from 0xfc."""
    v = u64(value)
    if v < 0x7C:
        return 0x80 | v
    if v >= U64_MAX - 3:
        return 0x80 | (0x7F - (U64_MAX - v))
    raise Unfit(value)


def offset_byte(value):
    """An absolute start offset or log end (from base 0): 0..0x7f."""
    v = u64(value)
    if v <= 0x7F:
        return 0x80 | v
    raise Unfit(value)


def holder_byte(holder):
    if holder is None:
        return 0x00
    if isinstance(holder, str) and holder in VALID_HOLDERS:
        return 0x40 + VALID_HOLDERS.index(holder)
    if holder == "x" * 255:
        return 0xDF
    text = holder if isinstance(holder, str) else None
    if text in INVALID_HOLDERS:
        return 0xE0 + INVALID_HOLDERS.index(text)
    if isinstance(text, str) and text and len(text.encode()) <= 255 and text.isprintable():
        return 0x40  # another valid id: "a" stands for it
    return 0xE0  # not an id (or bytes JSON cannot carry): "" stands for it


def entries_bytes(entries):
    out = [len(entries)]
    for entry in entries:
        holder = entry[2] if len(entry) > 2 else None
        out += [epoch_byte(entry[0]), offset_byte(entry[1]), holder_byte(holder)]
    return out


def log_end_byte(value):
    return 0xFF if u64(value) == 0 else offset_byte(value)


def truncation_byte(value):
    v = u64(value)
    if v <= 0xFF:
        return v
    raise Unfit(value)


def history_op(step):
    op = step["op"]
    if op == "history_assign":
        return [0, epoch_byte(step["epoch"]), offset_byte(step["start_offset"]),
                holder_byte(step.get("holder"))]
    if op == "history_truncate_from_end":
        return [1, truncation_byte(step["offset"])]
    if op == "history_truncate_from_start":
        return [2, truncation_byte(step["offset"])]
    return []


def as_entries(history_json):
    doc = json.loads(history_json)
    return [[e["epoch"], e["start_offset"]] + ([e["holder"]] if e.get("holder") else [])
            for e in doc["entries"]]


def history_seeds(case):
    """The seeds of one case of history.json."""
    seeds = set()

    def built(data):
        try:
            seeds.add(bytes([0x00] + data()))
        except (Unfit, KeyError, ValueError, TypeError):
            pass

    def hjson(entries):
        items = []
        for entry in entries:
            item = {"epoch": str(entry[0]), "start_offset": str(entry[1])}
            if len(entry) > 2 and isinstance(entry[2], str):
                item["holder"] = entry[2]
            items.append(item)
        return json.dumps({"entries": items}, ensure_ascii=False)

    steps = case["steps"]
    for i, step in enumerate(steps):
        op = step["op"]
        if op == "history":
            if "json" in step:
                seeds.add(b"\x80" + step["json"].encode())
            entries = step.get("entries", [])
            if "json" in step and "state" in step:
                try:
                    entries = as_entries(json.dumps(step["state"]["history"]))
                except (KeyError, ValueError):
                    continue
            elif "json" in step:
                continue
            ops = []
            for later in steps[i + 1:]:
                if later["op"] == "history":
                    break
                try:
                    ops += history_op(later)
                except Unfit:
                    pass
            # The leader is empty (log end 0); the follower is the case's history, its log
            # ending at its latest start; no answer; then the operations.
            built(lambda: [0] + entries_bytes(entries) + [0xFF, 0x00, 0x00] + ops)
            seeds.add(b"\x80" + hjson(entries).encode())
        elif op == "divergence_point":
            for answer in (0, 1):
                built(lambda: entries_bytes(step["leader"]) + entries_bytes(step["follower"])
                      + [log_end_byte(step["leader_log_end"]),
                         log_end_byte(step["follower_log_end"]), answer])
            seeds.add(b"\x80" + (hjson(step["leader"]) + "\0" + hjson(step["follower"])).encode())
        elif op == "follower_step":
            def step_bytes():
                answer = step["answer"]
                tail = [0] if answer is None else [2, epoch_byte(answer[0]),
                                                  truncation_byte(answer[1])]
                return ([0] + entries_bytes(step["follower"])
                        + [0xFF, log_end_byte(step["follower_log_end"])] + tail)
            built(step_bytes)
    return seeds


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "seeds"
    seeds = {"view_parser": set(), "decide": set(), "history": set()}
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if path.name == "history.json":
                seeds["history"] |= history_seeds(case)
            for step in case["steps"]:
                for key in ("view", "view_text", "policy", "policy_text", "snapshot"):
                    if key in step:
                        seeds["view_parser"].add(text(step[key]).encode())
                if isinstance(step.get("expect"), dict) and "snapshot" in step["expect"]:
                    seeds["view_parser"].add(text(step["expect"]["snapshot"]).encode())
                for key in ("view", "view_text"):
                    if key in step:
                        view = text(step[key]).encode()
                        seeds["decide"].add(policy_prefix(step) + view)
                        seeds["decide"].add(bytes([0x3F]) + view)
    for target, items in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            (folder / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds in {folder}")


if __name__ == "__main__":
    main()
