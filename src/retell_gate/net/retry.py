"""When to try a request again, and how long to wait first (pure functions).

The policy follows Retell's own SDK: connection errors, timeouts, 408, 409, 429 and 5xx are worth
another try; the wait doubles from 0.5 s to a cap of 8 s with up to 25 % jitter taken off, and a
`Retry-After` header (seconds or an HTTP date) is honoured.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_ATTEMPTS = 6
FIRST_DELAY = 0.5
MAX_DELAY = 8.0
JITTER = 0.25


def should_retry(status: int) -> bool:
    return status in RETRY_STATUSES


def backoff_delay(retry_number: int, rng: random.Random) -> float:
    """Seconds to wait before retry number 1, 2, …: doubling, capped, minus up to 25 % jitter."""
    delay = min(FIRST_DELAY * 2.0 ** (retry_number - 1), MAX_DELAY)
    return delay * (1 - JITTER * rng.random())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when the header is missing or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
