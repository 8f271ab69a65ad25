"""What a failed exchange says, in words: the API's own `message`, and the network failure behind a try.

Pure functions of an answer's body or a requests/urllib3 exception, for transport.py.
"""

from __future__ import annotations

import json

import requests
import urllib3


def error_message(raw: bytes) -> str:
    """The API's `message` from an error body, as `: message`, or "" when there is none."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    message = " ".join(message.split())[:300].rstrip(".")
    return f": {message}"


def never_connected(error: BaseException) -> bool:
    """True when the request provably never reached the server: no connection was made (refused, DNS)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = error.args[0] if error.args else None
        inner = getattr(reason, "reason", reason)
        return isinstance(inner, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError)
    return False


def network_failure(error: BaseException) -> str:
    kind = type(error).__name__
    reason = error.args[0] if error.args else None
    if isinstance(getattr(reason, "reason", reason), urllib3.exceptions.NameResolutionError):
        return "the host name did not resolve (check `base-url`)"
    if isinstance(error, requests.Timeout | urllib3.exceptions.TimeoutError):
        return f"no answer in time ({kind})"
    return f"the connection failed ({kind})"
