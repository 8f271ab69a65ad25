"""Fault injection: nothing turns into a false green, every path reports, nothing leaks the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import FAULTS, Fault, run_fault


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_fault(fault: Fault, tmp_path: Path) -> None:
    seen = run_fault(fault, tmp_path)
    run = seen.run
    assert (run.exit_code, run.outputs.get("result")) == (fault.exit_code, fault.result), run.log[-3000:]
    assert seen.outputs_written
    assert seen.summary_written
    assert seen.reports_written
    assert not seen.key_leaked
    assert "Traceback" not in run.log
    if fault.kind in ("sigterm", "sigint"):
        assert seen.extra["seconds_after_signal"] < 2.0
    if fault.kind == "redirect":
        assert seen.extra["requests_to_other_host"] == 0
    if fault.name == "50mb-body":
        assert seen.extra["max_rss_mb"] < 120
        assert "larger than 10 MiB" in run.outputs["reason"]
    if fault.kind == "tls-untrusted":
        assert "could not be verified" in run.outputs["reason"]
        assert "REQUESTS_CA_BUNDLE" in run.summary
