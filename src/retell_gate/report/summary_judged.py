"""The job summary's sections of the tests judged one by one: a table of regressions first (name,
baseline → now, the explanation), then fixed, flaky, still failing, new and dropped as lists, and the
quarantined tests collapsed. Each lists at most SHOWN tests, so the summary stays within its budget."""

from __future__ import annotations

from ..judge.outcome import Outcome
from .judged import ICONS, WORDS, Item, Section, first_line, judged_sections
from .markdown import table, text

SHOWN = 50
EXPLANATION_CHARS = 200


def judged_markdown(outcome: Outcome) -> str:
    """Every section, in order; empty when the tests were not judged one by one."""
    return "\n\n".join(_section(section) for section in judged_sections(outcome))


def _section(section: Section) -> str:
    items = section.items[:SHOWN]
    more = len(section.items) - len(items)
    rest = [f"- and {more} more (see the report files)"] if more else []
    if section.key == "regressed":
        rows = [(text(item.name), _status(item.before), _status(item.now), _explained(item)) for item in items]
        body = table(("Test", "Baseline", "Now", "Explanation"), rows, "llll")
        return "\n\n".join([f"### ❌ Regressions ({len(section.items)})", body, *rest])
    lines = [_line(item) for item in items] + rest
    if section.key == "quarantined":
        summary = f"🧪 {len(section.items)} quarantined (counted against nothing)"
        return "\n".join([f"<details><summary>{summary}</summary>\n", *lines, "", "</details>"])
    return f"### {section.title} ({len(section.items)})\n\n" + "\n".join(lines)


def _line(item: Item) -> str:
    change = f"{_status(item.before)} → {_status(item.now)}" if item.before is not None else _status(item.now)
    extra = [text(part) for part in (item.runs, item.note) if part]
    explanation = text(_cut(first_line(item.explanation))) if item.now != "passed" and item.explanation else ""
    tail = "; ".join(extra + ([explanation] if explanation else []))
    return f"- {text(item.name)}: {change}" + (f" ({tail})" if tail else "")


def _status(status: str | None) -> str:
    if status is None:
        return ""
    return f"{ICONS[status]} {WORDS[status]}"


def _explained(item: Item) -> str:
    said = text(_cut(first_line(item.explanation))) or "(no explanation from Retell)"
    return f"{said} ({text(item.runs)})" if item.runs else said


def _cut(value: str) -> str:
    return value if len(value) <= EXPLANATION_CHARS else value[: EXPLANATION_CHARS - 1] + "…"
