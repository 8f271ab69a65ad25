"""The baseline's Retell side over real HTTP against the simulator's history (simulator/history.py).

`baseline: latest` finds the newest complete batch(es) of the engine below the version tested (or
at `baseline-version`), never one this run started; explicit IDs are read and a typo is an error;
and the history is shaped so the comparison shows a regression, a fix, a flaky, a new and a
dropped definition.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import requests_mock as rm

from retell_gate.errors import ApiError
from retell_gate.judge.assess import assess
from retell_gate.retell.baseline import (
    MAX_VERSIONS_BACK,
    BaselineFound,
    BaselineUnavailable,
    NoBaseline,
    UnknownBaseline,
    find_baseline,
)
from retell_gate.retell.baseline_runs import BaselineRuns, read_baseline, read_found_baseline
from retell_gate.retell.client import RetellClient
from retell_gate.retell.engines import Engine
from retell_gate.retell.starting import create_batch_test
from retell_gate.simulator.server import Simulator
from tests.conftest import FakeClock
from tests.factories import KEY

if TYPE_CHECKING:
    from retell_gate.retell.models import TestRun

HISTORY = Engine("retell-llm", "llm_history")
GROUP = ("tcb_llm_history_v2-r2", "tcb_llm_history_v2-r1")  # one run's two repeats, the newest first
ALL_SEVEN = tuple(f"tcd_history_{index:03d}" for index in range(7))


def real_client(url: str) -> RetellClient:
    return RetellClient(url, "sim-key", sleep=lambda _seconds: None)


def soon() -> float:
    return time.monotonic() + 20


def find(
    simulator: Simulator,
    engine: Engine = HISTORY,
    *,
    tested: int | None = 3,
    baseline_version: int | None = None,
    exclude: tuple[str, ...] = (),
) -> BaselineFound | NoBaseline:
    client = real_client(simulator.url)
    return find_baseline(
        client, engine, tested_version=tested, baseline_version=baseline_version, exclude=exclude, deadline=soon()
    )


def found(result: BaselineFound | NoBaseline) -> BaselineFound:
    assert isinstance(result, BaselineFound), result
    return result


def listed_versions(simulator: Simulator) -> list[str]:
    """The `version` of each first page of list-batch-tests asked for ("latest" when none)."""
    versions = []
    for _, path in simulator.calls:
        if path.startswith("/v2/list-batch-tests") and "pagination_key" not in path:
            version = [part for part in path.split("&") if part.startswith("version=")]
            versions.append(version[0].removeprefix("version=") if version else "latest")
    return versions


def finished_batches(simulator: Simulator, engine: Engine, count: int) -> list[str]:
    """`count` batches of the seven history definitions created now at the engine's version, read until complete."""
    client = real_client(simulator.url)
    started: list[str] = []
    for _ in range(count):
        started.append(create_batch_test(client, ALL_SEVEN, engine, soon()).batch.test_case_batch_job_id)
    for batch_id in started:
        while client.get_batch(batch_id, soon()).status != "complete":
            pass
    return started


def runs_of(simulator: Simulator, batch_ids: list[str]) -> list[TestRun]:
    client = real_client(simulator.url)
    return [run for batch_id in batch_ids for run in client.list_test_runs(batch_id, soon()).runs]


def test_latest_at_a_baseline_version_is_its_newest_complete_batches_across_pages(simulator: Simulator) -> None:
    baseline = found(find(simulator, baseline_version=2))
    # v2-running is newer but in progress; v2-old is a day older; r1 and r2 are 30 s apart on two pages.
    assert baseline.batch_ids == GROUP
    assert (baseline.version, baseline.engine) == (2, Engine("retell-llm", "llm_history", 2))
    assert baseline.describe() == (
        "2 batches created together (tcb_llm_history_v2-r2, tcb_llm_history_v2-r1) of retell-llm llm_history version 2"
    )
    pages = [path for _, path in simulator.calls]
    assert pages == [
        "/v2/list-batch-tests?type=retell-llm&llm_id=llm_history&version=2&limit=1000",
        "/v2/list-batch-tests?type=retell-llm&llm_id=llm_history&version=2&limit=1000&pagination_key=pk_2",
    ]


def test_latest_at_an_older_version_takes_that_versions_batch(simulator: Simulator) -> None:
    baseline = found(find(simulator, baseline_version=1))
    assert baseline.batch_ids == ("tcb_llm_history_v1",)
    assert baseline.describe() == "batch tcb_llm_history_v1 of retell-llm llm_history version 1"


def test_without_a_baseline_version_the_first_version_below_with_a_complete_batch_is_taken(
    simulator: Simulator,
) -> None:
    assert found(find(simulator, tested=3)).batch_ids == GROUP
    assert listed_versions(simulator) == ["2"]  # found at once: nothing lower is asked for
    assert found(find(simulator, tested=2)).batch_ids == ("tcb_llm_history_v1",)


def test_the_search_walks_down_past_versions_without_a_complete_batch(simulator: Simulator) -> None:
    baseline = found(find(simulator, Engine("conversation-flow", "conversation_flow_sparse"), tested=3))
    assert (baseline.batch_ids, baseline.version) == (("tcb_conversation_flow_sparse_v0",), 0)
    assert listed_versions(simulator) == ["2", "1", "0"]  # 2 has only a running batch, 1 none


def test_a_batch_this_run_started_is_never_its_baseline(simulator: Simulator) -> None:
    (own,) = finished_batches(simulator, Engine("retell-llm", "llm_history", 2), 1)
    assert found(find(simulator, baseline_version=2)).batch_ids == (own,)  # the newest complete one...
    assert found(find(simulator, baseline_version=2, exclude=(own,))).batch_ids == GROUP  # ...unless it is ours


def test_a_version_with_only_an_unfinished_batch_has_no_baseline(simulator: Simulator) -> None:
    result = find(simulator, Engine("retell-llm", "llm_sparse"), baseline_version=2)
    assert result == NoBaseline(
        "Retell lists no complete batch of retell-llm llm_sparse at version 2 (1 listed is not complete)."
    )


@pytest.mark.parametrize(
    ("tested", "reason"),
    [
        (3, "Retell lists no complete batch of retell-llm llm_demo at versions 2 down to 0."),
        (1, "Retell lists no complete batch of retell-llm llm_demo at version 0."),
        (0, "Version 0 of retell-llm llm_demo is its first: no version is below it."),
    ],
)
def test_an_engine_without_history_has_no_baseline_and_says_where_it_looked(
    simulator: Simulator, tested: int, reason: str
) -> None:
    assert find(simulator, Engine("retell-llm", "llm_demo"), tested=tested) == NoBaseline(reason)


def test_the_search_goes_at_most_twenty_versions_down(simulator: Simulator) -> None:
    result = find(simulator, Engine("retell-llm", "llm_demo"), tested=30)
    assert isinstance(result, NoBaseline)
    assert result.reason.startswith("Retell lists no complete batch of retell-llm llm_demo at versions 29 down to 10.")
    assert "set `baseline-version` to compare with an older one" in result.reason
    assert listed_versions(simulator) == [str(version) for version in range(29, 9, -1)]
    assert len(listed_versions(simulator)) == MAX_VERSIONS_BACK


def test_a_listing_that_fails_is_not_taken_for_no_history(simulator: Simulator) -> None:
    with pytest.raises(BaselineUnavailable) as caught:
        find(simulator, Engine("retell-llm", "llm_unlisted"), tested=3)
    assert caught.value.message.startswith(
        "Listing the batches of retell-llm llm_unlisted at version 2 failed, so the baseline is unknown: "
    )
    assert "HTTP 500" in caught.value.message
    assert isinstance(caught.value, ApiError)  # uncaught, it is exit 3: never a silent "no baseline"


def test_a_listing_that_fails_part_way_down_stops_the_search(clock: FakeClock) -> None:
    base = "https://retell.test"
    client = RetellClient(base, KEY, clock=clock, sleep=clock.sleep)
    older = {
        "test_case_batch_job_id": "b_old",
        "status": "complete",
        "response_engine": {"type": "retell-llm", "llm_id": "llm_x", "version": 0},
        "pass_count": 1,
        "fail_count": 0,
        "error_count": 0,
        "total_count": 1,
        "creation_timestamp": 1,
        "user_modified_timestamp": 1,
    }
    url = f"{base}/v2/list-batch-tests?type=retell-llm&llm_id=llm_x"
    with rm.Mocker() as mock:
        mock.get(f"{url}&version=2", json={"items": [], "has_more": False})
        mock.get(f"{url}&version=1", status_code=404, json={"message": "gone"})
        mock.get(f"{url}&version=0", json={"items": [older], "has_more": False})
        with pytest.raises(BaselineUnavailable, match=r"at version 1 failed.*HTTP 404: gone"):
            find_baseline(
                client,
                Engine("retell-llm", "llm_x"),
                tested_version=3,
                baseline_version=None,
                exclude=(),
                deadline=clock() + 30,
            )
        assert not any("version=0" in request.url for request in mock.request_history)  # b_old was never taken


def test_an_unknown_tested_version_looks_at_the_latest_then_below_it(simulator: Simulator) -> None:
    result = find(simulator, tested=None)
    assert isinstance(result, NoBaseline)  # nothing listed at the latest version says which one it is
    assert "set `baseline-version`" in result.reason
    own = finished_batches(simulator, Engine("retell-llm", "llm_history"), 1)  # Retell runs it at version 3
    simulator.calls.clear()
    assert found(find(simulator, tested=None, exclude=own)).batch_ids == GROUP
    assert listed_versions(simulator) == ["latest", "2"]


def test_explicit_baseline_ids_are_read_with_their_runs(simulator: Simulator) -> None:
    baseline = read_baseline(real_client(simulator.url), ["tcb_llm_history_v1", "tcb_llm_history_v1"], soon())
    assert (baseline.batch_ids, baseline.whole, baseline.warnings) == (("tcb_llm_history_v1",), True, ())
    assert len(baseline.runs) == 7
    assert {run.name for run in baseline.runs if run.outcome == "fail"} == {"Cancels a booking politely"}


@pytest.mark.parametrize("batch_id", ["tcb_llm_history_v7", "tcb_nobody"])
def test_an_explicit_baseline_id_retell_does_not_know_is_an_error(simulator: Simulator, batch_id: str) -> None:
    with pytest.raises(UnknownBaseline) as caught:
        read_baseline(real_client(simulator.url), ["tcb_llm_history_v1", batch_id], soon())
    assert caught.value.message.startswith(f"Retell does not know the baseline batch {batch_id} (HTTP 404: ")
    assert "typo, not a missing history" in caught.value.message
    assert "Check `baseline`" in caught.value.hint
    assert not isinstance(caught.value, BaselineUnavailable)  # baseline-required does not soften it


def test_an_unfinished_baseline_batch_is_left_out_with_a_warning(simulator: Simulator) -> None:
    client = real_client(simulator.url)
    baseline = read_baseline(client, ["tcb_llm_history_v2-running", "tcb_llm_history_v1"], soon())
    assert baseline.batch_ids == ("tcb_llm_history_v1",)
    assert baseline.warnings == (
        "The baseline batch tcb_llm_history_v2-running is in_progress, not complete: it is left out of the baseline.",
    )
    with pytest.raises(
        BaselineUnavailable, match=r"No baseline batch named is complete \(tcb_llm_sparse_v2-running is"
    ):
        read_baseline(client, ["tcb_llm_sparse_v2-running"], soon())


@pytest.mark.parametrize(
    ("batch_id", "problem"),
    [
        ("server-error", r"Reading the baseline batch server-error failed: Retell failed 6 tries in a row"),
        ("runs-broken", r"Listing the test runs of the baseline batch runs-broken failed: .*HTTP 500"),
    ],
)
def test_a_baseline_batch_that_cannot_be_read_is_unavailable(simulator: Simulator, batch_id: str, problem: str) -> None:
    with pytest.raises(BaselineUnavailable, match=problem):
        read_baseline(real_client(simulator.url), [batch_id], soon())


def test_a_baseline_whose_runs_are_listed_in_part_says_so(simulator: Simulator) -> None:
    baseline = read_baseline(real_client(simulator.url), ["listed-short"], soon())
    assert (len(baseline.runs), baseline.whole) == (8, False)
    assert baseline.problems == ("Retell listed 8 of the baseline batch listed-short's 10 test runs.",)


def found_runs(simulator: Simulator) -> BaselineRuns:
    baseline = read_found_baseline(real_client(simulator.url), found(find(simulator, tested=3)), soon())
    assert (baseline.batch_ids, baseline.whole) == (GROUP, True)
    return baseline


def test_the_history_shows_a_regression_a_fix_a_flaky_a_new_and_a_dropped_test(simulator: Simulator) -> None:
    baseline = found_runs(simulator)
    now = runs_of(simulator, finished_batches(simulator, Engine("retell-llm", "llm_history", 3), 2))  # repeats: 2
    comparison = assess(now, baseline.runs).comparison
    assert comparison is not None
    names = {change: [entry.name for entry in comparison.of(change)] for change in ("regressed", "fixed", "new")}
    assert names == {
        "regressed": ["Books a table for two"],
        "fixed": ["Moves a booking to Friday"],
        "new": ["Refuses to share another guest's booking"],
    }
    assert [e.name for e in comparison.still_failing] == [
        "Cancels a booking politely",
        "Spells out the confirmation code",
    ]
    assert [e.name for e in comparison.dropped] == ["Reads out the old menu"]
    assert [e.name for e in comparison.unchanged_pass] == ["Ends the call when asked", "Greets the caller"]
    flaky = [e for e in comparison.entries if e.current and e.current.flaky and e.baseline and e.baseline.flaky]
    assert [e.name for e in flaky] == ["Spells out the confirmation code"]  # passed and failed on both sides
    lenient = assess(now, baseline.runs, min_passes=1).comparison  # one pass in two is enough, on both sides
    assert lenient is not None
    unchanged = ["Ends the call when asked", "Greets the caller", "Spells out the confirmation code"]
    assert [entry.name for entry in lenient.unchanged_pass] == unchanged


def test_one_batch_now_swaps_one_failure_for_another(simulator: Simulator) -> None:
    baseline = found_runs(simulator)
    now = runs_of(simulator, finished_batches(simulator, Engine("retell-llm", "llm_history", 3), 1))
    assessment = assess(now, baseline.runs)
    before = assess(baseline.runs).counts
    assert (before.failed, assessment.counts.failed) == (3, 2)  # fewer failures: `max-failures: 2` would pass
    assert [check.ok for check in assessment.checks] == [False]  # but max-regressions (0) does not
    assert "Books a table for two" in assessment.checks[0].failure


class ListsRuns:
    """A client whose list_test_runs answers from a table (batch ID -> listing)."""

    def __init__(self, listings: dict[str, Any]) -> None:
        self.listings = listings
        self.listed: list[str] = []

    def list_test_runs(self, batch_job_id: str, deadline: float) -> Any:
        self.listed.append(batch_job_id)
        return self.listings[batch_job_id]


def test_a_test_the_newest_batches_lack_is_taken_from_an_older_run_with_its_repeats() -> None:
    from retell_gate.retell.baseline_runs import BaselineRuns, fill_missing
    from retell_gate.retell.listing import RunListing
    from tests.factories import batch, make_run

    smoke = batch(batch_id="smoke", passed=1, total=1)
    r1, r2 = batch(batch_id="r1", passed=2, total=2), batch(batch_id="r2", passed=1, failed=1, total=2)
    base = BaselineRuns((smoke,), (make_run(0, "pass", "Greets"),), listed_passes=1)
    client = ListsRuns(
        {
            "r1": RunListing((make_run(0, "pass", "Greets"), make_run(1, "pass", "Books"))),
            "r2": RunListing((make_run(0, "pass", "Greets"), make_run(1, "fail", "Books"))),
        }
    )
    filled = fill_missing(client, base, [(r1, r2)], {"tcd_0": "Greets", "tcd_1": "Books"}, 0.0)  # type: ignore[arg-type]
    assert [b.test_case_batch_job_id for b in filled.batches] == ["smoke", "r1", "r2"]  # the whole older run
    assert [(r.name, r.status) for r in filled.runs] == [("Greets", "pass"), ("Books", "pass"), ("Books", "fail")]
    assert filled.whole
    assert filled.unlisted_passes == 0


def test_an_older_run_listed_in_part_makes_the_baseline_partial_though_it_gave_nothing() -> None:
    from retell_gate.retell.baseline_runs import BaselineRuns, fill_missing
    from retell_gate.retell.listing import RunListing
    from tests.factories import batch, make_run

    smoke = batch(batch_id="smoke", passed=1, total=1)
    o1, o2 = batch(batch_id="o1", passed=3, total=3), batch(batch_id="o2", passed=0, failed=1, total=1)
    base = BaselineRuns((smoke,), (make_run(0, "pass", "Greets"),), listed_passes=1)
    client = ListsRuns(
        {
            "o1": RunListing((make_run(0, "pass", "Greets"),), "the listing stopped"),  # T may be in the rest
            "o2": RunListing((make_run(9, "fail", "T"),)),
        }
    )
    filled = fill_missing(client, base, [(o1,), (o2,)], {"tcd_9": "T"}, 0.0)  # type: ignore[arg-type]
    assert not filled.whole
    assert filled.unlisted_passes == 2  # o1 counts 3 passes and lists 1: T may be one of them
