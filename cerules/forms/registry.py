"""The registry of Shandong's continuing-education bases: only they may bid on an open call (§3(3)).

No official list was at hand, so the shipped `cerules/forms/data/ce_bases.toml` is illustrative
sample data (its bases are invented); `load_registry(path)` reads the real one.
"""

from __future__ import annotations

import os
from importlib import resources

import attrs

from ..base.text import Text
from ..rules.shipped import city_code
from .framework import TableReader, parse_form, read_form
from .uscc import check_uscc

BASE_LEVELS: dict[str, Text] = {
    "national": Text("国家级", "national"),
    "provincial": Text("省级", "provincial"),
    "city": Text("市级", "city"),
}
"""Levels of continuing-education bases (§3(3): bases of every level in Shandong may bid)."""

SAMPLE_REGISTRY = "cerules/forms/data/ce_bases.toml"
"""How messages name the shipped (illustrative) registry."""

_BASE_FIELDS: dict[str, type] = {"name": str, "uscc": str, "level": str, "city": str}


@attrs.frozen
class CeBase:
    """A continuing-education base (继续教育基地) in Shandong."""

    name: str
    uscc: str
    level: str
    city: str


@attrs.frozen
class BaseRegistry:
    """The CE bases a bidder must be one of (§3(3)), given as data."""

    bases: tuple[CeBase, ...]
    file: str = "<memory>"
    illustrative: bool = False

    def by_uscc(self, code: str) -> CeBase | None:
        return next((base for base in self.bases if base.uscc == code), None)

    def by_name(self, name: str) -> CeBase | None:
        return next((base for base in self.bases if base.name == name), None)


def load_registry(path: str | os.PathLike[str] | None = None, *, lenient_uscc: bool = False) -> BaseRegistry:
    """Read a registry of CE bases (default: the illustrative sample shipped in cerules/forms/data).

    Every base needs a name, a valid USCC, a level (national/provincial/city) and a Shandong
    city; a registry that breaks this is unusable (FormError).
    """
    if path is None:
        file = SAMPLE_REGISTRY
        document = parse_form((resources.files("cerules.forms") / "data" / "ce_bases.toml").read_text(encoding="utf-8"), file)
    else:
        file, document = read_form(path)
    r = TableReader(file)
    tables = r.fields(document, {"registry": dict, "bases": list}, "")
    meta = tables["registry"] or {}
    r.keys(meta, ("title", "illustrative", "note"), "registry")
    bases: list[CeBase] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(tables["bases"]):
        where = f"bases[{index}]"
        values = r.fields(entry, _BASE_FIELDS, where)
        for key, value in values.items():
            if value is None:
                raise r.fail(f"{where}.{key}", "缺少此项", "missing")
        base = CeBase(**values)
        result = check_uscc(base.uscc, lenient=lenient_uscc)
        if not result.valid:
            problem = result.errors[0]
            raise r.fail(f"{where}.uscc", problem.message_zh, problem.message_en)
        if base.uscc in seen:
            raise r.fail(f"{where}.uscc", f"与 bases[{seen[base.uscc]}] 代码重复", f"the same code as bases[{seen[base.uscc]}]")
        seen[base.uscc] = index
        if base.level not in BASE_LEVELS:
            levels = ", ".join(BASE_LEVELS)
            raise r.fail(f"{where}.level", f"应为 {levels} 之一，实为 {base.level!r}", f"expected one of {levels}, got {base.level!r}")
        try:
            city = city_code(base.city)
        except ValueError as exc:
            raise r.fail(f"{where}.city", getattr(exc, "zh", str(exc)), str(exc)) from None
        bases.append(attrs.evolve(base, city=city))
    return BaseRegistry(bases=tuple(bases), file=file, illustrative=bool(r.boolean(meta, "illustrative", "registry")))


__all__ = ["BASE_LEVELS", "SAMPLE_REGISTRY", "BaseRegistry", "CeBase", "load_registry"]
