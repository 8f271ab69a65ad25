"""The JUnit XML report: one <testsuite> for the batch, one <testcase> per test run (pure, no I/O).

When the runs could not be listed, the suite holds one test case for the gate's verdict instead,
so that a JUnit reader never shows an unreadable or failed batch as "0 tests, all green".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..judge.outcome import Outcome
from ..judge.runs import FAILING, in_report_order

if TYPE_CHECKING:
    from ..retell.models import TestRun

# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MESSAGE_CHARS = 500


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _classname(outcome: Outcome) -> str:
    if outcome.batch is None:
        return "retell"
    engine = outcome.batch.response_engine
    version = "" if engine.version is None else f".v{engine.version:g}"
    return clean(f"{engine.type}.{engine.engine_id or 'unknown'}{version}")


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…"


def _testcase(suite: ET.Element, run: TestRun, classname: str) -> None:
    case = ET.SubElement(suite, "testcase", name=clean(run.name), classname=classname, time="0")
    explanation = clean(run.explanation)
    if run.outcome in FAILING:
        tag = "failure" if run.outcome == "fail" else "error"
        detail = ET.SubElement(case, tag, message=_first_line(explanation) or run.outcome, type=run.outcome)
        detail.text = explanation
    elif run.outcome == "not-finished":
        ET.SubElement(case, "skipped", message=clean(f"not finished (status {run.status})"))


def _verdict_case(suite: ET.Element, outcome: Outcome) -> None:
    case = ET.SubElement(suite, "testcase", name="Retell batch test gate", classname="retell-batch-gate", time="0")
    if outcome.result != "passed":
        tag = "failure" if outcome.result == "failed" else "error"
        ET.SubElement(case, tag, message=clean(outcome.reason), type=outcome.result).text = clean(outcome.reason)


def to_junit(outcome: Outcome, now: datetime | None = None) -> str:
    runs = in_report_order(outcome.listing.runs) if outcome.listing else []
    outcomes = [run.outcome for run in runs]
    suite = ET.Element("testsuite", name=clean(f"Retell batch {outcome.batch_job_id}"))
    if runs:
        classname = _classname(outcome)
        for run in runs:
            _testcase(suite, run, classname)
    else:
        _verdict_case(suite, outcome)
        outcomes = ["pass" if outcome.result == "passed" else "fail" if outcome.result == "failed" else "error"]
    suite.attrib |= {
        "tests": str(len(outcomes)),
        "failures": str(outcomes.count("fail")),
        "errors": str(outcomes.count("error")),
        "skipped": str(outcomes.count("not-finished")),
        "time": f"{outcome.elapsed:.1f}",
        "timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S"),
    }
    properties = ET.Element("properties")
    for name, value in (("batch_job_id", outcome.batch_job_id), ("result", outcome.result), ("reason", outcome.reason)):
        ET.SubElement(properties, "property", name=name, value=clean(value))
    suite.insert(0, properties)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
