"""Rules as data: layers of cited values, loaded from TOML and resolved per profile."""

from __future__ import annotations

from importlib import resources

from .files import RulesError, layer_from_dict, load_layer, parse_layer
from .lint import LintProblem, lint_layer
from .model import ANY, RANKS, SCOPE_KEYS, CatalogEntry, CitedValue, Layer, Profile, Provenance, Resolved, Scope, Text
from .ruleset import Policy, Requirement, RuleSet
from .writing import dumps_layer, layer_to_dict, write_layer

__all__ = [
    "ANY",
    "RANKS",
    "SCOPE_KEYS",
    "CatalogEntry",
    "CitedValue",
    "Layer",
    "LintProblem",
    "Policy",
    "Profile",
    "Provenance",
    "Requirement",
    "Resolved",
    "RuleSet",
    "RulesError",
    "Scope",
    "Text",
    "available_years",
    "dumps_layer",
    "layer_from_dict",
    "layer_to_dict",
    "lint_layer",
    "load_layer",
    "parse_layer",
    "provincial_layer",
    "write_layer",
]

_DATA = "cerules.rules.data"


def available_years() -> tuple[int, ...]:
    """Years for which a provincial layer ships with the package."""
    years = []
    for entry in resources.files(_DATA).iterdir():
        name = entry.name
        if name.startswith("sd-") and name.endswith(".toml"):
            years.append(int(name[3:-5]))
    return tuple(sorted(years))


def provincial_layer(year: int) -> Layer:
    """The provincial layer shipped for a year."""
    if year not in available_years():
        shipped = ", ".join(map(str, available_years()))
        raise RulesError(
            f"sd-{year}.toml",
            None,
            f"没有 {year} 年度的省级规则；已有年度：{shipped}",
            f"no provincial rules for {year}; shipped years: {shipped}",
        )
    resource = resources.files(_DATA) / f"sd-{year}.toml"
    return parse_layer(resource.read_text(encoding="utf-8"), file=f"cerules/rules/data/sd-{year}.toml")
