"""Tables of the simulated policy benchmark (bench/policy.py): plain text for the terminal, markdown for the docs.

python3 bench/policy_report.py     # runs the simulation and prints the tables
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "src"), str(Path(__file__).resolve().parent.parent)]

from bench.policy import LAG_LIMIT, Result, Summary, all_sets, groups, other_intervals

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
        alignment = "|---|" + "--:|" * 5 + "---|" + "--:|" * 3
        lines = [f"**{name}** ({verdict(results)})", "", *markdown_table(HEADER, alignment, rows(results))]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def text(sets: Mapping[str, Sequence[Result]]) -> str:
    parts = []
    for name, results in sets.items():
        parts.append("\n".join([f"== {name}: {verdict(results)}", *_text_table(HEADER, rows(results))]))
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
    rows: list[tuple[str, ...]] = []
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
    alignment = "|--:|" + "--:|" * (len(INTERVAL_HEADER) - 1)
    return "\n".join(markdown_table(INTERVAL_HEADER, alignment, interval_rows(by_interval)))


def intervals_text(by_interval: Mapping[float, Sequence[Result]]) -> str:
    return "\n".join(
        ["== both grids at other poll intervals", *_text_table(INTERVAL_HEADER, interval_rows(by_interval))]
    )


SUMMARY_HEADER = (
    "Batches",
    "n",
    "Requests vs plain poll",
    "Over 1.25×+1",
    "Gate lag mean (s)",
    "Plain-poll lag mean (s)",
)


def summaries_markdown(summaries: Mapping[str, Summary]) -> str:
    """A compact table of named groups: what each costs against the plain poll, and how late each is noticed."""
    body = [
        (name, f"{s.batches}", f"{s.ratio:.2f}×", f"{s.over_budget}", f"{s.mean_lag:.2f}", f"{s.baseline_mean_lag:.2f}")
        for name, s in summaries.items()
    ]
    return "\n".join(markdown_table(SUMMARY_HEADER, "|---|" + "--:|" * 5, body))


def markdown_table(header: Sequence[str], alignment: str, body: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a markdown table: header, alignment row, then the body."""
    header_line, *body_lines = ("| " + " | ".join(row) + " |" for row in (header, *body))
    return [header_line, alignment, *body_lines]


def _text_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, for the terminal."""
    table = [header, *body]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in table]


def main() -> int:
    print(text(all_sets()))
    print()
    print(intervals_text(other_intervals()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
