"""One request, tried again while it is worth it, within a deadline; the caller reads the answer.

Every try is bounded twice: by REQUEST_SECONDS (connect, headers and body, so a server that
trickles bytes cannot hold it) and by the caller's deadline, which no retry or `Retry-After` wait
may pass. Redirects are never followed and bodies over `max_bytes` are not read.

A request that creates something (a POST with no idempotency key) must not be sent twice when the
first may have arrived: with `resend_if_unsure=False`, only failures that prove the server never
took the request (no connection made, or 429) are retried; any other raises MaybeArrived.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

from ..errors import ApiError
from .failures import error_message, network_failure, never_connected
from .retry import MAX_ATTEMPTS, RetriesExhausted, backoff_delay, parse_retry_after, should_retry

REQUEST_SECONDS = 60.0
CONNECT_SECONDS = 5.0
JOIN_SLACK_SECONDS = 0.25  # the exchange's own socket timeouts usually end it first, with a better reason
CHUNK_BYTES = 64 * 1024
# Statuses that say the server did not act on the request, so sending it again is safe.
NOT_PROCESSED_STATUSES = frozenset({429})


@dataclass(frozen=True)
class Answer:
    """A final answer: any status the retry policy does not retry (or the last retried one)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    secrets: tuple[str, ...] = ()
    """The credentials sent, cut out of every text read from the answer (see Transport)."""

    def json(self, what: str, hint: str) -> Any:
        try:
            return scrubbed(json.loads(self.body), self.secrets)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(f"{what} is not JSON ({len(self.body)} bytes).", hint) from None

    def error_message(self) -> str:
        """The API's `message`, as `: message`, or "" (see error_message), the credentials cut out."""
        return str(scrubbed(error_message(self.body), self.secrets))


def scrubbed(value: Any, secrets: Sequence[str]) -> Any:
    """`value` (parsed JSON) with each secret in its strings replaced by `***`; its structure untouched."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, list):
        return [scrubbed(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: scrubbed(item, secrets) for key, item in value.items()}
    return value


class ResponseTooLarge(ApiError):
    """An answer over the size cap; it was not read to the end."""


class MaybeArrived(ApiError):
    """A request that must not be sent twice failed in a way that leaves open whether it arrived."""


@dataclass(frozen=True)
class Messages:
    """How failures are worded for one API."""

    service: str  # "Retell"
    transient_hint: str
    tls_hint: str
    schema_hint: str


class Failure(Exception):
    """One try failed in a way worth another try."""

    def __init__(self, what: str, retry_after: float | None = None, *, may_have_arrived: bool = True) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after
        self.may_have_arrived = may_have_arrived


class Transport:
    """Sends requests to one API root with fixed headers (the credentials among them)."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        messages: Messages,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        """`secrets` (the credentials in `headers`) are cut out of every text read from an answer (its parsed
        strings, its error message): an API that echoes a key in an error or a field can then never carry it
        into a message, a report or a comment, whatever escaping the text meets later."""
        self.base_url = base_url
        self._secrets = _secret_forms(secrets)
        self.messages = messages
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._session = requests.Session()
        self._session.headers.update(headers)
        # The body is read raw, to cap its size as it arrives, so it must come uncompressed: requests would
        # otherwise ask for gzip, and a server that obliges would send bytes no JSON parser can read.
        self._session.headers["Accept-Encoding"] = "identity"

    def send(
        self,
        method: str,
        url: str,
        deadline: float,
        max_bytes: int,
        json_body: Any = None,
        *,
        resend_if_unsure: bool = True,
        tries: int = MAX_ATTEMPTS,
    ) -> Answer:
        """The first answer the retry policy accepts in at most `tries` tries; raises ApiError when there is none.

        Transient failures that outlast the tries or the deadline raise RetriesExhausted.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._try_once(method, url, deadline, max_bytes, json_body)
            except Failure as failure:
                if not resend_if_unsure and failure.may_have_arrived:
                    raise MaybeArrived(
                        f"{self.messages.service} may or may not have received the request: {failure.what}.",
                        self.messages.transient_hint,
                    ) from None
                self._wait_before_retry(failure, attempt, tries, deadline)

    def _wait_before_retry(self, failure: Failure, attempt: int, tries: int, deadline: float) -> None:
        """Sleep before the next try, or raise RetriesExhausted when no try is left before the deadline."""
        service, hint = self.messages.service, self.messages.transient_hint
        if attempt >= tries:
            in_a_row = f"{attempt} tries in a row" if attempt > 1 else "its only try"
            message = f"{service} failed {in_a_row}; the last: {failure.what}."
            raise RetriesExhausted(message, hint, failure.what, failure.retry_after)
        wait = failure.retry_after if failure.retry_after is not None else backoff_delay(attempt, self._rng)
        if self._clock() + wait >= deadline:
            message = f"The timeout ran out while retrying {service} ({attempt} tries); the last: {failure.what}."
            raise RetriesExhausted(message, hint, failure.what, failure.retry_after)
        self._sleep(wait)

    def _try_once(self, method: str, url: str, deadline: float, max_bytes: int, json_body: Any) -> Answer:
        """One try, whole within its time: requests bounds each socket read, not the exchange, so a server that
        sends its headers a line at a time would hold it for ever. The exchange runs on a worker thread, and a
        try that outlasts its time is given up (the thread is left to end with the connection)."""
        try_deadline = min(deadline, self._clock() + REQUEST_SECONDS)
        remaining = try_deadline - self._clock()
        if remaining <= 0:
            raise Failure("no time left for a request", may_have_arrived=False)
        ended: list[Answer | BaseException] = []

        def exchange() -> None:
            try:
                ended.append(self._exchange(method, url, try_deadline, remaining, max_bytes, json_body))
            except BaseException as error:  # handed to the caller's thread, and raised there
                ended.append(error)

        worker = threading.Thread(target=exchange, name="retell-gate-request", daemon=True)
        worker.start()
        worker.join(remaining + JOIN_SLACK_SECONDS)  # a signal still interrupts this wait (a cancel)
        if not ended:
            raise Failure(f"no whole answer within {remaining:.0f} s" if remaining >= 1 else "no whole answer in time")
        if isinstance(ended[0], BaseException):
            raise ended[0]
        return ended[0]

    def _exchange(
        self, method: str, url: str, try_deadline: float, remaining: float, max_bytes: int, json_body: Any
    ) -> Answer:
        try:
            response = self._session.request(
                method,
                url,
                json=json_body,
                timeout=(min(CONNECT_SECONDS, remaining), remaining),
                stream=True,
                allow_redirects=False,
            )
            with response:
                raw = self._read_body(response, try_deadline, max_bytes)
        except requests.exceptions.SSLError:
            # Not worth another try, and never retried without verification: say what to fix.
            raise ApiError(
                f"The TLS certificate of {self.base_url} could not be verified.", self.messages.tls_hint
            ) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise Failure(network_failure(error), may_have_arrived=not never_connected(error)) from None
        if should_retry(response.status_code):
            message = scrubbed(error_message(raw), self._secrets)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            arrived = response.status_code not in NOT_PROCESSED_STATUSES
            raise Failure(f"HTTP {response.status_code}{message}", retry_after, may_have_arrived=arrived)
        return Answer(response.status_code, response.headers, raw, self._secrets)

    def _read_body(self, response: requests.Response, try_deadline: float, max_bytes: int) -> bytes:
        """The body, read as it arrives; each read is bounded by the socket timeout."""
        chunks: list[bytes] = []
        size = 0
        while chunk := response.raw.read1(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                too_large = (
                    f"{self.messages.service}'s answer is larger than {max_bytes // 2**20} MiB; it was not read."
                )
                raise ResponseTooLarge(too_large, self.messages.schema_hint)
            if self._clock() > try_deadline:
                raise Failure("the answer was still arriving when its time ran out")
            chunks.append(chunk)
        return b"".join(chunks)


MIN_SCRUBBED = 8  # a shorter secret cannot be told from ordinary text; the writes still redact it (Workflow)


def _secret_forms(secrets: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({secret for secret in secrets if len(secret) >= MIN_SCRUBBED}, key=len, reverse=True))
