"""The tables of the least lag possible (bench/lag_bound.py), beside the gate and a plain poll on the same batches.

    python3 bench/lag_tables.py    # prints them; `python3 dev.py bench` puts them in docs/performance.md

Two tables:
- For each row of ROWS: the least mean lag any policy keeping the request targets can reach on the simulator's
  batches of that many test cases, the gate's and a plain poll's, on 2,000 sampled batches each.
- For the counts in EVERY_WAY: the policy that reaches that least lag, run on each way of finishing of
  bench/policy.py, beside the gate. It is the best policy for test cases that finish at random; the table
  shows what that costs on batches that finish otherwise.
"""

from __future__ import annotations

import random
import statistics
import sys
import zlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "src"), str(Path(__file__).resolve().parent.parent)]

from bench.lag_bound import SHORT_GRID, WHOLE_GRID, Grid, Solution, Spread, follow, least_lag
from bench.policy import BANDS, DISTRIBUTIONS, SHORT, adaptive, plain, run_timed, summarize, timed_batches

SHORTEST, LONGEST = float(BANDS[0][0]), float(BANDS[-1][1])  # the range of durations
BATCHES = 2000  # sampled batches per row, for the gate and the plain poll
BATCHES_PER_WAY = 1500  # sampled batches per way of finishing, in the second table

# (label, spreads, grid): each row's bound is for all its spreads together, equally many batches of each.
COUNTS = (3, 4, 5, 6, 8, 10)  # one row each, on short batches and over the whole range
ROWS: tuple[tuple[str, tuple[Spread, ...], Grid], ...] = (
    *((f"{n}", (Spread(n, SHORTEST, SHORT),), SHORT_GRID) for n in COUNTS),
    ("3–10", tuple(Spread(n, SHORTEST, SHORT) for n in range(3, 11)), SHORT_GRID),
    *((f"{n}", (Spread(n, SHORTEST, LONGEST),), WHOLE_GRID) for n in COUNTS),
)
EVERY_WAY = (6, 10)  # whole-range rows whose best policy is also run on every way of finishing


def row(label: str, spreads: Sequence[Spread], grid: Grid) -> dict[str, Any]:
    """One row: the bound, and the gate and the plain poll on sampled batches of the same spreads; for a count
    in EVERY_WAY over the whole range, also the best policy and the gate on every way of finishing."""
    counts = (min(s.count for s in spreads), max(s.count for s in spreads))
    durations = (round(spreads[0].shortest), round(spreads[0].longest))
    seed = zlib.crc32(f"lag bound {label} {durations}".encode())  # fixed, and apart from the tuning seeds
    sample = summarize(run_timed(timed_batches(BATCHES, counts, durations, seed)))
    least = least_lag(spreads, grid)
    found: dict[str, Any] = {
        "tests": label,
        "durations": durations,
        "bound": least.lag,
        "gate": sample.mean_lag,
        "requests": sample.ratio,
        "plain": sample.baseline_mean_lag,
    }
    if len(spreads) == 1 and spreads[0].count in EVERY_WAY and spreads[0].longest == LONGEST:
        found["every_way"] = every_way(least.policies[0], spreads[0], grid)
    return found


def every_way(best: Solution, spread: Spread, grid: Grid) -> list[dict[str, Any]]:
    """The best policy for batches finishing at random, and the gate, on each way of finishing: `spread.count`
    test cases finishing at those fractions of a span drawn uniformly from the spread's range (up to its longest
    modelled span, past which the best policy knows no batch runs). "uniform" is the simulator's batches, the
    ones the policy is best for."""
    longest = spread.longest - grid.span_step / 2
    rows = []
    for way, finishing in DISTRIBUTIONS.items():
        rng = random.Random(f"every way {spread.count} {way}")  # noqa: S311 (a reproducible sample)
        best_lag, best_requests, gates, plains = [], 0, [], []
        for _ in range(BATCHES_PER_WAY):
            raw = finishing(rng, spread.count)
            span = rng.uniform(spread.shortest, longest)
            finishes = sorted(span * v for v in raw)
            lag, requests = follow(best, finishes)
            best_lag.append(lag)
            best_requests += requests
            gates.append(adaptive(finishes))
            plains.append(plain(finishes))
        spent = sum(p.requests for p in plains)
        rows.append(
            {
                "tests": spread.count,
                "way": way,
                "best": statistics.mean(best_lag),
                "best_requests": best_requests / spent,
                "gate": statistics.mean(g.lag for g in gates),
                "gate_requests": sum(g.requests for g in gates) / spent,
                "plain": statistics.mean(p.lag for p in plains),
            }
        )
    return rows


def table(rows: Sequence[tuple[str, tuple[Spread, ...], Grid]] = ROWS) -> list[dict[str, Any]]:
    """Every row, solved side by side (a few minutes)."""
    with ProcessPoolExecutor() as pool:
        return list(pool.map(row, *zip(*rows, strict=True)))


def main() -> int:
    found = table()
    print(f"{'tests':>5}  {'durations':>10}  {'bound (s)':>9}  {'gate (s)':>8}  {'requests':>8}  {'plain (s)':>9}")
    for r in found:
        low, high = r["durations"]
        print(
            f"{r['tests']:>5}  {f'{low}-{high} s':>10}  {r['bound']:9.2f}  {r['gate']:8.2f}"
            f"  {r['requests']:7.2f}×  {r['plain']:9.2f}"
        )
    header = ("tests", "finishing", "best (s)", "requests", "gate (s)", "requests", "plain (s)")
    print("\n" + "  ".join(f"{h:>{w}}" for h, w in zip(header, (5, 12, 8, 8, 8, 8, 9), strict=True)))
    for way in (w for r in found for w in r.get("every_way", ())):
        print(
            f"{way['tests']:>5}  {way['way']:>12}  {way['best']:8.2f}  {way['best_requests']:7.2f}×"
            f"  {way['gate']:8.2f}  {way['gate_requests']:7.2f}×  {way['plain']:9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
