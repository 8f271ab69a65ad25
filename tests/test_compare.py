"""Judging per definition: repeats, the baseline comparison, required and quarantined tests."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retell_gate.errors import InputError
from retell_gate.inputs.judging import check_patterns
from retell_gate.judge.assess import Assessment, assess
from retell_gate.judge.compare import Change, compare
from retell_gate.judge.counts import Counts
from retell_gate.judge.definitions import DefinitionResult, definition_counts, judge_definitions
from retell_gate.judge.verdict import decide
from retell_gate.retell.statuses import RunOutcome
from tests.factories import batch, config, make_run

OUTCOMES: dict[str, RunOutcome] = {"P": "pass", "F": "fail", "E": "error", "N": "not-finished"}


@dataclass(frozen=True)
class FakeRun:
    test_case_definition_id: str
    name: str
    outcome: RunOutcome


def runs(spec: dict[str, str]) -> list[FakeRun]:
    """{"greeting": "PPF"}: definition tcd_greeting, named greeting, passed twice then failed."""
    return [FakeRun(f"tcd_{name}", name, OUTCOMES[letter]) for name, letters in spec.items() for letter in letters]


def one(letters: str, min_passes: int | None = None) -> DefinitionResult:
    (result,) = judge_definitions(runs({"t": letters}), min_passes)
    return result


# (repeats' outcomes, min_passes) -> (status, flaky)
DEFINITION_TABLE = [
    ("P", None, "passed", False),
    ("F", None, "failed", False),
    ("E", None, "errored", False),
    ("N", None, "errored", False),  # unfinished in a complete batch: never a pass
    ("PPP", None, "passed", False),
    ("PPF", None, "failed", True),  # by default every repeat must pass
    ("PPF", 2, "passed", True),  # met min-passes, still listed as flaky
    ("PFF", 2, "failed", True),
    ("PEN", 1, "passed", True),
    ("PEN", 2, "errored", True),  # no real failure among the repeats: errored
    ("PN", None, "errored", True),  # a pass and an unfinished run: flaky, not passed
    ("FE", None, "failed", False),  # a failure names a mixed definition
    ("EN", None, "errored", False),
    ("PP", 3, "errored", False),  # a repeat that never ran counts against it
]


@pytest.mark.parametrize(("letters", "min_passes", "status", "flaky"), DEFINITION_TABLE)
def test_a_definition_is_judged_by_its_repeats(letters: str, min_passes: int | None, status: str, flaky: bool) -> None:
    result = one(letters, min_passes)
    assert (result.status, result.flaky) == (status, flaky)
    assert result.ok is (status == "passed")


def test_repeats_are_counted_per_outcome() -> None:
    result = one("PPFENN", 2)
    assert (result.passed, result.failed, result.errored, result.not_finished, result.runs) == (2, 1, 1, 2, 6)
    assert result.min_passes == 2
    assert one("PPF").min_passes == 3


def test_min_passes_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="min_passes must be at least 1"):
        judge_definitions(runs({"t": "P"}), 0)


def test_definitions_are_grouped_by_id_and_ordered_by_name() -> None:
    mixed = [*runs({"zeta": "P", "Alpha": "F"}), *runs({"zeta": "F", "beta": "P"})]
    results = judge_definitions(mixed)
    assert [(r.name, r.definition_id, r.runs) for r in results] == [
        ("Alpha", "tcd_Alpha", 1),
        ("beta", "tcd_beta", 1),
        ("zeta", "tcd_zeta", 2),
    ]


def test_a_definition_is_named_by_its_first_run_with_a_real_name() -> None:
    nameless = FakeRun("tcd_1", "tcd_1", "pass")  # TestRun.name falls back to the ID
    assert judge_definitions([nameless, FakeRun("tcd_1", "Greeting", "pass")])[0].name == "Greeting"
    assert judge_definitions([nameless])[0].name == "tcd_1"


def test_real_test_runs_fit() -> None:
    results = judge_definitions([make_run(1, "pass", "Greeting"), make_run(2, "pending", None), make_run(1, "fail")])
    assert [(r.definition_id, r.name, r.status, r.flaky) for r in results] == [
        ("tcd_1", "Greeting", "failed", True),
        ("tcd_2", "tcd_2", "errored", False),
    ]


def test_counts_are_one_per_definition() -> None:
    results = judge_definitions(runs({"a": "PPP", "b": "PPF", "c": "EE", "d": "N"}))
    assert definition_counts(results) == Counts(passed=1, failed=1, errored=2, total=4)


def test_a_baseline_may_have_run_fewer_times() -> None:
    assert judge_definitions(runs({"t": "P"}), 3, capped=True)[0].ok
    assert not judge_definitions(runs({"t": "P"}), 3)[0].ok


# (baseline outcomes, current outcomes, min_passes) -> change; "" means not on that side
CHANGE_TABLE: list[tuple[str, str, int | None, Change]] = [
    ("P", "P", None, "unchanged-pass"),
    ("P", "F", None, "regressed"),
    ("P", "E", None, "regressed"),
    ("P", "N", None, "regressed"),
    ("F", "P", None, "fixed"),
    ("E", "P", None, "fixed"),
    ("N", "P", None, "fixed"),
    ("F", "F", None, "still-failing"),
    ("F", "E", None, "still-failing"),
    ("", "P", None, "new"),
    ("", "F", None, "new"),
    ("P", "", None, "dropped"),
    ("F", "", None, "dropped"),
    ("PPF", "PPP", None, "fixed"),
    ("PPF", "PPP", 2, "unchanged-pass"),
    ("PPP", "PPF", 2, "unchanged-pass"),
    ("PPP", "PFF", 2, "regressed"),
    ("P", "PPF", 3, "regressed"),
    ("P", "PPP", 3, "unchanged-pass"),  # the one-run baseline is judged by its one run
]


@pytest.mark.parametrize(("before", "now", "min_passes", "change"), CHANGE_TABLE)
def test_each_definition_lands_in_its_change(before: str, now: str, min_passes: int | None, change: Change) -> None:
    result = assess(runs({"t": now} if now else {}), runs({"t": before} if before else {}), min_passes=min_passes)
    assert result.comparison is not None
    assert [(entry.definition_id, entry.change) for entry in result.comparison.entries] == [("tcd_t", change)]


def test_the_comparison_keeps_both_sides_and_is_ordered_by_change() -> None:
    baseline = judge_definitions(runs({"fixed": "F", "gone": "P", "kept": "P", "broke": "P"}))
    current = judge_definitions(runs({"fixed": "P", "kept": "P", "broke": "E", "fresh": "F"}))
    comparison = compare(current, baseline)
    assert [(e.name, e.change, e.before, e.now) for e in comparison.entries] == [
        ("broke", "regressed", "passed", "errored"),
        ("fixed", "fixed", "failed", "passed"),
        ("kept", "unchanged-pass", "passed", "passed"),
        ("fresh", "new", "absent", "failed"),
        ("gone", "dropped", "passed", "absent"),
    ]
    assert [e.name for e in comparison.regressed] == ["broke"]
    assert [e.name for e in comparison.dropped] == ["gone"]


def test_the_current_name_wins_when_a_definition_was_renamed() -> None:
    comparison = compare(judge_definitions([FakeRun("tcd_1", "New name", "pass")]), judge_definitions(runs({"1": "P"})))
    assert comparison.entries[0].name == "New name"


def test_a_definition_twice_on_one_side_is_a_mistake() -> None:
    (result,) = judge_definitions(runs({"t": "P"}))
    with pytest.raises(ValueError, match="listed twice on the baseline side"):
        compare([], [result, result])


def test_swapping_one_failure_for_another_is_blocked_though_max_failures_passes_it() -> None:
    result = assess(runs({"a": "P", "b": "F", "c": "P"}), runs({"a": "F", "b": "P", "c": "P"}))
    assert result.counts == Counts(passed=2, failed=1, errored=0, total=3)
    assert decide(batch(passed=2, failed=1), config(max_failures="1")).passed  # the absolute gate lets it through
    (check,) = result.checks
    assert (check.name, check.input, check.limit, check.actual, check.ok) == (
        "Regressions",
        "max-regressions",
        "≤ 0",
        "1",
        False,
    )
    assert check.failure == '1 test regressed since the baseline ("b"), more than the 0 allowed'
    assert not result.ok


def test_max_regressions_allows_that_many() -> None:
    current, baseline = runs({"a": "F", "b": "E", "c": "P"}), runs({"a": "P", "b": "P", "c": "P"})
    assert assess(current, baseline, max_regressions=2).ok
    check = assess(current, baseline, max_regressions=1).checks[0]
    assert check.failure == '2 tests regressed since the baseline ("a", "b"), more than the 1 allowed'


def test_a_long_list_of_regressions_names_the_first_few() -> None:
    names = [f"t{i}" for i in range(8)]
    check = assess(runs(dict.fromkeys(names, "F")), runs(dict.fromkeys(names, "P"))).checks[0]
    assert check.failure == (
        '8 tests regressed since the baseline ("t0", "t1", "t2", "t3", "t4" and 3 more), more than the 0 allowed'
    )


def test_a_long_name_is_clipped_in_the_reason() -> None:
    name = "x" * 200
    check = assess(runs({name: "F"}), runs({name: "P"})).checks[0]
    assert f'"{"x" * 80}…"' in check.failure
    assert "x" * 81 not in check.failure


def test_without_a_baseline_there_is_no_comparison_and_no_regression_check() -> None:
    result = assess(runs({"a": "F"}))
    assert result.comparison is None
    assert result.checks == ()
    assert result.counts == Counts(passed=0, failed=1, errored=0, total=1)


def test_an_empty_baseline_makes_every_definition_new() -> None:
    result = assess(runs({"a": "F", "b": "P"}), [])
    assert result.comparison is not None
    assert [e.change for e in result.comparison.entries] == ["new", "new"]
    assert result.ok


# (current, baseline or None, required patterns, min_passes) -> (ok, actual, failure)
REQUIRED_TABLE: list[tuple[dict[str, str], dict[str, str] | None, list[str], int | None, bool, str, str]] = [
    ({"greeting": "P", "refund": "F"}, None, ["greeting"], None, True, "1 of 1 passed", ""),
    ({"greeting": "P", "refund": "F"}, None, ["tcd_greeting"], None, True, "1 of 1 passed", ""),  # by ID
    ({"greeting": "P", "refund": "F"}, None, ["refund"], None, False, "0 of 1 passed", '"refund" failed'),
    ({"greeting": "P", "refund": "E"}, None, ["*"], None, False, "1 of 2 passed", '"refund" errored'),
    ({"refund_a": "P", "refund_b": "N"}, None, ["refund_?"], None, False, "1 of 2 passed", '"refund_b" errored'),
    ({"greeting": "PPF"}, None, ["greeting"], 2, True, "1 of 1 passed", ""),  # flaky, but met min-passes
    ({"greeting": "PPF"}, None, ["greeting"], None, False, "0 of 1 passed", '"greeting" failed'),
    ({"greeting": "P"}, {"refund": "P"}, ["refund"], None, False, "0 of 1 passed", '"refund" did not run'),
    (
        {"greeting": "P"},
        None,
        ["billing*"],
        None,
        False,
        "0 of 1 passed",
        "no test matches 'billing*' (it did not run)",
    ),
    ({"greeting": "P"}, None, ["Greeting"], None, False, "0 of 1 passed", "no test matches 'Greeting'"),  # case matters
    ({"a[1]": "P"}, None, ["a[[]1]"], None, True, "1 of 1 passed", ""),  # fnmatch's escape for a bracket
]


@pytest.mark.parametrize(("current", "baseline", "required", "min_passes", "ok", "actual", "failure"), REQUIRED_TABLE)
def test_required_tests_must_pass(
    current: dict[str, str],
    baseline: dict[str, str] | None,
    required: list[str],
    min_passes: int | None,
    ok: bool,
    actual: str,
    failure: str,
) -> None:
    result = assess(
        runs(current), runs(baseline) if baseline is not None else None, required=required, min_passes=min_passes
    )
    check = next(check for check in result.checks if check.input == "required-tests")
    assert (check.name, check.limit, check.actual, check.ok) == ("Required tests", "all pass", actual, ok)
    assert result.ok is ok
    if not ok:
        assert check.failure.startswith("required tests did not pass: ")
        assert failure in check.failure


def test_every_missed_required_test_is_named() -> None:
    result = assess(runs({"a": "F", "b": "E", "c": "P"}), required=["a", "b", "c", "d"])
    assert result.checks[0].failure == (
        'required tests did not pass: "a" failed, "b" errored, no test matches \'d\' (it did not run)'
    )


def test_a_required_test_fails_the_step_whatever_the_other_checks_say() -> None:
    result = assess(runs({"a": "F", "b": "P"}), runs({"a": "F", "b": "P"}), required=["a"], max_regressions=5)
    assert [(check.name, check.ok) for check in result.checks] == [("Regressions", True), ("Required tests", False)]
    assert not result.ok


def test_quarantined_failures_count_against_nothing() -> None:
    result = assess(
        runs({"flaky_one": "F", "steady": "P", "broken": "E"}),
        runs({"flaky_one": "P", "steady": "P", "broken": "P"}),
        quarantine=["flaky_*", "tcd_broken"],
    )
    assert result.ok
    assert result.counts == Counts(passed=1, failed=0, errored=0, total=1)
    assert [d.name for d in result.definitions] == ["steady"]
    assert result.comparison is not None
    assert [(e.name, e.change) for e in result.comparison.entries] == [("steady", "unchanged-pass")]
    assert [(q.name, q.before, q.now, q.patterns) for q in result.quarantined] == [
        ("broken", "passed", "errored", ("tcd_broken",)),
        ("flaky_one", "passed", "failed", ("flaky_*",)),
    ]


def test_a_quarantined_test_that_passed_says_so() -> None:
    result = assess(runs({"a": "P", "b": "PPF"}), quarantine=["a", "b", "c"])
    assert [(q.name, q.now, q.current is not None and q.current.flaky) for q in result.quarantined] == [
        ("a", "passed", False),
        ("b", "failed", True),
    ]
    assert result.warnings == ("The `quarantine` pattern 'c' matches no test; it may be out of date.",)


def test_a_quarantined_test_that_did_not_run_is_listed_as_absent() -> None:
    result = assess(runs({"a": "P"}), runs({"a": "P", "old": "F"}), quarantine=["old"])
    assert [(q.name, q.before, q.now) for q in result.quarantined] == [("old", "failed", "absent")]
    assert result.comparison is not None
    assert result.comparison.dropped == ()


def test_quarantining_everything_leaves_nothing_to_count() -> None:
    result = assess(runs({"a": "F", "b": "P"}), quarantine=["*"])
    assert result.counts == Counts(passed=0, failed=0, errored=0, total=0)  # the allow-empty check decides
    assert result.definitions == ()


def test_quarantined_flaky_tests_are_not_listed_as_flaky() -> None:
    result = assess(runs({"a": "PF", "b": "PE"}), quarantine=["a"])
    assert [d.name for d in result.flaky] == ["b"]
    assert result.repeated


def test_single_runs_are_not_repeated() -> None:
    assert not assess(runs({"a": "P", "b": "F"})).repeated


def test_a_test_both_required_and_quarantined_is_an_input_error() -> None:
    with pytest.raises(InputError) as raised:
        assess(runs({"refund": "F", "greeting": "P"}), required=["ref*", "greeting"], quarantine=["*und", "x"])
    assert raised.value.message == (
        'A test cannot be both required and quarantined: "refund" (tcd_refund) matches `required-tests` '
        "pattern 'ref*' and `quarantine` pattern '*und'. Narrow `required-tests` or `quarantine` so no test "
        "matches both."
    )


def test_a_baseline_only_test_both_required_and_quarantined_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"\"old\" \(tcd_old\) matches `required-tests` patterns 'old', 'o\*'"):
        assess(runs({"a": "P"}), runs({"old": "P"}), required=["old", "o*"], quarantine=["tcd_old"])


def test_one_pattern_in_both_inputs_is_refused_before_any_request() -> None:
    check_patterns(["a*", "b"], ["c"])
    with pytest.raises(InputError) as raised:
        check_patterns(["a*", "b"], ["b", "a*"])
    assert raised.value.message == (
        "Inputs `required-tests` and `quarantine` both hold 'a*', 'b': a test cannot be both required and "
        "quarantined. Remove it from one of the two."
    )


def test_judging_does_not_load_pydantic() -> None:
    code = "import sys, retell_gate.judge.assess; print('pydantic' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


# Property tests: whatever the outcomes on either side, with repeats, the rules hold.
NAMES = ("a", "b", "c", "d", "e", "f")
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)
repeats = st.text(alphabet="PFEN", min_size=1, max_size=4)
sides = st.dictionaries(st.sampled_from(NAMES), repeats, max_size=len(NAMES))
min_passes_values = st.none() | st.integers(1, 5)


def passes(letters: str, min_passes: int | None, capped: bool = False) -> bool:
    """The rule, stated independently of the code: enough passes among the repeats."""
    needed = len(letters) if min_passes is None or (capped and min_passes > len(letters)) else min_passes
    return letters.count("P") >= needed


@PROPERTY_SETTINGS
@given(current=sides, baseline=sides, min_passes=min_passes_values)
def test_every_definition_lands_in_exactly_one_change(
    current: dict[str, str], baseline: dict[str, str], min_passes: int | None
) -> None:
    result = assess(runs(current), runs(baseline), min_passes=min_passes)
    assert result.comparison is not None
    comparison = result.comparison
    buckets = [
        comparison.regressed,
        comparison.fixed,
        comparison.still_failing,
        comparison.unchanged_pass,
        comparison.new,
        comparison.dropped,
    ]
    landed = [entry.definition_id for bucket in buckets for entry in bucket]
    assert sorted(landed) == sorted(f"tcd_{name}" for name in current.keys() | baseline.keys())
    for entry in comparison.entries:
        name = entry.name
        if name not in baseline:
            expected: Change = "new"
        elif name not in current:
            expected = "dropped"
        else:
            before, now = passes(baseline[name], min_passes, capped=True), passes(current[name], min_passes)
            expected = {
                (True, True): "unchanged-pass",
                (True, False): "regressed",
                (False, True): "fixed",
                (False, False): "still-failing",
            }[before, now]
        assert entry.change == expected
    assert result.checks[0].ok is (len(comparison.regressed) == 0)


@PROPERTY_SETTINGS
@given(
    current=sides,
    baseline=sides | st.none(),
    set_apart=st.sets(st.sampled_from(NAMES)),
    other_current=sides,
    other_baseline=sides,
    required=st.sets(st.sampled_from(NAMES)),
    min_passes=min_passes_values,
)
def test_quarantined_definitions_never_change_what_the_verdict_is_given(
    current: dict[str, str],
    baseline: dict[str, str] | None,
    set_apart: set[str],
    other_current: dict[str, str],
    other_baseline: dict[str, str],
    required: set[str],
    min_passes: int | None,
) -> None:
    """Whatever the quarantined definitions did, on either side, or whether they ran at all."""

    def swapped(side: dict[str, str], other: dict[str, str]) -> dict[str, str]:
        kept = {name: letters for name, letters in side.items() if name not in set_apart}
        return kept | {name: letters for name, letters in other.items() if name in set_apart}

    def judged(now: dict[str, str], before: dict[str, str] | None) -> Assessment:
        return assess(
            runs(now),
            runs(before) if before is not None else None,
            min_passes=min_passes,
            required=sorted(required - set_apart),
            quarantine=[f"tcd_{name}" for name in sorted(set_apart)],
        )

    first = judged(current, baseline)
    second = judged(
        swapped(current, other_current), swapped(baseline, other_baseline) if baseline is not None else None
    )
    assert (first.counts, first.checks, first.comparison, first.definitions, first.flaky, first.ok) == (
        second.counts,
        second.checks,
        second.comparison,
        second.definitions,
        second.flaky,
        second.ok,
    )
    assert not {q.name for q in first.quarantined} - set_apart


@PROPERTY_SETTINGS
@given(current=sides, baseline=sides | st.none(), required=st.sets(st.sampled_from(NAMES), min_size=1))
def test_a_required_test_that_did_not_pass_always_fails(
    current: dict[str, str], baseline: dict[str, str] | None, required: set[str]
) -> None:
    result = assess(runs(current), runs(baseline) if baseline is not None else None, required=sorted(required))
    check = result.checks[-1]
    assert check.input == "required-tests"
    all_passed = all(name in current and passes(current[name], None) for name in required)
    assert check.ok is all_passed
    if not all_passed:
        assert not result.ok


@PROPERTY_SETTINGS
@given(letters=repeats, min_passes=min_passes_values)
def test_flaky_exactly_when_a_pass_and_a_non_pass(letters: str, min_passes: int | None) -> None:
    assert one(letters, min_passes).flaky is ("P" in letters and any(letter != "P" for letter in letters))


@PROPERTY_SETTINGS
@given(letters=repeats, lower=st.integers(1, 5), more=st.integers(0, 5))
def test_raising_min_passes_never_turns_a_failing_definition_into_a_passing_one(
    letters: str, lower: int, more: int
) -> None:
    if not one(letters, lower).ok:
        assert not one(letters, lower + more).ok
    assert one(letters, None).ok is one(letters, len(letters)).ok


@PROPERTY_SETTINGS
@given(current=sides, quarantine=st.sets(st.sampled_from(NAMES)), min_passes=min_passes_values)
def test_counts_add_up_to_the_definitions_not_quarantined(
    current: dict[str, str], quarantine: set[str], min_passes: int | None
) -> None:
    result = assess(runs(current), quarantine=sorted(quarantine), min_passes=min_passes)
    counts = result.counts
    assert counts.total == len(current.keys() - quarantine)
    assert counts.passed + counts.failed + counts.errored == counts.total
    assert counts.passed == sum(passes(current[name], min_passes) for name in current.keys() - quarantine)


def test_a_test_recreated_under_a_new_id_is_compared_by_its_name() -> None:
    baseline = judge_definitions([FakeRun("tcd_old", "Beta", "pass"), FakeRun("tcd_a", "Alpha", "pass")])
    current = judge_definitions([FakeRun("tcd_new", "Beta", "fail"), FakeRun("tcd_a", "Alpha", "pass")])
    comparison = compare(current, baseline)
    assert [(e.definition_id, e.name, e.change) for e in comparison.entries] == [
        ("tcd_new", "Beta", "regressed"),
        ("tcd_a", "Alpha", "unchanged-pass"),
    ]


def test_a_name_used_twice_pairs_nothing() -> None:
    baseline = judge_definitions([FakeRun("tcd_old", "Beta", "pass")])
    current = judge_definitions([FakeRun("tcd_1", "Beta", "fail"), FakeRun("tcd_2", "Beta", "pass")])
    changes = sorted((e.definition_id, e.change) for e in compare(current, baseline).entries)
    assert changes == [("tcd_1", "new"), ("tcd_2", "new"), ("tcd_old", "dropped")]


def test_a_test_recreated_under_a_new_id_stays_quarantined_by_its_old_id() -> None:
    baseline = [FakeRun("tcd_old", "Beta", "pass")]
    current = [FakeRun("tcd_new", "Beta", "fail")]
    result = assess(current, baseline, quarantine=["tcd_old"])
    assert result.comparison is not None
    assert result.comparison.regressed == ()  # quarantined: it counts against nothing
    assert [entry.definition_id for entry in result.quarantined] == ["tcd_new"]
