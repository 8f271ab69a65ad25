"""The verdict when the tests are judged one by one: the thresholds, regressions and required tests together.

Used when any of `baseline`, `required-tests`, `quarantine`, `repeats` or `min-passes` is set
(Config.per_definition); without them, verdict.decide_batches alone decides, exactly as before.

- The thresholds (`max-failures`, `max-errors`, `min-pass-rate`) take one test case per definition,
  judged by its repeats, quarantined ones left out, when `repeats` or `quarantine` is set; otherwise
  the batches' counts, as without a baseline.
- `max-regressions` and `required-tests` join them as checks (assess.py).
- An incomplete list of the runs tested now (listing_problem) says nothing of the runs it lacks. So:
  the thresholds fall back to the batches' counts (quarantined tests and repeats then count as plain
  test cases, which can only fail more); a definition is judged on the runs listed (`current_capped`),
  so a missing repeat is not a failure and cannot make a regression; a baseline test missing from the
  list is not called dropped; a required test not listed fails the step (fail closed), with a
  warning that the list was incomplete; and while the batches count failures the list lacks, the
  regressions cannot be counted, so `max-regressions` fails (any of them could be one).
Pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..inputs.config import Config
from ..inputs.judging import counted_per_test
from .assess import Assessment, assess
from .batches import GatedBatch
from .compare import Comparison
from .counts import Counts
from .runs import FAILING
from .verdict import Check, Verdict, decide_batches, threshold_checks, verdict_reason

if TYPE_CHECKING:
    from ..retell.models import TestRun


def decide_per_definition(
    batches: Sequence[GatedBatch],
    config: Config,
    baseline_runs: Sequence[TestRun] | None,
    notes: Sequence[str] = (),
    baseline_unlisted_passes: int = 0,
) -> tuple[Verdict, Assessment]:
    """Pass or fail complete batches test by test; `notes` (the baseline's warnings) come first.

    `baseline_unlisted_passes`: passes the baseline's batches count that its listed runs do not show (it was
    listed in part). A failing test the baseline lacks may be one of them: while there is such a test, the
    regressions cannot be counted, and `max-regressions` fails."""
    by_batches = decide_batches(batches, config)
    incomplete = any(gated.listing_problem for gated in batches)
    runs = [run for gated in batches if gated.listing for run in gated.listing.runs]
    assessment = assess(
        runs,
        baseline_runs,
        min_passes=_min_passes(config, incomplete),
        max_regressions=config.max_regressions or 0,
        required=config.required_tests,
        quarantine=config.quarantine,
        current_capped=incomplete,
    )
    warnings = [*notes, *by_batches.warnings, *assessment.warnings]
    counted = counted_per_test(config)
    per_definition = counted and not incomplete
    if incomplete:
        assessment, said = _without_guesses(assessment, counted, bool(config.required_tests))
        warnings += said
        assessment = _regressions_unknown(assessment, by_batches.counts, runs, config)
    if baseline_unlisted_passes > 0:
        assessment = _baseline_in_part(assessment, config, baseline_unlisted_passes)
    several = len(batches) > 1
    if per_definition:
        counts = assessment.counts
        empty = [batch_id for batch_id, judged in by_batches.by_batch.items() if judged.total == 0]
        thresholds = threshold_checks(counts, config, empty, several)
        if counts.total == 0 and not empty:  # every test quarantined: nothing is judged, like an empty batch
            thresholds = [check for check in thresholds if check.input != "allow-empty"] + [_none_counted(config)]
        checks = (*thresholds, *assessment.checks)
    else:
        counts = by_batches.counts
        checks = (*by_batches.checks, *assessment.checks)
    failures = [check.failure for check in checks if not check.ok]
    reason = _reason(counts, failures, len(batches), config) if per_definition else None
    return (
        Verdict(
            passed=not failures,
            reason=reason or verdict_reason(counts, failures, len(batches)),
            counts=counts,
            checks=checks,
            warnings=tuple(warnings),
            by_batch=by_batches.by_batch,
            per_definition=per_definition,
        ),
        assessment,
    )


def _none_counted(config: Config) -> Check:
    return Check(
        "Test cases",
        "allow-empty",
        "any number" if config.allow_empty else "at least 1",
        "0 (all quarantined)",
        config.allow_empty,
        "no test counts once quarantined tests are left out (set `allow-empty: true` to accept that)",
    )


def _min_passes(config: Config, incomplete: bool) -> int | None:
    """Every repeat started must pass unless `min-passes` says otherwise: a repeat Retell lost counts
    against its definition, unless the list of runs is incomplete (then it may only be unlisted)."""
    if config.min_passes is not None or incomplete or config.repeats == 1:
        return config.min_passes
    return config.repeats


def _without_guesses(assessment: Assessment, counted: bool, required: bool) -> tuple[Assessment, list[str]]:
    """What an incomplete list of the runs tested now cannot tell, taken out and said."""
    said = []
    comparison = assessment.comparison
    if comparison is not None and comparison.dropped:
        kept = tuple(entry for entry in comparison.entries if entry.change != "dropped")
        comparison = Comparison(kept)
        count = len(assessment.comparison.dropped) if assessment.comparison else 0
        said.append(
            f"The list of test runs is incomplete, so {count} baseline test(s) not listed now are compared with "
            "nothing: they may have run."
        )
    if counted:
        said.append(
            "The list of test runs is incomplete, so the thresholds are judged on the batches' counts, where "
            "quarantined tests and repeats count as test cases like any other."
        )
    if required:
        said.append("The list of test runs is incomplete: a required test it lacks is taken as not run, and fails.")
    return Assessment(
        assessment.definitions,
        assessment.counts,
        comparison,
        assessment.quarantined,
        assessment.checks,
        assessment.warnings,
    ), said


def _regressions_unknown(
    assessment: Assessment, counts: Counts, listed: Sequence[TestRun], config: Config
) -> Assessment:
    """Fail closed: when the batches count failures the incomplete list lacks, any could be a regression."""
    unseen = counts.failed + counts.errored - sum(1 for run in listed if run.outcome in FAILING)
    if assessment.comparison is None or unseen <= 0:
        return assessment
    why = f"{unseen} failed or errored test case(s) are missing from the incomplete list of test runs"
    return _regressions_uncounted(assessment, config, why, unseen)


def _baseline_in_part(assessment: Assessment, config: Config, unlisted_passes: int) -> Assessment:
    """Fail closed: a failing test the partly listed baseline lacks (shown as new) could be a regression, as
    many of them as the baseline has passes no listed run shows."""
    comparison = assessment.comparison
    failing_new = [e for e in comparison.new if e.current is not None and not e.current.ok] if comparison else []
    unknown = failing_new[:unlisted_passes]
    regressions = [check for check in assessment.checks if check.input == "max-regressions"]
    if not unknown or not all(check.ok for check in regressions):
        return assessment  # nothing it could hide, or the listed runs fail the check already: that stands
    why = (
        f"{len(failing_new)} failing test(s) are missing from the baseline's incomplete list of test runs, where "
        f"{unlisted_passes} pass(es) are not listed"
    )
    return _regressions_uncounted(assessment, config, why, assessment.unseen_failures + len(unknown))


def _regressions_uncounted(assessment: Assessment, config: Config, why: str, unseen: int) -> Assessment:
    """`max-regressions` failed as "unknown" (`why` any regression could hide), unless the runs seen fail it
    already, which stands; `unseen` keeps the `regression-count` output empty, never a reassuring 0."""
    if not all(check.ok for check in assessment.checks if check.input == "max-regressions"):
        return replace(assessment, unseen_failures=unseen)
    limit = config.max_regressions or 0
    failure = f"regressions cannot be counted: {why}, and any could be one"
    unknown = Check("Regressions", "max-regressions", f"≤ {limit}", "unknown", False, failure)
    checks = tuple(unknown if check.input == "max-regressions" else check for check in assessment.checks)
    return replace(assessment, checks=checks, unseen_failures=unseen)


def _reason(counts: Counts, failures: Sequence[str], batches: int, config: Config) -> str:
    """The reason when the thresholds were judged per definition."""
    if failures:
        return verdict_reason(counts, failures, batches)
    each = f", each judged by its {config.repeats} runs" if config.repeats > 1 else ""
    left_out = " (quarantined ones left out)" if config.quarantine else ""
    if counts.total == 0:
        return f"No test counts once quarantined tests are left out, which is allowed{each}."
    if counts.passed == counts.total:
        return f"All {tests(counts.total)}{left_out} passed{each}."
    return f"{counts.passed} of {tests(counts.total)}{left_out} passed{each}, within the thresholds."


def tests(count: int) -> str:
    return "1 test" if count == 1 else f"{count} tests"
