"""Judging: test runs counted and ordered, counts against the thresholds, and the run's Outcome
(result, exit code, outputs); per definition with repeats, against a baseline, with required and
quarantined tests (assess.py). Pure functions, no I/O.
"""
