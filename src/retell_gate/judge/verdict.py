"""The verdict: a complete batch's counts against the thresholds (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from ..inputs.config import Config
from ..inputs.values import Limit
from .runs import RunCounts

if TYPE_CHECKING:
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


def reconciled(counts: Counts, runs: RunCounts | None) -> tuple[Counts, tuple[str, ...]]:
    """The batch's counts, or, where the full list of runs disagrees, the worse of the two."""
    if runs is None:
        return counts, ()
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


def judged_counts(counts: Counts) -> tuple[Counts, tuple[str, ...]]:
    """Counts of a complete batch, with test cases Retell left uncounted taken as errors."""
    uncounted = counts.total - counts.finished
    if uncounted <= 0:
        return counts, ()
    warning = (
        f"Retell reports the batch complete, but {uncounted} of {counts.total} test cases are not counted "
        "as passed, failed or errored; the gate counts them as errored."
    )
    return Counts(counts.passed, counts.failed, counts.errored + uncounted, counts.total), (warning,)


def _limit_check(name: str, input_name: str, count: int, total: int, limit: Limit) -> Check:
    ok = not limit.exceeded_by(count, total)
    actual = str(count)
    if limit.percent and total:
        actual += f" ({Decimal(count * 100) / total:.1f}%)"
    noun = name.lower()
    return Check(name, input_name, f"≤ {limit}", actual, ok, f"{count} {noun}, more than the {limit} allowed")


def _checks(counts: Counts, config: Config) -> list[Check]:
    checks = [
        _limit_check("Failed", "max-failures", counts.failed, counts.total, config.max_failures),
        _limit_check("Errored", "max-errors", counts.errored, counts.total, config.max_errors),
    ]
    rate = pass_rate(counts)
    if config.min_pass_rate is not None:
        # An empty batch has no pass rate; the "Test cases" check below decides it.
        ok = counts.total == 0 or counts.passed * 100 >= config.min_pass_rate * counts.total
        shown = "n/a" if rate is None else f"{rate}%"
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


def decide(batch: BatchTest, config: Config, runs: RunCounts | None = None) -> Verdict:
    """Pass or fail a complete batch; `runs` are the counts of its complete list of test runs, if read."""
    counts, mismatch = reconciled(Counts.of(batch), runs)
    counts, uncounted = judged_counts(counts)
    warnings = mismatch + uncounted
    checks = tuple(_checks(counts, config))
    failures = [check.failure for check in checks if not check.ok]
    if failures:
        reason = "The batch failed: " + "; ".join(failures) + "."
        return Verdict(False, reason, counts, checks, warnings)
    if counts.passed == counts.total:
        reason = f"All {counts.total} test cases passed." if counts.total else "The batch is empty, which is allowed."
    else:
        reason = f"{counts.passed} of {counts.total} test cases passed, within the thresholds."
    return Verdict(True, reason, counts, checks, warnings)
