"""Building the rule set of a year: what the plugins register (the built-in provincial one
included), then the user's drafts on top."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from ..rules import Layer, RuleSet, layer_from_dict, layer_to_dict, load_layer, provincial_layer
from .errors import PluginError
from .manager import Plugins

Rules = str | os.PathLike[str] | Layer


def load_rules(
    year: int,
    *,
    rules: Rules | Sequence[Rules] = (),
    plugins: bool | Sequence[Any] = True,
    strict: bool = False,
    skip: str | Iterable[str] = (),
) -> RuleSet:
    """The effective rules of a year: the provincial layer, plugin layers, then drafts on top.

    `plugins=True` loads the installed plugins (as `CERULES_LOAD_PLUGINS` selects), `False` none;
    a sequence of names (`["qingdao"]`) loads those installed plugins; a sequence of plugin
    objects (modules or instances with hook implementations) uses exactly those. The built-in
    provincial plugin is there in every case. A plugin that fails to load raises `PluginError`
    naming it; `skip` names installed plugins to leave out on purpose (entry-point or distribution
    names), which the rule set records in `skipped_plugins`. `rules` are draft layers (TOML files
    or Layer objects, checked by the schema like files), applied last in the order given: drafts
    come from the user alone, never from a plugin. `strict` is kept for callers that pass it: a
    broken plugin is an error in any case.
    """
    names = (skip,) if isinstance(skip, str) else tuple(skip)
    if plugins is True:
        chosen = Plugins(skip=names, strict=strict)
    elif plugins and all(isinstance(plugin, str) for plugin in plugins):
        chosen = Plugins(names=plugins, skip=names, strict=strict)
    elif plugins:
        chosen = Plugins(plugins, installed=False, strict=strict)
    else:
        chosen = Plugins(installed=False, strict=strict)
    layers = chosen.layers(year)
    if not any(layer.rank == "province" for layer in layers):
        _no_provincial_layer(year)
    ruleset = RuleSet(year, layers, chosen.skipped)
    drafts = (rules,) if isinstance(rules, (str, os.PathLike, Layer)) else rules
    for extra in drafts:
        if isinstance(extra, Layer):
            layer = layer_from_dict(layer_to_dict(extra), file=extra.file, plugin=extra.plugin)
        else:
            layer = load_layer(extra, default_rank="draft")
        ruleset = ruleset.with_layer(layer)
    return ruleset


def _no_provincial_layer(year: int) -> None:
    """Raise why no layer of rank province came for `year`.

    Usually no provincial rules ship for it: `provincial_layer` raises the RulesError naming the
    years that do. Otherwise the built-in plugin gave none.
    """
    provincial_layer(year)
    raise PluginError(
        "province",
        f"没有登记 {year} 年度的省级规则层",
        f"no provincial layer was registered for {year}",
    )
