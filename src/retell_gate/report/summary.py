"""The job summary: a pure rendering of an Outcome as markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..inputs.values import BATCH_ID_PATTERN
from ..judge.hints import hint_for
from ..judge.outcome import Outcome
from ..judge.verdict import pass_rate
from .markdown import code, table, text, utf8_size
from .summary_runs import runs_section

if TYPE_CHECKING:
    from ..retell.models import ResponseEngine

HEADINGS = {
    "passed": "✅ Retell batch test passed",
    "failed": "❌ Retell batch test failed",
    "timed-out": "⏱️ Retell batch test timed out",
    "error": "⚠️ Retell batch test gate could not decide",
    "cancelled": "🚫 Retell batch test gate was cancelled",
}
# GitHub drops a step summary over 1 MiB entirely; stay well under it.
BUDGET_BYTES = 900 * 1024
REPORT_LABELS = {"report-path": "JSON report", "junit-path": "JUnit report"}
ENGINE_NAMES = {"retell-llm": "Retell LLM", "conversation-flow": "Conversation Flow", "custom-llm": "Custom LLM"}


def render(outcome: Outcome, budget: int = BUDGET_BYTES) -> str:
    """The whole summary for one run, ending with a newline, at most `budget` bytes long."""
    before = [f"## {HEADINGS[outcome.result]}", text(outcome.reason)]
    before += [f"> [!CAUTION]\n> {problem.sentence(text, code)}" for problem in outcome.write_problems]
    before += [f"> [!WARNING]\n> {text(warning)}" for warning in outcome.warnings]
    before += [_counts(outcome), _checks(outcome)]
    after = [_details(outcome), _next_steps(outcome)]
    used = sum(utf8_size(part) + 2 for part in before + after)
    sections = [*before, runs_section(outcome, budget - used), *after]
    return "\n\n".join(section for section in sections if section) + "\n"


def _counts(outcome: Outcome) -> str:
    counts = outcome.counts
    if counts is None:
        return ""
    rate = pass_rate(counts)
    shown_rate = "n/a" if rate is None else f"{rate}%"
    row = (str(counts.passed), str(counts.failed), str(counts.errored), str(counts.total), shown_rate)
    return "### Test cases\n\n" + table(("Passed", "Failed", "Errored", "Total", "Pass rate"), [row], "rrrrr")


def _checks(outcome: Outcome) -> str:
    if outcome.verdict is None:
        return ""
    rows = [(check.name, check.limit, check.actual, "✅" if check.ok else "❌") for check in outcome.verdict.checks]
    return "### Thresholds\n\n" + table(("Check", "Allowed", "Actual", "OK"), rows, "lrrc")


def _details(outcome: Outcome) -> str:
    rows = [("Batch", _batch_id(outcome.batch_job_id))]
    if outcome.batch is not None:
        rows.append(("Status", text(outcome.batch.status)))
        rows.append(("Response engine", _engine(outcome.batch.response_engine)))
    rows.append(("Waited", duration(outcome.elapsed)))
    rows += [(REPORT_LABELS[name], text(path)) for name, path in outcome.reports]
    return "### Details\n\n" + table(("", ""), rows, "ll")


def _batch_id(batch_job_id: str) -> str:
    if not batch_job_id:
        return "(not given)"
    # A code span only for a valid ID: its characters cannot close the span; anything else is escaped.
    return f"`{batch_job_id}`" if BATCH_ID_PATTERN.fullmatch(batch_job_id) else text(batch_job_id)


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
