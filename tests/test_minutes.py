"""Records that give their length in minutes: converted by the person's rules, exactly, before anything else counts them."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.hours import FINE
from cerules.cli.main import main
from cerules.inputs.bounds import MAX_RECORD_AMOUNT
from cerules.kernel.minutes import fine_hours
from cerules.rules import RuleSet, parse_layer
from tests.conftest import person

CITATION = "试行办法 §4（每学时 45 分钟）"


@cache
def per_hour(minutes: str) -> RuleSet:
    """The 2023 rules with a draft counting `minutes` minutes to an hour."""
    text = f"[layer]\nid = 'class-periods'\nrank = 'draft'\n[counting]\nminutes_per_hour = {{ value = {minutes}, citation = '{CITATION}' }}"
    draft = parse_layer(text, file="class-periods.toml")
    return cerules.load_rules(2023, rules=[draft], plugins=False)


def timed(minutes: Any, subject: str = "professional", day: str = "2023-06-01", **more: Any) -> dict[str, Any]:
    """A record that gives its length in minutes."""
    return {"record_id": more.pop("record_id", f"m{minutes}-{day}"), "person_id": "p1", "subject": subject, "minutes": minutes,
            "completed_at": day, **more}  # fmt: skip


def credited(rules: RuleSet, records: list[dict[str, Any]], requirement: str = "professional") -> int:
    return cerules.evaluate_person(rules, person(), records).requirement(requirement).credited


# --- Converting --------------------------------------------------------------------------------


def test_the_rules_say_how_many_minutes_make_an_hour_and_cite_it():
    policy = per_hour("45").resolve(cerules.Profile("370200", "city"))
    assert policy.minutes_per_hour == 4500
    assert policy.values["counting.minutes_per_hour"].provenance.citation == CITATION


def test_45_minutes_are_one_hour_and_30_minutes_two_thirds_of_one_at_45_minutes_an_hour():
    assert fine_hours(4500, 4500) == FINE
    assert fine_hours(3000, 4500) == 6667  # 0.66666… rounded half up to ten-thousandths


def test_three_half_hour_records_make_exactly_two_hours_at_45_minutes_an_hour():
    records = [timed(30, day=f"2023-06-0{d}") for d in (1, 2, 3)]
    assert credited(per_hour("45"), records) == 200  # 3 × 0.6667 = 2.0001, rounded once: 2.00


def test_ninety_minutes_are_an_hour_and_a_half_at_the_default_60(rules):
    result = cerules.evaluate_person(rules, person(), [timed(90)])
    assert result.requirement("professional").credited == 150
    assert (result.records[0].status, result.records[0].credited, result.records[0].hours) == ("credited", 150, 150)


def test_hours_and_minutes_records_of_one_person_add_up(rules):
    records = [timed(90), {**timed(0, record_id="h"), "minutes": None, "hours": "2.5"}]
    assert credited(rules, records) == 400


def test_minutes_are_converted_before_the_daily_cap_on_declarations(rules):
    """Ten hours declared as 600 minutes in one day meet the cap of 8 hours (SD-2023), as 10 hours would."""
    result = cerules.evaluate_person(rules, person(), [timed(600, source="declared", approved="true")])
    (outcome,) = result.records
    assert (outcome.reason, outcome.status, outcome.credited, outcome.hours) == ("cap_exceeded", "credited", 800, 1000)
    assert result.requirement("professional").credited == 800


def test_at_45_minutes_an_hour_a_day_of_360_declared_minutes_is_exactly_the_cap():
    (outcome,) = cerules.evaluate_person(per_hour("45"), person(), [timed(360, source="declared", approved="true")]).records
    assert (outcome.reason, outcome.credited) == (None, 800)


def test_minutes_are_converted_before_the_quality_course_multiplier():
    record = timed(45, subject="public", role="teacher", quality_course="true")
    (outcome,) = cerules.evaluate_person(per_hour("45"), person(), [record]).records
    assert (outcome.status, outcome.credited) == ("credited", 200)


def test_a_listed_course_keeps_its_fixed_hours_whatever_the_minutes():
    draft = parse_layer(
        "[layer]\nid = 'list'\nrank = 'draft'\n\n"
        "[catalog.courses.K1]\ntitle = '课程'\nsubject = 'professional'\nhours = 3\ncitation = 'K §1'\n",
        file="list.toml",
    )
    rules = per_hour("45").with_layer(draft)
    assert credited(rules, [timed(30, course_id="K1")]) == 300


def test_records_of_no_known_person_are_rejected_as_input_as_before(rules):
    evaluation = cerules.evaluate(rules, [person()], [timed(90), {**timed(90), "record_id": "stray", "person_id": "nobody"}])
    (stray,) = evaluation.rejected_input_entries("en")
    assert (stray["record_id"], stray["reason"]) == ("stray", "unknown_person")


# --- Refusing ----------------------------------------------------------------------------------


def test_a_record_giving_both_hours_and_minutes_is_invalid_naming_both_columns(rules):
    evaluation = cerules.evaluate(rules, [person()], [{**timed(90), "hours": "1.5"}])
    (outcome,) = evaluation.person("p1").records
    assert outcome.reason == "invalid_record"
    assert "hours" in outcome.message.en and "minutes" in outcome.message.en and "not both" in outcome.message.en
    assert "只能填写一项" in outcome.message.zh
    assert evaluation.data_quality().to_dict()["rejected_records"]["by_column"] == {"minutes": 1}


def test_a_record_giving_neither_is_invalid_as_a_record_without_hours_always_was(rules):
    (outcome,) = cerules.evaluate_person(rules, person(), [{**timed(90), "minutes": None}]).records
    assert outcome.reason == "invalid_record" and outcome.message.en.endswith("hours is empty")


@pytest.mark.parametrize(("minutes", "words"), [("0", "minutes > 0"), ("-5", "minutes > 0"), ("abc", "not a decimal number")])
def test_minutes_that_are_no_length_are_invalid(rules, minutes, words):
    (outcome,) = cerules.evaluate_person(rules, person(), [timed(minutes)]).records
    assert outcome.reason == "invalid_record" and outcome.message.en.startswith("invalid record: minutes") and words in outcome.message.en


def test_minutes_are_bounded_as_hours_are_as_written_and_as_converted():
    """The bound on one record (10 hours here) bounds its minutes as 600 clock minutes, and its converted hours."""
    rules = per_hour("45")
    evaluation = cerules.evaluate(rules, [person()], [timed(601, record_id="long"), timed(500, record_id="many")], max_record_amount=10)
    long, many = sorted(evaluation.person("p1").records, key=lambda r: r.record_id)
    assert long.reason == many.reason == "invalid_record"
    assert "bound of 600" in long.message.en
    assert "500 minutes at 45 minutes an hour are 11.11 hours, above the bound of 10 hours" in many.message.en
    assert "超过单条记录的上限 10 学时" in many.message.zh
    assert cerules.evaluate(rules, [person()], [timed(450)], max_record_amount=10).person("p1").records[0].credited == 1000


# --- Files -------------------------------------------------------------------------------------


@pytest.fixture
def persons_file(tmp_path: Path) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text("person_id,city,unit_level\np1,青岛,市属\n", encoding="utf-8")
    return path


def document(capsys, persons: Path, records: Path) -> tuple[int, dict[str, Any]]:
    code = main(["evaluate", "--year", "2023", "--no-plugins", "--persons", str(persons), "--records", str(records), "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else {}


def professional_credited(doc: dict[str, Any]) -> float:
    (person_entry,) = doc["people"]
    return next(r["credited"] for r in person_entry["requirements"] if r["id"] == "professional")


def test_a_csv_file_with_minutes_and_no_hours_column_is_read(capsys, tmp_path, persons_file):
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,minutes,completed_at\nr1,p1,专业科目,90,2023-05-01\nr2,p1,专业科目,45.5,2023-05-02\n")
    code, doc = document(capsys, persons_file, records)
    assert code == 0 and professional_credited(doc) == 2.26  # 1.5 + 0.75833…


def test_a_parquet_file_with_typed_minutes_and_no_hours_column_is_read(capsys, tmp_path, persons_file):
    records = tmp_path / "records.parquet"
    table = pa.table(
        {
            "record_id": ["r1", "r2", "r3"],
            "person_id": ["p1"] * 3,
            "subject": ["professional"] * 3,
            "minutes": pa.array([90.0, 30.25, None], pa.float64()),
            "completed_at": ["2023-05-01", "2023-05-02", "2023-05-03"],
        }
    )
    pq.write_table(table, records)
    code, doc = document(capsys, persons_file, records)
    assert code == 0 and professional_credited(doc) == 2.0  # 1.5 + 0.50416…
    missing = next(r for r in doc["people"][0]["records"] if r["record_id"] == "r3")
    assert missing["reason"] == "invalid_record" and missing["message"].endswith("hours 为空")


def test_a_file_with_neither_hours_nor_minutes_is_refused_naming_the_columns(capsys, tmp_path, persons_file):
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,completed_at\nr1,p1,professional,2023-05-01\n")
    assert main(["evaluate", "--year", "2023", "--no-plugins", "--persons", str(persons_file), "--records", str(records)]) == 2
    err = capsys.readouterr().err
    assert "records.csv" in err and "'hours'" in err and "'minutes'" in err


# --- The property ------------------------------------------------------------------------------

HUNDREDTHS = st.integers(1, 9_999_99)  # minutes per hour: 0.01 to 9999.99, two places at most


def expected_total(minutes: list[int], minutes_per_hour: int) -> int:
    """The documented rounding, in Decimal: each record to ten-thousandths of an hour half up, the total to hundredths half up."""
    k = Decimal(minutes_per_hour) / 100
    fine = sum(((Decimal(m) / 100) / k).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) for m in minutes)
    return int((fine * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(k=HUNDREDTHS, data=st.data())
def test_credited_hours_are_the_minutes_divided_exactly_rounded_as_documented(k, data):
    most = min(MAX_RECORD_AMOUNT * 60 * 100, MAX_RECORD_AMOUNT * k)  # within the bound as written and as converted
    minutes = data.draw(st.lists(st.integers(1, most), min_size=1, max_size=4))
    rules = per_hour(str(Decimal(k) / 100))
    records = [timed(str(Decimal(m) / 100), day=f"2023-07-{d + 1:02d}", record_id=f"r{d}") for d, m in enumerate(minutes)]
    result = cerules.evaluate_person(rules, person(), records)
    assert [r.reason for r in result.records] == [None] * len(records)
    assert result.requirement("professional").credited == expected_total(minutes, k)
