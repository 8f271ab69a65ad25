"""Retell's test API: each endpoint the gate uses, its answer checked against the specification.

The HTTP itself (retries, size caps, the deadline) is net/transport.py's; here are Retell's paths,
its error statuses with a hint for each, and the models its answers must fit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from .. import __version__
from ..errors import ApiError
from ..net.retry import MAX_ATTEMPTS
from ..net.transport import Answer, Messages, Transport
from .listing import RunListing
from .pages import BrokenPagination, iter_pages

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .models import BatchTest, RunPage, TestRun

MAX_BODY_BYTES = 10 * 1024 * 1024  # a batch is a few hundred bytes
MAX_PAGE_BYTES = 32 * 1024 * 1024  # a page of runs carries each definition's snapshot, prompts included
PAGE_LIMIT = 1000  # the largest page the specification allows
MIN_PAGE_LIMIT = 50
MAX_PAGES = 500

HINTS = {
    400: "Check that `batch-job-id` is a test_case_batch_job_id from Retell.",
    401: "Check the `api-key` secret: it is missing, revoked or not a Retell API key.",
    402: "Check your Retell plan and billing.",
    403: "Check that the `api-key` belongs to the workspace that owns this batch.",
    404: "Check `batch-job-id`, and that the `api-key` belongs to the workspace that ran the batch.",
    422: "Check `batch-job-id`.",
    429: "Retell is rate-limiting this key; run fewer gates at once or raise `poll-interval`.",
}
# Never "re-run the job": in the README's workflow that runs create-batch-test again and bills a
# second batch (issue 7). Reading the batch that already exists is free.
JUDGE_LATER = (
    "The batch keeps running in Retell: to judge it later, run only this gate with the same "
    "`batch-job-id` (reading a batch costs nothing; a job that creates a batch would start and bill another)."
)
TRANSIENT_HINT = (
    "Retell, or the network between the runner and Retell, kept failing: check https://status.retellai.com "
    "and that `base-url` can be reached from the runner. " + JUDGE_LATER
)
TLS_HINT = (
    "Check `base-url`. Behind a proxy that re-signs HTTPS with its own certificate authority, point "
    "REQUESTS_CA_BUNDLE at that authority's certificate (in the step's `env:`)."
)
SCHEMA_HINT = (
    "Retell's answer did not match its API specification, so Retell may have changed its API: check for a "
    "newer version of this action, and report it with this step's log if there is none. " + JUDGE_LATER
)
UNEXPECTED_STATUS_HINT = (
    "Check `base-url` (Retell's API root, such as https://api.retellai.com) and `batch-job-id`. " + JUDGE_LATER
)
MESSAGES = Messages("Retell", TRANSIENT_HINT, TLS_HINT, SCHEMA_HINT)


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
        headers = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": f"retell-batch-gate/{__version__}",
        }
        self._transport = Transport(base_url, headers, MESSAGES, clock, sleep, rng, secrets=(api_key,))

    def get_batch(self, batch_job_id: str, deadline: float, *, tries: int | None = None) -> BatchTest:
        """The batch as Retell reports it now; raises ApiError when it cannot be read in time.

        `tries` limits the tries of this read (default: the retry policy's); transient failures that
        outlast them raise RetriesExhausted.
        """
        url = f"{self._base_url}/get-batch-test/{quote(batch_job_id, safe='')}"
        body = self._get_json(url, deadline, MAX_BODY_BYTES, tries)
        # Loaded after the first answer arrives: pydantic takes longer to load than a request takes.
        from pydantic import ValidationError

        from .models import BatchTest

        try:
            batch = BatchTest.model_validate(body)
        except ValidationError as error:
            problem = f"Retell's answer for batch {batch_job_id} is malformed: {describe(error)}."
            raise ApiError(problem, SCHEMA_HINT) from None
        if batch.test_case_batch_job_id != batch_job_id:
            raise ApiError(f"Retell answered with a different batch than {batch_job_id} was asked for.", SCHEMA_HINT)
        return batch

    def list_test_runs(self, batch_job_id: str, deadline: float) -> RunListing:
        """Every test run of the batch, page by page; a broken or endless pagination stops with a problem."""
        runs: dict[str, TestRun] = {}

        def fetch(key: str | None, limit: int) -> RunPage:
            return self._get_page(batch_job_id, key, limit, deadline)

        pages = iter_pages(fetch, "test runs", max_pages=MAX_PAGES, limit=PAGE_LIMIT, min_limit=MIN_PAGE_LIMIT)
        try:
            for items in pages:
                for run in items:
                    runs.setdefault(run.test_case_job_id, run)
        except BrokenPagination as error:
            return RunListing(tuple(runs.values()), error.message)
        except ApiError as error:
            if not runs:
                raise
            return RunListing(tuple(runs.values()), f"listing the test runs stopped: {error.message}")
        return RunListing(tuple(runs.values()))

    def send(
        self,
        method: str,
        path: str,
        deadline: float,
        max_bytes: int,
        json_body: Any = None,
        *,
        resend_if_unsure: bool = True,
    ) -> Answer:
        """One request to `path` (percent-encoded, query included) under the API root, for the other endpoints.

        The answer comes back whatever its status (see net/transport.py for what is retried); the
        start-mode endpoints (engines.py, catalog.py, starting.py) read it with their own hints.
        """
        url = f"{self._base_url}{path}"
        return self._transport.send(method, url, deadline, max_bytes, json_body, resend_if_unsure=resend_if_unsure)

    def _get_page(self, batch_job_id: str, key: str | None, limit: int, deadline: float) -> RunPage:
        query = {"limit": str(limit)} | ({"pagination_key": key} if key else {})
        url = f"{self._base_url}/v2/list-test-runs/{quote(batch_job_id, safe='')}?{urlencode(query)}"
        body = self._get_json(url, deadline, MAX_PAGE_BYTES)
        from pydantic import ValidationError

        from .models import RunPage

        try:
            return RunPage.model_validate(body)
        except ValidationError as error:
            raise ApiError(f"Retell's list of test runs is malformed: {describe(error)}.", SCHEMA_HINT) from None

    def _get_json(self, url: str, deadline: float, max_bytes: int, tries: int | None = None) -> Any:
        answer = self._transport.send("GET", url, deadline, max_bytes, tries=MAX_ATTEMPTS if tries is None else tries)
        return _interpret(answer)


def _interpret(answer: Answer) -> Any:
    status = answer.status
    if status == 200:
        return answer.json("Retell's answer", SCHEMA_HINT)
    message = answer.error_message()
    hint = HINTS.get(status, UNEXPECTED_STATUS_HINT)
    if 300 <= status < 400:
        raise ApiError(f"Retell answered with a redirect (HTTP {status}), which the gate does not follow.", hint)
    raise ApiError(f"Retell refused the request: HTTP {status}{message}.", hint)


def describe(error: ValidationError) -> str:
    """Which fields were wrong, named by their path, without echoing the values."""
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "the body"
        problems.append(f"{where}: {item['msg'].lower()}")
    return "; ".join(problems)
