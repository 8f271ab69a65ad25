"""The README's demo command works and shows what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_starts_a_batch_then_waits_for_a_passing_and_a_failing_one() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "→ the gate exited with 0 (as expected)" in out
    assert "→ the gate exited with 1 (as expected)" in out
    # A terminal gets the summary as plain text; the markdown is for GitHub's job summary.
    assert "Retell batch test: PASSED" in out
    # Start mode comes first: the agent's engine at the version asked for, started and judged.
    assert out.index("Plan: 10 test cases in 1 batch against retell-llm llm_demo version 2") < out.index("Wait mode")
    assert "Retell batch test: DRY RUN" in out
    assert "Would run (" in out
    assert "Retell batch test: FAILED" in out
    assert "  fail   Refuses to share another guest's booking\n" in out
    report = json.loads((ROOT / "demo-output" / "retell.json").read_text())
    assert report["verdict"]["result"] == "failed"
    assert "Regressions (1):\n  Books a table for two: passed -> failed" in out
    assert "Baseline: batches tcb_llm_history_v2-r2, tcb_llm_history_v2-r1" in out
    assert "sim-key" not in out
