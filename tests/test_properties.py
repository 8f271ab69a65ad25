"""Property tests: whatever Retell sends and whatever the thresholds, the gate stays closed and inert."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import requests_mock as rm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retell_gate.cli import run
from retell_gate.judge.outcome import Outcome
from retell_gate.judge.verdict import decide
from retell_gate.report.junit import to_junit
from retell_gate.report.summary import render
from retell_gate.retell.listing import RunListing
from retell_gate.runner.github import escape_data
from tests.conftest import FakeClock
from tests.factories import batch, batch_body, config, make_run, one
from tests.runner_rules import parse_output_file, workflow_commands
from tests.test_summary import OUR_TAGS, rendered_html

BASE = "https://api.test"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
count_values = st.one_of(st.integers(-3, 12), st.booleans(), st.floats(-1, 12), st.text(max_size=3), st.none())


@st.composite
def near_valid_bodies(draw: st.DrawFn) -> Any:
    """A batch body with some fields replaced by anything, some removed, some counts odd."""
    body: dict[str, Any] = batch_body(
        status=draw(st.sampled_from(["complete", "in_progress", "pending", "", "COMPLETE"])),
        passed=draw(st.integers(0, 10)),
        failed=draw(st.integers(0, 2)),
        errored=draw(st.integers(0, 2)),
    )
    body["total_count"] = draw(st.one_of(st.just(body["total_count"]), count_values))
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=3)):
        body[name] = draw(st.one_of(json_values, count_values))
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=2)):
        body.pop(name, None)
    return body


well_formed_bodies = st.builds(
    batch_body,
    status=st.sampled_from(["complete", "in_progress", "pending", "failed", "Complete", ""]),
    passed=st.integers(0, 5),
    failed=st.integers(0, 1),
    errored=st.integers(0, 1),
    total=st.one_of(st.none(), st.integers(0, 8)),
)


def is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def valid_passing_batch(body: Any) -> bool:
    """The rules, stated plainly and independently: only this may pass at the default thresholds."""
    if not isinstance(body, dict):
        return False
    engine = body.get("response_engine")
    counts = [body.get(name) for name in ("pass_count", "fail_count", "error_count", "total_count")]
    return (
        body.get("test_case_batch_job_id") == "batch_1"
        and body.get("status") == "complete"
        and isinstance(engine, dict)
        and isinstance(engine.get("type"), str)
        and all(isinstance(engine.get(k), str | None) for k in ("llm_id", "conversation_flow_id", "llm_websocket_url"))
        and (engine.get("version") is None or type(engine.get("version")) in (int, float))
        and all(is_count(c) for c in counts)
        and all(type(body.get(t)) is int for t in ("creation_timestamp", "user_modified_timestamp"))
        and counts[1] == counts[2] == 0
        and counts[0] == counts[3] > 0  # every test case passed: none failed, errored or uncounted
    )


def run_gate_on(body: Any) -> tuple[int, str]:
    """The gate in-process (real config, client, verdict and reporting), Retell mocked, time faked."""
    clock = FakeClock()
    log = io.StringIO()
    env = {
        "INPUT_API-KEY": "k_secret_123",
        "INPUT_BATCH-JOB-ID": "batch_1",
        "INPUT_BASE-URL": BASE,
        "INPUT_TIMEOUT": "30",
        "GITHUB_ACTIONS": "true",
    }
    with rm.Mocker() as mock:
        mock.get(f"{BASE}/get-batch-test/batch_1", content=json.dumps(body).encode())
        mock.get(re.compile(f"{BASE}/v2/list-test-runs/.*"), status_code=404)
        code = run([], env, log, clock=clock, sleep=clock.sleep)
    return code, log.getvalue()


@SETTINGS
@given(st.one_of(json_values, near_valid_bodies(), well_formed_bodies))
def test_any_body_passes_only_if_it_is_a_valid_complete_batch_within_the_thresholds(body: Any) -> None:
    code, log = run_gate_on(body)
    assert "Traceback" not in log
    assert code in (0, 1, 3, 4)
    assert (code == 0) == valid_passing_batch(body), log
    assert "k_secret_123" not in log.replace("::add-mask::k_secret_123", "")


def plain_verdict(
    passed: int,
    failed: int,
    errored: int,
    total: int,
    max_failures: str,
    max_errors: str,
    min_rate: str,
    allow_empty: bool,
) -> bool:
    """The README's rules in the plainest words, with exact fractions."""
    errored += total - (passed + failed + errored)  # uncounted test cases are errors

    def over(count: int, limit: str) -> bool:
        if limit.endswith("%"):
            return Fraction(count, 1) > Fraction(Decimal(limit[:-1])) / 100 * total
        return count > int(limit)

    if total == 0 and not allow_empty:
        return False
    if over(failed, max_failures) or over(errored, max_errors):
        return False
    return not (min_rate and total and Fraction(passed, total) * 100 < Fraction(Decimal(min_rate)))


limits = st.one_of(st.integers(0, 20).map(str), st.decimals(0, 100, places=1).map(lambda d: f"{d}%"))


@SETTINGS
@given(
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    limits,
    limits,
    st.one_of(st.just(""), st.decimals(0, 100, places=2).map(str)),
    st.booleans(),
)
def test_the_verdict_agrees_with_the_plain_rules(
    passed: int,
    failed: int,
    errored: int,
    extra: int,
    max_failures: str,
    max_errors: str,
    min_rate: str,
    allow_empty: bool,
) -> None:
    total = passed + failed + errored + extra
    inputs = {
        "max_failures": max_failures,
        "max_errors": max_errors,
        "min_pass_rate": min_rate,
        "allow_empty": "true" if allow_empty else "false",
    }
    verdict = decide(batch(passed=passed, failed=failed, errored=errored, total=total), config(**inputs))
    assert verdict.passed == plain_verdict(
        passed, failed, errored, total, max_failures, max_errors, min_rate, allow_empty
    )


# Any characters, surrogates included (JSON can carry them), and some known-hostile strings.
any_text = st.text(st.characters(exclude_categories=()), max_size=60) | st.sampled_from(
    ["<img src=x onerror=alert(1)>", "| ## ![x](http://e)", "::error::x", "##[set-output name=a;]b", "\r\n", "`", "]]>"]
)


@SETTINGS
@given(
    runs=st.lists(
        st.tuples(st.sampled_from(["pass", "fail", "error", "in_progress"]), any_text, any_text), min_size=1, max_size=6
    ),
    message=any_text,
)
def test_any_text_stays_inert_everywhere(runs: list[tuple[str, str, str]], message: str, tmp_path: Path) -> None:
    listing = RunListing(tuple(make_run(i, status, name or None, text) for i, (status, name, text) in enumerate(runs)))
    judged = batch(status="complete", passed=1, total=1)
    outcome = Outcome(
        "error",
        f"Retell refused the request: HTTP 400: {message}",
        3,
        one(read=judged, listing=listing),
        1.0,
        warnings=(message,),
    )
    # The summary: only our own markup, whatever the names and explanations hold.
    html = rendered_html(render(outcome))
    assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)) <= OUR_TAGS
    # Annotations and log lines: each stays one command, with the text intact.
    from retell_gate.runner.github import Workflow

    log = io.StringIO()
    workflow = Workflow({"GITHUB_ACTIONS": "true"}, log)
    workflow.annotate("error", message, title=message)
    workflow.log_untrusted(message)
    commands = workflow_commands(log.getvalue())
    assert [c.name for c in commands] == ["error"]
    assert "\n" not in escape_data(message)
    assert "\r" not in escape_data(message)
    # Outputs: parse back with the runner's rules to exactly what was written.
    path = tmp_path / "outputs.txt"
    path.write_text("")
    Workflow({"GITHUB_OUTPUT": str(path), "GITHUB_ACTIONS": "true"}, io.StringIO()).set_outputs({"reason": message})
    assert parse_output_file(path.read_bytes().decode()) == {"reason": message.encode("utf-8", "replace").decode()}
    # JUnit: always well-formed XML.
    ET.fromstring(to_junit(outcome).encode("utf-8", "replace"))  # noqa: S314 - our own output


def test_the_oracle_and_the_gate_agree_on_plain_cases() -> None:
    assert valid_passing_batch(batch_body())
    assert run_gate_on(batch_body())[0] == 0
    assert not valid_passing_batch(batch_body(failed=1))
    assert run_gate_on(batch_body(failed=1))[0] == 1
