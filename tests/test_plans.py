"""Study plans (Annex 1): every validation rule passes a good plan and catches a bad one; the plan
becomes a department layer that the engine accepts and evaluates by."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.forms.framework import Finding, FormError
from cerules.forms.plan_checks import check_plan
from cerules.forms.plan_layer import plan_to_layer, provincial_floor
from cerules.forms.plans import StudyPlan, Vocabulary, load_plan, parse_plan, plan_from_dict, submission_deadline
from cerules.forms.validators import is_email, is_phone, url_problem
from cerules.rules import dumps_layer, parse_layer

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plans" / "health-2023.toml"
BASE: dict[str, Any] = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
DELETE = object()


def document(**changes: Any) -> dict[str, Any]:
    """The example plan's mapping with changes by dotted path (`hours__required=59`); DELETE removes."""
    doc = copy.deepcopy(BASE)
    doc["plan"].pop("submitted_at", None)  # deadline tests give their own
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        table = doc
        for key in parents:
            table = table.setdefault(key, {})
        if value is DELETE:
            table.pop(last, None)
        else:
            table[last] = value
    return doc


def plan(**changes: Any) -> StudyPlan:
    return plan_from_dict(document(**changes), file="plan.toml")


def findings(**changes: Any) -> list[Finding]:
    return check_plan(plan(**changes))


def rules_of(found: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.severity, f.rule, f.key) for f in found}


# --- the example and the finding format ----------------------------------------------------------


def test_the_example_plan_is_valid() -> None:
    example = load_plan(EXAMPLE)
    assert check_plan(example) == []
    assert example.year == 2023 and example.hours is not None and example.hours.required == 60


def test_a_finding_is_one_line_naming_file_key_and_citation() -> None:
    [finding] = findings(hours__required=50)
    assert finding.line("en") == (
        "plan.toml: error: key 'hours.required': 50 hours are below the provincial professional-subject floor of 60 hours (SD-2023 §3(1))"
    )
    assert finding.line("zh").startswith("plan.toml: error: key 'hours.required': 50 学时低于全省专业科目每年不少于 60 学时")
    assert finding.as_dict()["rule"] == "plan.hours.floor"


# --- part 0: the plan's own data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"plan__id": DELETE}, "plan.id"),
        ({"plan__id": "Health 2023"}, "plan.id"),
        ({"plan__year": DELETE}, "plan.year"),
        ({"plan__year": 1999}, "plan.year"),
        ({"plan__department": DELETE}, "plan.department"),
        ({"plan__title": DELETE}, "plan.title"),
    ],
)
def test_the_plan_needs_an_id_a_year_a_department_and_a_title(changes: dict[str, Any], key: str) -> None:
    assert ("error", "plan.meta", key) in rules_of(findings(**changes))


def test_a_published_address_must_be_a_web_address() -> None:
    assert ("error", "plan.url", "plan.published_url") in rules_of(findings(plan__published_url="wsjkw.shandong.gov.cn"))
    assert findings(plan__published_url="http://wsjkw.example.gov.cn/a?b=1") == []


# --- the five parts ------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["scope", "content", "hours", "form", "other"])
def test_each_of_the_five_parts_must_be_present(part: str) -> None:
    found = findings(**{part: DELETE})
    assert ("error", "plan.part-missing", part) in rules_of(found)
    assert any(f.citation and f.citation.startswith("SD-2023 Annex 1(") for f in found if f.key == part)


def test_the_scope_must_name_someone() -> None:
    empty = findings(scope__title_series=[], scope__industries=[], scope__specialties=[])
    assert ("error", "plan.scope.empty", "scope") in rules_of(empty)
    # a specialty alone is enough for a department layer
    assert findings(scope__title_series=[], scope__specialties=["护理"]) == []


def test_scope_entries_may_not_be_blank_and_should_not_repeat() -> None:
    assert ("error", "plan.scope.blank", "scope.fields[1]") in rules_of(findings(scope__fields=["临床医学", " "]))
    assert ("warning", "plan.scope.duplicate", "scope.fields[1]") in rules_of(findings(scope__fields=["护理", "护理"]))


def test_title_series_must_be_known_to_the_engine() -> None:
    found = findings(scope__title_series=["卫生", "卫生技术人员"])
    [error] = [f for f in found if f.rule == "plan.scope.title-series"]
    assert error.key == "scope.title_series[1]" and error.severity == "error"
    assert "'卫生'" in error.message_en and "卫生" in error.message_zh  # the alias points at the engine's word
    assert ("error", "plan.scope.title-series", "scope.title_series[0]") in rules_of(findings(scope__title_series=["播音主持"]))


def test_the_vocabulary_can_be_extended_by_argument_or_by_layers() -> None:
    odd = plan(scope__title_series=["播音主持"])
    assert check_plan(odd, known=Vocabulary.default().extended(title_series=["播音主持"])) == []
    layer = parse_layer(
        '[layer]\nid = "x"\nrank = "department"\nscope = { title_series = ["播音主持"], industry = ["广播电视"] }\n', file="x.toml"
    )
    known = Vocabulary.default().with_layers([layer])
    assert {"播音主持"} <= known.title_series and "广播电视" in known.industries
    assert check_plan(odd, known=known) == []


def test_the_shipped_vocabulary_holds_what_the_example_cohort_uses() -> None:
    import csv

    persons = Path(__file__).resolve().parent.parent / "examples" / "persons.csv"
    with persons.open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    known = Vocabulary.default()
    assert {row["title_series"] for row in rows if row["title_series"]} <= known.title_series
    assert {row["industry"] for row in rows if row["industry"]} <= known.industries


def test_an_unknown_industry_is_a_warning() -> None:
    found = findings(scope__industries=["医疗"])
    assert rules_of(found) == {("warning", "plan.scope.industry", "scope.industries[0]")}
    assert findings(scope__industries=["医疗卫生"]) == []


def test_the_content_needs_a_summary_and_no_blank_topics() -> None:
    assert ("error", "plan.content.summary", "content.summary") in rules_of(findings(content__summary=DELETE))
    assert ("error", "plan.content.summary", "content.summary") in rules_of(findings(content__summary="  "))
    assert ("error", "plan.content.topics", "content.topics[1]") in rules_of(findings(content__topics=["a", ""]))


@pytest.mark.parametrize("hours", [60, 60.5, 72, 90])
def test_hours_at_or_above_the_provincial_floor_pass(hours: float) -> None:
    assert findings(hours__required=hours) == []


@pytest.mark.parametrize(
    ("hours", "rule"),
    [
        (DELETE, "plan.hours.required"),
        (0, "plan.hours.required"),
        (-5, "plan.hours.required"),
        (60.125, "plan.hours.required"),
        (59.99, "plan.hours.floor"),
        (30, "plan.hours.floor"),
    ],
)
def test_hours_missing_malformed_or_below_the_floor_fail(hours: Any, rule: str) -> None:
    assert ("error", rule, "hours.required") in rules_of(findings(hours__required=hours))


def test_the_floor_comes_from_the_provincial_rules_of_the_year() -> None:
    assert provincial_floor(2023) == (60, "SD-2023 §3(1)")
    assert provincial_floor(1999) is None


def test_a_year_without_provincial_rules_is_a_warning_and_skips_the_floor() -> None:
    found = findings(plan__year=2031, hours__required=10)
    assert rules_of(found) == {("warning", "plan.hours.no-floor", "plan.year")}


def test_a_learning_deadline_must_fall_in_the_plans_year() -> None:
    assert findings(hours__deadline=dt.date(2023, 12, 31)) == []
    assert ("error", "plan.hours.deadline", "hours.deadline") in rules_of(findings(hours__deadline=dt.date(2024, 1, 31)))


def test_the_organisation_is_province_wide_or_level_by_level() -> None:
    assert findings(form__organisation="province-wide") == []
    assert findings(form__organisation="全省统一组织") == []
    assert findings(form__organisation="分级组织") == []
    assert ("error", "plan.form.organisation", "form.organisation") in rules_of(findings(form__organisation="nationwide"))
    assert ("error", "plan.form.organisation", "form.organisation") in rules_of(findings(form__organisation=DELETE))


def test_the_modes_are_remote_or_offline() -> None:
    assert findings(form__modes=["远程", "线下"]) == []
    assert findings(form__modes=["offline"], form__sites=[]) == []
    assert ("error", "plan.form.modes", "form.modes[1]") in rules_of(findings(form__modes=["online", "radio"]))
    assert ("error", "plan.form.modes", "form.modes") in rules_of(findings(form__modes=[]))


def test_remote_learning_without_a_site_is_a_warning() -> None:
    assert rules_of(findings(form__sites=[])) == {("warning", "plan.form.no-site", "form.sites")}


GOOD_URLS = ["https://cme.example.gov.cn/", "http://jxjy.example.com:8080/path?x=1", "https://192.168.1.10/cme", "https://继续教育.中国/"]
BAD_URLS = [
    "cme.example.gov.cn",
    "ftp://cme.example.gov.cn/",
    "https://",
    "https://cme/",
    "https://cme .example.cn/",
    "https://-bad.example.cn/",
    "https://cme.example.123/",
    "https://cme.example.cn:99999/",
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_well_formed_site_addresses_pass(url: str) -> None:
    assert url_problem(url) is None
    assert findings(form__sites=[{"name": "平台", "url": url, "kind": "recommended"}]) == []


@pytest.mark.parametrize("url", BAD_URLS)
def test_malformed_site_addresses_fail(url: str) -> None:
    assert url_problem(url) is not None
    found = findings(form__sites=[{"name": "平台", "url": url, "kind": "recommended"}])
    assert ("error", "plan.form.site-url", "form.sites[0].url") in rules_of(found)


def test_a_site_needs_a_name_an_address_and_a_kind() -> None:
    found = findings(form__sites=[{"kind": "自建"}, {"name": "b", "url": "https://b.example.cn", "kind": "partner"}])
    assert {
        ("error", "plan.form.site-name", "form.sites[0].name"),
        ("error", "plan.form.site-url", "form.sites[0].url"),
        ("error", "plan.form.site-kind", "form.sites[1].kind"),
    } <= rules_of(found)
    assert ("error", "plan.form.site-kind", "form.sites[0].kind") in rules_of(
        findings(form__sites=[{"name": "a", "url": "https://a.example.cn"}])
    )


def test_a_repeated_site_address_is_a_warning() -> None:
    site = {"name": "a", "url": "https://a.example.cn/", "kind": "recommended"}
    assert rules_of(findings(form__sites=[site, site])) == {("warning", "plan.form.site-url", "form.sites[1].url")}


def test_other_matters_need_text() -> None:
    assert ("error", "plan.other.text", "other.text") in rules_of(findings(other__text=""))
    assert findings(other__text="无") == []


# --- the submission deadline (end of April, Asia/Shanghai) ----------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "2023-04-30T23:59:59",
        "2023-04-30T23:59:59+08:00",
        "2023-04-30T15:59:59Z",
        "2023-04-30",
        "2023-01-05",
        "2022-12-20T10:00",
        dt.datetime(2023, 4, 30, 23, 59, 59, 999999),
        pendulum.datetime(2023, 4, 30, 23, 59, 59, tz="Asia/Shanghai"),
    ],
)
def test_a_plan_submitted_by_the_end_of_april_shanghai_time_passes(moment: Any) -> None:
    assert check_plan(plan(), submitted_at=moment) == []


@pytest.mark.parametrize(
    "moment",
    [
        "2023-05-01T00:00:00",
        "2023-05-01T00:00:00+08:00",
        "2023-04-30T16:00:00Z",
        "2023-05-01",
        "2023-10-01",
        dt.datetime(2023, 5, 1, 0, 0, 0),
        pendulum.datetime(2023, 4, 30, 12, 0, tz="America/New_York"),
    ],
)
def test_a_plan_submitted_from_1_may_shanghai_time_is_late(moment: Any) -> None:
    [late] = check_plan(plan(), submitted_at=moment)
    assert (late.severity, late.rule, late.key, late.citation) == ("error", "plan.deadline", "--submitted-at", "SD-2023 §4(1)")
    assert "end of April 2023" in late.message_en and "4 月底前" in late.message_zh


def test_the_deadline_is_the_first_instant_of_may_in_shanghai() -> None:
    assert submission_deadline(2023) == pendulum.datetime(2023, 4, 30, 16, 0, tz="UTC")


def test_the_plans_own_submission_time_is_checked_and_an_argument_overrides_it() -> None:
    late = plan(plan__submitted_at=dt.datetime(2023, 5, 2, 9, 0))
    assert rules_of(check_plan(late)) == {("error", "plan.deadline", "plan.submitted_at")}
    assert check_plan(late, submitted_at="2023-04-29") == []
    assert check_plan(plan(plan__submitted_at=dt.date(2023, 4, 30))) == []


def test_an_unreadable_submission_time_is_unusable() -> None:
    with pytest.raises(FormError, match="--submitted-at"):
        check_plan(plan(), submitted_at="30/4/2023")


# --- reading the file ---------------------------------------------------------------------------


def test_an_unknown_key_is_unusable_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FormError) as caught:
        plan_from_dict(document(hours__minimum=60), file="p.toml")
    assert caught.value.key == "hours.minimum"
    assert str(caught.value).startswith("p.toml: key 'hours.minimum': unknown key")
    with pytest.raises(FormError, match="key 'schedule'"):
        plan_from_dict(document(schedule={"a": 1}), file="p.toml")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"hours__required": "sixty"}, "hours.required"),
        ({"scope__title_series": [1]}, "scope.title_series"),
        ({"plan__year": "2023"}, "plan.year"),
        ({"form__sites": {"name": "x"}}, "form.sites"),
        ({"hours": 60}, "hours"),
        ({"plan__submitted_at": "soon"}, "plan.submitted_at"),
        ({"plan__department": {"en": "x"}}, "plan.department"),
    ],
)
def test_a_value_of_the_wrong_type_is_unusable_naming_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(FormError) as caught:
        plan_from_dict(document(**changes), file="p.toml")
    assert caught.value.key == key
    assert caught.value.message_zh != caught.value.message_en


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(FormError, match="file not found"):
        load_plan(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan\nid = 1", encoding="utf-8")
    with pytest.raises(FormError, match="not valid TOML"):
        load_plan(broken)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[plan]\nid = "卫生"\n'.encode("gbk"))
    with pytest.raises(FormError, match="not UTF-8"):
        load_plan(gbk)


def test_words_are_read_as_codes() -> None:
    read = parse_plan(tomli_w.dumps(document(form__organisation="分级", form__modes=["线上", "面授"])))
    assert read.form is not None
    assert read.form.organisation == "level-by-level" and read.form.modes == ("online", "offline")


# --- contacts (shared with the calls) -------------------------------------------------------------


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0531-86912345", "053186912345", "010-12345678", "0631-1234567"])
def test_well_formed_phone_numbers(phone: str) -> None:
    assert is_phone(phone)


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "531-86912345", "0531-123456", "+86 138", "电话"])
def test_malformed_phone_numbers(phone: str) -> None:
    assert not is_phone(phone)


def test_email_addresses() -> None:
    assert is_email("cme-project@example.com") and is_email("a.b+c@sub.example.gov.cn")
    assert not any(map(is_email, ["a@b", "a@@b.cn", "a b@c.cn", "@c.cn", "a@-c.cn"]))


# --- the plan as a layer ---------------------------------------------------------------------------


def test_a_plan_becomes_a_department_layer_the_engine_accepts() -> None:
    layer = plan_to_layer(load_plan(EXAMPLE))
    assert (layer.id, layer.rank, layer.years) == ("plan-health-2023", "department", frozenset({2023}))
    assert layer.scope.as_dict() == {"title_series": ["卫生"]}
    [value] = layer.parameters["professional.required_hours"]
    assert value.value == 60
    assert value.citation == "鲁卫示例〔2023〕1号 三、学时要求（SD-2023 §3(2)）"
    cerules.load_rules(2023, plugins=False).with_layer(layer)  # in its jurisdiction, above the floor


def test_the_engine_evaluates_by_the_plans_hours() -> None:
    layer = plan_to_layer(plan(hours__required=72))
    rules = cerules.load_rules(2023, plugins=False).with_layer(layer)
    records = [{"record_id": "r1", "person_id": "p1", "subject": "professional", "hours": 60, "completed_at": "2023-06-01"}]
    health = cerules.evaluate_person(rules, {"person_id": "p1", "city": "青岛", "unit_level": "市属", "title_series": "卫生"}, records)
    engineering = cerules.evaluate_person(rules, {"person_id": "p1", "city": "青岛", "unit_level": "市属", "title_series": "工程"}, records)
    assert not health.requirement("professional").met
    assert health.requirement("professional").set_by == "plan-health-2023"
    assert engineering.requirement("professional").met
    assert engineering.requirement("professional").set_by == "province"


def test_every_listed_dimension_narrows_the_layer() -> None:
    layer = plan_to_layer(plan(scope__industries=["医疗卫生"], scope__specialties=["护理", "内科"]))
    assert layer.scope.as_dict() == {"industry": ["医疗卫生"], "specialty": ["内科", "护理"], "title_series": ["卫生"]}


def test_a_learning_deadline_becomes_the_layers_deadline() -> None:
    layer = plan_to_layer(plan(hours__deadline=dt.date(2023, 12, 31)))
    assert layer.parameters["professional.deadline"][0].value == "2023-12-31"
    cerules.load_rules(2023, plugins=False).with_layer(layer)


def test_the_layer_round_trips_through_toml() -> None:
    layer = plan_to_layer(plan(hours__required=60.5))
    again = parse_layer(dumps_layer(layer), file=layer.file)
    assert dict(again.parameters) == dict(layer.parameters)
    assert again.scope == layer.scope and again.rank == "department"


def test_the_layer_fits_beside_the_health_plugin() -> None:
    health = pytest.importorskip("cerules_health")
    rules = cerules.load_rules(2023, plugins=[health])
    layer = plan_to_layer(load_plan(EXAMPLE))
    assert check_plan(load_plan(EXAMPLE), rules=rules) == []
    assert {item.id for item in rules.with_layer(layer).layers} >= {"health", "plan-health-2023"}


def test_a_layer_the_engine_refuses_is_an_error_naming_the_plan_key() -> None:
    other = parse_layer(
        '[layer]\nid = "other"\nrank = "department"\nscope = { title_series = ["卫生"] }\n'
        '[professional]\nrequired_hours = { value = 70, citation = "x" }\n',
        file="other.toml",
    )
    rules = cerules.load_rules(2023, plugins=False).with_layer(other)
    [conflict] = check_plan(plan(), rules=rules)
    assert (conflict.rule, conflict.key, conflict.citation) == ("plan.layer", "hours.required", "SD-2023 §3(2)")
    assert "conflict" in conflict.message_en and "other.toml" in conflict.message_en


def test_an_incomplete_plan_cannot_become_a_layer() -> None:
    with pytest.raises(FormError, match="key 'hours.required'"):
        plan_to_layer(plan(hours__required=DELETE))
    with pytest.raises(FormError, match="key 'scope'"):
        plan_to_layer(plan(scope__title_series=[]))


@given(st.decimals(min_value=60, max_value=500, places=2))
def test_any_hours_the_check_accepts_make_a_layer_the_engine_accepts(hours: Any) -> None:
    candidate = plan(hours__required=float(hours))
    assert check_plan(candidate) == []
    layer = plan_to_layer(candidate)
    cerules.load_rules(2023, plugins=False).with_layer(layer)
    assert Decimal(str(layer.parameters["professional.required_hours"][0].value)) == hours
