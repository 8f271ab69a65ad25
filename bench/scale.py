"""Scale: a batch of 10,000 test runs with long explanations, through the whole gate."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retell_gate.simulator.server import Simulator

KEY = "sim-key"


def _whole_gate(root: Path, env: dict[str, str], sim: Simulator, workspace: Path) -> dict[str, float]:
    files = {"GITHUB_OUTPUT": workspace / "out.txt", "GITHUB_STEP_SUMMARY": workspace / "summary.md"}
    for path in files.values():
        path.write_text("")
    run_env = env | {name: str(path) for name, path in files.items()} | {"GITHUB_WORKSPACE": str(workspace)}
    command = [
        sys.executable,
        str(root / "entrypoint.py"),
        "--batch-job-id",
        "big-bench",
        "--base-url",
        sim.url,
        "--report-path",
        "retell.json",
        "--junit-path",
        "junit.xml",
        "--max-failures",
        "10%",
        "--max-errors",
        "5%",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, env=run_env, cwd=workspace, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return {
        "wall": time.monotonic() - started,
        "exit": os.waitstatus_to_exitcode(status),
        "rss_mb": usage.ru_maxrss / 1024,
        "pages": sum(1 for path, _ in sim.requests if path.startswith("/v2/list-test-runs/big-bench")),
        "summary_bytes": files["GITHUB_STEP_SUMMARY"].stat().st_size,
        "json_bytes": (workspace / "retell.json").stat().st_size,
        "junit_bytes": (workspace / "junit.xml").stat().st_size,
    }


def _phases(sim: Simulator, workspace: Path) -> dict[str, float]:
    """The same work in-process, timed apart: the network (with the simulator's own work) and ours."""
    from retell_gate.inputs.config import load_config
    from retell_gate.judge.batches import GatedBatch
    from retell_gate.judge.outcome import Outcome
    from retell_gate.judge.verdict import decide
    from retell_gate.report.junit import to_junit
    from retell_gate.report.report_json import to_json
    from retell_gate.report.summary import render
    from retell_gate.retell.client import RetellClient

    config = load_config({"RETELL_API_KEY": KEY}, ["--batch-job-id", "big-phases", "--base-url", sim.url])
    client = RetellClient(sim.url, KEY)
    started = time.monotonic()
    batch = client.get_batch("big-phases", started + 120)
    listing = client.list_test_runs("big-phases", started + 120)
    fetched = time.monotonic()
    verdict = decide(batch, config, listing)
    outcome = Outcome("failed", verdict.reason, 1, (GatedBatch("big-phases", batch, listing),), 1.0, verdict)
    (workspace / "s.md").write_text(render(outcome), encoding="utf-8")
    (workspace / "r.json").write_text(to_json(outcome), encoding="utf-8")
    (workspace / "j.xml").write_text(to_junit(outcome), encoding="utf-8")
    done = time.monotonic()
    return {"network": fetched - started, "processing": done - fetched, "runs": len(listing.runs)}


def measure(root: Path, env: dict[str, str]) -> dict[str, float]:
    with Simulator(KEY) as sim, tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        result = _whole_gate(root, env, sim, workspace)
        result |= _phases(sim, workspace)
    return result
