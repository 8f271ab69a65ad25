"""The self-test workflow, replayed here step by step: the simulator over HTTPS with a throwaway CA
on an address other than loopback, and the gate trusting it only through REQUESTS_CA_BUNDLE.

Its `run:` steps run with bash as the runner runs them; each `uses: ./` step runs entrypoint.py the
way the runner runs the container (tests/action_run.py). Only the container itself is not used:
tests/test_container.py covers the image.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.action_run import run_action

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "selftest.yml").read_text())
JOB = WORKFLOW["jobs"]["selftest"]
SETUP = ("actions/checkout@", "actions/setup-python@")  # the runner's business, not replayed
BASH = shutil.which("bash") or "/bin/bash"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def host_address() -> str:
    found = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False).stdout.split()  # noqa: S607
    return next((a for a in found if "." in a and not a.startswith("127.")), "")


pytestmark = pytest.mark.skipif(not host_address(), reason="needs an IPv4 address other than loopback")


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replay:
    """The job's state as the runner keeps it: step outputs and outcomes, the workspace."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.workspace = tmp / "workspace"
        self.workspace.mkdir()
        (self.workspace / "src").symlink_to(ROOT / "src")  # the checkout, as far as the steps read it
        (self.workspace / "requirements-dev.txt").symlink_to(ROOT / "requirements-dev.txt")
        self.outputs: dict[str, dict[str, str]] = {}
        self.outcomes: dict[str, str] = {}
        self.env = {k: str(v) for k, v in JOB["env"].items()} | {"SIMULATOR_PORT": str(free_port())}

    def evaluate(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            words = match.group(1).split(".")
            if words == ["github", "workspace"]:
                return str(self.workspace)
            if words[0] == "steps" and words[2:3] == ["outputs"]:
                return self.outputs[words[1]].get(words[3], "")
            if words[0] == "steps" and words[2:] == ["outcome"]:
                return self.outcomes[words[1]]
            raise AssertionError(f"the replay does not know {match.group(0)}")

        return EXPRESSION.sub(value, text)

    def step_env(self, step: dict[str, Any]) -> dict[str, str]:
        return self.env | {k: self.evaluate(str(v)) for k, v in step.get("env", {}).items()}

    def run(self, step: dict[str, Any]) -> None:
        number = len(self.outcomes)
        if "uses" in step:
            assert step["uses"] == "./"
            tmp = self.tmp / f"step{number}"
            tmp.mkdir()
            (tmp / "workspace").symlink_to(self.workspace)
            inputs = {k: self.evaluate(str(v)) for k, v in step["with"].items()}
            done = run_action(tmp, inputs, self.step_env(step))
            code, outputs, log = done.exit_code, done.outputs, done.log
        else:
            output = self.tmp / f"output{number}"
            output.write_text("")
            env = {
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin:/usr/sbin:/sbin",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_OUTPUT": str(output),
            }
            finished = subprocess.run(
                [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=self.workspace,
                env=env | self.step_env(step),
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            code, log = finished.returncode, finished.stdout + finished.stderr
            outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        self.outcomes[step.get("id", f"step{number}")] = "success" if code == 0 else "failure"
        self.outputs[step.get("id", f"step{number}")] = outputs
        if code != 0 and not step.get("continue-on-error"):
            raise AssertionError(f"step {step.get('name')!r} failed ({code}):\n{log[-3000:]}")


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[Replay]:
    job = Replay(tmp_path)
    yield job
    pid_file = job.workspace / "simulator.pid"
    if pid_file.exists():  # the simulator the workflow started, should a step have failed first
        with suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


def test_the_self_test_workflow_passes_and_asserts_the_failure(replay: Replay) -> None:
    steps = [s for s in JOB["steps"] if not str(s.get("uses", "")).startswith(SETUP)]
    install = steps.pop(0)
    assert install["run"].startswith("python -m pip install")  # trustme is already in the dev venv
    for step in steps:
        replay.run(step)
    base_url = replay.outputs["simulator"]["base-url"]
    # Not loopback: plain http:// would be refused there, so HTTPS with the CA is what makes it work.
    assert base_url == f"https://{host_address()}:{replay.env['SIMULATOR_PORT']}"
    assert replay.outcomes == {
        "simulator": "success",
        "passing": "success",
        "step2": "success",
        "failing": "failure",
        "step4": "success",
        "untrusted": "failure",
        "step6": "success",
        "step7": "success",
    }
    assert replay.outputs["passing"]["result"] == "passed"
    assert replay.outputs["failing"]["result"] == "failed"
    assert replay.outputs["untrusted"]["result"] == "error"


def test_the_gate_gets_the_ca_through_the_workspace_as_the_readme_says() -> None:
    gate_steps = [s for s in JOB["steps"] if s.get("uses") == "./"]
    assert [s["id"] for s in gate_steps] == ["passing", "failing", "untrusted"]
    for step in gate_steps:
        assert step["with"]["base-url"] == "${{ steps.simulator.outputs.base-url }}"
    assert gate_steps[0]["env"] == gate_steps[1]["env"] == {"REQUESTS_CA_BUNDLE": "${{ github.workspace }}/ca.pem"}
    assert "env" not in gate_steps[2]
    assert "REQUESTS_CA_BUNDLE: ${{ github.workspace }}/ca.pem" in (ROOT / "README.md").read_text()
    assert [s["id"] for s in gate_steps if s.get("continue-on-error")] == ["failing", "untrusted"]
