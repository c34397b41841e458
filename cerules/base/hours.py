"""Exact hours: amounts are kept as integer hundredths so that sums never drift.

0.1 hour is 10 hundredths; thirty of them are exactly 300, i.e. 3 hours.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import BadValue

SCALE = 100
_QUANTUM = Decimal("0.01")


def parse_amount(text: str) -> int:
    """Parse a decimal amount (`"1.5"`) into hundredths, rounding half up past two places.

    Raises BadValue (a ValueError) for anything that is not a finite decimal number.
    """
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise BadValue(f"不是数字：{text!r}", f"not a decimal number: {text!r}") from None
    if not number.is_finite():
        raise BadValue(f"不是有限的数字：{text!r}", f"not a finite number: {text!r}")
    return int(number.quantize(_QUANTUM, rounding=ROUND_HALF_UP) * SCALE)


def to_hundredths(value: int | float | Decimal) -> int:
    """Convert a number from a rule file (`30`, `7.5`) into hundredths."""
    return parse_amount(str(value))


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
