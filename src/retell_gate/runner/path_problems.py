"""Which part of a report path kept the file from being written, in words a person can act on:
"`out` is a file, not a folder", "permission denied on `retell/`", rather than "Not a directory".
"""

from __future__ import annotations

import errno
from pathlib import Path, PurePath

from ..judge.outcome import WriteProblem

WORKSPACE = "the workspace folder"


def write_problem(output: str, path: str, error: OSError) -> WriteProblem:
    """What kept `path` (as given in `output`) from being written, from the error the write raised."""
    # The reason becomes part of a `{}` template: braces in it are text.
    reason = (error.strerror or type(error).__name__).replace("{", "{{").replace("}", "}}")
    if not isinstance(error.filename, str):
        return WriteProblem(output, path, reason)
    failed = Path(error.filename)
    culprit, why = _at_fault(failed, error.errno, reason)
    depth = _given_depth(path, failed)
    if depth is None:  # the path was resolved through a link: name the real place
        return WriteProblem(output, path, why, str(culprit))
    depth -= len(failed.parts) - len(culprit.parts)
    if depth == 0:
        return WriteProblem(output, path, why.replace("{}", WORKSPACE))
    if depth < 0:
        return WriteProblem(output, path, why, str(culprit))
    shown = "/".join(PurePath(path).parts[:depth])
    slash = _kind(culprit) == "folder" and "folder" not in why  # `retell/`: a folder, unless said
    return WriteProblem(output, path, why, shown + "/" if slash else shown)


def _at_fault(failed: Path, number: int | None, reason: str) -> tuple[Path, str]:
    """The path at fault (`failed` or a folder above it) and what is wrong with it, `{}` for its name."""
    if number in (errno.ENOTDIR, errno.EEXIST):
        for part in [*reversed(failed.parents), failed]:
            if _kind(part) == "file":
                return part, "{} is a file, not a folder"
    if number == errno.EISDIR:
        return failed, "{} is a folder, not a file"
    nearest = next((part for part in [failed, *failed.parents] if _kind(part)), failed)
    if number in (errno.EACCES, errno.EPERM):
        return nearest, "permission denied on {}"
    if number == errno.EROFS:
        return nearest, "{} is on a read-only file system"
    return nearest, reason + " at {}"


def _given_depth(path: str, failed: Path) -> int | None:
    """How many parts of the given path `failed` ends with; None when it ends with none."""
    parts = PurePath(path).parts
    for depth in range(len(parts), 0, -1):
        if failed.parts[-depth:] == parts[:depth]:
            return depth
    return None


def _kind(path: Path) -> str:
    """`folder`, `file`, or empty when nothing is there (or it cannot be looked at)."""
    try:
        return "folder" if path.is_dir() else "file" if path.exists() else ""
    except OSError:
        return ""
