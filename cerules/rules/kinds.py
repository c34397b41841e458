"""The kinds of value a rule parameter takes, each with the check that refuses anything else.

A check returns the value as the rules keep it (codes as a tuple, a date as ISO text) or raises
`SchemaError` saying, in Chinese and English, what was expected; the caller adds the file and key.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from ..base.errors import CeruleError
from ..base.text import Text
from .model import ANY


class SchemaError(CeruleError, ValueError):
    """A value that does not fit its parameter; the message says what was expected."""


@attrs.frozen
class Kind:
    """A kind of value: how people call it (for docs and messages) and its check."""

    name: Text
    check: Callable[[Any], Any]


MAXIMUM_AMOUNT = 10_000
"""The largest amount (hours, credits, hours a day, hours per credit) a rule may name: a year has
8,784 hours at most, so anything larger is a mistake, and a bound keeps every sum the engine makes
of rule amounts (in hundredths, in 64-bit integers) far from overflowing."""

MAXIMUM_FACTOR = 100
"""The largest multiplier a rule may name (the notice doubles hours: 2); a bound for the same reasons."""


def shown(value: Any, limit: int = 80) -> str:
    """`repr(value)` for a message, cut to `limit` characters (a rule file may hold a 5,000-digit number)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> Any:
    """A finite int, float or Decimal, or SchemaError (a bool is not a number; nor are inf and nan)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise SchemaError(f"应为数字，实际为 {shown(value)}", f"expected a number, got {shown(value)}")
    finite = value.is_finite() if isinstance(value, Decimal) else isinstance(value, int) or math.isfinite(value)
    if not finite:
        raise SchemaError(f"应为有限的数字，实际为 {shown(value)}", f"expected a finite number, got {shown(value)}")
    return value


def _two_places(value: int | float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value == value.quantize(Decimal("0.01"))
    return isinstance(value, int) or round(value, 2) == value


def _bounded(minimum_exclusive: bool, maximum: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        _number(value)
        if value < 0 or (minimum_exclusive and value == 0):
            wanted_zh = "大于 0 的数" if minimum_exclusive else "不小于 0 的数"
            bound_en = "> 0" if minimum_exclusive else ">= 0"
            raise SchemaError(f"应为{wanted_zh}，实际为 {shown(value)}", f"expected a number {bound_en}, got {shown(value)}")
        if value > maximum:
            raise SchemaError(f"应不大于 {maximum}，实际为 {shown(value)}", f"expected a number <= {maximum}, got {shown(value)}")
        if not _two_places(value):
            raise SchemaError(f"最多两位小数，实际为 {shown(value)}", f"expected at most two decimal places, got {shown(value)}")
        return value

    return check


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SchemaError(
            f'应为代码列表（或 ["{ANY}"]），实际为 {shown(value)}', f'expected a list of codes (or ["{ANY}"]), got {shown(value)}'
        )
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise SchemaError(f"应为非空字符串的列表，实际为 {shown(value)}", f"expected a list of non-empty strings, got {shown(value)}")
    if ANY in value and len(value) > 1:
        raise SchemaError(
            f'"{ANY}" 表示全部认可，须单独使用，实际为 {shown(value)}', f'"{ANY}" accepts everything and stands alone, got {shown(value)}'
        )
    return tuple(value)


def _date(value: Any) -> str:
    """A calendar date (`2023-10-31`, or a TOML date), kept as ISO text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise SchemaError(f'应为日期，例如 "2023-10-31"，实际为 {shown(value)}', f'expected a date such as "2023-10-31", got {shown(value)}')


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"应为 true 或 false，实际为 {shown(value)}", f"expected true or false, got {shown(value)}")
    return value


AMOUNT = Kind(Text(f"0 至 {MAXIMUM_AMOUNT} 的数", f"number from 0 to {MAXIMUM_AMOUNT:,}"), _bounded(False, MAXIMUM_AMOUNT))
POSITIVE = Kind(Text(f"大于 0、不大于 {MAXIMUM_AMOUNT} 的数", f"number > 0, at most {MAXIMUM_AMOUNT:,}"), _bounded(True, MAXIMUM_AMOUNT))
FACTOR = Kind(Text(f"大于 0、不大于 {MAXIMUM_FACTOR} 的倍数", f"factor > 0, at most {MAXIMUM_FACTOR}"), _bounded(True, MAXIMUM_FACTOR))
CODES = Kind(Text('代码列表或 `["*"]`', 'list of codes or `["*"]`'), _codes)
REQUIREMENT_IDS = Kind(Text("要求编号列表", "list of requirement ids"), _codes)
DATE = Kind(Text("日期", "date"), _date)
BOOLEAN = Kind(Text("true 或 false", "true/false"), _boolean)

MAXIMUM_WINDOW = 10
"""The longest window a requirement may count over, in years (title applications look at five)."""


def _whole(minimum: int, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise SchemaError(
                f"应为 {minimum} 至 {maximum} 的整数，实际为 {shown(value)}",
                f"expected a whole number from {minimum} to {maximum}, got {shown(value)}",
            )
        return value

    return check


def _choices(allowed: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        codes = _codes(value)
        unknown = [code for code in codes if code not in allowed and code != ANY]
        if unknown:
            listing = ", ".join(allowed)
            raise SchemaError(
                f"未知的取值 {unknown[0]!r}；应为 {listing} 中的若干个", f"unknown value {unknown[0]!r}; expected some of {listing}"
            )
        return codes

    return check


YEARS = Kind(Text(f"1 至 {MAXIMUM_WINDOW} 的整数（年）", f"whole number of years, 1 to {MAXIMUM_WINDOW}"), _whole(1, MAXIMUM_WINDOW))
YEAR = Kind(Text("年份，例如 2021", "a year such as 2021"), _whole(1900, 2199))
SOURCES = Kind(Text('`["declared"]`、`["provider"]` 或两者', '`["declared"]`, `["provider"]` or both'), _choices(("declared", "provider")))
MODES = Kind(Text('`["online"]`、`["offline"]` 或两者', '`["online"]`, `["offline"]` or both'), _choices(("online", "offline")))
