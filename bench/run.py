"""Benchmarks, measured side by side in one run; writes docs/performance.md (and bench/results.json).

    python3 dev.py bench [--batches 48] [--short-batches 96] [--skip-image] [--simulate-only]

1. Detection lag and API calls: simulator batches whose test cases finish at random times (48 of 5–40
   tests within 60–240 s all at once, then 96 short ones of 3–40 tests within 15–60 s, 24 at a time),
   each watched by the gate at its defaults and by bench/fixed-poll.sh (curl every 10 s).
2. Start-up: process start to first request, against `python -c` doing one `requests.get`.
3. Scale: a batch of 10,000 runs with long explanations.
4. Image: build time (base image present) and the size the Dockerfile adds (podman, as root).
5. The polling policy, simulated on thousands of batch shapes (bench/policy.py; seconds, no waiting).
6. The least mean lag any policy keeping the request targets can reach on batches of a few test cases
   (bench/lag_bound.py), and the best such policy on every way of finishing (bench/lag_tables.py).

`--skip-image` keeps the image figures of the last run, `--simulate-only` every measured figure.
"""

from __future__ import annotations

import argparse
import json
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import image, lag_tables, policy, report, scale, startup_report  # noqa: E402
from retell_gate.simulator.server import Simulator  # noqa: E402
from retell_gate.simulator.wire import Answer  # noqa: E402

KEY = "sim-key"
SHORT_ROUND = 24  # short batches watched at once
RESULTS = ROOT / "bench" / "results.json"  # the last measurements, so that a partial rerun can keep the rest


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


def plan(batches: int, tests: tuple[int, int], spans: tuple[int, int], seed: int) -> list[str]:
    """Simulator batch IDs `timed-<seed>-<count>-<seconds>`: test cases finishing at random within <seconds>."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    return [f"timed-{rng.randint(1, 10**6)}-{rng.randint(*tests)}-{rng.randint(*spans)}" for _ in range(batches)]


def lag(bases: list[str]) -> list[dict[str, float]]:
    """Each batch watched by the gate and by a plain 10 s curl loop at the same time; all batches at once."""
    ends: dict[str, float] = {}
    with Simulator(KEY) as sim:
        threads = []
        for base in bases:
            gate = [
                sys.executable,
                str(ROOT / "entrypoint.py"),
                "--batch-job-id",
                f"{base}-gate",
                "--base-url",
                sim.url,
            ]
            threads.append(_watch(gate, ends, f"{base}-gate"))
            threads.append(
                _watch([str(ROOT / "bench" / "fixed-poll.sh"), sim.url, f"{base}-curl"], ends, f"{base}-curl")
            )
        for thread in threads:
            thread.join()
        rows = []
        for base in bases:
            row: dict[str, float] = {"tests": float(base.split("-")[2])}
            for who in ("gate", "curl"):
                batch_id = f"{base}-{who}"
                paths = [path for path, _ in sim.requests if batch_id in path]
                row[f"{who}_lag"] = ends[batch_id] - sim.complete_at(batch_id)
                # When it read the batch complete (its last read; reading the runs came after): the detection lag.
                row[f"{who}_noticed"] = sim.last_read[batch_id] - sim.complete_at(batch_id)
                row[f"{who}_polls"] = sum(1 for path in paths if path.startswith("/get-batch-test/"))
                row[f"{who}_requests"] = len(paths)
            row["duration"] = sim.complete_at(f"{base}-gate") - sim.started[f"{base}-gate"]
            rows.append(row)
    return rows


def startup(pairs: int) -> dict[str, float]:
    arrivals: list[float] = []

    class Timing(Simulator):
        def answer(self, target: str, authorization: str, method: str = "GET", body: bytes = b"") -> Answer:
            arrivals.append(time.monotonic())
            return super().answer(target, authorization, method, body)

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


def measure(args: argparse.Namespace, previous: dict[str, Any]) -> dict[str, Any]:
    """Everything measured for real: over HTTP against the simulator, and the image."""
    print("Measuring start-up ...", flush=True)
    measured: dict[str, Any] = {"startup": startup(31)}
    print("Measuring scale (10,000 runs) ...", flush=True)
    measured["scale"] = scale.measure(ROOT, clean_env())
    img: dict[str, Any] | None = None if args.skip_image else image.measure(ROOT)
    if img is not None:
        img["when"] = today()
    measured["image"] = img if img is not None else previous.get("image")
    long = plan(args.batches, (5, 40), (60, 240), args.seed)
    short = plan(args.short_batches, (3, 40), (15, 60), args.seed + 1)
    print(f"Measuring detection lag on {len(long)} batches at once (about 5 minutes) ...", flush=True)
    measured["lag"] = lag(long)
    # The short ones in rounds: a hundred gates ending within the same minute on a small machine would time
    # its scheduler (each loads its reporting code when the first answer arrives), not the polling policy.
    rounds = [short[i : i + SHORT_ROUND] for i in range(0, len(short), SHORT_ROUND)]
    print(f"... and on {len(short)} short ones, {SHORT_ROUND} at once (about {len(rounds)} minutes) ...", flush=True)
    measured["short"] = [row for batches in rounds for row in lag(batches)]
    measured["when"] = today()
    measured["machine"] = f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    return measured


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=48, help="batches of 5–40 tests within 60–240 s")
    parser.add_argument("--short-batches", type=int, default=96, help="batches of 3–40 tests within 15–60 s")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-image", action="store_true", help="keep the image figures of the last run")
    parser.add_argument(
        "--simulate-only", action="store_true", help="rerun only the policy simulation; keep every measurement"
    )
    args = parser.parse_args()
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    measured = previous if args.simulate_only else measure(args, previous)
    RESULTS.write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")
    print("Simulating the polling policy (about half a minute) ...", flush=True)
    simulated, intervals = policy.all_sets(), policy.other_intervals()
    print("Solving the least lag possible on batches of a few test cases (a minute or two) ...", flush=True)
    bounds = lag_tables.table()
    path = ROOT / "docs" / "performance.md"
    # The start-up section at the end comes from `python3 dev.py bench-startup`: kept as it was.
    document = report.document(measured, simulated, intervals, bounds, today())
    text = startup_report.keep(document, path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        sys.exit(main())
