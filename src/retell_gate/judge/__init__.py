"""Judging: test runs counted and ordered, counts against the thresholds, and the run's Outcome
(result, exit code, outputs). Pure functions, no I/O.
"""
