"""The image: build time with the base image present, and the size the Dockerfile adds to it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TAG = "localhost/retell-gate-bench:latest"


def _size(image: str) -> int:
    out = subprocess.run(
        ["podman", "image", "inspect", image, "--format", "{{.Size}}"], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip())


def measure(root: Path) -> dict[str, float | str] | None:
    """None where podman or root is missing (the run-action tool installs podman on first use)."""
    if shutil.which("podman") is None or os.geteuid() != 0:
        return None
    base = re.search(r"^FROM\s+(\S+)", (root / "Dockerfile").read_text(), re.M)
    assert base is not None
    # The build reaches PyPI through this machine's TLS proxy: lend it the CA bundle, as run-action does.
    ca = ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"] if Path(CA_BUNDLE).exists() else []
    started = time.monotonic()
    subprocess.run(
        ["podman", "build", "--no-cache", "--isolation=chroot", *ca, "-q", "-t", TAG, str(root)],
        check=True,
        capture_output=True,
    )
    seconds = time.monotonic() - started
    return {
        "build_seconds": seconds,
        "base_mb": _size(base.group(1)) / 1e6,
        "image_mb": _size(TAG) / 1e6,
        "base": base.group(1),
    }
