"""Each rule of the 2023 notice, as the engine applies it to one person's year."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.rules.shipped import CITIES, city_code
from tests.conftest import person, record


def outcome(result, record_id):
    return next(r for r in result.records if r.record_id == record_id)


def test_a_person_with_30_public_and_60_professional_hours_is_compliant(rules):
    records = [record("public", 10, course_id=f"p{i}") for i in range(3)]
    records += [record("professional", 20, course_id=f"q{i}") for i in range(3)]
    result = cerules.evaluate_person(rules, person(), records)
    assert result.compliant
    assert [(r.id, r.credited, r.met) for r in result.requirements] == [("public", 3000, True), ("professional", 6000, True)]


def test_surplus_public_hours_do_not_make_up_for_professional_ones(rules):
    records = [record("public", 45, course_id="a"), record("professional", 45, course_id="b")]
    result = cerules.evaluate_person(rules, person(), records)
    assert not result.compliant
    assert result.requirement("professional").shortfall == 1500


def test_every_requirement_names_the_layer_and_citation_that_set_it(rules):
    result = cerules.evaluate_person(rules, person(), [])
    assert [(r.set_by, r.provenance.citation) for r in result.requirements] == [
        ("province", "SD-2023 §2(1)"),
        ("province", "SD-2023 §3(1)"),
    ]


def test_provincial_unit_staff_online_public_hours_count_only_on_the_three_platforms(rules):
    records = [
        record(hours=4, platform="sdou", record_id="open-university"),
        record(hours=4, platform="蟹壳云学", record_id="by-chinese-name"),
        record(hours=4, platform="qdjxjy", record_id="city-platform"),
        record(hours=4, platform="qdjxjy", mode="offline", record_id="offline-on-city-site"),
        record(hours=4, record_id="offline-training"),
        record(hours=4, mode="online", record_id="online-without-platform"),
    ]
    result = cerules.evaluate_person(rules, person(unit_level="province"), records)
    reasons = {r.record_id: r.reason for r in result.records}
    assert reasons == {
        "open-university": None,
        "by-chinese-name": None,
        "city-platform": "platform_not_accepted",
        "offline-on-city-site": None,
        "offline-training": None,
        "online-without-platform": "platform_not_accepted",
    }
    assert "SD-2023 §2(2)" in outcome(result, "city-platform").message.zh


@pytest.mark.parametrize("level", ["city", "市属", ""])
def test_city_staff_follow_their_city_so_any_platform_counts_under_the_provincial_rules(rules, level):
    result = cerules.evaluate_person(rules, person(unit_level=level), [record(hours=4, platform="qdjxjy")])
    assert result.records[0].status == "credited"


def test_professional_online_hours_are_not_restricted_to_the_public_platforms(rules):
    result = cerules.evaluate_person(rules, person(unit_level="省直"), [record("professional", 4, platform="qdjxjy")])
    assert result.records[0].status == "credited"


def test_public_topics_outside_the_notice_are_rejected_and_codes_or_names_are_accepted(rules):
    records = [
        record(hours=1, topic="ethics", record_id="code"),
        record(hours=1, topic="党的二十大精神", record_id="name"),
        record(hours=1, topic="股票投资技巧", record_id="other"),
        record(hours=1, record_id="none"),
        record("professional", 1, topic="股票投资技巧", record_id="professional"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert {r.record_id: r.reason for r in result.records} == {
        "code": None,
        "name": None,
        "other": "topic_not_accepted",
        "none": None,
        "professional": None,
    }


def test_the_same_course_counts_once_a_year_keeping_the_earliest(rules):
    records = [
        record(hours=3, course_id="SDOU-1", completed_at="2023-09-01", record_id="second"),
        record(hours=3, course_id="SDOU-1", completed_at="2023-03-01", record_id="first"),
        record(hours=3, course_id="SDOU-2", completed_at="2023-03-01", record_id="other-course"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert outcome(result, "first").status == "credited"
    assert outcome(result, "second").reason == "duplicate_course"
    assert "first" in outcome(result, "second").message.en
    assert result.requirement("public").credited == 600


def test_a_rejected_attempt_does_not_use_up_the_course(rules):
    records = [
        record(hours=3, course_id="C", platform="qdjxjy", completed_at="2023-03-01", record_id="wrong-platform"),
        record(hours=3, course_id="C", platform="sdou", completed_at="2023-04-01", record_id="right-platform"),
    ]
    result = cerules.evaluate_person(rules, person(unit_level="province"), records)
    assert outcome(result, "right-platform").status == "credited"


def test_different_people_may_take_the_same_course(rules):
    evaluation = cerules.evaluate(
        rules,
        [person("a"), person("b")],
        [record(hours=3, course_id="C", person_id="a"), record(hours=3, course_id="C", person_id="b")],
    )
    assert [p.requirement("public").credited for p in evaluation] == [300, 300]


def test_a_quality_course_teacher_is_credited_twice_the_hours(rules):
    records = [
        record(hours=6, role="teacher", quality_course="true", record_id="teaches-quality"),
        record(hours=6, role="teacher", record_id="teaches-other"),
        record(hours=6, quality_course="true", record_id="learns-quality"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert {r.record_id: r.credited for r in result.records} == {"teaches-quality": 1200, "teaches-other": 600, "learns-quality": 600}
    assert "SD-2023 §2(3)" in outcome(result, "teaches-quality").message.zh


def test_declared_hours_count_only_when_approved(rules):
    records = [
        record(hours=2, source="declared", record_id="approved"),
        record(hours=2, source="declared", approved="false", record_id="reversed"),
        record(hours=2, approved="false", record_id="provider-reported"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert {r.record_id: r.reason for r in result.records} == {"approved": None, "reversed": "not_approved", "provider-reported": None}


def test_declared_hours_are_capped_at_eight_a_day_in_completion_order(rules):
    day = "2023-05-21"
    records = [
        record("professional", 5, completed_at=f"{day}T09:00", source="declared", record_id="morning"),
        record("professional", 5, completed_at=f"{day}T19:30", source="declared", record_id="evening"),
        record("professional", 2, completed_at=f"{day}T21:00", source="declared", record_id="night"),
        record("professional", 5, completed_at="2023-05-22T09:00", source="declared", record_id="next-day"),
        record("professional", 6, completed_at=f"{day}T22:00", record_id="platform-course"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    got = {r.record_id: (r.status, r.credited, r.reason) for r in result.records}
    assert got == {
        "morning": ("credited", 500, None),
        "evening": ("credited", 300, "cap_exceeded"),
        "night": ("rejected", 0, "cap_exceeded"),
        "next-day": ("credited", 500, None),
        "platform-course": ("credited", 600, None),
    }
    assert "未核实" in outcome(result, "evening").message.zh


def test_the_cap_day_is_the_shanghai_calendar_day(rules):
    records = [
        record(hours=8, completed_at="2023-05-20T23:30:00+08:00", source="declared", record_id="a"),
        record(hours=8, completed_at="2023-05-20T16:30:00Z", source="declared", record_id="b"),  # 21 May in Shanghai
    ]
    result = cerules.evaluate_person(rules, person(), records)
    assert [r.credited for r in result.records] == [800, 800]


def test_records_outside_the_year_are_rejected_with_the_local_date(rules):
    result = cerules.evaluate_person(rules, person(), [record(completed_at="2024-01-01T00:30:00+08:00")])
    assert result.records[0].reason == "out_of_year"
    assert "2024-01-01" in result.records[0].message.en


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("hours", "abc", "not a decimal number"),
        ("hours", "0", "hours > 0"),
        ("hours", "-2", "hours > 0"),
        ("subject", "选修", "subject"),
        ("completed_at", "2023-13-45", "ISO 8601"),
        ("role", "student", "learner or teacher"),
        ("quality_course", "maybe", "true or false"),
        ("mode", "hybrid", "offline or online"),
        ("source", "rumour", "declared or provider"),
        ("credits", "-1", ">= 0"),
    ],
)
def test_an_invalid_value_rejects_the_record_naming_the_field(rules, field, value, words):
    result = cerules.evaluate_person(rules, person(), [record(**{field: value}, record_id="bad")])
    bad = result.records[0]
    assert (bad.status, bad.reason, bad.credited) == ("rejected", "invalid_record", 0)
    assert field in bad.message.en and words in bad.message.en
    assert field in bad.message.zh


def test_chinese_subject_words_are_accepted(rules):
    result = cerules.evaluate_person(rules, person(), [record("公需科目", 30), record("专业科目", 60)])
    assert result.compliant


def test_explanations_exist_in_chinese_and_english(rules):
    result = cerules.evaluate_person(rules, person(), [record(hours=10)])
    assert "未达标" in result.explain("zh") and "差 20 学时" in result.explain("zh")
    assert "does not meet" in result.explain("en") and "20 hours short" in result.explain("en")


def test_the_html_view_is_deterministic_and_shows_requirements_and_ledger(rules):
    records = [record(hours=10, record_id="r-html")]
    first = cerules.evaluate_person(rules, person(), records)._repr_html_()
    second = cerules.evaluate_person(rules, person(), records)._repr_html_()
    assert first == second
    assert "SD-2023 §2(1)" in first and "r-html" in first and "未达标" in first


def test_evaluate_person_refuses_records_of_someone_else(rules):
    with pytest.raises(ValueError, match="another person"):
        cerules.evaluate_person(rules, person("p1"), [record(person_id="p2")])


def test_evaluate_person_refuses_an_unusable_person(rules):
    with pytest.raises(ValueError, match="city"):
        cerules.evaluate_person(rules, person(city="上海"), [])


def test_a_credited_record_says_what_it_counts_towards(rules):
    result = cerules.evaluate_person(rules, person(), [record("professional", "2.5")])
    assert result.records[0].message.zh == "计入专业科目 2.5 学时"
    assert result.records[0].message.en == "2.5 hours count towards professional subjects"


def test_messages_for_people_are_in_chinese_when_chinese_is_asked(rules):
    result = cerules.evaluate_person(rules, person(), [record(hours="abc")])
    assert result.records[0].message.zh == "记录无效：hours：不是数字：'abc'"


def test_a_profile_can_be_written_in_the_words_people_use(rules):
    profile = rules.profile(city="青岛", unit_level="省直")
    assert profile == cerules.Profile(city="370200", unit_level="province")
    assert rules.resolve(profile).accepted("public", "platforms") == {"sdou", "xkyx", "zjzd"}


# Reading inputs as real exports write them.


@pytest.mark.parametrize(
    "written",
    ["370200", "青岛市", "青岛", "Qingdao", "山东省青岛市", "山东青岛", "山东省青岛", " 山东省 青岛市 ", "370202", "370211",
     "370200.0", "370202.00", " 370200 ", "３７０２００", "山东省370200"],
)  # fmt: skip
def test_a_city_is_read_as_exports_write_it_with_the_province_a_district_code_or_a_spreadsheet_number(rules, written):
    assert cerules.evaluate_person(rules, person(city=written), []).profile.city == "370200"


@pytest.mark.parametrize("written", ["北京", "上海市", "山东省上海市", "山东省", "山东", "110101", "370000", "379001", "370200.5", "37020"])
def test_what_is_not_a_shandong_city_is_still_refused(rules, written):
    with pytest.raises(ValueError, match="city"):
        cerules.evaluate_person(rules, person(city=written), [])


@given(st.integers(min_value=0, max_value=999_999))
def test_a_six_digit_code_names_the_city_of_its_first_four_digits_when_that_is_a_city(number):
    # GB/T 2260: province (2 digits), city (2), county-level unit (2). 莱芜 (3712) is part of 济南 since 2019.
    code = f"{number:06d}"
    if code[:4] + "00" in CITIES or code[:4] == "3712":
        city = "370100" if code[:4] == "3712" else code[:4] + "00"
        assert city_code(code) == city == city_code(f"{code}.0")
    else:
        with pytest.raises(ValueError):
            city_code(code)


def test_records_of_a_person_who_is_in_the_file_but_invalid_say_so_not_that_the_person_is_missing(rules):
    persons = [person("C5", city="上海"), person("ok")]
    records = [
        record(person_id="C5", record_id="theirs"),
        record(person_id="ghost", record_id="nobody's"),
        record(person_id="C5", hours="abc", record_id="broken"),
    ]
    document = cerules.evaluate(rules, persons, records).to_document("en")
    entries = {entry["record_id"]: entry for entry in document["rejected_input"]}
    assert {key: entry["reason"] for key, entry in entries.items()} == {
        "theirs": "invalid_person",
        "nobody's": "unknown_person",
        "broken": "invalid_record",  # a record that is itself invalid says so first
    }
    message = entries["theirs"]["message"]
    assert "'C5'" in message and "line 1" in message and "city" in message and "no person" not in message
    zh = cerules.evaluate(rules, persons, records).to_document("zh")["rejected_input"]
    assert "没有" not in next(e["message"] for e in zh if e["record_id"] == "theirs")


def test_a_repeated_person_id_keeps_its_first_row_so_its_records_are_that_persons(rules):
    evaluation = cerules.evaluate(rules, [person("p1"), person("p1", city="上海")], [record(person_id="p1", record_id="r")])
    assert [r.status for r in evaluation.person("p1").records] == ["credited"]
    assert evaluation.to_document()["rejected_input"] == []


def test_strict_names_a_record_of_an_invalid_person_as_a_bad_row(rules):
    from cerules.evaluation.cohort import first_bad_record

    evaluation = cerules.evaluate(rules, [person("C5", city="上海")], [record(person_id="C5")])
    problem = first_bad_record("records.csv", evaluation.ledger)
    assert problem is not None and problem.column == "person_id" and "C5" in str(problem)


MISSING = [None, float("nan"), np.nan, np.float32("nan"), np.datetime64("NaT")]


@pytest.mark.parametrize("missing", MISSING, ids=repr)
def test_missing_values_of_in_memory_rows_are_blank_cells(rules, missing):
    optional = ("platform", "mode", "topic", "course_id", "role", "quality_course", "source", "approved", "kind", "credits")
    rows = [
        record(hours=30, record_id="a", **dict.fromkeys(optional, missing)),
        record("professional", 60.0, record_id="b", credits=missing),
    ]
    result = cerules.evaluate_person(rules, person(title_series=missing, industry=missing), rows)
    assert result.compliant and [r.reason for r in result.records] == [None, None]


def test_a_dataframes_blank_cells_are_blank_whether_given_as_a_frame_or_as_its_records(rules):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(
        [
            record(hours=30, record_id="a", platform="sdou", credits=None, completed_at="2023-03-01"),
            record("professional", 60, record_id="b", platform=None, credits=2.5, completed_at=None),
            record("professional", 2, record_id="c", platform=None, credits=None, completed_at="2023-03-02"),
        ]
    )
    people = pandas.DataFrame([person(title_series=None), person("p2", unit_level=None)])
    assert math.isnan(frame.to_dict("records")[0]["credits"])  # what a DataFrame gives for a blank cell
    for persons, records in ((people.to_dict("records"), frame.to_dict("records")), (people, frame)):
        document = cerules.evaluate(rules, persons, records).to_document("en")
        reasons = {r["record_id"]: (r["reason"], r["message"]) for r in document["people"][0]["records"]}
        assert reasons["a"][0] is None and reasons["c"][0] is None
        assert reasons["b"][0] == "invalid_record" and "completed_at is empty" in reasons["b"][1]
        assert document["people"][1]["defaults"] == {"unit_level": "city"}


def test_pandas_missing_markers_are_blank_cells(rules):
    pandas = pytest.importorskip("pandas")
    rows = [record(hours=30, credits=pandas.NA, platform=pandas.NaT, topic=pandas.NA)]
    assert cerules.evaluate_person(rules, person(title_series=pandas.NA), rows).records[0].reason is None
