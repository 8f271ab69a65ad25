"""Start mode's steps against the simulator over real HTTP: plan (nothing started), then start."""

from __future__ import annotations

import time

import pytest

from retell_gate.errors import ApiError, InputError
from retell_gate.inputs.target import StartFor
from retell_gate.launch import Starter
from retell_gate.retell.client import RetellClient
from retell_gate.retell.engines import UnsupportedEngine
from retell_gate.simulator import Simulator
from tests.conftest import FakeClock


def starter(simulator: Simulator, warnings: list[str] | None = None) -> Starter:
    client = RetellClient(simulator.url, "sim-key")
    sink = warnings if warnings is not None else []
    return Starter(client, time.monotonic() + 30, time.monotonic, time.sleep, sink.append)


def target(kind: str, engine_id: str, version: int | None = None, ids: tuple[str, ...] = (), names=()) -> StartFor:
    inputs = {"agent": "agent-id", "retell-llm": "llm-id", "conversation-flow": "conversation-flow-id"}
    return StartFor(kind, engine_id, inputs[kind], version, ids, tuple(names))  # type: ignore[arg-type]


def posts(simulator: Simulator) -> int:
    return sum(1 for method, _ in simulator.calls if method == "POST")


def test_an_agent_is_planned_at_its_current_version_and_nothing_is_started(simulator: Simulator) -> None:
    plan = starter(simulator).plan(target("agent", "agent_demo"))
    assert (plan.engine.type, plan.engine.engine_id, plan.engine.version) == ("retell-llm", "llm_demo", 3)
    assert len(plan.definitions) == 10
    assert len(plan.batches) == 1
    assert plan.describe().startswith("10 test cases in 1 batch against retell-llm llm_demo version 3, the engine of")
    assert posts(simulator) == 0


def test_an_agent_version_is_passed_through(simulator: Simulator) -> None:
    plan = starter(simulator).plan(target("agent", "agent_flow_demo", version=1))
    assert (plan.engine.type, plan.engine.version) == ("conversation-flow", 1)


def test_a_custom_llm_agent_is_refused_before_anything_is_created(simulator: Simulator) -> None:
    with pytest.raises(UnsupportedEngine, match="custom LLM"):
        starter(simulator).plan(target("agent", "agent_custom"))
    assert posts(simulator) == 0


def test_450_definitions_become_the_fewest_batches_started_one_after_the_other(simulator: Simulator) -> None:
    run = starter(simulator)
    plan = run.plan(target("retell-llm", "llm_many", version=2))
    assert [len(batch) for batch in plan.batches] == [200, 200, 50]
    ids = run.start(plan)
    assert len(ids) == 3
    assert len(set(ids)) == 3
    assert posts(simulator) == 3
    assert [started.definition_ids for started in run.started] == list(plan.batches)


def test_names_narrow_the_selection_and_an_unmatched_pattern_is_warned_about(simulator: Simulator) -> None:
    warnings: list[str] = []
    plan = starter(simulator, warnings).plan(target("retell-llm", "llm_named", names=("booking:*", "nothing*")))
    assert [d.name for d in plan.definitions] == [
        "booking: table for two",
        "booking: moves to Friday",
        "booking: cancels politely",
    ]
    assert warnings == [
        "The `test-names` pattern 'nothing*' matched no test case definition of retell-llm llm_named latest version."
    ]


def test_a_selection_that_matches_nothing_says_what_was_searched(simulator: Simulator) -> None:
    with pytest.raises(InputError) as caught:
        starter(simulator).plan(target("retell-llm", "llm_named", names=("zzz*",)))
    assert "llm_named" in caught.value.message
    assert "8" in caught.value.message
    assert "zzz*" in caught.value.message
    assert posts(simulator) == 0


def test_a_refused_start_starts_nothing_and_sends_one_request(simulator: Simulator) -> None:
    run = starter(simulator)
    plan = run.plan(target("retell-llm", "llm_payment"))
    with pytest.raises(ApiError, match="402"):
        run.start(plan)
    assert run.started_ids == ()
    assert posts(simulator) == 1


def test_an_ambiguous_create_is_sent_once_and_its_batch_adopted_with_a_warning(simulator: Simulator) -> None:
    warnings: list[str] = []
    run = starter(simulator, warnings)
    ids = run.start(run.plan(target("retell-llm", "llm_reset")))
    assert len(ids) == 1
    assert posts(simulator) == 1
    assert len(warnings) == 1
    assert ids[0] in warnings[0]


def test_a_batch_retell_started_though_not_as_asked_is_counted_as_started(clock: FakeClock) -> None:
    """Its ID reaches `batch-job-ids` and the summary: it runs (and bills) in Retell whatever the gate does."""
    import requests_mock as rm

    from retell_gate.launch import StartPlan
    from retell_gate.retell.engines import Engine
    from retell_gate.retell.recovery import StartUncertain
    from tests.factories import batch_body

    client = RetellClient("https://api.test", "k", clock=clock, sleep=clock.sleep)
    starting = Starter(client, clock() + 30, clock, clock.sleep, [].append)
    plan = StartPlan(Engine("retell-llm", "llm_abc", 3), "", (), (("d1", "d2"),))
    answer = batch_body("in_progress", 0, total=2, batch_id="b_9")  # version 2, not the 3 asked for
    with rm.Mocker() as mock:
        mock.post("https://api.test/create-batch-test", status_code=201, json=answer)
        with pytest.raises(StartUncertain, match="against another engine"):
            starting.start(plan)
    assert starting.started_ids == ("b_9",)
    assert not starting.sending


def test_a_new_batch_not_counted_nor_listed_yet_is_never_called_not_as_asked(clock: FakeClock) -> None:
    """Running, a total of 0 and no runs listed: nothing shows what it runs, so nothing is said against it."""
    from retell_gate.retell.listing import RunListing
    from retell_gate.retell.models import BatchTest
    from retell_gate.retell.starting import Started
    from tests.factories import batch_body, make_run

    client = RetellClient("https://api.test", "k", clock=clock, sleep=clock.sleep)
    starting = Starter(client, clock() + 30, clock, clock.sleep, [].append)
    fresh = BatchTest.model_validate(batch_body("in_progress", 0, total=0, batch_id="b_1"))
    starting.started.append(Started(fresh, ("tcd_0", "tcd_1")))
    assert starting.not_as_asked({"b_1": fresh}, {"b_1": RunListing(())}) == ""
    counted = BatchTest.model_validate(batch_body("in_progress", 0, total=2, batch_id="b_1"))
    one_listed = RunListing((make_run(0, "in_progress"),))
    assert starting.not_as_asked({"b_1": counted}, {"b_1": one_listed}) == ""  # the other may be listed later
    done = BatchTest.model_validate(batch_body("complete", 1, total=1, batch_id="b_1"))
    assert "holds 1 test cases, not the 2" in starting.not_as_asked({"b_1": done}, {"b_1": one_listed})
