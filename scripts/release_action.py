#!/usr/bin/env python3
"""What a release publishes, worked out in one place (used by .github/workflows/release.yml).

    python3 scripts/release_action.py version            the package version (retell_gate.__version__)
    python3 scripts/release_action.py check-tag TAG      fail unless TAG is `v` + the package version
    python3 scripts/release_action.py major-tag VERSION  the moving major tag (`v1`), empty for a pre-release
    python3 scripts/release_action.py pin VERSION IMAGE  point action.yml's runs.image at docker://IMAGE:VERSION

Only the standard library: the release job runs it with the runner's own python3.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_INIT = ROOT / "src" / "retell_gate" / "__init__.py"
# PEP 440 final releases and pre-releases, in the plain forms this project uses: 1.2.3, 1.2.3rc1.
VERSION = re.compile(r"(?P<major>0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?P<pre>(a|b|rc)(0|[1-9]\d*))?")
# A registry host and a lower-case repository path, without tag or digest (the version is the tag).
IMAGE = re.compile(r"[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+")
# The one line in action.yml that names the image: `  image: <anything>` inside `runs:`.
RUNS_IMAGE = re.compile(r"^(runs:\n(?:  .*\n)*?  image: ).*$", re.M)


class ReleaseError(Exception):
    """Something a release must not go ahead with; the message says what and why."""


def package_version(init: Path = PACKAGE_INIT) -> str:
    """`__version__` from the package's __init__.py, read without importing it."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        names = [getattr(target, "id", "") for target in getattr(node, "targets", [])]
        value = getattr(node, "value", None)
        if names == ["__version__"] and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    raise ReleaseError(f'{init} has no `__version__ = "..."` line.')


def checked_version(version: str) -> str:
    if VERSION.fullmatch(version) is None:
        raise ReleaseError(f"Version {version!r} is not of the form 1.2.3 (or 1.2.3rc1 for a pre-release).")
    return version


def check_tag(tag: str, version: str) -> str:
    """The version a tag releases; refuses a tag that is not `v` + the package version."""
    if tag != f"v{checked_version(version)}":
        raise ReleaseError(
            f"Tag {tag!r} does not match the package version {version!r} (src/retell_gate/__init__.py): "
            f"expected tag 'v{version}'. Bump __version__ and tag that commit, or tag 'v{version}'."
        )
    return version


def major_tag(version: str) -> str:
    """`v1` for 1.2.3; empty for a pre-release, which must never move the tag users follow."""
    match = VERSION.fullmatch(checked_version(version))
    return "" if match is None or match.group("pre") else f"v{match.group('major')}"


def pin(action_yml: str, version: str, image: str) -> str:
    """action.yml with runs.image at the prebuilt `docker://IMAGE:VERSION`, all else unchanged."""
    if IMAGE.fullmatch(image) is None:
        raise ReleaseError(
            f"Image {image!r} is not a lower-case repository such as ghcr.io/owner/name (no tag: the version is it)."
        )
    reference = f"docker://{image}:{checked_version(version)}"
    pinned, count = RUNS_IMAGE.subn(lambda m: m.group(1) + reference, action_yml)
    if count != 1:
        raise ReleaseError("action.yml has no `  image:` line under `runs:` to point at the prebuilt image.")
    return pinned


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "version" and not args:
            print(checked_version(package_version()))
        elif command == "check-tag" and len(args) == 1:
            print(check_tag(args[0], package_version()))
        elif command == "major-tag" and len(args) == 1:
            print(major_tag(args[0]))
        elif command == "pin" and len(args) == 2:
            action = ROOT / "action.yml"
            action.write_text(pin(action.read_text(encoding="utf-8"), *args), encoding="utf-8")
            print(f"action.yml now runs docker://{args[1]}:{args[0]}")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except ReleaseError as error:
        # A workflow command, so the refusal shows on the run's page; escaped as the runner expects.
        message = str(error).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error title=Release refused::{message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
