"""Benchmarks, measured side by side in one run; writes docs/performance.md.

    python3 dev.py bench [--batches 48] [--skip-image]

1. Detection lag and API calls: simulated batches whose test cases finish at random times, watched
   by the gate at its defaults and by bench/fixed-poll.sh (curl every 10 s), at the same time.
2. Start-up: process start to first request, against `python -c` doing one `requests.get`.
3. Scale: a batch of 10,000 runs with long explanations.
4. Image: build time (base image present) and the size the Dockerfile adds (podman, as root).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import image, scale, startup_report  # noqa: E402
from retell_gate.simulator.server import Simulator  # noqa: E402

KEY = "sim-key"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    return env | {"RETELL_API_KEY": KEY, "PYTHONUNBUFFERED": "1"} | extra


def _watch(command: list[str], ends: dict[str, float], name: str) -> threading.Thread:
    def target() -> None:
        subprocess.run(command, env=clean_env(), capture_output=True, check=False)
        ends[name] = time.monotonic()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def lag(batches: int, seed: int) -> tuple[list[dict[str, float]], str]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    plan = [(rng.randint(1, 10**6), rng.randint(5, 40), rng.randint(60, 240)) for _ in range(batches)]
    ends: dict[str, float] = {}
    with Simulator(KEY) as sim:
        threads = []
        for s, count, seconds in plan:
            base = f"timed-{s}-{count}-{seconds}"
            threads.append(
                _watch(
                    [
                        sys.executable,
                        str(ROOT / "entrypoint.py"),
                        "--batch-job-id",
                        f"{base}-gate",
                        "--base-url",
                        sim.url,
                    ],
                    ends,
                    f"{base}-gate",
                )
            )
            threads.append(
                _watch([str(ROOT / "bench" / "fixed-poll.sh"), sim.url, f"{base}-curl"], ends, f"{base}-curl")
            )
        for thread in threads:
            thread.join()
        rows = []
        for s, count, seconds in plan:
            base = f"timed-{s}-{count}-{seconds}"
            row: dict[str, float] = {"tests": count, "spread": seconds}
            for who in ("gate", "curl"):
                batch_id = f"{base}-{who}"
                row[f"{who}_lag"] = ends[batch_id] - sim.complete_at(batch_id)
                row[f"{who}_requests"] = sum(1 for path, _ in sim.requests if batch_id in path)
            row["duration"] = sim.complete_at(f"{base}-gate") - sim.started[f"{base}-gate"]
            rows.append(row)
    return rows, _lag_table(rows)


def _lag_table(rows: list[dict[str, float]]) -> str:
    lines = [
        "| Batch | Test cases | Completes after (s) | Gate lag (s) | Gate requests | Fixed-poll lag (s) | "
        "Fixed-poll requests |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for number, row in enumerate(rows, 1):
        lines.append(
            f"| {number} | {row['tests']:.0f} | {row['duration']:.0f} | {row['gate_lag']:.2f} | "
            f"{row['gate_requests']:.0f} | {row['curl_lag']:.2f} | {row['curl_requests']:.0f} |"
        )
    gate = [r["gate_lag"] for r in rows]
    curl = [r["curl_lag"] for r in rows]
    lines.append(
        f"| **all** | | | **mean {statistics.mean(gate):.2f}, worst {max(gate):.2f}** | "
        f"**{sum(r['gate_requests'] for r in rows):.0f}** | **mean {statistics.mean(curl):.2f}, worst "
        f"{max(curl):.2f}** | **{sum(r['curl_requests'] for r in rows):.0f}** |"
    )
    return "\n".join(lines)


def startup(pairs: int) -> dict[str, float]:
    arrivals: list[float] = []

    class Timing(Simulator):
        def answer(self, target: str, authorization: str) -> tuple[int, dict[str, str], bytes]:
            arrivals.append(time.monotonic())
            return super().answer(target, authorization)

    with Timing(KEY) as sim:
        gate = [sys.executable, str(ROOT / "entrypoint.py"), "--batch-job-id", "passing-start", "--base-url", sim.url]
        floor = [
            sys.executable,
            "-c",
            "import requests; requests.get("
            f"'{sim.url}/get-batch-test/passing-floor', headers={{'Authorization': 'Bearer {KEY}'}})",
        ]

        def first_request_after_start(command: list[str]) -> float:
            arrivals.clear()
            started = time.monotonic()
            subprocess.run(command, env=clean_env(), capture_output=True, check=False)
            return arrivals[0] - started

        for _ in range(3):  # warm the file cache for both
            first_request_after_start(gate)
            first_request_after_start(floor)
        gates, floors = [], []
        for _ in range(pairs):  # interleaved, so drifts in machine load hit both alike
            gates.append(first_request_after_start(gate))
            floors.append(first_request_after_start(floor))
    return {"gate": statistics.median(gates), "floor": statistics.median(floors), "pairs": pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=48)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-image", action="store_true")
    args = parser.parse_args()
    print("Measuring start-up ...", flush=True)
    start = startup(31)
    print("Measuring scale (10,000 runs) ...", flush=True)
    big = scale.measure(ROOT, clean_env())
    print("Measuring the image ...", flush=True)
    img = None if args.skip_image else image.measure(ROOT)
    print(f"Measuring detection lag on {args.batches} batches (a few minutes) ...", flush=True)
    rows, lag_table = lag(args.batches, args.seed)
    path = ROOT / "docs" / "performance.md"
    # The start-up section at the end comes from `python3 dev.py bench-startup`: kept as it was.
    text = startup_report.keep(render(start, big, img, rows, lag_table), path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    print(text)
    return 0


def render(
    start: dict[str, float],
    big: dict[str, float],
    img: dict[str, float] | None,
    rows: list[dict[str, float]],
    lag_table: str,
) -> str:
    from bench.report import document

    return document(
        start,
        big,
        img,
        rows,
        lag_table,
        when=datetime.now(UTC).strftime("%Y-%m-%d"),
        machine=f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores",
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
