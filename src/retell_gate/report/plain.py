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

from ..judge.batches import GatedBatch
from ..judge.counts import Counts
from ..judge.hints import hint_for
from ..judge.outcome import Outcome
from ..judge.runs import FAILING
from ..judge.verdict import pass_rate
from .judged import WORDS, baseline_words, first_line, judged_sections, per_test_note
from .summary import ENGINE_NAMES, REPORT_LABELS, duration, engines_of

if TYPE_CHECKING:
    from ..retell.models import ResponseEngine, TestRun

VERDICTS = {
    "passed": "PASSED",
    "failed": "FAILED",
    "timed-out": "TIMED OUT",
    "error": "COULD NOT DECIDE",
    "cancelled": "CANCELLED",
    "dry-run": "DRY RUN",
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
        *_judged(outcome),
        _counts(outcome),
        _checks(outcome),
        _planned(outcome),
        *_runs(outcome),
        _details(outcome),
        f"What to check: {line(hint)}" if (hint := hint_for(outcome)) else "",
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _judged(outcome: Outcome) -> list[str]:
    """Regressions first, then fixed, flaky, still failing, new, dropped and quarantined: one line a test."""
    sections = []
    for section in judged_sections(outcome):
        lines = [f"{section.title} ({len(section.items)}):"]
        for item in section.items[:SHOWN_RUNS]:
            before = f"{WORDS[item.before]} -> " if item.before is not None else ""
            said = [item.runs, item.note] + ([first_line(item.explanation)] if item.now != "passed" else [])
            extra = "; ".join(line(part) for part in said if part)
            lines.append(f"  {line(item.name)}: {before}{WORDS[item.now]}" + (f" ({extra})" if extra else ""))
        if len(section.items) > SHOWN_RUNS:
            lines.append(f"  ... and {len(section.items) - SHOWN_RUNS} more")
        sections.append("\n".join(lines))
    return sections


def _planned(outcome: Outcome) -> str:
    """A start-mode dry run: the test case definitions that would run."""
    if not outcome.planned:
        return ""
    names = [f"  {line(name)}" for name in outcome.planned[:SHOWN_RUNS]]
    if len(outcome.planned) > SHOWN_RUNS:
        names.append(f"  and {len(outcome.planned) - SHOWN_RUNS} more")
    return f"Would run ({len(outcome.planned)}):\n" + "\n".join(names)


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
    note = per_test_note(outcome)
    lines = [f"Test cases: {_counted(counts)}"] + ([f"  {note}"] if note else [])
    if outcome.several:
        for gated in outcome.batches:
            status = line(gated.batch.status) if gated.batch is not None else "not read"
            batch_counts = outcome.counts_of(gated)
            counted = f": {_counted(batch_counts)}" if batch_counts is not None else ""
            lines.append(f"  {line(gated.batch_job_id)} ({status}){counted}")
    return "\n".join(lines)


def _counted(counts: Counts) -> str:
    rate = pass_rate(counts)
    return f"{counts}; pass rate {'n/a' if rate is None else f'{rate}%'}"


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
    if not outcome.listed:
        return []
    problems = [(gated, gated.listing.problem) for gated in outcome.batches if gated.listing and gated.listing.problem]
    runs = outcome.runs
    if problems and not runs:
        why = "; ".join(_which(gated, outcome.several) + line(problem.rstrip(".")) for gated, problem in problems)
        counts = "the batches' counts" if outcome.several else "the batch's counts"
        return [f"The individual test results are unavailable: {why}. The verdict stands on {counts}."]
    sections = [
        f"Warning: {_which(gated, outcome.several)}the list of test runs is incomplete: {line(problem.rstrip('.'))}."
        for gated, problem in problems
    ]
    failing = [(gated, run) for gated, run in runs if run.outcome in FAILING]
    unfinished = [(gated, run) for gated, run in runs if run.outcome == "not-finished"]
    if failing:
        sections.append(_group("Failed and errored test cases", failing, True, outcome))
    if unfinished:
        sections.append(_group("Not finished", unfinished, False, outcome))
    return sections


def _which(gated: GatedBatch, several: bool) -> str:
    """`batch b1: ` before what is said of one batch, when there are several."""
    return f"batch {line(gated.batch_job_id)}: " if several else ""


def _group(title: str, runs: list[tuple[GatedBatch, TestRun]], explained: bool, outcome: Outcome) -> str:
    files_note = _files_note(outcome)
    lines = [f"{title} ({len(runs)}):"]
    for gated, run in runs[:SHOWN_RUNS]:
        lines.append(f"  {line(run.status):<6} {_which(gated, outcome.several)}{line(run.name)}")
        if explained:
            lines += [INDENT + text for text in _explanation(run.explanation)]
    if len(runs) > SHOWN_RUNS:
        lines.append(f"  ... and {len(runs) - SHOWN_RUNS} more ({files_note})")
    return "\n".join(lines)


def _files_note(outcome: Outcome) -> str:
    if outcome.reports:
        return "all are in " + " and ".join(line(path) for _, path in outcome.reports)
    return "set --report-path or --junit-path to have them all"


def _engine(engine: ResponseEngine) -> str:
    version = "latest" if engine.version is None else f"{engine.version:g}"
    name = ENGINE_NAMES.get(engine.type) or line(engine.type)
    return f"{name} {line(engine.engine_id or '(no ID)')}, version {version}"


def _explanation(explanation: str) -> list[str]:
    lines = [line(text) for text in explanation[:EXPLANATION_CHARS].splitlines() if text.strip()]
    if len(explanation) > EXPLANATION_CHARS:
        lines.append("(cut short)")
    return lines or ["(no explanation from Retell)"]


def _details(outcome: Outcome) -> str:
    if outcome.several:  # each batch's status is on its line of counts
        rows = [f"Batches: {', '.join(line(gated.batch_job_id) for gated in outcome.batches)}"]
    else:
        rows = [f"Batch: {line(outcome.batch_job_id) or outcome.no_batch}"]
        if outcome.batches and (batch := outcome.batches[0].batch) is not None:
            rows.append(f"Status: {line(batch.status)}")
    engines = engines_of(outcome)
    for engine, batch_ids in engines.items():
        which = f" ({', '.join(line(b) for b in batch_ids)})" if len(engines) > 1 else ""
        rows.append(f"Response engine: {_engine(engine)}{which}")
    if outcome.started:
        rows.append(f"Started by this run: {', '.join(line(one) for one in outcome.started)}")
    if outcome.repeats > 1:
        rows.append(f"Repeats: each test run {outcome.repeats} times")
    if outcome.baseline is not None:
        rows.append(f"Baseline: {line(baseline_words(outcome))}")
    rows.append(f"Waited: {duration(outcome.elapsed)}")
    rows += [f"{REPORT_LABELS[name]}: {line(path)}" for name, path in outcome.reports]
    return "\n".join(rows)
