"""The effective rules of a year as data: every layer and every value with its citation.

One shape for every door that shows rules to a program: `cerules rules show --json` and the
service's `GET /v1/rules/{year}`.
"""

from __future__ import annotations

from typing import Any

from .model import Layer
from .ruleset import RuleSet


def describe_rules(rules: RuleSet) -> dict[str, Any]:
    """The year, pack, digest, layers (each value with its citation) and skipped plugins."""
    return {
        "year": rules.year,
        "pack": rules.pack_id,
        "based_on": rules.based_on,
        "sha256": rules.sha256,
        "layers": [describe_layer(layer) for layer in rules.layers],
        "skipped_plugins": list(rules.skipped_plugins),
    }


def describe_layer(layer: Layer) -> dict[str, Any]:
    """One layer: where it comes from, whom it covers, and each value it sets with its citation."""
    return {
        "id": layer.id,
        "rank": layer.rank,
        "plugin": layer.plugin,
        "file": layer.file,
        "source": layer.source,
        "version": layer.version,
        "years": layer.years_text,
        "scope": layer.scope.as_dict(),
        "values": [
            {
                "path": path,
                "value": list(value.value) if isinstance(value.value, tuple) else value.value,
                "citation": value.citation,
                "when": value.when.as_dict(),
                "verified": value.verified,
            }
            for path, value in layer.cited_values()
        ],
    }


__all__ = ["describe_layer", "describe_rules"]
