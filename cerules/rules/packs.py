"""Rule packs: a jurisdiction's base layers by year, with the regions and words its files use.

A pack is a folder (on disk, or inside an installed package): `pack.toml` names the pack and
lists its regions (GB/T 2260 codes, names, aliases) and the words its input files write for unit
levels; every other `*.toml` file in the folder is a layer, usually one provincial base layer per
year or range of years (`[layer] years = [2023]`, `from = 2021`). The engine picks the layers
that cover the evaluated year; two base layers covering the same year are an error when the pack
is read. Shandong's pack ships in `cerules/rules/data/shandong/` and is the default; another
province is another folder, registered by a plugin (`register_packs`) or named on the command
line (`--rules-dir`) or in `CERULES_RULES_PATH`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ..base.text import Text
from ..base.toml_file import TomlError, parse_toml
from .files import RulesError, parse_layer
from .model import Layer
from .regions import Regions

PACK_FILE = "pack.toml"
DEFAULT_PACK = "shandong"
"""The pack used when none is named."""
RULES_PATH_ENVIRONMENT = "CERULES_RULES_PATH"
"""Folders (separated by the system's path separator) holding packs, or packs themselves."""

_PACK_KEYS = frozenset({"id", "name", "region", "source", "verified", "note"})
_UNIT_LEVELS = ("province", "city")


@attrs.frozen
class Pack:
    """One jurisdiction's rules: its layers (each declaring its years) and its regions."""

    id: str
    name: Text
    regions: Regions
    layers: tuple[Layer, ...]
    folder: str
    source: str = ""
    verified: bool = True
    """False for an illustrative pack built from secondary sources."""
    note: str | None = None

    def layers_for(self, year: int) -> tuple[Layer, ...]:
        """The pack's layers that cover a year."""
        return tuple(layer for layer in self.layers if layer.applies_to_year(year))

    def base_layer(self, year: int) -> Layer | None:
        """The provincial base layer covering a year, if any."""
        return next((layer for layer in self.layers_for(year) if layer.rank == "province"), None)

    def covers(self, year: int) -> bool:
        return self.base_layer(year) is not None

    @property
    def years_text(self) -> str:
        """The years the base layers cover (`2023`, `2021–`), for messages."""
        return ", ".join(layer.years_text for layer in self.layers if layer.rank == "province") or "—"

    def known_years(self, candidates: Iterable[int] = range(1990, 2100)) -> tuple[int, ...]:
        """The years among `candidates` that a base layer covers (open ranges are cut to them)."""
        return tuple(year for year in candidates if self.covers(year))

    def no_rules(self, year: int) -> RulesError:
        """The error for a year the pack has no base layer for, naming the years it has."""
        return RulesError(
            self.folder,
            None,
            f"规则包 {self.id}（{self.name.zh}）没有 {year} 年度的省级规则；已有年度：{self.years_text}。"
            f"可用草案声明所依据的年度（[layer] based_on = 某年）",
            f"rule pack {self.id} ({self.name.en}) has no provincial rules for {year}; years: {self.years_text}. "
            f"A draft may say which year's rules it is based on ([layer] based_on = YEAR)",
        )


def load_pack(folder: Any, *, display: str | None = None) -> Pack:
    """Read a pack from a folder (a path or an importlib resource), checking every file.

    `display` is how messages and results name the folder (default: its path)."""
    name = display or str(folder)
    entries = {entry.name: entry for entry in _entries(folder)}
    if PACK_FILE not in entries:
        raise RulesError(name, None, f"不是规则包：缺少 {PACK_FILE}", f"not a rule pack: no {PACK_FILE} in it")
    pack_file = f"{name.rstrip('/')}/{PACK_FILE}"
    try:
        document = parse_toml(entries[PACK_FILE].read_text(encoding="utf-8"), file=pack_file)
    except TomlError as exc:
        raise RulesError(pack_file, None, exc.problem.zh, exc.problem.en) from None
    meta, regions = _read_pack_file(document, pack_file)
    layers = []
    for file_name in sorted(entries):
        if file_name == PACK_FILE or not file_name.endswith(".toml"):
            continue
        file = f"{name.rstrip('/')}/{file_name}"
        layer = parse_layer(entries[file_name].read_text(encoding="utf-8"), file=file)
        if layer.rank == "draft":
            raise RulesError(file, "layer.rank", "规则包中不能有草案", "a rule pack holds no drafts")
        if layer.pack is not None and layer.pack != meta["id"]:
            raise RulesError(
                file, "layer.pack", f"属于规则包 {layer.pack!r}，不是 {meta['id']!r}", f"belongs to pack {layer.pack!r}, not {meta['id']!r}"
            )
        layers.append(attrs.evolve(layer, pack=meta["id"]))
    pack = Pack(layers=tuple(layers), folder=name, regions=regions, **meta)
    _refuse_overlapping_bases(pack)
    return pack


def _entries(folder: Any) -> list[Any]:
    if isinstance(folder, (str, os.PathLike)):
        folder = Path(folder)
        if not folder.is_dir():
            raise RulesError(str(folder), None, "规则包应是一个文件夹", "a rule pack is a folder")
    try:
        return [entry for entry in folder.iterdir() if entry.is_file()]
    except OSError as exc:
        raise RulesError(str(folder), None, f"无法读取：{exc.strerror}", f"cannot be read: {exc.strerror}") from None


def _read_pack_file(document: Mapping[str, Any], file: str) -> tuple[dict[str, Any], Regions]:
    def fail(key: str, zh: str, en: str) -> RulesError:
        return RulesError(file, key, zh, en)

    def text(value: Any, key: str) -> Text:
        if isinstance(value, str) and value:
            return Text(value, value)
        if isinstance(value, Mapping) and isinstance(value.get("zh"), str) and all(isinstance(v, str) for v in value.values()):
            return Text(value["zh"], value.get("en", value["zh"]))
        raise fail(key, '应为字符串或 { zh = "…", en = "…" }', 'expected a string or { zh = "…", en = "…" }')

    for key in document:
        if key not in ("pack", "regions", "unit_levels"):
            raise fail(key, "未知的表；应为 pack、regions、unit_levels", "unknown table; expected pack, regions, unit_levels")
    pack = document.get("pack")
    if not isinstance(pack, Mapping):
        raise fail("pack", "缺少 [pack] 表", "missing the [pack] table")
    for key in pack:
        if key not in _PACK_KEYS:
            raise fail(
                f"pack.{key}",
                f"未知的键；应为 {', '.join(sorted(_PACK_KEYS))}",
                f"unknown key; expected one of {', '.join(sorted(_PACK_KEYS))}",
            )
    pack_id = pack.get("id")
    if not isinstance(pack_id, str) or not pack_id.replace("-", "").replace("_", "").isalnum():
        raise fail("pack.id", "应为由字母、数字、-、_ 组成的编号", "expected an id of letters, digits, - and _")
    region = pack.get("region")
    if not isinstance(region, str) or len(region) != 6 or not region.isdigit():
        raise fail("pack.region", '应为六位 GB/T 2260 代码，例如 "370000"', 'expected a six-digit GB/T 2260 code such as "370000"')
    verified = pack.get("verified", True)
    if not isinstance(verified, bool):
        raise fail("pack.verified", "应为 true 或 false", "expected true or false")
    name = text(pack.get("name", pack_id), "pack.name")
    cities: dict[str, Text] = {}
    aliases: dict[str, str] = {}
    table = document.get("regions", {})
    if not isinstance(table, Mapping) or not table:
        raise fail("regions", "应列出各市，例如 [regions.370100]", "expected the cities, e.g. [regions.370100]")
    for code, entry in table.items():
        where = f"regions.{code}"
        if len(code) != 6 or not code.isdigit():
            raise fail(where, "应为六位 GB/T 2260 代码", "expected a six-digit GB/T 2260 code")
        if not isinstance(entry, Mapping) or set(entry) - {"name", "aliases"}:
            raise fail(where, "应为包含 name（和 aliases）的表", "expected a table with name (and aliases)")
        cities[code] = text(entry.get("name", code), f"{where}.name")
        more = entry.get("aliases", [])
        if not isinstance(more, list) or not all(isinstance(a, str) and a for a in more):
            raise fail(f"{where}.aliases", "应为字符串列表", "expected a list of strings")
        aliases.update({alias: code for alias in more})
    words: dict[str, str] = {}
    levels = document.get("unit_levels", {})
    if not isinstance(levels, Mapping):
        raise fail("unit_levels", "应为“层级 = [写法]”的表", "expected a table of level = [words]")
    for level, written in levels.items():
        if level not in _UNIT_LEVELS:
            raise fail(
                f"unit_levels.{level}", f"单位层级应为 {' / '.join(_UNIT_LEVELS)}", f"a unit level is one of {', '.join(_UNIT_LEVELS)}"
            )
        if not isinstance(written, list) or not all(isinstance(w, str) and w.strip() for w in written):
            raise fail(f"unit_levels.{level}", "应为字符串列表", "expected a list of strings")
        words.update({word.strip().lower(): level for word in written} | {word.strip(): level for word in written})
    for level in _UNIT_LEVELS:
        words.setdefault(level, level)
    meta = {"id": pack_id, "name": name, "source": str(pack.get("source", "")), "verified": verified, "note": pack.get("note")}
    return meta, Regions(province=region, name=name, cities=cities, aliases=aliases, unit_level_words=words)


def _refuse_overlapping_bases(pack: Pack) -> None:
    """Two base layers of a pack may not cover the same year: which would apply?"""
    bases = [layer for layer in pack.layers if layer.rank == "province"]
    for i, first in enumerate(bases):
        for second in bases[i + 1 :]:
            shared = [year for year in range(1900, 2200) if first.applies_to_year(year) and second.applies_to_year(year)]
            if shared:
                raise RulesError(
                    second.file,
                    "layer.years",
                    f"与 {first.file} 同为 {shared[0]} 年度的省级规则：每个年度只能有一个基础规则层",
                    f"covers {shared[0]} as {first.file} does: a year has one base layer",
                )


@functools.cache
def default_pack() -> Pack:
    """The Shandong pack that ships with cerules (read once)."""
    return load_pack(resources.files("cerules.rules.data") / DEFAULT_PACK, display=f"cerules/rules/data/{DEFAULT_PACK}")


def packs_on_path(value: str | None = None) -> list[Any]:
    """The pack folders `CERULES_RULES_PATH` names: each entry a pack, or a folder of packs."""
    value = os.environ.get(RULES_PATH_ENVIRONMENT, "") if value is None else value
    found: list[Any] = []
    for entry in filter(None, value.split(os.pathsep)):
        folder = Path(entry)
        if (folder / PACK_FILE).is_file():
            found.append(folder)
        elif folder.is_dir():
            found.extend(sorted(child for child in folder.iterdir() if (child / PACK_FILE).is_file()))
        else:
            raise RulesError(
                entry, None, f"{RULES_PATH_ENVIRONMENT} 中的文件夹不存在", f"a folder in {RULES_PATH_ENVIRONMENT} does not exist"
            )
    return found
