"""The two inputs of the pull-request comment: `comment-on-pr` and `github-token`."""

from __future__ import annotations

import pytest

from retell_gate.errors import InputError
from retell_gate.inputs.config import load_config
from retell_gate.inputs.raw import argument_parser

BASE = {"INPUT_API-KEY": "key_0123456789abcdef", "INPUT_BATCH-JOB-ID": "batch_123"}
TOKEN = "ghs_0123456789abcdefABCDEF0123456789abcd"


def test_no_comment_and_no_token_by_default() -> None:
    config = load_config(BASE, [])
    assert config.comment_on_pr is False
    assert config.github_token.reveal() == ""


def test_the_token_input_is_read_and_never_shown() -> None:
    config = load_config(BASE | {"INPUT_COMMENT-ON-PR": "true", "INPUT_GITHUB-TOKEN": f" {TOKEN} "}, [])
    assert config.comment_on_pr is True
    assert config.github_token.reveal() == TOKEN
    assert TOKEN not in repr(config)


def test_an_unused_token_is_never_checked_so_it_cannot_fail_the_gate() -> None:
    # E.g. a tool that runs the action without evaluating action.yml's `${{ github.token }}`.
    config = load_config(BASE | {"INPUT_GITHUB-TOKEN": "${{ github.token }}"}, [])
    assert (config.comment_on_pr, config.github_token.reveal()) == (False, "")


def test_outside_actions_the_token_comes_from_github_token() -> None:
    wanted = BASE | {"INPUT_COMMENT-ON-PR": "true"}
    assert load_config(wanted | {"GITHUB_TOKEN": TOKEN}, []).github_token.reveal() == TOKEN
    given = wanted | {"GITHUB_TOKEN": "other", "INPUT_GITHUB-TOKEN": TOKEN}
    assert load_config(given, []).github_token.reveal() == TOKEN


def test_the_token_is_no_flag_since_a_command_line_is_visible_to_every_process() -> None:
    help_text = argument_parser().format_help()
    assert "--comment-on-pr" in help_text
    assert "--github-token" not in help_text
    assert "GITHUB_TOKEN" in help_text
    with pytest.raises(InputError, match="unrecognized arguments: --github-token"):
        load_config(BASE, ["--github-token", TOKEN])


@pytest.mark.parametrize("value", ["yes", "1", "on", "tRuE"])
def test_comment_on_pr_is_a_strict_boolean(value: str) -> None:
    with pytest.raises(InputError, match=f"`comment-on-pr` is '{value}': expected true or false"):
        load_config(BASE | {"INPUT_COMMENT-ON-PR": value}, [])


@pytest.mark.parametrize("bad", ["ghs_abc def", "ghs_abc\nX-Injected: 1", "ghs_ключ", "g" * 1025])
def test_a_malformed_token_is_rejected_without_quoting_it(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(BASE | {"INPUT_COMMENT-ON-PR": "true", "INPUT_GITHUB-TOKEN": bad}, [])
    message = caught.value.message
    assert "`github-token` is not a valid token" in message
    assert bad not in message
    assert bad.split()[0][:6] not in message
