"""Inputs as real exports come, and as attackers send them: read, bounded, never a crash.

Each case goes through the command line (or the library where the option is the library's) and
holds the contract's promises: exit 0 with every record once in the document, the unusable ones
`invalid_record` with a message naming the column, or exit 2 with one line naming the file.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cerules
from cerules.cli.main import main
from cerules.evaluation.batch import evaluate_batch
from cerules.inputs.bounds import MAX_RECORD_AMOUNT

HEADER = ["record_id", "person_id", "subject", "hours", "completed_at", "credits"]


@pytest.fixture
def persons(tmp_path: Path) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text("person_id,city,unit_level\np1,370200,city\n", encoding="utf-8")
    return path


def record(record_id: str, hours: Any = "2", completed_at: str = "2023-06-01", **more: Any) -> dict[str, Any]:
    return {"record_id": record_id, "person_id": "p1", "subject": "professional", "hours": hours, "completed_at": completed_at, **more}


def records_csv(path: Path, rows: list[dict[str, Any]], tail: str = "") -> Path:
    lines = [",".join(HEADER)] + [",".join(str(row.get(name, "")) for name in HEADER) for row in rows]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")
    return path


def evaluate(capsys, persons: Path, records: Path, *more: str) -> dict[str, Any]:
    code, out, err = run(capsys, persons, records, *more)
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def run(capsys, persons: Path, records: Path, *more: str) -> tuple[int, str, str]:
    args = ["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--format", "json", "--lang", "en"]
    code = main([*args, *more])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def outcomes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every record's outcome by id, checking that each appears exactly once."""
    found = [entry for person in document["people"] for entry in person["records"]] + document["rejected_input"]
    ids = [entry["record_id"] for entry in found]
    assert len(ids) == len(set(ids)), ids
    return {entry["record_id"]: entry for entry in found}


def credited(document: dict[str, Any], requirement: str = "professional") -> float:
    (person,) = document["people"]
    return next(r["credited"] for r in person["requirements"] if r["id"] == requirement)


def assert_one_line_naming(code: int, out: str, err: str, name: str) -> None:
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and name in err and "Traceback" not in err


# --- dates as spreadsheets write them ----------------------------------------------------------


def test_spreadsheet_dates_without_zero_padding_are_credited_on_the_day_they_name(capsys, persons, tmp_path):
    forms = ["2023/9/16", "2023/9/16 9:50", "2023/9/16 19:50", "2023-9-16", "2023-9-16 9:50"]
    rows = [record(f"r{i}", completed_at=form) for i, form in enumerate(forms)]
    document = evaluate(capsys, persons, records_csv(tmp_path / "records.csv", rows))
    assert {entry["status"] for entry in outcomes(document).values()} == {"credited"}
    assert credited(document) == 2 * len(forms)


def test_excel_serial_dates_are_shanghai_dates_of_the_1900_system(capsys, persons, tmp_path):
    rows = [
        record("sep16", completed_at="45185"),  # 2023-09-16
        record("morning", completed_at="45185.4097"),  # 2023-09-16 09:49:58
        record("new_year", completed_at="45291.999999"),  # rounds to 2024-01-01 00:00:00 in Shanghai
        record("too_early", completed_at="44926.99"),  # 2022-12-31 23:45:36
    ]
    found = outcomes(evaluate(capsys, persons, records_csv(tmp_path / "records.csv", rows)))
    assert {key: entry["reason"] for key, entry in found.items()} == {
        "sep16": None,
        "morning": None,
        "new_year": "out_of_year",
        "too_early": "out_of_year",
    }


@pytest.mark.parametrize("completed_at", ["0001-01-01", "9999-12-31T23:00:00-05:00", "2023", "2023-09"])
def test_dates_outside_the_representable_years_or_without_a_day_are_invalid_records(capsys, persons, tmp_path, completed_at):
    rows = [record("bad", completed_at=completed_at), record("good")]
    found = outcomes(evaluate(capsys, persons, records_csv(tmp_path / "records.csv", rows)))
    assert found["good"]["status"] == "credited"
    assert found["bad"]["reason"] == "invalid_record"
    assert "completed_at: " in found["bad"]["message"]


# --- numbers: total, bounded -------------------------------------------------------------------

HOSTILE_NUMBERS = {
    "1e400": "amount above the bound of 10000",
    "123456789012345678901234": "amount above the bound of 10000",
    "9223372036854775807": "amount above the bound of 10000",
    "nan": "not a finite number",
    "inf": "not a finite number",
    "1,5": "not a decimal number",
    "１２": "ASCII digits",
}


@pytest.mark.parametrize("column", ["hours", "credits"])
def test_numbers_out_of_reach_are_invalid_records_naming_the_column_and_why(capsys, persons, tmp_path, column):
    rows = [record(f"r{i}", **{column: text}) for i, text in enumerate(HOSTILE_NUMBERS)] + [record("good")]
    path = tmp_path / "records.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    found = outcomes(evaluate(capsys, persons, path))
    assert found["good"]["status"] == "credited"
    for i, (text, why) in enumerate(HOSTILE_NUMBERS.items()):
        entry = found[f"r{i}"]
        assert entry["reason"] == "invalid_record", text
        assert f"{column}: " in entry["message"] and why in entry["message"], (text, entry["message"])


def test_eleven_records_of_9e15_hours_are_invalid_input_not_a_negative_total(capsys, persons, tmp_path):
    # Summed in int64 hundredths, eleven of them once wrapped round to a negative total.
    rows = [record(f"huge{i}", hours="9e15") for i in range(11)] + [record("good", hours="2")]
    document = evaluate(capsys, persons, records_csv(tmp_path / "records.csv", rows))
    found = outcomes(document)
    assert all(found[f"huge{i}"]["reason"] == "invalid_record" for i in range(11))
    assert found["huge0"]["message"].endswith("hours: amount above the bound of 10000: '9e15'")
    assert credited(document) == 2


def test_the_bound_is_the_contracts_ten_thousand_and_reaching_it_is_allowed(capsys, persons, tmp_path):
    assert MAX_RECORD_AMOUNT == 10_000
    rows = [record("at", hours="10000"), record("above", hours="10000.01", completed_at="2023-06-02")]
    found = outcomes(evaluate(capsys, persons, records_csv(tmp_path / "records.csv", rows)))
    assert found["at"]["status"] == "credited" and found["above"]["reason"] == "invalid_record"


def test_a_library_caller_and_the_command_line_may_choose_another_bound(capsys, rules, persons, tmp_path):
    path = records_csv(tmp_path / "records.csv", [record("big", hours="15000", credits="12000")])
    assert outcomes(evaluate(capsys, persons, path))["big"]["reason"] == "invalid_record"
    assert outcomes(evaluate(capsys, persons, path, "--max-record-amount", "20000"))["big"]["status"] == "credited"
    evaluation = cerules.evaluate(rules, persons, path, max_record_amount=20_000)
    assert evaluation.summary()["credited"] == 1
    batch = evaluate_batch(rules, persons, path, max_record_amount=14_999)
    assert int(batch.status_credited.sum()) == 0


@pytest.mark.parametrize("bound", ["0", "-5", "abc", "1e9", "nan"])
def test_a_bound_that_is_no_positive_number_up_to_the_ceiling_is_a_usage_error(capsys, rules, persons, tmp_path, bound):
    path = records_csv(tmp_path / "records.csv", [record("r1")])
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(path), "--max-record-amount", bound])
    assert caught.value.code == 2
    with pytest.raises(ValueError):
        cerules.evaluate(rules, persons, path, max_record_amount=bound)


# --- what spreadsheets add after the data ------------------------------------------------------


def test_trailing_rows_of_only_commas_or_white_space_are_not_records(capsys, persons, tmp_path):
    rows = [record("r1"), record("stray", person_id="nobody")]
    path = records_csv(tmp_path / "records.csv", rows, tail=",,,,,\n,,,,,\n  ,  , ,,,\n   \n,,,\n")
    document = evaluate(capsys, persons, path)
    assert document["summary"]["records"] == 2
    assert [entry["line"] for entry in document["rejected_input"]] == [3]  # lines stay those of the file
    clean = records_csv(tmp_path / "clean.csv", [record("r1")], tail=",,,,,\n,,,\n")
    code, _, err = run(capsys, persons, clean, "--strict")
    assert code == 0, err  # nothing left to fail on


def test_an_empty_row_between_records_is_still_reported(capsys, persons, tmp_path):
    # Inside the data an empty row may be a record whose cells were cleared: it stays visible.
    path = records_csv(
        tmp_path / "records.csv", [record("r1")], tail=",,,,,\n" + ",".join(["r2", "p1", "professional", "2", "2023-06-02", ""]) + "\n"
    )
    document = evaluate(capsys, persons, path)
    assert document["summary"]["records"] == 3
    assert [entry["line"] for entry in document["rejected_input"]] == [3]


def test_unnamed_columns_at_the_end_of_the_header_are_a_spreadsheets_not_data(capsys, persons, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(",".join(HEADER) + ",,\n" + "r1,p1,professional,2,2023-06-01,,,\n" + ",,,,,,,\n", encoding="utf-8")
    document = evaluate(capsys, persons, path)
    assert (document["summary"]["records"], document["summary"]["credited"]) == (1, 1)


# --- JSON Lines that no JSON reader should choke on --------------------------------------------


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_lone_surrogate_empties_its_cell_and_the_record_says_why(capsys, persons, tmp_path):
    lines = [json.dumps(record("r1")), json.dumps(record("r2")).replace('"professional"', '"\\ud800"'), json.dumps(record("r3"))]
    found = outcomes(evaluate(capsys, persons, jsonl(tmp_path / "records.jsonl", lines)))
    assert found["r1"]["status"] == found["r3"]["status"] == "credited"
    assert found["r2"]["reason"] == "invalid_record" and "lone surrogate" in found["r2"]["message"]


def test_a_lone_surrogate_in_a_key_or_an_id_loses_no_record(capsys, persons, tmp_path):
    lines = [
        json.dumps(record("r1")),
        json.dumps({**record("r2"), "\ud800": "x"}, ensure_ascii=True),
        json.dumps(record("\ud800"), ensure_ascii=True),
    ]
    document = evaluate(capsys, persons, jsonl(tmp_path / "records.jsonl", lines))
    assert document["summary"]["records"] == 3
    found = outcomes(document)
    assert found["r2"]["reason"] == "invalid_record" and "key" in found["r2"]["message"]
    assert found[None]["reason"] == "invalid_record" and "record_id: value holds a lone surrogate" in found[None]["message"]


def test_an_object_nested_a_hundred_thousand_deep_is_a_row_problem(capsys, persons, tmp_path):
    deep = '{"record_id": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    document = evaluate(capsys, persons, jsonl(tmp_path / "records.jsonl", [json.dumps(record("r1")), deep, json.dumps(record("r3"))]))
    assert document["summary"]["records"] == 3
    (stray,) = document["rejected_input"]
    assert stray["line"] == 2 and "nested too deeply" in stray["message"]


def test_invalid_utf8_in_json_lines_exits_2_naming_file_and_line(capsys, persons, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(json.dumps(record("r1")).encode() + b"\n" + b'{"record_id": "r\xff"}\n')
    code, out, err = run(capsys, persons, path)
    assert_one_line_naming(code, out, err, f"{path}, line 2")


# --- Parquet and Arrow: any number and time Arrow can hold -------------------------------------


def test_parquet_numbers_near_the_ends_of_float_and_int64_are_read_without_a_crash(capsys, persons, tmp_path):
    n = 6
    table = pa.table(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "person_id": ["p1"] * n,
            "subject": ["professional"] * n,
            "hours": pa.array([2.0, 1e300, float("nan"), float("inf"), 5e-324, 9.995], pa.float64()),
            "completed_at": pa.array([dt_micros(f"2023-06-0{i + 1}") for i in range(n)], pa.timestamp("us", tz="Asia/Shanghai")),
            "credits": pa.array([2**63 - 1, 1, None, -(2**63), 0, 3], pa.int64()),
        }
    )
    path = tmp_path / "records.parquet"
    pq.write_table(table, path)
    found = outcomes(evaluate(capsys, persons, path))
    assert found["r0"]["reason"] == "invalid_record" and "credits: amount above the bound of 10000" in found["r0"]["message"]
    assert found["r1"]["message"].endswith("hours: amount above the bound of 10000: '1e+300'")
    assert found["r2"]["message"].endswith("hours is empty")  # NaN is a missing value
    assert found["r3"]["message"].endswith("hours: not a finite number: 'inf'")
    assert found["r4"]["reason"] == "invalid_record"  # rounds to 0 hours
    assert found["r5"]["status"] == "credited" and found["r5"]["credited_hours"] == 10


def dt_micros(day: str) -> int:
    return int(np.datetime64(f"{day}T02:00:00", "us").astype(np.int64))


def times_table(unit: str, kind: pa.DataType) -> pa.Table:
    """A record in June 2023, then four whose date-times lie far beyond the years 1-9999 (or wrap round)."""
    if unit == "D":
        values = [19509, 2**31 - 1, -(2**31), 2**30, -(2**30)]
    else:
        per_second, far = {"s": (1, 2**40), "ms": (10**3, 2**50), "us": (10**6, 2**60)}[unit]  # far: some 35,000 years
        values = [dt_micros("2023-06-01") // 10**6 * per_second, far, -far, 2**63 - 1, -(2**63)]
    n = len(values)
    return pa.table(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "person_id": ["p1"] * n,
            "subject": ["professional"] * n,
            "hours": ["2"] * n,
            "completed_at": pa.array(values, kind),
        }
    )


def assert_only_the_first_is_credited(found: dict[str, dict[str, Any]]) -> None:
    assert found["r0"]["status"] == "credited"
    for i in range(1, 5):
        assert found[f"r{i}"]["reason"] == "invalid_record"
        assert "completed_at: date outside" in found[f"r{i}"]["message"]


@pytest.mark.parametrize(
    ("unit", "kind"),
    [("ms", pa.timestamp("ms", tz="UTC")), ("us", pa.timestamp("us")), ("D", pa.date32()), ("ms", pa.date64())],
)
def test_parquet_date_times_beyond_the_years_python_holds_are_invalid_records(capsys, persons, tmp_path, unit, kind):
    path = tmp_path / "records.parquet"
    pq.write_table(times_table(unit, kind), path)
    assert_only_the_first_is_credited(outcomes(evaluate(capsys, persons, path)))


def test_arrow_date_times_in_seconds_beyond_the_years_python_holds_are_invalid_records(rules, persons):
    evaluation = cerules.evaluate(rules, persons, times_table("s", pa.timestamp("s", tz="Asia/Shanghai")))
    assert_only_the_first_is_credited(outcomes(evaluation.to_document("en")))


def test_parquet_text_that_is_not_utf8_exits_2_naming_column_and_row(capsys, persons, tmp_path):
    ids = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(np.array([0, 2, 5], np.int32).tobytes()), pa.py_buffer(b"r1r\xff2")])
    table = pa.table(
        {"record_id": ids, "person_id": ["p1"] * 2, "subject": ["professional"] * 2, "hours": ["2"] * 2, "completed_at": ["2023-06-01"] * 2}
    )
    path = tmp_path / "records.parquet"
    pq.write_table(table, path)
    code, out, err = run(capsys, persons, path)
    assert_one_line_naming(code, out, err, f"{path}, line 2, column 'record_id'")


# --- files that are no files -------------------------------------------------------------------


def test_a_directory_named_like_a_csv_file_exits_2_naming_it(capsys, persons, tmp_path):
    folder = tmp_path / "x.csv"
    folder.mkdir()
    assert_one_line_naming(*run(capsys, persons, folder), str(folder))
    assert_one_line_naming(*run(capsys, folder, records_csv(tmp_path / "records.csv", [record("r1")])), str(folder))


@pytest.mark.parametrize("name", ["records.csv", "records.jsonl", "records.parquet"])
def test_an_empty_file_exits_2_naming_it(capsys, persons, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    code, out, err = run(capsys, persons, path)
    assert_one_line_naming(code, out, err, str(path))
    assert "empty" in err


def test_a_file_that_cannot_be_read_exits_2_naming_it(capsys, persons, tmp_path):
    # /proc/self/mem is a regular file that no one, root included, can read from its start.
    path = tmp_path / "records.csv"
    path.symlink_to("/proc/self/mem")
    code, out, err = run(capsys, persons, path)
    assert_one_line_naming(code, out, err, str(path))
    assert "cannot open the file" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_exits_2_naming_it(capsys, persons, tmp_path):
    path = records_csv(tmp_path / "records.csv", [record("r1")])
    path.chmod(0)
    assert_one_line_naming(*run(capsys, persons, path), str(path))


def test_a_named_pipe_is_refused_instead_of_waited_on(capsys, persons, tmp_path):
    path = tmp_path / "records.csv"
    os.mkfifo(path)
    code, out, err = run(capsys, persons, path)
    assert_one_line_naming(code, out, err, str(path))
    assert "not a regular file" in err
