"""Shandong's prefecture-level cities (GB/T 2260), and reading a city given as code or name."""

from __future__ import annotations

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


def city_code(text: str) -> str:
    """The GB/T 2260 code of a city given as `370200`, `青岛市`, `青岛` or `Qingdao`.

    Raises ValueError naming what was given when it is none of Shandong's cities.
    """
    code = _BY_NAME.get(text.strip()) or _BY_NAME.get(text.strip().lower())
    if code is None:
        raise BadValue(f"不是山东省的市（代码或名称）：{text!r}", f"not a Shandong city code or name: {text!r}")
    return code


def city_name(code: str | None, lang: str = "zh") -> str:
    """A city's name in a language, or the code itself when unknown."""
    if code is None:
        return ""
    name = CITIES.get(code)
    return name.in_lang(lang) if name else code
