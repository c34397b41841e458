"""Building the rule set of a year: the shipped provincial layer, installed plugins, drafts."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .rules import Layer, RuleSet, load_layer, provincial_layer


def load_rules(
    year: int,
    *,
    rules: Sequence[str | os.PathLike[str] | Layer] = (),
    plugins: bool = True,
) -> RuleSet:
    """The effective rules of a year: the provincial layer, then each extra layer on top.

    `rules` are draft layers (TOML files or Layer objects), applied last in the order given.
    `plugins=False` keeps the installed city and department layers out.
    """
    layers = [provincial_layer(year)]
    if plugins:
        from .plugins import plugin_layers

        layers += plugin_layers(year)
    ruleset = RuleSet(year, layers)
    for extra in rules:
        layer = extra if isinstance(extra, Layer) else load_layer(extra, default_rank="draft")
        ruleset = ruleset.with_layer(layer)
    return ruleset
