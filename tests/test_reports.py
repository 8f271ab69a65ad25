"""The JSON and JUnit report files: valid, complete, and in agreement with the counts."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from retell_gate.judge.outcome import Outcome
from retell_gate.report.junit import VERDICT_CASE, to_junit
from retell_gate.report.report_json import to_json
from retell_gate.retell.listing import RunListing
from tests.factories import make_run, with_listing
from tests.summary_cases import CASES, HOSTILE_LISTING, _judged

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_json_report_matches_the_published_schema(name: str) -> None:
    jsonschema.validate(json.loads(to_json(CASES[name])), SCHEMA, format_checker=jsonschema.FormatChecker())


def test_the_schema_itself_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def with_additions(report: dict) -> dict:
    """The report as a later release of version 1 may write it: new fields everywhere, a new threshold."""
    grown = copy.deepcopy(report)
    grown["started_at"] = "2026-01-02T03:04:05Z"
    grown["batch"]["cost_cents"] = 42
    grown["batch"]["response_engine"]["llm_websocket_headers"] = {}
    grown["verdict"]["counts"]["not_finished"] = 0
    grown["verdict"]["summary_url"] = "https://example.test/summary"
    grown["verdict"]["thresholds"].append(
        {"name": "Duration", "input": "max-duration", "limit": "≤ 60 s", "actual": "12 s", "ok": True, "unit": "s"}
    )
    grown["verdict"]["thresholds"][0]["note"] = "new"
    grown["test_runs"][0]["duration_ms"] = 1200
    return grown


def test_the_schema_accepts_what_version_1_promises_to_add() -> None:
    report = json.loads(to_json(CASES["failed-with-runs"]))
    jsonschema.validate(with_additions(report), SCHEMA)


@pytest.mark.parametrize(
    "breaks",
    [
        lambda r: r.pop("verdict"),
        lambda r: r["verdict"].pop("result"),
        lambda r: r["verdict"].update(result="green"),
        lambda r: r["verdict"]["counts"].update(passed=-1),
        lambda r: r["verdict"]["thresholds"][0].update(input=3),
        lambda r: r["verdict"]["thresholds"][0].update(input=""),
        lambda r: r["test_runs"][0].update(outcome="maybe"),
        lambda r: r.update(schema_version=2),
    ],
)
def test_the_schema_still_rejects_what_version_1_never_changes(breaks: object) -> None:
    report = json.loads(to_json(CASES["failed-with-runs"]))
    breaks(report)  # type: ignore[operator]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def test_the_schema_states_its_compatibility_rule() -> None:
    assert "Readers must ignore fields they do not know" in SCHEMA["description"]


def test_the_json_report_holds_the_batch_verdict_and_every_run() -> None:
    report = json.loads(to_json(CASES["failed-with-runs"]))
    assert report["schema_version"] == 1
    assert report["batch"]["response_engine"] == {"type": "retell-llm", "llm_id": "llm_abc", "version": 2}
    assert report["verdict"]["result"] == "failed"
    assert report["verdict"]["counts"] == {"passed": 2, "failed": 3, "errored": 1, "total": 6}
    assert report["verdict"]["thresholds"][0] == {
        "name": "Failed",
        "input": "max-failures",
        "limit": "≤ 1",
        "actual": "3",
        "ok": False,
    }
    runs = report["test_runs"]
    assert [run["outcome"] for run in runs] == ["fail", "fail", "fail", "error", "pass", "pass"]
    assert runs[1] == {
        "batch_job_id": "batch_1",
        "test_case_job_id": "tcj_1",
        "test_case_definition_id": "tcd_1",
        "name": "Moves a booking to Friday",
        "status": "fail",
        "outcome": "fail",
        "explanation": CASES["failed-with-runs"].batches[0].listing.runs[1].result_explanation,
    }
    counted = {o: sum(run["outcome"] == o for run in runs) for o in ("pass", "fail", "error")}
    assert counted == {"pass": 2, "fail": 3, "error": 1}


def test_the_json_report_says_why_runs_are_missing() -> None:
    report = json.loads(to_json(CASES["runs-unavailable"]))
    assert report["test_runs"] == []
    assert report["test_runs_problem"] == "Retell refused the request: HTTP 500: <b>down</b>"
    assert (
        json.loads(to_json(CASES["runs-short"]))["test_runs_problem"] == "Retell listed 2 of the batch's 10 test runs"
    )
    assert json.loads(to_json(CASES["failed-with-runs"]))["test_runs_problem"] is None
    assert json.loads(to_json(CASES["input-error"]))["test_runs"] is None


def parse_junit(outcome: Outcome, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(to_junit(outcome, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def test_junit_has_a_case_per_run_and_counts_that_match(tmp_path: Path) -> None:
    suite = next(iter(parse_junit(CASES["failed-with-runs"], tmp_path)))
    cases = list(suite)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 3, 1, 0)
    assert len(cases) == 6
    assert {case.classname for case in cases} == {"retell-llm.llm_abc.v2"}
    moved = next(case for case in cases if case.name == "Moves a booking to Friday")
    failure = moved.result[0]
    assert isinstance(failure, Failure)
    assert failure.message == "The agent never confirmed the booking."
    assert failure.text == CASES["failed-with-runs"].batches[0].listing.runs[1].result_explanation
    errored = next(case for case in cases if case.name == "Answers opening hours")
    assert isinstance(errored.result[0], Error)


def test_junit_marks_unfinished_runs_of_a_running_batch_skipped(tmp_path: Path) -> None:
    suite = next(iter(parse_junit(CASES["timed-out-with-runs"], tmp_path)))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 1, 0, 2)
    skipped = [case for case in suite if case.result and isinstance(case.result[0], Skipped)]
    assert {case.name for case in skipped} == {"Still going", "Not started"}


def test_junit_counts_unfinished_runs_of_a_complete_batch_as_errors(tmp_path: Path) -> None:
    suite = next(iter(parse_junit(CASES["uncounted-with-runs"], tmp_path)))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (9, 0, 1, 0)
    (unfinished,) = [case for case in suite if case.result]
    assert unfinished.name == "Never ended"
    assert isinstance(unfinished.result[0], Error)


def suite_of(outcome: Outcome, tmp_path: Path) -> tuple[tuple[int, int, int, int], list[str]]:
    suite = next(iter(parse_junit(outcome, tmp_path)))
    return (suite.tests, suite.failures, suite.errors, suite.skipped), [case.name for case in suite]


def test_a_red_gate_without_a_red_case_gets_one_for_its_verdict(tmp_path: Path) -> None:
    all_passed = RunListing(tuple(make_run(i, "pass") for i in range(10)))
    counts_only = _judged({}, all_passed, passed=8, failed=2)  # the counts say 2 failed, the runs do not
    assert counts_only.result == "failed"
    shape, names = suite_of(counts_only, tmp_path)
    assert shape == (11, 1, 0, 0)
    assert names[-1] == VERDICT_CASE
    running = RunListing((make_run(0, "pass"), *(make_run(i, "in_progress") for i in range(1, 10))))
    timed_out = with_listing(CASES["timed-out"], running)
    assert suite_of(timed_out, tmp_path)[0] == (11, 0, 1, 9)
    cancelled = with_listing(CASES["cancelled"], running)
    assert suite_of(cancelled, tmp_path)[0] == (11, 0, 1, 9)


def test_a_green_gate_keeps_one_case_per_run(tmp_path: Path) -> None:
    allowed = dataclasses.replace(CASES["timed-out-with-runs"], exit_code=0)  # `fail-on-timeout: false`
    assert suite_of(allowed, tmp_path)[0] == (4, 1, 0, 2)
    passed = _judged({}, RunListing(tuple(make_run(i, "pass") for i in range(3))), passed=3)
    assert suite_of(passed, tmp_path) == ((3, 0, 0, 0), ["Test", "Test", "Test"])
    no_runs = dataclasses.replace(CASES["timed-out-unlisted"], exit_code=0)
    assert suite_of(no_runs, tmp_path) == ((1, 0, 0, 1), [VERDICT_CASE])


def test_junit_says_when_the_list_of_runs_is_incomplete(tmp_path: Path) -> None:
    suite = next(iter(parse_junit(CASES["runs-short"], tmp_path)))
    properties = {prop.name: prop.value for prop in suite.properties()}
    assert properties["test_runs_problem"] == "Retell listed 2 of the batch's 10 test runs"
    suite = next(iter(parse_junit(CASES["failed-with-runs"], tmp_path)))
    assert "test_runs_problem" not in {prop.name for prop in suite.properties()}


def test_junit_stays_valid_xml_whatever_the_names_hold(tmp_path: Path) -> None:

    from retell_gate.retell.listing import RunListing
    from tests.factories import make_run, with_listing

    nasty = "ctrl \x00\x01\x08\x0b\x0c\x1f\x7f & < > \" ' ]]> \ud800 \ufffe end"
    listing = RunListing((*HOSTILE_LISTING.runs, make_run(9, "fail", nasty, nasty)))
    suite = next(iter(parse_junit(with_listing(CASES["hostile-runs"], listing), tmp_path)))
    names = [case.name for case in suite]
    assert "ctrl \x7f & < > \" ' ]]>   end" in names  # DEL is allowed in XML 1.0
    assert "<img src=x onerror=alert(1)>" in names
    assert suite.tests == 5


@pytest.mark.parametrize(
    ("name", "failures", "errors"),
    [("runs-unavailable", 1, 0), ("api-error", 0, 1), ("passed", 0, 0), ("timed-out-unlisted", 0, 1)],
)
def test_without_runs_junit_holds_one_case_for_the_verdict(
    tmp_path: Path, name: str, failures: int, errors: int
) -> None:
    suite = next(iter(parse_junit(CASES[name], tmp_path)))
    assert (suite.tests, suite.failures, suite.errors) == (1, failures, errors)
    assert [case.name for case in suite] == ["Retell batch test gate"]
