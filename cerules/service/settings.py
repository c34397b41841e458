"""How a service process is configured: the rules it serves, its limits and its token."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import attrs

ENVIRONMENT_KEY = "CERULES_SERVICE_SETTINGS"
"""Settings handed to worker processes (JSON), which uvicorn starts by importing the app factory."""

TOKEN_KEY = "CERULES_SERVICE_TOKEN"
"""The API token, when not given as a file: never on the command line, where `ps` shows it."""


@attrs.frozen
class ServiceSettings:
    """A service's configuration; every limit has a default fit for one machine."""

    pack: str | None = None
    """The rule pack (`--rules-dir` folder or `--pack` id); default as `load_rules`."""
    plugins: bool = True
    """Load the installed plugins (False: the pack's layers alone)."""
    skip_plugins: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    """Installed plugins left out on purpose (`--skip-plugin`)."""
    token: str | None = attrs.field(default=None, repr=False)
    """When set, `/v1/*` asks for `Authorization: Bearer <token>`; reloading over HTTP needs it."""
    max_body_bytes: int = 64 * 1024 * 1024
    """The largest request body; above it 413."""
    max_records: int = 1_000_000
    """The most records one request may carry (persons and records counted apart); above it 413."""
    max_persons: int = 200_000
    timeout_seconds: float = 120.0
    """An evaluation still running after this long is given up (504)."""
    evaluation_threads: int = 2
    """Evaluations run at once in one process; more wait their turn."""
    cors_origins: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    """Origins allowed to call from a browser; none (CORS off) by default."""

    def to_environment(self) -> str:
        """The settings as JSON, for `ENVIRONMENT_KEY` in a worker's environment."""
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ServiceSettings:
        """The settings a parent process left in the environment (defaults when none), the token from its own variable."""
        given: dict[str, Any] = json.loads(environ.get(ENVIRONMENT_KEY, "{}"))
        if given.get("token") is None and environ.get(TOKEN_KEY):
            given["token"] = environ[TOKEN_KEY]
        return cls(**given)


__all__ = ["ENVIRONMENT_KEY", "TOKEN_KEY", "ServiceSettings"]
