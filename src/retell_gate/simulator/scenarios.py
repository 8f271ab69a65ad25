"""The simulator's scripted batches, by the batch ID that names them."""

from __future__ import annotations

from .frames import HOSTILE_NAMES, Frame, Scenario, progress

SCENARIOS: dict[str, Scenario] = {
    "passing": Scenario(progress(10, (10, 0, 0), 3)),
    "failing": Scenario(progress(10, (7, 2, 1), 3)),
    "slow": Scenario(progress(40, (38, 1, 1), 12)),
    "flaky": Scenario(
        [
            Frame(http_status=429, retry_after="0"),
            Frame("in_progress", 2, 0, 0),
            Frame(http_status=503),
            Frame(http_status=500),
            Frame("in_progress", 6, 0, 0),
            Frame(http_status=502),
            Frame("complete", 10, 0, 0),
        ]
    ),
    "stuck": Scenario([Frame("in_progress", 3, 1, 0)]),
    "empty": Scenario([Frame("complete", 0, 0, 0, 0)]),
    "uncounted": Scenario([Frame("complete", 8, 0, 0, 10)]),
    "unknown-status": Scenario([Frame("cancelled", 4, 0, 0)]),
    "overcounted": Scenario([Frame("complete", 11, 0, 0, 10)]),
    "not-json": Scenario([Frame(raw_body=b"<html>Bad gateway</html>")]),
    "string-count": Scenario([Frame("complete", 10, 0, 0, patch={"pass_count": "10"})]),
    "rate-limited": Scenario([Frame(http_status=429, retry_after="1")]),
    "server-error": Scenario([Frame(http_status=500)]),
    "hostile": Scenario([Frame("complete", 2, 6, 4, 12)], HOSTILE_NAMES, hostile_explanations=True),
    "mismatch": Scenario([Frame("complete", 10, 0, 0, 10)], runs_tally=(8, 2, 0)),
    "hidden-failures": Scenario([Frame("complete", 8, 2, 0, 10)], runs_tally=(10, 0, 0)),
    "listed-none": Scenario([Frame("complete", 10, 0, 0, 10)], runs_listed=0),
    "listed-short": Scenario([Frame("complete", 10, 0, 0, 10)], runs_listed=8),
    "listed-short-failing": Scenario([Frame("complete", 10, 0, 0, 10)], runs_tally=(7, 1, 0), runs_listed=8),
    "share-edge": Scenario([Frame("complete", 189, 0, 10, 199)]),  # 10 errored is 5.03%: above 5%
    "rate-edge": Scenario([Frame("complete", 1999, 1, 0, 2000)]),  # a pass rate of exactly 99.95%
    "single": Scenario([Frame("complete", 1, 0, 0, 1)]),
    # Another engine, reporting no version (Retell ran its latest draft).
    "flow-latest": Scenario(
        [
            Frame(
                "complete",
                10,
                0,
                0,
                patch={"response_engine": {"type": "conversation-flow", "conversation_flow_id": "conversation_flow_x"}},
            )
        ]
    ),
    "stuck-passing": Scenario([Frame("in_progress", 1, 0, 0)]),
    # Counted when read: 1 passed; listed a moment later: 2 failed as well (the counts lag the runs).
    "stuck-lagging": Scenario([Frame("in_progress", 1, 0, 0)], runs_tally=(1, 2, 0)),
    "slow-stuck": Scenario([Frame("in_progress", 1, 0, 0, delay=2.5)]),  # each read answered after 2.5 s
    # Three failures at the second read, then a long way to go: what `fail-fast` stops early on.
    "fails-early": Scenario(
        [
            Frame("in_progress", 0, 0, 0, 20),
            *(Frame("in_progress", passed, 3, 0, 20) for passed in range(1, 17)),
            Frame("complete", 17, 3, 0, 20),
        ]
    ),
    "runs-broken": Scenario([Frame("complete", 7, 2, 1, 10)], runs_fault="broken"),
    "endless-pages": Scenario([Frame("complete", 10, 0, 0, 10)], runs_fault="endless"),
    "many-failures": Scenario([Frame("complete", 5, 20, 5, 30)]),
    "big": Scenario([Frame("complete", 9000, 700, 300, 10_000)], explanation_chars=2000),
    # Faults, one per scenario; tests/faults.py runs the gate against each.
    "retry-after-seconds": Scenario([Frame(http_status=429, retry_after="1"), Frame("complete", 10, 0, 0)]),
    "retry-after-date": Scenario(
        [Frame(http_status=429, retry_after="Thu, 01 Jan 1970 00:00:01 GMT"), Frame("complete", 10, 0, 0)]
    ),
    "retry-after-none": Scenario([Frame(http_status=429), Frame("complete", 10, 0, 0)]),
    "retry-after-long": Scenario([Frame(http_status=429, retry_after="120")]),
    "burst-5xx": Scenario(
        [
            Frame(http_status=500),
            Frame(http_status=502),
            Frame(http_status=503),
            Frame(http_status=504),
            Frame("complete", 10, 0, 0),
        ]
    ),
    "reset": Scenario([Frame(socket_fault="reset")]),
    "reset-once": Scenario([Frame(socket_fault="reset"), Frame("complete", 10, 0, 0)]),
    "hang": Scenario([Frame(socket_fault="hang")]),
    "trickle": Scenario([Frame(socket_fault="trickle")]),
    "truncated": Scenario([Frame(socket_fault="truncated")]),
    "html-200": Scenario([Frame(raw_body=b"<!doctype html><title>Maintenance</title><h1>Back soon</h1>")]),
    "huge-body": Scenario([Frame(socket_fault="huge")]),
    "missing-field": Scenario([Frame("complete", 10, 0, 0, drop=("total_count",))]),
    "wrong-type": Scenario([Frame("complete", 10, 0, 0, patch={"fail_count": "0"})]),
    "negative-count": Scenario([Frame("complete", 10, 0, 0, patch={"error_count": -1})]),
    "null-engine": Scenario([Frame("complete", 10, 0, 0, patch={"response_engine": None})]),
    "null-body": Scenario([Frame(raw_body=b"null")]),
    "extra-fields": Scenario([Frame("complete", 10, 0, 0, patch={"new_field": {"x": [1, 2]}, "cost_cents": 3})]),
    "redirect": Scenario([Frame(http_status=302, location="{other}/get-batch-test/passing")]),
    **{f"http-{status}": Scenario([Frame(http_status=status)]) for status in (400, 401, 402, 403, 404, 422)},
    **{
        f"http-{status}-empty": Scenario([Frame(http_status=status, raw_body=b"")])
        for status in (400, 401, 402, 403, 404, 422)
    },
}


MAX_COUNTED = 10_000


def find(batch_id: str) -> Scenario | None:
    """The scenario a batch ID names: `name` itself, or `name-<anything>` for a fresh batch; or a
    batch with the counts it names (`counted`)."""
    matches = [name for name in SCENARIOS if batch_id == name or batch_id.startswith(name + "-")]
    return SCENARIOS[max(matches, key=len)] if matches else counted(batch_id)


def counted(batch_id: str) -> Scenario | None:
    """`counts-<passed>-<failed>-<errored>[-<anything>]`: a batch that ends with these counts, half of
    them finished at its second read and complete at its third (for thresholds on several batches)."""
    parts = batch_id.split("-")
    if len(parts) < 4 or parts[0] != "counts" or not all(p.isdigit() and len(p) <= 5 for p in parts[1:4]):
        return None
    final = (int(parts[1]), int(parts[2]), int(parts[3]))
    if not 0 < sum(final) <= MAX_COUNTED:
        return None
    return Scenario(progress(sum(final), final, 2))
