"""Excel workbooks read as the CSV export of the same sheet: Excel's own types become the contract's text,
a row's line is its row number in the sheet, and nothing is lost."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cerules
from cerules.cli.main import main
from cerules.inputs.reading import InputError, read_bytes, read_table
from cerules.inputs.xlsx_file import cell_text
from cerules.rules import RuleSet

from .excel_books import workbook_from_csv

ROOT = Path(__file__).resolve().parent.parent
PERSONS, RECORDS = ROOT / "examples" / "persons.csv", ROOT / "examples" / "records.csv"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("books")
    return workbook_from_csv(PERSONS, folder / "persons.xlsx"), workbook_from_csv(RECORDS, folder / "records.xlsx")


def test_the_example_cohort_as_workbooks_gets_the_verdicts_of_the_csv_files(rules: RuleSet, books: tuple[Path, Path]) -> None:
    from_books = cerules.evaluate_files(rules, *books).to_document()
    from_csv = cerules.evaluate_files(rules, PERSONS, RECORDS).to_document()
    assert from_books["people"] == from_csv["people"]
    assert from_books["rejected_input"] == from_csv["rejected_input"]  # sheet rows are the CSV's lines
    assert from_books["data_quality"] == from_csv["data_quality"]


def test_the_command_line_reads_workbooks(books: tuple[Path, Path], tmp_path: Path) -> None:
    out_books, out_csv = tmp_path / "books.json", tmp_path / "csv.json"
    common = ["evaluate", "--year", "2023", "--no-plugins", "--format", "json"]
    assert main([*common, "--persons", str(books[0]), "--records", str(books[1]), "--out", str(out_books)]) == 0
    assert main([*common, "--persons", str(PERSONS), "--records", str(RECORDS), "--out", str(out_csv)]) == 0
    assert json.loads(out_books.read_text(encoding="utf-8")) == json.loads(out_csv.read_text(encoding="utf-8"))


def test_excel_types_become_the_text_a_csv_cell_holds() -> None:
    assert cell_text(8.0) == "8"
    assert cell_text(1.5) == "1.5"
    assert cell_text(370200.0) == "370200"  # an id or a city code typed as a number
    assert cell_text(True) == "true" and cell_text(False) == "false"
    assert cell_text(datetime.date(2023, 5, 1)) == "2023-05-01"
    assert cell_text(datetime.datetime(2023, 5, 1, 9, 30)) == "2023-05-01T09:30:00"
    assert cell_text(datetime.datetime(2023, 5, 1, 9, 30, 0, 250000)) == "2023-05-01T09:30:00.250000"
    assert cell_text("  青岛市 ") == "青岛市"
    assert cell_text("") is None and cell_text("   ") is None and cell_text(None) is None
    assert cell_text(float("nan")) == "nan" and cell_text(1e20) == "1e+20"  # read later as unusable amounts, never as blank


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_as_the_same_number(value: float) -> None:
    assert float(cell_text(value) or "") == value


def test_rows_are_numbered_as_the_sheet_numbers_them(tmp_path: Path) -> None:
    book = workbook_from_csv(RECORDS, tmp_path / "r.xlsx", header_row=3)
    table = read_table(book)
    assert table.lines[0] == 4 and table.lines[-1] == 3 + 656
    assert table.cells("record_id")[:2] == ["R0001", "R0002"]


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_spreadsheets_used_range_is_not_data_and_a_value_beyond_the_header_is_reported(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "r.xlsx",
        [
            ["record_id", "person_id", "subject", "hours", "completed_at", None, None],
            ["r1", "p1", "public", 2, datetime.date(2023, 5, 1)],
            [],
            ["r2", "p1", "public", 3, datetime.date(2023, 5, 2), None, "stray note"],
            [None, None, None],
            [],
        ],
    )
    table = read_table(path, required=("record_id",))
    assert list(table.columns) == ["record_id", "person_id", "subject", "hours", "completed_at"]
    assert table.cells("record_id") == ["r1", "r2"] and list(table.lines) == [2, 4]
    assert [(problem.row, problem.message_en) for problem in table.problems] == [(1, "row has 1 value beyond the header's columns")]


def test_what_is_not_a_workbook_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="fake.xlsx: not a readable Excel workbook"):
        read_bytes("fake.xlsx", b"PK\x03\x04 not really a zip")
    empty = _sheet(tmp_path / "empty.xlsx", [])
    with pytest.raises(InputError, match="empty"):
        read_table(empty)
    without = _sheet(tmp_path / "r.xlsx", [["record_id", "hours"], ["r1", 2]])
    with pytest.raises(InputError) as caught:
        read_table(without, required=("record_id", "subject"))
    assert (caught.value.line, caught.value.column) == (1, "subject")


def test_a_workbook_is_read_from_bytes_as_from_its_file(books: tuple[Path, Path]) -> None:
    from_file, from_bytes = read_table(books[1]), read_bytes("records.xlsx", books[1].read_bytes())
    assert from_file.columns.keys() == from_bytes.columns.keys()
    assert all(from_file.cells(name) == from_bytes.cells(name) for name in from_file.columns)


@settings(max_examples=150)
@given(data=st.data())
def test_a_damaged_workbook_is_refused_with_an_input_error_or_read(books: tuple[Path, Path], data: st.DataObject) -> None:
    raw = bytearray(books[0].read_bytes())
    for position, byte in data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), min_size=1, max_size=12)):
        raw[position] = byte
    cut = data.draw(st.integers(1, len(raw)))
    try:
        table = read_bytes("damaged.xlsx", bytes(raw[:cut]))
    except InputError as refused:
        assert str(refused).startswith("damaged.xlsx")
    else:
        assert len(table.lines) == len(set(table.lines.tolist()))
