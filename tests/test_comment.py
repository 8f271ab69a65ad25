"""The pull-request comment's body: short, marked, escaped, and under GitHub's limit whatever the batch."""

from __future__ import annotations

import dataclasses
import re

import pytest

from retell_gate.judge.outcome import Outcome
from retell_gate.report.comment import LIMIT_CHARS, Place, is_marked, marker, render, render_running
from tests.factories import one, with_listing
from tests.summary_cases import CASES, HOSTILE
from tests.test_summary import MENTION, OUR_TAGS, big_outcome, rendered_html

RUN = "https://github.com/octo-org/agent/actions/runs/123"
PLACE = Place(marker("Agent tests", "retell"), RUN)


def test_the_marker_is_the_hidden_first_line() -> None:
    body = render(CASES["failed"], PLACE)
    assert body.splitlines()[0] == "<!-- retell-batch-gate workflow=Agent%20tests job=retell -->"
    assert is_marked(body, PLACE.marker)
    assert "retell-batch-gate" not in re.sub(r"<!--.*?-->", "", rendered_html(body))


def test_each_workflow_job_and_engine_has_its_own_marker() -> None:
    markers = {
        marker("Agent tests", "retell"),
        marker("Agent tests", "retell-eu"),
        marker("Nightly", "retell"),
        marker("Agent tests", "retell", "retell-llm.llm_1"),
        marker("Agent tests", "retell", "retell-llm.llm_2"),
    }
    assert len(markers) == 5
    assert marker("Agent tests", "retell") == marker("Agent tests", "retell")


@pytest.mark.parametrize("name", ["x --> <b>y</b>", "a\nb", 'q" job=other', "a -- b", "<!-- x -->"])
def test_no_workflow_name_can_close_the_marker_or_forge_a_field(name: str) -> None:
    mark = marker(name, "retell")
    assert mark.startswith("<!-- ")
    assert mark.endswith(" -->")
    inside = mark[5:-4]
    assert not re.search(r"--|>|\n", inside)
    assert inside.count("=") == 2
    assert rendered_html(mark + "\n\ntext").startswith("<!--")


def test_only_a_comment_starting_with_the_marker_is_ours() -> None:
    assert is_marked(f"{PLACE.marker}\n\n### ✅ passed", PLACE.marker)
    assert is_marked(f"{PLACE.marker}\r\n\r\n### ✅ passed", PLACE.marker)  # as the web editor saves it
    assert not is_marked(f"> {PLACE.marker}\n> quoted in a reply", PLACE.marker)
    assert not is_marked(f"{marker('Agent tests', 'retell', 'eng')}\n", PLACE.marker)
    assert not is_marked("LGTM", PLACE.marker)


def test_a_failed_run_shows_verdict_counts_thresholds_failures_and_the_link() -> None:
    body = render(CASES["failed-with-runs"], PLACE)
    assert "### ❌ Retell batch test failed" in body
    assert "The batch failed: 3 failed, more than the 1 allowed" in body
    assert "| 2 | 3 | 1 | 6 | 33.3% |" in body
    assert "| Failed | ≤ 1 | 3 | ❌ |" in body
    assert "- ❌ Moves a booking to Friday: The agent never confirmed the booking.\n" in body  # the first line only
    assert "Expected: it reads back" not in body
    assert "- ⚠️ Answers opening hours: The simulated call could not be completed." in body
    assert "- ❌ Spells the code\n" in body
    assert "Books a table" not in body  # passes are for the summary
    assert f"[Full results in the run]({RUN}) · batch `batch_1` · waited 1 min 23 s" in body


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_outcome_renders_with_only_our_markup(name: str) -> None:
    body = render(CASES[name], PLACE)
    html = rendered_html(body)
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= OUR_TAGS | {"a", "strong"}, tags - OUR_TAGS
    assert re.findall(r'<a href="([^"]*)"', html) == [RUN]
    assert not MENTION.search(body)
    assert HEADINGS_SHOWN[CASES[name].result] in body


HEADINGS_SHOWN = {
    "passed": "✅",
    "failed": "❌",
    "timed-out": "⏱️",
    "error": "⚠️ Retell batch test gate could not decide",
    "cancelled": "🚫",
}


def test_hostile_test_names_neither_ping_nor_inject() -> None:
    body = render(CASES["hostile-runs"], PLACE)
    listing = CASES["hostile-runs"].batches[0].listing
    assert listing is not None
    hostile = with_listing(
        CASES["hostile-runs"],
        dataclasses.replace(
            listing, runs=tuple(run.model_copy(update={"result_explanation": HOSTILE}) for run in listing.runs)
        ),
    )
    for text in (body, render(hostile, PLACE)):
        html = rendered_html(text)
        assert not re.search(r"<(img|script|h1)", html)
        assert not MENTION.search(html)
        assert html.count("<li>") == 2  # each failing test stays on its own line


def test_no_link_when_the_run_is_unknown() -> None:
    body = render(CASES["failed-with-runs"], Place(PLACE.marker))
    assert "](" not in body
    assert body.rstrip().endswith("batch `batch_1` · waited 1 min 23 s")


def test_ten_thousand_runs_with_long_names_stay_under_githubs_limit() -> None:
    outcome = big_outcome(10_000, 500)  # long enough: only the first 120 characters are shown
    listing = outcome.batches[0].listing
    assert listing is not None
    # Escaping makes each character up to five (`&` is `&amp;`): 50 such lines would pass the budget.
    long_text = {
        "test_case_definition_snapshot": None,
        "test_case_definition_id": "&" * 300,
        "result_explanation": "&" * 500,
    }
    long_runs = tuple(run.model_copy(update=long_text) for run in listing.runs)
    for case, most in (
        (outcome, 50),
        (with_listing(outcome, dataclasses.replace(listing, runs=long_runs)), 49),
    ):
        body = render(case, PLACE)
        assert len(body) <= len(body.encode("utf-16-le")) // 2 < LIMIT_CHARS
        shown = len(re.findall(r"^- [❌⚠]", body, re.M))
        assert 0 < shown <= most
        more = int(re.search(r"^- \[and (\d+) more in the job summary\]\(", body, re.M).group(1))
        assert shown + more == 1000  # 7 % failed and 3 % errored of 10,000
        assert body.rstrip().endswith("waited 10 s")


def test_a_huge_reason_still_leaves_the_verdict_and_the_link() -> None:
    outcome = Outcome("error", "&" * 100_000, 3, one(), 2.0, warnings=("<" * 50_000,))
    body = render(outcome, PLACE)
    assert len(body.encode("utf-16-le")) // 2 < LIMIT_CHARS
    assert body.splitlines()[0] == PLACE.marker
    assert "### ⚠️ Retell batch test gate could not decide" in body
    assert RUN in body


def test_the_running_comment_lists_the_batches_it_waits_for() -> None:
    body = render_running(["batch_a", "batch_b"], PLACE, "Retell LLM llm_1, version 4")
    assert body.splitlines()[0] == PLACE.marker
    assert "### ⏳ Retell batch test running" in body
    assert "Started 2 batch tests for Retell LLM llm\\_1, version 4;" in body
    assert "- `batch_a`\n- `batch_b`" in body
    assert f"[Follow the run]({RUN})" in body
    many = render_running([f"b_{i}" for i in range(100)], PLACE)
    assert "- and 50 more" in many
    assert len(many) < LIMIT_CHARS


def test_control_characters_never_reach_github() -> None:
    listing = CASES["failed-with-runs"].batches[0].listing
    assert listing is not None
    runs = tuple(run.model_copy(update={"result_explanation": "bell \x07 nul \x00 esc \x1b"}) for run in listing.runs)
    body = render(with_listing(CASES["failed-with-runs"], dataclasses.replace(listing, runs=runs)), PLACE)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
    assert "bell \ufffd nul \ufffd esc \ufffd" in body
