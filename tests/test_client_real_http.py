"""The client over real loopback sockets: what a mock cannot show (hangs, trickles, resets)."""

from __future__ import annotations

import socket
import time

import pytest

from retell_gate.errors import ApiError
from retell_gate.net import transport as transport_module
from retell_gate.retell.client import RetellClient
from retell_gate.simulator.server import Simulator
from tests.rawserver import RawServer, hang, reset_mid_body, slow_headers, trickle

# Generous bounds: they catch a deadline that is ignored (the client would wait 60 s a try), not slowness.
SLACK = 5.0


def real_client(url: str, key: str = "sim-key") -> RetellClient:
    """Real sockets and a real clock; backoff sleeps are skipped to keep the suite quick."""
    return RetellClient(url, key, sleep=lambda _seconds: None)


def test_reads_a_batch_from_the_simulator(simulator: Simulator) -> None:
    batch = real_client(simulator.url).get_batch("failing-x", time.monotonic() + 10)
    assert batch.state == "in_progress"
    assert simulator.requests == [("/get-batch-test/failing-x", "Bearer sim-key")]


def test_flaky_answers_are_retried_over_real_http(simulator: Simulator) -> None:
    client = real_client(simulator.url)
    first = client.get_batch("flaky-1", time.monotonic() + 30)  # a 429 with Retry-After: 0, then an answer
    assert first.pass_count == 2
    assert len(simulator.requests) == 2


def test_a_wrong_key_gets_retells_401(simulator: Simulator) -> None:
    with pytest.raises(ApiError, match="HTTP 401: API key is missing or invalid"):
        real_client(simulator.url, "wrong-key").get_batch("passing", time.monotonic() + 10)


def test_a_server_that_never_answers_cannot_hold_past_the_deadline() -> None:
    server = RawServer(lambda conn: None)
    server._behaviour = hang(server.stopped)
    with server:
        started = time.monotonic()
        with pytest.raises(ApiError, match="no answer in time"):
            real_client(server.url).get_batch("b", started + 1.5)
        assert time.monotonic() - started < 1.5 + SLACK


def test_a_trickling_body_is_cut_off_at_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport_module, "REQUEST_SECONDS", 1.0)
    server = RawServer(lambda conn: None)
    server._behaviour = trickle(b'{"x": "' + b"a" * 200 + b'"}', server.stopped)
    with server:
        started = time.monotonic()
        with pytest.raises(ApiError):
            real_client(server.url).get_batch("b", started + 2.5)
        assert time.monotonic() - started < 2.5 + SLACK
        assert server.connections >= 2  # it was retried within the deadline


def test_headers_sent_a_line_at_a_time_are_cut_off_at_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every socket read gets a byte within its timeout: only a bound on the whole try ends it (9 s a try).
    monkeypatch.setattr(transport_module, "REQUEST_SECONDS", 1.0)
    server = RawServer(lambda conn: None)
    server._behaviour = slow_headers(server.stopped)
    with server:
        started = time.monotonic()
        with pytest.raises(ApiError, match=r"no whole answer (within 1 s|in time)"):
            real_client(server.url).get_batch("b", started + 2.5)
        assert time.monotonic() - started < 2.5 + SLACK


def test_a_connection_reset_mid_body_is_retried_then_reported() -> None:
    with RawServer(reset_mid_body) as server:
        with pytest.raises(ApiError, match=r"the connection failed|no answer") as caught:
            real_client(server.url).get_batch("b", time.monotonic() + 20)
        assert server.connections == 6
    assert "tries in a row" in caught.value.message


def test_connection_refused_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ApiError, match=r"the connection failed \(ConnectionError\)"):
        real_client(f"http://127.0.0.1:{port}").get_batch("b", time.monotonic() + 20)


@pytest.mark.parametrize("key", ["key_0123456789", 'key_with"quote\\and/slash'])
def test_a_key_the_api_quotes_back_is_cut_out_of_the_answer_as_it_arrives(key: str) -> None:
    with Simulator(api_key=key) as echoing, pytest.raises(ApiError) as caught:
        real_client(echoing.url, key).get_batch("echo-key", time.monotonic() + 10)
    assert "HTTP 401: API key *** is not valid here" in caught.value.message
    assert key not in caught.value.message


def test_answers_are_asked_for_uncompressed_so_a_server_that_gzips_when_asked_is_read() -> None:
    import gzip
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from retell_gate.simulator.frames import Frame, batch_body

    asked: list[str] = []

    class Gzipping(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(batch_body("b1", Frame("complete", 10, 0, 0))).encode()
            asked.append(self.headers.get("Accept-Encoding", ""))
            self.send_response(200)
            if "gzip" in asked[-1]:  # as CDNs do
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gzipping)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        batch = real_client(f"http://127.0.0.1:{server.server_address[1]}").get_batch("b1", time.monotonic() + 10)
    finally:
        server.shutdown()
    assert batch.pass_count == 10
    assert asked == ["identity"]


@pytest.mark.parametrize("key", ["test", "passed", "status"])
def test_a_short_key_that_is_also_ordinary_text_leaves_the_answers_intact(key: str) -> None:
    # Cut out of parsed strings only, and only from 8 characters: "status" must stay a field name.
    with Simulator(api_key=key) as retell:
        batch = real_client(retell.url, key).get_batch("passing", time.monotonic() + 10)
    assert (batch.test_case_batch_job_id, batch.status) == ("passing", "in_progress")  # its first reading, whole
