"""The simulator's start-mode endpoints keep to Retell's specification (shapes, pagination, errors)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from retell_gate.retell.models import BatchTest
from retell_gate.retell.start_models import Agent, BatchPage, DefinitionPage
from retell_gate.simulator.server import Simulator

AUTH = {"Authorization": "Bearer sim-key"}
ENGINE = {"type": "retell-llm", "llm_id": "llm_demo", "version": 2}


def get(simulator: Simulator, path: str) -> requests.Response:
    return requests.get(simulator.url + path, headers=AUTH, timeout=10)


def post(simulator: Simulator, body: Any, headers: dict[str, str] = AUTH) -> requests.Response:
    return requests.post(f"{simulator.url}/create-batch-test", json=body, headers=headers, timeout=10)


def test_an_agent_is_answered_with_its_engine_at_the_version_asked(simulator: Simulator) -> None:
    agent = Agent.model_validate(get(simulator, "/get-agent/agent_flow_demo?version=2").json())
    assert (agent.version, agent.is_published) == (2, True)
    assert agent.response_engine.model_dump(exclude_none=True) == {
        "type": "conversation-flow",
        "conversation_flow_id": "conversation_flow_demo",
        "version": 2,
    }


def test_definitions_are_paged_with_limit_and_pagination_key(simulator: Simulator) -> None:
    first = DefinitionPage.model_validate(
        get(simulator, "/v2/list-test-case-definitions?type=retell-llm&llm_id=llm_demo&limit=4").json()
    )
    assert (len(first.items), first.has_more, first.pagination_key) == (4, True, "pk_4")
    last = get(simulator, "/v2/list-test-case-definitions?type=retell-llm&llm_id=llm_demo&limit=4&pagination_key=pk_8")
    page = DefinitionPage.model_validate(last.json())
    assert ([d.name for d in page.items], page.has_more, page.pagination_key) == (
        ["Understands a caller with background noise", "Ends the call when asked"],
        False,
        None,
    )


def test_a_create_answers_201_with_the_batch_and_it_is_listed(simulator: Simulator) -> None:
    answer = post(simulator, {"test_case_definition_ids": ["tcd_demo_001", "tcd_demo_002"], "response_engine": ENGINE})
    assert answer.status_code == 201
    batch = BatchTest.model_validate(answer.json())
    assert (batch.status, batch.total_count, batch.response_engine.version) == ("in_progress", 2, 2)
    listed = BatchPage.model_validate(
        get(simulator, "/v2/list-batch-tests?type=retell-llm&llm_id=llm_demo&version=2").json()
    )
    assert [b.test_case_batch_job_id for b in listed.items] == [batch.test_case_batch_job_id]
    latest = get(simulator, "/v2/list-batch-tests?type=retell-llm&llm_id=llm_demo").json()  # defaults to latest
    assert latest == {"items": [], "has_more": False}
    assert simulator.calls[0] == ("POST", "/create-batch-test")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"test_case_definition_ids": [], "response_engine": ENGINE}, 400, "non-empty array"),
        ({"test_case_definition_ids": ["tcd_demo_000"] * 201, "response_engine": ENGINE}, 400, "At most 200"),
        (
            {
                "test_case_definition_ids": ["x"],
                "response_engine": {"type": "custom-llm", "llm_websocket_url": "wss://x"},
            },
            400,
            "Custom LLM is not supported",
        ),
        ({"test_case_definition_ids": ["x"], "response_engine": ENGINE | {"version": 9}}, 400, "existing version"),
        ({"test_case_definition_ids": ["x"], "response_engine": ENGINE | {"llm_id": "llm_nobody"}}, 404, "not found"),
        ({"test_case_definition_ids": ["tcd_many_000"], "response_engine": ENGINE}, 404, "tcd_many_000 not found"),
        ("not an object", 400, "non-empty array"),
    ],
)
def test_a_bad_create_is_refused_with_retells_error_body(
    simulator: Simulator, body: Any, status: int, message: str
) -> None:
    answer = post(simulator, body)
    assert answer.status_code == status
    assert answer.json()["status"] == "error"
    assert message in answer.json()["message"]
    assert simulator.starts.batches == {}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/v2/list-test-case-definitions?llm_id=llm_demo", "type must be"),
        ("/v2/list-test-case-definitions?type=retell-llm&conversation_flow_id=x", "llm_id is required"),
        ("/v2/list-batch-tests?type=retell-llm&llm_id=llm_demo&limit=0", "limit must be"),
        ("/v2/list-batch-tests?type=retell-llm&llm_id=llm_demo&version=two", "version must be"),
        ("/get-agent/agent_demo?version=x", "version must be"),
    ],
)
def test_bad_listing_queries_are_refused_with_400(simulator: Simulator, path: str, message: str) -> None:
    answer = get(simulator, path)
    assert (answer.status_code, answer.json()["status"]) == (400, "error")
    assert message in answer.json()["message"]


def test_a_create_without_the_key_is_401_and_creates_nothing(simulator: Simulator) -> None:
    answer = post(simulator, {"test_case_definition_ids": ["tcd_demo_000"], "response_engine": ENGINE}, {})
    assert answer.status_code == 401
    assert simulator.starts.batches == {}
    assert simulator.calls == [("POST", "/create-batch-test")]


def test_a_post_elsewhere_is_404(simulator: Simulator) -> None:
    answer = requests.post(f"{simulator.url}/get-batch-test/passing", json={}, headers=AUTH, timeout=10)
    assert answer.status_code == 404
