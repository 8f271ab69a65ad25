"""Edges a user meets through the real entrypoint: report paths and their owner, the report on an
input error, odd numbers, and running it in a terminal (encodings, plain text, --help)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from junitparser import JUnitXml

from retell_gate.simulator.server import Simulator
from tests.action_run import ENTRYPOINT, run_action
from tests.test_end_to_end import assert_key_nowhere, gate_inputs

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("report-path", "/tmp/retell-report.json"),  # noqa: S108 - refused, never used
        ("junit-path", "/github/runner_temp/junit.xml"),
        ("report-path", "../retell.json"),
        ("junit-path", "out/../../junit.xml"),
    ],
)
def test_a_report_path_out_of_the_workspace_is_bad_input(
    tmp_path: Path, simulator: Simulator, name: str, value: str
) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing") | {name: value})
    assert (run.exit_code, run.outputs["result"]) == (2, "error"), run.log
    reason = run.outputs["reason"]
    assert f"Input `{name}` is {value!r}: expected a file path relative to the workspace and inside it" in reason
    assert "only the workspace outlives the action's container" in reason
    assert simulator.requests == []
    assert run.outputs["report-path"] == run.outputs["junit-path"] == ""


def test_a_report_path_that_comes_back_into_the_workspace_is_fine(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing", report_path="a/../retell.json"))
    assert run.exit_code == 0, run.log
    assert run.outputs["report-path"] == "retell.json"
    assert json.loads((tmp_path / "workspace" / "retell.json").read_text())["verdict"]["result"] == "passed"


def test_a_symbolic_link_out_of_the_workspace_is_not_followed(tmp_path: Path, simulator: Simulator) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "out").symlink_to(elsewhere)
    run = run_action(tmp_path, gate_inputs(simulator, "passing", report_path="out/retell.json"))
    assert run.exit_code == 5  # a pass whose report is lost is not green
    assert any(f"`out` is a symbolic link out of the workspace, to {elsewhere}" in a for a in run.annotations("error"))
    assert list(elsewhere.iterdir()) == []
    assert run.outputs["report-path"] == ""


@root_only
def test_reports_and_their_folders_belong_to_the_workspace_owner(tmp_path: Path, simulator: Simulator) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    os.chown(workspace, 1234, 2345)  # the runner's user on a self-hosted runner; the gate is root
    run = run_action(
        tmp_path, gate_inputs(simulator, "failing", report_path="retell/out/r.json", junit_path="retell/j.xml")
    )
    assert run.exit_code == 1, run.log
    owners = {
        str(path.relative_to(workspace)): (path.stat().st_uid, path.stat().st_gid)
        for path in sorted(workspace.rglob("*"))
    }
    assert owners == dict.fromkeys(("retell", "retell/j.xml", "retell/out", "retell/out/r.json"), (1234, 2345))


def test_an_input_error_is_written_to_the_report_files(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(
        tmp_path,
        gate_inputs(simulator, "passing", max_failures="one", report_path="out/r.json", junit_path="out/j.xml"),
    )
    assert (run.exit_code, run.outputs["result"]) == (2, "error")
    assert (run.outputs["report-path"], run.outputs["junit-path"]) == ("out/r.json", "out/j.xml")
    report = json.loads((tmp_path / "workspace" / "out" / "r.json").read_text())
    assert report["verdict"]["result"] == "error"
    assert report["verdict"]["exit_code"] == 2
    assert report["verdict"]["reason"].startswith("Input `max-failures` is 'one'")
    root = ET.parse(tmp_path / "workspace" / "out" / "j.xml").getroot()  # noqa: S314 - our own output
    assert (root.tag, root.get("tests"), root.get("errors")) == ("testsuites", "1", "1")
    error = root.find("testsuite/testcase/error")
    assert error is not None
    assert error.get("message", "").startswith("Input `max-failures` is 'one'")
    assert simulator.requests == []


def test_an_input_error_in_a_report_path_still_writes_the_other(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing", report_path="/abs/r.json", junit_path="out/j.xml"))
    assert run.exit_code == 2
    assert (run.outputs["report-path"], run.outputs["junit-path"]) == ("", "out/j.xml")
    assert "Input `report-path` is '/abs/r.json'" in (tmp_path / "workspace" / "out" / "j.xml").read_text()


@pytest.mark.parametrize("name", ["timeout", "poll-interval", "max-failures", "max-errors", "min-pass-rate"])
@pytest.mark.parametrize("value", ["sNaN", "-Infinity", "1e999"])
def test_a_non_finite_number_is_bad_input(tmp_path: Path, simulator: Simulator, name: str, value: str) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "passing") | {name: value})
    assert (run.exit_code, run.outputs["result"]) == (2, "error"), run.log
    assert run.outputs["reason"].startswith(f"Input `{name}` is {value!r}: expected")
    assert simulator.requests == []


# Locally: a terminal, no GitHub environment, the key from RETELL_API_KEY.


def run_locally(tmp_path: Path, *argv: str, **env: str) -> tuple[int, str]:
    here = tmp_path / "here"
    here.mkdir(exist_ok=True)
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "RETELL_API_KEY": "sim-key"}
    encoding = env.get("PYTHONIOENCODING", "utf-8")
    done = subprocess.run(
        [sys.executable, str(ENTRYPOINT), *argv], cwd=here, env=base | env, capture_output=True, check=False
    )
    output = (done.stdout + done.stderr).decode(encoding)
    assert "Traceback" not in output, output[-3000:]
    return done.returncode, output


def local_args(simulator: Simulator, batch: str, *more: str) -> list[str]:
    return ["--batch-job-id", batch, "--base-url", simulator.url, "--poll-interval", "0.05", "--timeout", "30", *more]


def test_locally_a_non_finite_timeout_is_bad_input(tmp_path: Path, simulator: Simulator) -> None:
    code, output = run_locally(tmp_path, *local_args(simulator, "passing"), "--timeout", "sNaN")
    assert code == 2
    assert "Input `timeout` is 'sNaN': expected a number of seconds" in output
    assert simulator.requests == []


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_a_terminal_that_cannot_show_a_name_does_not_fail_a_pass(
    tmp_path: Path, simulator: Simulator, encoding: str
) -> None:
    # The hostile batch's names hold a lone surrogate and controls; every threshold at 100% makes it pass.
    args = local_args(simulator, "hostile", "--max-failures", "100%", "--max-errors", "100%")
    code, output = run_locally(tmp_path, *args, PYTHONIOENCODING=encoding)
    assert code == 0, output
    assert "  result: passed\n" in output
    assert "Retell batch test: PASSED" in output
    assert "lone surrogate ? here" in output


def test_a_terminal_gets_plain_text_not_markdown(tmp_path: Path, simulator: Simulator) -> None:
    code, output = run_locally(tmp_path, *local_args(simulator, "failing"))
    assert code == 1
    assert "llm\\_demo" not in output
    assert "<details>" not in output
    assert "| --" not in output
    assert "Response engine: Retell LLM llm_demo_receptionist, version 3" in output
    assert "Thresholds:\n  FAIL  Failed: 2 (allowed <= 0)\n  FAIL  Errored: 1 (allowed <= 0)\n" in output
    assert "  fail   Refuses to share another guest's booking\n" in output
    assert "         Expected: the agent repeats the date and time before booking.\n" in output
    # Each failed test case once in the report (the annotations name them too, as `Error:` lines).
    assert output.count("  fail   Refuses to share another guest's booking") == 1


def test_a_summary_file_still_gets_the_markdown(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, gate_inputs(simulator, "failing"))
    assert "Retell LLM llm\\_demo\\_receptionist, version 3" in run.summary
    assert "Retell batch test: FAILED" not in run.log
    assert_key_nowhere(run)


def test_help_explains_limits_and_exit_codes(tmp_path: Path) -> None:
    code, output = run_locally(tmp_path, "--help")
    assert code == 0
    assert "N is a count of test cases" in output
    assert "N% is a share" in output
    assert "--allow-empty [true|false]" in output
    for line in (
        "  2    invalid input",
        "  4    timed out",
        "  130  cancelled by SIGINT",
        "  143  cancelled by SIGTERM",
    ):
        assert line in output


@pytest.mark.parametrize(("flags", "code"), [(["--allow-empty"], 0), (["--allow-empty", "false"], 1), ([], 1)])
def test_a_bare_boolean_flag_means_true(tmp_path: Path, simulator: Simulator, flags: list[str], code: int) -> None:
    assert run_locally(tmp_path, *local_args(simulator, "empty"), *flags)[0] == code


def test_a_pass_whose_report_file_cannot_be_written_is_an_error_in_every_report(
    tmp_path: Path, simulator: Simulator
) -> None:
    # `out` is a file, so out/r.json cannot be written; the JUnit file can, and must not read green.
    (tmp_path / "workspace").mkdir(parents=True)
    (tmp_path / "workspace" / "out").write_text("not a folder")
    inputs = gate_inputs(simulator, "passing-rf", report_path="out/r.json", junit_path="j.xml")
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (5, "error")
    assert run.outputs["reason"].startswith("All 10 test cases passed. But the gate could not write its report files")
    assert not run.summary.startswith("## ✅")
    assert run.outputs["report-path"] == ""
    suite = next(iter(JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))))
    assert suite.errors == 1  # the verdict's own case, beside the 10 that passed


def test_a_pass_whose_summary_cannot_be_written_is_an_error_in_the_outputs_and_reports(
    tmp_path: Path, simulator: Simulator
) -> None:
    # The summary file is a folder: the outputs, written first, said passed; their last value must not.
    (tmp_path / "not-a-file").mkdir(parents=True)
    inputs = gate_inputs(simulator, "passing-sl", report_path="r.json")
    run = run_action(tmp_path, inputs, {"GITHUB_STEP_SUMMARY": str(tmp_path / "not-a-file")})
    assert (run.exit_code, run.outputs["result"]) == (5, "error")
    assert "could not write its step outputs or job summary" in run.outputs["reason"]
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    assert report["verdict"]["result"] == "error"
    assert run.annotations("notice") == []  # no "passed" notice beside it


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_cancel_during_start_up_is_reported_once_the_gate_can(
    tmp_path: Path, simulator: Simulator, sig: signal.Signals
) -> None:
    """entrypoint.py keeps a signal that comes during its imports: the run then ends cancelled, reported."""
    from retell_gate import cli
    from retell_gate.runner.signals import remember_early
    from tests.action_run import runner_env

    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        remember_early()
        os.kill(os.getpid(), sig)  # as if sent while the gate's modules were still loading
        (tmp_path / "workspace").mkdir()
        env = runner_env(tmp_path, gate_inputs(simulator, "passing"))
        code = cli.run([], env, io.StringIO())
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    assert code == 128 + sig
    outputs = (tmp_path / "file_commands" / "set_output_1").read_text()
    assert "cancelled" in outputs
    assert "Retell batch test gate was cancelled" in (tmp_path / "file_commands" / "step_summary_1").read_text()
    assert simulator.requests == []  # it stopped before asking anything
