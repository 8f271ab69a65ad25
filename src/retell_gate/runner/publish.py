"""Reporting an outcome on every path: report files, annotations, log lines, outputs, summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TypeVar

from .. import codes
from ..judge.outcome import Outcome, WriteProblem
from ..report.annotations import plan
from ..report.junit import to_junit
from ..report.outputs import outputs
from ..report.plain import to_plain_text
from ..report.report_json import to_json
from ..report.summary import render
from .github import Workflow
from .path_problems import write_problem

__all__ = ["report"]

RENDERERS = {"report-path": to_json, "junit-path": to_junit}
T = TypeVar("T")


def report(workflow: Workflow, result: Outcome, report_files: Mapping[str, str]) -> Outcome:
    """Write everything the user reads; returns the outcome as reported, whose exit code to use.

    The report files come first, so that the summary and the annotations can say which could not be
    written, and why. Fail closed: a pass whose reports, outputs or summary are lost is an error (exit 5),
    and every report written says so: the files are written again, and the outputs too (the last value of
    an output wins). The annotations come last, once the outcome is final.
    """
    # A dry run tests nothing, so it leaves no report of a test (which a later step could take for one).
    files = {} if result.result == "dry-run" else {output: path for output, path in report_files.items() if path}
    written, problems = _write_files(workflow, result, files)
    if problems and result.exit_code == codes.EXIT_PASSED:
        result = _not_green(result, LOST_REPORTS)
        written, again = _write_files(workflow, result, _rewritable(files, written))
        problems += again
    result = dataclasses.replace(result, reports=tuple(written), write_problems=tuple(problems))
    if workflow.has_summary_file:
        _log_failing_runs(workflow, result)  # outside GitHub, the plain-text report below lists them
    rewrite = _rewritable(files, written)
    lost = _write(workflow.set_outputs, outputs(result))
    if lost and result.exit_code == codes.EXIT_PASSED:  # the summary, written next, must not say passed
        result = _not_green(result, LOST_OUTPUTS)
        _write_files(workflow, result, rewrite)
    summary_lost = _write(_summary_writer(workflow), result)
    if summary_lost and result.exit_code == codes.EXIT_PASSED:  # the outputs already said passed: say again
        result = _not_green(result, LOST_OUTPUTS)
        _write_files(workflow, result, rewrite)
        _write(workflow.set_outputs, outputs(result))  # a repeated output's last value wins
    lost = lost or summary_lost
    for annotation in plan(result):  # it keeps an error slot free for the annotation below
        workflow.annotate(annotation.level, annotation.message, annotation.title)
    if lost:
        workflow.annotate("error", f"Could not write the step outputs or job summary: {lost}.")
    return result


LOST_REPORTS = "the gate could not write its report files"
LOST_OUTPUTS = "the gate could not write its step outputs or job summary"


def _write(write: Callable[[T], None], what: T) -> str:
    """Why the write failed, or "" when it did not."""
    try:
        write(what)
    except OSError as error:
        return error.strerror or type(error).__name__
    return ""


def _summary_writer(workflow: Workflow) -> Callable[[Outcome], None]:
    if workflow.has_summary_file:
        return lambda outcome: workflow.append_summary(render(outcome))
    return lambda outcome: workflow.log_untrusted(to_plain_text(outcome))  # a terminal: markdown is for GitHub


def _write_files(
    workflow: Workflow, result: Outcome, files: Mapping[str, str]
) -> tuple[list[tuple[str, str]], list[WriteProblem]]:
    written: list[tuple[str, str]] = []
    problems: list[WriteProblem] = []
    for output, path in files.items():
        try:
            written.append((output, workflow.write_workspace_file(path, RENDERERS[output](result))))
        except OSError as error:
            problems.append(write_problem(output, path, error))
    return written, problems


def _rewritable(files: Mapping[str, str], written: list[tuple[str, str]]) -> dict[str, str]:
    """The report files written so far, as given: the ones to write again when the outcome changes."""
    return {output: files[output] for output, _ in written}


def _not_green(result: Outcome, lost: str) -> Outcome:
    """A pass that cannot be reported whole: an error (exit 5) that says the batches passed."""
    return dataclasses.replace(
        result,
        result="error",
        exit_code=codes.EXIT_INTERNAL,
        reason=f"{result.reason} But {lost}, so the step fails rather than show a pass that cannot be read.",
        hint="Fix what kept the gate from writing; the batches' own result is in the reason.",
    )


def _log_failing_runs(workflow: Workflow, result: Outcome) -> None:
    """Names and explanations in the log, fenced: they are Retell's text, not ours."""
    failing = result.failing
    if not failing:
        return
    lines = [f"Failed and errored test cases ({len(failing)}):"]
    for gated, run in failing:
        batch = f"{gated.batch_job_id}: " if result.several else ""
        lines.append(f"  {run.status}: {batch}{run.name}: {run.explanation.splitlines()[0] if run.explanation else ''}")
    workflow.log_untrusted("\n".join(lines))
