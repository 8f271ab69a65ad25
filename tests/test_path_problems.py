"""A report file that cannot be written is explained by the part of its path at fault."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from retell_gate.runner.path_problems import write_problem


def attempt(workspace: Path, path: str) -> OSError:
    """Write as the gate does (its folders made first) and return the error it raises."""
    target = workspace / path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("{}")
    except OSError as error:
        return error
    raise AssertionError(f"{path} was written")


def sentence(workspace: Path, path: str, error: OSError | None = None) -> str:
    problem = write_problem("report-path", path, error or attempt(workspace, path))
    return problem.sentence(str, lambda part: f"`{part}`")


def test_a_file_where_a_folder_is_needed_is_named(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    assert (
        sentence(tmp_path, "out/r.json") == "Could not write `report-path` (out/r.json): `out` is a file, not a folder."
    )
    assert sentence(tmp_path, "out/deeper/r.json").endswith(": `out` is a file, not a folder.")
    (tmp_path / "retell").mkdir()
    (tmp_path / "retell" / "x").write_text("a file")
    assert sentence(tmp_path, "retell/x/y/r.json").endswith(": `retell/x` is a file, not a folder.")


def test_a_folder_where_the_file_goes_is_named(tmp_path: Path) -> None:
    (tmp_path / "retell" / "report.json").mkdir(parents=True)
    assert sentence(tmp_path, "retell/report.json").endswith(": `retell/report.json` is a folder, not a file.")


def denied(path: Path) -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied", str(path))


def test_permission_denied_names_the_folder_or_file_refused(tmp_path: Path) -> None:
    # Made up: the tests may run as root, whom no permission stops.
    (tmp_path / "retell").mkdir()
    error = denied(tmp_path / "retell" / "report.json")
    assert sentence(tmp_path, "retell/report.json", error).endswith(": permission denied on `retell/`.")
    (tmp_path / "retell" / "report.json").write_text("old")
    assert sentence(tmp_path, "retell/report.json", error).endswith(": permission denied on `retell/report.json`.")
    error = denied(tmp_path / "report.json")
    assert sentence(tmp_path, "report.json", error).endswith(": permission denied on the workspace folder.")
    error = denied(tmp_path / "new" / "deeper")
    assert sentence(tmp_path, "new/deeper/r.json", error).endswith(": permission denied on the workspace folder.")


@pytest.mark.parametrize(
    ("number", "text", "ending"),
    [
        (errno.EROFS, "Read-only file system", ": `retell/` is on a read-only file system."),
        (errno.ENOSPC, "No space left on device", ": No space left on device at `retell/`."),
    ],
)
def test_other_errors_say_what_and_where(tmp_path: Path, number: int, text: str, ending: str) -> None:
    (tmp_path / "retell").mkdir()
    error = OSError(number, text, str(tmp_path / "retell" / "r.json"))
    assert sentence(tmp_path, "retell/r.json", error).endswith(ending)


def test_an_error_without_a_file_name_still_says_what_happened() -> None:
    problem = write_problem("junit-path", "j.xml", OSError(errno.EIO, "Input/output error"))
    assert problem.sentence(str, str) == "Could not write `junit-path` (j.xml): Input/output error."


def test_braces_in_the_reason_are_text(tmp_path: Path) -> None:
    error = OSError(errno.EIO, "odd {reason}", str(tmp_path / "r.json"))
    assert sentence(tmp_path, "r.json", error).endswith(": odd {reason} at the workspace folder.")
