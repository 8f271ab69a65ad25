"""The per-definition judgement in one call: repeats, the baseline, required and quarantined tests.

What it gives the verdict: the counts with one test case per definition and quarantined tests left
out (for the thresholds and the pass rate), and the extra checks (`max-regressions`, `required-tests`)
to join the threshold checks. Pure, no I/O; the caller reads the runs and renders the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .compare import Comparison, compare, regression_check
from .counts import Counts
from .definitions import DefinitionResult, RunLike, definition_counts, judge_definitions
from .selection import Quarantined, check_overlap, quarantined, required_check, unused_quarantine_warnings
from .verdict import Check


@dataclass(frozen=True)
class Assessment:
    definitions: tuple[DefinitionResult, ...]
    """The definitions tested now, judged by their repeats; quarantined ones left out."""
    counts: Counts
    """One test case per definition in `definitions`, for the thresholds and the pass rate."""
    comparison: Comparison | None
    """Against the baseline, quarantined definitions left out; None when no baseline was given."""
    quarantined: tuple[Quarantined, ...]
    checks: tuple[Check, ...]
    """`max-regressions` when a baseline was given, `required-tests` when patterns were given."""
    warnings: tuple[str, ...]
    unseen_failures: int = 0
    """Failed or errored test cases the batches count but an incomplete list of runs lacks, or failing tests
    a partly listed baseline lacks: while any, the regressions cannot be counted (any of them could be one),
    and the check fails (combined.py)."""

    @property
    def flaky(self) -> tuple[DefinitionResult, ...]:
        return tuple(result for result in self.definitions if result.flaky)

    @property
    def repeated(self) -> bool:
        """Some definition ran more than once: the summary should say counts are per definition."""
        return any(result.runs > 1 for result in self.definitions)

    @property
    def ok(self) -> bool:
        """The checks made here passed (the threshold checks on `counts` are the verdict's)."""
        return all(check.ok for check in self.checks)


def assess(
    current_runs: Iterable[RunLike],
    baseline_runs: Iterable[RunLike] | None = None,
    *,
    min_passes: int | None = None,
    max_regressions: int = 0,
    required: Sequence[str] = (),
    quarantine: Sequence[str] = (),
    current_capped: bool = False,
) -> Assessment:
    """Judge the runs tested now, against the baseline's runs when given (None: no baseline).

    Raises InputError when a test is both required and quarantined. The baseline is judged with the
    same `min_passes`, lowered to each definition's number of runs there (it may have run fewer times).
    `current_capped` does the same for the runs tested now: only when their list is incomplete, so that
    runs missing from it are not taken for failures (the caller judges the thresholds on the batch counts).
    """
    current = judge_definitions(current_runs, min_passes, capped=current_capped)
    baseline = None if baseline_runs is None else judge_definitions(baseline_runs, min_passes, capped=True)
    everything = compare(current, baseline or ())
    check_overlap(everything.entries, required, quarantine)
    set_apart = quarantined(everything.entries, quarantine)
    apart_ids = {entry.definition_id for entry in set_apart}
    kept = Comparison(tuple(entry for entry in everything.entries if entry.definition_id not in apart_ids))
    definitions = tuple(result for result in current if result.definition_id not in apart_ids)
    checks = []
    if baseline is not None:
        checks.append(regression_check(kept, max_regressions))
    if required:
        checks.append(required_check(kept.entries, required))
    return Assessment(
        definitions=definitions,
        counts=definition_counts(definitions),
        comparison=kept if baseline is not None else None,
        quarantined=set_apart,
        checks=tuple(checks),
        warnings=unused_quarantine_warnings(everything.entries, quarantine),
    )
