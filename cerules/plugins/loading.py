"""Building the rule set of a year: a pack's layers for the year, what the plugins register for
it, then the user's drafts on top."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..rules import Layer, RulesError, RuleSet, layer_from_dict, layer_to_dict, load_layer
from ..rules.packs import DEFAULT_PACK, PACK_FILE, Pack, load_pack, packs_on_path
from .manager import Plugins

Rules = str | os.PathLike[str] | Layer
PackChoice = str | os.PathLike[str] | Pack | None


def load_rules(
    year: int,
    *,
    rules: Rules | Sequence[Rules] = (),
    plugins: bool | Sequence[Any] = True,
    strict: bool = False,
    skip: str | Iterable[str] = (),
    pack: PackChoice = None,
    based_on: int | None = None,
) -> RuleSet:
    """The effective rules of a year: the pack's layers covering it, plugin layers, then drafts on top.

    `pack` chooses the rule pack: a `Pack`, a pack folder, or the id of a pack a plugin registers
    or `CERULES_RULES_PATH` holds; by default the first pack on `CERULES_RULES_PATH`, else
    Shandong's. When the pack has no base layer for `year`, the rules of `based_on` (or of the
    year a draft names in `[layer] based_on`) stand in, and the drafts on top make the year's rules.

    `plugins=True` loads the installed plugins (as `CERULES_LOAD_PLUGINS` selects), `False` none;
    a sequence of names (`["qingdao"]`) loads those installed plugins; a sequence of plugin
    objects (modules or instances with hook implementations) uses exactly those. The built-in
    Shandong pack is there in every case. A plugin that fails to load raises `PluginError`
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
    the_pack = choose_pack(pack, chosen)
    given = (rules,) if isinstance(rules, (str, os.PathLike, Layer)) else rules
    drafts = [_draft(extra) for extra in given]
    base = year if the_pack.covers(year) else _based_on(the_pack, year, based_on, drafts)
    layers = [*the_pack.layers_for(base), *chosen.layers(base, the_pack.id)]
    ruleset = RuleSet(year, layers, chosen.skipped, pack=the_pack, based_on=None if base == year else base)
    for layer in drafts:
        if layer.pack is not None and layer.pack != the_pack.id:
            raise RulesError(
                layer.file,
                "layer.pack",
                f"草案属于规则包 {layer.pack!r}，而使用的是 {the_pack.id!r}",
                f"the draft is for pack {layer.pack!r}, not {the_pack.id!r}",
            )
        ruleset = ruleset.with_layer(layer)
    return ruleset


def _draft(extra: Rules) -> Layer:
    if isinstance(extra, Layer):
        return layer_from_dict(layer_to_dict(extra), file=extra.file, plugin=extra.plugin)
    return load_layer(extra, default_rank="draft")


def _based_on(pack: Pack, year: int, based_on: int | None, drafts: Sequence[Layer]) -> int:
    """The year whose rules stand in for `year`: asked for, or named by the drafts (which must agree)."""
    named = {layer.based_on for layer in drafts if layer.based_on is not None}
    if based_on is not None:
        named.add(based_on)
    if len(named) > 1:
        listing = ", ".join(map(str, sorted(named)))
        raise RulesError(
            drafts[-1].file if drafts else pack.folder,
            "layer.based_on",
            f"草案依据的年度不一致：{listing}",
            f"drafts are based on different years: {listing}",
        )
    if not named:
        raise pack.no_rules(year)
    base = named.pop()
    if not pack.covers(base):
        raise pack.no_rules(base)
    return base


def choose_pack(pack: PackChoice, plugins: Plugins | None = None) -> Pack:
    """The pack a `pack=` argument (or `--rules-dir`, `CERULES_RULES_PATH`) chooses."""
    if isinstance(pack, Pack):
        return pack
    if pack is not None and (isinstance(pack, os.PathLike) or os.sep in str(pack) or (Path(pack) / PACK_FILE).is_file()):
        return load_pack(Path(pack))
    on_path = [load_pack(folder) for folder in packs_on_path()]
    if pack is None and on_path:
        return on_path[0]
    wanted = pack or DEFAULT_PACK
    for candidate in on_path:
        if candidate.id == wanted:
            return candidate
    registered = (plugins or Plugins(installed=False)).packs()
    if wanted in registered:
        return registered[wanted]
    known = ", ".join(sorted({*registered, *(p.id for p in on_path)}))
    raise RulesError(
        str(wanted), None, f"没有名为 {wanted!r} 的规则包；已有：{known}", f"no rule pack named {wanted!r}; known packs: {known}"
    )
