"""Impact of a draft on a cohort: the numbers are those of evaluating each rule set directly."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

import cerules
from cerules.evaluation.batch import evaluate_batch
from cerules.evaluation.cohort import as_table
from cerules.inputs.normalise import normalise_persons
from cerules.inputs.synth import generate
from cerules.rules.shipped import CITIES
from cerules.whatif.draft import Draft
from cerules.whatif.impact import DIMENSIONS, Baseline, Impact, ImpactTable, hours_shortfall, impact
from tests.conftest import person, record
from tests.plugin_helpers import department_layer, layer_plugin

FOCUS = ["xi-thought", "congress-20", "yellow-river", "ethics"]
QINGDAO_FOCUS = Draft.from_dict(
    {"public.focus": {"required_hours": 10, "count_topics": FOCUS, "label": {"zh": "重点内容", "en": "Focus topics"}}},
    scope={"city": ["青岛"], "unit_level": ["市属"]},
    citation="青岛 2024 草案",
)
PLATFORMS = Draft.from_dict({"public.platforms": ["sdou", "xkyx", "zjzd"], "quality_course.teacher_multiplier": 3})


@pytest.fixture(scope="module")
def cohort():
    return generate(3000, seed=11)


@pytest.fixture(scope="module")
def rules():
    return cerules.load_rules(2023, plugins=False)


@pytest.fixture(scope="module")
def baseline(rules, cohort):
    return Baseline(rules, cohort)


def direct(rules, cohort):
    return evaluate_batch(rules, cohort.persons, cohort.records)


@pytest.mark.parametrize("draft", [QINGDAO_FOCUS, PLATFORMS], ids=["focus", "platforms"])
def test_impact_numbers_are_those_of_evaluating_both_rule_sets_directly(rules, cohort, baseline, draft):
    draft_rules = draft.apply(rules)
    result = baseline.impact(draft_rules)
    before, after = direct(rules, cohort), direct(draft_rules, cohort)
    assert np.array_equal(result.before, before.compliant) and np.array_equal(result.after, after.compliant)
    for ours, theirs in ((result.baseline, before), (result.draft, after)):
        assert ours.requirement_ids == theirs.requirement_ids
        assert np.array_equal(ours.achieved, theirs.achieved) and np.array_equal(ours.required, theirs.required)
        assert np.array_equal(ours.reason, theirs.reason) and np.array_equal(ours.credited, theirs.credited)
    summary = result.summary()
    assert summary["people"] == len(before.person_id) == 3000
    assert summary["compliant_before"] == before.summary()["compliant"]
    assert summary["compliant_after"] == after.summary()["compliant"]
    assert summary["rate_after"] == pytest.approx(after.summary()["compliant"] / 3000)
    ids = before.person_id
    assert list(result.pass_to_fail) == [p for p, b, a in zip(ids, before.compliant, after.compliant, strict=True) if b and not a]
    assert list(result.fail_to_pass) == [p for p, b, a in zip(ids, before.compliant, after.compliant, strict=True) if a and not b]
    assert summary["pass_to_fail"] == len(result.pass_to_fail) and summary["fail_to_pass"] == len(result.fail_to_pass)
    changed = (before.reason != after.reason) | (before.credited != after.credited)
    assert result.changed_record_ids == [before.record_id[i].as_py() for i in np.flatnonzero(changed)]
    assert summary["records_changed"] == int(changed.sum())


def test_the_one_call_form_takes_a_draft_or_rules_and_a_cohort_in_any_form(rules, cohort, baseline):
    draft_rules = QINGDAO_FOCUS.apply(rules)
    expected = baseline.impact(draft_rules).summary()
    assert impact(rules, QINGDAO_FOCUS, cohort).summary() == expected
    assert impact(rules, draft_rules, (cohort.persons, cohort.records)).summary() == expected
    assert impact(rules, draft_rules, baseline).summary() == expected
    assert Baseline(rules, cohort, cache_records=False).impact(draft_rules).summary() == expected


def test_the_focus_draft_fails_only_qingdao_city_staff(rules, cohort, baseline):
    result = baseline.impact(QINGDAO_FOCUS)
    assert len(result.pass_to_fail) > 0 and len(result.fail_to_pass) == 0
    flips = result.flips
    assert set(flips.column("city")) == {"370200"} and set(flips.column("unit_level")) == {"city"}
    assert set(flips.column("direction")) == {"pass→fail"}
    assert flips.column("person_id") == list(result.pass_to_fail)
    assert all(
        after > 0 and before == 0 for before, after in zip(flips.column("shortfall_before"), flips.column("shortfall_after"), strict=True)
    )
    assert result.summary()["records_changed"] == 0  # a further requirement changes no record's disposition


def test_breakdowns_add_up_and_match_the_persons(rules, cohort, baseline):
    result = baseline.impact(PLATFORMS)
    people, _ = normalise_persons(as_table(cohort.persons, "<persons>"))
    for dimension in DIMENSIONS:
        table = result.by(dimension)
        assert isinstance(table, ImpactTable)
        assert sum(table.column("people")) == 3000
        assert sum(table.column("compliant_before")) == result.summary()["compliant_before"]
        assert sum(table.column("compliant_after")) == result.summary()["compliant_after"]
        assert sum(table.column("pass_to_fail")) == result.summary()["pass_to_fail"]
    by_city = result.by("city")
    assert by_city.column("city") == sorted(set(people.attributes["city"]))
    assert all(code in CITIES for code in by_city.column("city"))
    qingdao = next(row for row in by_city.rows() if row["city"] == "370200")
    mine = people.attributes["city"] == "370200"
    assert qingdao["name"] == "青岛市" and qingdao["name_en"] == "Qingdao"
    assert qingdao["people"] == int(mine.sum())
    assert qingdao["compliant_after"] == int(result.after[mine].sum())
    assert qingdao["rate_after"] == pytest.approx(result.after[mine].mean(), abs=1e-6)
    assert qingdao["change"] == pytest.approx(result.after[mine].mean() - result.before[mine].mean(), abs=1e-6)
    assert result.by("unit_level").column("unit_level") == ["city", "province"]
    assert result.by("department").column("department") == ["—"]
    assert "—" not in result.by("title_series").column("title_series")
    with pytest.raises(ValueError, match="unknown dimension"):
        result.by("shoe_size")


def test_department_breakdown_names_the_department_layers_that_apply():
    health = department_layer("health-dept", "卫生", "[professional]\nrequired_hours = { value = 70, citation = 'H §1' }\n")
    rules = cerules.load_rules(2023, plugins=[layer_plugin("cerules-health-dept", health)])
    persons = [person("d1", title_series="卫生"), person("d2", title_series="卫生"), person("e1", title_series="工程"), person("x1")]
    records = [record("public", 30, person_id=pid, record_id=f"{pid}-p") for pid in ("d1", "d2", "e1", "x1")] + [
        record("professional", 65, person_id=pid, record_id=f"{pid}-q") for pid in ("d1", "d2", "e1", "x1")
    ]
    # a draft outranks the department layer: 62 hours for everyone lets the health staff's 65 hours pass
    result = impact(rules, Draft.from_dict({"professional.required_hours": 62}), (persons, records))
    table = result.by("department")
    assert table.rows() == [
        {"department": "health-dept", "name": "health-dept", "people": 2, "compliant_before": 0, "compliant_after": 2,
         "rate_before": 0.0, "rate_after": 1.0, "change": 1.0, "pass_to_fail": 0, "fail_to_pass": 2},
        {"department": "—", "name": "—", "people": 2, "compliant_before": 2, "compliant_after": 2,
         "rate_before": 1.0, "rate_after": 1.0, "change": 0.0, "pass_to_fail": 0, "fail_to_pass": 0},
    ]  # fmt: skip
    assert result.by("title_series").column("title_series") == ["卫生", "工程", "—"]


def test_shortfall_is_in_hours_per_subject_and_its_distribution_counts_everyone():
    rules = cerules.load_rules(2023, plugins=False)
    persons = [person("a"), person("b"), person("c")]
    records = [
        record("public", 24, person_id="a", topic="digital"),  # public 6 short
        record("professional", 50, person_id="a"),  # professional 10 short
        record("public", 30, person_id="b", topic="xi-thought"),
        record("professional", 60, person_id="b"),
        record("public", 25, person_id="c", topic="digital"),
        record("public", 3, person_id="c", topic="ethics"),
        record("professional", 60, person_id="c"),
    ]
    draft = Draft.from_dict({"public.focus": {"required_hours": 10, "count_topics": FOCUS}})
    result = impact(rules, draft, (persons, records))
    assert result.shortfall_before.tolist() == [16.0, 0.0, 2.0]
    # a: public 6 and focus 10 short → the larger, 10, plus professional 10; c: focus 7 short (public 2)
    assert result.shortfall_after.tolist() == [20.0, 0.0, 7.0]
    assert hours_shortfall(result.draft, result._cohort.people.profiles).tolist() == [2000, 0, 700]
    table = result.shortfall
    assert table.column("shortfall_hours") == ["0", "0–5", "5–10", "10–20", "20–30", "30–60", "> 60"]
    assert table.column("people_before") == [1, 1, 0, 1, 0, 0, 0]
    assert table.column("people_after") == [1, 0, 1, 1, 0, 0, 0]
    assert list(result.pass_to_fail) == [] and list(result.after) == [False, True, False]


def test_changed_records_say_how_each_disposition_changes(rules, baseline):
    result = baseline.impact(PLATFORMS)
    table = result.changed_records
    rows = table.rows()
    assert len(rows) == result.summary()["records_changed"] > 0
    reasons = {(row["reason_before"], row["reason_after"]) for row in rows}
    assert (None, "platform_not_accepted") in reasons
    for row in rows:
        assert (row["status_before"], row["reason_before"], row["credited_before"]) != (
            row["status_after"],
            row["reason_after"],
            row["credited_after"],
        )
    doubled = [row for row in rows if row["reason_before"] is None and row["reason_after"] is None]
    assert doubled and all(row["credited_after"] == pytest.approx(row["credited_before"] * 1.5) for row in doubled)


def test_a_draft_adding_catalogue_entries_is_normalised_again_and_still_exact(rules, cohort, baseline):
    draft = Draft.from_dict(
        {
            "catalog.platforms.qdjxjy": {"name": {"zh": "青岛平台", "en": "Qingdao platform"}, "citation": "x"},
            "catalog.topics.股票投资技巧": {"name": {"zh": "股票投资技巧", "en": "stock tips"}, "citation": "x"},
            "public.topics": ["*"],
        }
    )
    draft_rules = draft.apply(rules)
    result = baseline.impact(draft_rules)
    after = direct(draft_rules, cohort)
    assert np.array_equal(result.draft.reason, after.reason) and np.array_equal(result.after, after.compliant)
    assert len(result.fail_to_pass) >= 0 and "topic_not_accepted" in {row["reason_before"] for row in result.changed_records.rows()}


def test_the_baseline_is_kept_and_never_changed(rules, cohort, baseline):
    digest = rules.sha256
    first = baseline.impact(PLATFORMS)
    second = baseline.impact(QINGDAO_FOCUS)
    assert rules.sha256 == digest and baseline.rules is rules
    assert first.baseline is second.baseline is baseline.result
    assert first.draft.rules.sha256 != second.draft.rules.sha256


def test_results_render_deterministically_and_convert_to_pandas(rules, cohort, baseline):
    pytest.importorskip("pandas")
    one = baseline.impact(QINGDAO_FOCUS)
    two = impact(rules, QINGDAO_FOCUS, cohort)
    assert one._repr_html_() == two._repr_html_()
    html = one._repr_html_()
    assert "青岛市" in html and "pass→fail" in html and f"sha256 {rules.sha256[:12]}" in html
    assert repr(one).startswith("<Impact 3000 people:")
    frame = one.to_pandas()
    assert list(frame.columns) == [
        "person_id", "city", "unit_level", "department", "title_series",
        "compliant_before", "compliant_after", "shortfall_before", "shortfall_after", "flip",
    ]  # fmt: skip
    assert len(frame) == 3000 and int((frame["flip"] == "pass→fail").sum()) == len(one.pass_to_fail)
    by_city = one.by("city").to_pandas()
    assert by_city["people"].sum() == 3000
    assert one.by("city").to_arrow().num_rows == len(by_city)
    assert "青岛市" in one.by("city").text() and "… " not in one.by("city").text()


def test_the_chart_is_compliance_by_city_before_and_after_as_stable_svg(baseline):
    pytest.importorskip("matplotlib")
    result = baseline.impact(QINGDAO_FOCUS)
    chart = result.chart()
    svg = chart._repr_svg_()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "Qingdao" in svg and "Compliance by city" in svg and "baseline" in svg and "draft" in svg
    assert svg == result.chart().to_svg()  # the same bytes every time (no dates, fixed ids)
    assert "青岛市" in result.chart(lang="zh").to_svg()  # text stays text: the browser draws it
    assert chart.to_png().startswith(b"\x89PNG")


def test_records_of_unknown_people_and_rejected_persons_are_kept_apart():
    rules = cerules.load_rules(2023, plugins=False)
    persons = [person("a"), person("a"), {"person_id": "b", "city": "Gotham"}]
    records = [record("public", 30, person_id="a"), record("public", 30, person_id="nobody")]
    result = impact(rules, Draft.from_dict({"public.required_hours": 31}), (persons, records))
    assert result.people == 1 and list(result.pass_to_fail) == []
    assert len(result.baseline.rejected_persons) == 2
    assert result.changed_records.rows() == []


def test_impact_of_an_empty_draft_is_no_change(rules, baseline):
    result = baseline.impact(Draft.from_dict({}))
    summary = result.summary()
    assert summary["compliant_before"] == summary["compliant_after"]
    assert (summary["pass_to_fail"], summary["fail_to_pass"], summary["records_changed"]) == (0, 0, 0)
    assert isinstance(result, Impact) and pc.sum(result.baseline.record_id.is_valid()).as_py() == summary["records"]
