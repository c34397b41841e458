"""Words people write for coded values (unit levels), and reading them back as codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from ..base.errors import BadValue
from ..base.text import Text

T = TypeVar("T")

UNIT_LEVELS: dict[str, Text] = {
    "province": Text("省直", "provincial unit"),
    "city": Text("市属", "city unit"),
}
"""Unit levels by code, with the short label people read (省直单位 / 市属单位)."""

UNIT_LEVEL_WORDS: dict[str, str] = {"province": "province", "省直": "province", "省直单位": "province", "省级": "province",
                                    "city": "city", "市属": "city", "市直": "city", "市级": "city", "市": "city"}  # fmt: skip
"""What input files write for a unit level, and the code it means."""

UNIT_LEVEL_DEFAULT = "city"
"""The unit level of a person whose cell is blank: 市属, the common case (the contract's default).
A file without the column at all is refused instead, unless the caller names the level to assume."""


def choice(table: Mapping[str, T], meaning: str) -> Callable[[str], T]:
    """A reader of one of a table's words (case-insensitive), refusing others in zh and en."""

    def parse(text: str) -> T:
        key = text.strip()
        value = table.get(key.lower(), table.get(key))
        if value is None:
            choices = sorted(k for k in table if k.isascii())
            accepted = " or ".join(choices)
            raise BadValue(f"应为 {' / '.join(sorted(table))}，实际为 {text!r}", f"expected {accepted} ({meaning}), got {text!r}")
        return value

    return parse


normalise_unit_level: Callable[[str], str] = choice(UNIT_LEVEL_WORDS, "unit level")
"""`province` or `city` from the words input files use (`省直`, `市属`, …)."""


def unit_level_label(code: str, lang: str = "zh") -> str:
    """The short label of a unit level (`省直`, `市属`), or the code itself when unknown."""
    label = UNIT_LEVELS.get(code)
    return label.in_lang(lang) if label else code
