"""The job summary's per-test part: failed and errored test cases first, the rest collapsed.

It is kept within a byte budget however many test runs there are: GitHub drops a step summary over
1 MiB entirely, so rows past the budget are left out and counted instead (pure, no I/O).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..judge.batches import GatedBatch
from ..judge.outcome import Outcome
from ..judge.runs import FAILING, how_many
from .markdown import batch_id, table, text, utf8_size

if TYPE_CHECKING:
    from ..retell.models import TestRun

Tagged = tuple[GatedBatch, "TestRun"]

FIRST_LINE_CHARS = 120
EXPLANATION_CHARS = 4000
TABLE_COLUMNS = ("Test case", "Status", "Explanation")
STATUS_ICONS = {"fail": "❌", "error": "⚠️", "not-finished": "⏳", "pass": "✅"}


def runs_section(outcome: Outcome, budget: int) -> str:
    """The per-test part of the summary, at most `budget` bytes (UTF-8) long."""
    if not outcome.listed:
        return ""
    # Said once: the verdict's warning above already names an incomplete list of a complete batch.
    unsaid = [
        (gated, problem)
        for gated, problem in outcome.listing_problems
        if not any(problem in warning for warning in outcome.warnings)
    ]
    runs = outcome.runs
    if outcome.listing_problems and not runs:
        why = _why(outcome, unsaid)
        return f"### Failed and errored test cases\n\nThe individual test results are unavailable{why}"
    notes = [_problem_note(gated, problem, outcome.several) for gated, problem in unsaid]
    return _Writer(budget, outcome.several, outcome.set_apart).sections(runs, notes, _files_note(outcome))


def _why(outcome: Outcome, unsaid: list[tuple[GatedBatch, str]]) -> str:
    if not unsaid:
        return " (see the warning above)."
    if not outcome.several:
        return f": {text(unsaid[0][1])}."
    return ": " + "; ".join(f"batch {batch_id(gated.batch_job_id)}: {text(problem)}" for gated, problem in unsaid) + "."


def _problem_note(gated: GatedBatch, problem: str, several: bool) -> str:
    of = f" of batch {batch_id(gated.batch_job_id)}" if several else ""
    return f"> [!WARNING]\n> The list of test runs{of} is incomplete: {text(problem)}."


class _Writer:
    """Adds pieces while they fit in the budget, and counts the test cases it leaves out."""

    def __init__(self, budget: int, several: bool, set_apart: Callable[[str], str]) -> None:
        self.left = budget - 1024  # room for the closing note
        self.left_out = 0
        self.several = several
        self.set_apart = set_apart
        """Why a test's runs count against nothing (quarantined, allowed by `min-passes`); empty if they count."""

    def fit(self, piece: str) -> bool:
        size = utf8_size(piece) + 1
        if size > self.left:
            return False
        self.left -= size
        return True

    def take(self, pieces: Iterator[str], count: int) -> list[str]:
        """As many of `pieces` (one per test case, `count` in all) as fit."""
        kept = []
        for piece in pieces:
            if not self.fit(piece):
                break
            kept.append(piece)
        self.left_out += count - len(kept)
        return kept

    def sections(self, runs: Sequence[Tagged], notes: list[str], files_note: str) -> str:
        failing = [(gated, run) for gated, run in runs if run.outcome in FAILING]
        parts = list(notes)
        if failing:
            columns = ("Batch", "Test case", "Status", "Explanation") if self.several else TABLE_COLUMNS
            header = "### Failed and errored test cases\n\n" + table(columns, [], "l" * len(columns))
            self.fit(header)
            rows = self.take((self._row(gated, run) for gated, run in failing), len(failing))
            parts.append("\n".join([header, *rows]))
        parts.append(self._collapsed(runs, "not-finished", "not finished"))
        parts.append(self._collapsed(runs, "pass", "passed"))
        if self.left_out:
            limit_note = "to keep this summary within GitHub's size limit"
            parts.append(f"_{how_many(self.left_out)} left out {limit_note}. {files_note}_")
        return "\n\n".join(part for part in parts if part)

    def _collapsed(self, runs: Iterable[Tagged], outcome: str, label: str) -> str:
        chosen = [(gated, run) for gated, run in runs if run.outcome == outcome]
        if not chosen:
            return ""
        opening = f"<details><summary>{STATUS_ICONS[outcome]} {how_many(len(chosen))} {label}</summary>\n"
        if not self.fit(opening + "\n</details>"):
            self.left_out += len(chosen)
            return ""
        items = self.take((self._item(gated, run) for gated, run in chosen), len(chosen))
        return "\n".join([opening, *items, "", "</details>"])

    def _row(self, gated: GatedBatch, run: TestRun) -> str:
        batch = f"| {batch_id(gated.batch_job_id)} " if self.several else ""
        apart = self.set_apart(run.test_case_definition_id)
        status = f"{STATUS_ICONS[run.outcome]} {text(run.status)}" + (f" ({text(apart)})" if apart else "")
        return f"{batch}| {text(run.name)} | {status} | {_explanation(run.explanation)} |"

    def _item(self, gated: GatedBatch, run: TestRun) -> str:
        batch = f"{batch_id(gated.batch_job_id)}: " if self.several else ""
        status = "" if run.outcome == "pass" else f" ({text(run.status)})"
        return f"- {batch}{text(run.name)}{status}"


def _explanation(explanation: str) -> str:
    lines = [line for line in explanation[:EXPLANATION_CHARS].splitlines() if line.strip()]
    if not lines:
        return "(no explanation from Retell)"
    first = lines[0] if len(lines[0]) <= FIRST_LINE_CHARS else lines[0][: FIRST_LINE_CHARS - 1] + "…"
    if len(lines) == 1 and first == lines[0]:
        return text(first)
    cut = "<br>(cut short)" if len(explanation) > EXPLANATION_CHARS else ""
    full = "<br>".join(text(line) for line in lines)
    return f"<details><summary>{text(first)}</summary>{full}{cut}</details>"


def _files_note(outcome: Outcome) -> str:
    if outcome.reports:
        return "Every test case is in " + " and ".join(text(path) for _, path in outcome.reports) + "."
    return "Set `report-path` or `junit-path` to get every test case in a file."
