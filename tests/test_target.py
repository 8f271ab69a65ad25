"""Which mode the inputs ask for, and the errors when they do not fit together (pure)."""

from __future__ import annotations

import pytest

from retell_gate.errors import InputError
from retell_gate.inputs.target import TARGET_INPUTS, StartFor, WaitFor, parse_target

EMPTY = dict.fromkeys(TARGET_INPUTS, "")  # every input that says what to test, unset


def target(**given: str) -> WaitFor | StartFor:
    return parse_target(EMPTY | {name.replace("_", "-"): value for name, value in given.items()})


def test_one_batch_id_is_wait_mode() -> None:
    assert target(batch_job_id="batch_1") == WaitFor(("batch_1",))


def test_several_batch_ids_by_commas_spaces_and_newlines() -> None:
    assert target(batch_job_id="b1, b2\nb3  b4,b5") == WaitFor(("b1", "b2", "b3", "b4", "b5"))


def test_an_agent_with_a_version_and_a_selection_is_start_mode() -> None:
    assert target(
        agent_id="agent_1", version="7", test_case_definition_ids="tcd_1\ntcd_2", test_names="Book*\n\n *x* "
    ) == (StartFor("agent", "agent_1", "agent-id", 7, ("tcd_1", "tcd_2"), ("Book*", "*x*")))


@pytest.mark.parametrize(
    ("name", "kind"), [("agent-id", "agent"), ("llm-id", "retell-llm"), ("conversation-flow-id", "conversation-flow")]
)
def test_each_start_input_names_its_kind(name: str, kind: str) -> None:
    result = parse_target(EMPTY | {name: "x_1"})
    assert isinstance(result, StartFor)
    assert (result.kind, result.id, result.input, result.version) == (kind, "x_1", name, None)


def test_none_of_the_mode_inputs_is_an_error_naming_all_four() -> None:
    with pytest.raises(InputError) as caught:
        target()
    for name in ("`batch-job-id`", "`agent-id`", "`llm-id`", "`conversation-flow-id`"):
        assert name in caught.value.message


def test_two_mode_inputs_are_an_error_naming_both() -> None:
    with pytest.raises(InputError) as caught:
        target(batch_job_id="b1", llm_id="llm_1")
    assert caught.value.message.startswith("Inputs `batch-job-id` and `llm-id` are both set: set exactly one of")


@pytest.mark.parametrize("name", ["version", "test-case-definition-ids", "test-names"])
def test_start_only_inputs_are_refused_in_wait_mode(name: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_target(EMPTY | {"batch-job-id": "b1", name: "3"})
    assert f"Input `{name}` applies only when the gate starts the batches" in caught.value.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"batch_job_id": "b1, b/2"}, "Input `batch-job-id` holds 'b/2', which is not a batch test ID"),
        ({"batch_job_id": "b1 b1"}, "Input `batch-job-id` lists b1 more than once"),
        ({"agent_id": "agent 1"}, "Input `agent-id` is 'agent 1': expected one Retell ID"),
        ({"llm_id": "l1", "version": "v4"}, "Input `version` is 'v4': expected a version number"),
        ({"llm_id": "l1", "version": "-1"}, "Input `version` is '-1'"),
        ({"llm_id": "l1", "version": "1e3"}, "Input `version` is '1e3'"),
        ({"llm_id": "l1", "version": "\uff13"}, "Input `version` is '\uff13'"),  # a full-width 3: not decimal here
        ({"llm_id": "l1", "test_case_definition_ids": "tcd_1;tcd_2"}, "holds 'tcd_1;tcd_2'"),
    ],
)
def test_bad_values_name_the_input_and_the_value(given: dict[str, str], expected: str) -> None:
    with pytest.raises(InputError) as caught:
        target(**given)
    assert expected in caught.value.message


def test_too_many_batch_ids_is_an_error() -> None:
    with pytest.raises(InputError, match="at most 100 IDs, not 101"):
        target(batch_job_id=" ".join(f"b{i}" for i in range(101)))
