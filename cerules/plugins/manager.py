"""The plugins in force: city and department rule packages, and the built-in provincial rules.

Plugins are found through the entry-point group `cerules` (packages `cerules-<name>`, modules
`cerules_<name>`). `CERULES_LOAD_PLUGINS` chooses which load: unset, all of them; a
comma-separated list of names, those; empty, none; `skip` (the CLI's `--skip-plugin NAME`) leaves
named ones out, and the rule set remembers them. The built-in provincial plugin is always there.

A plugin that fails to import, fails validation, raises in a hook (whatever it raises, `sys.exit()`
included) or registers something that is not a layer it may give stops the load with a
`PluginError` naming it: a city's staff judged by the provincial rules because their city's plugin
broke would be a wrong verdict. Only the user decides to go on without it, by skipping it. A
plugin gives layers of rank `city` or `department` only (the built-in one, `province`); drafts
come from the user alone (`--rules`, `load_rules(rules=...)`), and every registered layer is
checked by the schema again, even when given as a `Layer` object. Listings (`cerules plugins`)
use `keep_going`, which reports each broken plugin and leaves it out.

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

from ..rules import Layer, RulesError, layer_from_dict, layer_to_dict, load_layer, parse_layer
from ..rules.packs import DEFAULT_PACK, Pack, load_pack
from .calling import call_hook
from .errors import PluginError
from .installed import ENTRY_POINT_GROUP, ENVIRONMENT, describe_error, selection
from .registry import registry_for, reset
from .tracing import TRACE_ENVIRONMENT

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENVIRONMENT",
    "TRACE_ENVIRONMENT",
    "PLUGIN_RANKS",
    "PluginError",
    "PluginInfo",
    "Plugins",
    "as_path",
    "reset_plugins",
]

reset_plugins = reset
"""Forget the shared plugin managers, so the next use scans the entry points again (for tests)."""

PLUGIN_RANKS = ("city", "department")
"""The ranks of layer a plugin may register; the built-in provincial plugin registers `province`."""


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
    place of `CERULES_LOAD_PLUGINS`; `skip` names installed plugins to leave out (entry-point or
    distribution names; naming one that is not installed is an error). The built-in provincial
    plugin is always present.

    A broken plugin raises `PluginError`, unless `keep_going`: then it is reported on standard
    error, kept in `errors` and left out (for listings; `strict` makes it raise all the same).
    """

    def __init__(
        self,
        modules: Iterable[Any] = (),
        *,
        installed: bool = True,
        names: Iterable[str] | None = None,
        skip: Iterable[str] = (),
        strict: bool = False,
        keep_going: bool = False,
    ) -> None:
        skipped = frozenset(skip) if installed else frozenset()
        self._registry = registry_for(selection(names) if installed else frozenset(), tuple(modules), skipped)
        self.manager = self._registry.manager
        self.strict = strict
        self.keep_going = keep_going and not strict
        self.errors: list[PluginError] = []
        self.pack_plugins: dict[str, str] = {}
        """The plugin that registered each pack (by id), as `info` names plugins; filled by `packs()`."""
        for problem in self._registry.problems:
            self._fail(problem.plugin, problem.zh, problem.en, skippable=problem.skippable)

    @property
    def skipped(self) -> tuple[str, ...]:
        """The installed plugins the user skipped, by distribution name."""
        return self._registry.skipped

    def _fail(self, plugin: str, zh: str, en: str, *, skippable: bool = False) -> None:
        failure = PluginError(plugin, zh, en, skippable=skippable)
        if not self.keep_going:
            raise failure
        self.errors.append(failure)
        print(f"cerules: warning: {failure} (left out)", file=sys.stderr)

    def _plugin_failed(self, name: str, zh: str, en: str) -> None:
        self._fail(self._registry.display(name), zh, en, skippable=self._registry.is_installed(name))

    def _hook_failed(self, name: str, hook: str, error: BaseException) -> None:
        reason = describe_error(error)
        self._plugin_failed(name, f"钩子 {hook} 出错：{reason}", f"hook {hook} raised {reason}")

    def label(self, name: str) -> str | None:
        """The name results show for a plugin: its distribution when installed, else its name
        (`None` for the built-in provincial plugin)."""
        return self._registry.label(name)

    def layers_by_plugin(self, year: int, pack: str = DEFAULT_PACK) -> list[tuple[str, Layer]]:
        """Every layer the plugins register that covers a year and extends a pack (a layer naming
        no pack extends the default one), each stamped with its plugin, with the name of the plugin
        that registered it; sorted by plugin name. A registered folder gives each `*.toml` in it."""
        layers = []
        for name, item in call_hook(self.manager, "register_layers", self._hook_failed, year=year):
            try:
                found = [_as_layer(entry, self.label(name)) for entry in _files(item)]
                for layer in found:
                    _check_rank(layer, builtin=self._registry.is_builtin(name))
            except RulesError as exc:
                self._plugin_failed(name, exc.in_lang("zh"), str(exc))
                continue
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # reading what a plugin registered may raise anything
                reason = describe_error(exc)
                self._plugin_failed(name, f"登记的规则层无法读取：{reason}", f"registered a layer that cannot be read: {reason}")
                continue
            layers.extend((name, layer) for layer in found if layer.applies_to_year(year) and (layer.pack or DEFAULT_PACK) == pack)
        return layers

    def layers(self, year: int, pack: str = DEFAULT_PACK) -> list[Layer]:
        """Every layer the plugins register for a year and a pack."""
        return [layer for _, layer in self.layers_by_plugin(year, pack)]

    def packs(self) -> dict[str, Pack]:
        """The rule packs the plugins (the built-in one included) register, by id."""
        found: dict[str, Pack] = {}
        origin: dict[str, str] = {}
        for name, item in call_hook(self.manager, "register_packs", self._hook_failed):
            try:
                pack = item if isinstance(item, Pack) else load_pack(item)
            except RulesError as exc:
                self._plugin_failed(name, exc.in_lang("zh"), str(exc))
                continue
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                reason = describe_error(exc)
                self._plugin_failed(name, f"登记的规则包无法读取：{reason}", f"registered a rule pack that cannot be read: {reason}")
                continue
            if pack.id in found:
                self._plugin_failed(
                    name,
                    f"规则包 {pack.id!r} 已由 {origin[pack.id]} 登记",
                    f"rule pack {pack.id!r} is registered by {origin[pack.id]} too",
                )
                continue
            found[pack.id] = pack
            origin[pack.id] = self._registry.display(name)
            self.pack_plugins[pack.id] = name
        return found

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


def _files(item: Any) -> list[Any]:
    """A registered item, or each `*.toml` file of a registered folder (sorted by name)."""
    if isinstance(item, (str, os.PathLike)) and os.path.isdir(item):
        return sorted(entry for entry in Path(item).iterdir() if entry.suffix == ".toml" and entry.is_file()) or [item]
    if hasattr(item, "iterdir") and hasattr(item, "is_dir") and not isinstance(item, Layer) and item.is_dir():
        files = sorted((entry for entry in item.iterdir() if entry.name.endswith(".toml") and entry.is_file()), key=lambda e: e.name)
        return files or [item]
    return [item]


def _as_layer(item: Any, plugin: str | None) -> Layer:
    """A registered item as a layer, read (or, for a `Layer` object, checked again) by the schema."""
    if isinstance(item, Layer):  # checked like a file: a Layer built in Python skips no check
        return layer_from_dict(layer_to_dict(item), file=item.file, plugin=plugin)
    if isinstance(item, (str, os.PathLike)):
        if os.path.isdir(item):
            _folder(str(item))
        return load_layer(item, plugin=plugin)
    if hasattr(item, "read_text") and hasattr(item, "is_dir"):  # an importlib.resources Traversable inside a package
        if item.is_dir():
            _folder(str(item))
        return parse_layer(item.read_text(encoding="utf-8"), file=str(item), plugin=plugin)
    kind = type(item).__name__
    raise RulesError(
        "register()",
        None,
        f"应登记规则层的 TOML 文件路径或 cerules.Layer 对象，而不是 {kind}",
        f"expected the path of a layer's TOML file or a cerules.Layer, not {kind}",
    )


def _folder(file: str) -> None:
    raise RulesError(file, None, "登记的文件夹中没有规则层文件（*.toml）", "a folder was registered that holds no layer file (*.toml)")


def _check_rank(layer: Layer, *, builtin: bool) -> None:
    """A plugin gives city and department layers; the built-in one the provincial layer; no plugin a draft."""
    allowed = ("province",) if builtin else PLUGIN_RANKS
    if layer.rank not in allowed:
        raise RulesError(
            layer.file,
            "layer.rank",
            f"插件只能登记 city（市级）或 department（行业部门）规则层，不能登记 {layer.rank}："
            "草案只能由用户给出（--rules、load_rules(rules=...)），省级规则层由 cerules 自带",
            f"a plugin registers layers of rank city or department only, not {layer.rank}: drafts come "
            "from the user alone (--rules, load_rules(rules=...)), the provincial layer from cerules itself",
        )


def as_path(item: Any) -> Path:
    """A registered file or folder as a filesystem path (package resources are files here)."""
    return Path(str(item))
