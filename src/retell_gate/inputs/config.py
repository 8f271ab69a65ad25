"""Inputs: read once at the edge, validated, and frozen into a Config that is passed down.

Values come from command-line flags first, then from the `INPUT_<NAME>` variables the runner
exports (hyphens kept, e.g. `INPUT_MAX-FAILURES`), then from the defaults below. An empty or
blank value means "use the default", so `max-failures: ${{ vars.UNSET }}` keeps the safe default.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from .. import __version__
from ..errors import InputError
from .help_text import EPILOG, HELP
from .judging import (
    BaselineInput,
    check_judging,
    parse_baseline,
    parse_baseline_version,
    parse_max_regressions,
    parse_min_passes,
    parse_repeats,
)
from .target import TARGET_INPUTS, Target, WaitFor, parse_patterns, parse_target
from .values import (
    API_KEY_ENV,
    GITHUB_TOKEN_ENV,
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
)

# The single source of the defaults; tests check that action.yml and the README agree.
DEFAULTS: dict[str, str] = {
    "api-key": "",
    "batch-job-id": "",
    "agent-id": "",
    "llm-id": "",
    "conversation-flow-id": "",
    "version": "",
    "test-case-definition-ids": "",
    "test-names": "",
    "dry-run": "false",
    "max-failures": "0",
    "max-errors": "0",
    "min-pass-rate": "",
    "allow-empty": "false",
    "baseline": "",
    "baseline-version": "",
    "baseline-required": "false",
    "max-regressions": "",
    "required-tests": "",
    "quarantine": "",
    "repeats": "1",
    "min-passes": "",
    "poll-interval": "10",
    "timeout": "1800",
    "fail-on-timeout": "true",
    "fail-fast": "false",
    "base-url": "https://api.retellai.com",
    "report-path": "",
    "junit-path": "",
    "comment-on-pr": "false",
    "github-token": "",  # action.yml's default is `${{ github.token }}`, which only the runner can evaluate
}
SHOW_VERSION = "\0show"  # `--version` given alone, without a value: print the gate's own version
TARGET_FIELDS = {name.replace("-", "_") for name in TARGET_INPUTS}
# Secrets are never flags (a command line is visible to every process); outside Actions each comes
# from its own variable.
SECRET_ENV = {"api-key": API_KEY_ENV, "github-token": GITHUB_TOKEN_ENV}


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


def env_name(input_name: str) -> str:
    """The variable the runner exports for an input: spaces to `_`, upper-cased, hyphens kept."""
    return "INPUT_" + input_name.replace(" ", "_").upper()


BOOLEANS = ("dry-run", "allow-empty", "baseline-required", "fail-on-timeout", "fail-fast", "comment-on-pr")


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # A bad flag is bad input like any other: reported by the gate, with exit code 2.
        raise InputError(f"Command line: {message}. Run `retell-gate --help` for the flags.")


def argument_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="retell-gate",
        allow_abbrev=False,  # `--max-failure` must be an error, not quietly `--max-failures`
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Start Retell batch tests (or wait for ones already started) and exit non-zero when they fail "
        "the thresholds.\n"
        f"Each flag overrides the matching INPUT_* variable; the API key is read from {API_KEY_ENV}, "
        f"the GitHub token from {GITHUB_TOKEN_ENV}.",
        epilog=EPILOG,
    )
    for name, default in DEFAULTS.items():
        if name in SECRET_ENV:  # secrets never on a command line, which every process can read
            continue
        shown = f"{HELP.get(name, '')} (default: {default or 'empty'})".lstrip()
        if name == "version":  # alone, `--version` prints the gate's own version, as command lines expect
            parser.add_argument(
                "--version",
                nargs="?",
                const=SHOW_VERSION,
                metavar="N",
                help=f"{shown}; alone: print the gate's version",
            )
            parser.add_argument("--engine-version", metavar="N", help="the same as `--version N`")
        elif name in BOOLEANS:  # `--allow-empty` alone means true; `--allow-empty false` still works
            parser.add_argument(f"--{name}", nargs="?", const="true", metavar="true|false", help=shown)
        else:
            metavar = "N|N%" if name in ("max-failures", "max-errors") else "VALUE"
            parser.add_argument(f"--{name}", metavar=metavar, help=shown)
    return parser


def raw_values(env: Mapping[str, str], argv: Sequence[str]) -> dict[str, str]:
    """Each input's text, from flags, then INPUT_* variables, then defaults; trimmed."""
    flags = vars(argument_parser().parse_args(list(argv)))
    flags["version"] = _engine_version(flags, argv)
    values: dict[str, str] = {}
    for name, default in DEFAULTS.items():
        given = flags.get(name.replace("-", "_"))
        if given is None:
            given = env.get(env_name(name), "")
        if name in SECRET_ENV and not given.strip():
            given = env.get(SECRET_ENV[name], "")
        values[name] = given.strip() or default
    return values


def _engine_version(flags: dict[str, str | None], argv: Sequence[str]) -> str | None:
    """The input `version` from `--version N` or `--engine-version N`; `--version` alone prints the gate's."""
    given, alias = flags.get("version"), flags.pop("engine_version", None)
    if given == SHOW_VERSION and len(argv) == 1:
        print(f"retell-gate {__version__}")
        raise SystemExit(0)
    if given == SHOW_VERSION:  # beside other flags, a missing value is a mistake, never a quiet exit 0
        raise InputError(
            "Command line: `--version` has no value. Give the version to test (`--version 7`), or use "
            "`--version` alone to print the gate's own version."
        )
    if given is not None and alias is not None and given != alias:
        raise InputError(f"Command line: `--version {given}` and `--engine-version {alias}` disagree.")
    return given if given is not None else alias


def load_config(env: Mapping[str, str], argv: Sequence[str]) -> Config:
    """Parse and validate every input; the first bad one raises InputError."""
    values = raw_values(env, argv)
    if values["comment-on-pr"] not in TRUE_VALUES:
        values["github-token"] = ""  # not used, so never checked: an unused input cannot fail the gate
    target = parse_target(values)  # exactly one input says what to test
    fields = {name.replace("-", "_"): PARSERS[name](name, text) for name, text in values.items()}
    fields = {name: value for name, value in fields.items() if name not in TARGET_FIELDS}
    if fields["report_path"] and fields["report_path"] == fields["junit_path"]:
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
            if path and path not in files.values():
                files[name] = path
    return files
