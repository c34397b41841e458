"""`cerules serve` answers as the library and the command line do: the same bytes, the same rules, the same verdicts.

Every test here speaks HTTP to a real server process (httpx); the server loads the installed plugins,
as a deployment does, and each answer is compared with the CLI or the library on the same input.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import cerules  # noqa: E402
from cerules.kernel.reasons import NAMES  # noqa: E402
from cerules.service.examples import EXAMPLE_DRAFT, EXAMPLE_PERSON, EXAMPLE_RECORDS  # noqa: E402
from cerules.whatif.draft import Draft  # noqa: E402
from cerules.whatif.impact import Baseline  # noqa: E402

from .excel_books import workbook_from_csv  # noqa: E402
from .live_server import ROOT, LiveServer, cli_environment, live_server  # noqa: E402

EXAMPLES = ROOT / "examples"
PERSONS, RECORDS = EXAMPLES / "persons.csv", EXAMPLES / "records.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with live_server(tmp_path_factory.mktemp("serve")) as running:
        yield running


def cli(*args: str) -> bytes:
    done = subprocess.run([sys.executable, "-m", "cerules.cli.main", *args], cwd=ROOT, env=cli_environment(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows as an integrator would send them: blank cells left out."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [{key: value for key, value in row.items() if value != ""} for row in csv.DictReader(handle)]


def upload(server: LiveServer, persons: Path = PERSONS, records: Path = RECORDS, *, accept: str = "application/json", **fields: str) -> Any:
    with server.client() as client:
        return client.post(
            "/v1/evaluate",
            data={"year": "2023", **fields},
            files={"persons": (persons.name, persons.read_bytes()), "records": (records.name, records.read_bytes())},
            headers={"Accept": accept},
        )


@pytest.fixture(scope="module")
def cli_document() -> bytes:
    return cli("evaluate", "--year", "2023", "--persons", str(PERSONS), "--records", str(RECORDS), "--format", "json")


def test_the_example_cohort_uploaded_gives_the_bytes_cerules_evaluate_writes(server: LiveServer, cli_document: bytes) -> None:
    answer = upload(server)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == cli_document
    assert answer.headers["x-rules-sha256"] == json.loads(cli_document)["rules"]["sha256"]


def test_csv_is_the_answer_when_asked_for_with_accept(server: LiveServer) -> None:
    expected = cli("evaluate", "--year", "2023", "--persons", str(PERSONS), "--records", str(RECORDS), "--format", "csv")
    with server.client() as client:
        answer = client.post(
            "/v1/evaluate",
            data={"year": "2023"},
            files={"persons": ("p.csv", PERSONS.read_bytes()), "records": ("r.csv", RECORDS.read_bytes())},
            headers={"Accept": "text/csv"},
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content == expected


def test_rows_sent_as_json_get_the_verdicts_the_files_get(server: LiveServer, cli_document: bytes) -> None:
    expected = json.loads(cli_document)
    with server.client() as client:
        answer = client.post("/v1/evaluate", json={"year": 2023, "persons": rows(PERSONS), "records": rows(RECORDS)})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["people"] == expected["people"]
    assert document["summary"] == expected["summary"]
    assert document["rules"] == expected["rules"]
    # rows are counted from 1 in a JSON body; a CSV file's line 1 is its header
    assert [(entry["record_id"], entry["reason"], entry["line"]) for entry in document["rejected_input"]] == [
        (entry["record_id"], entry["reason"], entry["line"] - 1) for entry in expected["rejected_input"]
    ]


def test_json_numbers_and_booleans_are_cells_as_in_a_jsonl_file(server: LiveServer) -> None:
    person = {"person_id": "p1", "city": 370200, "unit_level": "city"}
    records = [
        {"record_id": "r1", "person_id": "p1", "subject": "public", "hours": 30, "completed_at": "2023-05-01"},
        {"record_id": "r2", "person_id": "p1", "subject": "professional", "hours": 59.5, "completed_at": "2023-05-02"},
        {"record_id": "r3", "person_id": "p1", "subject": "professional", "hours": 0.5, "completed_at": "2023-05-03", "approved": True},
    ]
    with server.client() as client:
        answer = client.post("/v1/evaluate", json={"year": 2023, "persons": [person], "records": records, "lang": "en"})
    person_result = answer.json()["people"][0]
    assert person_result["compliant"] is True
    assert [r["credited_hours"] for r in person_result["records"]] == [30.0, 59.5, 0.5]


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "xlsx"])
def test_parquet_json_lines_and_workbook_uploads_read_as_the_csv_does(
    server: LiveServer, cli_document: bytes, tmp_path: Path, kind: str
) -> None:
    files = {}
    for name, source in (("persons", PERSONS), ("records", RECORDS)):
        table_rows = rows(source)
        target = tmp_path / f"{name}.{kind}"
        if kind == "xlsx":
            workbook_from_csv(source, target)
        elif kind == "parquet":
            columns = list(dict.fromkeys(key for row in table_rows for key in row))
            pq.write_table(pa.table({column: [row.get(column) for row in table_rows] for column in columns}), target)
        else:
            target.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in table_rows), encoding="utf-8")
        files[name] = target
    answer = upload(server, files["persons"], files["records"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["people"] == json.loads(cli_document)["people"]


def test_messages_follow_lang_and_codes_do_not(server: LiveServer) -> None:
    body = {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS}
    with server.client() as client:
        zh = client.post("/v1/evaluate", json=body | {"lang": "zh"}).json()["people"][0]["records"]
        en = client.post("/v1/evaluate", json=body | {"lang": "en"}).json()["people"][0]["records"]
    assert [r["reason"] for r in zh] == [r["reason"] for r in en]
    assert "platform_not_accepted" in {r["reason"] for r in en}
    assert zh != en and not any(re.search("[\u4e00-\u9fff]", record["message"]) for record in en)


@pytest.mark.installed_plugins
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_gives_one_persons_year_as_the_library_does(server: LiveServer, lang: str) -> None:
    expected = cerules.evaluate_person(cerules.load_rules(2023), EXAMPLE_PERSON, EXAMPLE_RECORDS)
    with server.client() as client:
        answer = client.post("/v1/explain", json={"year": 2023, "person": EXAMPLE_PERSON, "records": EXAMPLE_RECORDS, "lang": lang})
    assert answer.status_code == 200, answer.text
    explained = answer.json()
    assert explained["explanation"] == expected.explain(lang)
    assert explained["summary"] == expected.summary(lang)
    assert explained["result"] == expected.to_dict(lang)
    assert explained["compliant"] is False and explained["person_id"] == "P003"
    assert explained["rules"]["sha256"] == expected.rules_sha256


def test_explain_refuses_a_record_of_another_person_naming_it(server: LiveServer) -> None:
    stray = EXAMPLE_RECORDS[:2] + [EXAMPLE_RECORDS[2] | {"person_id": "P999"}]
    with server.client() as client:
        answer = client.post("/v1/explain", json={"year": 2023, "person": EXAMPLE_PERSON, "records": stray})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["file"], error["line"], error["column"]) == ("invalid_record", "records", 3, "person_id")
    assert "P999" in error["message_en"]


def test_the_rules_of_a_year_are_what_rules_show_prints(server: LiveServer) -> None:
    expected = json.loads(cli("rules", "show", "--year", "2023", "--json"))
    with server.client() as client:
        described = client.get("/v1/rules/2023").json()
        years = client.get("/v1/rules").json()
    assert described == expected
    assert any(value["citation"] == "SD-2023 §2(1)" for layer in described["layers"] for value in layer["values"])
    assert years["years"] == [2023] and years["sha256"] == {"2023": expected["sha256"]} and years["pack"] == "shandong"


def test_a_year_without_rules_is_not_found_for_rules_and_unusable_for_an_evaluation(server: LiveServer) -> None:
    with server.client() as client:
        missing = client.get("/v1/rules/2019")
        evaluation = client.post("/v1/evaluate", json={"year": 2019, "persons": [EXAMPLE_PERSON], "records": []})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_rules"
    assert evaluation.status_code == 422
    error = evaluation.json()["error"]
    assert (error["code"], error["column"]) == ("no_rules", "year")
    assert "2023" in error["message"]


def test_the_plugins_are_listed_as_cerules_plugins_json_lists_them(server: LiveServer) -> None:
    expected = json.loads(cli("plugins", "--json"))
    with server.client() as client:
        listing = client.get("/v1/plugins").json()
    assert listing == expected
    assert {entry["name"] for entry in listing["plugins"]} >= {"qingdao", "health"}


def test_the_reason_codes_are_the_contracts(server: LiveServer) -> None:
    with server.client() as client:
        reasons = client.get("/v1/reasons").json()
        schema = client.get("/openapi.json").json()
    assert [reason["code"] for reason in reasons] == [name for name in NAMES if name != "credited"]
    assert schema["components"]["schemas"]["ReasonCode"]["enum"] == [name for name in NAMES if name != "credited"]


@pytest.mark.installed_plugins
def test_a_drafts_impact_is_the_one_the_library_computes(server: LiveServer) -> None:
    rules = cerules.load_rules(2023)
    draft = Draft.from_text(EXAMPLE_DRAFT, file="draft")
    expected = Baseline(rules, (str(PERSONS), str(RECORDS))).impact(draft.apply(rules))
    with server.client() as client:
        uploaded = client.post(
            "/v1/drafts/impact",
            data={"year": "2023"},
            files={
                "draft": ("draft.toml", EXAMPLE_DRAFT.encode()),
                "persons": ("persons.csv", PERSONS.read_bytes()),
                "records": ("records.csv", RECORDS.read_bytes()),
            },
        )
        as_json = client.post(
            "/v1/drafts/impact",
            json={"year": 2023, "draft": {"public.required_hours": 35}, "persons": rows(PERSONS), "records": rows(RECORDS)},
        )
    assert uploaded.status_code == 200, uploaded.text
    document = uploaded.json()
    assert document["summary"] == expected.summary()
    assert document["pass_to_fail"] == [str(p) for p in expected.pass_to_fail]
    assert document["rules"] == {"baseline": rules.sha256, "draft": draft.apply(rules).sha256}
    assert [(c["path"], c["before"], c["after"]) for c in document["changes"]] == [("public.required_hours", 30, 35)]
    assert {row["city"]: row["pass_to_fail"] for row in document["by"]["city"]} == dict(
        zip(expected.by("city").column("city"), expected.by("city").column("pass_to_fail"), strict=True)
    )
    assert as_json.status_code == 200, as_json.text
    assert as_json.json()["summary"] == document["summary"]


def test_a_bad_draft_is_refused_whole_naming_each_key(server: LiveServer) -> None:
    def refused(draft: dict[str, Any]) -> set[str]:
        with server.client() as client:
            answer = client.post("/v1/drafts/impact", json={"year": 2023, "draft": draft, "persons": [EXAMPLE_PERSON], "records": []})
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "invalid_draft"
        return {problem["column"] for problem in error["problems"]}

    assert {key.rsplit(".value", 1)[0] for key in refused({"public.required_hours": -5, "professional.required_hours": "x"})} == {
        "public.required_hours",
        "professional.required_hours",
    }
    assert refused({"nosuch.required_hours": 3}) == {"nosuch.required_hours"}


def test_a_workbook_or_the_report_page_when_asked_for_with_accept(server: LiveServer, cli_document: bytes) -> None:
    import io

    import openpyxl

    expected = json.loads(cli_document)
    workbook = upload(server, accept="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert workbook.status_code == 200 and workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert [row[0] for row in list(book["人员"].values)[1:]] == [person["person_id"] for person in expected["people"]]
    page = upload(server, accept="text/html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert expected["rules"]["sha256"] in page.text and "<script src" not in page.text


def test_a_typed_parquet_upload_is_read_as_its_csv(server: LiveServer, tmp_path: Path) -> None:
    """Numbers, timestamps, booleans and dictionary words uploaded as Parquet (with a column the engine
    does not read) answer as the same rows uploaded as CSV."""
    from .test_typed_input import _as_csv, _example_text, _typed

    text = _example_text()
    typed = _typed(text)
    typed = typed.append_column("notes", pa.array(["备注"] * len(typed)))
    pq.write_table(typed, tmp_path / "records.parquet")
    from_parquet = upload(server, PERSONS, tmp_path / "records.parquet")
    from_csv = upload(server, PERSONS, _as_csv(text, tmp_path / "records.csv"))
    assert from_parquet.status_code == from_csv.status_code == 200, from_parquet.text
    assert from_parquet.json()["people"] == from_csv.json()["people"]
    assert from_parquet.json()["summary"] == from_csv.json()["summary"]
