"""When to try a request again, and how long to wait first (pure functions).

The policy follows Retell's own SDK: connection errors, timeouts, 408, 409, 429 and 5xx are worth
another try; the wait doubles from 0.5 s to a cap of 8 s with up to 25 % jitter taken off, and a
`Retry-After` header (seconds or an HTTP date) is honoured up to MAX_RETRY_AFTER.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ..errors import ApiError

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_ATTEMPTS = 6
FIRST_DELAY = 0.5
MAX_DELAY = 8.0
JITTER = 0.25
# Retell's SDK honours `Retry-After` up to 60 s and ignores a longer one (falling back to its 0.5-8 s
# backoff). A server that asks for 120 s should not be asked again within seconds, and must not hold
# a 30-minute wait either (issue 7: five waits of 120 s used up one poll), so a longer wait is cut
# to 60 s; the caller's own rule (the waiter's outage rule while polling) decides when to give up.
MAX_RETRY_AFTER = 60.0


class RetriesExhausted(ApiError):
    """Every try failed in a transient way (network, timeout, 408/409/429/5xx) until tries or time ran out.

    `last` is the last failure in words; `retry_after` the wait its answer asked for (capped), if any.
    Defined here, beside the policy, so that callers can tell "no news" from a real error without
    loading the HTTP stack.
    """

    def __init__(self, message: str, hint: str, last: str, retry_after: float | None = None) -> None:
        super().__init__(message, hint)
        self.last = last
        self.retry_after = retry_after


def should_retry(status: int) -> bool:
    return status in RETRY_STATUSES


def backoff_delay(retry_number: int, rng: random.Random) -> float:
    """Seconds to wait before retry number 1, 2, …: doubling, capped, minus up to 25 % jitter."""
    delay = min(FIRST_DELAY * 2.0 ** (retry_number - 1), MAX_DELAY)
    return delay * (1 - JITTER * rng.random())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, at most MAX_RETRY_AFTER; None when the header is missing or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()), MAX_RETRY_AFTER)
