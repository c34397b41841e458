"""The kinds of value a rule parameter takes, each with the check that refuses anything else.

A check returns the value as the rules keep it (codes as a tuple, a date as ISO text) or raises
`SchemaError` saying, in Chinese and English, what was expected; the caller adds the file and key.
"""

from __future__ import annotations

import datetime as dt
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


def _amount(minimum_exclusive: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise SchemaError(f"应为数字，实际为 {value!r}", f"expected a number, got {value!r}")
        if value < 0 or (minimum_exclusive and value == 0):
            wanted_zh = "大于 0 的数" if minimum_exclusive else "不小于 0 的数"
            bound_en = "> 0" if minimum_exclusive else ">= 0"
            raise SchemaError(f"应为{wanted_zh}，实际为 {value!r}", f"expected a number {bound_en}, got {value!r}")
        if isinstance(value, float) and round(value, 2) != value:
            raise SchemaError(f"最多两位小数，实际为 {value!r}", f"expected at most two decimal places, got {value!r}")
        return value

    return check


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SchemaError(f'应为代码列表（或 ["{ANY}"]），实际为 {value!r}', f'expected a list of codes (or ["{ANY}"]), got {value!r}')
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise SchemaError(f"应为非空字符串的列表，实际为 {value!r}", f"expected a list of non-empty strings, got {value!r}")
    if ANY in value and len(value) > 1:
        raise SchemaError(
            f'"{ANY}" 表示全部认可，须单独使用，实际为 {value!r}', f'"{ANY}" accepts everything and stands alone, got {value!r}'
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
    raise SchemaError(f'应为日期，例如 "2023-10-31"，实际为 {value!r}', f'expected a date such as "2023-10-31", got {value!r}')


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"应为 true 或 false，实际为 {value!r}", f"expected true or false, got {value!r}")
    return value


AMOUNT = Kind(Text("不小于 0 的数", "number ≥ 0"), _amount(False))
POSITIVE = Kind(Text("大于 0 的数", "number > 0"), _amount(True))
CODES = Kind(Text('代码列表或 `["*"]`', 'list of codes or `["*"]`'), _codes)
REQUIREMENT_IDS = Kind(Text("要求编号列表", "list of requirement ids"), _codes)
DATE = Kind(Text("日期", "date"), _date)
BOOLEAN = Kind(Text("true 或 false", "true/false"), _boolean)
