"""A local stand-in for Retell's batch-test API, for the tests and the demo.

    python -m retell_gate.simulator [--port 8089] [--api-key sim-key]

It serves `GET /get-batch-test/{id}` on 127.0.0.1. The batch ID picks the scenario: `passing`, or
`passing-<anything>` for a fresh batch with the same script. Every GET of a batch moves it one
frame along its script, so a run sees it progress; the last frame repeats. Requests without
`Authorization: Bearer <api key>` get Retell's 401, unknown scenarios its 404.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENGINE = {"type": "retell-llm", "llm_id": "llm_demo_receptionist", "version": 3}
CREATED_MS = 1_764_000_000_000


@dataclass(frozen=True)
class Frame:
    """One answer: a batch with these counts, or an HTTP error (`http_status` set)."""

    status: str = "in_progress"
    passed: int = 0
    failed: int = 0
    errored: int = 0
    total: int = 10
    http_status: int = 200
    retry_after: str | None = None
    raw_body: bytes | None = None
    patch: dict[str, Any] | None = None
    """Fields to replace in the batch body, to break its schema on purpose."""


def _progress(total: int, final: tuple[int, int, int], steps: int) -> list[Frame]:
    """A batch that finishes its test cases over `steps` polls, then reports complete."""
    frames = []
    for step in range(steps):
        share = step / steps
        p, f, e = (int(n * share) for n in final)
        frames.append(Frame("in_progress", p, f, e, total))
    return [*frames, Frame("complete", *final, total)]


SCENARIOS: dict[str, list[Frame]] = {
    "passing": _progress(10, (10, 0, 0), 3),
    "failing": _progress(10, (7, 2, 1), 3),
    "slow": _progress(40, (38, 1, 1), 12),
    "flaky": [
        Frame(http_status=429, retry_after="0"),
        Frame("in_progress", 2, 0, 0),
        Frame(http_status=503),
        Frame(http_status=500),
        Frame("in_progress", 6, 0, 0),
        Frame(http_status=502),
        Frame("complete", 10, 0, 0),
    ],
    "stuck": [Frame("in_progress", 3, 0, 0)],
    "empty": [Frame("complete", 0, 0, 0, 0)],
    "uncounted": [Frame("complete", 8, 0, 0, 10)],
    "unknown-status": [Frame("cancelled", 4, 0, 0)],
    "overcounted": [Frame("complete", 11, 0, 0, 10)],
    "not-json": [Frame(raw_body=b"<html>Bad gateway</html>")],
    "string-count": [Frame("complete", 10, 0, 0, patch={"pass_count": "10"})],
    "rate-limited": [Frame(http_status=429, retry_after="1")],
    "server-error": [Frame(http_status=500)],
}


def batch_body(batch_id: str, frame: Frame) -> dict[str, Any]:
    return {
        "test_case_batch_job_id": batch_id,
        "status": frame.status,
        "response_engine": ENGINE,
        "pass_count": frame.passed,
        "fail_count": frame.failed,
        "error_count": frame.errored,
        "total_count": frame.total,
        "creation_timestamp": CREATED_MS,
        "user_modified_timestamp": CREATED_MS + 60_000,
    }


def error_body(message: str) -> bytes:
    return json.dumps({"status": "error", "message": message}).encode()


class Simulator:
    """The server; use as a context manager to run it on a background thread."""

    def __init__(self, api_key: str = "sim-key", port: int = 0) -> None:
        self.api_key = api_key
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header), in order
        self._polls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Simulator:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def answer(self, path: str, authorization: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request."""
        with self._lock:
            self.requests.append((path, authorization))
        if authorization != f"Bearer {self.api_key}":
            return 401, {}, error_body("API key is missing or invalid.")
        prefix = "/get-batch-test/"
        batch_id = path[len(prefix) :] if path.startswith(prefix) else ""
        script = SCENARIOS.get(batch_id.split("-", 1)[0]) or SCENARIOS.get(batch_id)
        if not batch_id or script is None:
            return 404, {}, error_body("The requested resource was not found.")
        with self._lock:
            step = self._polls[batch_id]
            self._polls[batch_id] += 1
        return _frame_answer(batch_id, script[min(step, len(script) - 1)])


def _frame_answer(batch_id: str, frame: Frame) -> tuple[int, dict[str, str], bytes]:
    headers = {"Retry-After": frame.retry_after} if frame.retry_after is not None else {}
    if frame.http_status != 200:
        return frame.http_status, headers, error_body(f"Simulated HTTP {frame.http_status}.")
    if frame.raw_body is not None:
        return 200, headers, frame.raw_body
    body = batch_body(batch_id, frame) | (frame.patch or {})
    return 200, headers, json.dumps(body).encode()


def _handler_for(simulator: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # the name http.server looks for
            status, headers, body = simulator.answer(self.path, self.headers.get("Authorization", ""))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the gate's own log tells the story

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--api-key", default="sim-key")
    args = parser.parse_args()
    simulator = Simulator(args.api_key, args.port)
    print(f"Retell simulator on {simulator.url} (API key {args.api_key!r}); scenarios: {', '.join(SCENARIOS)}")
    print("Stop it with Ctrl-C.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        simulator.serve_forever()


if __name__ == "__main__":
    main()
