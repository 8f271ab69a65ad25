"""The job summary: a pure rendering of an Outcome as markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..judge.batches import status_of
from ..judge.counts import Counts
from ..judge.hints import hint_for
from ..judge.outcome import Outcome
from ..judge.verdict import pass_rate
from .judged import per_test_note
from .markdown import batch_id, code, table, text, utf8_size
from .summary_judged import judged_markdown
from .summary_runs import runs_section

if TYPE_CHECKING:
    from ..retell.models import ResponseEngine

HEADINGS = {
    "passed": "✅ Retell batch test passed",
    "failed": "❌ Retell batch test failed",
    "timed-out": "⏱️ Retell batch test timed out",
    "error": "⚠️ Retell batch test gate could not decide",
    "cancelled": "🚫 Retell batch test gate was cancelled",
    "dry-run": "🔍 Retell batch test dry run",
}
PLANNED_SHOWN = 200  # names of a dry run's definitions listed; the rest are counted
# GitHub drops a step summary over 1 MiB entirely; stay well under it.
BUDGET_BYTES = 900 * 1024
REPORT_LABELS = {"report-path": "JSON report", "junit-path": "JUnit report"}
ENGINE_NAMES = {"retell-llm": "Retell LLM", "conversation-flow": "Conversation Flow", "custom-llm": "Custom LLM"}


def render(outcome: Outcome, budget: int = BUDGET_BYTES) -> str:
    """The whole summary for one run, ending with a newline, at most `budget` bytes long."""
    before = [f"## {HEADINGS[outcome.result]}", text(outcome.reason)]
    before += [f"> [!CAUTION]\n> {problem.sentence(text, code)}" for problem in outcome.write_problems]
    before += [f"> [!WARNING]\n> {text(warning)}" for warning in outcome.warnings]
    before += [judged_markdown(outcome), _counts(outcome), _checks(outcome), _planned(outcome)]
    after = [_details(outcome), _next_steps(outcome)]
    used = sum(utf8_size(part) + 2 for part in before + after)
    sections = [*before, runs_section(outcome, budget - used), *after]
    return "\n\n".join(section for section in sections if section) + "\n"


COUNT_COLUMNS = ("Passed", "Failed", "Errored", "Total", "Pass rate")
NOT_READ = "—"


def _counts(outcome: Outcome) -> str:
    counts = outcome.counts
    if counts is None:
        return ""
    note = per_test_note(outcome)
    heading = "### Test cases\n\n" + (f"{text(note)}\n\n" if note else "")
    if not outcome.several:
        return heading + table(COUNT_COLUMNS, [count_cells(counts)], "rrrrr")
    rows = []
    for gated in outcome.batches:
        status = text(gated.batch.status) if gated.batch is not None else "not read"
        rows.append((batch_id(gated.batch_job_id), status, *count_cells(outcome.counts_of(gated))))
    total = "Per test" if note else "Total"  # per test, the total is not the sum of the batches' rows
    rows.append((total, text(status_of(outcome.batches)) or NOT_READ, *count_cells(counts)))
    return heading + table(("Batch", "Status", *COUNT_COLUMNS), rows, "llrrrrr")


def count_cells(counts: Counts | None) -> tuple[str, ...]:
    """One row of COUNT_COLUMNS: passed, failed, errored, total and the pass rate (or "not read")."""
    if counts is None:
        return (NOT_READ,) * len(COUNT_COLUMNS)
    rate = pass_rate(counts)
    shown_rate = "n/a" if rate is None else f"{rate}%"
    return (str(counts.passed), str(counts.failed), str(counts.errored), str(counts.total), shown_rate)


def _planned(outcome: Outcome) -> str:
    """A start-mode dry run: the test case definitions that would run."""
    if not outcome.planned:
        return ""
    items = [f"- {text(name)}" for name in outcome.planned[:PLANNED_SHOWN]]
    if len(outcome.planned) > PLANNED_SHOWN:
        items.append(f"- and {len(outcome.planned) - PLANNED_SHOWN} more")
    return f"### Would run ({len(outcome.planned)})\n\n" + "\n".join(items)


def _checks(outcome: Outcome) -> str:
    if outcome.verdict is None:
        return ""
    rows = [(check.name, check.limit, check.actual, "✅" if check.ok else "❌") for check in outcome.verdict.checks]
    return "### Thresholds\n\n" + table(("Check", "Allowed", "Actual", "OK"), rows, "lrrc")


def _details(outcome: Outcome) -> str:
    if outcome.several:  # each batch's ID and status are in the table of test cases
        rows = [("Batches", str(len(outcome.batches)))]
    else:
        rows = [("Batch", batch_id(outcome.batch_job_id) if outcome.batch_job_id else outcome.no_batch)]
        if outcome.batches and (batch := outcome.batches[0].batch) is not None:
            rows.append(("Status", text(batch.status)))
    engines = engines_of(outcome)
    for engine, batch_ids in engines.items():
        which = f" ({', '.join(batch_id(b) for b in batch_ids)})" if len(engines) > 1 else ""
        rows.append(("Response engine", _engine(engine) + which))
    if outcome.started:
        rows.append(("Started by this run", ", ".join(batch_id(one) for one in outcome.started)))
    if outcome.repeats > 1:
        rows.append(("Repeats", f"each test run {outcome.repeats} times"))
    if (used := outcome.baseline) is not None:
        how = ", found by `baseline: latest`" if used.found else ""
        rows.append(("Baseline", f"{', '.join(batch_id(one) for one in used.batch_ids)} ({text(used.engine)}{how})"))
    rows.append(("Waited", duration(outcome.elapsed)))
    rows += [(REPORT_LABELS[name], text(path)) for name, path in outcome.reports]
    return "### Details\n\n" + table(("", ""), rows, "ll")


def engines_of(outcome: Outcome) -> dict[ResponseEngine, list[str]]:
    """Each response engine tested, with the batches that tested it, in the batches' order."""
    engines: dict[ResponseEngine, list[str]] = {}
    for gated in outcome.batches:
        if gated.batch is not None:
            engines.setdefault(gated.batch.response_engine, []).append(gated.batch_job_id)
    return engines


def _engine(engine: ResponseEngine) -> str:
    name = ENGINE_NAMES.get(engine.type) or text(engine.type)
    version = "latest" if engine.version is None else text(f"{engine.version:g}")
    engine_id = text(engine.engine_id) if engine.engine_id else "(no ID)"
    return f"{name} {engine_id}, version {version}"


def _next_steps(outcome: Outcome) -> str:
    hint = hint_for(outcome)
    return f"### What to check\n\n{hint}" if hint else ""


def duration(seconds: float) -> str:
    """A wait as a person reads it: 45 s, 3 min 5 s, 1 h 2 min."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
