"""The job summary against golden files. Regenerate on purpose with: python3 dev.py golden"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from retell_gate.judge.hints import TABLE_HINT, hint_for
from retell_gate.judge.outcome import Outcome
from retell_gate.judge.verdict import decide
from retell_gate.report.markdown import text
from retell_gate.report.summary import BUDGET_BYTES, duration, render
from retell_gate.retell.listing import RunListing
from tests.factories import batch, config, make_run, one
from tests.summary_cases import CASES, HOSTILE

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_matches_its_golden_file(name: str) -> None:
    rendered = render(CASES[name])
    golden = GOLDEN / f"{name}.md"
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_a_case() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.md")) == sorted(CASES)


def test_hostile_text_has_no_live_markup() -> None:
    escaped = text(HOSTILE)
    assert "<" not in escaped
    assert ">" not in escaped
    assert "\n" not in escaped
    # Every markdown-active character is preceded by a backslash, so none starts a link, image,
    # code span, emphasis, table cell, heading, mention or autolink.
    assert not re.search(r"(?<!\\)[|`*!\[\]#@_$~]", escaped)
    assert "http://" not in escaped
    assert "www." not in escaped


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("12. not a list", "12\\. not a list"),
        ("see https://x.test and WWW.x.test", "see https\\://x.test and WWW\\.x.test"),
        ("a & b < c", "a &amp; b &lt; c"),
        ("plain, readable: text.", "plain, readable: text."),
        ("line\nbreak\r\ttab", "line break tab"),
    ],
)
def test_escaping_is_targeted_and_keeps_plain_text_readable(raw: str, escaped: str) -> None:
    assert text(raw) == escaped


def test_hostile_api_text_stays_inside_its_table_cell() -> None:
    rendered = render(CASES["hostile-engine"])
    for line in rendered.splitlines():
        if line.startswith("| Status") or line.startswith("| Response engine"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 3  # the row's own three pipes, nothing more


@pytest.mark.parametrize(("seconds", "shown"), [(0.4, "0 s"), (45, "45 s"), (185, "3 min 5 s"), (3725, "1 h 2 min")])
def test_durations_read_like_a_person_would_say_them(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def rendered_html(markdown: str) -> str:
    """HTML as GitHub's renderer (cmark-gfm, with its GFM extensions) makes it, raw HTML let through."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


OUR_TAGS = {
    "h2",
    "h3",
    "p",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "details",
    "summary",
    "br",
    "ul",
    "li",
    "em",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_summaries_contain_only_our_own_markup(name: str) -> None:
    html = rendered_html(render(CASES[name]))
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= OUR_TAGS, tags - OUR_TAGS
    # Code spans come only from the paths of reports not written, the batch ID and our own hints,
    # never from API text.
    outcome = CASES[name]
    problems = [span for p in outcome.write_problems for span in (p.output, p.part)]
    hinted = re.findall(r"`([^`]+)`", hint_for(outcome))
    spans = re.findall(r"<code>(.*?)</code>", html)
    # and the baseline's batch IDs (checked as IDs, like the batch's), with our own `baseline: latest`
    used = outcome.baseline
    baseline = [*used.batch_ids, *(["baseline: latest"] if used.found else [])] if used is not None else []
    if outcome.several:  # each batch's ID in its rows, and in those of its test cases
        assert set(spans) == {gated.batch_job_id for gated in outcome.batches} | set(problems) | set(hinted)
    else:
        assert spans == [*problems, outcome.batch_job_id, *baseline, *hinted]


def test_hostile_text_renders_as_text_in_githubs_renderer() -> None:
    html = rendered_html(render(CASES["hostile-engine"]) + render(CASES["api-error"]))
    assert "<img" not in html
    assert "<a " not in html
    assert "<h1" not in html
    # Hostile-engine: counts (head + 1 row) and details (head + 4 rows); api-error: details (head + 2 rows).
    assert html.count("<tr>") == 2 + 5 + 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_hostile_runs_render_only_as_text() -> None:
    html = rendered_html(render(CASES["hostile-runs"]))
    assert "<img" not in html
    assert "<a " not in html
    assert "<script" not in html
    assert "<h1" not in html
    # Each test case stays in its own row with exactly three cells, whatever its text holds.
    body = html.split("<h3>Failed and errored test cases</h3>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert [len(re.findall(r"<t[dh]", row)) for row in rows] == [3, 3, 3]
    assert html.count("<details>") == 4  # two explanations, the unfinished and the passed lists


def big_outcome(runs: int, explanation_chars: int) -> Outcome:
    statuses = ["fail"] * (runs * 7 // 100) + ["error"] * (runs * 3 // 100)
    statuses += ["pass"] * (runs - len(statuses))
    listing = RunListing(
        tuple(
            make_run(i, status, f"Scenario {i}: caller asks about order {i}", "Why: " + "y" * explanation_chars)
            for i, status in enumerate(statuses)
        )
    )
    failed, errored = statuses.count("fail"), statuses.count("error")
    judged = batch(passed=runs - failed - errored, failed=failed, errored=errored)
    return Outcome(
        "failed",
        "The batch failed.",
        1,
        one(read=judged, listing=listing),
        10.0,
        decide(judged, config()),
        reports=(("junit-path", "retell-junit.xml"),),
    )


def test_ten_thousand_runs_with_long_explanations_stay_under_the_budget() -> None:
    summary = render(big_outcome(10_000, 3000))
    size = len(summary.encode("utf-8"))
    assert size <= BUDGET_BYTES < 1024 * 1024
    assert size > BUDGET_BYTES - 20_000  # it uses the room it has
    left_out = int(re.search(r"_(\d+) test cases left out to keep this summary within", summary).group(1))
    shown_rows = summary.count("| ❌ fail |") + summary.count("| ⚠️ error |")
    shown_passes = len(re.findall(r"^- Scenario", summary, re.M))
    assert shown_rows + shown_passes + left_out == 10_000
    assert shown_rows > 0
    assert "Every test case is in retell-junit.xml." in summary
    assert "### Details" in summary.split("left out")[1]  # the details still follow the cut


def test_a_small_batch_is_not_cut() -> None:
    summary = render(big_outcome(100, 300))
    assert "left out" not in summary
    assert summary.count("| ❌ fail |") == 7
    assert summary.count("| ⚠️ error |") == 3
    assert len(re.findall(r"^- Scenario", summary, re.M)) == 90


def what_to_check(name: str) -> str:
    summary = render(CASES[name])
    return summary.split("### What to check\n\n", 1)[1] if "### What to check" in summary else ""


@pytest.mark.parametrize(
    ("name", "points_at"),
    [
        ("failed-with-runs", "explanation above"),
        ("runs-partial", "explanation above"),  # the failures listed are in its table
        ("failed", "Retell's dashboard to see which test cases failed"),  # runs never asked for
        ("runs-unavailable", "Retell's dashboard to see which test cases failed"),
        ("uncounted", "Retell's dashboard to see which test cases failed or did not finish"),
        ("uncounted-with-runs", "never finished are listed above"),
        ("empty", "`allow-empty: true`"),
        ("timed-out", "Raise `timeout`"),
        ("input-error", "Fix the input named above"),
        ("api-error", "Check `batch-job-id`"),  # the error's own advice
        ("hostile-engine", "Retell's answer described above"),
        ("passed", ""),
        ("failed-fast", "explanation above"),
        ("failed-fast-unlisted", "`fail-fast` stopped the wait before the batch was complete"),
        ("several-failed", "explanation above"),
    ],
)
def test_the_hint_is_computed_from_what_the_summary_shows(name: str, points_at: str) -> None:
    hint = what_to_check(name)
    assert points_at in hint
    assert (TABLE_HINT in hint) is ("### Failed and errored test cases\n\n|" in render(CASES[name]))
    assert "re-run" not in hint


def test_the_summary_names_a_report_that_could_not_be_written_and_why() -> None:
    summary = render(CASES["report-not-written"])
    assert "> [!CAUTION]\n> Could not write `report-path` (out/retell.json): `out` is a file, not a folder." in summary
    assert "| JUnit report | retell/junit.xml |" in summary


def test_counts_of_one_read_as_one() -> None:
    summaries = "".join(render(outcome) for outcome in CASES.values())
    assert not re.search(r"\b1 (test cases|more failed or errored test cases)", summaries)
    assert "The 1 test case passed." in render(CASES["passed-one"])


# GitHub links (and notifies) `@name` and `@org/team` after rendering, so a backslash before the `@`
# does not stop it; nothing may leave an `@` directly followed by a character a login can start with.
MENTION = re.compile(r"@[A-Za-z0-9_-]")


@pytest.mark.parametrize("raw", ["@team", "ping @org/team now", "a@b.example", "@@x", "\\@team", "@-x", "@_x"])
def test_mentions_in_api_text_cannot_notify_anyone(raw: str) -> None:
    escaped = text(raw)
    assert not MENTION.search(escaped)
    html = rendered_html(escaped)
    assert not MENTION.search(html)
    assert "<a " not in html
    # Still readable: only an invisible joiner sits between the `@` and the name.
    assert re.sub(r"<[^>]+>", "", html).replace("\u200d", "").strip() == raw


def test_no_summary_leaves_a_live_mention() -> None:
    for name, outcome in CASES.items():
        assert not MENTION.search(render(outcome)), name


@pytest.mark.parametrize("budget", [20_000, 50_000, 120_000])
def test_every_section_fits_the_budget_however_small(budget: int) -> None:
    # The failed runs fill what is left after the sections above and below them (a long hint below): never past it.
    outcome = dataclasses.replace(big_outcome(2_000, 400), hint="Check this. " * 500)
    summary = render(outcome, budget)
    assert budget - 2_000 < len(summary.encode("utf-8")) <= budget
    assert "### Details" in summary.split("left out")[1]  # the sections after the cut are still there
    assert "### What to check" in summary
