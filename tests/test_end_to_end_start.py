"""Start mode through entrypoint.py, as the runner runs the container, against the simulator over HTTP."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from junitparser import JUnitXml

from retell_gate.simulator.server import Simulator
from tests.action_run import RUNNER_TOKEN, run_action, run_and_signal
from tests.rawserver import RawServer, hang
from tests.test_end_to_end import KEY, assert_key_nowhere


def start_inputs(simulator: Simulator, **inputs: str) -> dict[str, str]:
    return {
        "api-key": KEY,
        "base-url": simulator.url,
        "poll-interval": "0.05",
        "timeout": "30",
    } | {name.replace("_", "-"): value for name, value in inputs.items()}


def posts(simulator: Simulator) -> list[str]:
    return [path for method, path in simulator.calls if method == "POST"]


def test_an_agent_version_is_started_waited_for_and_judged_in_one_step(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, agent_id="agent_demo", version="2", report_path="r.json"))
    assert run.exit_code == 0, run.log
    assert run.outputs["result"] == "passed"
    assert run.outputs["total-count"] == "10"
    started = json.loads(run.outputs["batch-job-ids"])
    assert len(started) == 1
    assert run.outputs["batch-job-id"] == started[0]
    assert (run.outputs["engine-id"], run.outputs["engine-version"]) == ("llm_demo", "2")
    assert posts(simulator) == ["/create-batch-test"]
    assert "| Response engine | Retell LLM llm\\_demo, version 2 |" in run.summary
    assert f"| Started by this run | `{started[0]}` |" in run.summary
    report = json.loads((tmp_path / "workspace" / "r.json").read_text())
    assert report["batch"]["response_engine"]["version"] == 2
    assert "Plan: 10 test cases in 1 batch against retell-llm llm_demo version 2" in run.log
    assert_key_nowhere(run)


def test_a_failing_engine_fails_the_step(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_failing", version="3"))
    assert run.exit_code == 1
    assert run.outputs["result"] == "failed"
    assert (run.outputs["fail-count"], run.outputs["error-count"]) == ("2", "1")


def test_a_large_selection_is_split_started_one_after_the_other_and_judged_together(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, conversation_flow_id="conversation_flow_many", version="1"))
    assert run.exit_code == 0, run.log
    assert len(json.loads(run.outputs["batch-job-ids"])) == 3
    assert run.outputs["total-count"] == "450"
    assert len(posts(simulator)) == 3
    assert "| Total | complete | 450 | 0 | 0 | 450 | 100.0% |" in run.summary


def test_test_names_narrow_the_selection(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_named", test_names="booking:*\nsmoke: *"))
    assert run.exit_code == 0, run.log
    assert run.outputs["total-count"] == "5"


def test_a_selection_that_matches_nothing_starts_nothing(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_named", test_names="refunds:*"))
    assert run.exit_code == 2
    assert run.outputs["result"] == "error"
    assert "refunds:*" in run.outputs["reason"]
    assert "The gate read the engine's definitions from Retell and started nothing." in run.summary
    assert "no request was made" not in run.summary
    assert posts(simulator) == []


def test_a_custom_llm_agent_is_refused_before_anything_is_created(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, agent_id="agent_custom"))
    assert run.exit_code == 3
    assert "custom LLM" in run.outputs["reason"]
    assert posts(simulator) == []


def test_402_gets_retells_message_and_a_billing_hint(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_payment", junit_path="j.xml"))
    assert "| Batch | none started |" in run.summary
    (suite,) = JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))
    assert suite.name == "Retell batch test gate"  # no batch: the gate's own suite, with its verdict
    assert "batch_job_id" not in {p.name for p in suite.properties()}
    assert run.exit_code == 3
    assert "402" in run.outputs["reason"]
    assert "Billing" in run.summary
    assert "Retell started no batch for this request." in run.summary
    assert posts(simulator) == ["/create-batch-test"]


def test_a_402_after_a_batch_started_names_that_batch_and_says_it_runs(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_broke", repeats="2"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    (started,) = json.loads(run.outputs["batch-job-ids"])
    assert f"The batch this run started, {started}, keeps running in Retell." in run.outputs["reason"]
    assert "Retell started no batch for this request." in run.summary
    assert "No batch was started" not in run.summary
    assert len(posts(simulator)) == 2
    assert run.outputs["engine-version"] == "3"  # never read, but the first create's answer says what it runs


def test_an_ambiguous_create_is_sent_once_and_the_batch_it_made_is_judged(tmp_path: Path, simulator: Simulator) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_error500"))
    assert run.exit_code == 0, run.log
    assert posts(simulator) == ["/create-batch-test"]
    assert run.outputs["result"] == "passed"
    assert any("found the batch it started" in warning for warning in run.annotations("warning"))


def test_two_candidates_after_an_ambiguous_create_stop_with_exit_3_and_no_second_post(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_twice"))
    assert run.exit_code == 3
    assert posts(simulator) == ["/create-batch-test"]
    assert run.outputs["result"] == "error"


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({}, "None of the inputs that say what to test is set"),
        ({"batch_job_id": "passing", "agent_id": "agent_demo"}, "`batch-job-id` and `agent-id` are both set"),
        ({"llm_id": "llm_demo", "version": "latest"}, "Input `version` is 'latest'"),
    ],
)
def test_mode_inputs_that_do_not_fit_are_input_errors_before_any_request(
    tmp_path: Path, simulator: Simulator, given: dict[str, str], named: str
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, **given))
    assert run.exit_code == 2
    assert named in run.outputs["reason"]
    assert simulator.calls == []


def test_a_dry_run_shows_the_plan_and_starts_nothing(tmp_path: Path, simulator: Simulator) -> None:
    inputs = start_inputs(
        simulator, agent_id="agent_named", test_names="booking:*", dry_run="true", report_path="r.json"
    )
    run = run_action(tmp_path, inputs)
    assert run.exit_code == 0, run.log
    assert run.outputs["result"] == "dry-run"
    assert run.outputs["reason"].startswith("Dry run: the gate would start 3 test cases in 1 batch against retell-llm")
    assert "version 3" in run.outputs["reason"]
    assert (run.outputs["engine-id"], run.outputs["engine-version"]) == ("llm_named", "3")  # the agent's current
    assert "### Would run (3)\n\n- booking: table for two\n- booking: moves to Friday\n- booking: cancels politely" in (
        run.summary
    )
    assert posts(simulator) == []
    assert not (tmp_path / "workspace" / "r.json").exists()  # nothing was tested, so no report of a test


def test_a_dry_run_in_wait_mode_checks_the_key_and_each_batch_id(tmp_path: Path, simulator: Simulator) -> None:
    ok = run_action(tmp_path / "ok", start_inputs(simulator, batch_job_id="passing-a passing-b", dry_run="true"))
    assert ok.exit_code == 0
    assert ok.outputs["result"] == "dry-run"
    assert "Retell accepts the API key and each of the 2 batch IDs" in ok.outputs["reason"]
    unknown = run_action(tmp_path / "bad", start_inputs(simulator, batch_job_id="passing-a nosuch", dry_run="true"))
    assert unknown.exit_code == 3
    assert unknown.outputs["reason"].startswith("Batch nosuch: Retell refused the request: HTTP 404")


def test_a_cancel_after_starting_reports_the_started_batches(tmp_path: Path, simulator: Simulator) -> None:
    inputs = start_inputs(simulator, llm_id="llm_demo", poll_interval="30")
    run = run_and_signal(tmp_path, inputs, signal.SIGINT, lambda: bool(posts(simulator)), settle=0.5)
    assert run.exit_code == 130
    started = json.loads(run.outputs["batch-job-ids"])
    assert len(started) == 1
    assert f"The batch this run started, {started[0]}, keeps running in Retell." in run.outputs["reason"]
    assert f"| Started by this run | `{started[0]}` |" in run.summary


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_retells_agent_and_test_names_cannot_forge_commands_in_start_mode(
    tmp_path: Path, simulator: Simulator, dry_run: str
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, agent_id="agent_hostile", dry_run=dry_run))
    assert run.exit_code == 0, run.log
    assert run.outputs["result"] == ("dry-run" if dry_run == "true" else "passed")
    assert {c.name for c in run.commands} == {"add-mask", "notice"}  # the verdict; no forged error or mask
    assert [c.data for c in run.commands if c.name == "add-mask"] == [KEY, RUNNER_TOKEN]
    assert "::error title=forged::agent" in run.log  # the name is in the log, fenced
    assert "::stop-commands::" in run.log


def test_a_create_answered_with_an_id_that_is_not_an_id_names_nothing_and_stops(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_badid", report_path="r.json", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    assert posts(simulator) == ["/create-batch-test"]
    assert "a batch ID that is not a Retell ID" in run.outputs["reason"]
    assert json.loads(run.outputs["batch-job-ids"]) == []
    assert {c.name for c in run.commands} == {"add-mask", "error"}
    assert not [c for c in run.commands if c.properties.get("title") == "forged"]
    written = [run.log, run.summary, *run.outputs.values()]
    written += [(tmp_path / "workspace" / name).read_text() for name in ("r.json", "j.xml")]
    assert not [text for text in written if "forged" in text or "tcb x" in text]


def test_a_cancel_while_a_create_is_unanswered_says_one_may_run(tmp_path: Path, simulator: Simulator) -> None:
    # `hang` creates the batch and never answers: the cancel comes while the gate waits for that answer.
    inputs = start_inputs(simulator, llm_id="llm_hang", timeout="60")
    run = run_and_signal(tmp_path, inputs, signal.SIGINT, lambda: bool(posts(simulator)), settle=0.5)
    assert run.exit_code == 130
    assert "while Retell was being asked to start a batch: it may have started one" in run.outputs["reason"]
    assert "before it started a batch" not in run.outputs["reason"]
    assert "a batch may have started anyway" in run.summary
    assert "| Batch | unknown: one may have started |" in run.summary
    assert json.loads(run.outputs["batch-job-ids"]) == []


def test_a_cancel_before_any_create_says_none_runs(tmp_path: Path) -> None:
    # Retell never answers get-agent: the cancel comes before anything could be started.
    stopping: list[RawServer] = []
    with RawServer(hang(lambda: stopping[0].stopped())) as server:
        stopping.append(server)
        inputs = {"api-key": KEY, "base-url": server.url, "agent-id": "agent_demo", "timeout": "60"}
        run = run_and_signal(tmp_path, inputs, signal.SIGINT, lambda: server.connections > 0, settle=0.3)
    assert run.exit_code == 130
    assert "before it started a batch" in run.outputs["reason"]
    assert "before any batch was started; none runs" in run.summary
    assert "keeps running" not in run.summary


def test_a_create_that_hangs_through_the_timeout_is_said_so_not_called_an_outage(
    tmp_path: Path, simulator: Simulator
) -> None:
    # `hang` creates the batch and never answers; the gate finds it, but no time is left to read it.
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_hang", timeout="3"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")  # unknown is never green, nor a mere timeout
    (started,) = json.loads(run.outputs["batch-job-ids"])
    assert run.outputs["reason"].startswith("`timeout` (3 s) ran out before the batch could be read (starting took")
    assert f"The batch this run started, {started}, keeps running in Retell." in run.outputs["reason"]
    assert "failing" not in run.outputs["reason"]
    assert "Raise `timeout`" in run.summary
    assert posts(simulator) == ["/create-batch-test"]


def test_a_batch_listed_before_retell_counted_it_is_still_found_after_an_ambiguous_create(
    tmp_path: Path, simulator: Simulator
) -> None:
    # `uncounted`: the create resets, and list-batch-tests shows the new batch with a total of 0.
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_uncounted"))
    assert (run.exit_code, run.outputs["result"]) == (0, "passed"), run.outputs["reason"]
    assert posts(simulator) == ["/create-batch-test"]


def test_an_unpinned_engine_is_pinned_after_the_first_batch_so_every_batch_tests_one_version(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, conversation_flow_id="conversation_flow_many"))
    assert run.exit_code == 0, run.outputs["reason"]
    sent = simulator.starts.engines_asked
    assert len(sent) == 3
    assert "version" not in sent[0]  # the latest, whichever that is...
    assert [each.get("version") for each in sent[1:]] == [3, 3]  # ...then the one the first batch ran
    assert run.outputs["engine-version"] == "3"


@pytest.mark.parametrize(
    ("engine", "problem"),
    [
        ("llm_swapped", "ran 10 test case definition(s) this run did not ask for"),  # as another job's batch would
        ("llm_shrunk", "holds 9 test cases, not the 10 this run asked for"),  # its create said 0: not counted yet
    ],
)
def test_a_batch_that_ran_other_tests_than_asked_is_never_judged(
    tmp_path: Path, simulator: Simulator, engine: str, problem: str
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id=engine, version="3", junit_path="j.xml"))
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    (started,) = json.loads(run.outputs["batch-job-ids"])
    assert run.outputs["reason"] == f"Batch {started} {problem}; the gate will not judge it."
    assert posts(simulator) == ["/create-batch-test"]
    assert "Open the batch in Retell's dashboard to see what it ran." in run.summary
    (suite,) = JUnitXml.fromfile(str(tmp_path / "workspace" / "j.xml"))
    assert suite.errors + suite.failures >= 1  # never a green file beside the red gate


def test_nothing_started_in_start_mode_is_said_so_not_told_to_rerun_with_a_batch_id(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: every request is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inputs = {"api-key": KEY, "base-url": f"http://127.0.0.1:{port}", "llm-id": "llm_demo", "timeout": "60"}
    run = run_action(tmp_path, inputs)
    assert (run.exit_code, run.outputs["result"]) == (3, "error")
    assert "No batch was started." in run.summary
    assert "same `batch-job-id`" not in run.summary
    assert "keeps running" not in run.summary


def test_a_dry_run_of_an_engine_version_says_retell_checks_it_only_when_starting(
    tmp_path: Path, simulator: Simulator
) -> None:
    run = run_action(tmp_path, start_inputs(simulator, llm_id="llm_demo", version="99", dry_run="true"))
    assert (run.exit_code, run.outputs["result"]) == (0, "dry-run")
    assert "Retell checks that version 99 of llm_demo exists only when a batch starts." in run.outputs["reason"]
    assert posts(simulator) == []
