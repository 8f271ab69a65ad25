"""The run's result as plain text, for a terminal outside GitHub (pure, no I/O).

The job summary's markdown is for GitHub to render; printed as it is, a terminal shows `llm\\_demo`
and `<details>`. This says the same things in plain lines: the verdict, the counts, each threshold
with its mark, the failed and errored test cases with Retell's explanations, and the details.
Text from Retell is kept to one line each and stripped of control characters, so that a test name
cannot move the cursor or recolour the terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..judge.hints import hint_for
from ..judge.outcome import Outcome
from ..judge.runs import FAILING, in_report_order
from ..judge.verdict import pass_rate
from .summary import ENGINE_NAMES, REPORT_LABELS, duration

if TYPE_CHECKING:
    from ..retell.models import TestRun

VERDICTS = {
    "passed": "PASSED",
    "failed": "FAILED",
    "timed-out": "TIMED OUT",
    "error": "COULD NOT DECIDE",
    "cancelled": "CANCELLED",
}
SHOWN_RUNS = 100
"""Test cases listed per group; the rest are counted (the report files hold them all)."""
EXPLANATION_CHARS = 4000
INDENT = " " * 9
# C0 and C1 controls (escape sequences, bell, NUL) and the bidirectional overrides that can make a
# line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def to_plain_text(outcome: Outcome) -> str:
    """The whole report, ending with a newline."""
    sections = [
        _verdict(outcome),
        _counts(outcome),
        _checks(outcome),
        *_runs(outcome),
        _details(outcome),
        f"What to check: {line(hint)}" if (hint := hint_for(outcome)) else "",
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def line(value: str) -> str:
    """Untrusted text as one printable line."""
    one_line = " ".join(value.encode("utf-8", "replace").decode("utf-8").split())
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 256 else "?", one_line)


def _verdict(outcome: Outcome) -> str:
    lines = [f"Retell batch test: {VERDICTS[outcome.result]}", line(outcome.reason)]
    lines += [f"Warning: {line(warning)}" for warning in outcome.warnings]
    return "\n".join(lines)


def _counts(outcome: Outcome) -> str:
    counts = outcome.counts
    if counts is None:
        return ""
    rate = pass_rate(counts)
    shown_rate = "n/a" if rate is None else f"{rate}%"
    return f"Test cases: {counts}; pass rate {shown_rate}"


def _checks(outcome: Outcome) -> str:
    if outcome.verdict is None:
        return ""
    rows = [
        f"  {'ok' if check.ok else 'FAIL':<4}  {check.name}: {check.actual} (allowed {_ascii(check.limit)})"
        for check in outcome.verdict.checks
    ]
    return "\n".join(["Thresholds:", *rows])


def _ascii(limit: str) -> str:
    return limit.replace("≤", "<=").replace("≥", ">=")


def _runs(outcome: Outcome) -> list[str]:
    listing = outcome.listing
    if listing is None:
        return []
    if listing.problem and not listing.runs:
        problem = line(listing.problem.rstrip("."))
        return [f"The individual test results are unavailable: {problem}. The verdict stands on the batch's counts."]
    ordered = in_report_order(listing.runs)
    failing = [run for run in ordered if run.outcome in FAILING]
    unfinished = [run for run in ordered if run.outcome == "not-finished"]
    sections = [f"Warning: the list of test runs is incomplete: {line(listing.problem.rstrip('.'))}."]
    sections = sections if listing.problem else []
    if failing:
        sections.append(_group("Failed and errored test cases", failing, True, _files_note(outcome)))
    if unfinished:
        sections.append(_group("Not finished", unfinished, False, _files_note(outcome)))
    return sections


def _group(title: str, runs: list[TestRun], explained: bool, files_note: str) -> str:
    lines = [f"{title} ({len(runs)}):"]
    for run in runs[:SHOWN_RUNS]:
        lines.append(f"  {line(run.status):<6} {line(run.name)}")
        if explained:
            lines += [INDENT + text for text in _explanation(run.explanation)]
    if len(runs) > SHOWN_RUNS:
        lines.append(f"  ... and {len(runs) - SHOWN_RUNS} more ({files_note})")
    return "\n".join(lines)


def _files_note(outcome: Outcome) -> str:
    if outcome.reports:
        return "all are in " + " and ".join(line(path) for _, path in outcome.reports)
    return "set --report-path or --junit-path to have them all"


def _explanation(explanation: str) -> list[str]:
    lines = [line(text) for text in explanation[:EXPLANATION_CHARS].splitlines() if text.strip()]
    if len(explanation) > EXPLANATION_CHARS:
        lines.append("(cut short)")
    return lines or ["(no explanation from Retell)"]


def _details(outcome: Outcome) -> str:
    rows = [f"Batch: {line(outcome.batch_job_id) or '(not given)'}"]
    batch = outcome.batch
    if batch is not None:
        engine = batch.response_engine
        version = "latest" if engine.version is None else f"{engine.version:g}"
        name = ENGINE_NAMES.get(engine.type) or line(engine.type)
        rows.append(f"Status: {line(batch.status)}")
        rows.append(f"Response engine: {name} {line(engine.engine_id or '(no ID)')}, version {version}")
    rows.append(f"Waited: {duration(outcome.elapsed)}")
    rows += [f"{REPORT_LABELS[name]}: {line(path)}" for name, path in outcome.reports]
    return "\n".join(rows)
