"""The Retell client against requests-mock: retries, Retry-After, each error class, schema checks."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import requests
import requests_mock as rm

from retell_gate.errors import ApiError
from retell_gate.net.retry import MAX_ATTEMPTS, RetriesExhausted
from retell_gate.retell.client import MAX_BODY_BYTES, RetellClient
from tests.conftest import FakeClock
from tests.factories import KEY, batch_body

BASE = "https://api.test"
URL = f"{BASE}/get-batch-test/batch_1"


@pytest.fixture
def client(clock: FakeClock) -> RetellClient:
    return RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep, rng=random.Random(7))


def ok(**fields: Any) -> dict[str, Any]:
    return {"json": batch_body(**fields), "status_code": 200}


def error(status: int, message: str = "nope", **headers: str) -> dict[str, Any]:
    return {"json": {"status": "error", "message": message}, "status_code": status, "headers": headers}


def test_reads_a_batch_with_the_bearer_key(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, **ok(passed=7, failed=3))
        batch = client.get_batch("batch_1", clock() + 100)
    assert (batch.pass_count, batch.fail_count, batch.total_count, batch.state) == (7, 3, 10, "complete")
    request = mock.request_history[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"].startswith("retell-batch-gate/")


def test_the_batch_id_is_percent_encoded_into_the_path(clock: FakeClock) -> None:
    client = RetellClient(BASE + "/v1", KEY, clock=clock, sleep=clock.sleep)
    with rm.Mocker() as mock:
        mock.get(f"{BASE}/v1/get-batch-test/a-b_c", **ok(batch_id="a-b_c"))
        client.get_batch("a-b_c", clock() + 10)
    assert mock.request_history[0].path == "/v1/get-batch-test/a-b_c"


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_with_growing_backoff(
    client: RetellClient, clock: FakeClock, status: int
) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, [error(status), error(status), error(status), ok()])
        batch = client.get_batch("batch_1", clock() + 100)
    assert batch.pass_count == 10
    assert mock.call_count == 4
    assert len(clock.sleeps) == 3
    assert 0.375 <= clock.sleeps[0] <= 0.5
    assert 0.75 <= clock.sleeps[1] <= 1.0
    assert 1.5 <= clock.sleeps[2] <= 2.0


def test_backoff_is_capped_and_attempts_are_limited(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, **error(503, "Service down"))
        with pytest.raises(ApiError) as caught:
            client.get_batch("batch_1", clock() + 10_000)
    assert mock.call_count == MAX_ATTEMPTS
    assert max(clock.sleeps) <= 8.0
    assert caught.value.message == f"Retell failed {MAX_ATTEMPTS} tries in a row; the last: HTTP 503: Service down."


def test_retry_after_in_seconds_is_honoured(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, [error(429, **{"Retry-After": "7"}), ok()])
        client.get_batch("batch_1", clock() + 100)
    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured_up_to_a_minute(client: RetellClient, clock: FakeClock) -> None:
    when = "Wed, 21 Oct 2099 07:28:00 GMT"
    with rm.Mocker() as mock:
        mock.get(URL, [error(503, **{"Retry-After": when}), ok()])
        client.get_batch("batch_1", clock() + 100)
    assert clock.sleeps == [60.0]


def test_a_long_retry_after_is_cut_to_a_minute(client: RetellClient, clock: FakeClock) -> None:
    # Issue 7: `Retry-After: 120` held one poll for 600 s. Retell's SDK honours it up to 60 s.
    with rm.Mocker() as mock:
        mock.get(URL, [error(429, **{"Retry-After": "120"}), error(429, **{"Retry-After": "3600"}), ok()])
        client.get_batch("batch_1", clock() + 1000)
    assert clock.sleeps == [60.0, 60.0]


def test_a_read_limited_to_one_try_gives_up_at_once_with_the_failure(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, **error(429, "slow down", **{"Retry-After": "120"}))
        with pytest.raises(RetriesExhausted) as caught:
            client.get_batch("batch_1", clock() + 1000, tries=1)
    assert mock.call_count == 1
    assert clock.sleeps == []
    assert caught.value.message == "Retell failed its only try; the last: HTTP 429: slow down."
    assert (caught.value.last, caught.value.retry_after) == ("HTTP 429: slow down", 60.0)


def test_retries_never_sleep_past_the_deadline(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, [error(429, **{"Retry-After": "30"}), ok()])
        with pytest.raises(ApiError) as caught:
            client.get_batch("batch_1", clock() + 20)
    assert clock.sleeps == []
    assert caught.value.message == "The timeout ran out while retrying Retell (1 tries); the last: HTTP 429: nope."


def test_connection_errors_and_timeouts_are_retried(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, [{"exc": requests.ConnectionError("reset")}, {"exc": requests.ReadTimeout("slow")}, ok()])
        assert client.get_batch("batch_1", clock() + 100).pass_count == 10
    assert mock.call_count == 3


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, "batch-job-id"),
        (401, "api-key"),
        (402, "billing"),
        (403, "api-key"),
        (404, "batch-job-id"),
        (422, "batch-job-id"),
    ],
)
def test_client_errors_stop_at_once_with_retells_message_and_a_hint(
    client: RetellClient, clock: FakeClock, status: int, hint: str
) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, **error(status, "API key is missing or invalid."))
        with pytest.raises(ApiError) as caught:
            client.get_batch("batch_1", clock() + 100)
    assert mock.call_count == 1
    assert caught.value.message == f"Retell refused the request: HTTP {status}: API key is missing or invalid."
    assert hint in caught.value.hint


def test_an_error_without_a_body_still_names_the_status(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, status_code=404, text="")
        with pytest.raises(ApiError) as caught:
            client.get_batch("batch_1", clock() + 100)
    assert caught.value.message == "Retell refused the request: HTTP 404."


def test_redirects_are_not_followed(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, status_code=302, headers={"Location": "https://evil.test/steal"})
        mock.get("https://evil.test/steal", **ok())
        with pytest.raises(ApiError, match="redirect"):
            client.get_batch("batch_1", clock() + 100)
    assert [r.hostname for r in mock.request_history] == ["api.test"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"<html>oops</html>", "not JSON"),
        (b'{"test_case_batch_job_id": "batch_1", "status": "complete"', "not JSON"),
        (json.dumps([1, 2]).encode(), "malformed"),
        (json.dumps(batch_body() | {"pass_count": -1}).encode(), "pass_count"),
        (json.dumps(batch_body() | {"fail_count": 1.0}).encode(), "fail_count"),
        (json.dumps(batch_body() | {"error_count": "0"}).encode(), "error_count"),
        (json.dumps(batch_body() | {"total_count": True}).encode(), "total_count"),
        (json.dumps({k: v for k, v in batch_body().items() if k != "status"}).encode(), "status"),
        (json.dumps(batch_body() | {"response_engine": None}).encode(), "response_engine"),
        (json.dumps(batch_body(passed=11, total=10)).encode(), "exceeds total_count"),
        (json.dumps(batch_body(batch_id="batch_2")).encode(), "different batch"),
    ],
)
def test_malformed_answers_are_api_errors_naming_the_problem(
    client: RetellClient, clock: FakeClock, body: bytes, named: str
) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, content=body, status_code=200)
        with pytest.raises(ApiError) as caught:
            client.get_batch("batch_1", clock() + 100)
    assert named in caught.value.message
    assert mock.call_count == 1


def test_unknown_fields_are_tolerated(client: RetellClient, clock: FakeClock) -> None:
    body = batch_body() | {"brand_new_field": {"x": 1}}
    body["response_engine"] |= {"future": True}
    with rm.Mocker() as mock:
        mock.get(URL, json=body)
        assert client.get_batch("batch_1", clock() + 100).pass_count == 10


def test_an_oversized_body_is_refused(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, content=b" " * (MAX_BODY_BYTES + 1))
        with pytest.raises(ApiError, match="larger than 10 MiB"):
            client.get_batch("batch_1", clock() + 100)


def test_no_time_left_is_an_error_not_a_request(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(URL, **ok())
        with pytest.raises(ApiError):
            client.get_batch("batch_1", clock())
    assert mock.call_count == 0
