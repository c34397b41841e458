"""`cerules evaluate --format xlsx`: a workbook that opens in Excel with the numbers of the CSV, unmet cells
marked, frozen headers, filters and widths for Chinese text; the same bytes for the same inputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import cerules
from cerules.cli.main import main
from cerules.evaluation.batch import ChunkedRun
from cerules.render.text import display_width
from cerules.render.xlsx import to_xlsx, write_xlsx
from cerules.rules import RuleSet

from .excel_books import workbook_from_csv

ROOT = Path(__file__).resolve().parent.parent
PERSONS, RECORDS = ROOT / "examples" / "persons.csv", ROOT / "examples" / "records.csv"


def run_cli(tmp_path: Path, fmt: str, *more: str) -> Path:
    out = tmp_path / f"out.{fmt}"
    args = ["evaluate", "--year", "2023", "--no-plugins", "--persons", str(PERSONS), "--records", str(RECORDS), "--out", str(out)]
    assert main([*args, *more]) == 0
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("xlsx")
    book = openpyxl.load_workbook(run_cli(folder, "xlsx"))
    with open(run_cli(folder, "csv"), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    document = json.loads(run_cli(folder, "json").read_text(encoding="utf-8"))
    return {"book": book, "csv": rows, "json": document}


def sheet_rows(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_people_sheet_holds_the_numbers_of_the_csv(outputs: dict[str, Any], rules: RuleSet) -> None:
    people = sheet_rows(outputs["book"]["人员"])
    assert [row["人员编号"] for row in people] == [row["person_id"] for row in outputs["csv"]]
    requirement_names = {"public": "公需科目", "professional": "专业科目"}
    for row, expected in zip(people, outputs["csv"], strict=True):
        assert row["结果"] == ("达标" if expected["compliant"] == "true" else "未达标")
        for requirement, name in requirement_names.items():
            for part, column in (("应修", "required"), ("已认定", "credited"), ("差额", "shortfall")):
                assert row[f"{name}·{part}（学时）"] == pytest.approx(float(expected[f"{requirement}.{column}"]))


def test_unmet_cells_are_marked_and_the_unmet_requirements_are_named(outputs: dict[str, Any]) -> None:
    sheet = outputs["book"]["人员"]
    header = [cell.value for cell in sheet[1]]
    credited = header.index("公需科目·已认定（学时）")
    by_person = {person["person_id"]: person for person in outputs["json"]["people"]}
    for row in sheet.iter_rows(min_row=2):
        person = by_person[row[0].value]
        public = next(r for r in person["requirements"] if r["id"] == "public")
        marked = row[credited].fill.fgColor.rgb.endswith("F8CBAD")
        assert marked == (not public["met"])
        if not public["met"]:
            assert f"公需科目 差 {public['shortfall']:g} 学时" in row[header.index("未达标要求")].value


def test_every_record_appears_once_with_its_status_and_reason(outputs: dict[str, Any]) -> None:
    records = sheet_rows(outputs["book"]["记录"])
    document = outputs["json"]
    expected = {r["record_id"]: r for person in document["people"] for r in person["records"]}
    expected |= {r["record_id"]: r | {"status": "rejected"} for r in document["rejected_input"]}
    assert len(records) == document["summary"]["records"] == len(expected)
    for row in records:
        wanted = expected[row["记录编号"]]
        assert row["状态"] == ("已认定" if wanted["status"] == "credited" else "未认定")
        assert row["原因代码"] == wanted["reason"]


def test_the_summary_and_the_rules_sheets(outputs: dict[str, Any], rules: RuleSet) -> None:
    summary = list(outputs["book"]["汇总"].values)
    totals = outputs["json"]["summary"]
    assert summary[1][1:3] == (totals["people"], totals["compliant"])
    start = next(i for i, row in enumerate(summary) if row[0] == "按城市") + 1
    cities = summary[start : summary.index((None, None, None, None), start)]
    assert sum(row[1] for row in cities) == totals["people"]
    rules_sheet = list(outputs["book"]["规则"].values)
    assert ("sha256", rules.sha256) == rules_sheet[3][:2]
    assert any(row[6] == "SD-2023 §2(1)" for row in rules_sheet)


def test_headers_are_frozen_filtered_and_wide_enough_for_chinese(outputs: dict[str, Any]) -> None:
    for sheet in outputs["book"]:
        assert sheet.freeze_panes == "B2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    people = outputs["book"]["人员"]
    for cell in people[1][:6]:
        assert people.column_dimensions[cell.column_letter].width >= display_width(cell.value)


def test_the_same_inputs_give_the_same_bytes_and_chunks_the_same_cells(tmp_path: Path, rules: RuleSet) -> None:
    (tmp_path / "again").mkdir()
    first, second = run_cli(tmp_path, "xlsx").read_bytes(), run_cli(tmp_path / "again", "xlsx").read_bytes()
    assert first == second
    whole = to_xlsx(cerules.evaluate_files(rules, PERSONS, RECORDS))
    stream = io.BytesIO()
    write_xlsx(ChunkedRun(rules, str(PERSONS), str(RECORDS), chunk_records=50), stream)
    chunked = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    single = openpyxl.load_workbook(io.BytesIO(whole))
    for name in single.sheetnames:
        assert list(single[name].values) == list(chunked[name].values), name


def test_english_sheets(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(run_cli(tmp_path, "xlsx", "--lang", "en"))
    assert book.sheetnames == ["People", "Records", "Summary", "Rules"]
    p003 = next(row for row in sheet_rows(book["People"]) if row["person_id"] == "P003")
    assert p003["verdict"] == "not compliant" and p003["unmet requirements"] == "Public subjects 12 hours short"


def test_persons_and_records_on_two_sheets_of_one_workbook_are_read_by_name(tmp_path: Path) -> None:
    persons_book = openpyxl.load_workbook(workbook_from_csv(PERSONS, tmp_path / "p.xlsx", sheet_title="人员"))
    records_book = openpyxl.load_workbook(workbook_from_csv(RECORDS, tmp_path / "r.xlsx", sheet_title="记录"))
    target = records_book.create_sheet("人员")
    for row in persons_book["人员"].values:
        target.append(row)
    records_book.save(tmp_path / "both.xlsx")
    both = str(tmp_path / "both.xlsx")
    out, expected = tmp_path / "both.json", tmp_path / "csv.json"
    common = ["evaluate", "--year", "2023", "--no-plugins", "--format", "json"]
    assert (
        main([*common, "--persons", both, "--records", both, "--persons-sheet", "人员", "--records-sheet", "记录", "--out", str(out)]) == 0
    )
    assert main([*common, "--persons", str(PERSONS), "--records", str(RECORDS), "--out", str(expected)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["people"] == json.loads(expected.read_text(encoding="utf-8"))["people"]


def test_a_sheet_that_is_not_there_or_not_a_workbook_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = str(workbook_from_csv(PERSONS, tmp_path / "p.xlsx"))
    common = ["evaluate", "--year", "2023", "--no-plugins", "--format", "json", "--lang", "en"]
    assert main([*common, "--persons", book, "--records", str(RECORDS), "--persons-sheet", "nosuch"]) == 2
    assert "no sheet 'nosuch' in the workbook (sheets: Sheet1)" in capsys.readouterr().err
    assert main([*common, "--persons", str(PERSONS), "--records", str(RECORDS), "--sheet", "人员"]) == 2
    assert "only an Excel workbook has sheets" in capsys.readouterr().err


def test_a_table_longer_than_a_sheet_goes_on_in_a_second_sheet(rules: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    from cerules.render import xlsx

    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 301)  # a sheet of 300 rows below its header
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(cerules.evaluate_files(rules, PERSONS, RECORDS))))
    assert book.sheetnames == ["人员", "记录", "记录 (2)", "记录 (3)", "汇总", "规则"]
    parts = [list(book[name].values) for name in ("记录", "记录 (2)", "记录 (3)")]
    assert [len(part) - 1 for part in parts] == [300, 300, 56]
    assert parts[0][0] == parts[1][0] == parts[2][0]
    assert book["记录 (3)"].auto_filter.ref == "A1:H57" and book["记录 (2)"].freeze_panes == "B2"


def test_cells_are_data_never_formulas_or_controls_excel_refuses(tmp_path: Path) -> None:
    persons = tmp_path / "p.csv"
    persons.write_text('person_id,city,unit_level\nP\x01X,青岛,市属\n=HYPERLINK("http://x"),济南,\n', encoding="utf-8")
    records = tmp_path / "r.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nR\x02,P\x01X,public,2,2023-05-01\n@SUM(1),x,public,1,2023-05-01\n",
                       encoding="utf-8")  # fmt: skip
    out = tmp_path / "out.xlsx"
    args = ["evaluate", "--year", "2023", "--no-plugins", "--persons", str(persons), "--records", str(records), "--out", str(out)]
    assert main(args) == 0
    book = openpyxl.load_workbook(out)
    people = [(row[0].value, row[0].data_type) for row in book["人员"].iter_rows(min_row=2)]
    assert people == [("P\\x01X", "s"), ('=HYPERLINK("http://x")', "s")]
    assert {row[0].value for row in book["记录"].iter_rows(min_row=2)} == {"R\\x02", "@SUM(1)"}
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
