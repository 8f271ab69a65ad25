"""Fault injection: nothing turns into a false green, every path reports, nothing leaks the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import FAULTS, OUTAGE, Fault, run_fault
from tests.test_hints import RERUN


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
    assert fault.reason in run.outputs["reason"]
    assert not RERUN.search(run.summary)
    if fault.reason == OUTAGE:  # Retell still failing when the timeout ran out: say what to do instead
        assert "keeps running in Retell" in run.summary
        assert "only this gate with the same `batch-job-id`" in run.summary
    if fault.name == "outage-recovers":  # through the outage to the verdict, saying so once each way
        assert run.log.count("Retell started failing") == 1
        assert run.log.count("Retell answered again") == 1
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
