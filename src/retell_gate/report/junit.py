"""The JUnit XML report: a <testsuites> root with one <testsuite> per batch (one batch too), one
<testcase> per test run (pure, no I/O).

A JUnit reader must never show green beside a red gate. So a run that never finished is an error
when its batch is complete (the verdict counts it so), and skipped only while the batch was still
running; and when the gate failed but no test case in the file is a failure or an error (the runs
could not be listed, only the counts show failures, or the gate timed out), the first suite holds
one more test case for the gate's verdict, with the reason. So does a file with no test run at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from ..judge.batches import GatedBatch
from ..judge.outcome import Outcome
from ..judge.runs import in_report_order

if TYPE_CHECKING:
    from ..retell.models import TestRun

Kind = Literal["passed", "failure", "error", "skipped"]
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MESSAGE_CHARS = 500
VERDICT_CASE = "Retell batch test gate"
QUARANTINED = "quarantined"
ALLOWED = "allowed by `min-passes`"


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _classname(gated: GatedBatch) -> str:
    if gated.batch is None:
        return "retell"
    engine = gated.batch.response_engine
    version = "" if engine.version is None else f".v{engine.version:g}"
    return clean(f"{engine.type}.{engine.engine_id or 'unknown'}{version}")


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…"


def _testcase(suite: ET.Element, run: TestRun, classname: str, batch_complete: bool, note: str = "") -> Kind:
    """`note`: what the verdict made of this run's test: the sentence that says it regressed, and since which
    baseline batch; or QUARANTINED, or ALLOWED and why, for a run that counts against nothing."""
    case = ET.SubElement(suite, "testcase", name=clean(run.name), classname=classname, time="0")
    explanation = clean(run.explanation)
    allowed = note.startswith(ALLOWED) and run.outcome != "pass"
    if note == QUARANTINED or allowed:  # it counts against nothing: skipped, never red beside a green gate
        message = f"{'quarantined' if not allowed else note}, counted against nothing: {run.status}"
        first = _first_line(explanation)
        ET.SubElement(case, "skipped", message=clean(f"{message}: {first}" if first else message))
        return "skipped"
    if run.outcome in ("fail", "error"):
        kind: Kind = "failure" if run.outcome == "fail" else "error"
        message = _first_line(explanation) or run.outcome
        if note:  # it regressed: say since when
            message, explanation = f"{note} {message}", f"{note}\n{explanation}"
        detail = ET.SubElement(case, kind, message=clean(_first_line(message)), type=run.outcome)
        detail.text = explanation
        return kind
    if run.outcome == "not-finished":
        message = f"not finished (status {run.status})"
        if batch_complete:
            ET.SubElement(case, "error", message=clean(f"{message}, though the batch is complete"), type="not-finished")
            return "error"
        ET.SubElement(case, "skipped", message=clean(message))
        return "skipped"
    return "passed"


def _verdict_case(suite: ET.Element, outcome: Outcome) -> Kind:
    """The gate's verdict as one test case: red when the gate is, skipped when undecided but allowed."""
    case = ET.SubElement(suite, "testcase", name=VERDICT_CASE, classname="retell-batch-gate", time="0")
    reason = clean(outcome.reason)
    kind: Kind
    if outcome.exit_code != 0:
        kind = "failure" if outcome.result == "failed" else "error"
        ET.SubElement(case, kind, message=reason, type=outcome.result).text = reason
    elif outcome.result != "passed":  # e.g. timed out with `fail-on-timeout: false`
        kind = "skipped"
        ET.SubElement(case, kind, message=reason)
    else:
        kind = "passed"
    return kind


def to_junit(outcome: Outcome, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    root = ET.Element("testsuites", name="Retell batch tests")
    batches = outcome.batches or (GatedBatch(""),)  # no batch named: one suite for the verdict
    suites = [_suite(root, gated, outcome) for gated in batches]
    kinds = [kind for _, suite_kinds in suites for kind in suite_kinds]
    no_runs = not any(gated.listing and gated.listing.runs for gated in batches)
    red_case = "failure" in kinds or "error" in kinds
    if no_runs or (outcome.exit_code != 0 and not red_case):
        first, first_kinds = suites[0]
        first_kinds.append(_verdict_case(first, outcome))
        kinds.append(first_kinds[-1])
    time = f"{outcome.elapsed:.1f}"
    for suite, suite_kinds in suites:
        suite.attrib |= _totals(suite_kinds) | {"time": time, "timestamp": stamp}
    root.attrib |= _totals(kinds) | {"time": time}
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, gated: GatedBatch, outcome: Outcome) -> tuple[ET.Element, list[Kind]]:
    """One batch's suite with a test case per run, and the kind of each."""
    name = f"Retell batch {gated.batch_job_id}" if gated.batch_job_id else VERDICT_CASE  # no batch: the gate's suite
    suite = ET.SubElement(root, "testsuite", name=clean(name))
    _properties(suite, gated, outcome)
    runs = in_report_order(gated.listing.runs) if gated.listing else []
    classname = _classname(gated)
    return suite, [_testcase(suite, run, classname, gated.complete, _note(run, outcome)) for run in runs]


def _note(run: TestRun, outcome: Outcome) -> str:
    """What the verdict made of this run's test beyond its status: quarantined, or regressed."""
    if run.test_case_definition_id in outcome.quarantined_ids:
        return QUARANTINED
    if (judged := outcome.allowed.get(run.test_case_definition_id)) is not None:
        return f"{ALLOWED} (the test passed {judged.passed} of its {judged.runs} runs, {judged.min_passes} needed)"
    return _regressed_sentence(outcome) if run.test_case_definition_id in outcome.regressed_ids else ""


def _regressed_sentence(outcome: Outcome) -> str:
    """`Regressed: it passed in the baseline batch tcb_1.`, for a regressed test's failure."""
    ids = outcome.baseline.batch_ids if outcome.baseline is not None else ()
    which = f"batch {ids[0]}" if len(ids) == 1 else f"batches {', '.join(ids)}"
    return clean(f"Regressed: it passed in the baseline {which}.")


def _totals(kinds: list[Kind]) -> dict[str, str]:
    return {
        "tests": str(len(kinds)),
        "failures": str(kinds.count("failure")),
        "errors": str(kinds.count("error")),
        "skipped": str(kinds.count("skipped")),
    }


def _properties(suite: ET.Element, gated: GatedBatch, outcome: Outcome) -> None:
    properties = ET.SubElement(suite, "properties")
    values = [("batch_job_id", gated.batch_job_id)] if gated.batch_job_id else []
    values += [("result", outcome.result), ("reason", outcome.reason)]
    if gated.listing_problem:
        values.append(("test_runs_problem", gated.listing_problem))
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=clean(value))
