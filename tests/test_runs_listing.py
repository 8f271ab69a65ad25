"""Listing a batch's test runs: pagination, its guards, and partial results."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock as rm

from retell_gate.errors import ApiError
from retell_gate.judge.runs import count_runs, in_report_order
from retell_gate.retell import client as client_module
from retell_gate.retell.client import RetellClient
from tests.conftest import FakeClock
from tests.factories import KEY, make_run, run_body

BASE = "https://api.test"
LIST = f"{BASE}/v2/list-test-runs/batch_1"


@pytest.fixture
def client(clock: FakeClock) -> RetellClient:
    return RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep, rng=random.Random(1))


def page(items: list[dict[str, Any]], key: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"items": items, "has_more": key is not None}
    if key is not None:
        body["pagination_key"] = key
    return {"json": body}


def queries(mock: rm.Mocker) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(r.url).query) for r in mock.request_history]


def test_follows_pagination_keys_with_the_largest_page(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, [page([run_body(1), run_body(2)], "k2"), page([run_body(3)], "k3"), page([run_body(4)])])
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert [run.test_case_job_id for run in listing.runs] == ["tcj_1", "tcj_2", "tcj_3", "tcj_4"]
    assert listing.problem == ""
    assert queries(mock) == [
        {"limit": ["1000"]},
        {"limit": ["1000"], "pagination_key": ["k2"]},
        {"limit": ["1000"], "pagination_key": ["k3"]},
    ]
    assert mock.request_history[0].headers["Authorization"] == f"Bearer {KEY}"


def test_a_repeating_pagination_key_stops_with_a_warning(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, [page([run_body(1)], "k"), page([run_body(2)], "k"), page([run_body(3)], "k")])
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert [run.test_case_job_id for run in listing.runs] == ["tcj_1", "tcj_2"]
    assert listing.problem == "Retell's pagination of the test runs repeated itself"
    assert mock.call_count == 2


def test_has_more_without_a_key_stops_with_a_warning(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, json={"items": [run_body(1)], "has_more": True})
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert len(listing.runs) == 1
    assert "repeated itself" in listing.problem


def test_a_never_ending_pagination_stops_after_the_page_cap(
    client: RetellClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGES", 5)
    keys = iter(range(100))
    with rm.Mocker() as mock:
        mock.get(
            LIST,
            json=lambda request, context: {
                "items": [run_body(next(keys))],
                "has_more": True,
                "pagination_key": f"k{random.random()}",
            },
        )
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert len(listing.runs) == 5
    assert listing.problem == "Retell's pagination of the test runs went past 5 pages"


def test_runs_listed_twice_are_kept_once(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, [page([run_body(1), run_body(2)], "k2"), page([run_body(2, "fail"), run_body(3)])])
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert [(run.test_case_job_id, run.status) for run in listing.runs] == [
        ("tcj_1", "pass"),
        ("tcj_2", "pass"),
        ("tcj_3", "pass"),
    ]


def test_an_oversized_page_is_asked_for_again_in_smaller_pages(
    client: RetellClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGE_BYTES", 2000)
    big = [run_body(i, explanation="x" * 300) for i in range(10)]
    with rm.Mocker() as mock:
        mock.get(LIST, [page(big), page(big), page(big[:3])])
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert [q["limit"] for q in queries(mock)] == [["1000"], ["250"], ["62"]]
    assert len(listing.runs) == 3


def test_a_failure_after_some_pages_keeps_what_was_read(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, [page([run_body(1)], "k2"), {"status_code": 404, "json": {"message": "gone"}}])
        listing = client.list_test_runs("batch_1", clock() + 100)
    assert len(listing.runs) == 1
    assert listing.problem == "listing the test runs stopped: Retell refused the request: HTTP 404: gone."


def test_a_failure_on_the_first_page_is_an_api_error(client: RetellClient, clock: FakeClock) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, status_code=500, json={"message": "down"})
        with pytest.raises(ApiError, match="HTTP 500: down"):
            client.list_test_runs("batch_1", clock() + 100)


@pytest.mark.parametrize(
    "body",
    [
        {"items": None},
        {"items": [{"status": "pass"}]},
        {"items": [run_body(1) | {"status": 3}]},
        [],
        {"items": [], "has_more": "yes"},
    ],
)
def test_a_malformed_page_is_an_api_error(client: RetellClient, clock: FakeClock, body: Any) -> None:
    with rm.Mocker() as mock:
        mock.get(LIST, json=body)
        with pytest.raises(ApiError, match="list of test runs is malformed"):
            client.list_test_runs("batch_1", clock() + 100)


def test_statuses_names_and_order() -> None:
    runs = (
        make_run(1, "pass", "b pass"),
        make_run(2, "in_progress", "waiting"),
        make_run(3, "error", "z error"),
        make_run(4, "fail", "B fail"),
        make_run(5, "pending", None),
        make_run(6, "fail", "a fail"),
        make_run(7, "mystery", "new status"),
    )
    assert [run.outcome for run in runs] == [
        "pass",
        "not-finished",
        "error",
        "fail",
        "not-finished",
        "fail",
        "not-finished",
    ]
    assert runs[4].name == "tcd_5"  # no name in the snapshot: the definition ID
    assert [run.name for run in in_report_order(runs)] == [
        "a fail",
        "B fail",
        "z error",
        "new status",
        "tcd_5",
        "waiting",
        "b pass",
    ]
    counts = count_runs(runs)
    assert (counts.passed, counts.failed, counts.errored, counts.not_finished, counts.total) == (1, 2, 1, 3, 7)
