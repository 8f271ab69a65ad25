"""What the simulator answers with: a batch as it stands at one read (Frame), a scripted batch (Scenario),
and the JSON bodies of a batch and of its test runs."""

from __future__ import annotations

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
    """Misbehaviour below HTTP: "reset", "hang", "trickle", "truncated" or "huge" (see wire.misbehave)."""
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
