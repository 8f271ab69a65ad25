"""No hint or message the gate can emit tells users to re-run the job (issue 7).

In the README's workflow, re-running the job runs create-batch-test again and bills a second batch.
The batch that exists keeps running in Retell and can be judged again, for free, by its ID.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from types import ModuleType

import pytest

import retell_gate
from retell_gate.retell import client

SRC = Path(retell_gate.__file__).parent
RERUN = re.compile(r"\bre-?run|\brun\s+(?:it\s+|this\s+|the\s+job\s+|the\s+workflow\s+)?again\b", re.IGNORECASE)


def modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(retell_gate.__path__, "retell_gate."):
        if not info.name.endswith(".__main__"):  # those run the program when imported
            yield importlib.import_module(info.name)


def texts_in(value: object, depth: int = 0) -> Iterator[str]:
    """Every string a constant holds: itself, or inside a mapping, sequence or dataclass."""
    if depth > 3:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts_in(item, depth + 1)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from texts_in(item, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from texts_in(getattr(value, field.name), depth + 1)


def test_no_constant_of_any_module_says_re_run() -> None:
    offending = [
        f"{module.__name__}.{name}: {text!r}"
        for module in modules()
        for name, value in vars(module).items()
        if not name.startswith("__")
        for text in texts_in(value)
        if RERUN.search(text)
    ]
    assert offending == []


def string_literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal but docstrings (which are never shown to users), f-string parts included."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_string_in_the_source_says_re_run(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offending = [f"line {line}: {text!r}" for line, text in string_literals(tree) if RERUN.search(text)]
    assert offending == []


@pytest.mark.parametrize("hint", [client.TRANSIENT_HINT, client.SCHEMA_HINT, client.UNEXPECTED_STATUS_HINT])
def test_hints_after_trouble_say_the_batch_can_be_judged_again_by_its_id(hint: str) -> None:
    assert "keeps running in Retell" in hint
    assert "`batch-job-id`" in hint
    assert "would start and bill another" in hint


@pytest.mark.parametrize("text", ["re-run the job", "Rerun it", "please run it again", "re-running", "run again"])
def test_the_check_catches_each_wording(text: str) -> None:
    assert RERUN.search(text)


@pytest.mark.parametrize("text", ["running", "the batch keeps running", "run only this gate", "a run of the batch"])
def test_the_check_leaves_ordinary_words_alone(text: str) -> None:
    assert not RERUN.search(text)
