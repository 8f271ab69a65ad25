"""The tests judged one by one, as every report shows them: regressions first, then fixed, flaky, still
failing, new and dropped, and the quarantined tests apart (pure, no I/O; the text is Retell's: escape it).

Each renderer (summary, plain text, comment) takes these sections and shapes them for where it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..judge.runs import FAILING

if TYPE_CHECKING:
    from ..judge.compare import Compared, SideStatus
    from ..judge.definitions import DefinitionResult
    from ..judge.outcome import Outcome

WORDS = {"passed": "passed", "failed": "failed", "errored": "errored", "absent": "not run"}
ICONS = {"passed": "✅", "failed": "❌", "errored": "⚠️", "absent": "➖"}
TITLES = {
    "regressed": "Regressions",
    "fixed": "Fixed",
    "flaky": "Flaky",
    "still-failing": "Still failing",
    "new": "New",
    "dropped": "Dropped",
    "quarantined": "Quarantined",
}


@dataclass(frozen=True)
class Item:
    """One test in a section."""

    name: str
    before: SideStatus | None
    """In the baseline; None when no baseline was compared."""
    now: SideStatus
    runs: str
    """How its repeats went, e.g. `1 of 2 passed, 2 needed`; empty for a test run once."""
    explanation: str
    """Retell's explanation of its first failed or errored run now; empty when none."""
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return TITLES[self.key]


def judged_sections(outcome: Outcome) -> list[Section]:
    """The non-empty sections, in the order the reports show them."""
    assessment = outcome.assessment
    if assessment is None:
        return []
    explanations = _explanations(outcome)
    comparison = assessment.comparison
    sections: list[Section] = []
    compared = {entry.definition_id: entry for entry in comparison.entries} if comparison else {}
    order = ("regressed", "fixed", "flaky", "still-failing", "new", "dropped")
    for key in order:
        if key == "flaky":
            items = [_flaky(result, compared.get(result.definition_id), explanations) for result in assessment.flaky]
        elif comparison is None:
            continue
        else:
            items = [_item(entry, explanations) for entry in comparison.of(key)]  # type: ignore[arg-type]
        if items:
            sections.append(Section(key, tuple(items)))
    quarantined = [
        Item(
            entry.name,
            entry.before if comparison is not None else None,
            entry.now,
            _runs(entry.current),
            explanations.get(entry.definition_id, ""),
            "passed: it may be ready to leave quarantine" if entry.now == "passed" else "",
        )
        for entry in assessment.quarantined
    ]
    if quarantined:
        sections.append(Section("quarantined", tuple(quarantined)))
    return sections


def _item(entry: Compared, explanations: dict[str, str]) -> Item:
    return Item(entry.name, entry.before, entry.now, _runs(entry.current), explanations.get(entry.definition_id, ""))


def _flaky(result: DefinitionResult, entry: Compared | None, explanations: dict[str, str]) -> Item:
    before = entry.before if entry is not None else None
    return Item(result.name, before, result.status, _runs(result), explanations.get(result.definition_id, ""))


def _runs(result: DefinitionResult | None) -> str:
    if result is None or result.runs <= 1:
        return ""
    return f"{result.passed} of {result.runs} passed, {result.min_passes} needed"


def _explanations(outcome: Outcome) -> dict[str, str]:
    """Each definition's first failed or errored run's explanation, now."""
    found: dict[str, str] = {}
    for _, run in outcome.runs:
        if run.outcome in FAILING and run.test_case_definition_id not in found:
            found[run.test_case_definition_id] = run.explanation
    return found


def first_line(explanation: str) -> str:
    return next((line.strip() for line in explanation.splitlines() if line.strip()), "")


def baseline_words(outcome: Outcome) -> str:
    """`batch tcb_1 (retell-llm llm_1 version 2)`, or several batches, for the details (escape it)."""
    used = outcome.baseline
    if used is None:
        return ""
    ids = used.batch_ids
    which = f"batch {ids[0]}" if len(ids) == 1 else f"batches {', '.join(ids)}"
    how = ", found by baseline: latest" if used.found else ""
    return f"{which} ({used.engine}{how})"


def per_test_note(outcome: Outcome) -> str:
    """What the counts are when they are per test (Verdict.per_definition); empty otherwise."""
    assessment = outcome.assessment
    if outcome.verdict is None or not outcome.verdict.per_definition or assessment is None:
        return ""
    parts = ["Counted per test: each test case definition once"]
    if outcome.repeats > 1:
        needed = max((result.min_passes for result in assessment.definitions), default=outcome.repeats)
        parts.append(f"judged by its {outcome.repeats} runs (it passes with at least {needed} passes)")
    if assessment.quarantined:
        parts.append("quarantined tests left out")
    return ", ".join(parts) + "."
