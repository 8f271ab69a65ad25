"""Several batches judged and reported together (pure): totals, each batch named, every report
holding every batch, and a batch never read rendering everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from retell_gate.judge.batches import GatedBatch, status_of
from retell_gate.judge.counts import Counts
from retell_gate.judge.outcome import Outcome
from retell_gate.judge.verdict import decide_batches
from retell_gate.report.annotations import plan
from retell_gate.report.junit import VERDICT_CASE, to_junit
from retell_gate.report.outputs import outputs
from retell_gate.report.plain import to_plain_text
from retell_gate.report.report_json import to_json
from retell_gate.report.summary import render
from retell_gate.retell.listing import RunListing
from tests.factories import batch, config, make_run
from tests.summary_cases import CASES

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "report.schema.json").read_text())


def gated(batch_id: str, **counts: object) -> GatedBatch:
    return GatedBatch(batch_id, batch(batch_id=batch_id, **counts))  # type: ignore[arg-type]


def test_thresholds_apply_to_the_totals() -> None:
    a, b = gated("a", passed=8, failed=2), gated("b", passed=9, failed=1)
    verdict = decide_batches((a, b), config(max_failures="2"))
    assert not verdict.passed
    assert verdict.reason == "The batches failed: 3 failed, more than the 2 allowed."
    assert verdict.counts == Counts(passed=17, failed=3, errored=0, total=20)
    assert dict(verdict.by_batch) == {"a": Counts(8, 2, 0, 10), "b": Counts(9, 1, 0, 10)}
    assert decide_batches((a,), config(max_failures="2")).passed  # each alone is within the limit
    assert decide_batches((b,), config(max_failures="2")).passed


def test_a_share_is_of_the_combined_total() -> None:
    # 3 failed of 20 is 15% alone; of 20 + 40 it is 5%.
    a, b = gated("a", passed=17, failed=3), gated("b", passed=40)
    verdict = decide_batches((a, b), config(max_failures="5%"))
    assert verdict.passed
    assert verdict.reason == "57 of 60 test cases of the 2 batches passed, within the thresholds."
    assert [check.actual for check in verdict.checks][:1] == ["3 (5.0%)"]
    assert not decide_batches((a, b, gated("c", passed=0, failed=1)), config(max_failures="5%")).passed  # 4 of 61


def test_each_batch_is_judged_on_its_own_first_and_its_warnings_name_it() -> None:
    uncounted = gated("u", passed=8, total=10)  # 2 left uncounted: errors
    disagreeing = GatedBatch(
        "d", batch(batch_id="d", passed=3), RunListing((make_run(0), make_run(1), make_run(2, "fail")))
    )
    verdict = decide_batches((uncounted, disagreeing), config(max_errors="2", max_failures="1"))
    assert dict(verdict.by_batch) == {"u": Counts(8, 0, 2, 10), "d": Counts(2, 1, 0, 3)}
    assert verdict.passed
    assert [warning.split(":")[0] for warning in verdict.warnings] == ["Batch u", "Batch d"]
    assert verdict.warnings[0].startswith("Batch u: Retell reports the batch complete, but 2 of 10")


def test_an_empty_batch_beside_others_fails_unless_allowed() -> None:
    batches = (gated("full", passed=5), gated("empty", passed=0, total=0))
    verdict = decide_batches(batches, config())
    assert not verdict.passed
    assert verdict.reason == (
        "The batches failed: batch empty has no test cases (set `allow-empty: true` to accept that)."
    )
    assert decide_batches(batches, config(allow_empty="true")).passed


def test_every_batch_must_have_been_read_to_be_judged() -> None:
    with pytest.raises(ValueError, match="batch b2 was never read"):
        decide_batches((gated("b1", passed=1), GatedBatch("b2")), config())


@pytest.mark.parametrize(
    ("statuses", "status"),
    [
        (["complete"], "complete"),
        (["in_progress"], "in_progress"),
        (["archived"], "archived"),
        ([None], ""),
        (["complete", "complete"], "complete"),
        (["complete", "in_progress"], "in_progress"),
        (["in_progress", "archived"], "in_progress"),
        (["complete", "archived"], "archived"),
        (["complete", None], ""),  # never `complete` while one is unknown
        (["in_progress", None], "in_progress"),
        ([None, None], ""),
        ([], ""),
    ],
)
def test_the_status_output_is_complete_only_when_every_batch_is(statuses: list[str | None], status: str) -> None:
    batches = [
        GatedBatch(f"b{i}", None if s is None else batch(batch_id=f"b{i}", status=s)) for i, s in enumerate(statuses)
    ]
    assert status_of(batches) == status


def test_outputs_hold_the_totals_and_every_batch_id() -> None:
    written = outputs(CASES["several-failed"])
    assert json.loads(written["batch-job-ids"]) == ["batch_booking", "batch_support", "batch_flow"]
    assert written["batch-job-ids"] == '["batch_booking","batch_support","batch_flow"]'
    assert written["batch-job-id"] == "batch_booking"
    assert (written["pass-count"], written["fail-count"], written["total-count"]) == ("22", "3", "25")
    assert written["status"] == "complete"
    one = outputs(CASES["passed"])
    assert (one["batch-job-id"], one["batch-job-ids"]) == ("batch_1", '["batch_1"]')


NEVER_READ = Outcome(
    "cancelled",
    "The gate was cancelled (SIGTERM) before the batches finished.",
    143,
    (GatedBatch("batch_started_1"), GatedBatch("batch_started_2")),
    2.0,
)


def test_batches_never_read_render_everywhere(tmp_path: Path) -> None:
    summary = render(NEVER_READ)
    assert "### Test cases" not in summary  # nothing was counted
    assert "| Batches | 2 |" in summary
    plain = to_plain_text(NEVER_READ)
    assert "Batches: batch_started_1, batch_started_2" in plain
    report = json.loads(to_json(NEVER_READ))
    jsonschema.validate(report, SCHEMA)
    assert [(b["batch_job_id"], b["batch"], b["counts"]) for b in report["batches"]] == [
        ("batch_started_1", None, None),
        ("batch_started_2", None, None),
    ]
    path = tmp_path / "j.xml"
    path.write_text(to_junit(NEVER_READ))
    suites = list(JUnitXml.fromfile(str(path)))
    assert [suite.name for suite in suites] == ["Retell batch batch_started_1", "Retell batch batch_started_2"]
    assert [case.name for case in suites[0]] == [VERDICT_CASE]
    assert [a.level for a in plan(NEVER_READ)] == ["error"]
    assert outputs(NEVER_READ)["batch-job-ids"] == '["batch_started_1","batch_started_2"]'
    assert outputs(NEVER_READ)["total-count"] == ""
    one_read = Outcome("cancelled", "x", 143, (gated("b1", status="in_progress", passed=2), GatedBatch("b2")), 2.0)
    assert "| `b2` | not read | — | — | — | — | — |" in render(one_read)
    assert "  b2 (not read)" in to_plain_text(one_read)


def test_the_json_report_holds_every_batch_and_names_each_runs_batch() -> None:
    report = json.loads(to_json(CASES["several-failed"]))
    jsonschema.validate(report, SCHEMA)
    assert report["batch_job_id"] == "batch_booking"
    assert report["batch"]["status"] == "complete"
    assert [
        (b["batch_job_id"], b["counts"]["failed"], b["test_run_count"], b["test_runs_problem"])
        for b in report["batches"]
    ] == [
        ("batch_booking", 2, 3, None),
        ("batch_support", 1, 2, None),
        ("batch_flow", 0, 0, "Retell refused the request: HTTP 500: down"),
    ]
    assert report["batches"][2]["batch"]["response_engine"]["type"] == "conversation-flow"
    assert report["verdict"]["counts"] == {"passed": 22, "failed": 3, "errored": 0, "total": 25}
    assert [(run["batch_job_id"], run["outcome"]) for run in report["test_runs"]] == [
        ("batch_booking", "fail"),
        ("batch_booking", "fail"),
        ("batch_support", "fail"),
        ("batch_booking", "pass"),
        ("batch_support", "pass"),
    ]
    assert report["test_runs_problem"] == "Batch batch_flow: Retell refused the request: HTTP 500: down"


def test_a_version_1_report_of_an_earlier_release_still_matches_the_schema() -> None:
    report = json.loads(to_json(CASES["failed-with-runs"]))
    del report["batches"]
    for run in report["test_runs"]:
        del run["batch_job_id"]
    jsonschema.validate(report, SCHEMA)


@pytest.mark.parametrize(
    "breaks",
    [
        lambda r: r["batches"][0].update(batch_job_id=3),
        lambda r: r["batches"][0]["counts"].update(failed=-1),
        lambda r: r["batches"][0].pop("counts"),
        lambda r: r["batches"][0].update(test_run_count=-1),
        lambda r: r["test_runs"][0].update(batch_job_id=None),
    ],
)
def test_the_schema_rejects_a_broken_batch(breaks: object) -> None:
    report = json.loads(to_json(CASES["several-failed"]))
    breaks(report)  # type: ignore[operator]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, SCHEMA)


def junit(outcome: Outcome, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "j.xml"
    path.write_text(to_junit(outcome), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def test_junit_has_a_suite_per_batch_under_a_testsuites_root(tmp_path: Path) -> None:
    xml = junit(CASES["several-failed"], tmp_path)
    assert re.search(r"<testsuites [^>]*tests=\"5\" failures=\"3\"", to_junit(CASES["several-failed"]))
    suites = list(xml)
    assert [(s.name, s.tests, s.failures, s.errors) for s in suites] == [
        ("Retell batch batch_booking", 3, 2, 0),
        ("Retell batch batch_support", 2, 1, 0),
        ("Retell batch batch_flow", 0, 0, 0),
    ]
    properties = [{p.name: p.value for p in suite.properties()} for suite in suites]
    assert [p["batch_job_id"] for p in properties] == ["batch_booking", "batch_support", "batch_flow"]
    assert properties[2]["test_runs_problem"] == "Retell refused the request: HTTP 500: down"
    assert "test_runs_problem" not in properties[0]
    assert {case.classname for case in suites[0]} == {"retell-llm.llm_abc.v2"}
    assert VERDICT_CASE not in [case.name for suite in suites for case in suite]  # red cases are there


def test_junit_adds_the_verdict_case_once_when_no_batch_holds_a_red_case(tmp_path: Path) -> None:
    passing = RunListing(tuple(make_run(i) for i in range(2)))
    a = GatedBatch("a", batch(batch_id="a", passed=1, failed=1), passing)  # the counts say 1 failed, the runs not
    b = GatedBatch("b", batch(batch_id="b", passed=2), passing)
    verdict = decide_batches((a, b), config())
    outcome = Outcome("failed", verdict.reason, 1, (a, b), 1.0, verdict, "", verdict.warnings)
    suites = list(junit(outcome, tmp_path))
    assert [[case.name for case in suite] for suite in suites] == [["Test", "Test", VERDICT_CASE], ["Test", "Test"]]
    (verdict_case,) = [case for case in suites[0] if case.name == VERDICT_CASE]
    assert isinstance(verdict_case.result[0], Failure)


def test_annotations_and_the_plain_report_name_the_batch_of_each_failure() -> None:
    planned = plan(CASES["several-failed"])
    per_test = [(a.title, a.message) for a in planned if a.title != "Retell batch test"]
    assert per_test == [
        ("Cancels", "fail (batch batch_booking): no explanation from Retell"),
        ("Moves a booking", "fail (batch batch_booking): Wrong day."),
        ("Moves a booking", "fail (batch batch_support): Never asked."),
    ]
    plain = to_plain_text(CASES["several-failed"])
    assert "  batch_support (complete): 1 passed, 1 failed, 0 errored of 2; pass rate 50.0%" in plain
    assert "  fail   batch batch_support: Moves a booking\n         Never asked." in plain
    assert "Response engine: Conversation Flow cf_support, version 7 (batch_flow)" in plain
    one = to_plain_text(CASES["failed-with-runs"])
    assert "batch batch_1" not in one


def test_every_batch_adds_to_every_total() -> None:
    counts = Counts.combined([Counts(1, 2, 3, 6), Counts(4, 5, 6, 15), Counts(0, 0, 1, 1)])
    assert counts == Counts(passed=5, failed=7, errored=10, total=22)


def test_each_batch_row_shows_its_counts_as_judged_so_the_rows_add_up_to_the_total() -> None:
    uncounted, whole = gated("u", passed=8, total=10), gated("w", passed=5, total=5)
    verdict = decide_batches((uncounted, whole), config(max_errors="2"))
    outcome = Outcome("passed", verdict.reason, 0, (uncounted, whole), 1.0, verdict)
    assert outcome.counts_of(uncounted) == Counts(8, 0, 2, 10)  # its 2 uncounted are errors, as in the total
    assert "| `u` | complete | 8 | 0 | 2 | 10 | 80.0% |" in render(outcome)


def test_per_test_totals_are_labelled_so_not_taken_for_the_sum_of_the_rows() -> None:
    from retell_gate.judge.combined import decide_per_definition

    runs = RunListing((make_run(0, "pass", "A"), make_run(1, "fail", "B")))
    batches = tuple(GatedBatch(b, batch(batch_id=b, passed=1, failed=1, total=2), runs) for b in ("a", "b"))
    inputs = config(batch_job_id="", llm_id="llm_1", repeats="2", min_passes="1", max_failures="1")
    verdict, assessment = decide_per_definition(batches, inputs, None)
    outcome = Outcome("passed", verdict.reason, 0, batches, 1.0, verdict, assessment=assessment, repeats=2)
    summary = render(outcome)
    assert "\n| Per test |" in summary
    assert "\n| Total |" not in summary
