"""The Retell batch-test gate: wait for a Retell AI batch test and pass or fail the workflow on it."""

__version__ = "0.1.0"
