"""Writes docs/BENCHMARKS.md from the figures scripts/bench collected in one run.

    python3 scripts/bench_report.py target/bench docs/BENCHMARKS.md
"""

import datetime
import json
import os
import platform
import re
import subprocess
import sys


def criterion(name):
    """Median of a criterion benchmark, in ns (target/criterion/<group>/<name>/new): per element
    when the benchmark times a batch and says so (its throughput in elements)."""
    path = os.path.join("target", "criterion", *name.split("/"), "new")
    with open(os.path.join(path, "estimates.json")) as f:
        median = json.load(f)["median"]["point_estimate"]
    with open(os.path.join(path, "benchmark.json")) as f:
        throughput = json.load(f).get("throughput") or {}
    return median / throughput.get("Elements", 1)


def demo(path):
    """Median failover and false deaths from `tael-coord demo --runs N` output."""
    text = open(path).read()
    median = re.search(r"\(pause\): min \d+ ms, median (\d+) ms", text)
    deaths = re.search(r"false deaths: (\d+)", text)
    summary = text.strip().splitlines()[-1]
    return int(median.group(1)), int(deaths.group(1)), summary


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ns(x):
    if x >= 1e6:
        return f"{x / 1e6:.1f} ms"
    if x >= 1e3:
        return f"{x / 1e3:.2f} µs"
    return f"{x:.2f} ns"


def main(src, dst):
    load = lambda name: json.load(open(os.path.join(src, name)))  # noqa: E731
    rows = []

    def row(id_, what, figure, baseline_what, baseline, ratio, goal, met):
        rows.append((id_, what, figure, baseline_what, baseline, ratio, goal, "met" if met else "**missed**"))

    def cmp(id_, what, name, base_what, base, limit):
        a, b = criterion(name), criterion(base)
        row(id_, what, ns(a), base_what, ns(b), f"{a / b:.2f}×", f"≤ {limit}×", a / b <= limit)

    cmp("P1", "gate check, not advancing", "check/current", "AtomicU64 load + compare", "check/floor_load_compare", 2)
    cmp("P1", "gate check, advancing", "gate/check_advancing", "bare compare-and-swap", "gate/floor_compare_and_swap", 2)
    a, b = criterion("gate/check_current_counting"), criterion("gate/check_current_trait")
    row("P1", "gate check with verdict counters (opt-in), through the trait", ns(a),
        "the same gate without counters, through the trait", ns(b), f"{a / b:.2f}×", "shown (no goal)", True)
    cmp("P1", "elect_leader, 5 ids", "elect/elect_leader_5", "min() over the strings", "elect/floor_min_5", 2)
    cmp("P1", "elect_leader, 100 ids", "elect/elect_leader_100", "min() over the strings", "elect/floor_min_100", 2)
    cmp("P1", "view 10,000 groups × 5 (parse + decide)", "view/elect_leaders_10k", "serde_json → Value", "view/floor_parse_value_10k", 3)

    p2 = load("p2.json")
    g = p2["check_and_advance"]
    row("P2", "Python check_and_advance", ns(g["ns"]), "Python gate under threading.Lock", ns(g["baseline_ns"]),
        f"{g['baseline_ns'] / g['ns']:.2f}× faster", "≥ 4× faster", g["baseline_ns"] / g["ns"] >= 4)
    f = p2["call_floor"]
    row("P2", "Python check_and_advance", ns(f["ns"]), "a builtin call with one int, abs(n)", ns(f["baseline_ns"]),
        f"{f['ns'] / f['baseline_ns']:.2f}×", "≤ 2×", f["ns"] / f["baseline_ns"] <= 2)
    e = p2["elect_leader5"]
    row("P2", "Python elect_leader, 5 ids", ns(e["ns"]), "builtin min()", ns(e["baseline_ns"]),
        f"{e['ns'] / e['baseline_ns']:.2f}×", "≤ 1.1×", e["ns"] / e["baseline_ns"] <= 1.1)

    node, chromium = load("p3-node.json"), load("p3-chromium.json")
    for where, r in (("Node", node), ("Chromium", chromium)):
        e, v = r["electLeader5"], r["view10k"]
        row("P3", f"{where}: electLeader, 5 ids", ns(e["ns"]), "JavaScript min-loop", ns(e["baselineNs"]),
            f"{e['ratio']:.2f}×", "≤ 10×", e["ratio"] <= 10)
        row("P3", f"{where}: electLeaders, 10,000 groups × 5", ns(v["ns"]), "JSON.parse + loop", ns(v["baselineNs"]),
            f"{v['ratio']:.2f}×", "≤ 2×", v["ratio"] <= 2)
        f = r["view10kFloor"]
        row("P3", f"{where}: … floor: the core reading the view (its text into the module, then into the core's types)",
            ns(f["ns"]), "JSON.parse + loop", ns(f["baselineNs"]), f"{f['ratio']:.2f}×", "shown (a floor, no goal)", True)
    gz = node["wasmGzipBytes"]
    row("P3", ".wasm size, gzipped", f"{gz / 1024:.1f} KiB ({node['wasmBytes'] / 1024:.1f} KiB raw)", "—", "—", "—",
        "≤ 48 KiB", gz <= 48 * 1024)
    gz = node["floorAloneGzipBytes"]
    row("P3", "… floor: electLeaders alone (view JSON in, decisions JSON out), at opt-level \"z\", gzipped",
        f"{gz / 1024:.1f} KiB", "—", "—", "—", "shown (a floor, no goal)", True)
    gz = node["cutElectLeadersGzipBytes"]
    row("P3", "… the package's module cut to electLeaders alone (its settings), gzipped",
        f"{gz / 1024:.1f} KiB", "—", "—", "—", "shown (a floor, no goal)", True)
    gz = node["cutFirstGzipBytes"]
    row("P3", "… cut to all but EpochHistory, divergencePoint, followerStep, established, FenceRegistry "
        "(a first module of two), gzipped", f"{gz / 1024:.1f} KiB", "—", "—", "—", "shown (no goal)", True)

    # The dashboard in Chromium (web/bench/bigview.mjs): a view of 5,000 groups x 7 members,
    # each step timed from its event to the painted frame (medians).
    d = chromium.get("dashboard")
    if d is not None:
        core = d["core"]
        size = f"{d['groups']:,} groups × {d['members']} ({d['viewBytes'] / 1e6:.1f} MB)"
        def shown(step):
            return f"{d[step]:.0f} ms (page complete: {d[step + 'All']:.0f} ms)"

        row("P6", f"dashboard, {size}: paste and apply, to painted", shown("paste"),
            "the core alone: normalizeView + JSON.parse + electLeaders", f"{core['ms']:.0f} ms",
            f"{d['paste'] / core['ms']:.2f}×", "≤ 300 ms", d["paste"] <= 300)
        row("P6", "dashboard: filter by member id, to painted", shown("filter"), "—", "—", "—",
            "≤ 100 ms", d["filter"] <= 100)
        for step, words in (("kill", "kill a node (local view)"), ("revive", "revive it")):
            row("P6", f"dashboard: {words}, to painted", shown(step),
                "the core deciding the whole view again (electLeaders)", f"{core['electMs']:.0f} ms",
                f"{d[step] / core['electMs']:.2f}×", "≤ 100 ms", d[step] <= 100)
        p = d["polling"]
        row("P6", "dashboard polling it every second (a node dies or comes back at each poll), typing: "
            "slowest input to painted", f"{p['slowestInput']:.0f} ms",
            "longest task; main thread busy", f"{p['longestTask']:.0f} ms; {100 * p['busyShare']:.0f}%", "—",
            "responsive (shown, no number)", True)

    c, call, rust = criterion("abi/c"), criterion("abi/rust_called"), criterion("abi/rust_inlined")
    row("P4", "C: tael_fencer_check_and_advance", ns(c), "the same check in Rust, inlined", ns(rust),
        f"{c / rust:.2f}×", "shown (no goal)", True)
    row("P4", "C: tael_fencer_check_and_advance", ns(c), "the same check in Rust, called (not inlined)", ns(call),
        f"{c / call:.2f}×", "≤ 1.5×", c / call <= 1.5)

    idle, idle_deaths, _ = demo(os.path.join(src, "p5-idle.txt"))
    loaded, load_deaths, _ = demo(os.path.join(src, "p5-load.txt"))
    base, _, _ = demo(os.path.join(src, "p5-defaults.txt"))
    row("P5", "failover, idle (median)", f"{idle} ms", "chitchat defaults", f"{base} ms", f"{idle / base:.2f}×",
        "≤ 1 s, 0 false deaths", idle <= 1000 and idle_deaths == 0)
    row("P5", "failover, both cores busy (median)", f"{loaded} ms", "chitchat defaults", f"{base} ms",
        f"{loaded / base:.2f}×", "≤ 1 s, 0 false deaths", loaded <= 1000 and load_deaths == 0)

    # When the run ended: its last output file was written then.
    ended = os.path.getmtime(os.path.join(src, "p5-defaults.txt"))
    now = datetime.datetime.fromtimestamp(ended, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `bash scripts/bench` (quick mode); every figure below comes from that one run,",
        "each next to a baseline measured in the same run. Medians throughout.",
        "",
        f"- run: {now}",
        f"- machine: {cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- tools: {version(['rustc', '--version'])}; node {version(['node', '--version'])}; Python {platform.python_version()}",
        "",
        "| id | measure | figure | baseline | baseline figure | ratio | goal | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [
        "",
        "P1 gate not advancing and P4: per check, timed in batches of 1,024 epochs (three of four",
        "current, one stale) so that criterion's loop is not in a figure of a nanosecond or two; each",
        "pair runs side by side in one criterion group, over the same epochs, giving the same answers.",
        "P4 calls the C ABI's function as a C program does, through its `extern \"C\"` symbol",
        "(bindings/c/benches/abi.rs).",
        "",
        "P3 floors: under each `electLeaders` row, the core reading the view (bindings/wasm/bench/floor,",
        "the same core functions in a module of their own): what the call cannot do without; it adds",
        "deciding, handing the decisions over, building their objects and checking its arguments.",
        "Under the size, `electLeaders` alone in a module at the smallest setting; then the package's",
        "own module cut down by binaryen's wasm-metadce (every other export and the code only it",
        "reaches removed, then the package's wasm-opt step; bindings/wasm/bench/cut.mjs): to",
        "`electLeaders` alone, and to what would stay in the module `import` loads if the parts",
        "browsers rarely use moved to a second one.",
        "",
        "P6: each dashboard step is timed in the page from its event (a paste event then Apply view,",
        "the filter's input, a Kill or Revive button) to the end of the next painted frame, which shows",
        "the summary and the first cards with their decisions; the leader changes (feed, reigns) and the",
        "rest of the page's 100 cards are drawn in the tasks after it (page complete).",
        "web/tests/scale.test.mjs checks the same figures loosely.",
        "",
        "P5 settings: 100 ms gossip, phi 8, 100 ms initial interval (the demo's defaults); the",
        "baseline is chitchat's defaults (1 s gossip, phi 8, 5 s initial interval). Failover is the",
        "time from pausing the leader (SIGSTOP) until every survivor agrees on the new one.",
        "",
    ]
    extra = os.path.join("docs", "benchmarks-notes.md")
    if os.path.exists(extra):
        lines += [open(extra).read().rstrip(), ""]
    with open(dst, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
