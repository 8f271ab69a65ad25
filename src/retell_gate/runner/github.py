"""The one place that talks to the GitHub runner: workflow commands, step outputs, job summary.

Everything else in the gate returns values; this module writes them, following the runner's
rules exactly (see @actions/core): escaped command data and properties, outputs in the heredoc
form with a random delimiter, the summary appended. Outside GitHub Actions (no GITHUB_ACTIONS),
the same calls print plain text, and the summary and outputs go to standard output.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class Workflow:
    """Writes to the runner through an injected stream and environment (tests pass a StringIO)."""

    def __init__(self, env: Mapping[str, str], stream: TextIO) -> None:
        self._env = env
        self._stream = stream
        self._secrets: list[str] = []
        self.in_actions = env.get("GITHUB_ACTIONS") == "true"

    def mask(self, secret: str) -> None:
        """Hide a secret from the log from now on; also scrubbed from everything written here."""
        if not secret:
            return
        self._secrets.append(secret)
        if self.in_actions:
            self._stream.write(f"::add-mask::{escape_data(secret)}\n")
            self._stream.flush()

    def redact(self, value: str) -> str:
        """The text as it may be written: secrets replaced, and lone surrogates (which JSON can carry
        but UTF-8 cannot) replaced, so that no API text can make a write fail."""
        for secret in self._secrets:
            value = value.replace(secret, "***")
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

    def write_workspace_file(self, path: str, text: str) -> str:
        """Write a report file; a relative path is taken from the workspace. Returns the path as shown.

        In the container the workspace is /github/workspace, which the runner mounts from the
        host; a path inside it is shown relative to it, as the workflow's later steps see it.
        """
        workspace = Path(self._env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
        target = (workspace / path).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.redact(text), encoding="utf-8", newline="\n")
        return str(target.relative_to(workspace)) if target.is_relative_to(workspace) else str(target)

    def _print(self, line: str) -> None:
        self._stream.write(self.redact(line) + "\n")
        self._stream.flush()
