"""Inputs: read once at the edge, validated, and frozen into a Config that is passed down.

Values come from command-line flags first, then from the `INPUT_<NAME>` variables the runner
exports (hyphens kept, e.g. `INPUT_MAX-FAILURES`), then from the defaults (raw.py). An empty or
blank value means "use the default", so `max-failures: ${{ vars.UNSET }}` keeps the safe default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import InputError
from .judging import (
    BaselineInput,
    check_judging,
    parse_baseline,
    parse_baseline_version,
    parse_max_regressions,
    parse_min_passes,
    parse_repeats,
)
from .raw import raw_values
from .target import TARGET_INPUTS, Target, WaitFor, parse_patterns, parse_target
from .values import (
    TRUE_VALUES,
    Limit,
    Secret,
    invalid,
    parse_api_key,
    parse_base_url,
    parse_bool,
    parse_file_path,
    parse_github_token,
    parse_limit,
    parse_percentage,
    parse_seconds,
    same_file,
)

TARGET_FIELDS = {name.replace("-", "_") for name in TARGET_INPUTS}


@dataclass(frozen=True)
class Config:
    """Everything the gate needs to know, validated."""

    api_key: Secret
    target: Target
    """What to judge: batches already started (WaitFor), or an engine to start batches for (StartFor)."""
    dry_run: bool
    """Whether to resolve and check everything, print the plan and stop before starting or waiting."""
    max_failures: Limit
    max_errors: Limit
    min_pass_rate: Decimal | None
    allow_empty: bool
    baseline: BaselineInput
    baseline_version: int | None
    """With `baseline: latest`: the version to take the baseline from; None: search below the one tested."""
    baseline_required: bool
    max_regressions: int | None
    """None: the default, 0 when a baseline is set."""
    required_tests: tuple[str, ...]
    quarantine: tuple[str, ...]
    repeats: int
    """Start mode: batches of the selection started this many times; 1 in wait mode."""
    min_passes: int | None
    """The passes a definition needs among its repeats; None: every repeat."""
    poll_interval: float
    timeout: float
    fail_on_timeout: bool
    fail_fast: bool
    """Whether to stop waiting, failed, as soon as the batches can no longer pass (judge/early.py)."""
    base_url: str
    report_path: str
    """Where to write the JSON report, relative to the workspace; empty: no report."""
    junit_path: str
    """Where to write the JUnit XML report, relative to the workspace; empty: no report."""
    comment_on_pr: bool
    """Whether to keep one comment with the result on the pull request (runner/pr_comment.py)."""
    github_token: Secret
    """For the pull-request comment; empty when none was given."""

    @property
    def per_definition(self) -> bool:
        """Whether any input asks to judge per definition (a baseline, required or quarantined tests, repeats)."""
        return (
            self.baseline.wanted
            or bool(self.required_tests or self.quarantine)
            or self.repeats > 1
            or self.min_passes is not None
        )

    @property
    def batch_job_ids(self) -> tuple[str, ...]:
        """The batches to wait for in wait mode, in the order given; empty in start mode."""
        return self.target.batch_job_ids if isinstance(self.target, WaitFor) else ()


def parse_later(_name: str, value: str) -> str:
    """The mode inputs are checked together, by inputs/target.py, once all are read."""
    return value


PARSERS: dict[str, Callable[[str, str], Any]] = {
    "api-key": parse_api_key,
    **dict.fromkeys(TARGET_INPUTS, parse_later),  # checked together by inputs/target.py
    "dry-run": parse_bool,
    "max-failures": parse_limit,
    "max-errors": parse_limit,
    "min-pass-rate": parse_percentage,
    "allow-empty": parse_bool,
    "baseline": parse_baseline,
    "baseline-version": parse_baseline_version,
    "baseline-required": parse_bool,
    "max-regressions": parse_max_regressions,
    "required-tests": parse_patterns,
    "quarantine": parse_patterns,
    "repeats": parse_repeats,
    "min-passes": parse_min_passes,
    "poll-interval": parse_seconds,
    "timeout": parse_seconds,
    "fail-on-timeout": parse_bool,
    "fail-fast": parse_bool,
    "base-url": parse_base_url,
    "report-path": parse_file_path,
    "junit-path": parse_file_path,
    "comment-on-pr": parse_bool,
    "github-token": parse_github_token,
}


def load_config(env: Mapping[str, str], argv: Sequence[str]) -> Config:
    """Parse and validate every input; the first bad one raises InputError."""
    values = raw_values(env, argv)
    if values["comment-on-pr"] not in TRUE_VALUES:
        values["github-token"] = ""  # not used, so never checked: an unused input cannot fail the gate
    target = parse_target(values)  # exactly one input says what to test
    fields = {name.replace("-", "_"): PARSERS[name](name, text) for name, text in values.items()}
    fields = {name: value for name, value in fields.items() if name not in TARGET_FIELDS}
    if same_file(fields["report_path"], fields["junit_path"]):
        raise invalid("junit-path", values["junit-path"], "expected a different file than `report-path`")
    config = Config(target=target, **fields)
    check_judging(config, values)
    return config


def report_files(values: Mapping[str, str]) -> dict[str, str]:
    """The report files that can be written whatever else is wrong: each valid, non-empty path."""
    files: dict[str, str] = {}
    for name in ("report-path", "junit-path"):
        with contextlib.suppress(InputError):
            path = PARSERS[name](name, values.get(name, ""))
            if path and not any(same_file(path, other) for other in files.values()):
                files[name] = path
    return files
