"""The hooks a cerules plugin may implement.

A plugin is a pip package `cerules-<name>` whose module `cerules_<name>` is named by an entry
point in the group `cerules`. Hooks are called once per load (or per policy profile), never per
record, through pluggy: an implementation takes any subset of a specification's arguments (in
any order, by name), may be marked `tryfirst`, `trylast` or `wrapper`, and calls `register` for
each thing it gives; the host knows from the call which plugin gave what. Pick files by year
through a mapping, so next year is one more line:

    from importlib import resources
    import cerules

    LAYERS = {2023: "qingdao-2023.toml"}

    @cerules.hookimpl
    def register_layers(register, year):
        if year in LAYERS:
            register(resources.files(__name__) / LAYERS[year])
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
"""`register(layer)`: a TOML file (path or importlib resource) or a `cerules.Layer`."""

RegisterPath = Callable[[str | PathLike[str] | Any], None]
"""`register(path)`: a file or folder (path or importlib resource)."""


@hookspec
def register_layers(register: RegisterLayer, year: int) -> None:
    """Register the rule layers this plugin gives for `year` (none when it has none for that year)."""


@hookspec
def register_rule_tests(register: RegisterPath) -> None:
    """Register rule-test files or folders (`test_*.yaml`) that `cerules test --installed` runs."""
