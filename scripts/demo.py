"""The demo: a local Retell simulator, and the gate run against a passing and a failing batch.

Run it with `python3 dev.py demo`, which sets up .venv first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retell_gate.simulator.server import Simulator

ROOT = Path(__file__).resolve().parent.parent
KEY = "sim-key"

RUNS = [
    (
        "Start mode, in one step: the agent agent_demo at version 2. The gate reads its engine, lists\n"
        "the engine's test case definitions, starts a batch pinned to that version, waits and judges it",
        ["--agent-id", "agent_demo", "--engine-version", "2", "--poll-interval", "0.3"],
        0,
    ),
    (
        "A dry run of start mode: 450 definitions narrowed to those named `Case 10*`, shown with\n"
        "the batches that would start; nothing is started",
        ["--llm-id", "llm_many", "--test-names", "Case 10*", "--dry-run"],
        0,
    ),
    (
        "Wait mode: a batch of 40 test cases that finishes with 1 failure and 1 error, within the thresholds",
        ["--batch-job-id", "slow-demo", "--max-failures", "1", "--max-errors", "5%", "--poll-interval", "0.3"],
        0,
    ),
    (
        "Wait mode: a batch that fails: 2 failures and 1 error, with the default thresholds (none allowed),\n"
        "writing the JSON and JUnit reports to demo-output/",
        [
            "--batch-job-id",
            "failing-demo",
            "--poll-interval",
            "0.3",
            "--report-path",
            "demo-output/retell.json",
            "--junit-path",
            "demo-output/junit.xml",
        ],
        1,
    ),
    (
        "Against a baseline: an LLM at version 3 compared with its newest complete batch below (version 2).\n"
        "One failure is swapped for another, so `max-failures 2` alone would pass it; the regression fails it",
        [
            "--llm-id",
            "llm_history",
            "--version",
            "3",
            "--baseline",
            "latest",
            "--max-failures",
            "2",
            "--poll-interval",
            "0.3",
        ],
        1,
    ),
]


def run_gate(simulator: Simulator, args: list[str]) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env |= {"RETELL_API_KEY": KEY, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, str(ROOT / "entrypoint.py"), "--base-url", simulator.url, *args]
    print("$ RETELL_API_KEY=*** python3 entrypoint.py " + " ".join(command[2:]) + "\n", flush=True)
    return subprocess.call(command, env=env, cwd=ROOT)


def main() -> int:
    surprises = 0
    with Simulator(api_key=KEY) as simulator:
        print(f"Retell simulator running on {simulator.url}\n")
        for number, (title, args, expected) in enumerate(RUNS, 1):
            print(f"{'=' * 100}\nDemo {number}: {title}\n{'=' * 100}", flush=True)
            code = run_gate(simulator, args)
            verdict = "as expected" if code == expected else f"expected {expected}"
            print(f"\n→ the gate exited with {code} ({verdict})\n", flush=True)
            surprises += code != expected
    print(
        "In GitHub Actions the report above goes to the job summary (as markdown, with tables) "
        "and the outputs to step outputs."
    )
    writer = next(number for number, (_, args, _) in enumerate(RUNS, 1) if "--report-path" in args)
    print(f"The report files of demo {writer} are in {ROOT / 'demo-output'}.")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
