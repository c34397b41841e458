"""Plain ASGI middleware: a request id, the body-size limit, and an access log without personal data."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError

access_log = logging.getLogger("cerules.service.access")


class BodyTooLarge(Exception):
    pass


def too_large(limit: int) -> ApiError:
    mib = limit / 1024 / 1024
    return ApiError(
        413,
        "too_large",
        f"请求体超过上限 {mib:g} MiB；请分批提交，或请管理员调高 --max-body-mb",
        f"request body above the limit of {mib:g} MiB; send it in parts, or ask for a higher --max-body-mb",
    )


class BodyLimit:
    """Refuse a body above `limit` bytes with 413: at once when Content-Length says so, else as it streams in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_large(self.limit).response()(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await too_large(self.limit).response()(scope, receive, send)


def route_template(scope: Scope) -> str:
    """The path with its parameters named (`/v1/rules/{year}`), never their values; `<unmatched>` when no route took it."""
    if "endpoint" not in scope:
        return "<unmatched>"
    values = {str(value): name for name, value in scope.get("path_params", {}).items()}
    return "/".join(f"{{{values[part]}}}" if part in values else part for part in scope["path"].split("/"))


class AccessLog:
    """One JSON line per request: method, route (the template, never values), status, sizes, time, request id.

    No client address, query string, body or person id is ever written.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if given and len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        scope["cerules.request_id"] = request_id
        started = time.perf_counter()
        status = 500
        size_in = size_out = 0

        async def counted() -> Message:
            nonlocal size_in
            message = await receive()
            size_in += len(message.get("body", b""))
            return message

        async def with_id(message: Message) -> None:
            nonlocal status, size_out
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode("latin-1"))]
            elif message["type"] == "http.response.body":
                size_out += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counted, with_id)
        finally:
            entry: dict[str, Any] = {
                "event": "request",
                "request_id": request_id,
                "method": scope["method"],
                "route": route_template(scope),
                "status": status,
                "bytes_in": size_in,
                "bytes_out": size_out,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            entry |= scope.get("cerules.counts", {})
            access_log.info(json.dumps(entry, ensure_ascii=False))


__all__ = ["AccessLog", "BodyLimit", "BodyTooLarge", "too_large"]
