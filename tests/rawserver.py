"""A loopback TCP server that misbehaves on purpose, for what mocks cannot show."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each to `behaviour` on its own thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self._behaviour(conn)
            except OSError:
                pass

    def stopped(self) -> bool:
        return self._stop.is_set()


def hang(server_stop: Callable[[], bool]) -> Behaviour:
    """Accept the request and never answer (until the server stops)."""

    def behaviour(conn: socket.socket) -> None:
        while not server_stop():
            time.sleep(0.05)

    return behaviour


def trickle(body: bytes, server_stop: Callable[[], bool], every: float = 0.2) -> Behaviour:
    """Send the headers, then the body one byte at a time."""

    def behaviour(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        for byte in body:
            if server_stop():
                return
            conn.sendall(bytes([byte]))
            time.sleep(every)

    return behaviour


def reset_mid_body(conn: socket.socket) -> None:
    """Promise a body, send part of it, then reset the connection."""
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"test_case_batch_job_id": "b')
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def slow_headers(server_stop: Callable[[], bool], lines: int = 30, every: float = 0.3) -> Behaviour:
    """Send the status line, then one header line every `every` seconds (`lines` of them), then a body:
    every read gets bytes in time, yet the answer takes `lines × every` seconds."""

    def behaviour(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        for _ in range(lines):
            if server_stop():
                return
            conn.sendall(b"X-Pad: a\r\n")
            time.sleep(every)
        conn.sendall(b"Content-Length: 2\r\n\r\n{}")

    return behaviour
