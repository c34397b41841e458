"""Exact hours: amounts are kept as integer hundredths so that sums never drift.

0.1 hour is 10 hundredths; thirty of them are exactly 300, i.e. 3 hours.

Parsing is total: any text gives hundredths or a `BadValue`, never another exception, so a
hostile cell is an invalid record and not a crash.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import BadValue

SCALE = 100
_ONE = Decimal(1)

LIMIT = 10**15
"""The largest magnitude, in hundredths, that an amount may have at all (10^13 hours): held
exactly by Decimal and by int64, whatever is done with it next. Inputs bound one record far
lower (`cerules.inputs.bounds`)."""

FINE = 10_000
"""Records' hours and credits while they are counted: ten-thousandths (0.36 s). Sums are exact at
this scale and rounded half up to hundredths once, at the end (docs/decisions.md, "Counting")."""

# ASCII digits only: Python's Decimal also reads full-width (１２), Arabic-Indic and other digits,
# and `1_000`; a cell in those forms is refused with a message rather than read by accident.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NOT_FINITE = frozenset({"nan", "snan", "inf", "infinity"})


def parse_amount(text: str, *, maximum: int = LIMIT, scale: int = SCALE) -> int:
    """Parse a decimal amount (`"1.5"`) into hundredths (or 1/`scale`, e.g. `FINE`), rounding half up past them.

    Raises BadValue (a ValueError), and nothing else, for any text that is not a finite decimal
    number in ASCII digits, and for an amount whose magnitude is above `maximum` hundredths.
    """
    if not isinstance(text, str):
        raise BadValue(f"不是数字：{text!r}", f"not a decimal number: {text!r}")
    raw = text.strip()
    if not _NUMBER.fullmatch(raw):
        raise _refusal(text, raw)
    try:
        number = Decimal(raw)
        if number and (number.adjusted() > 20 or abs(number) * SCALE > maximum):
            raise beyond(text, maximum)
        return int((number * scale).quantize(_ONE, rounding=ROUND_HALF_UP))
    except ArithmeticError:  # an exponent beyond what Decimal can hold (1e-99999999999999999999)
        raise BadValue(f"数字超出可表示的范围：{shown(text)}", f"number out of range: {shown(text)}") from None


def shown(text: str, width: int = 40) -> str:
    """A cell quoted for a message, cut short when long: a hostile cell may be megabytes."""
    return repr(text) if len(text) <= width else repr(text[:width]) + "…"


def _refusal(text: str, raw: str) -> BadValue:
    if raw.lower().lstrip("+-") in _NOT_FINITE:
        return BadValue(f"不是有限的数字：{shown(text)}", f"not a finite number: {shown(text)}")
    if any(c.isdigit() and not c.isascii() for c in raw):
        return BadValue(f"数字应使用半角数字（0-9）：{shown(text)}", f"write numbers in ASCII digits (0-9): {shown(text)}")
    return BadValue(f"不是数字：{shown(text)}", f"not a decimal number: {shown(text)}")


def beyond(text: str, maximum: int) -> BadValue:
    """The refusal of an amount above `maximum` hundredths, naming the bound."""
    bound = format_amount(maximum)
    return BadValue(f"数值超过上限 {bound}：{shown(text)}", f"amount above the bound of {bound}: {shown(text)}")


def to_hundredths(value: int | float | Decimal) -> int:
    """Convert a number from a rule file (`30`, `7.5`) into hundredths."""
    return parse_amount(str(value))


def fine_to_hundredths(fine: int) -> int:
    """An amount in `FINE` units rounded half up to hundredths (numpy arrays of them too): the one rounding of a sum."""
    return (fine + FINE // SCALE // 2) // (FINE // SCALE)


def to_number(hundredths: int) -> float | int:
    """Hundredths back to a plain number for output: whole numbers as int, else 2-place float."""
    if hundredths % SCALE == 0:
        return hundredths // SCALE
    return round(hundredths / SCALE, 2)


def to_float(hundredths: int) -> float:
    """Hundredths as a float with at most two decimals (the contract's output form)."""
    return round(hundredths / SCALE, 2)


def format_amount(hundredths: int) -> str:
    """Human form: `32`, `1.5`, `0.25`."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), SCALE)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")
