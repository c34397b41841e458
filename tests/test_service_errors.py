"""The service's limits and refusals: 413 over a limit, 422 naming the part, line and column, 415 for a type
it cannot read, 401 without the token; one error shape, never a traceback; an access log without personal data."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from cerules.service.examples import EXAMPLE_PERSON, EXAMPLE_RECORDS  # noqa: E402

from .live_server import ROOT, LiveServer, cli_environment, live_server  # noqa: E402

TOKEN = "s3cret-token-for-tests"
RECORDS = ROOT / "examples" / "records.csv"
PERSONS = ROOT / "examples" / "persons.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("limits")
    token_file = folder / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    options = ("--max-body-mb", "0.2", "--max-records", "700", "--max-persons", "50", "--token-file", str(token_file))
    with live_server(folder, *options) as running:
        yield running


def call(server: LiveServer, method: str, path: str, *, token: str | None = TOKEN, **options: Any) -> Any:
    headers = dict(options.pop("headers", None) or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with server.client() as client:
        return client.request(method, path, headers=headers, **options)


def error_of(answer: Any, status: int) -> dict[str, Any]:
    """The one error shape, with both languages, and no trace of the server's code."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["message"] and error["message_en"]
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    return error


def body(**more: Any) -> dict[str, Any]:
    return {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS} | more


# --- 413 -----------------------------------------------------------------------------------------


def test_a_body_above_the_limit_is_refused_before_it_is_read(server: LiveServer) -> None:
    big = {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS * 400}
    error = error_of(call(server, "POST", "/v1/evaluate", json=big), 413)
    assert error["code"] == "too_large" and "0.2 MiB" in error["message_en"]


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(server: LiveServer) -> None:
    chunk = json.dumps(EXAMPLE_RECORDS).encode() * 10

    def stream() -> Iterator[bytes]:
        yield b'{"year": 2023, "persons": [], "records": '
        for _ in range(100):
            yield chunk

    answer = call(server, "POST", "/v1/evaluate", content=stream(), headers={"Content-Type": "application/json"})
    assert error_of(answer, 413)["code"] == "too_large"


def test_more_rows_than_the_limit_are_refused_naming_the_part(server: LiveServer) -> None:
    many = [record | {"record_id": f"{record['record_id']}-{copy}"} for copy in range(45) for record in EXAMPLE_RECORDS]
    error = error_of(call(server, "POST", "/v1/evaluate", json=body(records=many)), 413)
    assert (error["code"], error["file"]) == ("too_many_rows", "records")
    assert "765" in error["message_en"] and "700" in error["message_en"]
    people = [EXAMPLE_PERSON | {"person_id": f"p{n}"} for n in range(51)]
    assert error_of(call(server, "POST", "/v1/evaluate", json=body(persons=people)), 413)["file"] == "persons"


# --- 422 -----------------------------------------------------------------------------------------


def test_a_cell_that_is_not_a_value_is_refused_naming_part_row_and_column(server: LiveServer) -> None:
    records = [*EXAMPLE_RECORDS[:3], EXAMPLE_RECORDS[3] | {"hours": {"value": 4}}]
    error = error_of(call(server, "POST", "/v1/evaluate", json=body(records=records)), 422)
    assert (error["code"], error["file"], error["line"], error["column"]) == ("invalid_request", "records", 4, "hours")
    assert "records, line 4, column 'hours'" in error["message_en"]
    assert "records 第 4 行，列 'hours'" in error["message"]


@pytest.mark.parametrize(
    ("payload", "column"),
    [
        ({"persons": [EXAMPLE_PERSON], "records": []}, "year"),
        (body(year="2023"), "year"),
        (body(strict="yes"), "strict"),
        (body(extra_key=1), "extra_key"),
        (body(lang="fr"), "lang"),
        (body(records={"not": "a list"}), "records"),
    ],
)
def test_a_request_of_the_wrong_shape_is_refused_naming_the_field(server: LiveServer, payload: dict[str, Any], column: str) -> None:
    error = error_of(call(server, "POST", "/v1/evaluate", json=payload), 422)
    assert error["code"] == "invalid_request" and error["column"] == column
    assert f"field {column!r}" in error["message_en"]


def test_a_body_that_is_not_json_is_422(server: LiveServer) -> None:
    answer = call(server, "POST", "/v1/evaluate", content=b"\xff{not json", headers={"Content-Type": "application/json"})
    assert error_of(answer, 422)["code"] == "invalid_request"


def test_strict_fails_on_the_first_bad_row_with_the_message_the_cli_prints(server: LiveServer) -> None:
    with open(PERSONS, "rb") as persons, open(RECORDS, "rb") as records:
        answer = call(
            server,
            "POST",
            "/v1/evaluate",
            data={"year": "2023", "strict": "true"},
            files={"persons": ("persons.csv", persons.read()), "records": ("records.csv", records.read())},
        )
    error = error_of(answer, 422)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cerules.cli.main",
            "evaluate",
            "--year",
            "2023",
            "--persons",
            "persons.csv",
            "--records",
            "records.csv",
            "--strict",
        ],
        cwd=ROOT / "examples",
        env=cli_environment(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"cerules: {error['message']}"
    assert (error["code"], error["file"], error["column"]) == ("invalid_input", "records.csv", "hours")


def test_a_file_without_a_required_column_is_refused_naming_it(server: LiveServer) -> None:
    answer = call(
        server,
        "POST",
        "/v1/evaluate",
        data={"year": "2023"},
        files={"persons": ("p.csv", b"person_id,city\np1,370200\n"), "records": ("r.csv", b"record_id,person_id,hours\nr1,p1,2\n")},
    )
    error = error_of(answer, 422)
    assert (error["file"], error["line"], error["column"]) == ("r.csv", 1, "subject")


def test_no_persons_and_empty_files_are_refused(server: LiveServer) -> None:
    assert error_of(call(server, "POST", "/v1/evaluate", json=body(persons=[])), 422)["file"] == "persons"
    empty = call(server, "POST", "/v1/evaluate", data={"year": "2023"}, files={"persons": ("p.csv", b""), "records": ("r.csv", b"x")})
    assert error_of(empty, 422)["file"] == "p.csv"


def test_an_upload_path_is_only_a_name(server: LiveServer) -> None:
    answer = call(
        server,
        "POST",
        "/v1/evaluate",
        data={"year": "2023"},
        files={"persons": ("../../etc/passwd.csv", b"person_id\n"), "records": ("/etc/shadow.csv", b"record_id\n")},
    )
    error = error_of(answer, 422)
    assert error["file"] in ("passwd.csv", "shadow.csv") and "/etc" not in answer.text


# --- 415, 401, 404 -------------------------------------------------------------------------------


def test_a_type_it_cannot_read_is_415(server: LiveServer) -> None:
    plain = call(server, "POST", "/v1/evaluate", content=b"person_id", headers={"Content-Type": "text/plain"})
    assert error_of(plain, 415)["code"] == "unsupported_media_type"
    unknown = call(
        server,
        "POST",
        "/v1/evaluate",
        data={"year": "2023"},
        files={"persons": ("people.numbers", b"PK\x03\x04", "application/octet-stream"), "records": ("r.csv", b"record_id\n")},
    )
    assert error_of(unknown, 415)["file"] == "persons"
    broken = call(
        server,
        "POST",
        "/v1/evaluate",
        data={"year": "2023"},
        files={"persons": ("people.xlsx", b"PK\x03\x04", "application/vnd.ms-excel"), "records": ("r.csv", b"record_id\n")},
    )
    assert error_of(broken, 422)["file"] == "people.xlsx"


def test_without_the_token_v1_is_401_and_the_probes_stay_open(server: LiveServer) -> None:
    for token in (None, "wrong"):
        answer = call(server, "GET", "/v1/rules/2023", token=token)
        assert error_of(answer, 401)["code"] == "unauthorized"
        assert answer.headers["www-authenticate"] == "Bearer"
    assert call(server, "GET", "/v1/rules/2023").status_code == 200
    assert call(server, "GET", "/healthz", token=None).json() == {"status": "ok"}
    assert call(server, "GET", "/readyz", token=None).json()["status"] == "ready"
    schema = call(server, "GET", "/openapi.json", token=None).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_an_unknown_path_is_404_in_the_error_shape(server: LiveServer) -> None:
    assert error_of(call(server, "GET", "/v2/evaluate"), 404)["code"] == "not_found"


# --- what the server writes ----------------------------------------------------------------------


def test_the_access_log_has_no_personal_data(server: LiveServer) -> None:
    call(server, "POST", "/v1/evaluate", json=body(), headers={"X-Request-ID": "trace-42"})
    call(server, "GET", "/v1/rules/2023?secret=query")
    lines = [json.loads(line) for line in server.log_text().splitlines() if line.startswith('{"event": "request"')]
    evaluated = [line for line in lines if line["request_id"] == "trace-42"]
    assert evaluated and evaluated[0] | {"ms": 0, "bytes_out": 0} == {
        "event": "request",
        "request_id": "trace-42",
        "method": "POST",
        "route": "/v1/evaluate",
        "status": 200,
        "bytes_in": evaluated[0]["bytes_in"],
        "bytes_out": 0,
        "ms": 0,
        "persons": 1,
        "records": 17,
    }
    assert any(line["route"] == "/v1/rules/{year}" for line in lines)
    logged = server.log_text()
    for personal in ("P003", "济南", "R0030", "secret=query", TOKEN):
        assert personal not in logged
    assert not any("127.0.0.1" in json.dumps(line) for line in lines)  # no client address


def test_cors_is_off_unless_origins_are_given(server: LiveServer, tmp_path: Path) -> None:
    preflight = {"Origin": "https://hr.example.cn", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in call(server, "OPTIONS", "/v1/evaluate", headers=preflight).headers
    with live_server(tmp_path, "--cors-origin", "https://hr.example.cn") as allowing, allowing.client() as client:
        answer = client.options("/v1/evaluate", headers=preflight)
    assert answer.headers["access-control-allow-origin"] == "https://hr.example.cn"


def test_more_unusable_rows_than_max_rejected_fail_the_request(server: LiveServer) -> None:
    broken = [record | {"hours": "many"} for record in EXAMPLE_RECORDS[:3]] + EXAMPLE_RECORDS[3:]
    error = error_of(call(server, "POST", "/v1/evaluate", json=body(records=broken, max_rejected="2")), 422)
    assert error["code"] == "too_many_rejected"
    assert "3 of 18 input rows" in error["message_en"]
    assert call(server, "POST", "/v1/evaluate", json=body(records=broken, max_rejected="3")).status_code == 200
