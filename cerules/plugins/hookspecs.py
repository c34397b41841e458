"""The hooks a cerules plugin may implement.

A plugin is a pip package `cerules-<name>` whose module `cerules_<name>` is named by an entry
point in the group `cerules`. Hooks are called once per load (or per policy profile), never per
record, through pluggy: an implementation takes any subset of a specification's arguments (in
any order, by name), may be marked `tryfirst`, `trylast` or `wrapper`, and calls `register` for
each thing it gives; the host knows from the call which plugin gave what.

Years are data: each layer says in its `[layer]` table which years it covers (`years = [2023]`,
`from = 2024`), and the engine keeps the layers that cover the evaluated year. A plugin registers
all its files, or the folder holding them, with no year logic of its own:

    from importlib import resources
    import cerules

    @cerules.hookimpl
    def register_layers(register):
        register(resources.files(__name__) / "rules")   # every *.toml in the folder
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from typing import Any

import pluggy

PROJECT = "cerules"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

RegisterLayer = Callable[[Any], None]
"""`register(layer)`: a TOML file or a folder of them (path or importlib resource), or a `cerules.Layer`."""

RegisterPath = Callable[[str | PathLike[str] | Any], None]
"""`register(path)`: a file or folder (path or importlib resource)."""


@hookspec
def register_layers(register: RegisterLayer, year: int) -> None:
    """Register rule layers: files, folders of files, or Layer objects, each declaring its years.

    `year` is the year being evaluated; an implementation need not take it (and should not:
    the engine keeps the layers whose declared years cover it)."""


@hookspec
def register_packs(register: RegisterPath) -> None:
    """Register rule packs: folders holding a `pack.toml` and base layers (a province's rules)."""


@hookspec
def register_rule_tests(register: RegisterPath) -> None:
    """Register rule-test files or folders (`test_*.yaml`) that `cerules test --installed` runs."""
