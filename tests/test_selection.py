"""Choosing definitions by ID and name glob, and splitting them into batches Retell accepts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from retell_gate.plan.selection import SelectionError, select, split_batches

ENGINE = "retell-llm llm_1 version 4"


@dataclass(frozen=True)
class Def:
    test_case_definition_id: str
    name: str


DEFS = [
    Def("tcd_1", "booking: table for two"),
    Def("tcd_2", "booking: moves to Friday"),
    Def("tcd_3", "smoke: greets the caller"),
    Def("tcd_4", "billing: refund [priority]"),
]


def names(chosen: tuple[Def, ...]) -> list[str]:
    return [definition.test_case_definition_id for definition in chosen]


def test_no_ids_and_no_patterns_select_every_definition_in_order() -> None:
    chosen = select(DEFS, (), (), ENGINE)
    assert names(chosen.definitions) == ["tcd_1", "tcd_2", "tcd_3", "tcd_4"]
    assert chosen.unmatched_patterns == ()


def test_ids_select_in_the_order_given() -> None:
    assert names(select(DEFS, ("tcd_3", "tcd_1", "tcd_3"), (), ENGINE).definitions) == ["tcd_3", "tcd_1"]


def test_patterns_narrow_by_whole_name_case_sensitively() -> None:
    chosen = select(DEFS, (), ("booking:*", "Smoke*", "*[[]priority]"), ENGINE)
    assert names(chosen.definitions) == ["tcd_1", "tcd_2", "tcd_4"]
    assert chosen.unmatched_patterns == ("Smoke*",)


def test_patterns_narrow_the_ids_given() -> None:
    assert names(select(DEFS, ("tcd_2", "tcd_3"), ("booking:*",), ENGINE).definitions) == ["tcd_2"]


def test_an_id_the_engine_does_not_have_is_named_before_anything_starts() -> None:
    with pytest.raises(SelectionError) as caught:
        select(DEFS, ("tcd_1", "tcd_9", "typo"), (), ENGINE)
    assert caught.value.message == (
        "`test-case-definition-ids` names 2 ID(s) that are not test case definitions of "
        "retell-llm llm_1 version 4: `tcd_9`, `typo`."
    )


def test_patterns_that_match_nothing_say_what_was_searched() -> None:
    with pytest.raises(SelectionError) as caught:
        select(DEFS, (), ("refund*", "*Friday "), ENGINE)
    assert caught.value.message == (
        "No test case definition was selected: `test-names` (`refund*`, `*Friday `) matched none of "
        "all 4 of retell-llm llm_1 version 4."
    )
    assert "case-sensitively" in caught.value.hint


def test_patterns_that_match_none_of_the_ids_say_so() -> None:
    with pytest.raises(SelectionError, match=r"matched none of the 2 given .* \(of the 4 definitions of retell-llm"):
        select(DEFS, ("tcd_1", "tcd_2"), ("smoke*",), ENGINE)


def test_an_engine_without_definitions_is_an_error_not_an_empty_pass() -> None:
    with pytest.raises(SelectionError, match="retell-llm llm_1 version 4 has no test case definitions"):
        select([], (), (), ENGINE)


def test_a_long_list_of_unknown_ids_is_cut_short() -> None:
    with pytest.raises(SelectionError, match=r"`x9` and 2 more\.$"):
        select(DEFS, tuple(f"x{n}" for n in range(12)), (), ENGINE)


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, []), (1, [1]), (200, [200]), (201, [200, 1]), (450, [200, 200, 50]), (600, [200, 200, 200])],
)
def test_batches_are_the_fewest_of_at_most_200_in_order(count: int, sizes: list[int]) -> None:
    items = list(range(count))
    batches = split_batches(items)
    assert [len(batch) for batch in batches] == sizes
    assert [item for batch in batches for item in batch] == items


def test_a_batch_size_below_one_is_a_bug() -> None:
    with pytest.raises(ValueError, match="at least one"):
        split_batches([1], 0)
