"""The engine over HTTP: an ASGI application (FastAPI) for tools that do not speak Python.

    cerules serve --port 8000                      # uvicorn, rules loaded once per process
    curl -s localhost:8000/v1/rules/2023

Every answer comes from the same library calls as the command line (`cerules evaluate`,
`rules show --json`, `plugins --json`, a draft's impact); nothing here decides a record. The
package is an optional extra (`pip install cerules[service]`) that no lower layer imports.
See docs/service.md.
"""

from __future__ import annotations

from .app import create_app
from .settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
