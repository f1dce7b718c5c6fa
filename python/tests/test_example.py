"""The agent example (examples/agent.py), run as a program and used as a module."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

AGENT = Path(__file__).resolve().parents[1] / "examples" / "agent.py"


def load_agent() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agent", AGENT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["agent"] = module
    spec.loader.exec_module(module)
    return module


def run(*args: str, stdin: str | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(AGENT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.splitlines()


def test_demo_fences_the_stale_leader_and_the_split_brain() -> None:
    lines = run()
    assert lines[-1] == "kept 5 of 7 records; refused: CONFLICT=1, STALE_EPOCH=1"
    refused = [line for line in lines if line.startswith("refuse")]
    assert refused == [
        "refuse epoch=1 holder=node-a STALE_EPOCH: 'a3 (stale leader)'",
        "refuse epoch=2 holder=node-c CONFLICT: 'c1 (split brain)'",
    ]


def test_json_lines_from_stdin_and_file(tmp_path: Path) -> None:
    text = "\n".join(
        [
            '{"epoch": 18446744073709551615, "holder": "x", "record": "top"}',
            "",
            '{"epoch": 9007199254740993, "holder": "y", "record": "old"}',
        ]
    )
    assert run("-", stdin=text)[-1] == "kept 1 of 2 records; refused: STALE_EPOCH=1"
    path = tmp_path / "records.jsonl"
    path.write_text(text, encoding="utf-8")
    assert run(str(path))[0].startswith("keep   epoch=18446744073709551615 holder=x ADVANCED")


def test_admit_keeps_only_what_the_gate_admits() -> None:
    agent = load_agent()
    stream = [(3, "n1", "r1"), (2, "n0", "r0"), (3, "n2", "r2"), (4, "n2", "r3"), (4, "n2", "r4")]
    assert agent.admit(stream) == ["r1", "r3", "r4"]
    replica = agent.Replica()
    agent.admit(stream, replica)
    assert dict(replica.refused) == {"STALE_EPOCH": 1, "CONFLICT": 1}
    assert replica.gate.state == (4, "n2")
