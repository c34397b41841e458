"""The plugins as installed, as data: name, version, hooks, packs and layers of each, and the broken ones.

One shape for `cerules plugins --json` and the service's `GET /v1/plugins`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .manager import Plugins


def plugin_listing(plugins: Plugins, years: Iterable[int]) -> dict[str, Any]:
    """`{"builtin": [...], "plugins": [...], "errors": [...], "skipped": [...]}` for the years given."""
    years = list(years)
    packs = plugins.packs()
    layers = {year: plugins.layers_by_plugin(year) for year in years}
    builtin: list[dict[str, Any]] = []
    listing: list[dict[str, Any]] = []
    for info in plugins.info(builtin=True):
        own = [
            {"year": year, "id": layer.id, "rank": layer.rank, "scope": layer.scope.as_dict(), "file": layer.file}
            for year in years
            for name, layer in layers[year]
            if name == info.name
        ]
        (builtin if info.builtin else listing).append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "module": info.module,
                "builtin": info.builtin,
                "hooks": list(info.hooks),
                "packs": [
                    {"id": pack.id, "name": pack.name.zh, "folder": pack.folder, "years": pack.years_text, "verified": pack.verified}
                    for pack_id, pack in packs.items()
                    if plugins.pack_plugins.get(pack_id) == info.name
                ],
                "layers": own,
            }  # fmt: skip
        )
    errors = [{"plugin": plugin, "error": error} for plugin, error in dict.fromkeys((e.plugin, e.error) for e in plugins.errors)]
    return {"builtin": builtin, "plugins": listing, "errors": errors, "skipped": list(plugins.skipped)}


__all__ = ["plugin_listing"]
