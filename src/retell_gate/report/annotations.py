"""Which annotations a run leaves on the pull request's checks (pure, no I/O).

The runner shows at most 10 annotations of each level per step and drops the rest silently, so
the per-test annotations take only the slots the verdict, the warnings and the gate's own problems
leave, less one error slot kept for a problem found after this plan (outputs or summary that could
not be written), and the last slot they take says how many more there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..codes import ANNOTATION_TITLE
from ..judge.outcome import Outcome

MAX_PER_LEVEL = 10
RESERVED_ERRORS = 1
TITLE = ANNOTATION_TITLE
MESSAGE_CHARS = 1000
TITLE_CHARS = 200


@dataclass(frozen=True)
class Annotation:
    level: str  # error, warning or notice
    message: str
    title: str = TITLE


def _verdict_level(outcome: Outcome) -> str:
    if outcome.result in ("passed", "dry-run"):
        return "notice"
    return "warning" if outcome.exit_code == 0 else "error"


def _verdict_message(outcome: Outcome) -> str:
    counts = outcome.counts
    if outcome.result == "passed" and counts is not None:
        return f"{outcome.reason} {counts}."
    return outcome.reason


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code(value: str) -> str:
    return f"`{value}`"


def plan(outcome: Outcome) -> list[Annotation]:
    """The warnings, the verdict, report files not written, then one per failed or errored test
    while slots remain."""
    planned = [Annotation("warning", warning) for warning in outcome.warnings]
    planned.append(Annotation(_verdict_level(outcome), _verdict_message(outcome)))
    planned += [Annotation("error", problem.sentence(str, _code)) for problem in outcome.write_problems]
    if not outcome.listed:
        return planned
    quarantined = outcome.quarantined_ids  # they count against nothing: the summary lists them apart
    failing = [(gated, run) for gated, run in outcome.failing if run.test_case_definition_id not in quarantined]
    level = "warning" if outcome.exit_code == 0 else "error"
    reserved = RESERVED_ERRORS if level == "error" else 0
    free = MAX_PER_LEVEL - reserved - Counter(a.level for a in planned)[level]
    shown = failing if len(failing) <= free else failing[: max(free - 1, 0)]
    for gated, run in shown:
        batch = f" (batch {gated.batch_job_id})" if outcome.several else ""
        message = f"{run.status}{batch}: {run.explanation or 'no explanation from Retell'}"
        planned.append(Annotation(level, _shorten(message, MESSAGE_CHARS), _shorten(run.name, TITLE_CHARS)))
    if len(shown) < len(failing):
        more = len(failing) - len(shown)
        # Always 2 or more: a single one more would have taken this slot itself.
        planned.append(Annotation(level, f"{more} more failed or errored test cases: see the job summary."))
    return planned
