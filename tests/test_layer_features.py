"""What layers can say beyond hours: deadlines, course lists, exclusions, requirements in credits."""

from __future__ import annotations

import pytest

import cerules
from tests.conftest import person, record
from tests.plugin_helpers import city_layer, department_layer, layer_plugin

JINING = city_layer("jining", "370800", '[public]\ndeadline = { value = "2023-10-31", citation = "JN §3", verified = false }\n')


def rules_with(*texts: str) -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=[layer_plugin(f"cerules-p{i}", text) for i, text in enumerate(texts)], strict=True)


def test_a_deadline_counts_the_last_day_in_shanghai_time_and_rejects_what_comes_after():
    rules = rules_with(JINING)
    records = [
        record(hours=1, completed_at="2023-10-31T23:59:59+08:00", record_id="last-second"),
        record(hours=1, completed_at="2023-10-31T16:00:00Z", record_id="utc-still-october"),
        record(hours=1, completed_at="2023-11-01", record_id="november"),
        record("professional", 1, completed_at="2023-12-01", record_id="professional"),
    ]
    result = cerules.evaluate_person(rules, person(city="济宁"), records)
    assert {r.record_id: r.reason for r in result.records} == {
        "last-second": None,
        "utc-still-october": "past_deadline",
        "november": "past_deadline",
        "professional": None,
    }
    november = next(r for r in result.records if r.record_id == "november")
    assert "2023-10-31" in november.message.zh and "JN §3" in november.message.zh and "未核实" in november.message.zh


def test_a_deadline_binds_only_the_people_of_its_layer():
    rules = rules_with(JINING)
    late = [record(hours=1, completed_at="2023-11-01")]
    assert cerules.evaluate_person(rules, person(city="济宁", unit_level="省直"), late).records[0].reason is None
    assert cerules.evaluate_person(rules, person(city="青岛"), late).records[0].reason is None


LISTED = city_layer(
    "yantai",
    "370600",
    """[public]
listed_courses_only = { value = true, citation = "YT §4" }

[catalog.courses.YT-001]
title = { zh = "数字经济概论", en = "Digital economy" }
subject = "public"
topic = "digital"
hours = 3
citation = "YT annex"
""",
)


def test_a_listed_course_takes_its_subject_topic_and_hours_from_the_list():
    rules = rules_with(LISTED)
    records = [record("professional", 9, course_id="YT-001", topic="股票投资技巧", record_id="listed")]
    result = cerules.evaluate_person(rules, person(city="烟台"), records)
    listed = result.records[0]
    assert (listed.status, listed.subject, listed.credited) == ("credited", "public", 300)
    assert result.requirement("public").credited == 300 and result.requirement("professional").credited == 0


def test_a_layer_may_require_that_its_staff_courses_come_from_its_list():
    rules = rules_with(LISTED)
    records = [record(hours=2, course_id="OTHER-9", record_id="unlisted"), record(hours=2, record_id="no-course")]
    result = cerules.evaluate_person(rules, person(city="烟台"), records)
    assert [r.reason for r in result.records] == ["course_not_accepted", "course_not_accepted"]
    assert "YT §4" in result.records[0].message.en
    provincial = cerules.evaluate_person(rules, person(city="烟台", unit_level="省直"), records)
    assert [r.reason for r in provincial.records] == [None, None]


def test_a_scope_may_leave_people_out():
    jinan = city_layer(
        "jinan",
        "370100",
        '[public]\nplatforms = { value = ["jnjxjy"], citation = "JNN" }\n',
        extra_scope=', except = { title_series = ["中小学教师"] }',
    )
    rules = rules_with(jinan)
    records = [record(hours=2, platform="sdou")]
    assert cerules.evaluate_person(rules, person(city="济南"), records).records[0].reason == "platform_not_accepted"
    assert cerules.evaluate_person(rules, person(city="济南", title_series="中小学教师"), records).records[0].reason is None


CME = department_layer(
    "health",
    "卫生",
    """[professional.cme]
label = { zh = "继续医学教育学分", en = "CME credits" }
unit = "credits"
required = { value = 25, citation = "CME §1" }
sum_of = { value = ["professional.cme.class1", "professional.cme.class2"], citation = "CME §1" }

[professional.cme.class1]
unit = "credits"
required = { value = 5, citation = "CME §2" }
counts_at_most = { value = 10, citation = "CME §2" }
count_kinds = { value = ["cme-1"], citation = "CME §2" }

[professional.cme.class2]
unit = "credits"
required = { value = 15, citation = "CME §2" }
counts_at_most = { value = 20, citation = "CME §2" }
count_kinds = { value = ["cme-2"], citation = "CME §2" }
hours_per_credit = { value = 6, citation = "CME §3", verified = false }
""",
)


def cme(kind: str, credits: str | None, hours: float = 3, **more) -> dict:
    return record("professional", hours, kind=kind, credits=credits, **more)


def test_requirements_in_credits_sum_their_classes_each_counted_up_to_its_limit():
    rules = rules_with(CME)
    records = [cme("cme-1", "12"), cme("cme-2", "14")]
    result = cerules.evaluate_person(rules, person(title_series="卫生"), records)
    got = {r.id: (r.unit, r.credited, r.required, r.met) for r in result.requirements}
    assert got["professional.cme.class1"] == ("credits", 1000, 500, True)  # 12 given, at most 10 count
    assert got["professional.cme.class2"] == ("credits", 1400, 1500, False)  # class I does not stand in
    assert got["professional.cme"] == ("credits", 2400, 2500, False)
    assert result.requirement("professional").credited == 600  # the hours count as professional hours too
    document = result.requirement("professional.cme").to_dict()
    assert "credited_hours" not in document and document["unit"] == "credits" and document["required"] == 25


def test_hours_convert_to_credits_where_the_rules_state_the_conversion():
    rules = rules_with(CME)
    result = cerules.evaluate_person(rules, person(title_series="卫生"), [cme("cme-2", None, hours=9), cme("cme-1", None, hours=9)])
    assert result.requirement("professional.cme.class2").credited == 150  # 9 hours / 6 per credit
    assert result.requirement("professional.cme.class1").credited == 0  # no conversion stated for class I


def test_people_outside_the_department_have_no_credit_requirements():
    rules = rules_with(CME)
    result = cerules.evaluate_person(rules, person(title_series="工程"), [cme("cme-1", "12")])
    assert [r.id for r in result.requirements] == ["public", "professional"]


def test_a_sum_of_unknown_requirements_is_refused():
    body = '[professional.cme]\nunit = "credits"\nrequired = { value = 25, citation = "A" }\n'
    bad = department_layer("health", "卫生", body + 'sum_of = { value = ["professional.nope"], citation = "A" }\n')
    with pytest.raises(cerules.RulesError, match="professional.nope"):
        cerules.evaluate_person(rules_with(bad), person(title_series="卫生"), [])
