"""The inputs that judge per definition: a baseline, required and quarantined tests, repeats.

Each is parsed on its own (PARSERS in config.py), then checked together and against the mode by
`check_judging`, before any request: a contradiction is an input error (exit 2), not a surprise
after the batches ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import InputError
from .target import MAX_VERSION, WAIT_INPUT, WaitFor, parse_id_list
from .values import WHOLE, invalid, shown

if TYPE_CHECKING:
    from .target import Target


class JudgingInputs(Protocol):
    """What check_judging reads of the Config (named here, so this module need not import config.py)."""

    @property
    def target(self) -> Target: ...
    @property
    def batch_job_ids(self) -> tuple[str, ...]: ...
    @property
    def baseline(self) -> BaselineInput: ...
    @property
    def baseline_version(self) -> int | None: ...
    @property
    def baseline_required(self) -> bool: ...
    @property
    def max_regressions(self) -> int | None: ...
    @property
    def required_tests(self) -> tuple[str, ...]: ...
    @property
    def quarantine(self) -> tuple[str, ...]: ...
    @property
    def repeats(self) -> int: ...
    @property
    def min_passes(self) -> int | None: ...
    @property
    def fail_fast(self) -> bool: ...


def counted_per_test(config: JudgingInputs) -> bool:
    """Whether the thresholds count tests, each once, rather than the batches' test cases: when quarantined
    tests are left out, or a test is judged by its runs (`repeats`, or `min-passes` over batches that hold
    the same test)."""
    return config.repeats > 1 or bool(config.quarantine) or config.min_passes is not None


def decided_on_counts(config: JudgingInputs) -> bool:
    """Whether the batches' running counts can show the verdict failed before they complete (fail-fast, and
    the timeout): not when the thresholds count tests (counted_per_test)."""
    return not counted_per_test(config)


LATEST = "latest"
MAX_REPEATS = 10
MAX_REGRESSIONS = 10**6
MAX_BASELINE_IDS = 100


@dataclass(frozen=True)
class BaselineInput:
    """`baseline`: off, `latest` (found after the batches complete), or the batches named."""

    latest: bool = False
    batch_ids: tuple[str, ...] = ()

    @property
    def wanted(self) -> bool:
        return self.latest or bool(self.batch_ids)


def parse_baseline(name: str, value: str) -> BaselineInput:
    if value == "":
        return BaselineInput()
    if value == LATEST:
        return BaselineInput(latest=True)
    return BaselineInput(batch_ids=parse_id_list(name, value, "batch test ID (or `latest` alone)", MAX_BASELINE_IDS))


def parse_baseline_version(name: str, value: str) -> int | None:
    """Empty: the highest version below the one tested that has a complete batch."""
    if value == "":
        return None
    if not WHOLE.fullmatch(value) or int(value) > MAX_VERSION:
        raise invalid(name, value, "expected a version number such as 2 (a whole number), or empty for the search")
    return int(value)


def parse_max_regressions(name: str, value: str) -> int | None:
    """Empty: the default, 0 once a baseline is set."""
    if value == "":
        return None
    if not WHOLE.fullmatch(value) or int(value) > MAX_REGRESSIONS:
        raise invalid(name, value, "expected a whole number of tests (e.g. 0), or empty for 0")
    return int(value)


def parse_repeats(name: str, value: str) -> int:
    if not WHOLE.fullmatch(value) or not 1 <= int(value) <= MAX_REPEATS:
        raise invalid(name, value, f"expected a whole number from 1 to {MAX_REPEATS}")
    return int(value)


def parse_min_passes(name: str, value: str) -> int | None:
    """Empty: every repeat must pass. The upper bound (`repeats`) is checked by check_judging."""
    if value == "":
        return None
    if not WHOLE.fullmatch(value) or not 1 <= int(value) <= MAX_REPEATS:
        raise invalid(name, value, "expected a whole number from 1 to `repeats`, or empty for all of them")
    return int(value)


def check_judging(config: JudgingInputs, values: Mapping[str, str]) -> None:
    """The judging inputs against each other and the mode; InputError naming the input when they clash."""
    baseline, repeats, min_passes = config.baseline, config.repeats, config.min_passes
    waiting = isinstance(config.target, WaitFor)
    if waiting and repeats != 1:
        raise InputError(
            f"Input `repeats` is {shown(values['repeats'])}: repeats apply only when the gate starts the batches "
            f"(with `agent-id`, `llm-id` or `conversation-flow-id`); with `{WAIT_INPUT}` leave it empty or 1."
        )
    if min_passes is not None and min_passes > repeats:
        raise invalid("min-passes", values["min-passes"], f"expected a whole number from 1 to `repeats` ({repeats})")
    if not baseline.latest and config.baseline_version is not None:
        raise invalid("baseline-version", values["baseline-version"], "it applies only with `baseline: latest`")
    for name, given in (("baseline-required", config.baseline_required), ("max-regressions", config.max_regressions)):
        if not baseline.wanted and given not in (None, False):
            raise InputError(f"Input `{name}` applies only with a `baseline`: set `baseline`, or remove `{name}`.")
    if config.fail_fast and not decided_on_counts(config):
        raise InputError(
            "Input `fail-fast` is true, but it judges test cases as they finish and cannot leave quarantined tests "
            "out or wait for a test's other runs: with `repeats`, `min-passes` or `quarantine`, set "
            "`fail-fast: false`."
        )
    same = [batch_id for batch_id in baseline.batch_ids if batch_id in config.batch_job_ids]
    if same:
        raise InputError(
            f"Input `baseline` names {', '.join(same)}, which `{WAIT_INPUT}` names too: a batch cannot be "
            "its own baseline."
        )
    check_patterns(config.required_tests, config.quarantine)


def check_patterns(required: Sequence[str], quarantine: Sequence[str]) -> None:
    """InputError when one pattern is in both inputs: a contradiction seen before any request."""
    both = [pattern for pattern in required if pattern in quarantine]
    if both:
        shown_both = ", ".join(shown(pattern) for pattern in both[:5]) + (" …" if len(both) > 5 else "")
        raise InputError(
            f"Inputs `required-tests` and `quarantine` both hold {shown_both}: "
            "a test cannot be both required and quarantined. Remove it from one of the two."
        )
