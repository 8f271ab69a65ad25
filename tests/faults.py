"""The fault catalogue: every way the network or Retell can misbehave, and what the gate must do.

Each fault runs the real entrypoint the way the runner runs the container. Used by
tests/test_faults.py (assertions) and scripts/reliability.py (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import ssl
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retell_gate.simulator.server import Simulator
from tests.action_run import ActionRun, run_action, run_and_signal

KEY = "sim-key"
OUTPUT_NAMES = {
    "result",
    "reason",
    "status",
    "pass-count",
    "fail-count",
    "error-count",
    "total-count",
    "pass-rate",
    "batch-job-id",
    "batch-job-ids",
    "engine-id",
    "engine-version",
    "regression-count",
    "fixed-count",
    "flaky-count",
    "baseline-batch-job-ids",
    "elapsed-seconds",
    "report-path",
    "junit-path",
}


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    exit_code: int
    result: str
    batch: str = ""
    kind: str = "simulator"
    inputs: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    """Words the `reason` output must contain."""


@dataclass
class Observation:
    fault: Fault
    run: ActionRun
    seconds: float
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def outputs_written(self) -> bool:
        return set(self.run.outputs) == OUTPUT_NAMES

    @property
    def summary_written(self) -> bool:
        return self.run.summary.startswith("## ")

    @property
    def reports_written(self) -> bool:
        return self.run.outputs.get("report-path") == "r.json" and self.run.outputs.get("junit-path") == "j.xml"

    @property
    def key_leaked(self) -> bool:
        lines = [line for line in self.run.log.splitlines() if not line.startswith("::add-mask::")]
        texts = [*lines, *self.run.files.values(), *self.extra.get("workspace_files", [])]  # type: ignore[misc]
        return any(KEY in text for text in texts)


# Transient failures that never stop: the gate reads again until the timeout (a short one here, to
# keep the catalogue quick), then fails as an outage, never as a timeout.
UNTIL_TIMEOUT = {"timeout": "3"}
OUTAGE = "had been failing since"
# 503 on every read from 1 s to 17 s after the first: longer than one read's six tries (at most
# 15.5 s of backoff), so only waiting through the outage reaches the verdict (the batch completes at 18 s).
OUTAGE_BATCH = "timed-20-1-20-down-1-17"


def _statuses(template: str, what: str, exit_code: int = 3) -> list[Fault]:
    return [
        Fault(f"{template}-{s}", what.format(s), exit_code, "error", f"{template}-{s}")
        for s in (400, 401, 402, 403, 404, 422)
    ]


FAULTS: list[Fault] = [
    Fault("429-retry-after-seconds", "429 with `Retry-After: 1`, then the batch", 0, "passed", "retry-after-seconds"),
    Fault(
        "429-retry-after-date",
        "429 with `Retry-After` as an HTTP date, then the batch",
        0,
        "passed",
        "retry-after-date",
    ),
    Fault("429-no-retry-after", "429 without `Retry-After`, then the batch", 0, "passed", "retry-after-none"),
    Fault(
        "429-forever",
        "429 on every request",
        3,
        "error",
        "rate-limited",
        inputs=UNTIL_TIMEOUT,
        reason=OUTAGE,
    ),
    Fault(
        "429-long-retry-after",
        "429 with `Retry-After: 120` on every request (each wait is cut to 60 s)",
        3,
        "error",
        "retry-after-long",
        inputs=UNTIL_TIMEOUT,
        reason="the last failure: HTTP 429",
    ),
    Fault(
        "5xx-burst", "500, 502, 503, 504 in a row, then the batch", 0, "passed", "burst-5xx", inputs={"timeout": "30"}
    ),  # four backoffs: 0.5 + 1 + 2 + 4 s, less jitter
    Fault(
        "outage-recovers",
        "503 on every read from 1 s to 17 s (outlasting one read's tries), then the batch",
        0,
        "passed",
        OUTAGE_BATCH,
        inputs={"timeout": "40", "poll-interval": "0.5"},
    ),
    Fault("5xx-forever", "500 on every request", 3, "error", "server-error", inputs=UNTIL_TIMEOUT, reason=OUTAGE),
    Fault(
        "connection-refused",
        "nothing listening on the port",
        3,
        "error",
        kind="refused",
        inputs=UNTIL_TIMEOUT,
        reason=OUTAGE,
    ),
    Fault("reset-once", "connection reset mid-answer once, then the batch", 0, "passed", "reset-once"),
    Fault(
        "reset-always",
        "connection reset mid-answer on every request",
        3,
        "error",
        "reset",
        inputs=UNTIL_TIMEOUT,
        reason=OUTAGE,
    ),
    Fault(
        "never-answers",
        "accepts the connection and never answers",
        3,
        "error",
        "hang",
        inputs=UNTIL_TIMEOUT,
        reason=OUTAGE,
    ),
    Fault("trickle", "answers one byte a second", 3, "error", "trickle", inputs=UNTIL_TIMEOUT, reason=OUTAGE),
    Fault(
        "truncated-json",
        "a body cut short of its Content-Length",
        3,
        "error",
        "truncated",
        inputs=UNTIL_TIMEOUT,
        reason=OUTAGE,
    ),
    Fault("html-200", "an HTML page with status 200", 3, "error", "html-200"),
    Fault("50mb-body", "a 50 MB answer (memory must stay bounded)", 3, "error", "huge-body"),
    Fault("dns", "a host name that does not resolve", 3, "error", kind="dns", inputs=UNTIL_TIMEOUT, reason=OUTAGE),
    *_statuses("http", "HTTP {} with Retell's error body"),
    *_statuses("http-empty", "HTTP {} with an empty body"),
    Fault("missing-field", "`total_count` missing", 3, "error", "missing-field"),
    Fault("wrong-type", '`fail_count` is the string "0"', 3, "error", "wrong-type"),
    Fault("negative-count", "`error_count` is -1", 3, "error", "negative-count"),
    Fault("uncounted", "complete, but 2 of 10 test cases not counted", 1, "failed", "uncounted"),
    Fault("overcounted", "more test cases counted than the total", 3, "error", "overcounted"),
    Fault("unknown-status", 'status "cancelled" until the timeout', 3, "error", "unknown-status"),
    Fault("null-engine", "`response_engine` is null", 3, "error", "null-engine"),
    Fault("null-body", "the body is JSON `null`", 3, "error", "null-body"),
    Fault("extra-fields", "unknown extra fields (tolerated)", 0, "passed", "extra-fields"),
    Fault("redirect", "a 302 to another host (the key must not follow)", 3, "error", "redirect", kind="redirect"),
    Fault("tls-untrusted", "HTTPS with a certificate from an unknown CA", 3, "error", "passing", kind="tls-untrusted"),
    Fault(
        "tls-trusted-ca-bundle",
        "the same, with the CA given in REQUESTS_CA_BUNDLE",
        0,
        "passed",
        "passing",
        kind="tls-trusted",
    ),
    Fault(
        "sigterm-in-poll",
        "SIGTERM while waiting between polls",
        143,
        "cancelled",
        "stuck",
        kind="sigterm",
        inputs={"poll-interval": "30"},
    ),
    Fault(
        "sigint-in-poll",
        "SIGINT while waiting between polls",
        130,
        "cancelled",
        "stuck",
        kind="sigint",
        inputs={"poll-interval": "30"},
    ),
    Fault(
        "sigterm-in-backoff", "SIGTERM while backing off after a 429", 143, "cancelled", "rate-limited", kind="sigterm"
    ),
    Fault("sigint-in-backoff", "SIGINT while backing off after a 429", 130, "cancelled", "rate-limited", kind="sigint"),
]


@contextlib.contextmanager
def _server(fault: Fault, tmp: Path) -> Iterator[tuple[Simulator | None, str, dict[str, str], dict[str, object]]]:
    """(simulator, base URL, extra environment, facts for the checks) for one fault."""
    if fault.kind == "refused":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield None, f"http://127.0.0.1:{port}", {}, {}
    elif fault.kind == "dns":
        yield None, "https://retell-gate-fault.invalid", {}, {}
    elif fault.kind.startswith("tls"):
        import trustme

        ca = trustme.CA()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        ca_file = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        env = {"REQUESTS_CA_BUNDLE": str(ca_file)} if fault.kind == "tls-trusted" else {}
        with Simulator(KEY, tls=context) as simulator:
            yield simulator, simulator.url, env, {}
    elif fault.kind == "redirect":
        with Simulator(KEY) as simulator, Simulator(KEY) as other:
            simulator.redirect_target = other.url
            yield simulator, simulator.url, {}, {"other": other}
    else:
        with Simulator(KEY) as simulator:
            yield simulator, simulator.url, {}, {}


def run_fault(fault: Fault, tmp: Path) -> Observation:
    with _server(fault, tmp) as (simulator, url, env, facts):
        inputs = {
            "api-key": KEY,
            "batch-job-id": fault.batch or "passing",
            "base-url": url,
            "poll-interval": "0.1",
            "timeout": "6",
            "report-path": "r.json",
            "junit-path": "j.xml",
        } | fault.inputs
        started = time.monotonic()
        if fault.kind in ("sigterm", "sigint"):
            sig = signal.SIGTERM if fault.kind == "sigterm" else signal.SIGINT
            assert simulator is not None
            settle = 1.0 if "poll" in fault.name else 0.1  # in the sleep between polls, or in the backoff
            run = run_and_signal(tmp, inputs, sig, when=lambda: len(simulator.requests) >= 1, settle=settle)
            facts["seconds_after_signal"] = run.seconds_after_signal
        else:
            run = run_action(tmp, inputs, env)
        seconds = time.monotonic() - started
        if "other" in facts:
            other = facts.pop("other")
            assert isinstance(other, Simulator)
            facts["requests_to_other_host"] = len(other.requests)
    workspace = tmp / "workspace"
    facts["workspace_files"] = [p.read_text(errors="replace") for p in workspace.rglob("*") if p.is_file()]
    facts["max_rss_mb"] = run.max_rss_mb
    return Observation(fault, run, seconds, facts)


def run_all() -> list[Observation]:
    observations = []
    for fault in FAULTS:
        with tempfile.TemporaryDirectory() as tmp:
            observations.append(run_fault(fault, Path(tmp)))
    return observations
