"""Column-at-a-time parsing of hours and instants, exact and in step with the scalar parsers.

A province sends tens of millions of records; parsing each cell in Python would dominate the
run. The common forms are parsed here with vectorised arithmetic; anything unusual falls back,
per distinct value, to the scalar parsers (`_hours.parse_amount`, `_time.parse_instant`, which
go through Decimal and pendulum), so there is one meaning for every input. A property test keeps
the two in step.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pendulum
import pyarrow as pa
import pyarrow.compute as pc

from ._bad import BadValue
from ._hours import parse_amount
from ._time import SHANGHAI, parse_instant

_AMOUNT = r"^\s*\+?(?P<whole>\d{1,12})(?:\.(?P<frac>\d+))?\s*$"
_INSTANT = (
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?P<z>Z|[+-]\d{2}:\d{2})?)?\s*$"
)
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


def as_arrow(column: Any) -> pa.Array:
    """A string column as one Arrow array (from numpy object arrays, lists or Arrow)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column, pa.Array):
        return column if column.type == pa.string() else pc.cast(column, pa.string())
    return pa.array(column, type=pa.string(), from_pandas=True)


def _fallback(column: pa.Array, rows: np.ndarray, parse: Callable[[str], Any]) -> tuple[dict[int, Any], dict[int, BadValue]]:
    """Parse the distinct values at `rows` with a scalar parser: results and failures by row."""
    values: dict[int, Any] = {}
    failures: dict[int, BadValue] = {}
    if len(rows) == 0:
        return values, failures
    subset = column.take(pa.array(rows))
    encoded = subset.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    outcomes: list[Any] = []
    for text in encoded.dictionary.to_pylist():
        try:
            outcomes.append(parse(text))
        except ValueError as exc:
            outcomes.append(exc if isinstance(exc, BadValue) else BadValue(str(exc), str(exc)))
    for row, code in zip(rows.tolist(), codes.tolist(), strict=True):
        outcome = outcomes[code]
        if isinstance(outcome, BadValue):
            failures[row] = outcome
        else:
            values[row] = outcome
    return values, failures


def _digits(struct: pa.StructArray, name: str, missing: int = 0) -> np.ndarray:
    """A regex group as integers; unmatched rows and empty groups give `missing`."""
    field = pc.fill_null(struct.field(name), "")
    return pc.cast(pc.if_else(pc.equal(field, ""), str(missing), field), pa.int64()).to_numpy(zero_copy_only=False)


def parse_amounts(column: Any) -> tuple[np.ndarray, np.ndarray, dict[int, BadValue]]:
    """Decimal amounts in hundredths (half up past two places), with presence and failures by row.

    Returns (hundredths, present, failures); absent cells are not failures.
    """
    array = as_arrow(column)
    n = len(array)
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    result = np.zeros(n, dtype=np.int64)
    if n == 0:
        return result, present, {}
    matched = pc.extract_regex(pc.fill_null(array, ""), _AMOUNT)
    simple = pc.is_valid(matched).to_numpy(zero_copy_only=False)
    whole = _digits(matched, "whole")
    fraction = pc.utf8_slice_codeunits(pc.binary_join_element_wise(pc.fill_null(matched.field("frac"), ""), "000", ""), 0, 3)
    thousandths = pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    result = np.where(simple, whole * 100 + (thousandths + 5) // 10, 0)
    values, failures = _fallback(array, np.flatnonzero(present & ~simple), parse_amount)
    for row, value in values.items():
        result[row] = value
    return result, present, failures


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised, H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return lengths[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)


@functools.cache
def _steady_year(year: int) -> bool:
    """Does Asia/Shanghai keep +08:00 on every day of the year (no daylight saving)? Asked of pendulum.

    Any daylight-saving span covers at least one noon, so probing each day at noon finds it.
    """
    if not 1 <= year <= 9998:
        return False
    eight = dt.timedelta(hours=8)
    day = dt.date(year, 1, 1)
    while day.year == year:
        if pendulum.datetime(day.year, day.month, day.day, 12, tz=SHANGHAI).utcoffset() != eight:
            return False
        day += dt.timedelta(days=1)
    return True


def parse_instants(column: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, BadValue]]:
    """ISO 8601 instants: (microseconds since the epoch, Shanghai year, Shanghai day ordinal, present, failures).

    Without an offset a time is Shanghai local time; a bare date is the start of that day.
    """
    array = as_arrow(column)
    n = len(array)
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    micros = np.zeros(n, dtype=np.int64)
    year = np.zeros(n, dtype=np.int32)
    day = np.zeros(n, dtype=np.int32)
    if n == 0:
        return micros, year, day, present, {}
    m = pc.extract_regex(pc.fill_null(array, ""), _INSTANT)
    simple = pc.is_valid(m).to_numpy(zero_copy_only=False)
    y, mo, d = _digits(m, "y", 1970), _digits(m, "mo", 1), _digits(m, "d", 1)
    h, mi, s = _digits(m, "h"), _digits(m, "mi"), _digits(m, "s")
    fraction = pc.utf8_slice_codeunits(pc.binary_join_element_wise(pc.fill_null(m.field("f"), ""), "000000", ""), 0, 6)
    f = pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    zone = pc.fill_null(m.field("z"), "").to_numpy(zero_copy_only=False).astype(str)
    naive = zone == ""
    utc = zone == "Z"
    offset_text = np.where(naive | utc, "+00:00", zone)
    sign = np.where(np.char.startswith(offset_text, "-"), -1, 1)
    offset_minutes = sign * (np.char.ljust(offset_text, 6).astype("U6").view("U1").reshape(-1, 6)[:, [1, 2]].astype(int) @ [10, 1] * 60
                            + np.char.ljust(offset_text, 6).view("U1").reshape(-1, 6)[:, [4, 5]].astype(int) @ [10, 1])  # fmt: skip
    valid = (
        simple
        & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= _days_in_month(y, mo))
        & (h <= 23) & (mi <= 59) & (s <= 59) & (np.abs(offset_minutes) < 24 * 60)
    )  # fmt: skip
    distinct_years = np.unique(y[valid])
    steady_years = distinct_years[[_steady_year(int(year)) for year in distinct_years]] if len(distinct_years) else distinct_years
    steady = valid & np.isin(y, steady_years)
    offset_minutes = np.where(naive, 8 * 60, offset_minutes)
    local_seconds = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
    utc_seconds = local_seconds - offset_minutes * 60
    micros = np.where(steady, utc_seconds * 1_000_000 + f, 0)
    shanghai_seconds = utc_seconds + 8 * 3600
    shanghai_days = np.floor_divide(shanghai_seconds, 86400)
    day = np.where(steady, shanghai_days + _EPOCH_DAY, 0).astype(np.int32)
    year = np.where(steady, _year_of_days(shanghai_days), 0).astype(np.int32)
    values, failures = _fallback(array, np.flatnonzero(present & ~steady), _instant_triple)
    for row, (moment, local_year, ordinal) in values.items():
        micros[row], year[row], day[row] = moment, local_year, ordinal
    return micros, year, day, present, failures


def _year_of_days(days: np.ndarray) -> np.ndarray:
    """The Gregorian year of days since 1970-01-01 (vectorised)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2)


def _instant_triple(text: str) -> tuple[int, int, int]:
    """(microseconds since the epoch, Shanghai year, Shanghai day ordinal) of one instant, by pendulum."""
    moment = parse_instant(text)
    local = moment.in_timezone(SHANGHAI)
    micros = calendar.timegm(moment.utctimetuple()) * 1_000_000 + moment.microsecond
    return micros, local.year, local.date().toordinal()
