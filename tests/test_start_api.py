"""Start mode's reads over real HTTP against the simulator: an agent's engine, an engine's definitions and batches."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests_mock as rm

from retell_gate.errors import ApiError
from retell_gate.inputs.target import parse_patterns
from retell_gate.plan.selection import SelectionError, select
from retell_gate.retell import catalog as catalog_module
from retell_gate.retell.catalog import list_batch_tests, list_test_case_definitions
from retell_gate.retell.client import RetellClient
from retell_gate.retell.engines import Engine, UnsupportedEngine, get_agent
from retell_gate.retell.starting import create_batch_test
from retell_gate.simulator.server import Simulator
from tests.conftest import FakeClock
from tests.factories import KEY


def real_client(url: str, key: str = "sim-key") -> RetellClient:
    return RetellClient(url, key, sleep=lambda _seconds: None)


def soon() -> float:
    return time.monotonic() + 20


def test_an_agents_current_version_is_read_from_retell(simulator: Simulator) -> None:
    agent = get_agent(real_client(simulator.url), "agent_demo", None, soon())
    assert agent.engine == Engine("retell-llm", "llm_demo", 3)
    assert (agent.agent_name, agent.agent_version) == ("Simulated agent agent_demo", 3)
    assert simulator.calls == [("GET", "/get-agent/agent_demo")]


def test_a_pinned_version_is_asked_for_and_tested(simulator: Simulator) -> None:
    agent = get_agent(real_client(simulator.url), "agent_flow_named", 1, soon())
    assert agent.engine == Engine("conversation-flow", "conversation_flow_named", 1)
    assert simulator.calls == [("GET", "/get-agent/agent_flow_named?version=1")]


def test_a_custom_llm_agent_is_refused_before_anything_is_started(simulator: Simulator) -> None:
    with pytest.raises(UnsupportedEngine, match="custom LLM, which Retell cannot batch-test") as caught:
        get_agent(real_client(simulator.url), "agent_custom", None, soon())
    assert "`llm-id`" in caught.value.hint
    assert [method for method, _ in simulator.calls] == ["GET"]


@pytest.mark.parametrize(
    ("agent_id", "version", "path"),
    [
        ("agent_nobody", None, "/get-agent/agent_nobody"),
        ("agent_demo", 9, "/get-agent/agent_demo?version=9"),
        ("agent_demo/../x?version=1#y", None, "/get-agent/agent_demo%2F..%2Fx%3Fversion%3D1%23y"),
    ],
)
def test_an_unknown_agent_or_version_is_retells_404_with_a_hint(
    simulator: Simulator, agent_id: str, version: int | None, path: str
) -> None:
    with pytest.raises(ApiError, match="HTTP 404: The requested resource was not found") as caught:
        get_agent(real_client(simulator.url), agent_id, version, soon())
    assert "Check `agent-id` and `version`" in caught.value.hint
    assert simulator.calls == [("GET", path)]  # the ID stays one path segment


def test_a_wrong_key_is_retells_401_with_the_key_hint(simulator: Simulator) -> None:
    with pytest.raises(ApiError, match="HTTP 401") as caught:
        get_agent(real_client(simulator.url, "wrong"), "agent_demo", None, soon())
    assert "`api-key`" in caught.value.hint


def agent(**fields: Any) -> dict[str, Any]:
    engine = {"type": "retell-llm", "llm_id": "llm_1", "version": 4}
    return {"agent_id": "agent_1", "agent_name": "A", "version": 4, "response_engine": engine} | fields


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (agent(agent_id="agent_2"), "different agent"),
        (agent(version=5), "version 5 of the agent agent_1, not version 4"),
        (agent(response_engine=None), "malformed: response_engine"),
        (agent(response_engine={"type": "retell-llm", "version": 4}), "names no llm_id"),
        (agent(version=None, response_engine={"type": "retell-llm", "llm_id": "l"}), "no whole version"),
        (agent(response_engine={"type": "retell-llm", "llm_id": "l", "version": 4.5}), "no whole version"),
        (agent(response_engine={"type": "websocket", "url": "x"}), "engine of type 'websocket'"),
        (
            agent(version=None, response_engine={"type": "retell-llm", "llm_id": "llm_1", "version": 5}),
            "for version 4 of the agent agent_1 with its engine at version 5",
        ),
        (
            agent(response_engine={"type": "retell-llm", "llm_id": "llm_1", "version": 9}),
            "gives it version 4 and its engine version 9",
        ),
        (
            agent(response_engine={"type": "retell-llm", "llm_id": "llm x\n::error::forged", "version": 4}),
            "llm_id that is not a Retell ID",
        ),
        (agent(response_engine={"type": "retell-llm", "llm_id": "l", "version": float("nan")}), "no whole version"),
        (agent(response_engine={"type": "retell-llm", "llm_id": "l", "version": float("inf")}), "no whole version"),
        ("not an object", "malformed"),
    ],
)
def test_an_agent_answer_that_does_not_say_what_to_test_is_an_api_error(
    clock: FakeClock, body: Any, problem: str
) -> None:
    client = RetellClient("https://api.test", KEY, clock=clock, sleep=clock.sleep)
    with rm.Mocker() as mock:
        mock.get("https://api.test/get-agent/agent_1?version=4", json=body)
        with pytest.raises(ApiError, match=problem):
            get_agent(client, "agent_1", 4, clock() + 30)


def test_an_engine_version_of_a_whole_float_is_taken_as_that_version(clock: FakeClock) -> None:
    client = RetellClient("https://api.test", KEY, clock=clock, sleep=clock.sleep)
    body = agent(
        version=None, response_engine={"type": "conversation-flow", "conversation_flow_id": "cf", "version": 2.0}
    )
    with rm.Mocker() as mock:
        mock.get("https://api.test/get-agent/agent_1", json=body)
        assert get_agent(client, "agent_1", None, clock() + 30).engine == Engine("conversation-flow", "cf", 2)


def test_every_definition_is_read_across_pages_in_retells_order(simulator: Simulator) -> None:
    definitions = list_test_case_definitions(real_client(simulator.url), Engine("retell-llm", "llm_many", 3), soon())
    assert [d.name for d in definitions] == [f"Case {n:03d}" for n in range(1, 451)]
    assert len({d.test_case_definition_id for d in definitions}) == 450
    assert len(simulator.calls) == 5  # the simulator answers at most 100 a page
    assert simulator.calls[0] == ("GET", "/v2/list-test-case-definitions?type=retell-llm&llm_id=llm_many&limit=1000")
    assert simulator.calls[1][1].endswith("&limit=1000&pagination_key=pk_100")


def test_a_repeating_pagination_key_is_an_error_not_a_short_list(simulator: Simulator) -> None:
    engine = Engine("conversation-flow", "conversation_flow_endless", None)
    with pytest.raises(ApiError, match=r"pagination of the test case definitions of .* repeated itself"):
        list_test_case_definitions(real_client(simulator.url), engine, soon())
    assert len(simulator.calls) == 2


def test_a_listing_that_never_ends_stops_at_the_page_cap(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "MAX_PAGES", 3)
    with pytest.raises(ApiError, match="went past 3 pages"):
        list_test_case_definitions(real_client(simulator.url), Engine("retell-llm", "llm_many"), soon())


def test_too_large_pages_are_asked_for_again_smaller(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "MAX_PAGE_BYTES", 22_000)  # 50 definitions fit, 62 do not
    definitions = list_test_case_definitions(real_client(simulator.url), Engine("retell-llm", "llm_many"), soon())
    assert len(definitions) == 450
    limits = [path.split("limit=")[1].split("&")[0] for _, path in simulator.calls]
    assert limits == ["1000", "250", "62"] + ["50"] * 9


def test_an_engine_without_definitions_lists_none(simulator: Simulator) -> None:
    assert list_test_case_definitions(real_client(simulator.url), Engine("retell-llm", "llm_empty"), soon()) == ()


def test_an_unknown_engine_is_retells_404_with_a_hint(simulator: Simulator) -> None:
    with pytest.raises(ApiError, match="HTTP 404") as caught:
        list_test_case_definitions(real_client(simulator.url), Engine("retell-llm", "llm_demo&version=1"), soon())
    assert "engine's ID" in caught.value.hint
    assert simulator.calls == [
        ("GET", "/v2/list-test-case-definitions?type=retell-llm&llm_id=llm_demo%26version%3D1&limit=1000")
    ]


def test_name_globs_select_among_an_engines_definitions(simulator: Simulator) -> None:
    engine = Engine("retell-llm", "llm_named", 3)
    definitions = list_test_case_definitions(real_client(simulator.url), engine, soon())
    chosen = select(
        definitions, (), parse_patterns("test-names", "booking:*\n*[[]priority]\n  nothing*  \n"), engine.label()
    )
    assert [d.name for d in chosen.definitions] == [
        "booking: table for two",
        "booking: moves to Friday",
        "booking: cancels politely",
        "billing: refund [priority]",
    ]
    assert chosen.unmatched_patterns == ("nothing*",)
    with pytest.raises(SelectionError, match=r"matched none of all 8 of retell-llm llm_named version 3"):
        select(definitions, (), ["Smoke*"], engine.label())  # case-sensitive


def test_batches_are_listed_for_the_engine_at_its_version(simulator: Simulator) -> None:
    client = real_client(simulator.url)
    for version in (3, 3, 2):
        create_batch_test(client, ["tcd_demo_000"], Engine("retell-llm", "llm_demo", version), soon())
    at_3 = list_batch_tests(client, Engine("retell-llm", "llm_demo", 3), soon())
    at_2 = list_batch_tests(client, Engine("retell-llm", "llm_demo", 2), soon())
    assert [b.test_case_batch_job_id for b in at_3] == ["tcb_sim_0001", "tcb_sim_0002"]
    assert [b.test_case_batch_job_id for b in at_2] == ["tcb_sim_0003"]
    assert simulator.calls[-1] == ("GET", "/v2/list-batch-tests?type=retell-llm&llm_id=llm_demo&version=2&limit=1000")
