"""The simulator's HTTP exchange: requests handed to an answerer (Simulator.answer), and answers written back,
or broken on purpose below the level of status codes (a reset, a hang, a trickle, ...)."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
"""Status, headers and body of one answer."""
MAX_REQUEST_BYTES = 1024 * 1024


def error_body(message: str) -> bytes:
    """Retell's shape of an error."""
    return json.dumps({"status": "error", "message": message}).encode()


def error(status: int, message: str) -> Answer:
    return status, {}, error_body(message)


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, headers or {}, json.dumps(body).encode()


Answerer = Callable[[str, str, str, bytes], Answer]
"""(path with query, Authorization header, method, body) to an Answer: Simulator.answer."""


def handler_for(answer: Answerer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # the name http.server looks for
            self._reply(answer(self.path, self.headers.get("Authorization", ""), "GET", b""))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = self.rfile.read(min(length, MAX_REQUEST_BYTES)) if length > 0 else b""
            self._reply(answer(self.path, self.headers.get("Authorization", ""), "POST", request))

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
