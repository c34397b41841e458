"""`cerules evaluate` honours every clause of CONTRACT.md (v1)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cerules.cli.main import main

RECORD_HEADER = [
    "record_id",
    "person_id",
    "subject",
    "hours",
    "completed_at",
    "platform",
    "mode",
    "topic",
    "course_id",
    "role",
    "quality_course",
    "source",
    "approved",
]


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def cohort(tmp_path: Path) -> tuple[Path, Path]:
    persons = write_csv(
        tmp_path / "persons.csv",
        ["person_id", "city", "unit_level", "title_series"],
        [["p1", "青岛市", "省直", "工程"], ["p2", "370800", "市属", "会计"], ["p3", "济南", "", "卫生"]],
    )
    records = write_csv(
        tmp_path / "records.csv",
        RECORD_HEADER,
        [
            ["r1", "p1", "public", "30", "2023-03-01T09:00:00+08:00", "sdou", "", "ethics", "C1", "", "", "", ""],
            ["r2", "p1", "professional", "60", "2023-04-01", "", "offline", "", "C2", "", "", "", ""],
            ["r3", "p2", "公需科目", "10", "2023-05-01", "jnrsw", "", "", "C3", "", "", "", ""],
            ["r4", "p2", "professional", "10", "2024-01-01T00:30:00+08:00", "", "", "", "", "", "", "", ""],
            ["r5", "p2", "professional", "12", "2023-06-01T09:00", "", "", "", "", "", "", "declared", ""],
            ["r6", "p2", "professional", "3", "2023-06-01T10:00", "", "", "", "", "", "", "declared", ""],
            ["r7", "p9", "public", "2", "2023-05-01", "", "", "", "", "", "", "", ""],
            ["r8", "p3", "public", "abc", "2023-05-01", "", "", "", "", "", "", "", ""],
            ["r9", "p3", "public", "2", "2023-05-01", "qdjxjy", "", "", "C4", "", "", "", ""],
            ["r10", "p3", "public", "2", "2023-05-02", "qdjxjy", "", "", "C4", "", "", "", ""],
        ],
    )
    return persons, records


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def evaluate(capsys, persons: Path, records: Path, *more: str) -> dict:
    code, out, err = run(capsys, "evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), *more)
    assert code == 0, err
    return json.loads(out)


def test_the_json_document_has_the_contract_shape(capsys, cohort):
    document = evaluate(capsys, *cohort)
    assert set(document) >= {"year", "rules", "people", "rejected_input", "summary"}
    assert document["year"] == 2023
    assert len(document["rules"]["sha256"]) == 64
    assert document["rules"]["layers"][0]["id"] == "province"
    assert set(document["rules"]["layers"][0]) >= {"id", "source", "version"}
    p1 = document["people"][0]
    assert p1["person_id"] == "p1" and p1["compliant"] is True
    public = p1["requirements"][0]
    assert public == public | {
        "id": "public", "unit": "hours", "required_hours": 30, "credited_hours": 30.0, "shortfall_hours": 0.0,
        "required": 30, "credited": 30.0, "shortfall": 0.0, "met": True, "set_by": "province", "citation": "SD-2023 §2(1)",
    }  # fmt: skip
    assert [r["id"] for r in p1["requirements"]] == ["public", "professional"]
    assert p1["records"][0] == p1["records"][0] | {"record_id": "r1", "status": "credited", "credited_hours": 30.0, "reason": None}
    assert document["rejected_input"] == [
        {"record_id": "r7", "reason": "unknown_person", "line": 8, "message": document["rejected_input"][0]["message"]}
    ]
    assert document["summary"] == {"people": 3, "compliant": 1, "records": 10, "credited": 5, "rejected": 5}


def test_requirement_ids_public_and_professional_always_exist(capsys, cohort):
    document = evaluate(capsys, *cohort)
    for person in document["people"]:
        assert {"public", "professional"} <= {r["id"] for r in person["requirements"]}


def test_every_input_record_appears_exactly_once(capsys, cohort):
    document = evaluate(capsys, *cohort)
    listed = [r["record_id"] for p in document["people"] for r in p["records"]] + [r["record_id"] for r in document["rejected_input"]]
    assert sorted(listed) == sorted(f"r{i}" for i in range(1, 11))


def test_reason_codes_and_a_cap_cut_record_stay_credited_with_reduced_hours(capsys, cohort):
    document = evaluate(capsys, *cohort)
    records = {r["record_id"]: r for p in document["people"] for r in p["records"]}
    assert records["r4"]["reason"] == "out_of_year" and records["r4"]["status"] == "rejected"
    assert (records["r5"]["status"], records["r5"]["credited_hours"], records["r5"]["reason"]) == ("credited", 8.0, "cap_exceeded")
    assert (records["r6"]["status"], records["r6"]["credited_hours"], records["r6"]["reason"]) == ("rejected", 0.0, "cap_exceeded")
    assert records["r8"]["reason"] == "invalid_record"
    assert records["r10"]["reason"] == "duplicate_course"
    assert records["r3"]["status"] == "credited"  # city staff: any platform


def test_codes_never_change_with_the_language_but_messages_do(capsys, cohort):
    zh = evaluate(capsys, *cohort, "--lang", "zh")
    en = evaluate(capsys, *cohort, "--lang", "en")

    def codes(doc):
        return [(r["record_id"], r["status"], r["reason"]) for p in doc["people"] for r in p["records"]]

    assert codes(zh) == codes(en)
    r4_zh = next(r for p in zh["people"] for r in p["records"] if r["record_id"] == "r4")
    r4_en = next(r for p in en["people"] for r in p["records"] if r["record_id"] == "r4")
    assert "年度" in r4_zh["message"] and "not in 2023" in r4_en["message"]


def test_the_same_inputs_and_rules_give_the_same_document(capsys, cohort):
    assert evaluate(capsys, *cohort) == evaluate(capsys, *cohort)


def test_sums_are_exact(capsys, tmp_path):
    persons = write_csv(tmp_path / "p.csv", ["person_id", "city", "unit_level"], [["p1", "青岛", "市属"]])
    rows = [[f"r{i}", "p1", "public", "0.1", "2023-05-01", "", "", "", "", "", "", "", ""] for i in range(30)]
    records = write_csv(tmp_path / "r.csv", RECORD_HEADER, rows)
    document = evaluate(capsys, persons, records)
    assert document["people"][0]["requirements"][0]["credited_hours"] == 3.0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(capsys, cohort, tmp_path, encoding):
    persons, records = cohort
    reencoded = tmp_path / f"records-{encoding}.csv"
    reencoded.write_bytes(records.read_text(encoding="utf-8").encode(encoding))
    persons_copy = tmp_path / f"persons-{encoding}.csv"
    persons_copy.write_bytes(persons.read_text(encoding="utf-8").encode(encoding))
    assert evaluate(capsys, persons_copy, reencoded) == evaluate(capsys, persons, records)


def test_jsonl_and_parquet_inputs_give_the_same_document_as_csv(capsys, cohort, tmp_path):
    persons, records = cohort
    reference = evaluate(capsys, persons, records)
    for stem, path in (("persons", persons), ("records", records)):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        rows = [{k: v for k, v in row.items() if v != ""} for row in rows]
        with (tmp_path / f"{stem}.jsonl").open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        columns = {name: [row.get(name) for row in rows] for name in {k for row in rows for k in row}}
        pq.write_table(pa.table(columns), tmp_path / f"{stem}.parquet")

    def without_lines(document: dict) -> dict:
        # JSON Lines and Parquet have no header line, so the same record stands one line earlier.
        return document | {"rejected_input": [{**r, "line": None} for r in document["rejected_input"]]}

    assert reference["rejected_input"][0]["line"] == 8
    for suffix in ("jsonl", "parquet"):
        document = evaluate(capsys, tmp_path / f"persons.{suffix}", tmp_path / f"records.{suffix}")
        assert document["rejected_input"][0]["line"] == 7
        assert without_lines(document) == without_lines(reference)


def test_csv_format_writes_one_row_per_person(capsys, cohort):
    code, out, _ = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(cohort[1]), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["person_id"] for r in rows] == ["p1", "p2", "p3"]
    assert rows[0]["compliant"] == "true" and rows[0]["public.credited"] == "30.0" and rows[0]["public.set_by"] == "province"
    assert rows[1]["reasons"] == "cap_exceeded;out_of_year"


def test_table_format_is_for_people_reading_a_terminal(capsys, cohort):
    code, out, _ = run(
        capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(cohort[1]), "--format", "table", "--lang", "en"
    )
    assert code == 0
    assert "p1" in out and "pass" in out and "FAIL" in out and "no such person in the persons file" in out


@pytest.mark.parametrize(("name", "opening"), [("out.json", "{"), ("out.csv", "person_id,"), ("out.txt", "人员")])
def test_the_default_format_follows_the_out_suffix(capsys, cohort, tmp_path, name, opening):
    target = tmp_path / name
    code, out, _ = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(cohort[1]), "--out", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith(opening)


def test_json_is_the_default_when_output_is_not_a_terminal(capsys, cohort):
    code, out, _ = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(cohort[1]))
    assert code == 0 and json.loads(out)["year"] == 2023


def test_a_draft_rules_file_is_the_last_layer_and_sets_requirements(capsys, cohort, tmp_path):
    draft = tmp_path / "draft.toml"
    draft.write_text('[public]\nrequired_hours = { value = 35, citation = "draft 2024 §1" }\n', encoding="utf-8")
    baseline = evaluate(capsys, *cohort)
    document = evaluate(capsys, *cohort, "--rules", str(draft))
    assert [layer["id"] for layer in document["rules"]["layers"]][-1] == "draft"
    public = document["people"][0]["requirements"][0]
    assert (public["required_hours"], public["set_by"], public["citation"], public["met"]) == (35, "draft", "draft 2024 §1", False)
    assert document["rules"]["sha256"] != baseline["rules"]["sha256"]


def test_no_plugins_evaluates_the_provincial_rules_alone(capsys, cohort):
    document = evaluate(capsys, *cohort, "--no-plugins")
    assert [layer["id"] for layer in document["rules"]["layers"]] == ["province"]


def test_strict_turns_an_invalid_row_into_a_failed_run_naming_file_line_and_column(capsys, cohort, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run(
        capsys,
        "evaluate",
        "--year",
        "2023",
        "--persons",
        str(cohort[0]),
        "--records",
        str(cohort[1]),
        "--strict",
        "--lang",
        "en",
        "--out",
        str(target),
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert f"{cohort[1]}, line 8, column 'person_id'" in err  # r7: the first bad row in file order
    assert not target.exists()  # nothing half-written


@pytest.mark.parametrize(
    ("records_text", "words"),
    [
        ("", "empty"),
        ("record_id,person_id,subject,hours\nr1,p1,public,2\n", "completed_at"),
    ],
)
def test_unreadable_input_exits_2_with_one_line_naming_the_file(capsys, cohort, tmp_path, records_text, words):
    bad = tmp_path / "bad.csv"
    bad.write_text(records_text, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(bad), "--lang", "en")
    assert code == 2 and out == ""
    assert str(bad) in err and words in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_a_utf16_file_is_refused_as_a_wrong_encoding(capsys, cohort, tmp_path):
    bad = tmp_path / "utf16.csv"
    bad.write_bytes(cohort[1].read_text(encoding="utf-8").encode("utf-16"))
    code, _, err = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(bad), "--lang", "en")
    assert code == 2 and "utf16.csv" in err and "UTF-16" in err


@pytest.mark.parametrize(
    "args", [["evaluate"], ["evaluate", "--year", "2023"], ["frobnicate"], ["evaluate", "--year", "x", "--persons", "a", "--records", "b"]]
)
def test_usage_errors_exit_2(capsys, args):
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2


def test_missing_files_and_unknown_suffixes_exit_2(capsys, cohort, tmp_path):
    for records in (tmp_path / "missing.csv", shutil.copy(cohort[1], tmp_path / "records.xlsx")):
        code, _, err = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(records))
        assert code == 2 and Path(records).name in err


def test_a_year_without_rules_exits_2(capsys, cohort):
    code, _, err = run(capsys, "evaluate", "--year", "2031", "--persons", str(cohort[0]), "--records", str(cohort[1]))
    assert code == 2 and "2031" in err


def test_persons_must_have_unique_ids_and_known_cities(capsys, tmp_path, cohort):
    rows = [["p1", "青岛", ""], ["p1", "济南", ""], ["p2", "上海", ""], ["p3", "370800", ""]]
    persons = write_csv(tmp_path / "p.csv", ["person_id", "city", "unit_level"], rows)
    document = evaluate(capsys, persons, cohort[1], "--lang", "en")
    assert [p["person_id"] for p in document["people"]] == ["p1", "p3"]
    rejected = {(r["person_id"], r["line"], r["column"]) for r in document["rejected_persons"]}
    assert rejected == {("p1", 3, "person_id"), ("p2", 4, "city")}
    code, _, err = run(
        capsys, "evaluate", "--year", "2023", "--persons", str(persons), "--records", str(cohort[1]), "--strict", "--lang", "en"
    )
    assert code == 2 and "line 3, column 'person_id'" in err


def test_duplicate_record_ids_reject_the_repeat_naming_the_first_line(capsys, tmp_path, cohort):
    records = write_csv(
        tmp_path / "r.csv",
        RECORD_HEADER,
        [["r1", "p1", "public", "2", "2023-05-01", *[""] * 8], ["r1", "p1", "public", "3", "2023-05-02", *[""] * 8]],
    )
    document = evaluate(capsys, cohort[0], records, "--lang", "en")
    listed = document["people"][0]["records"]
    assert [(r["record_id"], r["reason"]) for r in listed] == [("r1", None), ("r1", "invalid_record")]
    assert "line 2" in listed[1]["message"]


def test_the_console_script_runs_the_bundled_example(examples):
    executable = Path(sys.executable).with_name("cerules")
    completed = subprocess.run(
        [
            str(executable),
            "evaluate",
            "--year",
            "2023",
            "--persons",
            str(examples / "persons.csv"),
            "--records",
            str(examples / "records.csv"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    people = sum(1 for _ in csv.DictReader((examples / "persons.csv").open(encoding="utf-8")))
    assert json.loads(completed.stdout)["summary"]["people"] == people


def test_rules_show_prints_every_value_with_its_citation(capsys):
    code, out, _ = run(capsys, "rules", "show", "--year", "2023")
    assert code == 0
    assert "public.required_hours = 30" in out and "SD-2023 §2(1)" in out and "未核实" in out
    code, out, _ = run(capsys, "rules", "show", "--year", "2023", "--json")
    described = json.loads(out)
    values = {v["path"]: v for v in described["layers"][0]["values"]}
    assert values["professional.required_hours"]["citation"] == "SD-2023 §3(1)"


def test_rules_lint_fails_on_a_value_without_citation(capsys, tmp_path):
    draft = tmp_path / "d.toml"
    draft.write_text("[public]\nrequired_hours = 35\n", encoding="utf-8")
    code, out, _ = run(capsys, "rules", "lint", str(draft), "--lang", "en")
    assert code == 1 and "public.required_hours" in out and "no citation" in out


def test_an_output_path_that_cannot_be_written_exits_2_with_one_line(capsys, cohort, tmp_path):
    target = tmp_path / "no-such-folder" / "out.csv"
    code, _, err = run(capsys, "evaluate", "--year", "2023", "--persons", str(cohort[0]), "--records", str(cohort[1]), "--out", str(target))
    assert code == 2 and str(target) in err and err.count("\n") == 1 and "Traceback" not in err
