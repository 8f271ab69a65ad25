"""The README's tables, action.yml and the code must tell the same story."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from retell_gate import codes
from retell_gate.inputs.config import PARSERS
from retell_gate.inputs.raw import DEFAULTS
from retell_gate.judge.outcome import Outcome
from retell_gate.report.outputs import outputs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def readme_table(heading: str) -> list[list[str]]:
    """The rows of the first table under `## heading`, as cell texts."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def unquote(cell: str) -> str:
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


# Defaults that only the runner can evaluate; outside Actions the code's own default (empty) applies.
RUNNER_DEFAULTS = {"github-token": "${{ github.token }}"}


def test_inputs_table_matches_action_yml_and_the_code() -> None:
    rows = readme_table("Inputs")
    names = [unquote(row[0]) for row in rows]
    assert names == list(ACTION["inputs"]) == list(DEFAULTS) == list(PARSERS)
    for row in rows:
        name, default = unquote(row[0]), row[1]
        spec = ACTION["inputs"][name]
        if spec.get("required"):
            assert default == "(required)"
            assert "default" not in spec
            assert DEFAULTS[name] == ""
        elif name in RUNNER_DEFAULTS:
            assert unquote(default) == spec["default"] == RUNNER_DEFAULTS[name]
            assert DEFAULTS[name] == ""
        elif DEFAULTS[name] == "":
            assert default.startswith("(empty")
            assert spec["default"] == ""
        else:
            assert unquote(default) == spec["default"] == DEFAULTS[name]


def test_outputs_table_matches_action_yml_and_what_the_code_writes() -> None:
    names = [unquote(row[0]) for row in readme_table("Outputs")]
    written = list(outputs(Outcome("error", "x", 2, (), 0.0)))
    assert names == list(ACTION["outputs"]) == written


def test_exit_codes_table_matches_the_code() -> None:
    table = {int(row[0]): unquote(row[1]) for row in readme_table("Exit codes")}
    assert table == {
        codes.EXIT_PASSED: "passed",
        codes.EXIT_FAILED: "failed",
        codes.EXIT_INPUT: "error",
        codes.EXIT_API: "error",
        codes.EXIT_TIMEOUT: "timed-out",
        codes.EXIT_INTERNAL: "error",
        codes.EXIT_SIGNAL_BASE + 2: "cancelled",
        codes.EXIT_SIGNAL_BASE + 15: "cancelled",
    }


def example_workflow() -> str:
    return README.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_example_workflow_is_a_valid_workflow(tmp_path: Path) -> None:
    path = tmp_path / "agent-tests.yml"
    path.write_text(example_workflow())
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_workflow_uses_only_declared_inputs() -> None:
    example = yaml.safe_load(example_workflow())
    steps = example["jobs"]["retell"]["steps"]
    gate = next(step for step in steps if step.get("id") == "gate")
    assert set(gate["with"]) <= set(ACTION["inputs"])
    assert {"api-key", "agent-id", "version"} <= set(gate["with"])  # the one-step form comes first


def test_the_try_it_commands_are_the_ones_ci_runs() -> None:
    try_it = README.split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 dev\.py \w+)", try_it, re.M)
    assert commands == ["python3 dev.py demo", "python3 dev.py test"]
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


def test_the_docker_action_runs_the_dockerfile_with_an_exec_form_entrypoint() -> None:
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoints = re.findall(r"^ENTRYPOINT (.*)$", dockerfile, re.M)
    assert entrypoints == ['["/usr/local/bin/python", "/app/entrypoint.py"]']
    assert not re.search(r"^USER ", dockerfile, re.M)


def test_every_yaml_example_parses_and_passes_only_declared_inputs() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    assert len(blocks) >= 2
    for block in blocks:
        document = yaml.safe_load(block)
        steps = document["jobs"]["retell"]["steps"] if isinstance(document, dict) else document
        ours = [step for step in steps if "retell-batch-gate" in step.get("uses", "")]
        assert ours, block
        for step in ours:
            assert set(step["with"]) <= set(ACTION["inputs"])


def test_the_reliability_report_covers_every_fault_in_the_catalogue() -> None:
    from tests.faults import FAULTS

    report = (ROOT / "docs" / "reliability.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \|", report, re.M)
    assert rows == [fault.name for fault in FAULTS], "regenerate it: python3 dev.py reliability"
    assert "❌" not in report


def test_the_performance_report_exists_with_every_target() -> None:
    report = (ROOT / "docs" / "performance.md").read_text()
    for measure in (
        "Detection lag, mean",
        "API requests",
        "Start-up to first request",
        "processing beyond the network",
        "peak memory",
        "job summary",
        "Image build",
        "Image size added",
    ):
        assert measure in report


def test_the_docs_say_what_the_runner_really_does() -> None:
    # The runner cancels a Docker step with SIGINT first and SIGTERM 7.5 s later: a cancel usually reports 130.
    rows = {int(row[0]): row[2] for row in readme_table("Exit codes")}
    assert "runner sends SIGINT first" in rows[codes.EXIT_SIGNAL_BASE + 2]
    assert "7.5 s after SIGINT" in rows[codes.EXIT_SIGNAL_BASE + 15]
    # The runner refuses container actions anywhere but Linux.
    assert "Container actions run on Linux runners only" in README
