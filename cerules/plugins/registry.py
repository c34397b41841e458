"""One pluggy manager per process for the installed plugins, built once and shared.

`registry_for(selection)` builds a manager the first time a selection of installed plugins is
asked for (scanning the entry points and importing the plugins then), and hands the same one to
every later `load_rules` and `Plugins` of that selection. Plugin objects given explicitly (a
module under test, say) get a manager of their own, built around the same imported plugins.
`reset()` forgets every manager, so that a test can install, remove or fake plugins.

Every manager holds the built-in provincial plugin first, then the others; a plugin that fails
validation is unregistered and kept as a problem, reported (and fatal with `strict`) by each
`Plugins` that uses the manager.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pluggy

from ..base.version import __version__
from . import builtin, hookspecs
from .installed import Discovered, Found, Problem, Selection, discover
from .tracing import trace_hook_calls


class Registry:
    """A pluggy manager and what each of its plugins is."""

    def __init__(self, plugins: Sequence[Found], problems: Sequence[Problem] = ()) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, Found] = {}
        self.problems: list[Problem] = list(problems)
        trace_hook_calls(self.manager, self.display)
        for plugin in (Found(builtin.NAME, "cerules", __version__, builtin, builtin=True), *plugins):
            self._register(plugin)
        self._check_pending()

    def _register(self, plugin: Found) -> None:
        if plugin.name in self.plugins:
            taken = self.display(plugin.name)
            self.problems.append(
                Problem(
                    plugin.distribution or plugin.name,
                    f"名称 {plugin.name!r} 已被 {taken} 使用",
                    f"the name {plugin.name!r} is taken by {taken}",
                )
            )
            return
        try:
            self.manager.register(plugin.module, name=plugin.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self.problems.append(Problem(plugin.distribution or plugin.name, f"不是有效的 cerules 插件：{exc}", str(exc)))
            return
        self.plugins[plugin.name] = plugin

    def _check_pending(self) -> None:
        """Leave out each plugin implementing a hook that no specification names."""
        while True:
            try:
                self.manager.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                name = self.manager.get_name(exc.plugin) or str(exc.plugin)  # registered, so named
                self.manager.unregister(exc.plugin)
                plugin = self.plugins.pop(name, None)
                label = (plugin.distribution or plugin.name) if plugin else name
                self.problems.append(Problem(label, f"不是有效的 cerules 插件：{exc}", str(exc)))

    def label(self, name: str) -> str | None:
        """The name results show for a plugin: its distribution when installed, else its name;
        `None` for the built-in provincial plugin, whose layers are the package's own."""
        plugin = self.plugins.get(name)
        if plugin is None:
            return name
        if plugin.builtin:
            return None
        return plugin.distribution or plugin.name

    def display(self, name: str) -> str:
        """How messages name a plugin."""
        return self.label(name) or f"{name} (built-in)"


_lock = threading.Lock()
_discovered: dict[Selection, Discovered] = {}
_shared: dict[Selection, Registry] = {}


def registry_for(chosen: Selection, modules: Sequence[Any] = ()) -> Registry:
    """The shared manager of a selection of installed plugins, or a new one when `modules` are given."""
    with _lock:
        if not modules and chosen in _shared:
            return _shared[chosen]
        discovered = _discovered.get(chosen)
        if discovered is None:
            discovered = _discovered[chosen] = discover(chosen)
        given = [Found(getattr(module, "__name__", None) or type(module).__name__, None, None, module) for module in modules]
        registry = Registry([*discovered.found, *given], discovered.problems)
        if not modules:
            _shared[chosen] = registry
        return registry


def reset() -> None:
    """Forget every manager and every scan of the entry points (for tests)."""
    with _lock:
        _discovered.clear()
        _shared.clear()
