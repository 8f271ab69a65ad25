"""The simulator's start-mode endpoints, and the batches started through them (engines.py has the scripts).

    GET  /get-agent/{agent_id}[?version=N]
    GET  /v2/list-test-case-definitions?type=&llm_id=|conversation_flow_id=&limit=&pagination_key=
    POST /create-batch-test   {test_case_definition_ids, response_engine}: 201 and the batch
    GET  /v2/list-batch-tests?type=&llm_id=|conversation_flow_id=&version=&limit=&pagination_key=

Listings answer `{items, has_more, pagination_key}` with at most PAGE_CAP items a page whatever
`limit` asks (1 to 1000, as a server may), so that pagination is exercised. A created batch
progresses like the scripted ones (each read of `get-batch-test` moves it a step) and lists its
test runs, one per definition it was given, named after it. Its `creation_timestamp` comes from
`wall_clock` (time.time), which a test can shift to play Retell's clock being off. Errors are
Retell's `{status, message}`. Some engines also have batches run before (history.py): listed at
their version, and readable like the created ones.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import history
from .created import Created, final_counts
from .engines import BAD_BATCH_ID, CURRENT_VERSION, ID_FIELDS, SimEngine, agent_body, engine_named
from .frames import Frame, Scenario, progress
from .wire import Answer, error, json_answer

Query = dict[str, list[str]]
PAGE_CAP = 100
MAX_DEFINITIONS = 200  # Retell's documented limit for one batch
NOT_FOUND = "The requested resource was not found."


class Starts:
    """The agents, definitions and created batches of one simulator."""

    def __init__(self) -> None:
        self.batches: dict[str, Created] = {}
        self.creates: Counter[str] = Counter()  # create requests per engine ID
        self.engines_asked: list[dict[str, Any]] = []  # each valid create's `response_engine`, as sent
        self.wall_clock: Callable[[], float] = time.time
        self._lock = threading.Lock()

    def answer(self, method: str, target: str, body: bytes) -> Answer | None:
        """The answer to a start-mode request, or None when the request is not one (scripted batches)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        with self._lock:
            if method == "POST":
                return self._create(body) if path == "/create-batch-test" else None
            if path.startswith("/get-agent/"):
                return self._agent(unquote(path.removeprefix("/get-agent/")), query)
            if path == "/v2/list-test-case-definitions":
                return self._definitions(query)
            if path == "/v2/list-batch-tests":
                return self._batch_list(query)
            for prefix, runs in (("/get-batch-test/", False), ("/v2/list-test-runs/", True)):
                if path.startswith(prefix):
                    return self._read(unquote(path.removeprefix(prefix)), query, runs=runs)
        return None

    def _read(self, batch_id: str, query: Query, *, runs: bool) -> Answer | None:
        """A created or past batch (`runs`: its test runs); None for any other ID (a scripted batch)."""
        created = self.batches.get(batch_id)
        if created is not None:
            return self._runs(created, query) if runs else json_answer(created.body(created.frame(advance=True)))
        past = history.find(batch_id)
        if past is None:
            return None
        engine, batch = past
        return paginate(history.runs(engine, batch), query, 1000) if runs else json_answer(history.batch_body(*past))

    def _agent(self, agent_id: str, query: Query) -> Answer:
        version = _integer(query, "version", CURRENT_VERSION)
        if version is None:
            return error(400, "version must be an integer.")
        agent = agent_body(agent_id, version) if 0 <= version <= CURRENT_VERSION else None
        return json_answer(agent) if agent is not None else error(404, NOT_FOUND)

    def _definitions(self, query: Query) -> Answer:
        engine = _engine_of(query)
        if not isinstance(engine, SimEngine):
            return engine
        endless = engine.script.endless_listing
        return paginate(engine.definitions(), query, PAGE_CAP, endless=endless)

    def _batch_list(self, query: Query) -> Answer:
        engine = _engine_of(query)
        if not isinstance(engine, SimEngine):
            return engine
        version = _integer(query, "version", CURRENT_VERSION)
        if version is None:
            return error(400, "version must be an integer.")
        if engine.script.unlisted:
            return error(500, "An unexpected server error occurred.")
        listed = history.listed(engine, version)
        for created in self.batches.values():
            if created.engine != engine.body(version):
                continue
            if created.hidden_listings:
                created.hidden_listings -= 1
                continue
            body = created.body(created.frame(advance=False))
            listed.append(body | {"total_count": 0} if created.uncounted else body)
        return paginate(listed, query, history.PAGE_CAP if engine.script_name in history.PASTS else PAGE_CAP)

    def _runs(self, created: Created, query: Query) -> Answer:
        frame = created.frame(advance=False)
        return paginate([created.run(frame, index) for index in range(len(created.definition_ids))], query, 1000)

    def _create(self, raw: bytes) -> Answer:
        request = _create_request(raw)
        if not isinstance(request, CreateRequest):
            return request
        self.engines_asked.append(request.asked)
        engine, version, ids = request.engine, request.version, request.definition_ids
        names = {item["test_case_definition_id"]: item["name"] for item in engine.definitions()}
        unknown = [definition_id for definition_id in ids if definition_id not in names]
        if unknown:
            return error(404, f"Test case definition {unknown[0]} not found.")
        fault = engine.script.create
        self.creates[engine.engine_id] += 1
        if fault == "payment" or (fault == "broke" and self.creates[engine.engine_id] > 1):
            return error(402, "Trial has ended, please add payment method.")
        if fault == "busy" and self.creates[engine.engine_id] == 1:
            status, _, body = error(429, "Account rate limited, please throttle your requests.")
            return status, {"Retry-After": "0"}, body
        if fault == "crowded":  # another job's batch of as many tests, a second earlier
            others = {f"tcd_other_{index:03d}": f"Another job's test {index}" for index in range(len(ids))}
            self._add(engine, version, tuple(others), others, offset_ms=-1000)
        if fault == "swapped":  # Retell runs other definitions than it was asked to
            others = {f"tcd_other_{index:03d}": f"Another job's test {index}" for index in range(len(ids))}
            ids, names = tuple(others), others
        kept = ids[:-1] if fault == "shrunk" and len(ids) > 1 else ids
        created = self._add(engine, version, kept, names) if fault != "lost" else None
        if fault == "twice":
            self._add(engine, version, ids, names)
        if created is not None and fault == "late":
            created.hidden_listings = 1
        if created is not None and fault == "uncounted":
            created.uncounted = True
        if fault in ("reset", "late", "lost", "twice", "crowded", "hang", "uncounted"):
            return 200, {"X-Socket-Fault": "hang" if fault == "hang" else "reset"}, b""
        if fault == "error500":
            return error(500, "An unexpected server error occurred.")
        if fault == "garbled" or created is None:
            return 201, {}, b"<html><body>Created</body></html>"
        answered = created.body(Frame(total=0 if fault == "shrunk" else len(ids)))
        if fault == "badid":
            answered["test_case_batch_job_id"] = BAD_BATCH_ID
        return json_answer(answered, 201)

    def _add(
        self, engine: SimEngine, version: int, ids: tuple[str, ...], names: dict[str, str], offset_ms: int = 0
    ) -> Created:
        batch_id = f"tcb_sim_{len(self.batches) + 1:04d}"
        statuses = (
            history.now_statuses(engine, ids, lambda tcd: self._attempt(engine, tcd)) if engine.script.now else ()
        )
        frames = history.frames_of(statuses) if statuses else progress(len(ids), final_counts(engine, len(ids)), 3)
        scenario = Scenario(frames, tuple(names[definition_id] for definition_id in ids))
        created_ms = int(self.wall_clock() * 1000) + offset_ms
        created = Created(batch_id, engine.body(version), ids, scenario, created_ms, statuses=statuses)
        self.batches[batch_id] = created
        return created

    def _attempt(self, engine: SimEngine, definition_id: str) -> int:
        """Which batch of the engine with this definition one created now is: 1 for the first."""
        mine = [b for b in self.batches.values() if b.engine[ID_FIELDS[engine.type]] == engine.engine_id]
        return 1 + sum(definition_id in created.definition_ids for created in mine)


@dataclass(frozen=True)
class CreateRequest:
    engine: SimEngine
    version: int
    definition_ids: tuple[str, ...]
    asked: dict[str, Any]
    """The `response_engine` as sent (the version left out when the latest is asked for)."""


def _create_request(raw: bytes) -> CreateRequest | Answer:
    """The engine, version and definition IDs of a create, or Retell's error for a bad one."""
    try:
        request = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return error(400, "Invalid request format, please check API reference.")
    ids = request.get("test_case_definition_ids") if isinstance(request, dict) else None
    spec = request.get("response_engine") if isinstance(request, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
        return error(400, "test_case_definition_ids must be a non-empty array of strings.")
    if len(ids) > MAX_DEFINITIONS:
        return error(400, f"At most {MAX_DEFINITIONS} test case definitions can run in one batch.")
    if not isinstance(spec, dict) or spec.get("type") not in ID_FIELDS:
        return error(400, "response_engine must be a Retell LLM or a Conversation Flow. Custom LLM is not supported.")
    engine = engine_named(spec["type"], str(spec.get(ID_FIELDS[spec["type"]], "")))
    version = spec.get("version", None)
    if version is None:
        version = CURRENT_VERSION
    if type(version) is not int or not 0 <= version <= CURRENT_VERSION:
        return error(400, "response_engine.version must be an existing version.")
    return CreateRequest(engine, version, tuple(ids), dict(spec)) if engine is not None else error(404, NOT_FOUND)


def _engine_of(query: Query) -> SimEngine | Answer:
    kind = query.get("type", [""])[0]
    if kind not in ID_FIELDS:
        return error(400, "type must be retell-llm or conversation-flow.")
    engine_id = query.get(ID_FIELDS[kind], [""])[0]
    if not engine_id:
        return error(400, f"{ID_FIELDS[kind]} is required when type is {kind}.")
    engine = engine_named(kind, engine_id)
    return engine if engine is not None else error(404, NOT_FOUND)


def _integer(query: Query, name: str, default: int) -> int | None:
    text = query.get(name, [str(default)])[0]
    return int(text) if text.isdigit() else None


def paginate(items: list[Any], query: Query, cap: int, *, endless: bool = False) -> Answer:
    """One page of `items` as `limit` and `pagination_key` ask, at most `cap` long."""
    try:
        limit = int(query.get("limit", ["50"])[0])
        offset = int(query.get("pagination_key", ["pk_0"])[0].removeprefix("pk_"))
    except ValueError:
        return error(400, "Invalid request format, please check API reference.")
    if not 1 <= limit <= 1000 or offset < 0:
        return error(400, "limit must be between 1 and 1000.")
    end = min(offset + min(limit, cap), len(items))
    if endless:  # the same key again and again
        return json_answer({"items": items[offset:end], "has_more": True, "pagination_key": "pk_0"})
    page: dict[str, Any] = {"items": items[offset:end], "has_more": end < len(items)}
    if end < len(items):
        page["pagination_key"] = f"pk_{end}"
    return json_answer(page)
