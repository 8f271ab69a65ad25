"""Inputs: read once at the edge, validated, and frozen into a Config that is passed down.

Values come from command-line flags first, then from the `INPUT_<NAME>` variables the runner
exports (hyphens kept, e.g. `INPUT_MAX-FAILURES`), then from the defaults below. An empty or
blank value means "use the default", so `max-failures: ${{ vars.UNSET }}` keeps the safe default.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from .. import __version__
from ..errors import InputError
from .values import (
    API_KEY_ENV,
    GITHUB_TOKEN_ENV,
    TRUE_VALUES,
    Limit,
    Secret,
    invalid,
    parse_api_key,
    parse_base_url,
    parse_batch_job_id,
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
    "max-failures": "0",
    "max-errors": "0",
    "min-pass-rate": "",
    "allow-empty": "false",
    "poll-interval": "10",
    "timeout": "1800",
    "fail-on-timeout": "true",
    "base-url": "https://api.retellai.com",
    "report-path": "",
    "junit-path": "",
    "comment-on-pr": "false",
    "github-token": "",  # action.yml's default is `${{ github.token }}`, which only the runner can evaluate
}
# Secrets are never flags (a command line is visible to every process); outside Actions each comes
# from its own variable.
SECRET_ENV = {"api-key": API_KEY_ENV, "github-token": GITHUB_TOKEN_ENV}


@dataclass(frozen=True)
class Config:
    """Everything the gate needs to know, validated."""

    api_key: Secret
    batch_job_id: str
    max_failures: Limit
    max_errors: Limit
    min_pass_rate: Decimal | None
    allow_empty: bool
    poll_interval: float
    timeout: float
    fail_on_timeout: bool
    base_url: str
    report_path: str
    """Where to write the JSON report, relative to the workspace; empty: no report."""
    junit_path: str
    """Where to write the JUnit XML report, relative to the workspace; empty: no report."""
    comment_on_pr: bool
    """Whether to keep one comment with the result on the pull request (runner/pr_comment.py)."""
    github_token: Secret
    """For the pull-request comment; empty when none was given."""


PARSERS: dict[str, Callable[[str, str], Any]] = {
    "api-key": parse_api_key,
    "batch-job-id": parse_batch_job_id,
    "max-failures": parse_limit,
    "max-errors": parse_limit,
    "min-pass-rate": parse_percentage,
    "allow-empty": parse_bool,
    "poll-interval": parse_seconds,
    "timeout": parse_seconds,
    "fail-on-timeout": parse_bool,
    "base-url": parse_base_url,
    "report-path": parse_file_path,
    "junit-path": parse_file_path,
    "comment-on-pr": parse_bool,
    "github-token": parse_github_token,
}


def env_name(input_name: str) -> str:
    """The variable the runner exports for an input: spaces to `_`, upper-cased, hyphens kept."""
    return "INPUT_" + input_name.replace(" ", "_").upper()


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # A bad flag is bad input like any other: reported by the gate, with exit code 2.
        raise InputError(f"Command line: {message}. Run `retell-gate --help` for the flags.")


def argument_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="retell-gate",
        allow_abbrev=False,  # `--max-failure` must be an error, not quietly `--max-failures`
        description="Wait for a Retell batch test and exit non-zero when it fails the thresholds. "
        f"Each flag overrides the matching INPUT_* variable; the API key is read from {API_KEY_ENV}, "
        f"the GitHub token from {GITHUB_TOKEN_ENV}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for name, default in DEFAULTS.items():
        if name not in SECRET_ENV:
            parser.add_argument(f"--{name}", metavar="VALUE", help=f"default: {default or '(empty)'}")
    return parser


def raw_values(env: Mapping[str, str], argv: Sequence[str]) -> dict[str, str]:
    """Each input's text, from flags, then INPUT_* variables, then defaults; trimmed."""
    flags = vars(argument_parser().parse_args(list(argv)))
    values: dict[str, str] = {}
    for name, default in DEFAULTS.items():
        given = flags.get(name.replace("-", "_"))
        if given is None:
            given = env.get(env_name(name), "")
        if name in SECRET_ENV and not given.strip():
            given = env.get(SECRET_ENV[name], "")
        values[name] = given.strip() or default
    return values


def load_config(env: Mapping[str, str], argv: Sequence[str]) -> Config:
    """Parse and validate every input; the first bad one raises InputError."""
    values = raw_values(env, argv)
    if values["comment-on-pr"] not in TRUE_VALUES:
        values["github-token"] = ""  # not used, so never checked: an unused input cannot fail the gate
    fields = {name.replace("-", "_"): PARSERS[name](name, text) for name, text in values.items()}
    if fields["report_path"] and fields["report_path"] == fields["junit_path"]:
        raise invalid("junit-path", values["junit-path"], "expected a different file than `report-path`")
    return Config(**fields)
