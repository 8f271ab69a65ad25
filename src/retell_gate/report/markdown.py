"""Making untrusted text (anything from the API or the user) inert in GitHub-flavoured markdown."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..retell.ids import RETELL_ID

# Characters that start markup anywhere in a line: code, emphasis, links and images, table cells,
# strikethrough, headings, mentions, math. `< > &` become HTML entities instead.
_ACTIVE = re.compile(r"([\\`*_\[\]|~#!@$])")
# Markup that depends on its neighbours: autolinks (`http://`, `www.`) and list markers at the start.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")
_LIST_MARKER = re.compile(r"^([-+])|^(\d+)([.)])")
# GitHub finds `@name` and `@org/team` in the rendered text, after a backslash escape is gone, and
# notifies them. A zero-width joiner after the `@` breaks the mention and stays invisible.
ZERO_WIDTH_JOINER = "\u200d"


def utf8_size(value: str) -> int:
    """Bytes the text takes once written (a lone surrogate is written as one replacement character)."""
    return len(value.encode("utf-8", "replace"))


def text(value: str) -> str:
    """One line of literal text, safe inline, in a table cell or in a heading."""
    one_line = " ".join(value.encode("utf-8", "replace").decode("utf-8").split())
    escaped = _ACTIVE.sub(r"\\\1", one_line).replace("@", "@" + ZERO_WIDTH_JOINER)
    escaped = _AUTOLINK.sub(lambda m: "\\" + m.group(0), escaped)
    escaped = _LIST_MARKER.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped)
    return html.escape(escaped, quote=False)


def code(value: str) -> str:
    """A code span of the value when one can hold it (no backtick or line break), else escaped text."""
    if value and not any(c in value for c in "`\r\n"):
        return f"`{value}`"
    return text(value)


def batch_id(value: str) -> str:
    """A batch ID: a code span when it is a valid ID (no character of it can close the span), else text."""
    if not value:
        return "(not given)"
    return f"`{value}`" if RETELL_ID.fullmatch(value) else text(value)


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], align: str = "") -> str:
    """A markdown table from cells that are already escaped; `align` is one of l, r, c per column."""
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    separator = tuple(marks.get(a, "---") for a in align.ljust(len(header)))
    lines = [header, separator, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
