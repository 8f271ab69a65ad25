"""A local stand-in for Retell's test API, for the tests and the demo.

    python -m retell_gate.simulator [--port 8089] [--api-key sim-key]   (see __main__.py)

It serves, on 127.0.0.1, `GET /get-batch-test/{id}` and `GET /v2/list-test-runs/{id}` (paginated
as Retell's specification says: `limit` from 1 to 1000, default 50; `pagination_key`; answers
`{items, has_more, pagination_key}`). The batch ID picks the scenario (see scenarios.py): `failing`,
or `failing-<anything>` for a fresh batch with the same script, `counts-<p>-<f>-<e>` for one that ends
with those counts. Every read of a batch moves it one frame along its script, so a run sees it
progress; the last frame repeats. Each batch keeps its own place, so several can be waited for at
once. Requests without `Authorization: Bearer <api key>` get Retell's 401, unknown scenarios its 404;
`echo-key` always gets a 401 that quotes the key it was sent.

Start mode's endpoints (get-agent, list-test-case-definitions, create-batch-test, list-batch-tests)
and the batches they create are starts.py's; their agents and engines, engines.py's; the batches
some engines ran before (for a baseline), history.py's. `calls` records every request as (method,
path with query), so a test can count the POSTs.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from .frames import Frame, Scenario, batch_body, run_body
from .scenarios import find
from .starts import Starts
from .timed import Timed
from .wire import Answer, error, error_body, handler_for, json_answer

BATCH_PATH = "/get-batch-test/"
RUNS_PATH = "/v2/list-test-runs/"


class Simulator:
    """The server; use as a context manager to run it on a background thread."""

    def __init__(self, api_key: str = "sim-key", port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.api_key = api_key
        self.requests: list[tuple[str, str]] = []  # (path with query, Authorization header), in order
        self.calls: list[tuple[str, str]] = []  # (method, path with query), in order
        self.starts = Starts()
        self.redirect_target = "http://127.0.0.2:9"  # where the "redirect" scenario points
        self._polls: Counter[str] = Counter()
        self.started: dict[str, float] = {}  # timed batches: when their clock started (time.monotonic)
        self.last_read: dict[str, float] = {}  # timed batches: when get-batch-test last read them (time.monotonic)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self.answer))
        self._scheme = "http"
        if tls is not None:  # HTTPS, for testing certificate checks
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stopping = True  # type: ignore[attr-defined]  # ends hanging and trickling answers
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def listen_on(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        """Move off loopback, for the command line: a container cannot reach the host's loopback."""
        server = ThreadingHTTPServer((host, port), handler_for(self.answer))
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        self._server.server_close()
        self._server = server
        self._scheme = "https" if tls is not None else "http"

    def answer(self, target: str, authorization: str, method: str = "GET", body: bytes = b"") -> Answer:
        """Status, headers and body for one request."""
        with self._lock:
            self.requests.append((target, authorization))
            self.calls.append((method, target))
        if target.startswith(f"{BATCH_PATH}echo-key"):  # an API that quotes the key it was sent back
            return error(401, f"API key {authorization.removeprefix('Bearer ')} is not valid here.")
        if authorization != f"Bearer {self.api_key}":
            return error(401, "API key is missing or invalid.")
        started = self.starts.answer(method, target, body)
        if started is not None or method != "GET":
            return started or error(404, "The requested resource was not found.")
        parts = urlsplit(target)
        for prefix, serve in ((BATCH_PATH, self._batch), (RUNS_PATH, self._runs)):
            batch_id = parts.path.removeprefix(prefix) if parts.path.startswith(prefix) else ""
            scenario = find(batch_id) if batch_id else None
            timed = Timed.parse(batch_id) if batch_id else None
            if timed is not None:
                scenario = Scenario([self._timed_frame(batch_id, timed)])
                if prefix == BATCH_PATH:
                    self.last_read[batch_id] = time.monotonic()
            if scenario is not None:
                return serve(batch_id, scenario, parse_qs(parts.query))
        return error(404, "The requested resource was not found.")

    def _timed_frame(self, batch_id: str, timed: Timed) -> Frame:
        now = time.monotonic()
        with self._lock:
            started = self.started.setdefault(batch_id, now)
        return timed.frame(now - started)

    def complete_at(self, batch_id: str) -> float:
        """When a timed batch completed (or will), on the time.monotonic() clock."""
        timed = Timed.parse(batch_id)
        if timed is None or batch_id not in self.started:
            raise KeyError(batch_id)
        return self.started[batch_id] + timed.duration

    def _batch(self, batch_id: str, scenario: Scenario, _query: dict[str, list[str]]) -> Answer:
        with self._lock:
            step = self._polls[batch_id]
            self._polls[batch_id] += 1
        frame = scenario.frames[min(step, len(scenario.frames) - 1)]
        time.sleep(frame.delay)  # each request has its own thread: the others are answered meanwhile
        headers = {"Retry-After": frame.retry_after} if frame.retry_after is not None else {}
        if frame.socket_fault:
            return 200, {"X-Socket-Fault": frame.socket_fault}, b""
        if frame.location:
            headers["Location"] = frame.location.replace("{other}", self.redirect_target)
        if frame.http_status != 200:
            body = frame.raw_body if frame.raw_body is not None else error_body(f"Simulated HTTP {frame.http_status}.")
            return frame.http_status, headers, body
        if frame.raw_body is not None:
            return 200, headers, frame.raw_body
        return json_answer(batch_body(batch_id, frame), headers=headers)

    def _runs(self, batch_id: str, scenario: Scenario, query: dict[str, list[str]]) -> Answer:
        if scenario.runs_fault == "broken":
            return error(500, "Simulated HTTP 500.")
        try:
            limit = int(query.get("limit", ["50"])[0])
            offset = int(query.get("pagination_key", ["pk_0"])[0].removeprefix("pk_"))
        except ValueError:
            return error(400, "Invalid request format, please check API reference.")
        if not 1 <= limit <= 1000 or offset < 0:
            return error(400, "limit must be between 1 and 1000.")
        frame = self._current_frame(batch_id, scenario)
        listed = frame.total if scenario.runs_listed is None else scenario.runs_listed
        end = min(offset + limit, listed)
        items = [run_body(batch_id, scenario, frame, index) for index in range(offset, end)]
        if scenario.runs_fault == "endless":
            return json_answer({"items": items, "has_more": True, "pagination_key": "pk_0"})
        page: dict[str, Any] = {"items": items, "has_more": end < listed}
        if end < listed:
            page["pagination_key"] = f"pk_{end}"
        return json_answer(page)

    def _current_frame(self, batch_id: str, scenario: Scenario) -> Frame:
        """The frame the batch was last read at (listing runs does not move it along)."""
        with self._lock:
            step = max(self._polls[batch_id] - 1, 0)
        batches = [frame for frame in scenario.frames[: step + 1] if frame.http_status == 200 and not frame.raw_body]
        return batches[-1] if batches else Frame()
