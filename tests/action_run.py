"""Running entrypoint.py the way the GitHub runner runs the container."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.runner_rules import Command, parse_output_file, workflow_commands

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "entrypoint.py"
MEASURED = ROOT / "tests" / "measured.py"
# What the runner evaluates action.yml's expression defaults to (a token unique to these tests).
RUNNER_TOKEN = "ghs_RunnerTokenForTests0123456789abcdef"
EXPRESSIONS = {"${{ github.token }}": RUNNER_TOKEN}


def action_inputs() -> dict[str, dict[str, object]]:
    inputs: dict[str, dict[str, object]] = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    return inputs


@dataclass
class ActionRun:
    exit_code: int
    log: str
    outputs: dict[str, str]
    summary: str
    files: dict[str, str]
    seconds_after_signal: float = 0.0
    max_rss_mb: float = 0.0

    @property
    def commands(self) -> list[Command]:
        return workflow_commands(self.log)

    def annotations(self, level: str) -> list[str]:
        return [c.data for c in self.commands if c.name == level]


def runner_env(tmp: Path, inputs: dict[str, str]) -> dict[str, str]:
    """What the runner passes: every declared input (default applied), hyphens kept, file commands."""
    commands = tmp / "file_commands"
    commands.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp / "home"),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(tmp / "workspace"),
        "GITHUB_OUTPUT": str(commands / "set_output_1"),
        "GITHUB_STEP_SUMMARY": str(commands / "step_summary_1"),
        "GITHUB_ENV": str(commands / "set_env_1"),
        "RUNNER_TEMP": str(tmp / "runner_temp"),
    }
    for name, spec in action_inputs().items():
        value = inputs.get(name, EXPRESSIONS.get(str(spec.get("default", "")), spec.get("default", "")))
        env["INPUT_" + name.replace(" ", "_").upper()] = str(value)
    for name in ("set_output_1", "step_summary_1", "set_env_1"):
        (commands / name).write_text("")
    return env


def start(tmp: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    workspace = tmp / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    env = runner_env(tmp, inputs) | (extra_env or {})
    # Started through measured.py, so that its peak memory is the gate's own, not pytest's.
    command = [sys.executable, "-S", str(MEASURED), str(tmp / "max-rss-kb"), sys.executable, str(ENTRYPOINT)]
    return subprocess.Popen(
        command,
        cwd=workspace,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(tmp: Path, process: subprocess.Popen[str], timeout: float = 60) -> ActionRun:
    """Wait for the gate; its exit code, log, outputs, summary, files and peak memory."""
    run = _finish(tmp, process, timeout)
    rss = tmp / "max-rss-kb"
    run.max_rss_mb = int(rss.read_text()) / 1024 if rss.exists() else float("inf")
    return run


def _finish(tmp: Path, process: subprocess.Popen[str], timeout: float) -> ActionRun:
    assert process.stdout is not None
    stdout = process.stdout
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(stdout.read()), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        process.kill()
        reader.join()
    process.wait()
    log = "".join(chunks)
    # Whatever the scenario, the gate reports in words: a traceback is always a bug.
    assert "Traceback (most recent call last)" not in log, log[-4000:]
    commands = tmp / "file_commands"
    files = {p.name: p.read_bytes().decode() for p in commands.iterdir()}
    outputs = parse_output_file(files["set_output_1"])
    return ActionRun(process.returncode, log, outputs, files["step_summary_1"], files)


def run_action(tmp: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None) -> ActionRun:
    return finish(tmp, start(tmp, inputs, extra_env))


def run_and_signal(
    tmp: Path,
    inputs: dict[str, str],
    sig: signal.Signals,
    when: Callable[[], bool],
    settle: float = 0.1,
    extra_env: dict[str, str] | None = None,
) -> ActionRun:
    """Start the gate, wait until `when()` holds and `settle` seconds more, then send `sig` as the runner
    does on cancel."""
    process = start(tmp, inputs, extra_env)
    deadline = time.monotonic() + 30
    while not when() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(settle)  # let it get into the sleep or request that follows
    process.send_signal(sig)
    sent = time.monotonic()
    run = finish(tmp, process)
    run.seconds_after_signal = time.monotonic() - sent
    return run
