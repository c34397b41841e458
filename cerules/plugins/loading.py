"""Building the rule set of a year: what the plugins register (the built-in provincial one
included), then drafts on top."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..rules import Layer, RuleSet, load_layer, provincial_layer
from .errors import PluginError
from .manager import Plugins


def load_rules(
    year: int,
    *,
    rules: Sequence[str | os.PathLike[str] | Layer] = (),
    plugins: bool | Sequence[Any] = True,
    strict: bool = False,
) -> RuleSet:
    """The effective rules of a year: the provincial layer, plugin layers, then drafts on top.

    `plugins=True` loads the installed plugins (as `CERULES_LOAD_PLUGINS` selects), `False` none;
    a sequence of names (`["qingdao"]`) loads those installed plugins; a sequence of plugin
    objects (modules or instances with hook implementations) uses exactly those. The built-in
    provincial plugin is there in every case. `rules` are draft layers (TOML files or Layer
    objects), applied last in the order given. `strict` makes a broken plugin an error instead
    of a warning.
    """
    if plugins is True:
        chosen = Plugins(strict=strict)
    elif plugins and all(isinstance(plugin, str) for plugin in plugins):
        chosen = Plugins(names=plugins, strict=strict)
    elif plugins:
        chosen = Plugins(plugins, installed=False, strict=strict)
    else:
        chosen = Plugins(installed=False, strict=strict)
    layers = chosen.layers(year)
    if not any(layer.rank == "province" for layer in layers):
        _no_provincial_layer(year)
    ruleset = RuleSet(year, layers)
    for extra in rules:
        layer = extra if isinstance(extra, Layer) else load_layer(extra, default_rank="draft")
        ruleset = ruleset.with_layer(layer)
    return ruleset


def _no_provincial_layer(year: int) -> None:
    """Raise why no layer of rank province came for `year`.

    Usually no provincial rules ship for it: `provincial_layer` raises the RulesError naming the
    years that do. Otherwise the built-in plugin failed (reported above) and `provincial_layer`
    raises the same error again, or the layer was left out.
    """
    provincial_layer(year)
    raise PluginError(
        "province",
        f"没有登记 {year} 年度的省级规则层（见上方的警告）",
        f"no provincial layer was registered for {year} (see the warnings above)",
    )
