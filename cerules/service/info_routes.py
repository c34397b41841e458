"""What the service serves: the rules of each year with citations, the plugins, the reason codes;
health and readiness; reloading the rules."""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from ..base.errors import CeruleError
from ..kernel.reasons import CREDITED, REASONS
from ..rules.describe import describe_rules
from .auth import has_token
from .errors import ApiError
from .models import ErrorResponse, Health, Readiness, RulesDocument, YearsDocument
from .rules_store import NoRulesForYear, RulesStore

log = logging.getLogger("cerules.service")

router = APIRouter()
"""Under /v1, behind the token when there is one."""

probes = APIRouter()
"""/healthz and /readyz: open, for load balancers and orchestrators."""

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no rules for that year", "model": ErrorResponse}}


@router.get("/rules", summary="The years with rules", response_model=YearsDocument)
def years(request: Request) -> dict[str, Any]:
    snapshot = request.app.state.store.current
    return {
        "pack": snapshot.pack,
        "years": list(snapshot.years),
        "sha256": snapshot.digests(),
        "generation": snapshot.generation,
        "loaded_at": snapshot.loaded_at,
    }


@router.get(
    "/rules/{year}",
    summary="A year's effective rules",
    description="Every layer and every value with its citation, and the rule set's sha256 (as `cerules rules show --json`).",
    response_model=RulesDocument,
    responses=_NOT_FOUND,
)
def rules(request: Request, year: int = Path(ge=1900, le=2200)) -> dict[str, Any]:
    try:
        ruleset = request.app.state.store.current.ruleset(year)
    except NoRulesForYear as exc:
        raise ApiError(404, "no_rules", exc.zh, exc.en) from None
    return describe_rules(ruleset)


@router.get("/plugins", summary="The plugins loaded", description="As `cerules plugins --json`: layers, scopes, hooks, packs.")
def plugins(request: Request) -> dict[str, Any]:
    return request.app.state.store.current.plugins


@router.get("/reasons", summary="The reason codes", description="Each code a rejected record may carry, with its message in zh and en.")
def reasons() -> list[dict[str, str]]:
    return [{"code": reason.name, "zh": reason.text.zh, "en": reason.text.en} for reason in REASONS if reason.code != CREDITED]


@router.post(
    "/admin/reload",
    summary="Reload the rules",
    description=(
        "Read the rule pack and the plugins again and swap them in at once; requests already running finish on the old rules. "
        "Needs the service's API token (a service without one reloads on SIGHUP only). On failure the old rules stay."
    ),
    response_model=YearsDocument,
    responses={403: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
)
async def reload(request: Request) -> dict[str, Any]:
    if not has_token(request):
        raise ApiError(
            403,
            "forbidden",
            "未设置 API 令牌的服务不能经 HTTP 重新加载规则；请发送 SIGHUP 信号",
            "a service without an API token cannot reload its rules over HTTP; send it SIGHUP",
        )
    store: RulesStore = request.app.state.store
    try:
        await anyio.to_thread.run_sync(store.reload)
    except CeruleError as exc:
        raise ApiError(
            409, "rules_not_loaded", f"新规则无法使用，仍使用原规则：{exc.zh}", f"the new rules cannot be used; the old ones stay: {exc.en}"
        ) from None
    log.info("rules reloaded over HTTP: generation %s", store.current.generation)
    return years(request)


@probes.get("/healthz", summary="Liveness", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@probes.get(
    "/readyz",
    summary="Readiness",
    description="200 once the rules are loaded; 503 before.",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
)
def readyz(request: Request) -> Any:
    store: RulesStore = request.app.state.store
    if not store.ready:
        return JSONResponse({"status": "not_ready"}, status_code=503)
    snapshot = store.current
    return {"status": "ready", "pack": snapshot.pack, "years": list(snapshot.years), "generation": snapshot.generation}


__all__ = ["probes", "router"]
