"""The simulator's scripted batches: how each one progresses, and the test runs it lists."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

ENGINE = {"type": "retell-llm", "llm_id": "llm_demo_receptionist", "version": 3}
CREATED_MS = 1_764_000_000_000

NAMES = (
    "Books a table for two tonight",
    "Moves a booking to Friday",
    "Cancels a booking politely",
    "Answers opening hours",
    "Handles a caller who interrupts",
    "Transfers an angry caller to a human",
    "Spells out the confirmation code",
    "Refuses to share another guest's booking",
    "Understands a caller with background noise",
    "Ends the call when asked",
)
HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>",
    "| ## ![x](http://evil.test/x.png) [click](javascript:alert(1))",
    "::error::forged annotation",
    "##[set-output name=result;]passed",
    "line one\nline two\r\n::warning::three",
    "control \x00\x07\x1b\x7f characters",
    "`code` *bold* _it_ @everyone www.evil.test $x^2$",
    "lone surrogate \ud800 here",
    "%0A::notice::percent-encoded",
    "ghadelimiter_00000000-0000-0000-0000-000000000000",
    "</td></tr></table><details open><summary>x</summary>",
    "&lt;escaped already&gt; &amp; <b>bold</b>",
)
FAIL_EXPLANATION = (
    "The agent did not confirm the date back to the caller.\n"
    "Expected: the agent repeats the date and time before booking.\n"
    "Actual: the agent booked without confirming."
)
ERROR_EXPLANATION = "The simulated call could not be completed: the model provider timed out."
HOSTILE_EXPLANATION = "</details></td></tr></table><script>alert(1)</script>\n::error::forged\n| x | y |\n# Heading"


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
    drop: tuple[str, ...] = ()
    """Fields to leave out of the batch body."""
    socket_fault: str = ""
    """Misbehaviour below HTTP: "reset", "hang", "trickle", "truncated" or "huge" (see simulator.py)."""
    location: str = ""
    """A Location header to send (with a 3xx `http_status`)."""
    delay: float = 0.0
    """Seconds to think before answering (a slow but working API)."""


@dataclass(frozen=True)
class Scenario:
    frames: list[Frame]
    names: tuple[str, ...] = NAMES
    explanation_chars: int = 0
    """When set, every failure's explanation is padded to this length."""
    runs_tally: tuple[int, int, int] | None = None
    """(passed, failed, errored) for the runs when they should disagree with the batch."""
    runs_fault: str = ""
    """"broken" (500 on every page) or "endless" (the same pagination key again and again)."""
    runs_listed: int | None = None
    """How many runs the listing holds, when it should hold fewer than the batch's total."""
    hostile_explanations: bool = field(default=False)


def progress(total: int, final: tuple[int, int, int], steps: int) -> list[Frame]:
    """A batch that finishes its test cases over `steps` polls, then reports complete."""
    frames = []
    for step in range(steps):
        share = step / steps
        p, f, e = (int(n * share) for n in final)
        frames.append(Frame("in_progress", p, f, e, total))
    return [*frames, Frame("complete", *final, total)]


SCENARIOS: dict[str, Scenario] = {
    "passing": Scenario(progress(10, (10, 0, 0), 3)),
    "failing": Scenario(progress(10, (7, 2, 1), 3)),
    "slow": Scenario(progress(40, (38, 1, 1), 12)),
    "flaky": Scenario(
        [
            Frame(http_status=429, retry_after="0"),
            Frame("in_progress", 2, 0, 0),
            Frame(http_status=503),
            Frame(http_status=500),
            Frame("in_progress", 6, 0, 0),
            Frame(http_status=502),
            Frame("complete", 10, 0, 0),
        ]
    ),
    "stuck": Scenario([Frame("in_progress", 3, 1, 0)]),
    "empty": Scenario([Frame("complete", 0, 0, 0, 0)]),
    "uncounted": Scenario([Frame("complete", 8, 0, 0, 10)]),
    "unknown-status": Scenario([Frame("cancelled", 4, 0, 0)]),
    "overcounted": Scenario([Frame("complete", 11, 0, 0, 10)]),
    "not-json": Scenario([Frame(raw_body=b"<html>Bad gateway</html>")]),
    "string-count": Scenario([Frame("complete", 10, 0, 0, patch={"pass_count": "10"})]),
    "rate-limited": Scenario([Frame(http_status=429, retry_after="1")]),
    "server-error": Scenario([Frame(http_status=500)]),
    "hostile": Scenario([Frame("complete", 2, 6, 4, 12)], HOSTILE_NAMES, hostile_explanations=True),
    "mismatch": Scenario([Frame("complete", 10, 0, 0, 10)], runs_tally=(8, 2, 0)),
    "hidden-failures": Scenario([Frame("complete", 8, 2, 0, 10)], runs_tally=(10, 0, 0)),
    "listed-none": Scenario([Frame("complete", 10, 0, 0, 10)], runs_listed=0),
    "listed-short": Scenario([Frame("complete", 10, 0, 0, 10)], runs_listed=8),
    "listed-short-failing": Scenario([Frame("complete", 10, 0, 0, 10)], runs_tally=(7, 1, 0), runs_listed=8),
    "share-edge": Scenario([Frame("complete", 189, 0, 10, 199)]),  # 10 errored is 5.03%: above 5%
    "rate-edge": Scenario([Frame("complete", 1999, 1, 0, 2000)]),  # a pass rate of exactly 99.95%
    "single": Scenario([Frame("complete", 1, 0, 0, 1)]),
    # Another engine, reporting no version (Retell ran its latest draft).
    "flow-latest": Scenario(
        [
            Frame(
                "complete",
                10,
                0,
                0,
                patch={"response_engine": {"type": "conversation-flow", "conversation_flow_id": "conversation_flow_x"}},
            )
        ]
    ),
    "stuck-passing": Scenario([Frame("in_progress", 1, 0, 0)]),
    "slow-stuck": Scenario([Frame("in_progress", 1, 0, 0, delay=2.5)]),  # each read answered after 2.5 s
    # Three failures at the second read, then a long way to go: what `fail-fast` stops early on.
    "fails-early": Scenario(
        [
            Frame("in_progress", 0, 0, 0, 20),
            *(Frame("in_progress", passed, 3, 0, 20) for passed in range(1, 17)),
            Frame("complete", 17, 3, 0, 20),
        ]
    ),
    "runs-broken": Scenario([Frame("complete", 7, 2, 1, 10)], runs_fault="broken"),
    "endless-pages": Scenario([Frame("complete", 10, 0, 0, 10)], runs_fault="endless"),
    "many-failures": Scenario([Frame("complete", 5, 20, 5, 30)]),
    "big": Scenario([Frame("complete", 9000, 700, 300, 10_000)], explanation_chars=2000),
    # Faults, one per scenario; tests/faults.py runs the gate against each.
    "retry-after-seconds": Scenario([Frame(http_status=429, retry_after="1"), Frame("complete", 10, 0, 0)]),
    "retry-after-date": Scenario(
        [Frame(http_status=429, retry_after="Thu, 01 Jan 1970 00:00:01 GMT"), Frame("complete", 10, 0, 0)]
    ),
    "retry-after-none": Scenario([Frame(http_status=429), Frame("complete", 10, 0, 0)]),
    "retry-after-long": Scenario([Frame(http_status=429, retry_after="120")]),
    "burst-5xx": Scenario(
        [
            Frame(http_status=500),
            Frame(http_status=502),
            Frame(http_status=503),
            Frame(http_status=504),
            Frame("complete", 10, 0, 0),
        ]
    ),
    "reset": Scenario([Frame(socket_fault="reset")]),
    "reset-once": Scenario([Frame(socket_fault="reset"), Frame("complete", 10, 0, 0)]),
    "hang": Scenario([Frame(socket_fault="hang")]),
    "trickle": Scenario([Frame(socket_fault="trickle")]),
    "truncated": Scenario([Frame(socket_fault="truncated")]),
    "html-200": Scenario([Frame(raw_body=b"<!doctype html><title>Maintenance</title><h1>Back soon</h1>")]),
    "huge-body": Scenario([Frame(socket_fault="huge")]),
    "missing-field": Scenario([Frame("complete", 10, 0, 0, drop=("total_count",))]),
    "wrong-type": Scenario([Frame("complete", 10, 0, 0, patch={"fail_count": "0"})]),
    "negative-count": Scenario([Frame("complete", 10, 0, 0, patch={"error_count": -1})]),
    "null-engine": Scenario([Frame("complete", 10, 0, 0, patch={"response_engine": None})]),
    "null-body": Scenario([Frame(raw_body=b"null")]),
    "extra-fields": Scenario([Frame("complete", 10, 0, 0, patch={"new_field": {"x": [1, 2]}, "cost_cents": 3})]),
    "redirect": Scenario([Frame(http_status=302, location="{other}/get-batch-test/passing")]),
    **{f"http-{status}": Scenario([Frame(http_status=status)]) for status in (400, 401, 402, 403, 404, 422)},
    **{
        f"http-{status}-empty": Scenario([Frame(http_status=status, raw_body=b"")])
        for status in (400, 401, 402, 403, 404, 422)
    },
}


MAX_COUNTED = 10_000


def find(batch_id: str) -> Scenario | None:
    """The scenario a batch ID names: `name` itself, or `name-<anything>` for a fresh batch; or a
    batch with the counts it names (`counted`)."""
    matches = [name for name in SCENARIOS if batch_id == name or batch_id.startswith(name + "-")]
    return SCENARIOS[max(matches, key=len)] if matches else counted(batch_id)


def counted(batch_id: str) -> Scenario | None:
    """`counts-<passed>-<failed>-<errored>[-<anything>]`: a batch that ends with these counts, half of
    them finished at its second read and complete at its third (for thresholds on several batches)."""
    parts = batch_id.split("-")
    if len(parts) < 4 or parts[0] != "counts" or not all(p.isdigit() and len(p) <= 5 for p in parts[1:4]):
        return None
    final = (int(parts[1]), int(parts[2]), int(parts[3]))
    if not 0 < sum(final) <= MAX_COUNTED:
        return None
    return Scenario(progress(sum(final), final, 2))


def batch_body(batch_id: str, frame: Frame) -> dict[str, Any]:
    body = {
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
    body |= frame.patch or {}
    return {name: value for name, value in body.items() if name not in frame.drop}


def run_body(batch_id: str, scenario: Scenario, frame: Frame, index: int) -> dict[str, Any]:
    """Test run number `index` of the batch as it stands at `frame`."""
    passed, failed, errored = scenario.runs_tally or (frame.passed, frame.failed, frame.errored)
    status = (
        "pass"
        if index < passed
        else "fail"
        if index < passed + failed
        else "error"
        if index < passed + failed + errored
        else "in_progress"
    )
    names = scenario.names
    name = names[index % len(names)] + (f" #{index // len(names) + 1}" if index >= len(names) else "")
    return {
        "test_case_job_id": f"tcj_{batch_id}_{index:05d}",
        "status": status,
        "test_case_definition_id": f"tcd_{index % len(names):03d}",
        "test_case_definition_snapshot": {"name": name, "type": "simulation", "user_prompt": "You are a caller."},
        "result_explanation": _explanation(scenario, status),
        "transcript_snapshot": {"anything": ["goes", 1, None]},
        "creation_timestamp": CREATED_MS,
        "user_modified_timestamp": CREATED_MS + 30_000,
    }


def _explanation(scenario: Scenario, status: str) -> str | None:
    if status == "pass":
        return "The agent met every metric."
    if status == "in_progress":
        return None
    if scenario.hostile_explanations:
        return HOSTILE_EXPLANATION
    text = FAIL_EXPLANATION if status == "fail" else ERROR_EXPLANATION
    return text.ljust(scenario.explanation_chars, ".") if scenario.explanation_chars else text


@dataclass(frozen=True)
class Timed:
    """A batch whose test cases finish at random times: `timed-<seed>-<count>-<seconds>[-<anything>]`.

    Its clock starts at the first request for it; `seed` fixes when each test case finishes
    (uniformly within `seconds`), so two batch IDs with the same numbers finish alike. With
    `-down-<from>-<to>` after the numbers, reading the batch answers 503 from `from` seconds until
    `to` seconds (an outage in wall-clock time, however often the gate asks). `-outage-<from>-<to>`
    is the same outage with `Retry-After: 0`, so one read's tries run out at once: the gate waits
    through it as an outage within seconds (for quick tests).
    """

    finishes: tuple[float, ...]
    down: tuple[float, float] = (0.0, 0.0)
    retry_now: bool = False

    @classmethod
    def parse(cls, batch_id: str) -> Timed | None:
        parts = batch_id.split("-")
        if len(parts) < 4 or parts[0] != "timed" or not all(p.isdigit() for p in parts[1:4]):
            return None
        seed, count, seconds = (int(p) for p in parts[1:4])
        rng = random.Random(seed)  # noqa: S311 - a reproducible schedule, not a secret
        finishes = tuple(sorted(rng.uniform(0, seconds) for _ in range(max(count, 1))))
        if len(parts) >= 7 and parts[4] in ("down", "outage") and parts[5].isdigit() and parts[6].isdigit():
            return cls(finishes, (float(parts[5]), float(parts[6])), retry_now=parts[4] == "outage")
        return cls(finishes)

    @property
    def duration(self) -> float:
        return self.finishes[-1]

    def frame(self, elapsed: float) -> Frame:
        if self.down[0] <= elapsed < self.down[1]:
            return Frame(http_status=503, retry_after="0" if self.retry_now else None)
        done = sum(1 for finish in self.finishes if finish <= elapsed)
        status = "complete" if done == len(self.finishes) else "in_progress"
        return Frame(status, done, 0, 0, len(self.finishes))
