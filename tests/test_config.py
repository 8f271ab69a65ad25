from __future__ import annotations

from decimal import Decimal

import pytest

from retell_gate.errors import InputError
from retell_gate.inputs.config import DEFAULTS, env_name, load_config
from retell_gate.inputs.values import Limit

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
    assert config.batch_job_id == "batch_123"
    assert config.max_failures == Limit(value=Decimal(0), percent=False)
    assert config.max_errors == Limit(value=Decimal(0), percent=False)
    assert config.min_pass_rate is None
    assert config.allow_empty is False
    assert config.poll_interval == 10
    assert config.timeout == 1800
    assert config.fail_on_timeout is True
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
    assert config.batch_job_id == "other_batch"
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
    ("poll-interval", "0", "greater than 0"),
    ("poll-interval", "-3", "greater than 0"),
    ("poll-interval", "ten", "greater than 0"),
    ("poll-interval", "nan", "greater than 0"),
    ("poll-interval", "inf", "greater than 0"),
    ("timeout", "0", "greater than 0"),
    ("timeout", "1e400", "greater than 0"),
    ("timeout", "999999999", "greater than 0"),
    ("timeout", "30m", "greater than 0"),
    ("batch-job-id", "../../delete-agent", "letters, digits"),
    ("batch-job-id", "id with space", "letters, digits"),
    ("batch-job-id", "a" * 129, "letters, digits"),
    ("batch-job-id", "batch?x=1", "letters, digits"),
    ("base-url", "http://api.retellai.com", "loopback"),
    ("base-url", "http://10.0.0.5:8080", "loopback"),
    ("base-url", "ftp://api.retellai.com", "https://"),
    ("base-url", "api.retellai.com", "https://"),
    ("base-url", "https://user:pw@api.retellai.com", "credentials"),
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
    with pytest.raises(InputError, match="`batch-job-id` is ''"):
        load_config({"INPUT_API-KEY": KEY}, [])


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
