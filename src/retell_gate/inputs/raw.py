"""Each input's text as given: a command-line flag first, then the `INPUT_<NAME>` variable the runner
exports (hyphens kept, e.g. `INPUT_MAX-FAILURES`), then the default; trimmed, not yet checked (config.py
checks them). Outside Actions the secrets come from their own variables, never from flags."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import NoReturn

from ..errors import InputError
from .help_text import EPILOG, HELP
from .values import API_KEY_ENV, GITHUB_TOKEN_ENV

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
# Secrets are never flags (a command line is visible to every process); outside Actions each comes
# from its own variable.
SECRET_ENV = {"api-key": API_KEY_ENV, "github-token": GITHUB_TOKEN_ENV}


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
    flags["version"] = _engine_version(flags)
    values: dict[str, str] = {}
    for name, default in DEFAULTS.items():
        given = flags.get(name.replace("-", "_"))
        if given is None:
            given = env.get(env_name(name), "")
        if name in SECRET_ENV and not given.strip():
            given = env.get(SECRET_ENV[name], "")
        values[name] = given.strip() or default
    return values


def _engine_version(flags: dict[str, str | None]) -> str | None:
    """The input `version` from `--version N` or `--engine-version N` (`--version` alone is cli.py's: the gate's)."""
    given, alias = flags.get("version"), flags.pop("engine_version", None)
    if given == SHOW_VERSION:  # beside other flags, a missing value is a mistake, never a quiet exit 0
        raise InputError(
            "Command line: `--version` has no value. Give the version to test (`--version 7`), or use "
            "`--version` alone to print the gate's own version."
        )
    if given is not None and alias is not None and given != alias:
        raise InputError(f"Command line: `--version {given}` and `--engine-version {alias}` disagree.")
    return given if given is not None else alias
