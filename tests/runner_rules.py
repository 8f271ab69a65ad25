"""The GitHub runner's own rules, written out independently of the gate's code.

Tests read what the gate wrote the way the runner would: the GITHUB_OUTPUT file format
(EnvFileKeyValuePairs) and the workflow commands it acts on in the log, stop-commands included.
"""

from __future__ import annotations

from dataclasses import dataclass

REGISTERED = {
    "add-mask",
    "error",
    "warning",
    "notice",
    "debug",
    "group",
    "endgroup",
    "set-output",
    "save-state",
    "stop-commands",
    "echo",
    "add-matcher",
    "remove-matcher",
}


class RunnerRejected(Exception):
    """The runner would fail the step: "Unable to process file command 'output' successfully."."""


def parse_output_file(text: str) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line == "":
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1 :]
            if not name:
                raise RunnerRejected(line)
            outputs[name] = value
            continue
        if heredoc <= 0 or heredoc + 2 == len(line):
            raise RunnerRejected(line)
        name, delimiter = line[:heredoc], line[heredoc + 2 :]
        body: list[str] = []
        while index < len(lines) and lines[index] != delimiter:
            body.append(lines[index])
            index += 1
        if index >= len(lines):
            raise RunnerRejected(f"no closing delimiter for {name}")
        index += 1
        outputs[name] = "\n".join(body)
    return outputs


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    data: str


def _unescape(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _parse(line: str, registered: set[str]) -> tuple[str, str, str] | None:
    stripped = line.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end > 0:
            head, data = stripped[2:end], stripped[end + 2 :]
            name, _, props = head.partition(" ")
            if name.lower() in registered:
                return name.lower(), props, data
    start = line.find("##[")
    close = line.find("]", start) if start >= 0 else -1
    if close > 0:
        name, _, props = line[start + 3 : close].partition(" ")
        if name.lower() in registered:
            return name.lower(), props, line[close + 1 :]
    return None


def workflow_commands(log: str) -> list[Command]:
    """The commands the runner would act on, in order, with stop-commands honoured."""
    commands: list[Command] = []
    registered = set(REGISTERED)
    paused_until: str | None = None
    for line in log.split("\n"):
        parsed = _parse(line, registered)
        if parsed is None:
            continue
        name, props, data = parsed
        if paused_until is not None:
            if name == paused_until:
                registered.discard(paused_until)
                paused_until = None
            continue
        if name == "stop-commands":
            paused_until = data.lower()
            registered.add(paused_until)
            continue
        properties = {}
        for pair in filter(None, props.split(",")):
            key, _, value = pair.partition("=")
            if value:
                properties[key] = _unescape(value)
        commands.append(Command(name, properties, _unescape(data)))
    return commands
