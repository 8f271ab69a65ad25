"""docs/performance.md from the measurements of a bench run (bench/results.json) and the policy simulation."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from bench import policy, policy_report

BUDGET_KIB = 900
WIDE = "timed, the issue's range: 3–40 tests within 15 s–30 min"


def _met(ok: bool) -> str:
    return "✅ met" if ok else "❌ not met"


def _noticed(row: Mapping[str, float], who: str) -> float:
    """Seconds from the batch completing to the read that saw it (runs before this was recorded: to the exit)."""
    return row.get(f"{who}_noticed", row[f"{who}_lag"])


def _lag_cells(rows: Sequence[Mapping[str, float]], what: str) -> list[tuple[str, str, str, str, str]]:
    gate = [_noticed(r, "gate") for r in rows]
    curl = [_noticed(r, "curl") for r in rows]
    exits = [r["gate_lag"] for r in rows]
    return [
        (
            f"Detection lag, mean: {what}",
            f"{statistics.mean(gate):.2f} s (worst {max(gate):.2f} s)",
            f"plain 10 s poll: {statistics.mean(curl):.2f} s (worst {max(curl):.2f} s)",
            "≤ 2 s",
            _met(statistics.mean(gate) <= policy.LAG_LIMIT),
        ),
        (
            f"From the end to the gate's exit (runs listed, summary written), mean: {what}",
            f"{statistics.mean(exits):.2f} s",
            f"plain poll's curl loop: {statistics.mean(r['curl_lag'] for r in rows):.2f} s",
            "",
            "",
        ),
    ]


def _poll_cells(rows: Sequence[Mapping[str, float]], what: str) -> list[tuple[str, str, str, str, str]]:
    gate, curl = sum(r["gate_polls"] for r in rows), sum(r["curl_polls"] for r in rows)
    listing = sum(r["gate_requests"] - r["gate_polls"] for r in rows)
    worst = max(rows, key=lambda r: r["gate_polls"] / (policy.RATIO_LIMIT * r["curl_polls"] + policy.RATIO_SLACK))
    over = sum(1 for r in rows if r["gate_polls"] > policy.RATIO_LIMIT * r["curl_polls"] + policy.RATIO_SLACK)
    return [
        (
            f"API requests (polls), all batches: {what}",
            f"{gate:.0f} (and {listing:.0f} to list the runs)",
            f"plain 10 s poll: {curl:.0f}",
            "no more than the plain poll",
            _met(gate <= curl),
        ),
        (
            f"API requests (polls), worst single batch: {what}",
            f"{worst['gate_polls']:.0f} ({worst['tests']:.0f} tests, {worst['duration']:.0f} s)",
            f"plain 10 s poll: {worst['curl_polls']:.0f}",
            "≤ 1.25 × the plain poll + 1",
            _met(over == 0),
        ),
    ]


def _simulated_requests(name: str, results: Sequence[policy.Result]) -> tuple[str, str, str, str, str]:
    shapes = policy.groups(results)
    s, w = shapes["all"], shapes["all"].worst
    dearest = max(shapes.values(), key=lambda group: group.ratio)
    return (
        f"Simulated requests: {name}",
        f"{s.requests} ({s.ratio:.2f}×; dearest group {dearest.ratio:.2f}×); worst batch {w.gate.requests} vs "
        f"{w.baseline.requests}",
        f"plain 10 s poll: {s.baseline_requests}",
        "in total no more, by way of finishing and by length; each batch ≤ 1.25 × + 1",
        _met(all(group.requests_met for group in shapes.values())),
    )


def _simulated_lag(name: str, s: policy.Summary, note: str = "") -> tuple[str, str, str, str, str]:
    met = s.mean_lag <= policy.LAG_LIMIT
    return (
        f"Simulated lag, mean: {name}",
        f"{s.mean_lag:.2f} s",
        f"plain 10 s poll: {s.baseline_mean_lag:.2f} s",
        "≤ 2 s",
        _met(met) + ("" if met or not note else f": {note}"),
    )


def _simulated_cells(simulated: Mapping[str, Sequence[policy.Result]]) -> list[tuple[str, str, str, str, str]]:
    cells = [_simulated_requests(name, simulated[name]) for name in ("tuning grid", "held-out grid")]
    for name, results in simulated.items():
        if name.startswith("timed, "):
            cells.append(_simulated_lag(f"simulator's batches, {name.removeprefix('timed, ')}", _all(results)))
    for name in ("tuning grid", "held-out grid"):
        cells.append(_simulated_lag(f"{name}, uniform shape", policy.groups(simulated[name])["uniform"]))
    for name in ("tuning grid", "held-out grid"):
        out_of_reach = "out of reach on shapes whose end nothing announces (below)"
        cells.append(_simulated_lag(f"{name}, every shape", _all(simulated[name]), out_of_reach))
    return cells


def _all(results: Sequence[policy.Result]) -> policy.Summary:
    return policy.groups(results)["all"]


def _interval_cells(by_interval: Mapping[float, Sequence[policy.Result]]) -> list[tuple[str, str, str, str, str]]:
    summaries = {interval: _all(results) for interval, results in by_interval.items()}
    dearest = max(summaries, key=lambda interval: summaries[interval].ratio)
    return [
        (
            f"Simulated requests, both grids, poll-interval {', '.join(f'{i:g}' for i in summaries)} s",
            f"at most {summaries[dearest].ratio:.2f}× (at {dearest:g} s)",
            "a plain poll at the same interval",
            "in total no more; each batch ≤ 1.25 × + 1",
            _met(all(s.requests_met for s in summaries.values())),
        )
    ]


def _other_cells(start: Mapping[str, float], big: Mapping[str, float]) -> list[tuple[str, str, str, str, str]]:
    ratio = start["gate"] / start["floor"]
    return [
        (
            "Start-up to first request",
            f"{start['gate'] * 1000:.0f} ms",
            f"`python -c` with one requests.get: {start['floor'] * 1000:.0f} ms",
            "≤ 1.5× the floor",
            f"{_met(ratio <= 1.5)} ({ratio:.2f}×)",
        ),
        (
            "10,000 runs: processing beyond the network",
            f"{big['processing']:.2f} s",
            f"network and simulator: {big['network']:.2f} s",
            "≤ 2 s",
            _met(big["processing"] <= 2),
        ),
        ("10,000 runs: peak memory of the gate", f"{big['rss_mb']:.0f} MB", "", "≤ 150 MB", _met(big["rss_mb"] <= 150)),
        (
            "10,000 runs: job summary",
            f"{big['summary_bytes'] / 1024:.0f} KiB",
            "",
            f"under its {BUDGET_KIB} KiB budget",
            _met(big["summary_bytes"] <= BUDGET_KIB * 1024),
        ),
    ]


def _image_cells(img: Mapping[str, Any] | None, when: str) -> list[tuple[str, str, str, str, str]]:
    if img is None:
        return []
    added = img["image_mb"] - img["base_mb"]
    earlier = f" (run of {img['when']})" if img.get("when", when) != when else ""
    return [
        (
            f"Image build (base present, no cache){earlier}",
            f"{img['build_seconds']:.1f} s",
            "",
            "≤ 15 s",
            _met(img["build_seconds"] <= 15),
        ),
        (
            f"Image size added to the base{earlier}",
            f"{added:.1f} MB",
            f"base {img['base_mb']:.0f} MB, image {img['image_mb']:.0f} MB",
            "≤ 25 MB",
            _met(added <= 25),
        ),
    ]


def _lag_table(rows: Sequence[Mapping[str, float]]) -> str:
    lines = [
        "| Batch | Test cases | Completes after (s) | Gate lag (s) | Gate exits after (s) | Gate polls "
        "| Fixed-poll lag (s) | Fixed-poll polls |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for number, row in enumerate(rows, 1):
        lines.append(
            f"| {number} | {row['tests']:.0f} | {row['duration']:.0f} | {_noticed(row, 'gate'):.2f} | "
            f"{row['gate_lag']:.2f} | {row['gate_polls']:.0f} | {_noticed(row, 'curl'):.2f} | {row['curl_polls']:.0f} |"
        )
    gate = [_noticed(r, "gate") for r in rows]
    curl = [_noticed(r, "curl") for r in rows]
    lines.append(
        f"| **all** | | | **mean {statistics.mean(gate):.2f}, worst {max(gate):.2f}** | "
        f"**mean {statistics.mean(r['gate_lag'] for r in rows):.2f}** | "
        f"**{sum(r['gate_polls'] for r in rows):.0f}** | **mean {statistics.mean(curl):.2f}, worst "
        f"{max(curl):.2f}** | **{sum(r['curl_polls'] for r in rows):.0f}** |"
    )
    return "\n".join(lines)


def _targets(
    measured: Mapping[str, Any],
    simulated: Mapping[str, Sequence[policy.Result]],
    intervals: Mapping[float, Sequence[policy.Result]],
) -> str:
    long, short = measured["lag"], measured["short"]
    cells = [
        *_lag_cells(long, f"{len(long)} batches, 60–240 s"),
        *_lag_cells(short, f"{len(short)} short batches, 15–60 s"),
        *_poll_cells(long, f"{len(long)} batches, 60–240 s"),
        *_poll_cells(short, f"{len(short)} short batches"),
    ]
    cells += _simulated_cells(simulated)
    cells += _interval_cells(intervals)
    cells += _other_cells(measured["startup"], measured["scale"])
    cells += _image_cells(measured.get("image"), measured["when"])
    table = ["| Measure | Gate | Baseline | Target | Result |", "|---|--:|---|---|---|"]
    return "\n".join([*table, *(f"| {' | '.join(row)} |" for row in cells)])


def document(
    measured: Mapping[str, Any],
    simulated: Mapping[str, Sequence[policy.Result]],
    intervals: Mapping[float, Sequence[policy.Result]],
    bounds: Sequence[Mapping[str, Any]],
    today: str,
) -> str:
    from bench.breakdowns import Breakdowns, bound_table, every_way_table
    from bench.report_text import render

    by_count = policy.by_count(simulated[WIDE])
    crossed = {name: policy.by_shape_and_length(simulated[name]) for name in ("tuning grid", "held-out grid")}
    return render(
        measured=measured,
        targets=_targets(measured, simulated, intervals),
        long_table=_lag_table(measured["lag"]),
        short_table=_lag_table(measured["short"]),
        simulated=policy_report.markdown(simulated),
        groups={name: policy.groups(results) for name, results in simulated.items()},
        breakdowns=Breakdowns(
            by_count=by_count,
            by_count_table=policy_report.summaries_markdown(by_count),
            crossed=crossed,
            crossed_tables={name: policy_report.summaries_markdown(found) for name, found in crossed.items()},
            bounds=bounds,
            bound_table=bound_table(bounds),
            every_way_table=every_way_table(bounds),
        ),
        intervals=policy_report.intervals_markdown(intervals),
        today=today,
    )
