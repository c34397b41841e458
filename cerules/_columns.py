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
    r"(?P<z>Z|[+-](?P<zh>\d{2}):(?P<zm>\d{2}))?)?\s*$"
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

    Returns (hundredths, present, failures); absent cells are not failures. Amounts repeat a
    lot, so each distinct text is parsed once.
    """
    array = as_arrow(column)
    n = len(array)
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    if n == 0:
        return np.zeros(0, dtype=np.int64), present, {}
    encoded = array.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    distinct = encoded.dictionary
    matched = pc.extract_regex(distinct, _AMOUNT)
    simple = pc.is_valid(matched).to_numpy(zero_copy_only=False)
    whole = _digits(matched, "whole")
    fraction = pc.utf8_slice_codeunits(pc.binary_join_element_wise(pc.fill_null(matched.field("frac"), ""), "000", ""), 0, 3)
    thousandths = pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    values = np.where(simple, whole * 100 + (thousandths + 5) // 10, 0).astype(np.int64)
    unusual, failed = _fallback(distinct, np.flatnonzero(~simple), parse_amount)
    for index, value in unusual.items():
        values[index] = value
    result = np.append(values, 0)[codes]
    failures = {}
    if failed:
        for row in np.flatnonzero(np.isin(codes, np.fromiter(failed, dtype=np.int64))).tolist():
            failures[row] = failed[int(codes[row])]
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


def _bytes(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array and each row's start and end in them (no copy)."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pc.cast(array, pa.string())
    _, offsets, data = array.buffers()
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[array.offset : array.offset + len(array) + 1].astype(np.int64)
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(1, dtype=np.uint8)
    return raw, bounds


def _fields_fixed(array: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Rows in the common shapes (`YYYY-MM-DD[( |T)HH:MM:SS[Z|±hh:mm]]`) and their fields, read
    straight from the UTF-8 bytes: every field stands at a fixed position."""
    raw, bounds = _bytes(array)
    start, length = bounds[:-1], np.diff(bounds)
    shape_ok = np.isin(length, (10, 19, 20, 25))
    start = np.where(shape_ok, start, 0)
    padded = np.concatenate([raw, np.zeros(32, dtype=np.uint8)])

    def at(position: int) -> np.ndarray:
        return padded[start + position]

    def digits(*positions: int) -> tuple[np.ndarray, np.ndarray]:
        number = np.zeros(len(start), dtype=np.int32)
        ok = np.ones(len(start), dtype=bool)
        for position in positions:
            value = at(position) - np.uint8(48)  # non-digits wrap around above 9
            ok &= value <= 9
            number = number * 10 + value
        return number, ok

    y, ok_y = digits(0, 1, 2, 3)
    mo, ok_mo = digits(5, 6)
    d, ok_d = digits(8, 9)
    timed = length >= 19
    zoned = length == 25
    sign = at(19)
    utc = (length == 20) & (sign == ord("Z"))
    date_ok = ok_y & ok_mo & ok_d & (at(4) == ord("-")) & (at(7) == ord("-"))
    fine = shape_ok & date_ok & ((length == 10) | timed)
    h = mi = sec = zh = zm = np.zeros(len(start), dtype=np.int32)
    if timed.any():
        h, ok_h = digits(11, 12)
        mi, ok_mi = digits(14, 15)
        sec, ok_s = digits(17, 18)
        separator = at(10)
        time_ok = ok_h & ok_mi & ok_s & ((separator == ord("T")) | (separator == ord(" "))) & (at(13) == ord(":")) & (at(16) == ord(":"))
        fine &= ~timed | (time_ok & ((length != 20) | utc))
    if zoned.any():
        zh, ok_zh = digits(20, 21)
        zm, ok_zm = digits(23, 24)
        zone_ok = ok_zh & ok_zm & ((sign == ord("+")) | (sign == ord("-"))) & (at(22) == ord(":"))
        fine &= ~zoned | zone_ok
    return fine, {
        "y": y.astype(np.int64),
        "mo": mo.astype(np.int64),
        "d": d.astype(np.int64),
        "h": np.where(timed, h, 0).astype(np.int64),
        "mi": np.where(timed, mi, 0).astype(np.int64),
        "s": np.where(timed, sec, 0).astype(np.int64),
        "f": np.zeros(len(start), dtype=np.int64),
        "naive": ~(zoned | utc),
        "negative": zoned & (sign == ord("-")),
        "zh": np.where(zoned, zh, 0).astype(np.int64),
        "zm": np.where(zoned, zm, 0).astype(np.int64),
    }


def _fields_general(array: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Fields of instants in any shape the regex admits (minutes only, fractions): matched, fields."""
    m = pc.extract_regex(array, _INSTANT)
    matched = pc.is_valid(m).to_numpy(zero_copy_only=False)
    fraction = pc.utf8_slice_codeunits(pc.binary_join_element_wise(pc.fill_null(m.field("f"), ""), "000000", ""), 0, 6)
    zone = pc.fill_null(m.field("z"), "")
    return matched, {
        "y": _digits(m, "y", 1970),
        "mo": _digits(m, "mo", 1),
        "d": _digits(m, "d", 1),
        "h": _digits(m, "h"),
        "mi": _digits(m, "mi"),
        "s": _digits(m, "s"),
        "f": pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False),
        "naive": pc.equal(zone, "").to_numpy(zero_copy_only=False),
        "negative": pc.starts_with(zone, "-").to_numpy(zero_copy_only=False),
        "zh": _digits(m, "zh"),
        "zm": _digits(m, "zm"),
    }


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
    filled = pc.fill_null(array, "")
    fixed, fields = _fields_fixed(filled)
    fixed &= present
    simple = fixed.copy()
    others = np.flatnonzero(~fixed & present)
    if len(others):
        matched, general = _fields_general(pc.utf8_trim_whitespace(filled.take(pa.array(others))))
        for name, values in general.items():
            fields[name][others] = values
        simple[others] = matched
    y, mo, d, h, mi, s, f = (fields[k] for k in ("y", "mo", "d", "h", "mi", "s", "f"))
    offset_minutes = np.where(fields["negative"], -1, 1) * (fields["zh"] * 60 + fields["zm"])
    valid = (
        simple
        & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= _days_in_month(y, mo))
        & (h <= 23) & (mi <= 59) & (s <= 59) & (np.abs(offset_minutes) < 24 * 60)
    )  # fmt: skip
    distinct_years = np.unique(y[valid])
    steady_years = distinct_years[[_steady_year(int(value)) for value in distinct_years]] if len(distinct_years) else distinct_years
    steady = valid & np.isin(y, steady_years)
    offset_minutes = np.where(fields["naive"], 8 * 60, offset_minutes)
    utc_seconds = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60
    micros = np.where(steady, utc_seconds * 1_000_000 + f, 0)
    shanghai_days = np.floor_divide(utc_seconds + 8 * 3600, 86400)
    day = np.where(steady, shanghai_days + _EPOCH_DAY, 0).astype(np.int32)
    year = np.where(steady, _year_of_days(shanghai_days), 0).astype(np.int32)
    unusual, failures = _fallback(array, np.flatnonzero(present & ~steady), _instant_triple)
    for row, (moment, local_year, ordinal) in unusual.items():
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
