"""The simulated results taken apart for docs/performance.md: by test count, by way of finishing crossed with
length, and beside the least lag possible (bench/lag_tables.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.policy import LAG_LIMIT, Summary
from bench.policy_report import markdown_table


@dataclass(frozen=True)
class Breakdowns:
    """The simulated results taken apart: by test count over the issue's range, by way of finishing crossed
    with length on each grid, and the least lag possible on a few test cases."""

    by_count: Mapping[str, Summary]
    by_count_table: str
    crossed: Mapping[str, Mapping[str, Summary]]
    crossed_tables: Mapping[str, str]
    bounds: Sequence[Mapping[str, Any]]
    bound_table: str
    every_way_table: str

    def over_parity(self) -> str:
        """Crossed groups that cost more than the plain poll in total, e.g. "straggler ≤ 60 s: 1.19× (tuning)"."""
        return self._crossed_where(lambda s: s.requests > s.baseline_requests, lambda s: f"{s.ratio:.2f}×")

    def later_than_plain(self) -> str:
        """Crossed groups noticed later than the plain poll on average, e.g. "together ≤ 60 s: 6.72 s against
        4.58 s (tuning)"."""
        return self._crossed_where(
            lambda s: s.mean_lag > s.baseline_mean_lag,
            lambda s: f"{s.mean_lag:.2f} s against {s.baseline_mean_lag:.2f} s",
        )

    def _crossed_where(self, keep: Callable[[Summary], bool], describe: Callable[[Summary], str]) -> str:
        found = [
            f"{name.replace(',', '')}: {describe(s)} ({where.removesuffix(' grid')})"
            for where, groups in self.crossed.items()
            for name, s in groups.items()
            if keep(s)
        ]
        return "; ".join(found) if found else "none"

    def over_limit_counts(self) -> str:
        """The test counts whose mean lag is over 2 s, with their lag, e.g. "3–5 tests 3.83 s"."""
        over = [f"{name} {s.mean_lag:.2f} s" for name, s in self.by_count.items() if s.mean_lag > LAG_LIMIT]
        return ", ".join(over) if over else "none"

    def out_of_reach(self) -> str:
        """The batches no policy can bring to 2 s, by range of durations, e.g. "3–8 test cases within 15–60 s"."""
        found = []
        for durations in dict.fromkeys(r["durations"] for r in self.bounds):
            over = [r["tests"] for r in self.bounds if r["durations"] == durations and r["bound"] > LAG_LIMIT]
            if over:
                counts = [t for t in over if "–" not in t] or over  # single counts, if any, name the range
                named = counts[0] if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
                found.append(f"{named} test cases within {_durations(durations)}")
        return " and ".join(found) if found else "no batches"

    def best_over_parity(self) -> str:
        """Ways of finishing on which the best policy for random finishes costs more than a plain poll in total,
        e.g. "straggler 1.25× (6 test cases)"."""
        return self._every_way(lambda w: w["best_requests"] > 1, lambda w: f"{w['best_requests']:.2f}×")

    def best_later_than_gate(self) -> str:
        """Ways of finishing the best policy for random finishes notices later than the gate, e.g. "together
        23.42 s against the gate's 1.65 s (6 test cases)"."""
        return self._every_way(
            lambda w: w["best"] > w["gate"], lambda w: f"{w['best']:.2f} s against the gate's {w['gate']:.2f} s"
        )

    def _every_way(
        self, keep: Callable[[Mapping[str, Any]], bool], describe: Callable[[Mapping[str, Any]], str]
    ) -> str:
        found = [
            f"{w['way']} {describe(w)} ({w['tests']} test cases)"
            for r in self.bounds
            for w in r.get("every_way", ())
            if keep(w)
        ]
        return "; ".join(found) if found else "none"

    def behind_bound(self, durations: tuple[int, int]) -> str:
        """How far the gate's mean lag is above the least possible, over one range, e.g. "0.3–0.5 s"."""
        gaps = [r["gate"] - r["bound"] for r in self.bounds if tuple(r["durations"]) == tuple(durations)]
        return f"{min(gaps):.1f}–{max(gaps):.1f} s"


def _durations(durations: tuple[int, int]) -> str:
    low, high = durations
    return f"{low}–{high} s" if high <= 60 else f"{low} s–{high // 60} min"


def bound_table(bounds: Sequence[Mapping[str, Any]]) -> str:
    header = (
        "Test cases",
        "Durations",
        "Least mean lag possible (s)",
        "Gate (s)",
        "Gate's requests",
        "Plain 10 s poll (s)",
    )
    body = [
        (
            r["tests"],
            f"{r['durations'][0]}–{r['durations'][1]} s",
            f"{r['bound']:.2f}",
            f"{r['gate']:.2f}",
            f"{r['requests']:.2f}×",
            f"{r['plain']:.2f}",
        )
        for r in bounds
    ]
    return "\n".join(markdown_table(header, "|--:|--:|--:|--:|--:|--:|", body))


def every_way_table(bounds: Sequence[Mapping[str, Any]]) -> str:
    header = (
        "Test cases",
        "Way of finishing",
        "Best policy (s)",
        "Its requests",
        "Gate (s)",
        "Gate's requests",
        "Plain 10 s poll (s)",
    )
    body = [
        (
            f"{w['tests']}",
            w["way"],
            f"{w['best']:.2f}",
            f"{w['best_requests']:.2f}×",
            f"{w['gate']:.2f}",
            f"{w['gate_requests']:.2f}×",
            f"{w['plain']:.2f}",
        )
        for r in bounds
        for w in r.get("every_way", ())
    ]
    return "\n".join(markdown_table(header, "|--:|---|--:|--:|--:|--:|--:|", body))
