"""The rules a process serves: loaded once, shared by every request, swapped whole on reload.

A request takes the current `RulesSnapshot` once and uses only it, so a reload never changes the
rules under a request already running: it finishes on the old snapshot while new requests get
the new one. Building a snapshot happens off to the side; only the finished one is published,
in one assignment. A reload that fails leaves the old rules in service.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum

from ..base.errors import CeruleError
from ..plugins.listing import plugin_listing
from ..plugins.loading import choose_pack, load_rules
from ..plugins.manager import Plugins
from ..rules.ruleset import RuleSet
from .settings import ServiceSettings


class NoRulesForYear(CeruleError):
    """The pack served has no rules for the year asked for."""

    def __init__(self, year: int, years: tuple[int, ...]) -> None:
        known = ", ".join(map(str, years)) or "-"
        super().__init__(f"{year} 年度没有规则（已有：{known}）", f"no rules for {year} (years with rules: {known})")
        self.year = year


class NotReady(CeruleError):
    """No rules are loaded yet."""

    def __init__(self) -> None:
        super().__init__("规则尚未加载", "the rules are not loaded yet")


@attrs.frozen
class RulesSnapshot:
    """The rules of every year the pack covers, with the plugin listing, as loaded at one moment."""

    pack: str
    rules: Mapping[int, RuleSet]
    plugins: dict[str, Any]
    generation: int
    loaded_at: str

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.rules))

    def ruleset(self, year: int) -> RuleSet:
        try:
            return self.rules[year]
        except KeyError:
            raise NoRulesForYear(year, self.years) from None

    def digests(self) -> dict[str, str]:
        return {str(year): self.rules[year].sha256 for year in self.years}


class RulesStore:
    """Holds the current snapshot; `reload()` builds a new one and publishes it atomically."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._snapshot: RulesSnapshot | None = None
        self._reloading = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    @property
    def current(self) -> RulesSnapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise NotReady()
        return snapshot

    def reload(self) -> RulesSnapshot:
        """Load the rules again (pack files, plugins) and publish them; raise, keeping the old, when they cannot be used."""
        with self._reloading:  # one reload at a time; requests never wait for it
            generation = 1 if self._snapshot is None else self._snapshot.generation + 1
            snapshot = build_snapshot(self.settings, generation)
            self._snapshot = snapshot
            return snapshot


def build_snapshot(settings: ServiceSettings, generation: int = 1) -> RulesSnapshot:
    """Every year of the pack under the settings' plugins: the same `load_rules` as the command line."""
    plugins = _plugins(settings)
    pack = choose_pack(settings.pack, plugins)
    years = pack.known_years()
    chosen: bool = settings.plugins
    rules = {year: load_rules(year, plugins=chosen, skip=settings.skip_plugins, pack=pack) for year in years}
    listing = plugin_listing(plugins, years)
    return RulesSnapshot(pack.id, rules, listing, generation, pendulum.now("Asia/Shanghai").isoformat())


def _plugins(settings: ServiceSettings) -> Plugins:
    if not settings.plugins:
        return Plugins(installed=False)
    return Plugins(skip=settings.skip_plugins, keep_going=True)


__all__ = ["NoRulesForYear", "NotReady", "RulesSnapshot", "RulesStore", "build_snapshot"]
