"""A rule pack's regions (GB/T 2260), and reading a city given as code or name.

Exports write a city in many ways: `370200`, `青岛市`, `青岛`, `Qingdao`, with the province in
front (`山东省青岛市`, `山东青岛`), as a district or county code (`370202`), or as a number that
went through a spreadsheet (`370200.0`). Each pack lists its cities (codes, names, aliases such as
a merged city's old name and code) in its `pack.toml`; `Regions.city_code` reads all those forms
for that pack and refuses anything else. The default pack's (Shandong's) are in `shipped`:
`default_regions`, `city_code`, `city_name`, `CITIES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..base.errors import BadValue
from ..base.text import Text
from .vocabulary import UNIT_LEVEL_WORDS

_SPREADSHEET_CODE = re.compile(r"(\d{6})\.0*")
"""A six-digit code that a spreadsheet turned into a number (`370200.0`)."""

_CODE = re.compile(r"\d{6}")


@attrs.frozen
class Regions:
    """The cities a pack knows, the names people write for them, and the words for unit levels.

    `aliases` maps further names and codes to a city's code (a merged city: `莱芜` → `370100`);
    `unit_level_words` maps what files write for a unit level (`省直`) to its code.
    """

    province: str
    """The province's GB/T 2260 code (`370000`)."""
    name: Text
    cities: Mapping[str, Text] = attrs.field(converter=lambda m: MappingProxyType(dict(m)))
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=lambda m: MappingProxyType(dict(m)))
    unit_level_words: Mapping[str, str] = attrs.field(factory=lambda: dict(UNIT_LEVEL_WORDS), converter=lambda m: MappingProxyType(dict(m)))
    _by_name: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        names: dict[str, str] = {}
        for alias, code in self.aliases.items():
            names[alias] = code
            names[alias.lower()] = code
        for code, name in self.cities.items():
            names[code] = code
            names[name.zh] = code
            names[name.zh.removesuffix("市")] = code
            names[name.en.lower()] = code
        object.__setattr__(self, "_by_name", names)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The province's name as written before a city's (`山东省`, `山东`), longest first."""
        full = self.name.zh
        short = full.removesuffix("省").removesuffix("市")
        return tuple(dict.fromkeys(p for p in (full, short) if p))

    def _city_of_code(self, code: str) -> str | None:
        """The city of a GB/T 2260 code: its own, or that of the district or county it names.

        The standard's codes are province (2 digits), city (2) and county-level unit (2): a county
        code belongs to the city whose code is its first four digits and `00`, when that is one of
        the pack's cities (or an alias of one). Province-level and other provinces' codes are none.
        """
        known = self._by_name.get(code)
        if known is not None:
            return known
        return self._by_name.get(code[:4] + "00") if code[4:] != "00" else None

    def city_code(self, text: str) -> str:
        """The GB/T 2260 code of a city given as code, name, alias, with the province in front,
        as a district or county code or as a spreadsheet number.

        Raises BadValue naming what was given when it is none of the pack's cities.
        """
        cleaned = "".join(unicodedata.normalize("NFKC", text).split())  # full-width digits, inner spaces
        spreadsheet = _SPREADSHEET_CODE.fullmatch(cleaned)
        if spreadsheet:
            cleaned = spreadsheet.group(1)
        for prefix in self.prefixes:
            if cleaned.startswith(prefix) and len(cleaned) > len(prefix) and cleaned not in self._by_name:
                cleaned = cleaned.removeprefix(prefix)
                break
        if _CODE.fullmatch(cleaned):
            code = self._city_of_code(cleaned)
        else:
            code = self._by_name.get(cleaned) or self._by_name.get(" ".join(text.split()).lower())
        if code is None:
            raise BadValue(f"不是{self.name.zh}的市（代码或名称）：{text!r}", f"not a {self.name.en} city code or name: {text!r}")
        return code

    def city_name(self, code: str | None, lang: str = "zh") -> str:
        """A city's name in a language, or the code itself when unknown."""
        if code is None:
            return ""
        name = self.cities.get(code)
        return name.in_lang(lang) if name else code

    def unit_level(self, text: str) -> str:
        """The unit-level code (`province`, `city`) of a word files write (`省直`, `市属`)."""
        key = text.strip()
        code = self.unit_level_words.get(key.lower(), self.unit_level_words.get(key))
        if code is None:
            accepted = " / ".join(sorted(self.unit_level_words))
            english = " or ".join(sorted(k for k in self.unit_level_words if k.isascii()))
            raise BadValue(f"应为 {accepted}，实际为 {text!r}", f"expected {english} (unit level), got {text!r}")
        return code
