"""Each input's parser: text in, a checked value out, or an InputError that names the input, quotes
the value and says what is allowed."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from ..errors import InputError

API_KEY_ENV = "RETELL_API_KEY"
GITHUB_TOKEN_ENV = "GITHUB_TOKEN"  # noqa: S105 - the name of a variable, not a secret
TRUE_VALUES = ("true", "True", "TRUE")
FALSE_VALUES = ("false", "False", "FALSE")
MAX_SECONDS = 5 * 24 * 3600  # a self-hosted job's limit; no wait can usefully be longer
MIN_SECONDS = Decimal("0.001")  # a millisecond: shorter is no wait at all (1e-400 reads as 0.0, 1e-300 overflows)


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


def shown(value: str) -> str:
    """The value as an error message quotes it: visible, one line, not too long."""
    text = value if len(value) <= 80 else value[:80] + "…"
    return repr(text)


def invalid(name: str, value: str, allowed: str) -> InputError:
    return InputError(f"Input `{name}` is {shown(value)}: {allowed}.")


# Plain decimal numbers in ASCII digits. Decimal() alone would also read "NaN", "sNaN", "Infinity",
# "1_000" and other scripts' digits; the patterns keep those out before any number is made.
WHOLE = re.compile(r"[0-9]+", re.ASCII)
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
SECONDS = re.compile(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def parse_limit(name: str, value: str) -> Limit:
    allowed = (
        "expected N, a whole number of test cases (e.g. 2), or N%, a percentage of the total from 0% to 100% (e.g. 5%)"
    )
    number, percent = (value[:-1].strip(), True) if value.endswith("%") else (value, False)
    if not (DECIMAL if percent else WHOLE).fullmatch(number):
        raise invalid(name, value, allowed)
    amount = Decimal(number)
    if percent and amount > 100:
        raise invalid(name, value, allowed)
    return Limit(value=amount, percent=percent)


def parse_percentage(name: str, value: str) -> Decimal | None:
    if value == "":
        return None
    number = value[:-1].strip() if value.endswith("%") else value
    if not DECIMAL.fullmatch(number) or Decimal(number) > 100:
        raise invalid(name, value, "expected a percentage from 0 to 100 (e.g. 95), or empty to turn the check off")
    return Decimal(number)


def parse_bool(name: str, value: str) -> bool:
    # The YAML 1.2 core schema's spellings, as @actions/core's getBooleanInput accepts.
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise invalid(name, value, "expected true or false")


def parse_seconds(name: str, value: str) -> float:
    allowed = f"expected a number of seconds from {MIN_SECONDS} to {MAX_SECONDS}"
    # Compared as a Decimal, so that 1e999 is simply too large rather than an infinite float.
    if not SECONDS.fullmatch(value) or not MIN_SECONDS <= Decimal(value) <= MAX_SECONDS:
        raise invalid(name, value, allowed)
    return float(Decimal(value))


def parse_api_key(name: str, value: str) -> Secret:
    # Never quote the key itself, not even in an error.
    if value == "":
        raise InputError(
            f"Input `{name}` is empty: pass your Retell API key, e.g. `{name}: ${{{{ secrets.RETELL_API_KEY }}}}` "
            f"(locally: set {API_KEY_ENV}). GitHub gives no secrets to a pull request from a fork, nor to "
            "Dependabot's: skip this step for those."
        )
    if not re.fullmatch(r"[\x21-\x7e]{1,512}", value):
        raise InputError(
            f"Input `{name}` is not a valid API key: expected up to 512 visible ASCII characters, "
            "without spaces, line breaks or quotes around it."
        )
    return Secret(value)


def parse_github_token(name: str, value: str) -> Secret:
    """A GitHub token, or empty (then no comment can be posted: a warning says so, never a failure)."""
    if value and not re.fullmatch(r"[\x21-\x7e]{1,1024}", value):
        raise InputError(
            f"Input `{name}` is not a valid token: expected up to 1024 visible ASCII characters, "
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
    quoted = _without_credentials(value)  # an error quotes the value: never a password in it
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        raise invalid(name, quoted, allowed) from None
    plain_ok = parts.scheme == "http" and _is_loopback(host)
    if (
        not (parts.scheme == "https" or plain_ok)
        or not host
        or parts.username is not None
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
    ):
        raise invalid(name, quoted, allowed)
    return value.rstrip("/")


def _without_credentials(url: str) -> str:
    """The URL as an error may quote it: everything from the scheme to the last `@` shown as `***` (a
    password may hold any character, `/` and `#` included, so no cleverer split is safe)."""
    if "@" not in url:
        return url
    scheme, separator, _rest = url.partition("://")
    return (scheme + separator if separator else "") + "***@" + url.rsplit("@", 1)[1]


def parse_file_path(name: str, value: str) -> str:
    """A report file's path, relative to the workspace and inside it.

    In the container only the workspace is the runner's: anything written elsewhere (/tmp,
    /github/runner_temp) is lost with the container while the outputs would still name it.
    Symbolic links inside the workspace are checked when the file is written (runner/github.py).
    """
    allowed = (
        "expected a file path relative to the workspace and inside it, such as retell/report.json "
        "(only the workspace outlives the action's container: an absolute path, or `..` out of the "
        "workspace, would be lost with it)"
    )
    if not value:
        return value
    if "\0" in value or len(value) > 1024 or value.endswith(("/", "\\")) or not _stays_inside(value):
        raise invalid(name, value, allowed)
    return value


def same_file(first: str, second: str) -> bool:
    """Whether two report paths name one file, however `.`, `..`, doubled or back slashes spell them."""
    return bool(first) and _normalized(first) == _normalized(second)


def _normalized(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def _stays_inside(path: str) -> bool:
    """Relative, and names a file below the folder it is taken from, however `..` and `.` fall."""
    if path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return False
    depth = 0
    # A backslash is taken as a separator too: on Windows it is one, and on Linux no report needs it.
    parts = [part for part in re.split(r"[/\\]", path) if part not in ("", ".")]
    for part in parts:
        depth += -1 if part == ".." else 1
        if depth < 0:
            return False
    return depth > 0 and parts[-1] != ".."
