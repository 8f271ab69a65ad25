"""Choosing the test case definitions to run, and splitting them into batches Retell accepts (pure).

    chosen = select(definitions, target.definition_ids, target.name_patterns, searched=engine.label())
    for chunk in split_batches([d.test_case_definition_id for d in chosen.definitions]): ...

`definitions` is the engine's listing (retell/catalog.py); anything with a `test_case_definition_id`
and a `name` will do; the IDs and patterns come parsed from inputs/target.py. Decisions: IDs keep
the order they were given in (a repeat counts once);
patterns are `fnmatch` globs matched case-sensitively against the whole name (`*` for any text,
`?` one character, `[abc]` a set), and a definition is kept when any pattern matches. A selection
that is empty, or names an ID the engine does not have, raises SelectionError before anything
is started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Generic, Protocol, TypeVar

from ..errors import InputError

MAX_BATCH = 200  # Retell's documented limit of definitions per batch
SHOWN = 10  # IDs or patterns quoted in one message


class Named(Protocol):
    @property
    def test_case_definition_id(self) -> str: ...

    @property
    def name(self) -> str: ...


D = TypeVar("D", bound=Named)
T = TypeVar("T")


class SelectionError(InputError):
    """The inputs select no definition, or one the engine does not have (exit 2; requests were made)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, f"{hint} The gate read the engine's definitions from Retell and started nothing.")


@dataclass(frozen=True)
class Selection(Generic[D]):
    definitions: tuple[D, ...]
    """The chosen definitions, in the order of the IDs given, else in the engine's order."""
    unmatched_patterns: tuple[str, ...] = ()
    """`test-names` patterns that matched no definition (worth a warning: a typo narrows silently)."""


def select(definitions: Sequence[D], ids: Sequence[str], patterns: Sequence[str], searched: str) -> Selection[D]:
    """The definitions the inputs choose: all, or those of `ids`, narrowed to names matching a pattern.

    `searched` names the engine in messages (e.g. `retell-llm llm_123 version 4`). Raises
    SelectionError when an ID is not one of the engine's definitions, or when nothing is left.
    """
    by_id = {definition.test_case_definition_id: definition for definition in definitions}
    unknown = [definition_id for definition_id in dict.fromkeys(ids) if definition_id not in by_id]
    if unknown:
        raise SelectionError(
            f"`test-case-definition-ids` names {len(unknown)} ID(s) that are not test case definitions of "
            f"{searched}: {_quoted(unknown)}.",
            f"Use the IDs of this engine's definitions ({len(by_id)} in Retell), or leave the input empty for all.",
        )
    chosen = [by_id[definition_id] for definition_id in dict.fromkeys(ids)] if ids else list(definitions)
    if patterns:
        chosen = [definition for definition in chosen if any(fnmatchcase(definition.name, p) for p in patterns)]
    if not chosen:
        raise SelectionError(_nothing_matched(len(definitions), ids, patterns, searched), _nothing_hint(patterns))
    unmatched = tuple(p for p in patterns if not any(fnmatchcase(d.name, p) for d in chosen))
    return Selection(tuple(chosen), unmatched)


def split_batches(items: Sequence[T], size: int = MAX_BATCH) -> list[tuple[T, ...]]:
    """The fewest batches of at most `size`, in order: each full but the last."""
    if size < 1:
        raise ValueError(f"a batch holds at least one item, not {size}")
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)]


def _nothing_matched(count: int, ids: Sequence[str], patterns: Sequence[str], searched: str) -> str:
    if not count:
        return f"{searched} has no test case definitions, so there is nothing to test."
    scope = f"the {len(set(ids))} given in `test-case-definition-ids`" if ids else f"all {count} of {searched}"
    return f"No test case definition was selected: `test-names` ({_quoted(patterns)}) matched none of {scope}" + (
        f" (of the {count} definitions of {searched})." if ids else "."
    )


def _nothing_hint(patterns: Sequence[str]) -> str:
    if not patterns:
        return "Create test cases for this agent in Retell's dashboard, or check the engine and `version`."
    return (
        "Patterns match whole names, case-sensitively: `*` is any text, `?` one character. "
        "Write `*refund*` to match a name that contains `refund`."
    )


def _quoted(values: Sequence[str]) -> str:
    shown = ", ".join(f"`{value}`" for value in values[:SHOWN])
    return shown + (f" and {len(values) - SHOWN} more" if len(values) > SHOWN else "")
