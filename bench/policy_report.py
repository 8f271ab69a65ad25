"""Tables of the simulated policy benchmark (bench/policy.py): plain text for the terminal, markdown for the docs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.policy import LAG_LIMIT, Result, Summary, groups

HEADER = (
    "Batches",
    "n",
    "Gate requests",
    "Plain-poll requests",
    "Ratio",
    "Over 1.25×+1",
    "Worst batch: gate vs plain",
    "Gate lag mean (s)",
    "Gate lag worst (s)",
    "Plain-poll lag mean (s)",
)


def _cells(name: str, s: Summary) -> tuple[str, ...]:
    w = s.worst
    return (
        name,
        f"{s.batches}",
        f"{s.requests}",
        f"{s.baseline_requests}",
        f"{s.ratio:.2f}",
        f"{s.over_budget}",
        f"{w.gate.requests} vs {w.baseline.requests} ({w.gate.requests / w.baseline.requests:.2f}×): {w.label}",
        f"{s.mean_lag:.2f}",
        f"{s.worst_lag:.1f}",
        f"{s.baseline_mean_lag:.2f}",
    )


def rows(results: Sequence[Result]) -> list[tuple[str, ...]]:
    return [_cells(f"**{name}**" if name == "all" else name, s) for name, s in groups(results).items()]


def verdict(results: Sequence[Result]) -> str:
    s = groups(results)["all"]
    requests = "requests target met" if s.requests_met else "requests target NOT met"
    lag = "mean lag ≤ 2 s" if s.mean_lag <= LAG_LIMIT else "mean lag over 2 s"
    return f"{requests}, {lag}"


def markdown(sets: Mapping[str, Sequence[Result]]) -> str:
    parts = []
    for name, results in sets.items():
        lines = [f"**{name}** ({verdict(results)})", "", "| " + " | ".join(HEADER) + " |"]
        lines.append("|---|" + "--:|" * 5 + "---|" + "--:|" * 3)
        lines += ["| " + " | ".join(cells) + " |" for cells in rows(results)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def text(sets: Mapping[str, Sequence[Result]]) -> str:
    parts = []
    for name, results in sets.items():
        table = [HEADER, *rows(results)]
        widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
        lines = [f"== {name}: {verdict(results)}"]
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in table]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


INTERVAL_HEADER = (
    "poll-interval",
    "Batches",
    "Gate requests",
    "Plain-poll requests",
    "Ratio",
    "Over 1.25×+1",
    "Gate lag mean (s)",
    "Plain-poll lag mean (s)",
)


def interval_rows(by_interval: Mapping[float, Sequence[Result]]) -> list[tuple[str, ...]]:
    rows = []
    for interval, results in by_interval.items():
        s = groups(results)["all"]
        rows.append(
            (
                f"{interval:g} s",
                f"{s.batches}",
                f"{s.requests}",
                f"{s.baseline_requests}",
                f"{s.ratio:.2f}",
                f"{s.over_budget}",
                f"{s.mean_lag:.2f}",
                f"{s.baseline_mean_lag:.2f}",
            )
        )
    return rows


def intervals_markdown(by_interval: Mapping[float, Sequence[Result]]) -> str:
    lines = ["| " + " | ".join(INTERVAL_HEADER) + " |", "|--:|" + "--:|" * (len(INTERVAL_HEADER) - 1)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in interval_rows(by_interval))])


def intervals_text(by_interval: Mapping[float, Sequence[Result]]) -> str:
    table = [INTERVAL_HEADER, *interval_rows(by_interval)]
    widths = [max(len(row[i]) for row in table) for i in range(len(INTERVAL_HEADER))]
    lines = ["== both grids at other poll intervals"]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)
