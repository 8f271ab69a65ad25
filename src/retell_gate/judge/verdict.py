"""The verdict: complete batches' counts against the thresholds (pure, no I/O).

Each batch's counts are judged on their own first (the list of its runs, test cases left
uncounted), then added up: the thresholds apply to the totals, a `N%` limit to the combined total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from ..inputs.config import Config
from ..inputs.values import Limit
from .batches import GatedBatch, named
from .counts import Counts, judge_batch
from .runs import how_many

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import BatchTest


@dataclass(frozen=True)
class Check:
    """One threshold against its actual value, as the summary's table shows it."""

    name: str
    input: str
    """The input that sets this threshold."""
    limit: str
    actual: str
    ok: bool
    failure: str
    """Why it failed, as part of a sentence; shown only when `ok` is false."""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str
    counts: Counts
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    by_batch: Mapping[str, Counts] = field(default_factory=dict)
    """Each batch's counts as judged, before they were added up into `counts`."""
    per_definition: bool = False
    """`counts` hold one test case per definition, judged by its repeats, quarantined ones left out."""
    regressed_early: frozenset[str] = frozenset()
    """A verdict made while batches ran (early.py, at the timeout): the tests it found regressed for good."""


def pass_rate(counts: Counts) -> Decimal | None:
    """Percent passed, rounded down to one decimal (so 100.0 means every test passed)."""
    if counts.total == 0:
        return None
    return (Decimal(counts.passed * 100) / counts.total).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def percent(count: int, total: int, places: int, up: bool) -> str:
    """`count` of `total` in percent to `places` decimals, rounded up or down, exactly."""
    whole, rest = divmod(count * 100 * 10**places, total)
    return str(Decimal(whole + (1 if up and rest else 0)).scaleb(-places))


def places_for(limit: Decimal) -> int:
    """Decimals to show a share with, next to this limit: the limit's own, at least one."""
    exponent = limit.as_tuple().exponent
    return max(1, -exponent) if isinstance(exponent, int) else 1


# A share next to its limit is rounded toward the failing side (up for a most-allowed share, down
# for a pass rate) to as many decimals as the limit has, so that it never contradicts its mark:
# 10 of 199 against 5% shows 5.1%, not 5.0%; 1,999 of 2,000 against 99.95 shows 99.95%, not 99.9%.
def limit_check(name: str, input_name: str, count: int, total: int, limit: Limit) -> Check:
    ok = not limit.exceeded_by(count, total)
    share = f" ({percent(count, total, places_for(limit.value), up=True)}%)" if limit.percent and total else ""
    failure = f"{count} {name.lower()}{share}, more than the {limit} allowed"
    return Check(name, input_name, f"≤ {limit}", f"{count}{share}", ok, failure)


def threshold_checks(counts: Counts, config: Config, empty: Sequence[str], several: bool) -> list[Check]:
    checks = [
        limit_check("Failed", "max-failures", counts.failed, counts.total, config.max_failures),
        limit_check("Errored", "max-errors", counts.errored, counts.total, config.max_errors),
    ]
    if config.min_pass_rate is not None:
        # An empty batch has no pass rate; the "Test cases" check below decides it.
        ok = counts.total == 0 or counts.passed * 100 >= config.min_pass_rate * counts.total
        places = places_for(config.min_pass_rate)
        shown = f"{percent(counts.passed, counts.total, places, up=False)}%" if counts.total else "n/a"
        checks.append(
            Check(
                "Pass rate",
                "min-pass-rate",
                f"≥ {config.min_pass_rate}%",
                shown,
                ok,
                f"the pass rate is {shown}, below {config.min_pass_rate}%",
            )
        )
    checks.append(empty_check(counts, config, empty, several))
    return checks


def empty_check(counts: Counts, config: Config, empty: Sequence[str], several: bool) -> Check:
    """With several batches, each must hold a test case: an empty one is as suspect beside others as alone."""
    if several:
        which = f"batch {empty[0]} has" if len(empty) == 1 else f"batches {', '.join(empty)} have"
        limit = "at least 1 a batch"
    else:
        which, limit = "the batch has", "at least 1"
    return Check(
        "Test cases",
        "allow-empty",
        "any number" if config.allow_empty else limit,
        str(counts.total),
        config.allow_empty or not empty,
        f"{which} no test cases (set `allow-empty: true` to accept that)",
    )


def decide(batch: BatchTest, config: Config, listing: RunListing | None = None) -> Verdict:
    """Pass or fail one complete batch, with the list of its test runs if it was read."""
    return decide_batches((GatedBatch(batch.test_case_batch_job_id, batch, listing),), config)


def decide_batches(batches: Sequence[GatedBatch], config: Config) -> Verdict:
    """Pass or fail complete batches together: each judged on its own, the thresholds on the totals."""
    several = len(batches) > 1
    by_batch: dict[str, Counts] = {}
    warnings: list[str] = []
    for gated in batches:
        if gated.batch is None:
            raise ValueError(f"batch {gated.batch_job_id} was never read")
        by_batch[gated.batch_job_id], said = judge_batch(gated.batch, gated.listing)
        warnings += [named(gated.batch_job_id, warning, several) for warning in said]
    counts = Counts.combined(by_batch.values())
    empty = [batch_job_id for batch_job_id, judged in by_batch.items() if judged.total == 0]
    checks = tuple(threshold_checks(counts, config, empty, several))
    failures = [check.failure for check in checks if not check.ok]
    reason = verdict_reason(counts, failures, len(batches))
    return Verdict(not failures, reason, counts, checks, tuple(warnings), by_batch)


def verdict_reason(counts: Counts, failures: Sequence[str], batches: int) -> str:
    the_batches = "The batch" if batches == 1 else "The batches"
    if failures:
        return f"{the_batches} failed: " + "; ".join(failures) + "."
    if counts.total == 0:
        return "The batch is empty, which is allowed." if batches == 1 else "The batches are empty, which is allowed."
    of = "" if batches == 1 else f" of the {batches} batches"
    if counts.passed == counts.total:
        return "The 1 test case passed." if counts.total == 1 else f"All {counts.total} test cases{of} passed."
    return f"{counts.passed} of {how_many(counts.total)}{of} passed, within the thresholds."
