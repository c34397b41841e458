"""The ASGI application: routes, limits, the token, the error shape and the rules loaded once per process."""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ..base.version import __version__
from . import cohort_routes, info_routes
from .auth import require_token
from .errors import install_handlers
from .middleware import AccessLog, BodyLimit
from .openapi import ERRORS, install_openapi
from .rules_store import RulesStore
from .settings import ServiceSettings

log = logging.getLogger("cerules.service")

DESCRIPTION = """山东省专业技术人员继续教育规则引擎 · the continuing-education rules engine over HTTP.

Each answer comes from the same library calls as the `cerules` command: `POST /v1/evaluate` gives
the data contract's JSON document (docs/contract.md). Errors have one shape, `{"error": {"code",
"message", "message_en", "file", "line", "column"}}`. See docs/service.md."""


def create_app(settings: ServiceSettings | None = None, *, reload_on_sighup: bool = False) -> FastAPI:
    """The application for `settings` (defaults when None). The rules load when it starts (its lifespan).

    `reload_on_sighup` makes SIGHUP reload the rules, as `cerules serve` does; an application
    mounted elsewhere leaves signals to its host.
    """
    settings = settings or ServiceSettings()
    store = RulesStore(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(store.reload)  # rules that cannot be used stop the start, with their message
        app.state.limiter = anyio.CapacityLimiter(settings.evaluation_threads)
        async with anyio.create_task_group() as tasks:
            if reload_on_sighup:
                tasks.start_soon(_reload_on_sighup, store)
            yield
            tasks.cancel_scope.cancel()

    app = FastAPI(
        title="cerules",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[{"name": "v1", "description": "the engine, version 1 of the interface"}],
    )
    app.state.settings, app.state.store = settings, store
    locked: dict[str, Any] = {"prefix": "/v1", "tags": ["v1"], "dependencies": [Depends(require_token)], "responses": {401: ERRORS[401]}}
    app.include_router(cohort_routes.router, **locked)
    app.include_router(info_routes.router, **locked)
    app.include_router(info_routes.probes, tags=["probes"])
    install_handlers(app)
    install_openapi(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app


def create_app_from_environment() -> FastAPI:
    """The application for settings left in the environment (`CERULES_SERVICE_SETTINGS`, `CERULES_SERVICE_TOKEN`),
    for an ASGI server started on its own: `uvicorn --factory cerules.service.app:create_app_from_environment`."""
    return create_app(ServiceSettings.from_environment(), reload_on_sighup=True)


async def _reload_on_sighup(store: RulesStore) -> None:
    with anyio.open_signal_receiver(signal.SIGHUP) as signals:
        async for _ in signals:
            try:
                await anyio.to_thread.run_sync(store.reload)
                log.info("rules reloaded on SIGHUP: generation %s", store.current.generation)
            except Exception as exc:  # the old rules stay in service
                log.error("rules not reloaded, the old ones stay: %s", exc)


__all__ = ["create_app", "create_app_from_environment"]
