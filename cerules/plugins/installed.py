"""Installed plugins: found through the entry-point group `cerules`, chosen by `CERULES_LOAD_PLUGINS`.

A selection is `None` (every installed plugin: the variable unset) or a set of entry-point or
distribution names (`CERULES_LOAD_PLUGINS=qingdao,cerules-health`; empty: none). Finding imports
the chosen plugins' modules; one that cannot be imported, or a chosen name that is not installed,
becomes a problem, reported by whoever uses the plugins.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import attrs

ENTRY_POINT_GROUP = "cerules"
ENVIRONMENT = "CERULES_LOAD_PLUGINS"

Selection = frozenset[str] | None


@attrs.frozen
class Found:
    """A plugin to register: its name, where it comes from and its module (or object)."""

    name: str
    distribution: str | None
    version: str | None
    module: Any
    builtin: bool = False


@attrs.frozen
class Problem:
    """Why a plugin is left out, in zh and en."""

    plugin: str
    zh: str
    en: str


@attrs.frozen
class Discovered:
    found: tuple[Found, ...] = ()
    problems: tuple[Problem, ...] = ()


def selection(names: Iterable[str] | None = None) -> Selection:
    """The chosen names: given ones, else from `CERULES_LOAD_PLUGINS` (unset: `None`, all)."""
    if names is not None:
        return frozenset(names)
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is None:
        return None
    return frozenset(name.strip() for name in chosen.split(",") if name.strip())


def entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def discover(chosen: Selection) -> Discovered:
    """Import the chosen installed plugins (scanning the entry points only when some are chosen)."""
    if chosen is not None and not chosen:
        return Discovered()
    found: list[Found] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for entry_point in entry_points():
        distribution = entry_point.dist.name if entry_point.dist else None
        if chosen is not None and entry_point.name not in chosen and distribution not in chosen:
            continue
        seen |= {entry_point.name, distribution or entry_point.name}
        try:
            module = entry_point.load()
        except Exception as exc:  # a plugin's import may raise anything
            reason = f"{type(exc).__name__}: {exc}"
            problems.append(Problem(distribution or entry_point.name, f"无法导入：{reason}", f"cannot be imported: {reason}"))
            continue
        found.append(Found(entry_point.name, distribution, entry_point.dist.version if entry_point.dist else None, module))
    for missing in sorted((chosen or frozenset()) - seen):
        problems.append(
            Problem(
                missing,
                f"未安装（入口点组 '{ENTRY_POINT_GROUP}' 中没有它）",
                f"is not installed (no entry point in the group '{ENTRY_POINT_GROUP}')",
            )
        )
    return Discovered(tuple(found), tuple(problems))
