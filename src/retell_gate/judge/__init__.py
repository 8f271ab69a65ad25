"""Judging: test runs counted and ordered, counts against the thresholds, the run's Outcome
(result, exit code, outputs) and what to check next; per definition with repeats, against a
baseline, with required and quarantined tests (assess.py). Pure functions, no I/O.
"""
