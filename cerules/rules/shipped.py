"""The default pack (Shandong, `cerules/rules/data/shandong/`): its provincial layers by year and its regions."""

from __future__ import annotations

from typing import Any

from .model import Layer
from .packs import default_pack
from .regions import Regions


def default_regions() -> Regions:
    """The regions of the default pack, read from its `pack.toml` once."""
    return default_pack().regions


def city_code(text: str) -> str:
    """`Regions.city_code` of the default pack."""
    return default_regions().city_code(text)


def city_name(code: str | None, lang: str = "zh") -> str:
    """`Regions.city_name` of the default pack."""
    return default_regions().city_name(code, lang)


def __getattr__(name: str) -> Any:
    if name == "CITIES":  # the default pack's cities by code, read on first use
        return default_regions().cities
    raise AttributeError(name)


def available_years() -> tuple[int, ...]:
    """Years for which the default pack has a provincial layer."""
    return default_pack().known_years()


def provincial_layer(year: int) -> Layer:
    """The default pack's provincial layer covering a year."""
    pack = default_pack()
    layer = pack.base_layer(year)
    if layer is None:
        raise pack.no_rules(year)
    return layer
