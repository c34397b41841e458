"""How records make up a requirement: repeats and the daily cap settled together, credits under a
cap, exact sums rounded once (docs/decisions.md, "Counting")."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.base.hours import FINE, parse_amount
from cerules.inputs.columns import parse_amounts
from cerules.kernel import reasons as R
from cerules.kernel.decide import mul_div
from cerules.kernel.run import evaluate_columns
from tests.conftest import person, record
from tests.plugin_helpers import department_layer, layer_plugin
from tests.test_kernel import PLUGINS, assert_agrees, columns

CME = layer_plugin(
    "cerules-cme",
    department_layer(
        "cme",
        "卫生",
        '[professional.cme2]\nunit = "credits"\nrequired = { value = 15, citation = "CME" }\n'
        'count_kinds = { value = ["cme-2"], citation = "CME" }\n',
    ),
)
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def declared(hours: Any, completed_at: str, course: str | None = None, **more: Any) -> dict[str, Any]:
    return record("professional", hours, completed_at, source="declared", course_id=course, **more)


def fifty_one_hours() -> list[dict[str, Any]]:
    """Professional hours from a platform on other days, 9 short of the 60 required."""
    return [record("professional", "8.5", f"2023-04-{day:02d}T10:00", record_id=f"platform-{day}") for day in range(1, 7)]


def professional(rules: cerules.RuleSet, records: list[dict[str, Any]]) -> tuple[int, bool, dict[str, tuple[str, int, str | None]]]:
    result = cerules.evaluate_person(rules, person(), records)
    got = {r.record_id: (r.status, r.credited, r.reason) for r in result.records if not r.record_id.startswith("platform")}
    return result.requirement("professional").credited, result.requirement("professional").met, got


def test_a_repeated_course_counts_its_record_worth_most_after_the_cap(rules):
    issue = [
        declared(4, "2023-03-01T09:00", "A", record_id="A"),
        declared(6, "2023-03-01T10:00", "K", record_id="K-6h"),
        declared(5, "2023-03-02T09:00", "K", record_id="K-5h"),
    ]
    total, met, got = professional(rules, fifty_one_hours() + issue)
    # The cap leaves K-6h 4 h of 1 March, K-5h all 5 h of 2 March: K-5h is worth more.
    assert (total, met) == (6000, True)
    assert got == {"A": ("credited", 400, None), "K-6h": ("rejected", 0, "duplicate_course"), "K-5h": ("credited", 500, None)}
    without = professional(rules, fifty_one_hours() + [issue[0], issue[2]])
    assert without[:2] == (6000, True)


def test_a_record_set_aside_for_a_better_one_takes_no_part_of_the_cap(rules):
    records = [
        declared(6, "2023-03-01T09:00", "K", record_id="K-declared"),
        declared(4, "2023-03-01T10:00", "B", record_id="B"),
        record("professional", 8, "2023-03-03T10:00", course_id="K", record_id="K-platform"),
    ]
    total, _, got = professional(rules, records)
    assert got == {
        "K-declared": ("rejected", 0, "duplicate_course"),
        "B": ("credited", 400, None),  # all of it: K's declaration was sure to lose, so it claims no part of 1 March
        "K-platform": ("credited", 800, None),
    }
    assert total == 1200


def test_a_declaration_first_on_a_capped_day_takes_the_cap_from_later_ones(rules):
    # The exception to "a further record never lowers": a declaration shares its day's cap.
    later = [declared(4, "2023-03-01T10:00", "A", record_id="A"), declared(5, "2023-03-02T09:00", "K", record_id="K-5h")]
    first = declared(6, "2023-03-01T09:00", "K", record_id="K-6h")
    total, _, got = professional(rules, [first, *later])
    assert got == {"K-6h": ("credited", 600, None), "A": ("credited", 200, "cap_exceeded"), "K-5h": ("rejected", 0, "duplicate_course")}
    assert total == 800
    assert professional(rules, later)[0] == 900


def test_a_further_record_of_the_same_course_on_the_same_day_never_lowers_the_course(rules):
    alone = [declared(8, "2023-03-01T10:00", "K", record_id="K-8h")]
    shorter_first = declared(5, "2023-03-01T09:00", "K", record_id="K-5h")
    total, _, got = professional(rules, [shorter_first, *alone])
    # K-8h's share is figured without K-5h's claim, which it would replace: all 8 h.
    assert got == {"K-5h": ("rejected", 0, "duplicate_course"), "K-8h": ("credited", 800, None)}
    assert total == 800


def test_every_record_of_a_course_cut_to_nothing_is_cap_exceeded_not_a_repeat(rules):
    records = [
        declared(8, "2023-03-01T08:00", "A", record_id="A"),
        declared(2, "2023-03-01T09:00", "K", record_id="K-1"),
        declared(8, "2023-03-02T08:00", "B", record_id="B"),
        declared(3, "2023-03-02T09:00", "K", record_id="K-2"),
    ]
    _, _, got = professional(rules, records)
    assert got["K-1"] == got["K-2"] == ("rejected", 0, "cap_exceeded")


def cme_credits(records: list[dict[str, Any]]) -> tuple[int, dict[str, int]]:
    rules = cerules.load_rules(2023, plugins=[CME], strict=True)
    result = cerules.evaluate_person(rules, person(title_series="卫生"), records)
    return result.requirement("professional.cme2").credited, {r.record_id: r.credited for r in result.records}


@pytest.mark.parametrize(
    ("first_hours", "second_credited", "credits"),
    [(8, 0, 0), (7, 100, 750), (6, 200, 1500), (7.5, 50, 375)],
)
def test_credits_scale_with_the_hours_a_cap_leaves(first_hours, second_credited, credits):
    records = [
        declared(first_hours, "2023-03-01T09:00", record_id="first"),
        declared(2, "2023-03-01T10:00", kind="cme-2", credits="15", record_id="second"),
    ]
    total, credited = cme_credits(records)
    assert credited["second"] == second_credited
    assert total == credits


def test_scaled_credits_are_rounded_down_in_ten_thousandths_then_summed_and_rounded_once():
    # 1 h of 3 declared: a third of 1 credit each, 0.3333 (rounded down); three of them 0.9999, shown as 1.
    records = []
    for day in (1, 2, 3):
        records.append(declared(7, f"2023-03-0{day}T09:00", record_id=f"first-{day}"))
        records.append(declared(3, f"2023-03-0{day}T10:00", kind="cme-2", credits="1", record_id=f"second-{day}"))
    total, _ = cme_credits(records)
    assert total == 100


def test_hours_are_summed_exactly_and_rounded_once_at_the_end(rules):
    def public(hours: list[str]) -> tuple[int, bool, list[int]]:
        result = cerules.evaluate_person(rules, person(), [record("public", h) for h in hours])
        public = result.requirement("public")
        return public.credited, public.met, [r.credited for r in result.records]

    assert public(["9.995"] * 3) == (2999, False, [1000] * 3)  # 29.985 h: shown 29.99, fewer than 30
    assert public(["10.005", "10.005", "9.99"])[:2] == (3000, True)  # exactly 30
    assert public(["0.3333333"] * 90)[:2] == (3000, True)  # 20-minute records from a spreadsheet: 29.997 h, shown 30
    assert public(["29.995"])[:2] == (3000, True)  # a total is judged as it is shown


def test_amounts_are_read_to_four_decimals_and_rounded_half_up_beyond():
    assert parse_amount("9.995", scale=FINE) == 99950
    assert parse_amount("0.33335", scale=FINE) == 3334
    assert parse_amount("0.33334999", scale=FINE) == 3333
    values, _, _ = parse_amounts(["9.995", "0.33335", "0.33334999", "12", "1e1"], scale=FINE)
    assert values.tolist() == [99950, 3334, 3333, 120000, 100000]


@given(st.integers(0, 2**62), st.integers(1, 2**62), st.data())
def test_mul_div_is_exact_though_the_product_does_not_fit_64_bits(a, c, data):
    b = data.draw(st.integers(0, c - 1))
    assert mul_div(a, b, c) == a * b // c


# A further record, against the cohort without it.

COURSE_TOPICS = [None, "ethics"]
DAYS = [
    "2023-03-01T09:00:00",
    "2023-03-01T10:00:00",
    "2023-03-01T18:00:00",
    "2023-03-02T09:00:00",
    "2023-03-03T09:00:00",
    "2022-12-31T10:00:00",
]
HOURS = ["0.5", "1", "2", "2.5", "3", "4", "5", "6", "7", "8", "9.995", "0.3333", "abc"]


@st.composite
def counting_cohorts(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]], st.SearchStrategy[dict[str, Any]]]:
    """People and records crowded onto a few days and courses, most of them declared; each course
    has a topic, kind and credits that its records mostly share."""
    people = [
        {"person_id": f"p{i}", "city": draw(st.sampled_from(["370100", "370200"])), "unit_level": "city",
         "title_series": draw(st.sampled_from(["卫生", "工程"]))}
        for i in range(draw(st.integers(1, 2)))
    ]  # fmt: skip
    course_of = {c: draw(st.tuples(st.sampled_from(COURSE_TOPICS), st.sampled_from([None, "cme-2"]), st.sampled_from([None, "2", "15"])))
                 for c in ("C1", "C2", "C3")}  # fmt: skip

    @st.composite
    def one_record(draw2: st.DrawFn) -> dict[str, Any]:
        course = draw2(st.sampled_from([None, "C1", "C2", "C3"]))
        topic, kind, credits = course_of[course] if course and draw2(st.integers(0, 4)) else draw2(st.tuples(
            st.sampled_from(COURSE_TOPICS), st.sampled_from([None, "cme-2"]), st.sampled_from([None, "2", "15"])))  # fmt: skip
        return {
            "person_id": draw2(st.sampled_from([p["person_id"] for p in people])),
            "subject": draw2(st.sampled_from(["public", "professional"])),
            "hours": draw2(st.sampled_from(HOURS)),
            "completed_at": draw2(st.sampled_from(DAYS)),
            "course_id": course,
            "topic": topic,
            "kind": kind,
            "credits": credits,
            "source": draw2(st.sampled_from([None, "declared", "declared"])),
            "approved": draw2(st.sampled_from([None, None, None, "false"])),
            "role": draw2(st.sampled_from([None, None, "teacher"])),
            "quality_course": draw2(st.sampled_from([None, "true"])),
        }

    records = [{"record_id": f"r{i}", **r} for i, r in enumerate(draw(st.lists(one_record(), max_size=12)))]
    return people, records, one_record()


@pytest.fixture(scope="module")
def rules_with_plugins() -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=PLUGINS, strict=True)


def _exempt(ledger: Any, added: int) -> bool:
    """Is the added record one the promise leaves out: a declaration on a day with another of
    the person's declarations, or a repeat of a course by a record that counts differently?"""
    rec = ledger.records
    who = ledger.person_index[added]
    if rec.invalid[added] or who < 0:
        return False
    own = np.flatnonzero((ledger.person_index == who) & (np.arange(len(rec)) != added) & ~rec.invalid)
    if rec.declared[added] and (rec.declared[own] & (rec.day[own] == rec.day[added])).any():
        return True
    multiplier = int(ledger.compiled.multiplier[ledger.persons.profile[who]])

    def per_hour(i: int) -> tuple[int, int]:
        gross = int(ledger.exact_hours[i]) * (multiplier if rec.teacher[i] and rec.quality[i] else 100)
        return int(rec.credits[i]), gross

    for i in own:
        if rec.course[i] != rec.course[added] or rec.course[i] < 0 or ledger.subject[i] != ledger.subject[added]:
            continue
        (ci, gi), (ca, ga) = per_hour(i), per_hour(added)
        alike = ledger.topic[i] == ledger.topic[added] and rec.kind[i] == rec.kind[added] and (ci < 0) == (ca < 0)
        if not alike or (ci >= 0 and ci * ga != ca * gi):
            return True
    return False


CHECKS = {R.INVALID_RECORD, R.UNKNOWN_PERSON, R.OUT_OF_YEAR, R.PAST_DEADLINE, R.NOT_APPROVED, R.PLATFORM_NOT_ACCEPTED,
          R.TOPIC_NOT_ACCEPTED, R.COURSE_NOT_ACCEPTED}  # fmt: skip


@EXAMPLES
@given(counting_cohorts(), st.data())
def test_a_further_record_never_lowers_what_a_person_has(rules_with_plugins, cohort, data):
    people, records, one_record = cohort
    extra = {"record_id": "added", **data.draw(one_record)}
    before = evaluate_columns(rules_with_plugins, *columns(rules_with_plugins, people, records))
    after = evaluate_columns(rules_with_plugins, *columns(rules_with_plugins, people, [*records, extra]))
    added = len(records)
    assert_agrees(after)  # the compiled kernel states these crowded cases as the plain rules do
    who = after.person_index[added]
    if after.reason[added] in CHECKS:  # a record refused by a check changes nothing
        assert np.array_equal(before.achieved, after.achieved) and np.array_equal(before.reason, after.reason[:added])
        return
    others = np.arange(len(people)) != who
    assert np.array_equal(before.achieved[others], after.achieved[others])
    if _exempt(after, added):
        return
    assert (after.achieved[who] >= before.achieved[who]).all()
    assert after.compliant[who] or not before.compliant[who]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(DAYS[:5]), st.sampled_from(HOURS[:12]), st.sampled_from([None, "C1", "C2"])), min_size=17, max_size=40
    )
)
def test_many_declarations_are_settled_as_the_plain_rules_say(rules_with_plugins, rows):
    # More than a few declarations go through the sort-based settling, even with no course repeated.
    people = [{"person_id": "p0", "city": "370100", "unit_level": "city", "title_series": "卫生"}]
    records = [
        {"record_id": f"r{i:02d}", "person_id": "p0", "subject": "professional", "hours": hours, "completed_at": day,
         "course_id": course, "source": "declared"}
        for i, (day, hours, course) in enumerate(rows)
    ]  # fmt: skip
    for courses in (records, [{**r, "course_id": None} for r in records]):
        assert_agrees(evaluate_columns(rules_with_plugins, *columns(rules_with_plugins, people, courses)))
