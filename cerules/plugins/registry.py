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

    def __init__(self, plugins: Sequence[Found], problems: Sequence[Problem] = (), skipped: Sequence[str] = ()) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, Found] = {}
        self.problems: list[Problem] = list(problems)
        self.skipped: tuple[str, ...] = tuple(skipped)
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
                    plugin.installed,
                )
            )
            return
        try:
            self.manager.register(plugin.module, name=plugin.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # pluggy's validation, or whatever looking at a strange object raises
            self.problems.append(Problem(plugin.distribution or plugin.name, f"不是有效的 cerules 插件：{exc}", str(exc), plugin.installed))
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
                self.problems.append(Problem(label, f"不是有效的 cerules 插件：{exc}", str(exc), bool(plugin and plugin.installed)))

    def label(self, name: str) -> str | None:
        """The name results show for a plugin: its distribution when installed, else its name;
        `None` for the built-in provincial plugin, whose layers are the package's own."""
        plugin = self.plugins.get(name)
        if plugin is None:
            return name
        if plugin.builtin:
            return None
        return plugin.distribution or plugin.name

    def is_builtin(self, name: str) -> bool:
        plugin = self.plugins.get(name)
        return plugin is not None and plugin.builtin

    def is_installed(self, name: str) -> bool:
        plugin = self.plugins.get(name)
        return plugin is not None and plugin.installed

    def display(self, name: str) -> str:
        """How messages name a plugin."""
        return self.label(name) or f"{name} (built-in)"


_lock = threading.Lock()
_Key = tuple[Selection, frozenset[str]]
_discovered: dict[_Key, Discovered] = {}
_shared: dict[_Key, Registry] = {}


def registry_for(chosen: Selection, modules: Sequence[Any] = (), skip: frozenset[str] = frozenset()) -> Registry:
    """The shared manager of a selection of installed plugins (less the skipped ones), or a new one
    when `modules` are given."""
    key = (chosen, skip)
    with _lock:
        if not modules and key in _shared:
            return _shared[key]
        discovered = _discovered.get(key)
        if discovered is None:
            discovered = _discovered[key] = discover(chosen, skip)
        given = [Found(_name_of(module), None, None, module) for module in modules]
        registry = Registry([*discovered.found, *given], discovered.problems, discovered.skipped)
        if not modules:
            _shared[key] = registry
        return registry


def _name_of(module: Any) -> str:
    name = getattr(module, "__name__", None)
    return name if isinstance(name, str) and name else type(module).__name__


def reset() -> None:
    """Forget every manager and every scan of the entry points (for tests)."""
    with _lock:
        _discovered.clear()
        _shared.clear()
