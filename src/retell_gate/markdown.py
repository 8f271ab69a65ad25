"""Making untrusted text (anything from the API or the user) inert in GitHub-flavoured markdown."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# Every ASCII punctuation character CommonMark lets a backslash escape, except & < > which become
# HTML entities. Escaping `:`, `.` and `@` also defuses autolinks, e-mail links and mentions.
_PUNCTUATION = re.compile(r"""([!"#$%'()*+,\-./:;=?@\[\\\]^_`{|}~])""")


def text(value: str) -> str:
    """One line of literal text, safe inline, in a table cell or in a heading."""
    one_line = " ".join(value.split())
    return html.escape(_PUNCTUATION.sub(r"\\\1", one_line), quote=False)


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], align: str = "") -> str:
    """A markdown table from cells that are already escaped; `align` is one of l, r, c per column."""
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    separator = tuple(marks.get(a, "---") for a in align.ljust(len(header)))
    lines = [header, separator, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
