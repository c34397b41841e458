"""Requirements that count over a window of years (docs/decisions.md, "Counting"): a rolling window
of the N years ending with the evaluated one, an N-year cycle from an anchor year, beside annual
requirements; the window's first and last second in Asia/Shanghai time; inputs holding several years."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.kernel.run import evaluate_columns
from cerules.rules import parse_layer
from tests.conftest import person, record
from tests.test_kernel import assert_agrees, columns

FIVE_YEARS = parse_layer(
    '[layer]\nid = "title"\n'
    '[professional.title]\nlabel = { zh = "职称申报近五年专业科目", en = "Professional hours over five years" }\n'
    'required_hours = { value = 300, citation = "TITLE §4" }\nwindow_years = { value = 5, citation = "TITLE §4" }\n',
    file="title.toml",
    default_rank="draft",
)
CYCLE = parse_layer(
    '[layer]\nid = "cycle"\n'
    '[professional]\nwindow_years = { value = 3, citation = "CYCLE §1" }\ncycle_start = { value = 2021, citation = "CYCLE §1" }\n',
    file="cycle.toml",
    default_rank="draft",
)


def rules_with(*drafts: Any, year: int = 2023) -> cerules.RuleSet:
    return cerules.load_rules(year, rules=list(drafts), plugins=False, based_on=2023 if year != 2023 else None)


def professional(completed_at: str, hours: Any = 10, **more: Any) -> dict[str, Any]:
    return record("professional", hours, completed_at, **more)


def outcome(result: Any, record_id: str) -> tuple[str, int, str | None]:
    found = next(r for r in result.records if r.record_id == record_id)
    return found.status, found.credited, found.reason


@pytest.mark.parametrize(
    ("completed_at", "counts"),
    [
        ("2019-01-01T00:00:00+08:00", True),  # the window's first second
        ("2018-12-31T23:59:59+08:00", False),  # the last second before it
        ("2018-12-31T16:00:00Z", True),  # the first second again, written in UTC
        ("2023-12-31T23:59:59+08:00", True),  # the window's last second
        ("2024-01-01T00:00:00+08:00", False),  # the first second after it
    ],
)
def test_a_rolling_five_year_window_holds_the_five_years_ending_with_the_evaluated_one_in_shanghai_time(completed_at, counts):
    rules = rules_with(FIVE_YEARS)
    result = cerules.evaluate_person(rules, person(), [professional(completed_at, record_id="r")])
    title = result.requirement("professional.title")
    if counts:
        assert outcome(result, "r") == ("credited", 1000, None)
        assert title.credited == 1000
    else:
        assert outcome(result, "r") == ("rejected", 0, "out_of_window")
        assert title.credited == 0
    assert result.requirement("professional").credited == (1000 if counts and completed_at.startswith("2023") else 0)


@pytest.mark.parametrize(
    ("year", "completed_at", "counts"),
    [
        (2022, "2020-12-31T23:59:59+08:00", False),
        (2022, "2021-01-01T00:00:00+08:00", True),  # the cycle 2021–2023 holds 2022
        (2022, "2023-12-31T23:59:59+08:00", True),  # a later year of the cycle counts too
        (2022, "2024-01-01T00:00:00+08:00", False),
        (2024, "2023-12-31T23:59:59+08:00", False),  # 2024 starts the next cycle, 2024–2026
        (2024, "2024-01-01T00:00:00+08:00", True),
        (2024, "2026-12-31T15:59:59Z", True),
        (2024, "2026-12-31T16:00:00Z", False),  # 2027-01-01 in Shanghai
    ],
)
def test_a_three_year_cycle_from_2021_holds_the_cycle_of_the_evaluated_year(year, completed_at, counts):
    rules = rules_with(CYCLE, year=year)
    [window] = [r.window for r in rules.resolve(cerules.Profile()).requirements if r.id == "professional"]
    assert (window.first_year, window.last_year) == ((2021, 2023) if year == 2022 else (2024, 2026))
    result = cerules.evaluate_person(rules, person(), [professional(completed_at, record_id="r")])
    assert outcome(result, "r") == (("credited", 1000, None) if counts else ("rejected", 0, "out_of_window"))
    assert result.requirement("professional").credited == (1000 if counts else 0)


def test_an_annual_requirement_beside_a_five_year_one_counts_only_its_year():
    rules = rules_with(FIVE_YEARS)
    records = [professional("2021-05-01T10:00", record_id="2021"), professional("2023-05-01T10:00", record_id="2023")]
    result = cerules.evaluate_person(rules, person(), records)
    assert outcome(result, "2021") == ("credited", 1000, None)  # credited: it counts towards the five-year requirement
    assert result.requirement("professional").credited == 1000  # the 2023 record alone
    assert result.requirement("professional.title").credited == 2000


def test_a_subject_whose_requirements_are_all_annual_still_refuses_other_years_as_out_of_year():
    rules = rules_with(FIVE_YEARS)
    result = cerules.evaluate_person(rules, person(), [record("public", 5, "2021-05-01T10:00", record_id="public-2021")])
    assert outcome(result, "public-2021") == ("rejected", 0, "out_of_year")


def test_without_windows_every_other_year_is_out_of_year_as_before(rules):
    result = cerules.evaluate_person(rules, person(), [professional("2021-05-01T10:00", record_id="r")])
    assert outcome(result, "r") == ("rejected", 0, "out_of_year")


def test_a_course_counts_once_a_year_so_a_window_counts_each_year_it_was_taken():
    rules = rules_with(FIVE_YEARS)
    records = [
        professional("2021-03-01T10:00", 4, course_id="K", record_id="K-2021"),
        professional("2021-09-01T10:00", 6, course_id="K", record_id="K-2021-again"),
        professional("2023-03-01T10:00", 5, course_id="K", record_id="K-2023"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert outcome(result, "K-2021") == ("rejected", 0, "duplicate_course")  # within 2021 the one worth more counts
    assert outcome(result, "K-2021-again") == ("credited", 600, None)
    assert outcome(result, "K-2023") == ("credited", 500, None)  # another year: it counts again, and for 2023 alone
    assert result.requirement("professional.title").credited == 1100
    assert result.requirement("professional").credited == 500


def test_a_limit_on_a_window_requirement_limits_what_the_whole_window_counts():
    limited = parse_layer(
        '[layer]\nid = "limit"\n[professional.title]\ncounts_at_most = { value = 15, citation = "L" }\n', default_rank="draft"
    )
    rules = rules_with(FIVE_YEARS, limited)
    records = [professional(f"{year}-05-01T10:00", 10) for year in (2019, 2020, 2023)]
    result = cerules.evaluate_person(rules, person(), records)
    assert result.requirement("professional.title").credited == 1500


def test_one_input_file_holding_several_years_is_read_once_and_each_record_judged_by_its_day(tmp_path: Path):
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,370200,city\np2,370100,city\n", encoding="utf-8")
    rows = ["record_id,person_id,subject,hours,completed_at,course_id"]
    for year in range(2017, 2025):
        rows.append(f"p1-{year},p1,professional,60,{year}-06-30T12:00:00+08:00,C{year}")
        rows.append(f"p2-{year},p2,professional,20,{year}-06-30T12:00:00+08:00,SAME")
    records = tmp_path / "records.csv"
    records.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = cerules.evaluate(rules_with(FIVE_YEARS), persons, records)
    by_person = {p.person_id: p for p in evaluation}
    p1, p2 = by_person["p1"], by_person["p2"]
    assert (p1.requirement("professional.title").credited, p1.requirement("professional.title").met) == (30000, True)
    assert p1.requirement("professional").credited == 6000
    assert p2.requirement("professional.title").credited == 10000  # the same course in five years: once a year
    reasons = {r.record_id: r.reason for p in evaluation for r in p.records}
    assert [reasons[f"p1-{year}"] for year in range(2017, 2025)] == ["out_of_window"] * 2 + [None] * 5 + ["out_of_window"]
    document = evaluation.to_document("en")
    assert document["summary"]["records"] == 16


def test_explain_shows_a_window_and_who_set_it_and_names_the_windows_a_record_missed():
    rules = rules_with(FIVE_YEARS)
    records = [professional("2018-12-31T23:59:59+08:00", record_id="early"), professional("2020-05-01T10:00", record_id="2020")]
    result = cerules.evaluate_person(rules, person(), records)
    title = result.requirement("professional.title")
    assert (title.window.first_year, title.window.last_year) == (2019, 2023)
    assert result.requirement("professional").window is None  # the calendar year is not shown
    zh, en = result.explain("zh"), result.explain("en")
    assert "计算期 2019-01-01 至 2023-12-31（北京时间），共 5 年（依据 TITLE §4，由 title 层设定）" in zh
    assert "counted over 2019-01-01 to 2023-12-31 (Asia/Shanghai), 5 years (TITLE §4, set by title)" in en
    early = next(r for r in result.records if r.record_id == "early").message
    assert "完成于 2018-12-31（北京时间）" in early.zh and "2023 年度" in early.zh and "2019-01-01 至 2023-12-31" in early.zh
    assert "completed on 2018-12-31 (Asia/Shanghai)" in early.en and "the year 2023" in early.en
    counted = next(r for r in result.records if r.record_id == "2020").message
    assert counted.en.startswith("10 hours count towards Professional hours over five years (completed on 2020-05-01")
    assert counted.zh.startswith("计入职称申报近五年专业科目 10 学时")


def test_out_of_window_is_a_reason_code_of_the_contract_with_its_words():
    reason = cerules.kernel.reasons.BY_NAME["out_of_window"]
    assert reason.code == 12 and cerules.REASON_CODES[12] == "out_of_window"
    assert reason.text.zh == "学习时间不在要求的计算期内（按北京时间）"
    assert reason.text.en == "completed outside every requirement's window (Asia/Shanghai time)"


# The compiled kernel against the plain statement of the rules, over several years.

YEARS = [
    "2018-12-31T23:59:59+08:00",
    "2019-01-01T00:00:00+08:00",
    "2020-02-29T09:00:00",
    "2021-03-01T09:00:00",
    "2021-03-01T10:00:00",
    "2022-12-31T16:30:00Z",
    "2023-03-01T09:00:00",
    "2023-03-01T10:00:00",
    "2023-12-31T15:59:59Z",
    "2024-01-01T00:00:00+08:00",
]
WINDOWED = parse_layer(
    '[layer]\nid = "windows"\n'
    '[public.focus]\nrequired_hours = { value = 6, citation = "W" }\ncount_topics = { value = ["ethics"], citation = "W" }\n'
    'window_years = { value = 2, citation = "W" }\n'
    '[total]\nrequired_hours = { value = 200, citation = "W" }\n'
    'count_subjects = { value = ["public", "professional"], citation = "W" }\nwindow_years = { value = 3, citation = "W" }\n'
    'cycle_start = { value = 2021, citation = "W" }\n'
    '[daily_cap]\nmax_hours = { value = 10, citation = "W" }\nmodes = { value = ["online"], citation = "W" }\n'
    '[[professional.window_years]]\nvalue = 5\nwhen = { title_series = ["工程"] }\ncitation = "W"\n',
    default_rank="draft",
)
ONE_WINDOW = parse_layer(
    '[layer]\nid = "one-window"\n[public]\nwindow_years = { value = 5, citation = "O" }\n'
    '[professional]\nwindow_years = { value = 5, citation = "O" }\n',
    default_rank="draft",
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cohorts_over_years(draw: st.DrawFn, max_records: int = 20) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A few people and valid records crowded onto a few days around the windows' edges and a few
    courses, online and offline, declared and not."""
    people = [
        {"person_id": f"p{i}", "city": "370200", "unit_level": "city", "title_series": draw(st.sampled_from([None, "工程"]))}
        for i in range(draw(st.integers(1, 3)))
    ]
    one = st.fixed_dictionaries(
        {
            "person_id": st.sampled_from([p["person_id"] for p in people]),
            "subject": st.sampled_from(["public", "professional"]),
            "hours": st.sampled_from(["1", "2.5", "4", "6", "8", "9.995"]),
            "completed_at": st.sampled_from(YEARS),
            "course_id": st.sampled_from([None, "C1", "C2", "C3"]),
            "topic": st.sampled_from([None, "ethics"]),
            "platform": st.sampled_from([None, "sdou"]),
            "source": st.sampled_from([None, None, "declared"]),
            "approved": st.sampled_from([None, None, None, "false"]),
        }
    )
    records = [{"record_id": f"r{i}", **r} for i, r in enumerate(draw(st.lists(one, max_size=max_records)))]
    return people, records


@pytest.fixture(scope="module", params=["windows", "one-window"])
def windowed_rules(request: pytest.FixtureRequest) -> cerules.RuleSet:
    """Requirements over different windows, with a general daily cap; or every requirement over one
    five-year window (a profile whose records count by subject alone, summed in registers)."""
    return rules_with(WINDOWED if request.param == "windows" else ONE_WINDOW)


def test_a_profile_whose_requirements_share_one_window_keeps_the_fast_path():
    ledger = evaluate_columns(rules_with(ONE_WINDOW), *columns(rules_with(ONE_WINDOW), [person()], [professional("2020-05-01")]))
    assert ledger.compiled.plain.all() and not ledger.compiled.windowed.any()
    assert ledger.achieved.tolist() == [[0, 1000]]
    mixed = rules_with(FIVE_YEARS)
    ledger = evaluate_columns(mixed, *columns(mixed, [person()], [professional("2020-05-01")]))
    assert ledger.compiled.windowed.all() and not ledger.compiled.plain.any()


@SETTINGS
@given(cohorts_over_years())
def test_the_kernel_decides_windows_and_several_years_as_the_plain_statement_of_the_rules(windowed_rules, cohort):
    people, records = cohort
    assert_agrees(evaluate_columns(windowed_rules, *columns(windowed_rules, people, records)))


@SETTINGS
@given(cohorts_over_years())
def test_over_several_years_people_one_at_a_time_give_what_all_together_give(windowed_rules, cohort):
    people, records = cohort
    together = {p.person_id: p.to_dict("en") for p in cerules.evaluate(windowed_rules, people, records)}
    for one in people:
        own = [r for r in records if r["person_id"] == one["person_id"]]
        assert cerules.evaluate_person(windowed_rules, one, own).to_dict("en") == together[one["person_id"]]
