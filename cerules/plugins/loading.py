"""Building the rule set of a year: the shipped provincial layer, installed plugins, drafts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..rules import Layer, RuleSet, load_layer, provincial_layer
from .manager import plugin_layers


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
    objects (modules or instances with hook implementations) uses exactly those. `rules` are
    draft layers (TOML files or Layer objects), applied last in the order
    given. `strict` makes a broken plugin an error instead of a warning.
    """
    layers = [provincial_layer(year)]
    if plugins is True:
        layers += plugin_layers(year, strict=strict)
    elif plugins and all(isinstance(plugin, str) for plugin in plugins):
        layers += plugin_layers(year, names=plugins, strict=strict)
    elif plugins:
        layers += plugin_layers(year, modules=plugins, installed=False, strict=strict)
    ruleset = RuleSet(year, layers)
    for extra in rules:
        layer = extra if isinstance(extra, Layer) else load_layer(extra, default_rank="draft")
        ruleset = ruleset.with_layer(layer)
    return ruleset
