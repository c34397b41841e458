"""Requirements over several subjects (`<requirement>.count_subjects`), ids that name no subject,
and a third subject (an `elective` category) from the rules to the outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.cli.main import main
from cerules.evaluation.batch import ChunkedRun
from cerules.kernel.run import evaluate_columns
from cerules.render.json import write_json_stream
from cerules.rules import parse_layer
from tests.conftest import person, record
from tests.test_kernel import assert_agrees, columns

GUANGDONG_LIKE = """\
[layer]
id = "three-categories"

[catalog.subjects.elective]
name = { zh = "选修课", en = "Elective subjects" }
aliases = ["选修课", "选修"]
citation = "GD §2"

[elective]
required_hours = { value = 18, citation = "GD §2" }

[total]
label = { zh = "三类合计", en = "All three categories" }
required_hours = { value = 90, citation = "GD §2" }
count_subjects = { value = ["public", "professional", "elective"], citation = "GD §2" }

[focus_anywhere]
label = { zh = "职业道德（任一科目）", en = "Ethics, in any subject" }
required_hours = { value = 4, citation = "GD §3" }
count_subjects = { value = ["public", "professional"], citation = "GD §3" }
count_topics = { value = ["ethics"], citation = "GD §3" }

[daily_cap]
max_hours = { value = 10, citation = "GD §4" }
subjects = { value = ["elective"], citation = "GD §4" }
"""


@pytest.fixture(scope="module")
def three() -> cerules.RuleSet:
    return cerules.load_rules(2023, rules=[parse_layer(GUANGDONG_LIKE, file="gd.toml", default_rank="draft")], plugins=False)


def totals(rules: cerules.RuleSet, records: list[dict[str, Any]]) -> dict[str, int]:
    result = cerules.evaluate_person(rules, person(), records)
    assert_agrees(evaluate_columns(rules, *columns(rules, [person()], records)))
    return {r.id: r.credited for r in result.requirements}


def test_a_requirement_over_several_subjects_counts_each_of_them_and_its_id_names_none(three):
    records = [
        record("public", 30, topic="ethics"),
        record("professional", 50),
        record("选修", 8, "2023-06-01T09:00"),
        record("elective", 4, "2023-06-01T10:00"),  # the day's elective cap of 10 leaves it 2
    ]
    assert totals(three, records) == {
        "public": 3000,
        "professional": 5000,
        "elective": 1000,
        "total": 9000,
        "focus_anywhere": 3000,
    }
    requirement = next(r for r in three.resolve(cerules.Profile()).requirements if r.id == "total")
    assert requirement.counted_subjects == ("public", "professional", "elective")


def test_a_requirement_over_several_subjects_still_counts_only_its_topics(three):
    records = [record("public", 2, topic="ethics"), record("professional", 3, topic="ethics"), record("professional", 5)]
    got = totals(three, records)
    assert (got["focus_anywhere"], got["total"]) == (500, 1000)


def test_a_third_subject_keeps_its_own_checks_and_caps(three):
    result = cerules.evaluate_person(three, person(), [record("elective", 12, "2023-06-01T09:00", record_id="long-day")])
    only = result.records[0]
    assert (only.status, only.credited, only.reason) == ("credited", 1000, "cap_exceeded")
    assert only.message.en.startswith("hours on 2023-06-01 exceed the daily cap of 10: 12 recorded, 10 credited")


def test_the_same_course_in_two_subjects_is_two_courses(three):
    got = totals(three, [record("elective", 3, course_id="K"), record("public", 3, course_id="K", topic="ethics")])
    assert (got["elective"], got["public"], got["total"]) == (300, 300, 600)


def test_a_third_subject_works_end_to_end_on_the_command_line(capsys, tmp_path: Path):
    draft = tmp_path / "gd.toml"
    draft.write_text(GUANGDONG_LIKE, encoding="utf-8")
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,370200,city\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text(
        "record_id,person_id,subject,hours,completed_at,topic\n"
        "a,p1,公需科目,30,2023-03-01,ethics\nb,p1,专业科目,60,2023-03-02,\nc,p1,选修课,9,2023-03-03,\nd,p1,选修,9,2023-03-04,\n",
        encoding="utf-8",
    )
    base = ["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--rules", str(draft), "--no-plugins"]
    assert main([*base, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    [entry] = document["people"]
    credited = {r["id"]: (r["credited"], r["met"], r["set_by"]) for r in entry["requirements"]}
    assert credited["elective"] == (18.0, True, "three-categories")
    assert credited["total"] == (108.0, True, "three-categories")
    assert entry["compliant"] is True
    assert main([*base, "--format", "csv"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert any(key.startswith("elective") for key in row) and any(key.startswith("total") for key in row)


# Three subjects against the plain statement of the rules, and batch against explain.

SUBJECTS = ["public", "professional", "elective", "选修"]


@st.composite
def three_subject_cohorts(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people = [person(f"p{i}") for i in range(draw(st.integers(1, 3)))]
    one = st.fixed_dictionaries(
        {
            "person_id": st.sampled_from([p["person_id"] for p in people]),
            "subject": st.sampled_from(SUBJECTS),
            "hours": st.sampled_from(["1", "2.5", "4", "6", "8"]),
            "completed_at": st.sampled_from(["2023-03-01T09:00", "2023-03-01T10:00", "2023-03-02T09:00", "2022-12-31T23:00"]),
            "course_id": st.sampled_from([None, "C1", "C2"]),
            "topic": st.sampled_from([None, "ethics"]),
            "source": st.sampled_from([None, None, "declared"]),
        }
    )
    return people, [{"record_id": f"r{i}", **r} for i, r in enumerate(draw(st.lists(one, max_size=20)))]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(three_subject_cohorts())
def test_the_kernel_decides_three_subjects_as_the_plain_statement_of_the_rules(three, cohort):
    ledger = evaluate_columns(three, *columns(three, *cohort))
    assert not ledger.compiled.plain.any()  # records of a third subject are counted record by record
    assert_agrees(ledger)


@SETTINGS
@given(three_subject_cohorts(), st.integers(min_value=1, max_value=6))
def test_batch_and_explain_agree_with_three_subjects(three, cohort, chunk_records):
    people, records = cohort
    buffer = io.BytesIO()
    write_json_stream(ChunkedRun(three, people, records, chunk_records=chunk_records), buffer, "en", workers=2)
    streamed = {p["person_id"]: p for p in json.loads(buffer.getvalue())["people"]}
    for one in people:
        own = [r for r in records if r["person_id"] == one["person_id"]]
        assert cerules.evaluate_person(three, one, own).to_dict("en") == streamed[one["person_id"]]
