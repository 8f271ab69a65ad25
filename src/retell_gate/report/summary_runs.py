"""The job summary's per-test part: failed and errored test cases first, the rest collapsed.

It is kept within a byte budget however many test runs there are: GitHub drops a step summary over
1 MiB entirely, so rows past the budget are left out and counted instead (pure, no I/O).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..judge.outcome import Outcome
from ..judge.runs import FAILING, how_many, in_report_order
from ..retell.listing import RunListing
from .markdown import table, text, utf8_size

if TYPE_CHECKING:
    from ..retell.models import TestRun

FIRST_LINE_CHARS = 120
EXPLANATION_CHARS = 4000
STATUS_ICONS = {"fail": "❌", "error": "⚠️", "not-finished": "⏳", "pass": "✅"}


def runs_section(outcome: Outcome, budget: int) -> str:
    """The per-test part of the summary, at most `budget` bytes (UTF-8) long."""
    listing = outcome.listing
    if listing is None:
        return ""
    problem = outcome.listing_problem
    # Said once: the verdict's warning above already names an incomplete list of a complete batch.
    said = bool(problem) and any(problem in warning for warning in outcome.warnings)
    if problem and not listing.runs:
        why = " (see the warning above)" if said else f": {text(problem)}"
        return f"### Failed and errored test cases\n\nThe individual test results are unavailable{why}."
    return _Writer(budget).sections(listing, "" if said else problem, _files_note(outcome))


class _Writer:
    """Adds pieces while they fit in the budget, and counts the test cases it leaves out."""

    def __init__(self, budget: int) -> None:
        self.left = budget - 1024  # room for the closing note
        self.left_out = 0

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

    def sections(self, listing: RunListing, problem: str, files_note: str) -> str:
        ordered = in_report_order(listing.runs)
        failing = [run for run in ordered if run.outcome in FAILING]
        parts = []
        if problem:
            parts.append(f"> [!WARNING]\n> The list of test runs is incomplete: {text(problem)}.")
        if failing:
            header = "### Failed and errored test cases\n\n" + table(("Test case", "Status", "Explanation"), [], "lll")
            self.fit(header)
            rows = self.take((_row(run) for run in failing), len(failing))
            parts.append("\n".join([header, *rows]))
        parts.append(self._collapsed(ordered, "not-finished", "not finished"))
        parts.append(self._collapsed(ordered, "pass", "passed"))
        if self.left_out:
            limit_note = "to keep this summary within GitHub's size limit"
            parts.append(f"_{how_many(self.left_out)} left out {limit_note}. {files_note}_")
        return "\n\n".join(part for part in parts if part)

    def _collapsed(self, ordered: Iterable[TestRun], outcome: str, label: str) -> str:
        runs = [run for run in ordered if run.outcome == outcome]
        if not runs:
            return ""
        opening = f"<details><summary>{STATUS_ICONS[outcome]} {how_many(len(runs))} {label}</summary>\n"
        if not self.fit(opening + "\n</details>"):
            self.left_out += len(runs)
            return ""
        items = self.take((_item(run) for run in runs), len(runs))
        return "\n".join([opening, *items, "", "</details>"])


def _row(run: TestRun) -> str:
    return f"| {text(run.name)} | {STATUS_ICONS[run.outcome]} {text(run.status)} | {_explanation(run.explanation)} |"


def _item(run: TestRun) -> str:
    status = "" if run.outcome == "pass" else f" ({text(run.status)})"
    return f"- {text(run.name)}{status}"


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
