"""The batches tested against a baseline, definition by definition (pure, no I/O).

Every test case definition seen on either side lands in exactly one Change. Each side is judged by
its own repeats first (definitions.judge_definitions), so a definition that met `min-passes` counts
as passed there, even if flaky.

Definitions are paired by ID. A test deleted and created again (or copied to another engine) gets a new
ID under the same name; left unpaired it would be "new" now and "dropped" before, and could never regress.
So a definition found on one side only is paired with the one of the same name on the other side only,
when that name is on no other definition of either side (a name used twice proves nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .definitions import DefinitionResult, DefinitionStatus
from .verdict import Check
from .wording import first_few, quoted

Change = Literal["regressed", "fixed", "still-failing", "unchanged-pass", "new", "dropped"]
CHANGES: tuple[Change, ...] = ("regressed", "fixed", "still-failing", "unchanged-pass", "new", "dropped")
SideStatus = DefinitionStatus | Literal["absent"]


@dataclass(frozen=True)
class TwoSides:
    """One definition as judged now and in the baseline (None: it did not run on that side)."""

    definition_id: str
    name: str
    """Its name now, or in the baseline when it did not run now."""
    current: DefinitionResult | None
    baseline: DefinitionResult | None

    @property
    def now(self) -> SideStatus:
        return self.current.status if self.current is not None else "absent"

    @property
    def before(self) -> SideStatus:
        return self.baseline.status if self.baseline is not None else "absent"


@dataclass(frozen=True)
class Compared(TwoSides):
    """One definition, on both sides, and what changed."""

    change: Change


@dataclass(frozen=True)
class Comparison:
    """Every definition of either side, each once, in the order of CHANGES, by name within each."""

    entries: tuple[Compared, ...]

    def of(self, change: Change) -> tuple[Compared, ...]:
        return tuple(entry for entry in self.entries if entry.change == change)

    @property
    def regressed(self) -> tuple[Compared, ...]:
        return self.of("regressed")

    @property
    def fixed(self) -> tuple[Compared, ...]:
        return self.of("fixed")

    @property
    def still_failing(self) -> tuple[Compared, ...]:
        return self.of("still-failing")

    @property
    def unchanged_pass(self) -> tuple[Compared, ...]:
        return self.of("unchanged-pass")

    @property
    def new(self) -> tuple[Compared, ...]:
        return self.of("new")

    @property
    def dropped(self) -> tuple[Compared, ...]:
        return self.of("dropped")


def change_of(current: DefinitionResult | None, baseline: DefinitionResult | None) -> Change:
    """Where one definition lands; a definition on neither side is a caller's mistake."""
    if current is None and baseline is None:
        raise ValueError("a definition must be on at least one side")
    if baseline is None:
        return "new"
    if current is None:
        return "dropped"
    if baseline.ok:
        return "unchanged-pass" if current.ok else "regressed"
    return "fixed" if current.ok else "still-failing"


def compare(current: Iterable[DefinitionResult], baseline: Iterable[DefinitionResult]) -> Comparison:
    """Each definition of the union, with its Change (paired by ID, else by a name unique to both sides)."""
    now, before = _by_id(current, "current"), _by_id(baseline, "baseline")
    renamed = _same_name(now, before)  # current ID -> baseline ID
    paired = set(renamed.values())
    entries = [
        _compared(now.get(definition_id), before.get(renamed.get(definition_id, definition_id)))
        for definition_id in (now.keys() | before.keys()) - paired
    ]
    entries.sort(key=lambda entry: (CHANGES.index(entry.change), entry.name.casefold(), entry.definition_id))
    return Comparison(tuple(entries))


def _same_name(now: dict[str, DefinitionResult], before: dict[str, DefinitionResult]) -> dict[str, str]:
    """Definitions on one side only, paired by a name no other definition of either side has."""
    names = Counter(result.name for result in (*now.values(), *before.values()))
    unique = {name for name, seen in names.items() if seen == 2}  # once on each side, at most
    only_before = {r.name: r.definition_id for r in before.values() if r.definition_id not in now and r.name in unique}
    return {
        r.definition_id: only_before[r.name]
        for r in now.values()
        if r.definition_id not in before and r.name in only_before and r.name != r.definition_id
    }


def _compared(current: DefinitionResult | None, baseline: DefinitionResult | None) -> Compared:
    shown = current if current is not None else baseline
    if shown is None:
        raise ValueError("a definition must be on at least one side")
    return Compared(shown.definition_id, shown.name, current, baseline, change_of(current, baseline))


def _by_id(results: Iterable[DefinitionResult], side: str) -> dict[str, DefinitionResult]:
    by_id: dict[str, DefinitionResult] = {}
    for result in results:
        if result.definition_id in by_id:
            raise ValueError(f"definition {result.definition_id} is listed twice on the {side} side")
        by_id[result.definition_id] = result
    return by_id


def regression_check(comparison: Comparison, max_regressions: int) -> Check:
    """`max-regressions` against the definitions that passed in the baseline and do not now."""
    regressed = comparison.regressed
    count = len(regressed)
    names = first_few([quoted(entry.name) for entry in regressed])
    noun = "test" if count == 1 else "tests"
    return Check(
        name="Regressions",
        input="max-regressions",
        limit=f"≤ {max_regressions}",
        actual=str(count),
        ok=count <= max_regressions,
        failure=f"{count} {noun} regressed since the baseline ({names}), more than the {max_regressions} allowed",
    )
