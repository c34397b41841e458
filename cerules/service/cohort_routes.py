"""`POST /v1/evaluate`, `/v1/explain` and `/v1/drafts/impact`: a cohort (rows or uploaded files) through the library."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ..evaluation.cohort import input_tables
from ..inputs.normalise import REQUIRED_PERSON_COLUMNS, REQUIRED_RECORD_COLUMNS
from ..inputs.reading import Table
from ..rules.ruleset import RuleSet
from .bodies import (
    JSON,
    MULTIPART,
    check_rows,
    form_model,
    form_parts,
    json_body,
    media_type,
    rows_table,
    unsupported,
    upload_table,
)
from .errors import ApiError
from .models import EvaluateOptions, EvaluateRequest, ExplainRequest, ImpactOptions, ImpactRequest
from .openapi import ERRORS, request_body
from .rules_store import NoRulesForYear
from .work import Deadline, EvaluationTimeout, draft_of, evaluation_bytes, explanation, impact_document

router = APIRouter()

_FILE_PARTS = frozenset({"persons", "records", "draft"})
"""The parts of a form that are files; every other part is an option, checked by name."""

Result = TypeVar("Result")


async def in_worker(request: Request, work: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """Run CPU-bound work on a worker thread, a few at a time, within the service's time limit (504 after it)."""
    settings = request.app.state.settings
    try:
        with anyio.fail_after(settings.timeout_seconds):  # the thread, abandoned, stops at its next chunk
            return await anyio.to_thread.run_sync(lambda: work(*args, **kwargs), limiter=request.app.state.limiter, abandon_on_cancel=True)
    except (TimeoutError, EvaluationTimeout):
        raise ApiError(
            504,
            "timeout",
            f"评估超过 {settings.timeout_seconds:g} 秒未完成，已放弃；请分批提交",
            f"the evaluation took longer than {settings.timeout_seconds:g} s and was given up; send the cohort in parts",
        ) from None


MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
"""What `/v1/evaluate` answers in, chosen by the request's `Accept`."""


def answer_format(accept: str) -> str:
    """The first of CSV, a workbook or the report page the client accepts by name; else the JSON document."""
    for fmt in ("csv", "xlsx", "html"):
        if MEDIA_TYPES[fmt].split(";")[0] in accept:
            return fmt
    return "json"


def rules_for(request: Request, year: int) -> RuleSet:
    """The rules of a year from the snapshot current when the request began (422 for a year without rules)."""
    try:
        return request.app.state.store.current.ruleset(year)
    except NoRulesForYear as exc:
        raise ApiError(422, "no_rules", exc.zh, exc.en, column="year") from None


def _counted(request: Request, persons: Table, records: Table) -> None:
    """The sizes of the request, for the access log (numbers only)."""
    request.scope["cerules.counts"] = {"persons": len(persons), "records": len(records)}


async def _cohort(request: Request, json_model: type[BaseModel], form_options: type[BaseModel]) -> tuple[Any, Table, Table, dict[str, Any]]:
    """The options and the persons and records tables of a JSON or multipart request."""
    kind = media_type(request)
    files: dict[str, Any] = {}
    if kind == JSON:
        body: Any = await json_body(request, json_model)
        options = body
        persons = await anyio.to_thread.run_sync(rows_table, body.persons, "persons")
        records = await anyio.to_thread.run_sync(rows_table, body.records, "records")
    elif kind == MULTIPART:
        fields, files = await form_parts(request)
        options = form_model({key: value for key, value in fields.items() if key not in _FILE_PARTS}, form_options)
        persons = await upload_table(files, "persons", REQUIRED_PERSON_COLUMNS)
        records = await upload_table(files, "records", REQUIRED_RECORD_COLUMNS)
    else:
        raise unsupported(kind)
    persons, records = input_tables(persons, records)  # the required columns, as for files
    check_rows(request.app.state.settings, persons, records)
    _counted(request, persons, records)
    return options, persons, records, files


@router.post(
    "/evaluate",
    summary="Evaluate a cohort's year",
    description=(
        "Persons and records as JSON rows (the contract's columns) or as uploaded files (multipart: `persons`, `records`, "
        "`.csv`/`.jsonl`/`.parquet`/`.xlsx`). The answer is the contract's JSON document — the bytes `cerules evaluate --format json` "
        "writes for the same input — or, by `Accept`, its CSV (`text/csv`), the workbook "
        "(`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) or the report page (`text/html`)."
    ),
    openapi_extra=request_body("EvaluateRequest", EvaluateOptions, files=("persons", "records")),
    responses={
        200: {
            "description": "the contract's document",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EvaluationDocument"}},
                "text/csv": {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **ERRORS,
    },
    response_class=Response,
)
async def evaluate(request: Request) -> Response:
    options, persons, records, _ = await _cohort(request, EvaluateRequest, EvaluateOptions)
    rules = rules_for(request, options.year)
    fmt = answer_format(request.headers.get("accept", ""))
    content = await in_worker(
        request,
        evaluation_bytes,
        rules,
        persons,
        records,
        fmt=fmt,
        lang=options.lang,
        strict=options.strict,
        unit_level_default=options.unit_level_default,
        max_record_amount=None if options.max_record_amount is None else repr(options.max_record_amount),
        max_rejected=options.max_rejected,
        deadline=Deadline(request.app.state.settings.timeout_seconds),
    )
    media = MEDIA_TYPES[fmt]
    return Response(content, media_type=media, headers={"X-Rules-Sha256": rules.sha256})


@router.post(
    "/explain",
    summary="Explain one person's year",
    description="One person and their records; the verdict in a sentence, the explanation citing the rules (zh or en), and the data.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExplainRequest"}}}}
    },
    responses={200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Explanation"}}}}, **ERRORS},
    response_class=JSONResponse,
)
async def explain(request: Request) -> JSONResponse:
    kind = media_type(request)
    if kind != JSON:
        raise unsupported(kind)
    body = await json_body(request, ExplainRequest)
    rules = rules_for(request, body.year)
    person = body.person.model_dump(exclude_unset=True)
    records = [record.model_dump(exclude_unset=True) for record in body.records]
    settings = request.app.state.settings
    if len(records) > settings.max_records:
        raise ApiError(
            413, "too_many_rows", f"记录超过上限 {settings.max_records} 行", f"records above the limit of {settings.max_records}"
        )
    request.scope["cerules.counts"] = {"persons": 1, "records": len(records)}
    answer = await in_worker(request, explanation, rules, person, records, lang=body.lang, unit_level_default=body.unit_level_default)
    return JSONResponse(answer)


@router.post(
    "/drafts/impact",
    summary="A draft's impact on a cohort",
    description=(
        "A draft (TOML text, or rule paths to values) on top of a year's rules, against a cohort given as rows or uploaded files "
        "(multipart: `draft` (.toml), `persons`, `records`): who passes before and after, who flips, by city, unit level, "
        "department and title series, and the resolved values the draft changes. Nothing is published."
    ),
    openapi_extra=request_body("ImpactRequest", ImpactOptions, files=("draft", "persons", "records")),
    responses={200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImpactDocument"}}}}, **ERRORS},
    response_class=JSONResponse,
)
async def draft_impact(request: Request) -> JSONResponse:
    options, persons, records, files = await _cohort(request, ImpactRequest, ImpactOptions)
    if isinstance(options, ImpactRequest):
        source: str | dict[str, Any] = options.draft
    else:
        upload = files.get("draft")
        if upload is None:
            raise ApiError(422, "invalid_request", "缺少上传文件 'draft'", "missing the uploaded file 'draft'", file="draft")
        data = await upload.read()
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, "invalid_draft", "草案不是 UTF-8 文本", "the draft is not UTF-8 text", file="draft") from None
    rules = rules_for(request, options.year)
    draft = draft_of(source)  # a draft refused whole is a DraftError: 422 naming every bad key
    document = await in_worker(request, impact_document, rules, draft, persons, records, lang=options.lang)
    return JSONResponse(document)


__all__ = ["router"]
