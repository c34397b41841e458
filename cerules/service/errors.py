"""Every error answer has one shape (`ErrorResponse`): a code, the message in zh and en, and where.

Input the engine cannot use is 422 with the contract's file/line/column; a request over a limit
is 413; a missing or wrong token 401; anything unexpected 500 with a request id and no
traceback (the traceback goes to the server's log, never to the caller).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..base.errors import CeruleError
from ..evaluation.quality import TooManyRejected
from ..inputs.table import InputError
from ..rules.files import RulesError
from ..whatif.problems import DraftError

log = logging.getLogger("cerules.service")


class ApiError(Exception):
    """An answer other than success, with its status, code and bilingual message."""

    def __init__(
        self,
        status: int,
        code: str,
        zh: str,
        en: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        problems: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(en)
        self.status, self.code, self.zh, self.en = status, code, zh, en
        self.where = {"file": file, "line": line, "column": column}
        self.problems = list(problems)
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"code": self.code, "message": self.zh, "message_en": self.en}
        body |= {key: value for key, value in self.where.items() if value is not None}
        if self.problems:
            body["problems"] = self.problems
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


def from_cerule_error(exc: CeruleError) -> ApiError:
    """The engine's own errors: bad input (file, line, column), a bad draft (each key), anything else it refuses."""
    if isinstance(exc, InputError):
        return ApiError(422, "invalid_input", exc.zh, exc.en, file=exc.path, line=exc.line, column=exc.column)
    if isinstance(exc, DraftError):
        problems = [{"file": exc.file, "column": p.path, "message": p.message, "message_en": p.message} for p in exc.problems]
        return ApiError(422, "invalid_draft", exc.zh, exc.en, file=exc.file, problems=problems)
    if isinstance(exc, RulesError):
        return ApiError(422, "invalid_rules", exc.zh, exc.en, file=exc.file, column=exc.key)
    if isinstance(exc, TooManyRejected):
        return ApiError(422, "too_many_rejected", exc.zh, exc.en)
    return ApiError(422, "invalid_input", exc.zh, exc.en)


_ZH = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的键",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "literal_error": "取值不在允许范围内",
    "list_type": "应为数组",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "bool_parsing": "应为 true 或 false",
    "string_too_long": "文本过长",
    "float_parsing": "应为数字",
}

_CELL = ("a cell must be text, a number, true/false or null", "单元格应为文本、数字、布尔值或空")


def validation_problems(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors in the contract's terms: `persons`, line (rows counted from 1), column; one per place."""
    problems: dict[tuple[Any, ...], dict[str, Any]] = {}
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "body"]
        file = line = column = None
        in_row = len(location) >= 2 and location[0] in ("persons", "records") and isinstance(location[1], int)
        if in_row:
            file, line = str(location[0]), location[1] + 1
            column = ".".join(str(part) for part in location[2:3]) or None
        elif location:
            column = ".".join(str(part) for part in location)
        key = (file, line, column)
        en = str(error.get("msg", "invalid value"))
        zh = _ZH.get(str(error.get("type")), "值无效")
        if key in problems:  # several members of a union refused the same cell
            if in_row and column is not None:
                problems[key] |= {"message": _CELL[1], "message_en": _CELL[0]}
            continue
        problems[key] = {"file": file, "line": line, "column": column, "message": f"{zh}（{en}）", "message_en": en}
    return list(problems.values())


def invalid_request(problems: list[dict[str, Any]]) -> ApiError:
    """422 for a request of the wrong shape, naming its first problem (all of them in `problems`)."""
    first = problems[0] if problems else {"message": "请求无效", "message_en": "invalid request"}
    file, line, column = first.get("file"), first.get("line"), first.get("column")
    noun_en, noun_zh = ("column", "列") if file else ("field", "字段")  # a cell of a row, or a field of the request
    where_en = ", ".join(part for part in (file, f"line {line}" if line else None, column and f"{noun_en} {column!r}") if part)
    where_zh = "，".join(part for part in (f"{file or ''} 第 {line} 行" if line else file, column and f"{noun_zh} {column!r}") if part)
    en = f"{where_en}: {first['message_en']}" if where_en else first["message_en"]
    zh = f"{where_zh}：{first['message']}" if where_zh else first["message"]
    count = len(problems)
    return ApiError(
        422,
        "invalid_request",
        f"请求无效（共 {count} 处）：{zh}",
        f"invalid request ({count} problem{'' if count == 1 else 's'}): {en}",
        problems=problems,
        **_where(first),
    )


def _where(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: problem.get(key) for key in ("file", "line", "column")}


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable", 401: "unauthorized", 403: "forbidden"}


def install_handlers(app: FastAPI) -> None:
    """Turn every exception into the one error shape."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(CeruleError)
    async def cerule_error(request: Request, exc: CeruleError) -> JSONResponse:
        return from_cerule_error(exc).response()

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(validation_problems(exc.errors())).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        detail = str(exc.detail)
        return ApiError(exc.status_code, code, detail, detail, headers=getattr(exc, "headers", None)).response()

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = request.scope.get("cerules.request_id", "-")
        log.exception("unexpected error in request %s", request_id)
        return ApiError(
            500,
            "internal",
            f"服务内部错误（请求编号 {request_id}），已记录",
            f"internal error (request {request_id}); it has been logged",
        ).response()


__all__ = ["ApiError", "from_cerule_error", "install_handlers", "invalid_request", "validation_problems"]
