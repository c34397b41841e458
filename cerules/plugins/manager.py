"""Finding, loading and listing plugins: city and department rule packages.

Plugins are found through the entry-point group `cerules` (packages `cerules-<name>`, modules
`cerules_<name>`). `CERULES_LOAD_PLUGINS` chooses which load: unset, all of them; a
comma-separated list of names, those; empty, none. A plugin that fails to import, fails
validation or raises in a hook is reported by name with its error and left out; `strict` (the
CLI's `--strict`, and CI) makes that fatal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import pluggy

from ..rules import Layer, RulesError, load_layer, parse_layer
from . import hookspecs

ENTRY_POINT_GROUP = "cerules"
ENVIRONMENT = "CERULES_LOAD_PLUGINS"


class PluginError(RuntimeError):
    """A plugin that could not be used, named, with the error it raised."""

    def __init__(self, plugin: str, error: str) -> None:
        self.plugin, self.error = plugin, error
        super().__init__(f"plugin {plugin}: {error}")


@attrs.frozen
class PluginInfo:
    """What `cerules plugins` shows about one plugin."""

    name: str
    distribution: str | None
    version: str | None
    module: str | None
    hooks: tuple[str, ...]


@attrs.frozen
class _Loaded:
    name: str
    distribution: str | None
    version: str | None
    module: Any


def _selected_names() -> set[str] | None:
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is None:
        return None
    return {name.strip() for name in chosen.split(",") if name.strip()}


def _entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _wanted(entry_point: metadata.EntryPoint, names: set[str] | None) -> bool:
    if names is None:
        return True
    distribution = entry_point.dist.name if entry_point.dist else None
    return entry_point.name in names or (distribution is not None and distribution in names)


class Plugins:
    """The plugins in force: a pluggy manager plus what each plugin is and what went wrong."""

    def __init__(
        self, modules: Iterable[Any] = (), *, installed: bool = True, names: Iterable[str] | None = None, strict: bool = False
    ) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.strict = strict
        self.errors: list[PluginError] = []
        self._loaded: dict[str, _Loaded] = {}
        if installed:
            wanted = _selected_names() if names is None else set(names)
            found = set()
            for entry_point in _entry_points():
                if _wanted(entry_point, wanted):
                    found |= {entry_point.name, entry_point.dist.name if entry_point.dist else entry_point.name}
                    self._load_entry_point(entry_point)
            for missing in sorted((wanted or set()) - found):
                self._fail(missing, "is not installed (no entry point in the group 'cerules')")
        for module in modules:
            name = getattr(module, "__name__", None) or type(module).__name__
            self._register(_Loaded(name, None, None, module))
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            self._fail(getattr(exc.plugin, "__name__", str(exc.plugin)), str(exc))

    def _fail(self, name: str, error: str) -> None:
        failure = PluginError(name, error)
        if self.strict:
            raise failure
        self.errors.append(failure)
        print(f"cerules: warning: {failure} (left out)", file=sys.stderr)

    def _load_entry_point(self, entry_point: metadata.EntryPoint) -> None:
        distribution = entry_point.dist.name if entry_point.dist else None
        version = entry_point.dist.version if entry_point.dist else None
        try:
            module = entry_point.load()
        except Exception as exc:  # a plugin's import may raise anything
            self._fail(distribution or entry_point.name, f"cannot be imported: {type(exc).__name__}: {exc}")
            return
        self._register(_Loaded(entry_point.name, distribution, version, module))

    def _register(self, loaded: _Loaded) -> None:
        try:
            self.manager.register(loaded.module, name=loaded.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self._fail(loaded.distribution or loaded.name, str(exc))
            return
        self._loaded[loaded.name] = loaded

    def label(self, name: str) -> str:
        """The name results show for a plugin: its distribution when installed, else its name."""
        loaded = self._loaded[name]
        return loaded.distribution or loaded.name

    def _call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call each implementation on its own with a `register` bound to its plugin."""
        given: list[tuple[str, Any]] = []
        caller = getattr(self.manager.hook, hook)
        for implementation in caller.get_hookimpls():
            name = implementation.plugin_name
            gathered: list[Any] = []
            try:
                implementation.function(register=gathered.append, **kwargs)
            except Exception as exc:  # a plugin's hook may raise anything
                self._fail(self.label(name), f"hook {hook} raised {type(exc).__name__}: {exc}")
                continue
            given += [(name, item) for item in gathered]
        return sorted(given, key=lambda pair: pair[0])

    def layers(self, year: int) -> list[Layer]:
        """Every layer the plugins register for a year, each stamped with its plugin."""
        layers = []
        for name, item in self._call("register_layers", year=year):
            plugin = self.label(name)
            try:
                layers.append(_as_layer(item, plugin))
            except RulesError as exc:
                if self.strict:
                    raise
                self._fail(plugin, str(exc))
        return layers

    def rule_test_paths(self) -> list[tuple[str, Any]]:
        """Rule-test files or folders, with the plugin that registered them."""
        return [(self.label(name), item) for name, item in self._call("register_rule_tests")]

    def info(self) -> list[PluginInfo]:
        infos = []
        for name, loaded in sorted(self._loaded.items()):
            hooks = tuple(sorted(caller.name for caller in self.manager.get_hookcallers(loaded.module) or ()))
            infos.append(PluginInfo(name, loaded.distribution, loaded.version, getattr(loaded.module, "__name__", None), hooks))
        return infos


def _as_layer(item: Any, plugin: str) -> Layer:
    if isinstance(item, Layer):
        return attrs.evolve(item, plugin=plugin)
    if isinstance(item, (str, os.PathLike)):
        return load_layer(item, plugin=plugin)
    if hasattr(item, "read_text"):  # an importlib.resources Traversable inside a package
        return parse_layer(item.read_text(encoding="utf-8"), file=str(item), plugin=plugin)
    raise RulesError(str(item), None, f"register() takes a TOML path or a Layer, got {type(item).__name__}")


def plugin_layers(
    year: int, *, modules: Sequence[Any] = (), installed: bool = True, names: Iterable[str] | None = None, strict: bool = False
) -> list[Layer]:
    """Layers that plugins give for a year."""
    return Plugins(modules, installed=installed, names=names, strict=strict).layers(year)


def as_path(item: Any) -> Path:
    """A registered file or folder as a filesystem path (package resources are files here)."""
    return Path(str(item))
