"""How judging names tests in a reason: quoted, clipped, and only the first few of a long list.

The names come from Retell: whoever shows a reason escapes it (report/markdown.py, runner/github.py).
"""

from __future__ import annotations

from collections.abc import Sequence

MOST_NAMED = 5  # a reason is one line of a summary and an annotation, not a listing
LONGEST_NAME = 80


def quoted(name: str) -> str:
    """A test's name in double quotes, clipped so one long name cannot swamp the reason."""
    text = name if len(name) <= LONGEST_NAME else name[:LONGEST_NAME] + "…"
    return f'"{text}"'


def first_few(items: Sequence[str], most: int = MOST_NAMED) -> str:
    """`a, b, c`, or `a, b, c and 4 more` past `most` items."""
    shown = ", ".join(items[:most])
    rest = len(items) - most
    return f"{shown} and {rest} more" if rest > 0 else shown
