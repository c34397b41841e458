"""Installed plugins: found through the entry-point group `cerules`, chosen by `CERULES_LOAD_PLUGINS`.

A selection is `None` (every installed plugin: the variable unset) or a set of entry-point or
distribution names (`CERULES_LOAD_PLUGINS=qingdao,cerules-health`; empty: none). Plugins the
user skips (`--skip-plugin NAME`) are left out of it unimported, and remembered, so that results
can say so. Finding imports the chosen plugins' modules; one that cannot be imported (whatever it
raises, `sys.exit()` included; only Ctrl-C goes through), or a chosen or skipped name that is not
installed, becomes a problem, reported by whoever uses the plugins.
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
    installed: bool = False
    """Found through an entry point (so the user may skip it), rather than given as an object."""


@attrs.frozen
class Problem:
    """Why a plugin is left out, in zh and en."""

    plugin: str
    zh: str
    en: str
    skippable: bool = False
    """An installed plugin that `--skip-plugin` would leave out."""


@attrs.frozen
class Discovered:
    found: tuple[Found, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: tuple[str, ...] = ()
    """The chosen plugins the user skipped, by distribution name (else entry-point name)."""


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


def discover(chosen: Selection, skip: frozenset[str] = frozenset()) -> Discovered:
    """Import the chosen installed plugins but the skipped ones (scanning the entry points only when
    some are chosen or skipped)."""
    if chosen is not None and not chosen and not skip:
        return Discovered()
    found: list[Found] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    seen: set[str] = set()
    installed: set[str] = set()
    for entry_point in entry_points():
        distribution = entry_point.dist.name if entry_point.dist else None
        names = {entry_point.name, distribution or entry_point.name}
        installed |= names
        if chosen is not None and not names & chosen:
            continue
        seen |= names
        if names & skip:
            skipped.append(distribution or entry_point.name)
            continue
        try:
            module = entry_point.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plugin's import may raise anything, sys.exit() included
            reason = describe_error(exc)
            problems.append(Problem(distribution or entry_point.name, f"无法导入：{reason}", f"cannot be imported: {reason}", True))
            continue
        version = entry_point.dist.version if entry_point.dist else None
        found.append(Found(entry_point.name, distribution, version, module, installed=True))
    for unknown in sorted(skip - installed):
        problems.append(
            Problem(
                unknown,
                f"要求跳过，但没有安装这个插件（入口点组 '{ENTRY_POINT_GROUP}' 中没有它）",
                f"is to be skipped but is not installed (no entry point in the group '{ENTRY_POINT_GROUP}')",
            )
        )
    for missing in sorted((chosen or frozenset()) - seen):
        problems.append(
            Problem(
                missing,
                f"未安装（入口点组 '{ENTRY_POINT_GROUP}' 中没有它）",
                f"is not installed (no entry point in the group '{ENTRY_POINT_GROUP}')",
            )
        )
    return Discovered(tuple(found), tuple(problems), tuple(sorted(skipped)))


def describe_error(error: BaseException) -> str:
    """`RuntimeError: message`; `SystemExit: sys.exit(0) was called` for a plugin that tried to end the run."""
    if isinstance(error, SystemExit):
        return f"SystemExit: sys.exit({error.code!r}) was called"
    return f"{type(error).__name__}: {error}"
