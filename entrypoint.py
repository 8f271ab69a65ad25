#!/usr/bin/env python3
"""The action's entry point (the image's ENTRYPOINT, or `python3 entrypoint.py` from a checkout)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from retell_gate.runner.signals import remember_early

remember_early()  # first: a cancel during the imports below is reported, not lost

from retell_gate.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
