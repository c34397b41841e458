"""A real headless browser for tests: Playwright driving the system's Chromium (a Debian package).

Playwright's own browser download is not used; `.ci/run` installs Chromium with apt so that CI runs
these tests. Elsewhere, without Chromium or Playwright, they skip and say why. The fixtures are
defined once, in conftest.py (two sync Playwright sessions cannot run in one thread).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """The browser to drive: `CERULES_CHROMIUM`, else the first Chromium on PATH."""
    given = os.environ.get("CERULES_CHROMIUM")
    if given:
        return given
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the session, or a skip naming what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium, or set CERULES_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class Console:
    """What a page wrote to its console and the errors it raised: a page under test must have none."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", lambda request: self.errors.append(f"request failed: {request.url}"))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (1280×900) whose console errors are collected in `page.console.errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.console = Console(opened)
    try:
        yield opened
    finally:
        context.close()
