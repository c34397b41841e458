"""Files headed in Chinese, as HR systems and spreadsheets export them, read as files headed with the
contract's names: the same verdicts, in CSV (GBK or UTF-8) and in Excel."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.inputs.headers import HEADER_NAMES, contract_name
from cerules.inputs.reading import InputError, read_table
from cerules.rules import RuleSet

from .excel_books import workbook_from_csv

ROOT = Path(__file__).resolve().parent.parent
PERSONS, RECORDS = ROOT / "examples" / "persons.csv", ROOT / "examples" / "records.csv"
CHINESE = {name: aliases[0] for name, aliases in HEADER_NAMES.items()}


def headed_in_chinese(source: Path, target: Path, encoding: str) -> Path:
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [CHINESE.get(name, name) for name in rows[0]]
    with open(target, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


@pytest.fixture(scope="module")
def expected(rules: RuleSet) -> dict:
    return cerules.evaluate_files(rules, PERSONS, RECORDS).to_document()


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_csv_export_headed_in_chinese_gets_the_verdicts_of_the_contracts_names(
    rules: RuleSet, expected: dict, tmp_path: Path, encoding: str
) -> None:
    persons = headed_in_chinese(PERSONS, tmp_path / "人员.csv", encoding)
    records = headed_in_chinese(RECORDS, tmp_path / "学习记录.csv", encoding)
    assert "学时" in records.read_bytes().decode(encoding)
    document = cerules.evaluate_files(rules, persons, records).to_document()
    assert document["people"] == expected["people"] and document["rejected_input"] == expected["rejected_input"]


def test_a_workbook_headed_in_chinese_with_dates_as_dates_reads_as_the_csv(rules: RuleSet, expected: dict, tmp_path: Path) -> None:
    persons = workbook_from_csv(PERSONS, tmp_path / "人员.xlsx", header=CHINESE)
    records = workbook_from_csv(RECORDS, tmp_path / "学习记录.xlsx", header=CHINESE)
    document = cerules.evaluate_files(rules, persons, records).to_document()
    assert document["people"] == expected["people"] and document["data_quality"] == expected["data_quality"]


def test_spaces_and_a_byte_order_mark_around_a_name_are_not_part_of_it() -> None:
    assert contract_name("\ufeff人员编号") == "person_id"
    assert contract_name("\u3000学时 ") == "hours"
    assert contract_name(" hours\t") == "hours"


@given(st.text(max_size=12))
def test_a_name_the_table_does_not_know_is_kept_as_it_is(name: str) -> None:
    known = {alias for aliases in HEADER_NAMES.values() for alias in aliases}
    if name.strip(" \t\u3000\ufeff") not in known:
        assert contract_name(name) == name.strip(" \t\u3000\ufeff")


def test_the_same_column_under_both_names_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("record_id,学时,hours\nr1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="column name 'hours' appears more than once"):
        read_table(path)
