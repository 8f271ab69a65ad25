#!/usr/bin/env python3
"""The action's entry point (the image's ENTRYPOINT, or `python3 entrypoint.py` from a checkout)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from retell_gate.cli import main

if __name__ == "__main__":
    main()
