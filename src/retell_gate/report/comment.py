"""The pull-request comment: a short rendering of an Outcome as markdown (pure, no I/O).

The job summary has everything; the comment has what a reviewer needs at a glance (the verdict,
the counts, the thresholds, the failed tests in short) and a link to the run for the rest. Its
first line is a hidden marker naming the workflow and job (and engine), by which the next run
finds it and edits it in place. It stays under GitHub's 65,536-character limit for a comment body
however large the batch, and everything from Retell is escaped as in the summary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..judge.outcome import Outcome
from .judged import WORDS, first_line, judged_sections
from .markdown import batch_id, table, text
from .summary import COUNT_COLUMNS, HEADINGS, count_cells, duration

if TYPE_CHECKING:
    from ..retell.models import TestRun

LIMIT_CHARS = 65_536  # GitHub's limit for a comment body
BUDGET = 60_000  # counted in UTF-16 code units, never fewer than the characters however they are counted
MAX_LISTED = 50
NAME_CHARS = 150
LINE_CHARS = 120
MARKER_NAME = "retell-batch-gate"
ICONS = {"fail": "❌", "error": "⚠️"}
HINTED = ("error", "timed-out", "cancelled")  # results whose hint says what to do next
# Control characters other than line breaks and tabs: GitHub may refuse a body holding them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Place:
    """Where the comment belongs and what it links to."""

    marker: str
    run_url: str = ""
    """The workflow run, e.g. https://github.com/o/r/actions/runs/1; empty when unknown."""


def marker(workflow: str, job: str, engine: str = "") -> str:
    """The hidden first line that identifies one workflow's job (and engine) among a PR's comments."""
    fields = [("workflow", workflow), ("job", job)] + ([("engine", engine)] if engine else [])
    # Percent-encoded (`-` too), so no name can close the HTML comment or look like another field.
    shown = " ".join(f"{key}={quote(value, safe='').replace('-', '%2D')}" for key, value in fields)
    return f"<!-- {MARKER_NAME} {shown} -->"


def is_marked(body: str, wanted: str) -> bool:
    """Whether a comment is the one `wanted` marks: the marker alone on its first line."""
    first = body.split("\n", 1)[0]
    return first.strip() == wanted


def size(body: str) -> int:
    return len(body.encode("utf-16-le")) // 2


def render(outcome: Outcome, place: Place) -> str:
    """The comment for a finished run, at most BUDGET characters long."""
    head = [place.marker, f"### {HEADINGS[outcome.result]}", text(outcome.reason)]
    head += [f"> [!WARNING]\n> {text(warning)}" for warning in outcome.warnings]
    head += [_regressions(outcome), _counts(outcome), _checks(outcome)]
    if outcome.result in HINTED and outcome.hint:
        head.append(outcome.hint)
    tail = [_footer(outcome, place)]
    room = BUDGET - sum(size(part) + 2 for part in head + tail)
    body = "\n\n".join(part for part in [*head, _failures(outcome, room, place), *tail] if part) + "\n"
    if size(body) > BUDGET:  # only if the reason or warnings themselves are huge: keep the verdict and the link
        body = "\n\n".join([place.marker, f"### {HEADINGS[outcome.result]}", _footer(outcome, place)]) + "\n"
    return _CONTROL.sub("\ufffd", body)


def render_running(batch_ids: Sequence[str], place: Place, what: str = "") -> str:
    """The comment while batches run (start mode): their IDs; edited with the verdict at the end."""
    target = f" for {text(what)}" if what else ""
    count = f"{len(batch_ids)} batch test" + ("" if len(batch_ids) == 1 else "s")
    lines = [f"- {batch_id(one)}" for one in batch_ids[:MAX_LISTED]]
    if len(batch_ids) > MAX_LISTED:
        lines.append(f"- and {len(batch_ids) - MAX_LISTED} more")
    parts = [
        place.marker,
        "### ⏳ Retell batch test running",
        f"Started {count}{target}; this comment shows the verdict when the gate has it.",
        "\n".join(lines),
        _link(place, "Follow the run"),
    ]
    return _CONTROL.sub("\ufffd", "\n\n".join(part for part in parts if part) + "\n")


def _regressions(outcome: Outcome) -> str:
    """The regressions in short, one line each (the job summary has fixed, flaky and the rest)."""
    section = next((s for s in judged_sections(outcome) if s.key == "regressed"), None)
    if section is None:
        return ""
    lines = [f"**Regressions ({len(section.items)})**"]
    for item in section.items[:MAX_LISTED]:
        why = first_line(item.explanation)
        said = f": {text(_cut(why, LINE_CHARS))}" if why else ""
        lines.append(f"- ❌ {text(_cut(item.name, NAME_CHARS))}: passed in the baseline, {WORDS[item.now]} now{said}")
    if len(section.items) > MAX_LISTED:
        lines.append(f"- and {len(section.items) - MAX_LISTED} more in the job summary")
    return "\n".join(lines)


def _counts(outcome: Outcome) -> str:
    counts = outcome.counts
    if counts is None:
        return ""
    return table(COUNT_COLUMNS, [count_cells(counts)], "rrrrr")


def _checks(outcome: Outcome) -> str:
    if outcome.verdict is None:
        return ""
    rows = [(check.name, check.limit, check.actual, "✅" if check.ok else "❌") for check in outcome.verdict.checks]
    return table(("Threshold", "Allowed", "Actual", "OK"), rows, "lrrc")


def _failures(outcome: Outcome, room: int, place: Place) -> str:
    """The failed and errored test cases, one short line each, as many as fit in `room`."""
    if not outcome.listed:
        return ""
    several = len(outcome.batches) > 1
    head = [
        _listing_problem(problem, bool(gated.listing and gated.listing.runs), gated.batch_job_id if several else "")
        for gated, problem in outcome.listing_problems
    ]
    failing = outcome.failing
    if not failing:
        return "\n\n".join(head)
    title = f"**Failed and errored test cases ({len(failing)})**"
    room -= sum(size(part) + 2 for part in [*head, title]) + 200  # and the closing line
    lines: list[str] = []
    for gated, run in failing[:MAX_LISTED]:
        line = _line(run, gated.batch_job_id if several else "", outcome.set_apart(run.test_case_definition_id))
        if size(line) + 1 > room:
            break
        room -= size(line) + 1
        lines.append(line)
    if len(lines) < len(failing):
        more = f"and {len(failing) - len(lines)} more in the job summary"
        lines.append(f"- {_link(place, more) or more}")
    return "\n\n".join([*head, title, "\n".join(lines)])


def _listing_problem(problem: str, some_runs: bool, batch_job_id: str) -> str:
    said = text(_cut(problem, 300).rstrip("."))
    of = f" of batch {batch_id(batch_job_id)}" if batch_job_id else ""
    if some_runs:
        return f"_The list of test runs{of} is incomplete: {said}._"
    return f"_The individual test results{of} are unavailable: {said}. The verdict stands on the batch's counts._"


def _line(run: TestRun, batch_job_id: str, apart: str = "") -> str:
    """One failing run; `apart`: why it counts against nothing (quarantined, allowed), if it does not count."""
    explanation = next((line for line in run.explanation.splitlines() if line.strip()), "")
    first = f": {text(_cut(explanation, LINE_CHARS))}" if explanation else ""
    batch = f" (batch {batch_id(batch_job_id)})" if batch_job_id else ""
    counts = f" ({text(apart)}, counted against nothing)" if apart else ""
    return f"- {ICONS[run.outcome]} {text(_cut(run.name, NAME_CHARS))}{batch}{counts}{first}"


def _cut(value: str, chars: int) -> str:
    return value if len(value) <= chars else value[: chars - 1] + "…"


def _footer(outcome: Outcome, place: Place) -> str:
    parts = [_link(place, "Full results in the run")] if place.run_url else []
    ids = [gated.batch_job_id for gated in outcome.batches if gated.batch_job_id]
    if ids:
        shown = ", ".join(batch_id(one) for one in ids[:MAX_LISTED]) + (" …" if len(ids) > MAX_LISTED else "")
        parts.append(f"{'batch' if len(ids) == 1 else 'batches'} {shown}")
    parts.append(f"waited {duration(outcome.elapsed)}")
    return " · ".join(parts)


def _link(place: Place, label: str) -> str:
    return f"[{label}]({place.run_url})" if place.run_url else ""
