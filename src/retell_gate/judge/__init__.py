"""Judging: test runs counted and ordered, counts against the thresholds, the run's Outcome
(result, exit code, outputs) and what to check next. Pure functions, no I/O.
"""
