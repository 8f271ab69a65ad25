from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retell_gate.errors import InputError
from retell_gate.inputs.config import PARSERS, load_config
from retell_gate.inputs.raw import DEFAULTS, argument_parser, env_name
from retell_gate.inputs.values import MAX_SECONDS, Limit

KEY = "key_0123456789abcdef"
BASE = {"INPUT_API-KEY": KEY, "INPUT_BATCH-JOB-ID": "batch_123"}


def config_from(**inputs: str):
    env = dict(BASE)
    env.update({env_name(name.replace("_", "-")): value for name, value in inputs.items()})
    return load_config(env, [])


def test_env_names_keep_hyphens_and_upper_case() -> None:
    assert env_name("max-failures") == "INPUT_MAX-FAILURES"
    assert env_name("my input") == "INPUT_MY_INPUT"


def test_defaults_when_only_required_inputs_are_given() -> None:
    config = load_config(BASE, [])
    assert config.api_key.reveal() == KEY
    assert config.batch_job_ids == ("batch_123",)
    assert config.max_failures == Limit(value=Decimal(0), percent=False)
    assert config.max_errors == Limit(value=Decimal(0), percent=False)
    assert config.min_pass_rate is None
    assert config.allow_empty is False
    assert config.poll_interval == 10
    assert config.timeout == 1800
    assert config.fail_on_timeout is True
    assert config.fail_fast is False
    assert config.base_url == "https://api.retellai.com"


def test_every_input_is_read_from_its_hyphenated_variable() -> None:
    config = config_from(
        max_failures="3",
        max_errors="10%",
        min_pass_rate="95.5",
        allow_empty="True",
        poll_interval="2.5",
        timeout="60",
        fail_on_timeout="FALSE",
        base_url="https://eu.example.com/api/",
    )
    assert config.max_failures == Limit(value=Decimal(3), percent=False)
    assert config.max_errors == Limit(value=Decimal(10), percent=True)
    assert config.min_pass_rate == Decimal("95.5")
    assert (config.allow_empty, config.fail_on_timeout) == (True, False)
    assert (config.poll_interval, config.timeout) == (2.5, 60)
    assert config.base_url == "https://eu.example.com/api"


def test_empty_or_blank_values_fall_back_to_the_defaults() -> None:
    config = config_from(max_failures="", max_errors="  ", timeout="", fail_on_timeout="", base_url=" ")
    assert config.max_failures.value == 0
    assert config.max_errors.value == 0
    assert config.timeout == float(DEFAULTS["timeout"])
    assert config.fail_on_timeout is True
    assert config.base_url == DEFAULTS["base-url"]


def test_values_are_trimmed() -> None:
    assert config_from(max_failures=" 2 ").max_failures.value == 2


def test_flags_win_over_input_variables() -> None:
    env = dict(BASE) | {"INPUT_MAX-FAILURES": "1", "INPUT_TIMEOUT": "99"}
    config = load_config(env, ["--max-failures", "4", "--batch-job-id", "other_batch"])
    assert config.max_failures.value == 4
    assert config.batch_job_ids == ("other_batch",)
    assert config.timeout == 99


def test_the_key_comes_from_retell_api_key_outside_actions() -> None:
    config = load_config({"RETELL_API_KEY": KEY}, ["--batch-job-id", "b1"])
    assert config.api_key.reveal() == KEY


BAD_VALUES = [
    ("max-failures", "-1", "whole number"),
    ("max-failures", "1.5", "whole number"),
    ("max-failures", "abc", "whole number"),
    ("max-failures", "101%", "percentage"),
    ("max-failures", "%", "percentage"),
    ("max-failures", "5 %%", "percentage"),
    ("max-errors", "-5%", "whole number"),
    ("max-errors", "1e3", "whole number"),
    ("max-errors", "two", "whole number"),
    ("min-pass-rate", "101", "from 0 to 100"),
    ("min-pass-rate", "-1", "from 0 to 100"),
    ("min-pass-rate", "ninety", "from 0 to 100"),
    ("min-pass-rate", "nan", "from 0 to 100"),
    ("allow-empty", "yes", "true or false"),
    ("allow-empty", "1", "true or false"),
    ("allow-empty", "tRuE", "true or false"),
    ("fail-on-timeout", "no", "true or false"),
    ("fail-on-timeout", "0", "true or false"),
    ("poll-interval", "0", "from 0.001 to 432000"),
    ("poll-interval", "-3", "from 0.001 to 432000"),
    ("poll-interval", "ten", "from 0.001 to 432000"),
    ("poll-interval", "nan", "from 0.001 to 432000"),
    ("poll-interval", "inf", "from 0.001 to 432000"),
    ("timeout", "0", "from 0.001 to 432000"),
    ("timeout", "1e400", "from 0.001 to 432000"),
    ("timeout", "999999999", "from 0.001 to 432000"),
    ("timeout", "30m", "from 0.001 to 432000"),
    ("poll-interval", "1e-300", "from 0.001 to 432000"),  # overflowed the polling arithmetic
    ("poll-interval", "1e-400", "from 0.001 to 432000"),  # a float of 0.0
    ("timeout", "1e-400", "from 0.001 to 432000"),
    ("batch-job-id", "../../delete-agent", "letters, digits"),
    ("batch-job-id", "id.with.dots", "letters, digits"),
    ("fail-fast", "yes", "true or false"),
    ("batch-job-id", "a" * 129, "letters, digits"),
    ("batch-job-id", "batch?x=1", "letters, digits"),
    ("base-url", "http://api.retellai.com", "loopback"),
    ("base-url", "http://10.0.0.5:8080", "loopback"),
    ("base-url", "ftp://api.retellai.com", "https://"),
    ("base-url", "api.retellai.com", "https://"),
    ("base-url", "https://api.retellai.com?x=1", "query"),
    ("base-url", "https://", "https://"),
    ("base-url", "https://host:99999", "https://"),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD_VALUES)
def test_bad_values_name_the_input_the_value_and_what_is_allowed(name: str, value: str, allowed: str) -> None:
    with pytest.raises(InputError) as caught:
        config_from(**{name.replace("-", "_"): value})
    message = caught.value.message
    assert f"`{name}`" in message
    assert repr(value if len(value) <= 80 else value[:80] + "…") in message
    assert allowed in message


def test_missing_batch_job_id_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"None of the inputs that say what to test is set: .*`batch-job-id`"):
        load_config({"INPUT_API-KEY": KEY}, [])


def test_several_batch_ids_are_read_in_order_whatever_separates_them() -> None:
    config = config_from(batch_job_id="b1, b2\nb3  b4,\n b5")
    assert config.batch_job_ids == ("b1", "b2", "b3", "b4", "b5")
    assert load_config({"INPUT_API-KEY": KEY}, ["--batch-job-id", "x1,x2"]).batch_job_ids == ("x1", "x2")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("b1, b1", "lists b1 more than once"),
        ("b1, ../b2", "holds '../b2', which is not a batch test ID"),
        (" ".join(f"b{i}" for i in range(101)), "expected at most 100 IDs, not 101"),
    ],
)
def test_a_bad_list_of_batch_ids_names_the_input_and_the_id(value: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        config_from(batch_job_id=value)
    assert "`batch-job-id`" in caught.value.message
    assert says in caught.value.message


def test_fail_fast_is_a_boolean_and_its_flag_alone_means_true() -> None:
    assert config_from(fail_fast="true").fail_fast is True
    assert load_config(BASE, ["--fail-fast"]).fail_fast is True
    assert load_config(BASE, ["--fail-fast", "false"]).fail_fast is False


def test_missing_key_is_an_input_error_that_says_where_to_put_it() -> None:
    with pytest.raises(InputError, match=r"`api-key` is empty.*secrets\.RETELL_API_KEY.*RETELL_API_KEY"):
        load_config({"INPUT_BATCH-JOB-ID": "b"}, [])


@pytest.mark.parametrize("bad_key", ["sekrit with space", "sekrit\nX-Injected: 1", "ключ", "k" * 513])
def test_a_bad_key_is_rejected_without_quoting_it(bad_key: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config({"INPUT_API-KEY": bad_key, "INPUT_BATCH-JOB-ID": "b"}, [])
    assert "`api-key` is not a valid API key" in caught.value.message
    assert bad_key not in caught.value.message
    assert bad_key.split()[0][:6] not in caught.value.message


def test_loopback_http_is_allowed_for_local_simulators() -> None:
    for url in ("http://127.0.0.1:8089", "http://localhost:1234", "http://[::1]:80", "http://127.5.0.1"):
        assert config_from(base_url=url).base_url == url


def test_an_unknown_flag_is_an_input_error_not_a_usage_exit() -> None:
    with pytest.raises(InputError, match="unrecognized arguments: --max-failure"):
        load_config(BASE, ["--max-failure", "1"])


@pytest.mark.parametrize(
    ("text", "count", "total", "exceeded"),
    [
        ("0", 0, 10, False),
        ("0", 1, 10, True),
        ("2", 2, 10, False),
        ("2", 3, 10, True),
        ("10%", 1, 10, False),
        ("10%", 2, 10, True),
        ("10%", 1, 11, False),
        ("10%", 2, 11, True),
        ("2.5%", 1, 40, False),
        ("2.5%", 2, 40, True),
        ("0%", 1, 1000, True),
        ("100%", 10, 10, False),
        ("5%", 0, 0, False),
    ],
)
def test_limits_take_percentages_of_the_total_exactly(text: str, count: int, total: int, exceeded: bool) -> None:
    limit = config_from(max_failures=text).max_failures
    assert limit.exceeded_by(count, total) is exceeded
    assert str(limit) == text


# Not-a-number, infinite and signalling forms: Decimal reads them all, so each numeric parser must
# refuse them as bad input (exit 2), never let float() raise (exit 5, "a bug in the gate").
NON_FINITE = ["sNaN", "-sNaN", "sNaN123", "NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", "-inf", "1e999"]
NUMERIC_INPUTS = ["timeout", "poll-interval", "max-failures", "max-errors", "min-pass-rate"]


@pytest.mark.parametrize("name", NUMERIC_INPUTS)
@pytest.mark.parametrize("value", NON_FINITE + [v + "%" for v in NON_FINITE])
def test_every_numeric_input_refuses_non_finite_numbers(name: str, value: str) -> None:
    with pytest.raises(InputError) as caught:
        config_from(**{name.replace("-", "_"): value})
    assert f"`{name}`" in caught.value.message
    assert repr(value) in caught.value.message


@pytest.mark.parametrize("name", NUMERIC_INPUTS)
def test_numbers_are_ascii_digits_only(name: str) -> None:
    with pytest.raises(InputError):
        config_from(**{name.replace("-", "_"): "١٠"})  # Arabic-Indic digits: Decimal would read 10


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NUMERIC_INPUTS),
    value=st.one_of(
        st.text(max_size=12),
        st.text(alphabet="0123456789.eE+-_%sSnNaAiIfFtTyY ", max_size=12),
        st.builds(
            lambda v, sign, tail: sign + v + tail,
            st.sampled_from(NON_FINITE),
            st.sampled_from(["", "+", "-"]),
            st.sampled_from(["", "%", " %", "0"]),
        ),
    ),
)
def test_a_numeric_input_is_a_finite_value_in_range_or_an_input_error(name: str, value: str) -> None:
    try:
        parsed = PARSERS[name](name, value.strip())
    except InputError as error:
        refusal = error.message
    else:
        assert_in_range(name, parsed)
        return
    assert f"`{name}`" in refusal


def assert_in_range(name: str, parsed: Any) -> None:
    if name in ("timeout", "poll-interval"):
        assert math.isfinite(parsed)
        assert 0 < parsed <= MAX_SECONDS
    elif name == "min-pass-rate":
        assert parsed is None or (parsed.is_finite() and 0 <= parsed <= 100)
    else:
        assert parsed.value.is_finite()
        assert parsed.value >= 0
        assert parsed.value <= 100 or not parsed.percent


# Report paths: only the workspace outlives the container, so a report must be written inside it.
@pytest.mark.parametrize("name", ["report-path", "junit-path"])
@pytest.mark.parametrize(
    "value",
    [
        "/tmp/junit.xml",  # noqa: S108 - a path the gate must refuse, never used
        "/github/runner_temp/x.json",
        "/github/workspace/out.json",  # absolute even when it points into the workspace: say it relatively
        "\\\\server\\share\\x.xml",
        "C:\\reports\\x.xml",
        "../x.json",
        "a/../../x.json",
        "./../x.json",
        "a\\..\\..\\x.json",
        ".",
        "..",
        "a/..",
        "a/b/..",
        "../x/r.json",  # out, then back down into another folder: still outside
        "a/../../b/c.json",
        "out/",  # a folder, not a file
    ],
)
def test_report_paths_outside_the_workspace_are_refused(name: str, value: str) -> None:
    with pytest.raises(InputError) as caught:
        config_from(**{name.replace("-", "_"): value})
    message = caught.value.message
    assert f"`{name}`" in message
    assert repr(value) in message
    assert "relative to the workspace" in message


@pytest.mark.parametrize("value", ["retell.json", "out/retell.json", "a/../b.json", "./out/./x.xml", "~/x.json"])
def test_report_paths_that_stay_in_the_workspace_are_accepted(value: str) -> None:
    assert config_from(report_path=value).report_path == value


def test_report_files_are_known_even_when_another_input_is_bad() -> None:
    from retell_gate.inputs.config import report_files

    values = dict(DEFAULTS) | {"max-failures": "one", "report-path": "out/r.json", "junit-path": "out/j.xml"}
    assert report_files(values) == {"report-path": "out/r.json", "junit-path": "out/j.xml"}
    assert report_files(values | {"report-path": "/abs/r.json"}) == {"junit-path": "out/j.xml"}
    assert report_files(values | {"junit-path": "out/r.json"}) == {"report-path": "out/r.json"}


# Boolean flags: bare means true; a value is parsed as strictly as the INPUT_* variables.
@pytest.mark.parametrize(
    ("argv", "allow_empty", "fail_on_timeout"),
    [
        (["--allow-empty"], True, True),
        (["--allow-empty", "--timeout", "5"], True, True),
        (["--allow-empty", "false"], False, True),
        (["--allow-empty=FALSE"], False, True),
        (["--fail-on-timeout"], False, True),
        (["--fail-on-timeout", "false", "--allow-empty"], True, False),
    ],
)
def test_boolean_flags_work_bare_or_with_a_value(argv: list[str], allow_empty: bool, fail_on_timeout: bool) -> None:
    env = dict(BASE) | {"INPUT_FAIL-ON-TIMEOUT": "false"} if "--fail-on-timeout" in argv else dict(BASE)
    config = load_config(env, argv)
    assert (config.allow_empty, config.fail_on_timeout) == (allow_empty, fail_on_timeout)


def test_a_bare_boolean_flag_beats_its_input_variable() -> None:
    assert load_config(dict(BASE) | {"INPUT_ALLOW-EMPTY": "false"}, ["--allow-empty"]).allow_empty is True


@pytest.mark.parametrize("value", ["yes", "1", "tRuE", "on"])
def test_a_boolean_flag_with_another_value_is_refused(value: str) -> None:
    with pytest.raises(InputError, match=f"`allow-empty` is '{value}': expected true or false"):
        load_config(BASE, ["--allow-empty", value])


def test_help_explains_counts_and_shares_and_every_exit_code() -> None:
    text = argument_parser().format_help()
    assert "N%" in text
    assert "share of the total" in text
    assert "count of test cases" in text
    assert "--allow-empty [true|false]" in text
    codes_listed = {int(line.split()[0]) for line in text.split("Exit codes:", 1)[1].splitlines() if line.strip()}
    assert codes_listed == {0, 1, 2, 3, 4, 5, 130, 143}


def test_every_flag_has_its_own_help() -> None:
    from retell_gate.inputs.help_text import HELP
    from retell_gate.inputs.raw import SECRET_ENV

    assert set(HELP) == set(DEFAULTS) - set(SECRET_ENV)


@pytest.mark.parametrize(
    "argv", [["--version", "7"], ["--engine-version", "7"], ["--version", "7", "--engine-version", "7"]]
)
def test_the_version_to_test_is_version_n_on_a_command_line_as_every_input_is_its_own_flag(argv: list[str]) -> None:
    config = load_config({"INPUT_API-KEY": KEY}, ["--agent-id", "agent_1", *argv])
    assert config.target.version == 7


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--agent-id", "agent_1", "--version"],
            "`--version` has no value",
        ),  # never a quiet exit 0 with nothing tested
        (["--agent-id", "agent_1", "--version", "7", "--engine-version", "8"], "disagree"),
    ],
)
def test_a_version_flag_that_is_not_clear_is_an_input_error(argv: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_config({"INPUT_API-KEY": KEY}, argv)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2pass@api.retellai.com",
        "https://u:pa/ss#hunter2pass@x.test",
        "https://u:hunter2@pass@x.test",  # an `@` in the password: everything to the last one is hidden
    ],
)
def test_a_base_url_with_credentials_is_refused_without_quoting_them(url: str) -> None:
    with pytest.raises(InputError, match="without credentials") as caught:
        load_config({"INPUT_API-KEY": KEY, "INPUT_BATCH-JOB-ID": "b", "INPUT_BASE-URL": url}, [])
    assert "hunter2" not in caught.value.message
    assert "pass" not in caught.value.message.split("***@")[1]
    assert "***@" in caught.value.message


@pytest.mark.parametrize(
    ("report", "junit"), [("r.json", "./r.json"), ("out/r.json", "out/x/../r.json"), ("a//b", "a\\b")]
)
def test_two_spellings_of_one_report_file_are_an_input_error(report: str, junit: str) -> None:
    from retell_gate.inputs.config import report_files

    with pytest.raises(InputError, match=r"Input `junit-path` is .*expected a different file than `report-path`"):
        config_from(report_path=report, junit_path=junit)
    assert report_files(dict(DEFAULTS) | {"report-path": report, "junit-path": junit}) == {"report-path": report}
