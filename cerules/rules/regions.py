"""Shandong's prefecture-level cities (GB/T 2260), and reading a city given as code or name.

Exports write a city in many ways: `370200`, `青岛市`, `青岛`, `Qingdao`, with the province in
front (`山东省青岛市`, `山东青岛`), as a district or county code (`370202`, 市南区), or as a
number that went through a spreadsheet (`370200.0`). All of them name one of the 16 cities;
anything else is refused.
"""

from __future__ import annotations

import re
import unicodedata

from ..base.errors import BadValue
from ..base.text import Text

CITIES: dict[str, Text] = {
    "370100": Text("济南市", "Jinan"),
    "370200": Text("青岛市", "Qingdao"),
    "370300": Text("淄博市", "Zibo"),
    "370400": Text("枣庄市", "Zaozhuang"),
    "370500": Text("东营市", "Dongying"),
    "370600": Text("烟台市", "Yantai"),
    "370700": Text("潍坊市", "Weifang"),
    "370800": Text("济宁市", "Jining"),
    "370900": Text("泰安市", "Tai'an"),
    "371000": Text("威海市", "Weihai"),
    "371100": Text("日照市", "Rizhao"),
    "371300": Text("临沂市", "Linyi"),
    "371400": Text("德州市", "Dezhou"),
    "371500": Text("聊城市", "Liaocheng"),
    "371600": Text("滨州市", "Binzhou"),
    "371700": Text("菏泽市", "Heze"),
}
"""The 16 cities by code. 莱芜 (371200) merged into 济南 in 2019; its people belong to 370100."""

_MERGED = {"371200": "370100", "莱芜市": "370100", "莱芜": "370100"}


def _aliases() -> dict[str, str]:
    names: dict[str, str] = dict(_MERGED)
    for code, name in CITIES.items():
        names[code] = code
        names[name.zh] = code
        names[name.zh.removesuffix("市")] = code
        names[name.en.lower()] = code
    return names


_BY_NAME = _aliases()

_PROVINCE_PREFIXES = ("山东省", "山东")
"""The province written before a city's name (`山东省青岛市`, `山东青岛`)."""

_SPREADSHEET_CODE = re.compile(r"(\d{6})\.0*")
"""A six-digit code that a spreadsheet turned into a number (`370200.0`)."""

_CODE = re.compile(r"\d{6}")


def _city_of_code(code: str) -> str | None:
    """The city of a GB/T 2260 code: its own, or that of the district or county it names.

    The standard's codes are province (2 digits), city (2) and county-level unit (2): a county
    code belongs to the city whose code is its first four digits and `00`, when that is one of
    the cities (or 莱芜, now part of 济南). Province-level and other provinces' codes are none.
    """
    known = _BY_NAME.get(code)
    if known is not None:
        return known
    return _BY_NAME.get(code[:4] + "00") if code[4:] != "00" else None


def city_code(text: str) -> str:
    """The GB/T 2260 code of a city given as `370200`, `青岛市`, `青岛`, `Qingdao`, `山东省青岛市`,
    a district or county code (`370202` → `370200`) or a spreadsheet number (`370200.0`).

    Raises ValueError naming what was given when it is none of Shandong's cities.
    """
    cleaned = "".join(unicodedata.normalize("NFKC", text).split())  # full-width digits, inner spaces
    spreadsheet = _SPREADSHEET_CODE.fullmatch(cleaned)
    if spreadsheet:
        cleaned = spreadsheet.group(1)
    for prefix in _PROVINCE_PREFIXES:
        if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
            cleaned = cleaned.removeprefix(prefix)
            break
    if _CODE.fullmatch(cleaned):
        code = _city_of_code(cleaned)
    else:
        code = _BY_NAME.get(cleaned) or _BY_NAME.get(" ".join(text.split()).lower())
    if code is None:
        raise BadValue(f"不是山东省的市（代码或名称）：{text!r}", f"not a Shandong city code or name: {text!r}")
    return code


def city_name(code: str | None, lang: str = "zh") -> str:
    """A city's name in a language, or the code itself when unknown."""
    if code is None:
        return ""
    name = CITIES.get(code)
    return name.in_lang(lang) if name else code
