"""Inputs: read once at the edge, validated, and frozen into a Config that is passed down.

Values come from command-line flags first, then from the `INPUT_<NAME>` variables the runner
exports (hyphens kept, e.g. `INPUT_MAX-FAILURES`), then from the defaults below. An empty or
blank value means "use the default", so `max-failures: ${{ vars.UNSET }}` keeps the safe default.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn
from urllib.parse import urlsplit

from . import __version__
from .errors import InputError

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
}
API_KEY_ENV = "RETELL_API_KEY"
BATCH_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
TRUE_VALUES = ("true", "True", "TRUE")
FALSE_VALUES = ("false", "False", "FALSE")
MAX_SECONDS = 5 * 24 * 3600  # a self-hosted job's limit; no wait can usefully be longer


# Plain frozen dataclasses rather than pydantic models: validation is done by the parsers below,
# and keeping pydantic out of the start-up path gets the first request out sooner (docs/performance.md).
@dataclass(frozen=True)
class Secret:
    """A value that never shows itself in a repr, a log line or a traceback."""

    _value: str

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Limit:
    """A most-allowed number of test cases: a count, or a percentage of the batch's total."""

    value: Decimal
    percent: bool

    def exceeded_by(self, count: int, total: int) -> bool:
        if self.percent:
            return count * 100 > self.value * total  # exact: no rounding of the allowance
        return count > self.value

    def __str__(self) -> str:
        return f"{self.value}%" if self.percent else str(self.value)


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


def _shown(value: str) -> str:
    """The value as an error message quotes it: visible, one line, not too long."""
    text = value if len(value) <= 80 else value[:80] + "…"
    return repr(text)


def _invalid(name: str, value: str, allowed: str) -> InputError:
    return InputError(f"Input `{name}` is {_shown(value)}: {allowed}.")


def parse_limit(name: str, value: str) -> Limit:
    allowed = "expected a whole number of test cases (e.g. 2) or a percentage of the total from 0% to 100% (e.g. 5%)"
    number, percent = (value[:-1].strip(), True) if value.endswith("%") else (value, False)
    if not re.fullmatch(r"\d+(\.\d+)?" if percent else r"\d+", number):
        raise _invalid(name, value, allowed)
    amount = Decimal(number)
    if percent and amount > 100:
        raise _invalid(name, value, allowed)
    return Limit(value=amount, percent=percent)


def parse_percentage(name: str, value: str) -> Decimal | None:
    if value == "":
        return None
    number = value[:-1].strip() if value.endswith("%") else value
    if not re.fullmatch(r"\d+(\.\d+)?", number) or Decimal(number) > 100:
        raise _invalid(name, value, "expected a percentage from 0 to 100 (e.g. 95), or empty to turn the check off")
    return Decimal(number)


def parse_bool(name: str, value: str) -> bool:
    # The YAML 1.2 core schema's spellings, as @actions/core's getBooleanInput accepts.
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise _invalid(name, value, "expected true or false")


def parse_seconds(name: str, value: str) -> float:
    allowed = f"expected a number of seconds greater than 0 and at most {MAX_SECONDS}"
    try:
        seconds = float(Decimal(value))
    except InvalidOperation:
        raise _invalid(name, value, allowed) from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise _invalid(name, value, allowed)
    return seconds


def parse_batch_job_id(name: str, value: str) -> str:
    if not BATCH_ID_PATTERN.fullmatch(value):
        raise _invalid(name, value, "expected a Retell test_case_batch_job_id: 1 to 128 letters, digits, _ or -")
    return value


def parse_api_key(name: str, value: str) -> Secret:
    # Never quote the key itself, not even in an error.
    if value == "":
        raise InputError(
            f"Input `{name}` is empty: pass your Retell API key, e.g. `{name}: ${{{{ secrets.RETELL_API_KEY }}}}` "
            f"(locally: set {API_KEY_ENV})."
        )
    if not re.fullmatch(r"[\x21-\x7e]{1,512}", value):
        raise InputError(
            f"Input `{name}` is not a valid API key: expected up to 512 visible ASCII characters, "
            "without spaces, line breaks or quotes around it."
        )
    return Secret(value)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_base_url(name: str, value: str) -> str:
    allowed = (
        "expected an https:// URL such as https://api.retellai.com (plain http:// only to a loopback "
        "address such as http://127.0.0.1:8080), without credentials, query or fragment"
    )
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        raise _invalid(name, value, allowed) from None
    plain_ok = parts.scheme == "http" and _is_loopback(host)
    if (
        not (parts.scheme == "https" or plain_ok)
        or not host
        or parts.username is not None
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise _invalid(name, value, allowed)
    return value.rstrip("/")


def parse_file_path(name: str, value: str) -> str:
    if value and ("\0" in value or value.endswith(("/", "\\")) or len(value) > 1024):
        raise _invalid(name, value, "expected a file path such as retell-report.json (relative to the workspace)")
    return value


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
        f"Each flag overrides the matching INPUT_* variable; the API key is read from {API_KEY_ENV}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for name, default in DEFAULTS.items():
        if name != "api-key":
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
        if name == "api-key" and not given.strip():
            given = env.get(API_KEY_ENV, "")
        values[name] = given.strip() or default
    return values


def load_config(env: Mapping[str, str], argv: Sequence[str]) -> Config:
    """Parse and validate every input; the first bad one raises InputError."""
    values = raw_values(env, argv)
    fields = {name.replace("-", "_"): PARSERS[name](name, text) for name, text in values.items()}
    if fields["report_path"] and fields["report_path"] == fields["junit_path"]:
        raise _invalid("junit-path", values["junit-path"], "expected a different file than `report-path`")
    return Config(**fields)
