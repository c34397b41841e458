"""Rules as data: layers of cited values, loaded from TOML and resolved per profile."""

from __future__ import annotations

from .files import RulesError, layer_from_dict, load_layer, parse_layer
from .lint import LintProblem, lint_layer
from .model import ANY, RANKS, SCOPE_KEYS, CatalogEntry, CitedValue, Layer, Profile, Provenance, Resolved, Scope, Text
from .ruleset import Policy, Requirement, RuleSet
from .shipped import available_years, provincial_layer
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
