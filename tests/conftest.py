"""Shared fixtures: the 2023 rules, the bundled example cohort, and small builders of rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import cerules
from cerules.rules import RuleSet

from .browser import browser, page  # noqa: F401  (one headless Chromium for the whole session: defined here once)

# No per-example deadlines: these machines are shared, and the first call into compiled code
# (numba) loads or builds its cache. Speed is measured in benchmarks/, never in tests.
settings.register_profile("cerules", deadline=None)
settings.load_profile("cerules")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def _no_installed_plugins_unless_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the provincial rules alone, whatever plugins this environment has installed,
    unless marked `installed_plugins`."""
    if request.node.get_closest_marker("installed_plugins") is None:
        monkeypatch.setenv("CERULES_LOAD_PLUGINS", "")


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The provincial 2023 rules alone (what the contract's --no-plugins evaluates)."""
    return cerules.load_rules(2023, plugins=False)


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


def person(person_id: str = "p1", city: str = "370200", unit_level: str = "city", **more: Any) -> dict[str, Any]:
    return {"person_id": person_id, "city": city, "unit_level": unit_level, **more}


_counter: Iterator[int] = iter(range(1, 10**9))


def record(
    subject: str = "public",
    hours: Any = 2,
    completed_at: str = "2023-06-01T10:00:00",
    person_id: str = "p1",
    record_id: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    return {
        "record_id": record_id or f"r{next(_counter)}",
        "person_id": person_id,
        "subject": subject,
        "hours": hours,
        "completed_at": completed_at,
        **more,
    }
