"""Start-up as a user pays it: from "step starts" to the gate's first request, with the real image.

    python3 dev.py bench-startup [--runs 3]     (as root, with run-action: ../shared/tools or RUN_ACTION)

Each run builds from a fresh copy of the files the image is made of (the Dockerfile unchanged), with
a unique comment appended to requirements.txt: no build cache applies after the base image, which
is present. Then, on that copy:

  cold  run-action builds the Dockerfile (base present, no cache) and runs the image, as the runner
        does for `image: Dockerfile` in every job;
  warm  run-action again: every build step is a cache hit, so the image is already present, as a
        prebuilt `docker://` image is once the runner has pulled it.

Each time is from starting run-action to the simulator receiving the gate's first request. Then the
image's compressed size: `podman save | gzip` of the whole image, and layer by layer, the base's
layers apart from those the Dockerfile adds. Writes the section at the end of docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import zlib
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import startup_report  # noqa: E402
from retell_gate.simulator.server import Simulator  # noqa: E402
from retell_gate.simulator.wire import Answer  # noqa: E402

RUN_ACTION = Path(os.environ.get("RUN_ACTION", ROOT.parent / "shared" / "tools" / "run-action"))
IMAGE_FILES = ("Dockerfile", ".dockerignore", "action.yml", "requirements.txt", "entrypoint.py", "src")
KEY = "sim-key"


class FirstRequests(Simulator):
    """The simulator, noting when each batch was first asked for (time.monotonic())."""

    def __init__(self) -> None:
        super().__init__(KEY)
        self.first: dict[str, float] = {}

    def answer(self, target: str, authorization: str, method: str = "GET", body: bytes = b"") -> Answer:
        batch = target.split("?")[0].rsplit("/", 1)[-1]
        self.first.setdefault(batch, time.monotonic())
        return super().answer(target, authorization, method, body)


def image_copy(workdir: Path) -> Path:
    """The build context as a checkout holds it, with requirements.txt made unique (a comment)."""
    copy = workdir / f"repo-{uuid.uuid4().hex[:8]}"
    copy.mkdir()
    for name in IMAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    with (copy / "requirements.txt").open("a") as requirements:
        requirements.write(f"# bench-startup {uuid.uuid4()}: no build cache applies from here\n")
    return copy


def run_once(sim: FirstRequests, repo: Path, batch: str) -> dict[str, float]:
    report = repo.parent / f"{batch}.json"
    started = time.monotonic()
    subprocess.run(
        [
            str(RUN_ACTION),
            "--repo",
            str(repo),
            "--json",
            str(report),
            f"--with=batch-job-id={batch}",
            f"--with=base-url={sim.url}",
            f"--with=api-key={KEY}",
            "--with=poll-interval=0.2",
        ],
        capture_output=True,
        check=False,
        timeout=900,
    )
    result = json.loads(report.read_text())
    assert result["exit_code"] == 0, result["stdout"][-2000:]
    to_first_request = sim.first[batch] - started
    return {
        "to_first_request": to_first_request,
        "build": result["build_seconds"],
        "after_build": to_first_request - result["build_seconds"],
        "stand_in": float(bool(result["stand_in_base_images"])),
    }


def is_stand_in(base: str) -> bool:
    """run-action tags its Debian stand-in as localhost/<name>; a pulled official image is docker.io/library/..."""
    inspected = subprocess.run(["podman", "image", "inspect", base], capture_output=True, check=True).stdout
    return not any(name.startswith("docker.io/") for name in json.loads(inspected)[0]["RepoTags"])


def image_tag(repo: Path) -> str:
    """The tag run-action builds a repository's image as."""
    return "localhost/run-action-" + hashlib.sha1(str(repo.resolve()).encode()).hexdigest()[:12]  # noqa: S324


def gzipped_bytes(stream: IO[bytes]) -> int:
    """Size after gzip at level 6, as `docker push` compresses layers; read in chunks."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    size = 0
    while chunk := stream.read(1 << 20):
        size += len(compressor.compress(chunk))
    return size + len(compressor.flush())


def compressed_sizes(tag: str, base: str) -> dict[str, float]:
    """The whole image (`podman save | gzip`) and its layers one by one: the base's, then the added."""
    with tempfile.TemporaryFile() as archive:
        subprocess.run(["podman", "save", "--format", "docker-archive", tag], stdout=archive, check=True)
        archive.seek(0)
        whole = gzipped_bytes(archive)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            manifest = json.load(_member(tar, "manifest.json"))
            layers = [gzipped_bytes(_member(tar, name)) for name in manifest[0]["Layers"]]
    inspected = subprocess.run(["podman", "image", "inspect", base], capture_output=True, check=True).stdout
    base_count = len(json.loads(inspected)[0]["RootFS"]["Layers"])
    return {
        "whole": whole,
        "base_layers": sum(layers[:base_count]),
        "added_layers": sum(layers[base_count:]),
        "added_count": len(layers) - base_count,
    }


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    member = tar.extractfile(name)
    assert member is not None, name
    return member


def measure(runs: int) -> dict[str, object]:
    base = next(line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("FROM"))
    cold, warm = [], []
    with FirstRequests() as sim, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for number in range(runs):
            repo = image_copy(workdir)
            try:
                cold.append(run_once(sim, repo, f"passing-startup-cold-{number}"))
                warm.append(run_once(sim, repo, f"passing-startup-warm-{number}"))
                if number == runs - 1:
                    sizes = compressed_sizes(image_tag(repo), base)
            finally:  # the image and its intermediate layers
                subprocess.run(["podman", "rmi", "--force", image_tag(repo)], capture_output=True, check=False)
            seconds = cold[-1]["to_first_request"], warm[-1]["to_first_request"]
            print(f"run {number + 1}: cold {seconds[0]:.1f} s, warm {seconds[1]:.1f} s", flush=True)
    stand_in = is_stand_in(base) or any(row["stand_in"] for row in cold + warm)
    return {"cold": cold, "warm": warm, "sizes": sizes, "base": base, "runs": runs, "stand_in": stand_in}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0 or not RUN_ACTION.exists():
        sys.exit(f"bench-startup needs root and the run-action tool at {RUN_ACTION}.")
    results = measure(args.runs)
    section = startup_report.section(results)
    path = ROOT / "docs" / "performance.md"
    path.write_text(startup_report.replace_section(path.read_text(encoding="utf-8"), section), encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
