"""Required and quarantined tests: glob patterns on a definition's name or ID (pure, no I/O).

A pattern matches with fnmatch rules (`*`, `?`, `[seq]`), case-sensitively on every platform
(fnmatchcase), against the definition's name or its ID. A required test must pass now: one that
failed, errored or did not run fails the step, and so does a required pattern that matches no test
at all (the test it names did not run). A quarantined test counts against nothing; a quarantine
pattern that matches nothing only earns a warning, since it can hide nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..errors import InputError
from ..inputs.values import shown
from .compare import Compared, SideStatus, TwoSides
from .verdict import Check
from .wording import first_few, quoted

REQUIRED_INPUT = "required-tests"
QUARANTINE_INPUT = "quarantine"


@dataclass(frozen=True)
class Quarantined(TwoSides):
    """A quarantined definition, listed apart with how it did (one that passed may be ready to leave)."""

    patterns: tuple[str, ...]
    """The `quarantine` patterns it matched."""


def matching(patterns: Iterable[str], definition_id: str, name: str) -> tuple[str, ...]:
    """The patterns that match the definition's name or its ID."""
    return tuple(p for p in patterns if fnmatchcase(name, p) or fnmatchcase(definition_id, p))


def check_overlap(entries: Iterable[Compared], required: Sequence[str], quarantine: Sequence[str]) -> None:
    """InputError naming each test that a required pattern and a quarantine pattern both match."""
    check_overlap_of(((entry.definition_id, entry.name) for entry in entries), required, quarantine)


def check_overlap_of(tests: Iterable[tuple[str, str]], required: Sequence[str], quarantine: Sequence[str]) -> None:
    """The same, for (definition ID, name) pairs: start mode checks its selection before starting anything."""
    clashes = []
    for definition_id, name in tests:
        must = matching(required, definition_id, name)
        skip = matching(quarantine, definition_id, name)
        if must and skip:
            clashes.append(
                f"{quoted(name)} ({definition_id}) matches `{REQUIRED_INPUT}` "
                f"{_patterns(must)} and `{QUARANTINE_INPUT}` {_patterns(skip)}"
            )
    if clashes:
        raise InputError(
            f"A test cannot be both required and quarantined: {first_few(clashes, most=3)}. "
            f"Narrow `{REQUIRED_INPUT}` or `{QUARANTINE_INPUT}` so no test matches both."
        )


def _patterns(patterns: Sequence[str]) -> str:
    return ("pattern " if len(patterns) == 1 else "patterns ") + ", ".join(shown(p) for p in patterns)


def quarantined(entries: Iterable[Compared], quarantine: Sequence[str]) -> tuple[Quarantined, ...]:
    """The entries a quarantine pattern matches, in the entries' order."""
    found = []
    for entry in entries:
        patterns = matching(quarantine, entry.definition_id, entry.name)
        if not patterns and entry.baseline is not None:  # paired by name (compare.py): its old ID counts too
            patterns = matching(quarantine, entry.baseline.definition_id, entry.name)
        if patterns:
            found.append(Quarantined(entry.definition_id, entry.name, entry.current, entry.baseline, patterns))
    return tuple(found)


def unused_quarantine_warnings(entries: Sequence[Compared], quarantine: Sequence[str]) -> tuple[str, ...]:
    """A warning for each quarantine pattern that matches no test on either side."""
    return tuple(
        f"The `{QUARANTINE_INPUT}` pattern {shown(pattern)} matches no test; it may be out of date."
        for pattern in quarantine
        if not any(matching((pattern,), entry.definition_id, entry.name) for entry in entries)
    )


def required_check(entries: Sequence[Compared], required: Sequence[str]) -> Check:
    """Every test a required pattern matches passed now, and every required pattern matched a test."""
    misses: list[str] = []
    passed = total = 0
    for entry in entries:
        if not matching(required, entry.definition_id, entry.name):
            continue
        total += 1
        if entry.current is not None and entry.current.ok:
            passed += 1
        else:
            misses.append(f"{quoted(entry.name)} {_how(entry.now)}")
    unmatched = [p for p in required if not any(matching((p,), e.definition_id, e.name) for e in entries)]
    misses += [f"no test matches {shown(pattern)} (it did not run)" for pattern in unmatched]
    total += len(unmatched)
    return Check(
        name="Required tests",
        input=REQUIRED_INPUT,
        limit="all pass",
        actual=f"{passed} of {total} passed",
        ok=not misses,
        failure=f"required tests did not pass: {first_few(misses)}",
    )


def _how(now: SideStatus) -> str:
    return "did not run" if now == "absent" else now
