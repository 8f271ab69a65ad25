"""The runner I/O: masking, escaping, outputs in the runner's format, the summary appended."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from retell_gate.runner.github import Workflow, escape_data, escape_property, format_outputs
from tests.runner_rules import parse_output_file, workflow_commands


def actions_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "out").write_text("")
    (tmp_path / "summary").write_text("# written by an earlier step\n")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }


def test_escaping_matches_the_toolkit() -> None:
    assert escape_data("100%\r\ndone") == "100%25%0D%0Adone"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_outputs_round_trip_through_the_runners_parser(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    values = {"result": "failed", "reason": "line one\nline two\r\n=x<<y", "empty": "", "odd": "ghadelimiter_"}
    Workflow(env, io.StringIO()).set_outputs(values)
    assert parse_output_file((tmp_path / "out").read_bytes().decode()) == values


def test_outputs_cannot_inject_another_output(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    hostile = "x\nresult<<EOF\npassed\nEOF\nresult=passed"
    Workflow(env, io.StringIO()).set_outputs({"result": "failed", "reason": hostile})
    parsed = parse_output_file((tmp_path / "out").read_bytes().decode())
    assert parsed == {"result": "failed", "reason": hostile}


def test_a_value_holding_the_delimiter_is_refused() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        format_outputs({"reason": "a ghadelimiter_X b"}, "ghadelimiter_X")


def test_the_summary_is_appended_not_truncated(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    Workflow(env, io.StringIO()).append_summary("## ours\n")
    assert (tmp_path / "summary").read_text() == "# written by an earlier step\n## ours\n"


def test_the_secret_is_masked_first_and_scrubbed_everywhere(tmp_path: Path) -> None:
    env = actions_env(tmp_path)
    log = io.StringIO()
    workflow = Workflow(env, log)
    workflow.mask("sk_live_secret")
    workflow.log("calling with sk_live_secret")
    workflow.annotate("error", "bad sk_live_secret", title="sk_live_secret")
    workflow.set_outputs({"reason": "sk_live_secret leaked"})
    workflow.append_summary("sk_live_secret\n")
    lines = log.getvalue().splitlines()
    assert lines[0] == "::add-mask::sk_live_secret"
    assert all("sk_live_secret" not in line for line in lines[1:])
    assert "sk_live_secret" not in (tmp_path / "out").read_text()
    assert "sk_live_secret" not in (tmp_path / "summary").read_text()


def test_the_secret_is_never_printed_outside_actions() -> None:
    log = io.StringIO()
    workflow = Workflow({}, log)
    workflow.mask("sk_live_secret")
    workflow.log("key sk_live_secret")
    assert "sk_live_secret" not in log.getvalue()


def test_annotations_stay_one_command_whatever_the_text() -> None:
    log = io.StringIO()
    Workflow({"GITHUB_ACTIONS": "true"}, log).annotate(
        "error", "boom\n::set-output name=result::passed\n##[add-mask]x", title="t:1,2"
    )
    commands = workflow_commands(log.getvalue())
    assert len(commands) == 1
    assert commands[0].name == "error"
    assert commands[0].properties == {"title": "t:1,2"}
    assert commands[0].data == "boom\n::set-output name=result::passed\n##[add-mask]x"


def test_untrusted_log_text_cannot_issue_commands() -> None:
    log = io.StringIO()
    workflow = Workflow({"GITHUB_ACTIONS": "true"}, log)
    workflow.log_untrusted("::error::forged\n##[set-output name=result;]passed\n::add-mask::x")
    workflow.annotate("notice", "after")
    assert [(c.name, c.data) for c in workflow_commands(log.getvalue())] == [("notice", "after")]


def test_outside_actions_outputs_and_summary_go_to_the_stream() -> None:
    log = io.StringIO()
    workflow = Workflow({}, log)
    workflow.annotate("error", "it broke")
    workflow.set_outputs({"result": "failed"})
    workflow.append_summary("## Summary\n")
    assert log.getvalue() == "Error: it broke\nOutputs:\n  result: failed\n\n## Summary\n\n"


def workspace_env(workspace: Path) -> dict[str, str]:
    workspace.mkdir(exist_ok=True)
    return {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}


def test_a_report_is_written_inside_the_workspace_and_named_relative_to_it(tmp_path: Path) -> None:
    env = workspace_env(tmp_path / "ws")
    assert Workflow(env, io.StringIO()).write_workspace_file("a/../out/r.json", "{}") == "out/r.json"
    assert (tmp_path / "ws" / "out" / "r.json").read_text() == "{}"


@pytest.mark.parametrize("link", ["out", "out/r.json"])
def test_a_symbolic_link_out_of_the_workspace_is_refused_naming_it(tmp_path: Path, link: str) -> None:
    env = workspace_env(tmp_path / "ws")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    if link != "out":
        (tmp_path / "ws" / "out").mkdir()
    (tmp_path / "ws" / link).symlink_to(outside if link == "out" else outside / "r.json")
    with pytest.raises(OSError, match="symbolic link out of the workspace") as caught:
        Workflow(env, io.StringIO()).write_workspace_file("out/r.json", "{}")
    target = outside if link == "out" else outside / "r.json"
    assert caught.value.strerror == f"`{link}` is a symbolic link out of the workspace, to {target}"
    assert list(outside.iterdir()) == []


def test_a_loop_of_symbolic_links_is_a_write_problem_not_a_crash(tmp_path: Path) -> None:
    env = workspace_env(tmp_path / "ws")
    (tmp_path / "ws" / "a").symlink_to(tmp_path / "ws" / "b")
    (tmp_path / "ws" / "b").symlink_to(tmp_path / "ws" / "a")
    with pytest.raises(OSError, match="symbolic links"):
        Workflow(env, io.StringIO()).write_workspace_file("a/r.json", "{}")


def test_a_symbolic_link_that_stays_inside_the_workspace_is_followed(tmp_path: Path) -> None:
    env = workspace_env(tmp_path / "ws")
    (tmp_path / "ws" / "real").mkdir()
    (tmp_path / "ws" / "out").symlink_to(tmp_path / "ws" / "real")
    assert Workflow(env, io.StringIO()).write_workspace_file("out/r.json", "{}") == "real/r.json"


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")


@root_only
def test_as_root_created_folders_and_files_get_the_workspace_owner(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    env = workspace_env(workspace)
    (workspace / "kept").mkdir()  # there before the gate: not the gate's to give away
    os.chown(workspace, 1234, 2345)
    Workflow(env, io.StringIO()).write_workspace_file("kept/new/deeper/r.json", "{}")
    owners = {
        path: (path.stat().st_uid, path.stat().st_gid)
        for path in (
            workspace / "kept",
            workspace / "kept/new",
            workspace / "kept/new/deeper",
            workspace / "kept/new/deeper/r.json",
        )
    }
    assert owners == {
        workspace / "kept": (0, 0),
        workspace / "kept/new": (1234, 2345),
        workspace / "kept/new/deeper": (1234, 2345),
        workspace / "kept/new/deeper/r.json": (1234, 2345),
    }


@root_only
def test_a_file_that_was_there_keeps_its_owner(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    env = workspace_env(workspace)
    (workspace / "r.json").write_text("old")
    os.chown(workspace, 1234, 2345)
    Workflow(env, io.StringIO()).write_workspace_file("r.json", "{}")
    assert (workspace / "r.json").stat().st_uid == 0
    assert (workspace / "r.json").read_text() == "{}"


def test_the_terminal_gets_what_its_encoding_can_show() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", errors="strict")
    workflow = Workflow({}, stream)
    workflow.log("予約をキャンセル ✅ café \ud800")
    workflow.set_outputs({"reason": "📞 passed"})
    stream.flush()
    assert raw.getvalue().decode("cp1252") == "???????? ? café ?\nOutputs:\n  reason: ? passed\n\n"


def test_a_secret_is_cut_out_in_every_escaped_form_the_reports_give_it(tmp_path: Path) -> None:
    import html
    import json
    import xml.etree.ElementTree as ET

    from retell_gate.report.markdown import text

    secret = "key_a*b<c>&d\"e\\f'g"  # each of markdown, HTML, XML and JSON escapes some of these
    env = actions_env(tmp_path)
    workflow = Workflow(env, io.StringIO())
    workflow.mask(secret)
    attribute = ET.tostring(ET.Element("property", value=secret), encoding="unicode")
    forms = [text(secret), html.escape(secret), html.escape(secret, quote=False), json.dumps(secret), attribute]
    workflow.append_summary(" | ".join(forms))
    workflow.set_outputs({"reason": f"raw {secret}"})
    summary, out = (tmp_path / "summary").read_text(), (tmp_path / "out").read_text()
    assert "key" not in (summary + out).replace("\\", "")
    assert summary.count("***") == len(forms) - 1  # the markdown form's stand-in is escaped too:
    assert summary.count("\\*\\*\\*") == 1  # `\*\*\*`, which markdown shows as *** (not as emphasis)


def test_an_output_name_holding_the_delimiter_is_refused_too() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        format_outputs({"reason ghadelimiter_X": "fine"}, "ghadelimiter_X")


def test_a_secret_inside_a_longer_one_never_leaves_the_rest_of_the_longer_showing() -> None:
    workflow = Workflow({"GITHUB_ACTIONS": "true"}, io.StringIO())
    workflow.mask("key_live_1234")
    workflow.mask("key_live_1234_and_more")  # e.g. a token that happens to start with the key
    assert workflow.redact("a key_live_1234_and_more b") == "a *** b"


def test_the_mask_command_carries_a_secret_escaped_as_the_runner_reads_it() -> None:
    log = io.StringIO()
    Workflow({"GITHUB_ACTIONS": "true"}, log).mask("k%25y\r\nz")
    (command,) = workflow_commands(log.getvalue())
    assert (command.name, command.data) == ("add-mask", "k%25y\r\nz")  # unescaped by the runner: the key itself
    assert log.getvalue() == "::add-mask::k%2525y%0D%0Az\n"


def test_text_json_can_carry_but_utf8_cannot_is_written_replaced_not_crashing() -> None:
    assert Workflow({}, io.StringIO()).redact("lone \ud800 surrogate") == "lone ? surrogate"
