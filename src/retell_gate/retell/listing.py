"""What a listing of a batch's test runs gives back (no pydantic here: it is on the start-up path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TestRun


@dataclass(frozen=True)
class RunListing:
    """The runs read, and why the list may be incomplete (empty when it is whole)."""

    runs: tuple[TestRun, ...]
    problem: str = ""
