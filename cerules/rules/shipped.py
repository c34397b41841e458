"""The provincial layers that ship with the package, one per year (`cerules/rules/data/sd-YYYY.toml`)."""

from __future__ import annotations

from importlib import resources

from .files import RulesError, parse_layer
from .model import Layer

_DATA = "cerules.rules.data"


def available_years() -> tuple[int, ...]:
    """Years for which a provincial layer ships with the package."""
    years = []
    for entry in resources.files(_DATA).iterdir():
        name = entry.name
        if name.startswith("sd-") and name.endswith(".toml") and name[3:-5].isdigit():
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
