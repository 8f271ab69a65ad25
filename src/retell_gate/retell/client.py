"""Retell's batch-test endpoint over HTTP, with retries, a size cap and a hard deadline.

Every request is bounded twice: by REQUEST_SECONDS for one try (connect, headers and body, so a
server that trickles bytes cannot hold it) and by the gate's overall deadline, which no retry or
`Retry-After` wait may pass.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import requests
import urllib3

from .. import __version__
from ..errors import ApiError
from .listing import RunListing
from .retry import MAX_ATTEMPTS, backoff_delay, parse_retry_after, should_retry

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .models import BatchTest, RunPage, TestRun

REQUEST_SECONDS = 60.0
CONNECT_SECONDS = 5.0
MAX_BODY_BYTES = 10 * 1024 * 1024  # a batch is a few hundred bytes
MAX_PAGE_BYTES = 32 * 1024 * 1024  # a page of runs carries each definition's snapshot, prompts included
PAGE_LIMIT = 1000  # the largest page the specification allows
MIN_PAGE_LIMIT = 50
MAX_PAGES = 500
CHUNK_BYTES = 64 * 1024

HINTS = {
    400: "Check that `batch-job-id` is a test_case_batch_job_id from Retell.",
    401: "Check the `api-key` secret: it is missing, revoked or not a Retell API key.",
    402: "Check your Retell plan and billing.",
    403: "Check that the `api-key` belongs to the workspace that owns this batch.",
    404: "Check `batch-job-id`, and that the `api-key` belongs to the workspace that ran the batch.",
    422: "Check `batch-job-id`.",
    429: "Retell is rate-limiting this key; run fewer gates at once or raise `poll-interval`.",
}
TRANSIENT_HINT = "Retell or the network is having trouble; re-run the job, and check https://status.retellai.com."
TLS_HINT = (
    "Check `base-url`. Behind a proxy that re-signs HTTPS with its own certificate authority, point "
    "REQUESTS_CA_BUNDLE at that authority's certificate (in the step's `env:`)."
)
SCHEMA_HINT = "Retell's answer did not match its API specification; re-run the job, and report it if it persists."


class ResponseTooLarge(ApiError):
    """An answer over the size cap; it was not read to the end."""


class _Transient(Exception):
    """One try failed in a way worth another try."""

    def __init__(self, what: str, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


class RetellClient:
    """Reads batch tests from Retell's API."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._base_url = base_url
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": f"retell-batch-gate/{__version__}",
            }
        )

    def get_batch(self, batch_job_id: str, deadline: float) -> BatchTest:
        """The batch as Retell reports it now; raises ApiError when it cannot be read in time."""
        url = f"{self._base_url}/get-batch-test/{quote(batch_job_id, safe='')}"
        body = self._get_json(url, deadline, MAX_BODY_BYTES)
        # Loaded after the first answer arrives: pydantic takes longer to load than a request takes.
        from pydantic import ValidationError

        from .models import BatchTest

        try:
            batch = BatchTest.model_validate(body)
        except ValidationError as error:
            problem = f"Retell's answer for batch {batch_job_id} is malformed: {_describe(error)}."
            raise ApiError(problem, SCHEMA_HINT) from None
        if batch.test_case_batch_job_id != batch_job_id:
            raise ApiError(f"Retell answered with a different batch than {batch_job_id} was asked for.", SCHEMA_HINT)
        return batch

    def list_test_runs(self, batch_job_id: str, deadline: float) -> RunListing:
        """Every test run of the batch, page by page; a broken or endless pagination stops with a problem."""
        runs: dict[str, TestRun] = {}
        key: str | None = None
        seen_keys: set[str] = set()
        limit = PAGE_LIMIT
        try:
            for _ in range(MAX_PAGES):
                try:
                    page = self._get_page(batch_job_id, key, limit, deadline)
                except ResponseTooLarge:
                    if limit <= MIN_PAGE_LIMIT:
                        raise
                    limit = max(MIN_PAGE_LIMIT, limit // 4)  # ask again for the same page, smaller
                    continue
                for run in page.items:
                    runs.setdefault(run.test_case_job_id, run)
                if not page.has_more:
                    return RunListing(tuple(runs.values()))
                if not page.pagination_key or page.pagination_key in seen_keys:
                    return RunListing(tuple(runs.values()), "Retell's pagination of the test runs repeated itself")
                seen_keys.add(page.pagination_key)
                key = page.pagination_key
        except ApiError as error:
            if not runs:
                raise
            return RunListing(tuple(runs.values()), f"listing the test runs stopped: {error.message}")
        return RunListing(tuple(runs.values()), f"Retell's pagination of the test runs went past {MAX_PAGES} pages")

    def _get_page(self, batch_job_id: str, key: str | None, limit: int, deadline: float) -> RunPage:
        query = {"limit": str(limit)} | ({"pagination_key": key} if key else {})
        url = f"{self._base_url}/v2/list-test-runs/{quote(batch_job_id, safe='')}?{urlencode(query)}"
        body = self._get_json(url, deadline, MAX_PAGE_BYTES)
        from pydantic import ValidationError

        from .models import RunPage

        try:
            return RunPage.model_validate(body)
        except ValidationError as error:
            raise ApiError(f"Retell's list of test runs is malformed: {_describe(error)}.", SCHEMA_HINT) from None

    def _get_json(self, url: str, deadline: float, max_bytes: int) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._try_once(url, deadline, max_bytes)
            except _Transient as failure:
                self._wait_before_retry(failure, attempt, deadline)

    def _wait_before_retry(self, failure: _Transient, attempt: int, deadline: float) -> None:
        """Sleep before the next try, or raise ApiError when no try is left before the deadline."""
        if attempt >= MAX_ATTEMPTS:
            raise ApiError(f"Retell failed {attempt} tries in a row; the last: {failure.what}.", TRANSIENT_HINT)
        wait = failure.retry_after if failure.retry_after is not None else backoff_delay(attempt, self._rng)
        if self._clock() + wait >= deadline:
            raise ApiError(
                f"The timeout ran out while retrying Retell ({attempt} tries); the last: {failure.what}.",
                TRANSIENT_HINT,
            )
        self._sleep(wait)

    def _try_once(self, url: str, deadline: float, max_bytes: int) -> Any:
        try_deadline = min(deadline, self._clock() + REQUEST_SECONDS)
        remaining = try_deadline - self._clock()
        if remaining <= 0:
            raise _Transient("no time left for a request")
        try:
            response = self._session.get(
                url, timeout=(min(CONNECT_SECONDS, remaining), remaining), stream=True, allow_redirects=False
            )
            with response:
                raw = self._read_body(response, try_deadline, max_bytes)
        except requests.exceptions.SSLError:
            # Not worth another try, and never retried without verification: say what to fix.
            raise ApiError(f"The TLS certificate of {self._base_url} could not be verified.", TLS_HINT) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise _Transient(_network_failure(error)) from None
        return _interpret(response, raw)

    def _read_body(self, response: requests.Response, try_deadline: float, max_bytes: int) -> bytes:
        """The body, read as it arrives; each read is bounded by the socket timeout."""
        chunks: list[bytes] = []
        size = 0
        while chunk := response.raw.read1(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                too_large = f"Retell's answer is larger than {max_bytes // 2**20} MiB; it was not read."
                raise ResponseTooLarge(too_large, SCHEMA_HINT)
            if self._clock() > try_deadline:
                raise _Transient(f"the answer was still arriving after {REQUEST_SECONDS:.0f} s")
            chunks.append(chunk)
        return b"".join(chunks)


def _interpret(response: requests.Response, raw: bytes) -> Any:
    status = response.status_code
    if status == 200:
        return _parse_json(raw)
    message = _error_message(raw)
    if should_retry(status):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise _Transient(f"HTTP {status}{message}", retry_after)
    hint = HINTS.get(status, "Check the inputs, and re-run the job.")
    if 300 <= status < 400:
        raise ApiError(f"Retell answered with a redirect (HTTP {status}), which the gate does not follow.", hint)
    raise ApiError(f"Retell refused the request: HTTP {status}{message}.", hint)


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(f"Retell's answer is not JSON ({len(raw)} bytes).", SCHEMA_HINT) from None


def _error_message(raw: bytes) -> str:
    """Retell's `message` from an error body, as `: message`, or "" when there is none."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    message = " ".join(message.split())[:300].rstrip(".")
    return f": {message}"


def _network_failure(error: BaseException) -> str:
    kind = type(error).__name__
    if isinstance(error, requests.Timeout | urllib3.exceptions.TimeoutError):
        return f"no answer in time ({kind})"
    return f"the connection failed ({kind})"


def _describe(error: ValidationError) -> str:
    """Which fields were wrong, named by their path, without echoing the values."""
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "the body"
        problems.append(f"{where}: {item['msg'].lower()}")
    return "; ".join(problems)
