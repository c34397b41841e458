"""The plugins in force: city and department rule packages, and the built-in provincial rules.

Plugins are found through the entry-point group `cerules` (packages `cerules-<name>`, modules
`cerules_<name>`). `CERULES_LOAD_PLUGINS` chooses which load: unset, all of them; a
comma-separated list of names, those; empty, none. The built-in provincial plugin is always
there. A plugin that fails to import, fails validation or raises in a hook is reported by name
with its error and left out; `strict` (the CLI's `--strict`, and CI) makes that fatal.

`Plugins` is a view on a pluggy manager (see `registry`: one per process for the installed
plugins) that reports the manager's problems, and calls hooks as `calling` explains.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..rules import Layer, RulesError, load_layer, parse_layer
from .calling import call_hook
from .errors import PluginError
from .installed import ENTRY_POINT_GROUP, ENVIRONMENT, selection
from .registry import registry_for, reset
from .tracing import TRACE_ENVIRONMENT

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENVIRONMENT",
    "TRACE_ENVIRONMENT",
    "PluginError",
    "PluginInfo",
    "Plugins",
    "as_path",
    "reset_plugins",
]

reset_plugins = reset
"""Forget the shared plugin managers, so the next use scans the entry points again (for tests)."""


@attrs.frozen
class PluginInfo:
    """What `cerules plugins` shows about one plugin."""

    name: str
    distribution: str | None
    version: str | None
    module: str | None
    hooks: tuple[str, ...]
    builtin: bool = False


class Plugins:
    """The plugins in force, and what went wrong with them.

    `modules` are plugin objects (modules or instances with hook implementations) used besides
    the installed plugins, or alone with `installed=False`; `names` chooses installed plugins in
    place of `CERULES_LOAD_PLUGINS`. The built-in provincial plugin is always present.
    """

    def __init__(
        self, modules: Iterable[Any] = (), *, installed: bool = True, names: Iterable[str] | None = None, strict: bool = False
    ) -> None:
        self._registry = registry_for(selection(names) if installed else frozenset(), tuple(modules))
        self.manager = self._registry.manager
        self.strict = strict
        self.errors: list[PluginError] = []
        for problem in self._registry.problems:
            self._fail(problem.plugin, problem.zh, problem.en)

    def _fail(self, plugin: str, zh: str, en: str) -> None:
        failure = PluginError(plugin, zh, en)
        if self.strict:
            raise failure
        self.errors.append(failure)
        print(f"cerules: warning: {failure} (left out)", file=sys.stderr)

    def _hook_failed(self, name: str, hook: str, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        self._fail(self._registry.display(name), f"钩子 {hook} 出错：{reason}", f"hook {hook} raised {reason}")

    def label(self, name: str) -> str | None:
        """The name results show for a plugin: its distribution when installed, else its name
        (`None` for the built-in provincial plugin)."""
        return self._registry.label(name)

    def layers_by_plugin(self, year: int) -> list[tuple[str, Layer]]:
        """Every layer the plugins register for a year, each stamped with its plugin, with the
        name of the plugin that registered it; sorted by plugin name."""
        layers = []
        for name, item in call_hook(self.manager, "register_layers", self._hook_failed, year=year):
            label = self.label(name)
            try:
                layers.append((name, _as_layer(item, label)))
            except RulesError as exc:
                if self.strict:
                    raise
                self._fail(self._registry.display(name), exc.in_lang("zh"), str(exc))
        return layers

    def layers(self, year: int) -> list[Layer]:
        """Every layer the plugins (the built-in one included) register for a year."""
        return [layer for _, layer in self.layers_by_plugin(year)]

    def rule_test_paths(self) -> list[tuple[str, Any]]:
        """Rule-test files or folders, with the plugin that registered them."""
        return [(self._registry.display(name), item) for name, item in call_hook(self.manager, "register_rule_tests", self._hook_failed)]

    def info(self, *, builtin: bool = False) -> list[PluginInfo]:
        """The plugins, by name: installed or given ones, and the built-in one first if asked."""
        infos = []
        for name, plugin in sorted(self._registry.plugins.items(), key=lambda pair: (not pair[1].builtin, pair[0])):
            if plugin.builtin and not builtin:
                continue
            callers = self.manager.get_hookcallers(plugin.module) or ()
            hooks = tuple(sorted(caller.name for caller in callers))
            module = getattr(plugin.module, "__name__", None)
            infos.append(PluginInfo(name, plugin.distribution, plugin.version, module, hooks, plugin.builtin))
        return infos


def _as_layer(item: Any, plugin: str | None) -> Layer:
    if isinstance(item, Layer):
        return attrs.evolve(item, plugin=plugin)
    if isinstance(item, (str, os.PathLike)):
        return load_layer(item, plugin=plugin)
    if hasattr(item, "read_text"):  # an importlib.resources Traversable inside a package
        return parse_layer(item.read_text(encoding="utf-8"), file=str(item), plugin=plugin)
    kind = type(item).__name__
    raise RulesError(
        str(item), None, f"register() 应返回 TOML 路径或 Layer，实际为 {kind}", f"register() takes a TOML path or a Layer, got {kind}"
    )


def as_path(item: Any) -> Path:
    """A registered file or folder as a filesystem path (package resources are files here)."""
    return Path(str(item))
