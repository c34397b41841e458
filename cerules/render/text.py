"""Text as a terminal shows it: display width (Chinese characters take two columns), padding, cells.

The terminal table of an evaluation and the impact tables both line up their columns with these.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any

NONE_LABEL = "—"
"""How a missing value shows: no title series, no department layer, no value before a draft."""


def _width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
        return 0  # drawn over the character before it
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: wide and full-width characters (Chinese) take two,
    combining marks none. Controls are escaped before (`cerules.base.printable`), never measured."""
    if text.isascii():
        return len(text)
    return sum(_width(char) for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """A text filled with spaces to `width` display columns, on the right (or, `right=True`, on the left)."""
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value: Any) -> str:
    """A share as a percentage (`83.4%`), or — when there is none."""
    return NONE_LABEL if _missing(value) else f"{value * 100:.1f}%"


def points(value: Any) -> str:
    """A change of shares in percentage points (`+1.5 pp`), or —."""
    return NONE_LABEL if _missing(value) else f"{value * 100:+.1f} pp"


def hours(value: Any) -> str:
    """Hours as a short number (`7.5`, `30`), or —."""
    return NONE_LABEL if _missing(value) else f"{value:g}"


def cell(value: Any) -> str:
    """Any value as a table cell: — for none, ✓/✗ for true/false, floats short."""
    if value is None:
        return NONE_LABEL
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


CELL_FORMATS: dict[str, Callable[[Any], str]] = {
    "rate_before": percent,
    "rate_after": percent,
    "change": points,
    "shortfall_before": hours,
    "shortfall_after": hours,
    "credited_before": hours,
    "credited_after": hours,
}
"""Columns of the impact tables shown other than by `cell`."""


def cell_text(column: str, value: Any) -> str:
    """A value of a named column as its cell shows it."""
    return CELL_FORMATS.get(column, cell)(value)


def rule_value(value: Any) -> str:
    """A resolved rule value as a diff shows it: lists in brackets, true/false, — for none."""
    if value is None:
        return NONE_LABEL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def row_cells(names: list[str], rows: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of a table (dicts by column) as the text of their cells, in the order of `names`."""
    return [[cell_text(name, row[name]) for name in names] for row in rows]
