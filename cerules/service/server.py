"""Serving the application with uvicorn: one process, or several workers started by uvicorn's supervisor."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from .settings import ENVIRONMENT_KEY, ServiceSettings


def configure_logging(level: str = "info") -> None:
    """The service's own log lines (the access log is one JSON object a line) on standard error."""
    logger = logging.getLogger("cerules.service")
    if not any(getattr(handler, "_cerules", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._cerules = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def serve(settings: ServiceSettings, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info") -> None:
    """Run until interrupted. uvicorn's own access log is off: it would write client addresses and query strings."""
    import uvicorn

    from .app import create_app

    configure_logging(log_level)
    common: dict[str, Any] = {"host": host, "port": port, "access_log": False, "log_level": log_level, "timeout_graceful_shutdown": 30}
    if workers > 1:  # each worker imports the factory and reads its settings from the environment
        os.environ[ENVIRONMENT_KEY] = settings.to_environment()
        os.environ["CERULES_SERVICE_LOG_LEVEL"] = log_level
        uvicorn.run("cerules.service.server:worker_app", factory=True, workers=workers, **common)
    else:
        uvicorn.run(create_app(settings, reload_on_sighup=True), **common)


def worker_app() -> object:
    """The application of one worker process of `cerules serve --workers N`."""
    from .app import create_app_from_environment

    configure_logging(os.environ.get("CERULES_SERVICE_LOG_LEVEL", "info"))
    return create_app_from_environment()


__all__ = ["configure_logging", "serve", "worker_app"]
