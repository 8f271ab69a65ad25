"""The real image, built from our Dockerfile and run the way the runner runs it.

Uses the workplace's `run-action` tool (podman, as root), found beside the repository at
../shared/tools/run-action or named by RUN_ACTION. Where it is missing, these tests are skipped
with the reason shown; CI has it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from retell_gate.simulator.server import Simulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ghs_ContainerTestToken0123456789abcdef"
RUN_ACTION = Path(os.environ.get("RUN_ACTION", ROOT.parent / "shared" / "tools" / "run-action"))

pytestmark = pytest.mark.skipif(
    not RUN_ACTION.exists() or os.geteuid() != 0, reason=f"needs root and the run-action tool at {RUN_ACTION}"
)


def run_container(
    tmp_path: Path, simulator: Simulator, owner: tuple[int, int] | None = None, **inputs: str
) -> dict[str, Any]:
    """Run the image; `owner` (uid, gid) is given the workspace first, as a runner's user owns it."""
    report = tmp_path / "report.json"
    (tmp_path / "workspace").mkdir()
    if owner is not None:
        os.chown(tmp_path / "workspace", *owner)
    args = [f"--workspace={tmp_path / 'workspace'}"]
    args += [f"--with={name.replace('_', '-')}={value}" for name, value in inputs.items()]
    args += [f"--with=base-url={simulator.url}", "--with=api-key=sim-key", "--with=poll-interval=0.2"]
    args += [f"--with=github-token={TOKEN}"]  # what the runner makes of action.yml's `${{ github.token }}`
    subprocess.run(
        [str(RUN_ACTION), "--repo", str(ROOT), "--json", str(report), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert report.exists(), "run-action did not build or start the image"
    return json.loads(report.read_text())


def assert_key_only_masked(report: dict[str, Any]) -> None:
    assert [c["data"] for c in report["commands"] if c["command"] == "add-mask"] == ["sim-key", TOKEN]
    shown = [line for line in report["stdout"].splitlines() if not line.startswith("::add-mask::")]
    assert not any("sim-key" in line for line in shown)
    assert "sim-key" not in report["summary"]
    assert "sim-key" not in json.dumps(report["outputs"])


def test_the_image_passes_a_passing_batch(tmp_path: Path, simulator: Simulator) -> None:
    report = run_container(tmp_path, simulator, batch_job_id="passing-container")
    assert report["exit_code"] == 0, report["stdout"]
    assert report["outputs"]["result"] == "passed"
    assert report["outputs"]["pass-count"] == "10"
    assert report["summary"].startswith("## ✅ Retell batch test passed\n")
    assert_key_only_masked(report)


def test_the_image_fails_a_failing_batch_with_hyphenated_inputs(tmp_path: Path, simulator: Simulator) -> None:
    report = run_container(
        tmp_path,
        simulator,
        batch_job_id="failing-container",
        max_failures="1",
        junit_path="out/junit.xml",
        report_path="out/retell.json",
    )
    assert report["exit_code"] == 1, report["stdout"]
    assert report["outputs"]["result"] == "failed"
    assert (
        report["outputs"]["reason"]
        == "The batch failed: 2 failed, more than the 1 allowed; 1 errored, more than the 0 allowed."
    )
    # The verdict, then one annotation per failed or errored test case.
    assert [c["command"] for c in report["commands"]] == ["add-mask", "add-mask", "error", "error", "error", "error"]
    # The report files land in the mounted workspace, named by the outputs as later steps see them.
    assert (report["outputs"]["junit-path"], report["outputs"]["report-path"]) == ("out/junit.xml", "out/retell.json")
    assert json.loads((tmp_path / "workspace" / "out" / "retell.json").read_text())["verdict"]["result"] == "failed"
    assert "<testsuite " in (tmp_path / "workspace" / "out" / "junit.xml").read_text()
    assert "| Refuses to share another guest's booking | ❌ fail |" in report["summary"]
    assert_key_only_masked(report)


def test_the_image_rejects_bad_input_before_any_request(tmp_path: Path, simulator: Simulator) -> None:
    report = run_container(tmp_path, simulator, batch_job_id="passing", timeout="soon")
    assert report["exit_code"] == 2
    assert report["outputs"]["result"] == "error"
    assert simulator.requests == []


def test_the_image_gives_the_report_files_to_the_workspace_owner(tmp_path: Path, simulator: Simulator) -> None:
    # A self-hosted runner's user owns the workspace; the gate runs as root in the container. What it
    # creates must be the user's, or the next job cannot clean the workspace.
    report = run_container(
        tmp_path,
        simulator,
        owner=(1234, 2345),
        batch_job_id="failing-owner",
        report_path="retell/out/retell.json",
        junit_path="retell/junit.xml",
    )
    assert report["exit_code"] == 1, report["stdout"]
    assert (report["outputs"]["report-path"], report["outputs"]["junit-path"]) == (
        "retell/out/retell.json",
        "retell/junit.xml",
    )
    workspace = tmp_path / "workspace"
    owners = {str(p.relative_to(workspace)): (p.stat().st_uid, p.stat().st_gid) for p in workspace.rglob("*")}
    print("owners (uid, gid) in the workspace after the container:", owners)
    created = ("retell", "retell/junit.xml", "retell/out", "retell/out/retell.json")
    assert owners == dict.fromkeys(created, (1234, 2345))


def test_the_image_refuses_a_report_path_out_of_the_workspace(tmp_path: Path, simulator: Simulator) -> None:
    report = run_container(tmp_path, simulator, batch_job_id="passing", report_path="/github/runner_temp/r.json")
    assert report["exit_code"] == 2, report["stdout"]
    assert report["outputs"]["reason"].startswith("Input `report-path` is '/github/runner_temp/r.json'")
    assert simulator.requests == []


def test_the_image_starts_a_batch_for_an_agent_version_and_judges_it(tmp_path: Path, simulator: Simulator) -> None:
    report = run_container(tmp_path, simulator, agent_id="agent_failing", version="2", report_path="r/retell.json")
    assert report["exit_code"] == 1, report["stdout"]
    assert report["outputs"]["result"] == "failed"
    started = json.loads(report["outputs"]["batch-job-ids"])
    assert len(started) == 1
    assert [method for method, _ in simulator.calls if method == "POST"] == ["POST"]
    assert "| Response engine | Retell LLM llm\\_failing, version 2 |" in report["summary"]
    assert f"| Started by this run | `{started[0]}` |" in report["summary"]
    written = json.loads((tmp_path / "workspace" / "r" / "retell.json").read_text())
    assert written["batch"]["response_engine"]["version"] == 2
    assert_key_only_masked(report)
