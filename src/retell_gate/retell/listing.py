"""What a listing of a batch's test runs gives back (no pydantic here: it is on the start-up path)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TestRun


@dataclass(frozen=True)
class RunListing:
    """The runs read, and why the list may be incomplete (empty when it is whole)."""

    runs: tuple[TestRun, ...]
    problem: str = ""

    def against(self, asked: Collection[str], total: int) -> tuple[set[str], set[str]]:
        """The definitions listed that were not `asked` for, and those asked for that the listing lacks while it
        is whole against the batch's `total` (a total of 0 is "not counted yet": a listing proves nothing then)."""
        listed = {run.test_case_definition_id for run in self.runs}
        whole = total > 0 and not self.problem and len(self.runs) == total
        return listed - set(asked), (set(asked) - listed if whole else set())
