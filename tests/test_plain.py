"""The plain-text report printed outside GitHub: no markdown, nothing that drives a terminal."""

from __future__ import annotations

import dataclasses

import pytest

from retell_gate.report.plain import SHOWN_RUNS, to_plain_text
from retell_gate.retell.listing import RunListing
from tests.factories import make_run, with_listing
from tests.summary_cases import CASES

FAILED_WITH_RUNS = f"""\
Retell batch test: FAILED
The batch failed: 3 failed, more than the 1 allowed; 1 errored, more than the 0 allowed.

Test cases: 2 passed, 3 failed, 1 errored of 6; pass rate 33.3%

Thresholds:
  FAIL  Failed: 3 (allowed <= 1)
  FAIL  Errored: 1 (allowed <= 0)
  ok    Test cases: 6 (allowed at least 1)

Failed and errored test cases (4):
  fail   Cancels politely
         {"x" * 150}
  fail   Moves a booking to Friday
         The agent never confirmed the booking.
         Expected: it reads back date and time.
         Actual: it hung up.
  fail   Spells the code
         (no explanation from Retell)
  error  Answers opening hours
         The simulated call could not be completed.

Batch: batch_1
Status: complete
Response engine: Retell LLM llm_abc, version 2
Waited: 1 min 23 s
JSON report: out/retell.json

What to check: Read each failed test case's explanation above, or open the batch in Retell's dashboard.
"""

INPUT_ERROR = """\
Retell batch test: COULD NOT DECIDE
Input `max-failures` is 'lots': expected a whole number of test cases (e.g. 2).

Batch: batch_1
Waited: 0 s

What to check: Fix the input named above in the workflow's `with:` block; no request was made to Retell.
"""

TIMED_OUT_WITH_RUNS = """\
Retell batch test: TIMED OUT
The batch was still running when the timeout (1800 s) ran out. 4 of 10 test cases had finished.

Test cases: 4 passed, 1 failed, 0 errored of 10; pass rate 40.0%

Failed and errored test cases (1):
  fail   Broke one
         Wrong answer.

Not finished (2):
  pending Not started
  in_progress Still going

Batch: batch_1
Status: in_progress
Response engine: Retell LLM llm_abc, version 2
Waited: 30 min 0 s

What to check: Raise `timeout` if the batch needs longer, or check in Retell's dashboard whether it is stuck.
"""


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("failed-with-runs", FAILED_WITH_RUNS),
        ("input-error", INPUT_ERROR),
        ("timed-out-with-runs", TIMED_OUT_WITH_RUNS),
    ],
)
def test_the_plain_report_reads_as_text(case: str, expected: str) -> None:
    assert to_plain_text(CASES[case]) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_markdown_or_html_reaches_the_terminal(case: str) -> None:
    text = to_plain_text(CASES[case])
    assert "<details>" not in text
    assert "<br>" not in text
    assert "| --" not in text
    assert "\\_" not in text


def test_text_from_retell_cannot_drive_the_terminal() -> None:
    hostile = "\x1b[2J\x1b]0;pwned\x07 red\r\nnext \u202eevil \ud800 \x00 \x9b"
    listing = RunListing((make_run(0, "fail", hostile, hostile),))
    text = to_plain_text(dataclasses.replace(with_listing(CASES["failed"], listing), reason=hostile))
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text)
    assert "\\x1b[2J\\x1b]0;pwned\\x07 red next ?evil ? \\x00 \\x9b" in text


def test_a_long_list_is_cut_and_says_where_the_rest_is() -> None:
    runs = tuple(make_run(i, "fail", f"Case {i:04}", "Wrong.") for i in range(SHOWN_RUNS + 5))
    outcome = with_listing(CASES["failed-with-runs"], RunListing(runs))
    text = to_plain_text(outcome)
    assert text.count("Wrong.") == SHOWN_RUNS
    assert "  ... and 5 more (all are in out/retell.json)" in text
    assert "Case 0104" not in text
