"""Request bodies into the engine's tables: JSON rows, or uploaded files read by their type.

An uploaded file is read from its bytes; its name only chooses the reader and names it in
messages (no path from a request is ever opened). Limits on rows are checked here: 413.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

import anyio
from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ..inputs.cells import table_from_rows
from ..inputs.normalise import PERSON_COLUMNS, RECORD_COLUMNS
from ..inputs.reading import SUFFIXES, Table, read_bytes
from ..inputs.table import InputError
from .errors import ApiError, invalid_request, validation_problems
from .settings import ServiceSettings

Model = TypeVar("Model", bound=BaseModel)

JSON, MULTIPART = "application/json", "multipart/form-data"

_SUFFIX_OF_TYPE = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "application/vnd.apache.parquet": ".parquet",
    "application/x-parquet": ".parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported(kind: str) -> ApiError:
    return ApiError(
        415,
        "unsupported_media_type",
        f"不支持的请求类型 {kind or '（无）'}；请用 application/json 或 multipart/form-data（上传 .csv、.jsonl、.parquet 或 .xlsx 文件）",
        f"unsupported request type {kind or '(none)'}; use application/json or multipart/form-data "
        "(uploading .csv, .jsonl, .parquet or .xlsx files)",
    )


async def json_body(request: Request, model: type[Model]) -> Model:
    """The JSON body validated by `model` (in one pass, in Rust); 422 naming each row and column otherwise."""
    body = await request.body()
    try:  # off the event loop: a large body takes a while, and the probes must still answer
        return await anyio.to_thread.run_sync(lambda: model.model_validate_json(body, strict=True))  # JSON has types
    except ValidationError as exc:
        raise invalid_request(validation_problems(exc.errors(include_url=False))) from None


def rows_table(rows: list[BaseModel], name: str) -> Table:
    """Rows as the library takes them: only the keys each row gave (a missing key is a blank cell)."""
    return table_from_rows([row.model_dump(exclude_unset=True) for row in rows], path=name)


async def form_parts(request: Request) -> tuple[dict[str, str], dict[str, UploadFile]]:
    """A multipart form's text fields and files."""
    try:
        form = await request.form(max_files=4, max_fields=16)
    except HTTPException as exc:  # the form parser's own refusal (malformed, too many parts)
        raise ApiError(422, "invalid_request", f"multipart 请求体无效：{exc.detail}", f"invalid multipart body: {exc.detail}") from None
    fields: dict[str, str] = {}
    files: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            files[key] = value
        else:
            fields[key] = value
    return fields, files


def form_model(fields: dict[str, str], model: type[Model], **more: Any) -> Model:
    """A form's text fields validated by `model` (numbers and booleans read from text); 422 otherwise."""
    try:
        return model.model_validate({**fields, **more})
    except ValidationError as exc:
        raise invalid_request(validation_problems(exc.errors(include_url=False))) from None


def upload_name(upload: UploadFile, part: str) -> str:
    """The name an upload is known by in messages, with a suffix that chooses its reader: never a path."""
    given = upload.filename or ""
    base = PureWindowsPath(PurePosixPath(given).name).name.strip() or part
    base = "".join(ch for ch in base if ch.isprintable())[:120] or part
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in SUFFIXES:
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        guessed = _SUFFIX_OF_TYPE.get(content_type)
        if guessed is None:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"{part}：无法判断文件类型（文件名 {given!r}，类型 {content_type or '（无）'}）；"
                "请上传 .csv、.jsonl、.parquet 或 .xlsx 文件",
                f"{part}: cannot tell the file's type (name {given!r}, type {content_type or '(none)'}); "
                "upload a .csv, .jsonl, .parquet or .xlsx file",
                file=part,
            )
        base = f"{base}{guessed}"
    return base


async def upload_table(files: dict[str, UploadFile], part: str, required: tuple[str, ...]) -> Table:
    """The uploaded file of a form part, read by its type (of a Parquet file, only the columns the engine reads)."""
    upload = files.get(part)
    if upload is None:
        raise ApiError(422, "invalid_request", f"缺少上传文件 {part!r}", f"missing the uploaded file {part!r}", column=part, file=part)
    name = upload_name(upload, part)
    data = await upload.read()
    columns = PERSON_COLUMNS if part == "persons" else RECORD_COLUMNS
    return await anyio.to_thread.run_sync(lambda: read_bytes(name, data, required=required, columns=columns))


def check_rows(settings: ServiceSettings, persons: Table, records: Table) -> None:
    """413 above the row limits; 422 for a cohort without persons."""
    for table, limit, what_zh, what_en in (
        (persons, settings.max_persons, "人员", "persons"),
        (records, settings.max_records, "记录", "records"),
    ):
        if len(table) > limit:
            raise ApiError(
                413,
                "too_many_rows",
                f"{what_zh}共 {len(table)} 行，超过单次请求上限 {limit} 行；请分批提交",
                f"{len(table)} {what_en}, above the limit of {limit} for one request; send them in parts",
                file=table.path,
            )
    if len(persons) == 0:
        raise InputError(persons.path, "没有人员", "no persons", line=1)


__all__ = [
    "JSON",
    "MULTIPART",
    "check_rows",
    "form_model",
    "form_parts",
    "json_body",
    "media_type",
    "rows_table",
    "unsupported",
    "upload_table",
]
