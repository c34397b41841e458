"""How much one record may carry: the contract's bound on a record's hours, minutes and credits.

Not a policy value (no notice sets it) but a promise of the engine: far above any real record,
and far enough below int64 that sums over every record of a province stay exact. A record beyond
it is an `invalid_record` whose message names the bound, never an overflow. Library callers
may choose another bound (`max_record_amount=`), the command line too (`--max-record-amount`).
"""

from __future__ import annotations

from decimal import Decimal

from ..base.errors import BadValue
from ..base.hours import SCALE, format_amount, parse_amount

__all__ = ["CEILING", "MAX_RECORD_AMOUNT", "MINUTES_PER_CLOCK_HOUR", "minutes_bound", "record_bound"]

MAX_RECORD_AMOUNT = 10_000
"""The most hours, or credits, one record may carry by default: a year has 8,784 hours."""

CEILING = 1_000_000
"""The largest bound a caller may choose: 10^8 hundredths, so that even 10^9 records of it, each
multiplied by 10, sum inside int64 (9.2 × 10^18)."""


def record_bound(amount: int | float | str | Decimal | None = None) -> int:
    """The bound on one record's hours and credits, in hundredths; `None` gives the default.

    Raises BadValue (a CeruleError and ValueError) for a bound that is not a number in
    (0, CEILING].
    """
    if amount is None:
        return MAX_RECORD_AMOUNT * SCALE
    hundredths = _parse(str(amount))  # True is refused there: "True" is no number
    if hundredths <= 0:
        raise BadValue(
            f"单条记录的上限应大于 0，实际为 {amount!r}",
            f"the bound on one record must be above 0, got {amount!r}",
        )
    return hundredths


MINUTES_PER_CLOCK_HOUR = 60
"""A record given in minutes is bounded as the same length of clock time given in hours."""


def minutes_bound(hours_bound: int) -> int:
    """The bound on one record's `minutes`, in hundredths of a minute, from the bound on its hours (hundredths).

    The rules may count fewer minutes to an hour (`counting.minutes_per_hour`), so a record
    within this bound may still convert to more hours than `hours_bound`: the conversion refuses
    those (`kernel.minutes`). The bound keeps the conversion's products far inside int64.
    """
    return hours_bound * MINUTES_PER_CLOCK_HOUR


def _parse(text: str) -> int:
    try:
        return parse_amount(text, maximum=CEILING * SCALE)
    except BadValue as err:
        bound = format_amount(CEILING * SCALE)
        raise BadValue(
            f"单条记录的上限应为 0 到 {bound} 之间的数：{err.zh}",
            f"the bound on one record must be a number from 0 to {bound}: {err.en}",
        ) from None
