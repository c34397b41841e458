"""The data-quality report, and the inputs whose absence would silently change verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.cli.main import main
from cerules.evaluation.quality import DataQuality, RejectedLimit
from cerules.inputs.reading import InputError
from tests.conftest import person, record

RECORDS = "record_id,person_id,subject,hours,completed_at,platform,mode\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["evaluate", "--year", "2023", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def provincial_staff(tmp_path: Path) -> tuple[Path, Path]:
    """A provincial-unit person who learned 30 public hours on a city platform: 市属 passes, 省直 fails."""
    persons = write(tmp_path / "persons.csv", "person_id,city\nP1,青岛\n")
    records = write(
        tmp_path / "records.csv",
        RECORDS + "r1,P1,public,30,2023-05-01,qdjxjy,online\nr2,P1,professional,60,2023-05-02,,offline\n",
    )
    return persons, records


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, Path]:
    """Ten input rows: three persons (one invalid), seven records (four unusable)."""
    persons = write(tmp_path / "persons.csv", "person_id,city,unit_level\nP1,青岛,省直\nP2,济南,\nP3,上海,市属\n")
    records = write(
        tmp_path / "records.csv",
        RECORDS
        + "r1,P1,public,30,2023-05-01,sdou,online\n"
        + "r2,P1,professional,abc,2023-05-02,,offline\n"
        + "r3,P2,professional,2,2023-13-01,,offline\n"
        + "r4,P3,public,2,2023-05-01,,offline\n"
        + "r5,P9,public,2,2023-05-01,,offline\n"
        + "r6,P2,public,1,2023-01-01,,\n"
        + "r7,P2,professional,1,2023-01-02,,\n",
    )
    return persons, records


# A column whose absence changes verdicts.


def test_a_persons_file_without_unit_level_is_refused_naming_the_file_and_the_column(capsys, provincial_staff):
    persons, records = provincial_staff
    code, out, err = run(capsys, "--persons", str(persons), "--records", str(records), "--lang", "en")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{persons}, line 1, column 'unit_level'" in err and "--unit-level-default" in err
    with pytest.raises(InputError, match="unit_level") as caught:
        cerules.evaluate_files(cerules.load_rules(2023, plugins=False), persons, records)
    assert caught.value.column == "unit_level" and "unit_level_default=" in str(caught.value)


def test_the_user_says_which_unit_level_to_assume_and_the_verdict_follows_it(capsys, provincial_staff):
    persons, records = provincial_staff
    verdicts = {}
    for level in ("city", "province"):
        code, out, err = run(capsys, "--persons", str(persons), "--records", str(records), "--unit-level-default", level, "--lang", "en")
        assert code == 0
        entry = json.loads(out)["people"][0]
        verdicts[level] = entry["compliant"]
        assert entry["defaults"] == {"unit_level": level}
        assert f"1 people have no unit_level; evaluated as {level}" in err
    assert verdicts == {"city": True, "province": False}


def test_the_library_takes_the_unit_level_default_too(rules):
    rows = [record(hours=30, platform="qdjxjy", mode="online")]
    bare = {"person_id": "p1", "city": "青岛"}
    with pytest.raises(InputError, match="unit_level"):
        cerules.evaluate_person(rules, bare, rows)
    assert cerules.evaluate_person(rules, bare, rows, unit_level_default="city").records[0].reason is None
    assert cerules.evaluate_person(rules, bare, rows, unit_level_default="省直").records[0].reason == "platform_not_accepted"
    assert cerules.evaluate(rules, [bare], rows, unit_level_default="province").person("p1").profile.unit_level == "province"
    with pytest.raises(ValueError, match="unit level"):
        cerules.evaluate(rules, [bare], rows, unit_level_default="county")


def test_a_blank_unit_level_cell_keeps_the_city_default_and_says_the_verdict_rests_on_it(rules):
    evaluation = cerules.evaluate(rules, [person("a", unit_level=""), person("b", unit_level="省直")], [])
    people = {p["person_id"]: p for p in evaluation.to_document("en")["people"]}
    assert people["a"]["defaults"] == {"unit_level": "city"} and "defaults" not in people["b"]
    assert evaluation.person("a").profile.unit_level == "city"
    [assumed] = evaluation.data_quality().assumed
    assert (assumed.column, assumed.value, assumed.people, assumed.first_person_ids) == ("unit_level", "city", 1, ("a",))


def test_a_given_default_also_fills_blank_cells(rules):
    evaluation = cerules.evaluate(rules, [person("a", unit_level=None), person("b", unit_level="市属")], [], unit_level_default="province")
    assert [p.profile.unit_level for p in evaluation] == ["province", "city"]


# The report.


def test_the_report_counts_unusable_rows_by_reason_and_column_and_the_assumed_values(rules, messy):
    document = cerules.evaluate_files(rules, *messy).to_document("en")
    assert document["data_quality"] == {
        "input_rows": {"persons": 3, "records": 7},
        "rejected_rows": 5,
        "rejected_persons": {"rows": 1, "by_column": {"city": 1}},
        "rejected_records": {
            "rows": 4,
            "by_reason": {"invalid_record": 2, "unknown_person": 1, "invalid_person": 1},
            "by_column": {"completed_at": 1, "hours": 1},
        },
        "assumed": [{"column": "unit_level", "value": "city", "people": 1, "first_person_ids": ["P2"]}],
    }


def test_refusals_by_the_rules_are_verdicts_not_data_quality(rules):
    rows = [record(completed_at="2022-05-01"), record(platform="qdjxjy", mode="online")]
    quality = cerules.evaluate(rules, [person(unit_level="province")], rows).data_quality()
    assert quality.rejected_rows == 0 and quality.clean


def test_the_cli_reports_in_a_few_lines_on_stderr_in_the_chosen_language(capsys, messy):
    persons, records = messy
    code, out, err = run(capsys, "--persons", str(persons), "--records", str(records), "--lang", "en")
    assert code == 0 and json.loads(out)["data_quality"]["rejected_rows"] == 5
    assert err.splitlines() == [
        "data quality: 5 of 10 input rows could not be used (50.0%)",
        "  persons: 1 rows (city 1)",
        "  records: 4 rows (invalid_record 2: completed_at 1, hours 1; unknown_person 1; invalid_person 1)",
        "  1 people have no unit_level; evaluated as city (city unit): P2",
    ]
    for fmt in ("csv", "table"):
        code, _, zh = run(capsys, "--persons", str(persons), "--records", str(records), "--format", fmt)
        assert code == 0 and zh.splitlines()[0] == "数据质量：输入的 10 行中有 5 行无法使用（50.0%）"
        assert "1 人的 unit_level 未填写，按市属（city）评估：P2" in zh


def test_a_clean_run_says_nothing_on_stderr(capsys, tmp_path):
    persons = write(tmp_path / "persons.csv", "person_id,city,unit_level\nP1,青岛,市属\n")
    records = write(tmp_path / "records.csv", RECORDS + "r1,P1,public,30,2023-05-01,,\n")
    code, out, err = run(capsys, "--persons", str(persons), "--records", str(records))
    assert code == 0 and err == ""
    assert json.loads(out)["data_quality"]["rejected_rows"] == 0


# Failing a run above a threshold.


@pytest.mark.parametrize(("limit", "fails"), [("5", False), ("4", True), ("0.5", False), ("0.49", True), ("50%", False), ("49.9%", True)])
def test_max_rejected_fails_the_run_above_a_count_or_fraction_of_the_input_rows(capsys, messy, tmp_path, limit, fails):
    persons, records = messy
    for fmt in ("json", "csv", "table"):
        target = tmp_path / f"out-{fmt}"
        code, out, err = run(
            capsys,
            "--persons",
            str(persons),
            "--records",
            str(records),
            "--max-rejected",
            limit,
            "--format",
            fmt,
            "--out",
            str(target),
            "--lang",
            "en",
        )
        if fails:
            assert code == 2 and out == "" and err.count("\n") == 1 and not target.exists()
            assert f"5 of 10 input rows could not be used (50.0%), above --max-rejected {limit}" in err
            assert str(persons) in err and str(records) in err
        else:
            assert code == 0 and target.exists()


def test_max_rejected_fails_nothing_on_standard_output_either(capsys, messy):
    code, out, err = run(capsys, "--persons", str(messy[0]), "--records", str(messy[1]), "--max-rejected", "0")
    assert code == 2 and out == "" and "--max-rejected 0" in err


@pytest.mark.parametrize("limit", ["abc", "-1", "1.5", "101%", "nan", "inf", ""])
def test_a_max_rejected_that_is_neither_a_count_nor_a_fraction_is_a_usage_error(capsys, messy, limit):
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", "--year", "2023", "--persons", str(messy[0]), "--records", str(messy[1]), "--max-rejected", limit])
    assert caught.value.code == 2 and "--max-rejected" in capsys.readouterr().err


def test_strict_still_fails_on_any_unusable_row(capsys, messy):
    code, _, err = run(capsys, "--persons", str(messy[0]), "--records", str(messy[1]), "--strict", "--max-rejected", "100%", "--lang", "en")
    assert code == 2 and "line 4, column 'city'" in err


def _quality(rejected: int, total: int) -> DataQuality:
    return DataQuality(
        person_rows=1,
        record_rows=total - 1,
        rejected_persons={},
        rejected_records={"invalid_record": rejected},
        invalid_columns={},
        assumed=(),
    )


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000), st.integers(0, 10_000), st.integers(0, 100))
def test_a_limit_fails_exactly_when_the_rejected_rows_are_above_it(rejected, total, count, percent):
    quality = _quality(min(rejected, total), total)
    assert RejectedLimit.parse(str(count)).exceeded_by(quality) == (quality.rejected_rows > count)
    as_percent, as_fraction = RejectedLimit.parse(f"{percent}%"), RejectedLimit.parse(str(percent / 100))
    assert as_percent.exceeded_by(quality) == (quality.rejected_rows * 100 > percent * total)
    assert as_fraction.exceeded_by(quality) == as_percent.exceeded_by(quality)
