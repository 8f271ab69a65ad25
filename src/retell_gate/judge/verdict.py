"""The verdict: a complete batch's counts against the thresholds (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from ..inputs.config import Config
from ..inputs.values import Limit
from .runs import RunCounts, count_runs, how_many, listing_problem

if TYPE_CHECKING:
    from ..retell.listing import RunListing
    from ..retell.models import BatchTest


@dataclass(frozen=True)
class Counts:
    """Test case counts as the gate judges them."""

    passed: int
    failed: int
    errored: int
    total: int

    @classmethod
    def of(cls, batch: BatchTest) -> Counts:
        return cls(batch.pass_count, batch.fail_count, batch.error_count, batch.total_count)

    @property
    def finished(self) -> int:
        return self.passed + self.failed + self.errored

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.errored} errored of {self.total}"


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


def pass_rate(counts: Counts) -> Decimal | None:
    """Percent passed, rounded down to one decimal (so 100.0 means every test passed)."""
    if counts.total == 0:
        return None
    return (Decimal(counts.passed * 100) / counts.total).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def percent(count: int, total: int, places: int, up: bool) -> str:
    """`count` of `total` in percent to `places` decimals, rounded up or down, exactly."""
    whole, rest = divmod(count * 100 * 10**places, total)
    return str(Decimal(whole + (1 if up and rest else 0)).scaleb(-places))


def _places(limit: Decimal) -> int:
    """Decimals to show a share with, next to this limit: the limit's own, at least one."""
    exponent = limit.as_tuple().exponent
    return max(1, -exponent) if isinstance(exponent, int) else 1


def with_listing(counts: Counts, listing: RunListing | None) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts as the list of its test runs lets the gate judge them."""
    if listing is None:
        return counts, ()
    runs = count_runs(listing.runs)
    why = listing_problem(listing, counts.total)
    return at_least(counts, runs, why) if why else reconciled(counts, runs)


def reconciled(counts: Counts, runs: RunCounts) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts, or, where the full list of runs disagrees, the worse of the two."""
    listed = Counts(runs.passed, runs.failed, runs.errored, runs.total)
    if listed == counts:
        return counts, ()
    passed, failed = min(counts.passed, listed.passed), max(counts.failed, listed.failed)
    errored = max(counts.errored, listed.errored)
    worse = Counts(passed, failed, errored, max(counts.total, listed.total, passed + failed + errored))
    warning = (
        f"The test runs ({listed}, {runs.not_finished} not finished) disagree with the batch's counts ({counts}); "
        f"the gate uses the more pessimistic numbers ({worse})."
    )
    return worse, (warning,)


def at_least(counts: Counts, runs: RunCounts, why: str) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts, made worse only by worse statuses among the runs of an incomplete list.

    The runs missing from the list are unknown, not failed; but a run listed as failed, errored or
    unfinished (in a complete batch: an error) is one at least.
    """
    failed = max(counts.failed, runs.failed)
    errored = max(counts.errored, runs.errored + runs.not_finished)
    passed = max(0, min(counts.passed, counts.total - failed - errored))
    worse = Counts(passed, failed, errored, max(counts.total, passed + failed + errored))
    judged = f"The gate judges the batch's counts ({counts})"
    if worse != counts:
        judged += f", made worse by the runs listed: {worse}"
    return worse, (f"The list of test runs is incomplete: {why}. {judged}.",)


def judged_counts(counts: Counts) -> tuple[Counts, tuple[str, ...]]:
    """Counts of a complete batch, with test cases Retell left uncounted taken as errors."""
    uncounted = counts.total - counts.finished
    if uncounted <= 0:
        return counts, ()
    are, them = ("is", "it") if uncounted == 1 else ("are", "them")
    warning = (
        f"Retell reports the batch complete, but {uncounted} of {how_many(counts.total)} {are} not counted "
        f"as passed, failed or errored; the gate counts {them} as errored."
    )
    return Counts(counts.passed, counts.failed, counts.errored + uncounted, counts.total), (warning,)


# A share next to its limit is rounded toward the failing side (up for a most-allowed share, down
# for a pass rate) to as many decimals as the limit has, so that it never contradicts its mark:
# 10 of 199 against 5% shows 5.1%, not 5.0%; 1,999 of 2,000 against 99.95 shows 99.95%, not 99.9%.
def _limit_check(name: str, input_name: str, count: int, total: int, limit: Limit) -> Check:
    ok = not limit.exceeded_by(count, total)
    share = f" ({percent(count, total, _places(limit.value), up=True)}%)" if limit.percent and total else ""
    failure = f"{count} {name.lower()}{share}, more than the {limit} allowed"
    return Check(name, input_name, f"≤ {limit}", f"{count}{share}", ok, failure)


def _checks(counts: Counts, config: Config) -> list[Check]:
    checks = [
        _limit_check("Failed", "max-failures", counts.failed, counts.total, config.max_failures),
        _limit_check("Errored", "max-errors", counts.errored, counts.total, config.max_errors),
    ]
    if config.min_pass_rate is not None:
        # An empty batch has no pass rate; the "Test cases" check below decides it.
        ok = counts.total == 0 or counts.passed * 100 >= config.min_pass_rate * counts.total
        places = _places(config.min_pass_rate)
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
    empty_ok = counts.total > 0 or config.allow_empty
    checks.append(
        Check(
            "Test cases",
            "allow-empty",
            "any number" if config.allow_empty else "at least 1",
            str(counts.total),
            empty_ok,
            "the batch has no test cases (set `allow-empty: true` to accept that)",
        )
    )
    return checks


def decide(batch: BatchTest, config: Config, listing: RunListing | None = None) -> Verdict:
    """Pass or fail a complete batch, with the list of its test runs if it was read."""
    counts, mismatch = with_listing(Counts.of(batch), listing)
    counts, uncounted = judged_counts(counts)
    warnings = mismatch + uncounted
    checks = tuple(_checks(counts, config))
    failures = [check.failure for check in checks if not check.ok]
    if failures:
        reason = "The batch failed: " + "; ".join(failures) + "."
        return Verdict(False, reason, counts, checks, warnings)
    if counts.total == 0:
        reason = "The batch is empty, which is allowed."
    elif counts.passed == counts.total:
        reason = "The 1 test case passed." if counts.total == 1 else f"All {counts.total} test cases passed."
    else:
        reason = f"{counts.passed} of {how_many(counts.total)} passed, within the thresholds."
    return Verdict(True, reason, counts, checks, warnings)
