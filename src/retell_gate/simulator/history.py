"""The simulator's batch history: batches run before, for a `baseline` (`latest`, or batch IDs).

Engines on the `history` and `sparse` scripts (engines.py) have these batches besides any created
now. `list-batch-tests` lists them at their version, PAGE_CAP a page (a search must follow the
pages) and not in time order; `get-batch-test/{id}` reads one; `v2/list-test-runs/{id}` lists its
runs. A batch's ID is `tcb_<engine id>_<label>`, such as `tcb_llm_history_v2-r1`.

Their definitions are engines.HISTORY_NAMES (`tcd_<script>_000` to `_006`) and one deleted since,
`tcd_<script>_old` ("Reads out the old menu"). P pass, F fail, N not finished, `-` not in the batch,
K flaky (engines.NOW: passes in the 1st, 3rd… batch created for the engine, fails in the 2nd, 4th…).
Day 0 is HISTORY_MS, long before any batch created now.

`history` (the versions 0 and 3 have no batch but those created now):

| batch | version | created | Greets | Books | Moves | Cancels | Spells | Refuses | Ends | Old menu |
|---|---|---|---|---|---|---|---|---|---|---|
| `v1` | 1 | day 0 | P | P | P | F | P | - | P | P |
| `v2-old` | 2 | day 1 | P | F | F | F | P | - | P | P |
| `v2-r1` | 2 | day 2 | P | P | F | F | P | - | P | P |
| `v2-r2` | 2 | day 2 + 30 s | P | P | F | F | F | - | P | P |
| `v2-running` (in_progress) | 2 | day 2 + 1 h | P | P | N | N | N | - | N | N |
| created now | any | now | P | F | P | F | K | P | P | - |

So the newest complete baseline below version 3 is `v2-r1` with `v2-r2` (one run's two repeats, 30 s
apart; `v2-running` is newer but not complete, `v2-old` older). Against it the batches created now
have Books **regressed**, Moves **fixed**, Cancels **still failing**, Refuses **new**, Old menu
**dropped**, Greets and Ends unchanged passes; Spells is **flaky** in the baseline (passed, then
failed) and, with two batches created now (`repeats: 2`), now too: judged by its repeats it is
still failing, or an unchanged pass with `min-passes: 1`. With one batch created now it passed, so
it counts as fixed. Against `v1`, Moves would be an unchanged pass; against `v2-old`, Books would
be still failing. Per definition, the baseline has 3 failing (Moves, Cancels, Spells) and one batch
now 2 (Books, Cancels): one failure swapped for another, which `max-failures: 2` would let through.

`sparse`: `v2-running` at version 2 (not complete), nothing at version 1, and `v0` at version 0
(as `v1` above): a search from version 3 walks down to 0.

`smoke`: at version 2, `v2-full` (day 1, every test passed) and then `v2-smoke` (day 2, Greets only):
the newest batch ran one test, and the others are found in `v2-full`, so Books and Cancels regressed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .engines import ENGINE_PREFIXES, SimEngine, engine_named
from .frames import ERROR_EXPLANATION, FAIL_EXPLANATION, Frame

PAGE_CAP = 2
HISTORY_MS = 1_762_000_000_000
DAY_MS = 24 * 3_600_000
OLD_NAME = "Reads out the old menu"
STATUSES = {"P": "pass", "F": "fail", "E": "error", "N": "in_progress"}


@dataclass(frozen=True)
class Past:
    """A batch run before: its label, version, creation (ms after day 0) and one letter per definition."""

    label: str
    version: int
    after_ms: int
    letters: str
    """One per HISTORY_NAMES definition, then the old menu."""

    @property
    def status(self) -> str:
        return "in_progress" if "N" in self.letters else "complete"


RUNNING = Past("v2-running", 2, 2 * DAY_MS + 3_600_000, "PPNNN-NN")
# Listed in this order, which is not the order of creation.
PASTS: dict[str, tuple[Past, ...]] = {
    "history": (
        Past("v2-r1", 2, 2 * DAY_MS, "PPFFP-PP"),
        RUNNING,
        Past("v2-old", 2, DAY_MS, "PFFFP-PP"),
        Past("v2-r2", 2, 2 * DAY_MS + 30_000, "PPFFF-PP"),
        Past("v1", 1, 0, "PPPFP-PP"),
    ),
    "sparse": (RUNNING, Past("v0", 0, 0, "PPPFP-PP")),
    "smoke": (Past("v2-full", 2, DAY_MS, "PPPPPPP-"), Past("v2-smoke", 2, 2 * DAY_MS, "P-------")),
}


def listed(engine: SimEngine, version: int) -> list[dict[str, Any]]:
    """The engine's past batches at `version`, as `list-batch-tests` lists them."""
    return [batch_body(engine, past) for past in PASTS.get(engine.script_name, ()) if past.version == version]


def find(batch_id: str) -> tuple[SimEngine, Past] | None:
    """The engine and past batch a `tcb_<engine id>_<label>` ID names, or None."""
    engine_id, _, label = batch_id.removeprefix("tcb_").rpartition("_")
    for prefix, kind in ENGINE_PREFIXES.items():
        engine = engine_named(kind, engine_id) if batch_id.startswith("tcb_" + prefix) else None
        past = next((p for p in PASTS.get(engine.script_name, ()) if p.label == label), None) if engine else None
        if engine is not None and past is not None:
            return engine, past
    return None


def batch_body(engine: SimEngine, past: Past) -> dict[str, Any]:
    statuses = [STATUSES[letter] for letter in past.letters if letter != "-"]
    created = HISTORY_MS + past.after_ms
    return {
        "test_case_batch_job_id": f"tcb_{engine.engine_id}_{past.label}",
        "status": past.status,
        "response_engine": engine.body(past.version),
        "pass_count": statuses.count("pass"),
        "fail_count": statuses.count("fail"),
        "error_count": statuses.count("error"),
        "total_count": len(statuses),
        "creation_timestamp": created,
        "user_modified_timestamp": created + 600_000,
    }


def runs(engine: SimEngine, past: Past) -> list[dict[str, Any]]:
    """The past batch's test runs, in definition order."""
    batch_id = f"tcb_{engine.engine_id}_{past.label}"
    names = [*engine.script.names, OLD_NAME]
    suffixes = [f"{index:03d}" for index in range(len(engine.script.names))] + ["old"]
    present = [
        (suffix, name, letter)
        for suffix, name, letter in zip(suffixes, names, past.letters, strict=True)
        if letter != "-"
    ]
    return [
        run_of(batch_id, index, f"tcd_{engine.script_name}_{suffix}", name, STATUSES[letter])
        for index, (suffix, name, letter) in enumerate(present)
    ]


def now_statuses(engine: SimEngine, definition_ids: Sequence[str], attempt: Callable[[str], int]) -> tuple[str, ...]:
    """Each definition's status in a batch created now; `attempt(id)` numbers that definition's batches from 1."""
    statuses = []
    for definition_id in definition_ids:
        letter = engine.script.now[int(definition_id.rsplit("_", 1)[1])]
        if letter == "K":
            letter = "P" if attempt(definition_id) % 2 else "F"
        statuses.append(STATUSES[letter])
    return tuple(statuses)


def frames_of(statuses: Sequence[str], steps: int = 3) -> list[Frame]:
    """A batch whose runs finish in order over `steps` reads (the first k runs are the finished ones)."""

    def counted(finished: Sequence[str], status: str) -> Frame:
        passed, failed, errored = (finished.count(outcome) for outcome in ("pass", "fail", "error"))
        return Frame(status, passed, failed, errored, len(statuses))

    frames = [counted(statuses[: len(statuses) * step // steps], "in_progress") for step in range(steps)]
    return [*frames, counted(statuses, "complete")]


def run_of(batch_id: str, index: int, definition_id: str, name: str, status: str) -> dict[str, Any]:
    """Test run number `index` of a batch, of one definition, with this status."""
    explanation = {"pass": "The agent met every metric.", "fail": FAIL_EXPLANATION, "error": ERROR_EXPLANATION}
    return {
        "test_case_job_id": f"tcj_{batch_id}_{index:05d}",
        "status": status,
        "test_case_definition_id": definition_id,
        "test_case_definition_snapshot": {"name": name, "type": "simulation", "user_prompt": "You are a caller."},
        "result_explanation": explanation.get(status),
        "transcript_snapshot": {"anything": ["goes", 1, None]},
        "creation_timestamp": HISTORY_MS,
        "user_modified_timestamp": HISTORY_MS + 30_000,
    }
