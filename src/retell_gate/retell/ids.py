"""What the gate takes for a Retell ID (a batch, agent, engine or definition): letters, digits, `_` and `-`.

Pure and light (no pydantic), so the inputs can check IDs with it before anything is loaded. An ID from
Retell that does not match is never logged, written to an output or used in a request path."""

from __future__ import annotations

import re

RETELL_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
