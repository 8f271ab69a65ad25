"""A local stand-in for Retell's test API, for the tests and the demo.

    python -m retell_gate.simulator [--port 8089] [--api-key sim-key]

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

import argparse
import contextlib
import json
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .scenarios import SCENARIOS, Frame, Scenario, Timed, batch_body, find, run_body
from .starts import Starts

Answer = tuple[int, dict[str, str], bytes]
BATCH_PATH = "/get-batch-test/"
RUNS_PATH = "/v2/list-test-runs/"
MAX_REQUEST_BYTES = 1024 * 1024


def error_body(message: str) -> bytes:
    return json.dumps({"status": "error", "message": message}).encode()


def json_answer(body: Any, headers: dict[str, str] | None = None) -> Answer:
    return 200, headers or {}, json.dumps(body).encode()


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
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._scheme = "http"
        if tls is not None:  # HTTPS, for testing certificate checks
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def __enter__(self) -> Simulator:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stopping = True  # type: ignore[attr-defined]  # ends hanging and trickling answers
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def answer(self, target: str, authorization: str, method: str = "GET", body: bytes = b"") -> Answer:
        """Status, headers and body for one request."""
        with self._lock:
            self.requests.append((target, authorization))
            self.calls.append((method, target))
        if target.startswith(f"{BATCH_PATH}echo-key"):  # an API that quotes the key it was sent back
            return 401, {}, error_body(f"API key {authorization.removeprefix('Bearer ')} is not valid here.")
        if authorization != f"Bearer {self.api_key}":
            return 401, {}, error_body("API key is missing or invalid.")
        started = self.starts.answer(method, target, body)
        if started is not None or method != "GET":
            return started or (404, {}, error_body("The requested resource was not found."))
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
        return 404, {}, error_body("The requested resource was not found.")

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
        return json_answer(batch_body(batch_id, frame), headers)

    def _runs(self, batch_id: str, scenario: Scenario, query: dict[str, list[str]]) -> Answer:
        if scenario.runs_fault == "broken":
            return 500, {}, error_body("Simulated HTTP 500.")
        try:
            limit = int(query.get("limit", ["50"])[0])
            offset = int(query.get("pagination_key", ["pk_0"])[0].removeprefix("pk_"))
        except ValueError:
            return 400, {}, error_body("Invalid request format, please check API reference.")
        if not 1 <= limit <= 1000 or offset < 0:
            return 400, {}, error_body("limit must be between 1 and 1000.")
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


def _handler_for(simulator: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # the name http.server looks for
            self._reply(simulator.answer(self.path, self.headers.get("Authorization", "")))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = self.rfile.read(min(length, MAX_REQUEST_BYTES)) if length > 0 else b""
            self._reply(simulator.answer(self.path, self.headers.get("Authorization", ""), "POST", request))

        def _reply(self, answer: Answer) -> None:
            status, headers, body = answer
            fault = headers.pop("X-Socket-Fault", "")
            if fault:
                misbehave(self, fault)
                return
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


def misbehave(handler: BaseHTTPRequestHandler, fault: str) -> None:
    """Break the HTTP exchange below the level of status codes, as networks and proxies do."""
    connection = handler.connection
    handler.close_connection = True
    if fault == "hang":  # accept, read the request, never answer
        while not getattr(handler.server, "stopping", False):
            time.sleep(0.05)
        return
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if fault == "reset":  # promise a body, send part of it, then reset the connection
        connection.sendall(head + b'Content-Length: 400\r\n\r\n{"test_case_batch_job_id": ')
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif fault == "truncated":  # a body cut short, then a clean close
        connection.sendall(head + b'Content-Length: 400\r\n\r\n{"test_case_batch_job_id": "trunc')
    elif fault == "trickle":  # one byte a second, forever
        connection.sendall(head + b"Content-Length: 100000\r\n\r\n")
        while not getattr(handler.server, "stopping", False):
            connection.sendall(b" ")
            time.sleep(1)
    elif fault == "huge":  # a 50 MB answer
        size = 50 * 1000 * 1000
        connection.sendall(head + f"Content-Length: {size}\r\n\r\n".encode())
        chunk = b" " * 65536
        with contextlib.suppress(OSError):
            for _ in range(size // len(chunk)):
                connection.sendall(chunk)


def _listen_on(simulator: Simulator, host: str, port: int, tls: ssl.SSLContext | None) -> None:
    """Move the simulator off loopback, for the command line: a container cannot reach the host's loopback."""
    server = ThreadingHTTPServer((host, port), _handler_for(simulator))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    simulator._server.server_close()
    simulator._server = server
    simulator._scheme = "https" if tls is not None else "http"


def _throwaway_ca(names: list[str]) -> tuple[ssl.SSLContext, bytes]:
    """A server context with a certificate for `names` from a fresh CA, and that CA's certificate (PEM)."""
    import trustme  # a development tool, needed only here

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context, ca.cert_pem.bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--api-key", default="sim-key")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for every interface")
    parser.add_argument(
        "--tls-ca-out",
        metavar="PATH",
        help="serve HTTPS with a certificate from a throwaway CA (needs trustme) and write the CA's certificate "
        "to PATH once listening, for REQUESTS_CA_BUNDLE",
    )
    parser.add_argument(
        "--tls-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name or IP address the certificate is for (repeatable); 127.0.0.1, localhost and --host "
        "always are",
    )
    args = parser.parse_args()
    every_interface = "0.0.0.0"  # noqa: S104 - listening there is the point; it is no name to certify
    names = [n for n in dict.fromkeys(["127.0.0.1", "localhost", args.host, *args.tls_name]) if n != every_interface]
    tls, ca_pem = _throwaway_ca(names) if args.tls_ca_out else (None, b"")
    simulator = Simulator(args.api_key, args.port if args.host == "127.0.0.1" else 0, tls)
    if args.host != "127.0.0.1":
        _listen_on(simulator, args.host, args.port, tls)
    if args.tls_ca_out:  # written once listening, so a script can wait for the file
        Path(args.tls_ca_out).write_bytes(ca_pem)
    print(f"Retell simulator on {simulator.url} (API key {args.api_key!r}); scenarios: {', '.join(SCENARIOS)}")
    if tls is not None:
        print(f"HTTPS for {', '.join(names)}; the CA's certificate is in {args.tls_ca_out}")
    print("Stop it with Ctrl-C.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        simulator.serve_forever()


if __name__ == "__main__":
    main()
