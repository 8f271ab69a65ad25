"""The one place that talks to the GitHub runner: workflow commands, step outputs, job summary.

Everything else in the gate returns values; this module writes them, following the runner's
rules exactly (see @actions/core): escaped command data and properties, outputs in the heredoc
form with a random delimiter, the summary appended. Outside GitHub Actions (no GITHUB_ACTIONS),
the same calls print plain text, and the summary and outputs go to standard output.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_outputs(values: Mapping[str, str], delimiter: str) -> str:
    """GITHUB_OUTPUT text: one `name<<delimiter` block per output."""
    blocks = []
    for name, value in values.items():
        if delimiter in name or delimiter in value:
            raise ValueError(f"output {name!r} contains the delimiter; refusing to write it")
        blocks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(blocks)


def _written_forms(secret: str) -> dict[str, str]:
    """A secret as the reports may spell it once escaped (as it is, as markdown text, in HTML or an XML attribute,
    in JSON), each with what replaces it there: `***`, escaped alike, so markdown shows it and does not read
    it as emphasis. Answers are scrubbed as they are read (net/transport.py); this is the second line."""
    import html
    import json

    from ..report.markdown import text

    xml_attribute = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    forms = dict.fromkeys((secret, html.escape(secret), html.escape(secret, quote=False), xml_attribute), "***")
    forms[json.dumps(secret)[1:-1]] = "***"
    if text(secret) != secret:  # as plain text elsewhere (outputs, logs), `***` stays plain
        forms[text(secret)] = text("***")
    return forms


class Workflow:
    """Writes to the runner through an injected stream and environment (tests pass a StringIO)."""

    def __init__(self, env: Mapping[str, str], stream: TextIO) -> None:
        self._env = env
        self._stream = stream
        self._secrets: dict[str, str] = {}
        """Each form a masked secret may take in a write, longest first, and what replaces it."""
        self.in_actions = env.get("GITHUB_ACTIONS") == "true"

    def mask(self, secret: str) -> None:
        """Hide a secret from the log from now on; also scrubbed from everything written here."""
        if not secret:
            return
        merged = self._secrets | _written_forms(secret)
        self._secrets = {form: merged[form] for form in sorted(merged, key=len, reverse=True)}
        if self.in_actions:
            self._stream.write(f"::add-mask::{escape_data(secret)}\n")
            self._stream.flush()

    def redact(self, value: str) -> str:
        """The text as it may be written: secrets replaced, and lone surrogates (which JSON can carry
        but UTF-8 cannot) replaced, so that no API text can make a write fail."""
        for form, replacement in self._secrets.items():
            value = value.replace(form, replacement)
        return value.encode("utf-8", "replace").decode("utf-8")

    def log(self, line: str) -> None:
        self._print(line)

    def log_untrusted(self, line: str) -> None:
        """Log text that may hold `::command::` or `##[` look-alikes, with command processing paused."""
        if not self.in_actions:
            self._print(line)
            return
        import uuid  # here, not at the top: it is not needed on the way to the first request

        token = uuid.uuid4().hex
        self._print(f"::stop-commands::{token}")
        self._print(line)
        self._print(f"::{token}::")

    def annotate(self, level: str, message: str, title: str = "") -> None:
        """An `error`, `warning` or `notice` annotation (plain `Level: title: message` outside Actions)."""
        if not self.in_actions:
            heading = f"{level.capitalize()}: {title}: " if title else f"{level.capitalize()}: "
            self._print(heading + message.replace("\n", "\n    "))
            return
        properties = f" title={escape_property(self.redact(title))}" if title else ""
        self._print(f"::{level}{properties}::{escape_data(self.redact(message))}")

    def set_outputs(self, values: Mapping[str, str]) -> None:
        clean = {name: self.redact(value) for name, value in values.items()}
        path = self._env.get("GITHUB_OUTPUT")
        if not path:
            self._print("Outputs:\n" + "".join(f"  {name}: {value}\n" for name, value in clean.items()))
            return
        import uuid

        text = format_outputs(clean, f"ghadelimiter_{uuid.uuid4()}")
        with Path(path).open("a", encoding="utf-8", newline="\n") as file:
            file.write(text)

    def append_summary(self, markdown: str) -> None:
        """Append to the job summary (never truncate: other steps may have written to it)."""
        clean = self.redact(markdown)
        path = self._env.get("GITHUB_STEP_SUMMARY")
        if not path:
            self._print(clean)
            return
        with Path(path).open("a", encoding="utf-8", newline="\n") as file:
            file.write(clean)

    @property
    def has_summary_file(self) -> bool:
        """Whether the summary goes to the runner's job summary (else it is printed, as plain text)."""
        return bool(self._env.get("GITHUB_STEP_SUMMARY"))

    def write_workspace_file(self, path: str, text: str) -> str:
        """Write a report file inside the workspace; returns its path relative to the workspace.

        In the container the workspace is /github/workspace, which the runner mounts from the
        host; it is the only folder that outlives the container (inputs/values.py refuses paths
        out of it). A symbolic link in the workspace that leads out of it is refused here. As root
        (the container's user), the folders and the file the gate creates are given the
        workspace's owner, so that the runner's user can clean them up in the next job.
        """
        workspace = Path(self._env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
        try:
            target = (workspace / path).resolve()
        except RuntimeError:  # a loop of symbolic links (Python before 3.13 raises this, not OSError)
            raise OSError(errno.ELOOP, "the path is a loop of symbolic links") from None
        if not target.is_relative_to(workspace):
            raise _link_out_of(workspace, path)
        created = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            created.insert(0, target)
        target.write_text(self.redact(text), encoding="utf-8", newline="\n")
        self._give_to_workspace_owner(workspace, reversed(created))
        return str(target.relative_to(workspace))

    def _give_to_workspace_owner(self, workspace: Path, created: Iterable[Path]) -> None:
        # Only root can give files away (and only the container runs as root); anyone else's
        # files are theirs already. Only what the gate created: nothing that was there is touched.
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return
        owner = workspace.stat()
        for path in created:
            try:
                os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)
            except OSError as error:
                self.annotate(
                    "warning",
                    f"Could not give {path.relative_to(workspace)} to the workspace's owner "
                    f"(uid {owner.st_uid}): {error.strerror}. A later job may not be able to delete it.",
                )

    def _print(self, line: str) -> None:
        text = self.redact(line) + "\n"
        # A terminal that cannot show a character (a cp1252 console and a Japanese test name) gets
        # a `?` for it: writing to the log must never fail the gate.
        encoding = getattr(self._stream, "encoding", None)
        if encoding:
            text = text.encode(encoding, "replace").decode(encoding)
        self._stream.write(text)
        self._stream.flush()


def _link_out_of(workspace: Path, path: str) -> OSError:
    """The error for a path that a symbolic link inside the workspace leads out of, naming the link."""
    current, shown = workspace, Path()
    for part in Path(path).parts:
        current, shown = current / part, shown / part
        if current.is_symlink() and not current.resolve().is_relative_to(workspace):
            return PermissionError(
                errno.EPERM, f"`{shown}` is a symbolic link out of the workspace, to {current.resolve()}"
            )
        current = current.resolve()
    return PermissionError(errno.EPERM, "the path leads out of the workspace")
