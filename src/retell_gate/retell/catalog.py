"""What an engine has in Retell: its test case definitions, and the batches run against it.

    definitions = list_test_case_definitions(client, engine, deadline)   # Retell's order
    batches = list_batch_tests(client, engine, deadline)                 # at engine.version, if set

Both read every page (`limit`/`pagination_key`, loop-guarded by pages.py like the test runs) and
are all or nothing: a listing that fails or cannot be trusted to be whole raises ApiError, since
a definition missed would go untested and a batch missed could be started twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from .calls import read_json, validate
from .client import MAX_PAGE_BYTES, MIN_PAGE_LIMIT, PAGE_LIMIT
from .pages import Page, iter_pages

if TYPE_CHECKING:
    from .client import RetellClient
    from .engines import Engine
    from .models import BatchTest
    from .start_models import Definition

Item = TypeVar("Item")
# A definition carries its prompts and tool mocks, so a page of 1000 can be large: pages.py shrinks it.
MAX_PAGES = 500

LIST_HINTS = {
    400: "Check `llm-id` / `conversation-flow-id` (or the agent's engine) and `version`.",
    404: "Check the engine's ID, and that the `api-key` belongs to the workspace that owns it.",
    422: "Check `llm-id` / `conversation-flow-id` (or the agent's engine) and `version`.",
}


def list_test_case_definitions(client: RetellClient, engine: Engine, deadline: float) -> tuple[Definition, ...]:
    """Every test case definition of the engine, in Retell's order (the engine's version is not a filter)."""
    from .start_models import DefinitionPage

    what = f"test case definitions of {engine.type} {engine.engine_id}"
    return _list_all(
        client,
        f"/v2/list-test-case-definitions?{urlencode(engine.query())}",
        lambda body: validate(DefinitionPage, body, what),
        what,
        lambda definition: definition.test_case_definition_id,
        deadline,
    )


def list_batch_tests(client: RetellClient, engine: Engine, deadline: float) -> tuple[BatchTest, ...]:
    """Every batch test of the engine at `engine.version` (Retell's latest version when None)."""
    from .start_models import BatchPage

    version = {"version": str(engine.version)} if engine.version is not None else {}
    what = f"batch tests of {engine.label()}"
    return _list_all(
        client,
        f"/v2/list-batch-tests?{urlencode(engine.query() | version)}",
        lambda body: validate(BatchPage, body, what),
        what,
        lambda batch: batch.test_case_batch_job_id,
        deadline,
    )


def _list_all(
    client: RetellClient,
    path: str,
    parse: Callable[[Any], Page[Item]],
    what: str,
    key_of: Callable[[Item], str],
    deadline: float,
) -> tuple[Item, ...]:
    """Every item of a v2 listing (`path` has its query), each once (by `key_of`).

    Any failure, or a pagination that cannot be trusted to be whole, raises ApiError.
    """

    def fetch(key: str | None, limit: int) -> Page[Item]:
        page_query = {"limit": str(limit)} | ({"pagination_key": key} if key else {})
        answer = client.send("GET", f"{path}&{urlencode(page_query)}", deadline, MAX_PAGE_BYTES)
        return parse(read_json(answer, what, LIST_HINTS))

    items: dict[str, Item] = {}
    for page_items in iter_pages(fetch, what, max_pages=MAX_PAGES, limit=PAGE_LIMIT, min_limit=MIN_PAGE_LIMIT):
        for item in page_items:
            items.setdefault(key_of(item), item)
    return tuple(items.values())
