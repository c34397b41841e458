"""The optional API token: `Authorization: Bearer <token>` on every `/v1` call when the service has one."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import ApiError

bearer = HTTPBearer(auto_error=False, description="the service's API token, when it is started with one (--token-file)")


def require_token(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Pass when the service has no token, or the request carries it; 401 otherwise."""
    token: str | None = request.app.state.settings.token
    if token is None:
        return
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        raise ApiError(
            401,
            "unauthorized",
            "缺少或错误的 API 令牌（Authorization: Bearer …）",
            "missing or wrong API token (Authorization: Bearer …)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def has_token(request: Request) -> bool:
    return request.app.state.settings.token is not None


__all__ = ["bearer", "has_token", "require_token"]
