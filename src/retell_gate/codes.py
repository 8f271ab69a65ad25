"""The gate's results and exit codes: the contract the README's table documents."""

from __future__ import annotations

from typing import Literal

Result = Literal["passed", "failed", "timed-out", "error", "cancelled", "dry-run"]

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_API = 3
EXIT_TIMEOUT = 4
EXIT_INTERNAL = 5
EXIT_SIGNAL_BASE = 128  # cancelled by signal N exits 128 + N: 143 for SIGTERM, 130 for SIGINT

# The title of every annotation the gate makes about the batch as a whole.
ANNOTATION_TITLE = "Retell batch test"
