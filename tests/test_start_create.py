"""Starting a batch: one POST, never two; after an ambiguous failure, a lookup that adopts only when sure."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
import requests_mock as rm

from retell_gate.errors import ApiError
from retell_gate.retell import recovery
from retell_gate.retell.client import RetellClient
from retell_gate.retell.engines import Engine
from retell_gate.retell.recovery import StartUncertain
from retell_gate.retell.starting import create_batch_test
from retell_gate.simulator.server import Simulator
from tests.conftest import FakeClock
from tests.factories import KEY, batch_body


def real_client(url: str) -> RetellClient:
    return RetellClient(url, "sim-key", sleep=lambda _seconds: None)


def ten(script: str) -> list[str]:
    return [f"tcd_{script}_{index:03d}" for index in range(10)]


def start(simulator: Simulator, script: str, version: int | None = 3, **options: Any) -> Any:
    engine = Engine("retell-llm", f"llm_{script}", version)
    pauses: list[float] = []
    options.setdefault("sleep", pauses.append)
    started = create_batch_test(real_client(simulator.url), ten(script), engine, time.monotonic() + 20, **options)
    return started, pauses


def posts(simulator: Simulator) -> int:
    return sum(1 for method, _ in simulator.calls if method == "POST")


def test_a_created_batch_runs_the_chosen_definitions_and_progresses(simulator: Simulator) -> None:
    started, _ = start(simulator, "failing")
    assert started.batch_id == "tcb_sim_0001"
    assert (started.batch.total_count, started.recovered) == (10, "")
    assert simulator.calls == [("POST", "/create-batch-test")]
    created = simulator.starts.batches["tcb_sim_0001"]
    assert created.definition_ids == tuple(ten("failing"))
    assert created.engine == {"type": "retell-llm", "llm_id": "llm_failing", "version": 3}
    client = real_client(simulator.url)
    states = [client.get_batch(started.batch_id, time.monotonic() + 10).status for _ in range(5)]
    assert states == ["in_progress", "in_progress", "in_progress", "complete", "complete"]
    runs = client.list_test_runs(started.batch_id, time.monotonic() + 10).runs
    assert [run.test_case_definition_id for run in runs] == ten("failing")
    assert runs[0].name == "Books a table for two tonight"
    assert [run.status for run in runs].count("fail") == 2


@pytest.mark.parametrize("script", ["reset", "error500", "garbled", "late"])
def test_an_ambiguous_failure_is_never_sent_twice_and_adopts_the_batch_it_made(
    simulator: Simulator, script: str
) -> None:
    started, pauses = start(simulator, script)
    assert posts(simulator) == 1
    assert started.batch_id == "tcb_sim_0001"
    assert started.recovered.endswith("The gate found the batch it started, tcb_sim_0001.")
    assert pauses == ([recovery.LOOK_PAUSE_SECONDS] if script == "late" else [])


def test_a_create_that_never_answers_is_looked_up_after_its_timeout(simulator: Simulator) -> None:
    engine = Engine("conversation-flow", "conversation_flow_hang", None)
    client = real_client(simulator.url)
    started = create_batch_test(client, ten("hang")[:3], engine, time.monotonic() + 1.5)
    assert posts(simulator) == 1
    assert "no answer in time" in started.recovered
    assert started.batch.response_engine.version == 3  # the version Retell ran, for the summary


def test_an_ambiguous_failure_without_a_batch_stops_and_starts_nothing(simulator: Simulator) -> None:
    with pytest.raises(StartUncertain, match="Retell lists no batch of retell-llm llm_lost version 3") as caught:
        start(simulator, "lost")
    assert posts(simulator) == 1
    assert caught.value.batch_ids == ()
    assert "before running this job again" in caught.value.hint
    lookups = [path for _, path in simulator.calls if path.startswith("/v2/list-batch-tests")]
    assert len(lookups) == recovery.LOOKS


def test_two_batches_that_could_be_it_are_both_named_and_neither_is_adopted(simulator: Simulator) -> None:
    with pytest.raises(StartUncertain, match="lists 2 batches") as caught:
        start(simulator, "twice")
    assert posts(simulator) == 1
    assert caught.value.batch_ids == ("tcb_sim_0001", "tcb_sim_0002")
    assert "tcb_sim_0001 (created" in caught.value.message
    assert "tcb_sim_0002 (created" in caught.value.message


def test_another_jobs_batch_of_the_same_size_is_told_apart_by_its_definitions(simulator: Simulator) -> None:
    started, _ = start(simulator, "crowded")
    assert started.batch_id == "tcb_sim_0002"  # tcb_sim_0001 ran other definitions
    assert posts(simulator) == 1


def test_a_batch_this_run_started_is_never_taken_for_the_next(simulator: Simulator) -> None:
    first, _ = start(simulator, "reset")
    second, _ = start(simulator, "reset", already_started=[first.batch_id])
    assert (first.batch_id, second.batch_id) == ("tcb_sim_0001", "tcb_sim_0002")
    with pytest.raises(
        StartUncertain, match=r"lists 3 batches .* could be it: tcb_sim_0001 "
    ):  # without it, the first fits too
        start(simulator, "reset")
    assert posts(simulator) == 3


@pytest.mark.parametrize(("retell_behind", "adopted"), [(30, True), (120, False)])
def test_retells_clock_may_be_behind_by_a_minute(simulator: Simulator, retell_behind: int, adopted: bool) -> None:
    simulator.starts.wall_clock = lambda: time.time() - retell_behind
    if adopted:
        assert start(simulator, "reset")[0].batch_id == "tcb_sim_0001"
    else:
        with pytest.raises(StartUncertain, match="lists no batch"):
            start(simulator, "reset")
    assert posts(simulator) == 1


def test_402_is_retells_message_with_a_billing_hint_and_no_lookup(simulator: Simulator) -> None:
    with pytest.raises(ApiError, match="HTTP 402: Trial has ended, please add payment method") as caught:
        start(simulator, "payment")
    assert "billed" in caught.value.hint
    assert "Retell started no batch for this request" in caught.value.hint
    assert simulator.calls == [("POST", "/create-batch-test")]


def test_a_429_proves_nothing_was_created_so_the_create_is_sent_again(simulator: Simulator) -> None:
    started, _ = start(simulator, "busy")
    assert posts(simulator) == 2
    assert list(simulator.starts.batches) == [started.batch_id]


def test_a_refusal_is_retells_message_with_a_hint_and_no_lookup(simulator: Simulator) -> None:
    engine = Engine("retell-llm", "llm_demo", 3)
    with pytest.raises(ApiError, match="HTTP 404: Test case definition tcd_nope not found") as caught:
        create_batch_test(real_client(simulator.url), ["tcd_demo_000", "tcd_nope"], engine, time.monotonic() + 10)
    assert "`test-case-definition-ids`" in caught.value.hint
    assert simulator.calls == [("POST", "/create-batch-test")]


def test_a_create_that_never_connects_is_retried_and_never_looked_up() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ApiError, match="tries in a row") as caught:
        create_batch_test(
            real_client(f"http://127.0.0.1:{port}"), ["d"], Engine("retell-llm", "l"), time.monotonic() + 20
        )
    assert caught.value.message.startswith(
        "Starting a new batch of 1 test cases for retell-llm l latest version failed"
    )
    assert caught.value.message.endswith("Retell started no batch for it.")
    assert "`batch-job-id`" not in caught.value.hint  # nothing runs to be judged later


def test_a_create_answered_429_every_time_says_nothing_was_started(clock: FakeClock) -> None:
    client = RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep)
    with rm.Mocker() as mock:
        mock.post(
            f"{BASE}/create-batch-test", status_code=429, json={"message": "slow down"}, headers={"Retry-After": "1"}
        )
        with pytest.raises(ApiError, match=r"failed 6 tries in a row; the last: HTTP 429.*started no batch") as caught:
            create_batch_test(
                client, ["d1"], Engine("retell-llm", "llm_abc", 2), clock() + 60, clock=clock, sleep=clock.sleep
            )
    assert "429" in caught.value.hint
    assert [request.method for request in mock.request_history] == ["POST"] * 6  # provably never arrived: resent
    assert not isinstance(caught.value, StartUncertain)


@pytest.mark.parametrize("ids", [[], ["a", "a"], [f"d{n}" for n in range(201)]])
def test_a_batch_must_hold_1_to_200_distinct_definitions(ids: list[str]) -> None:
    with pytest.raises(ValueError, match="1 to 200 distinct definitions"):
        create_batch_test(RetellClient("http://127.0.0.1:9", KEY), ids, Engine("retell-llm", "l"), 0.0)


BASE = "https://api.test"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (batch_body("in_progress", 0, total=2, batch_id="b_9"), "against another engine"),
        (
            batch_body("in_progress", 0, total=3, batch_id="b_9")
            | {"response_engine": {"type": "retell-llm", "llm_id": "llm_abc", "version": 2}},
            "with 3 test cases, not the 2",
        ),
    ],
)
def test_a_created_batch_that_runs_something_else_is_named_and_not_judged(
    clock: FakeClock, answer: dict[str, Any], problem: str
) -> None:
    client = RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep)
    engine = Engine("retell-llm", "llm_abc", 7 if "engine" in problem else 2)
    with rm.Mocker() as mock:
        mock.post(f"{BASE}/create-batch-test", status_code=201, json=answer)
        with pytest.raises(StartUncertain, match=problem) as caught:
            create_batch_test(client, ["d1", "d2"], engine, clock() + 30)
    assert caught.value.batch_ids == ("b_9",)
    assert caught.value.started is not None  # Retell did start it: reported as started, never judged


def test_a_create_answered_with_a_batch_this_run_already_started_is_not_taken_twice(clock: FakeClock) -> None:
    client = RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep)
    answer = batch_body("in_progress", 0, total=2, batch_id="b_1")
    with rm.Mocker() as mock:
        mock.post(f"{BASE}/create-batch-test", status_code=201, json=answer)
        with pytest.raises(StartUncertain, match="batch b_1, which an earlier create of this run started") as caught:
            create_batch_test(
                client, ["d1", "d2"], Engine("retell-llm", "llm_abc", 2), clock() + 30, already_started=["b_1"]
            )
    assert caught.value.started is not None


def test_a_lookup_that_fails_stops_without_a_second_create(clock: FakeClock) -> None:
    client = RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep)
    engine = Engine("retell-llm", "llm_abc", 2)
    with rm.Mocker() as mock:
        mock.post(f"{BASE}/create-batch-test", status_code=502, json={"message": "bad gateway"})
        mock.get(f"{BASE}/v2/list-batch-tests", status_code=503, json={"message": "down"})
        with pytest.raises(StartUncertain, match=r"Looking for the batch failed: .*HTTP 503"):
            create_batch_test(client, ["d1"], engine, clock() + 30, clock=clock, sleep=clock.sleep)
    assert [request.method for request in mock.request_history].count("POST") == 1


def test_a_batch_found_before_retell_counted_or_listed_its_runs_is_adopted(clock: FakeClock) -> None:
    """After an ambiguous create: listed with a total of 0 and no runs yet, it fits (nothing rules it out)."""
    import re

    client = RetellClient(BASE, KEY, clock=clock, sleep=clock.sleep)
    engine = Engine("retell-llm", "llm_abc", 2)
    found = batch_body("in_progress", 0, total=0, batch_id="b_new") | {"creation_timestamp": int(time.time() * 1000)}
    with rm.Mocker() as mock:
        mock.post(f"{BASE}/create-batch-test", status_code=502, json={"message": "bad gateway"})
        mock.get(f"{BASE}/v2/list-batch-tests", json={"items": [found], "has_more": False})
        mock.get(re.compile(f"{BASE}/v2/list-test-runs/b_new.*"), json={"items": [], "has_more": False})
        started = create_batch_test(client, ["d1", "d2"], engine, clock() + 30, clock=clock, sleep=clock.sleep)
    assert started.batch_id == "b_new"
    assert [request.method for request in mock.request_history].count("POST") == 1
