"""Column-at-a-time parsing of hours and instants, exact and in step with the scalar parsers.

A province sends tens of millions of records; parsing each cell in Python would dominate the
run. The common forms are parsed here with vectorised arithmetic; anything unusual falls back,
per distinct value, to the scalar parsers (`base.hours.parse_amount`, `base.instants.parse_instant`,
which go through Decimal and pendulum), so there is one meaning for every input. A property test
keeps the two in step.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pendulum
import pyarrow as pa
import pyarrow.compute as pc

from ..base.errors import BadValue
from ..base.hours import LIMIT, SCALE, parse_amount
from ..base.instants import SHANGHAI, parse_instant
from .arrow_text import arrow_text

_AMOUNT = r"^\s*\+?(?P<whole>\d{1,12})(?:\.(?P<frac>\d+))?\s*$"
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()
_SERIAL_DAYS_TO_EPOCH = 25569  # Excel serial of 1970-01-01 (1900 date system), as in `scan`


def as_arrow(column: Any) -> pa.Array:
    """A column as one Arrow string array (from numpy object arrays, lists, or Arrow of any type as its text)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column, pa.Array):
        if column.type == pa.string():
            return column
        text = arrow_text(column)  # a typed column's text (`typed`)
        return text if text.type == pa.string() else pc.cast(text, pa.string())
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
        except (ValueError, ArithmeticError) as exc:  # the scalar parsers raise BadValue alone; this is a last guard
            outcomes.append(_detached(exc if isinstance(exc, BadValue) else BadValue(str(exc), str(exc))))
    for row, code in zip(rows.tolist(), codes.tolist(), strict=True):
        outcome = outcomes[code]
        if isinstance(outcome, BadValue):
            failures[row] = outcome
        else:
            values[row] = outcome
    return values, failures


def _detached(error: BadValue) -> BadValue:
    """The error without its traceback and causes: kept, those would hold this frame, and the
    columns in it, in a reference cycle until the cyclic collector ran (memory grew chunk by chunk)."""
    error.__traceback__ = error.__context__ = error.__cause__ = None
    return error


def _digits(struct: pa.StructArray, name: str, missing: int = 0) -> np.ndarray:
    """A regex group as integers; unmatched rows and empty groups give `missing`."""
    field = pc.fill_null(struct.field(name), "")
    return pc.cast(pc.if_else(pc.equal(field, ""), str(missing), field), pa.int64()).to_numpy(zero_copy_only=False)


def parse_amounts(column: Any, *, maximum: int = LIMIT, scale: int = SCALE) -> tuple[np.ndarray, np.ndarray, dict[int, BadValue]]:
    """Decimal amounts in hundredths, or in 1/`scale` (`hours.FINE`), half up past them, with presence and failures by row.

    Returns (hundredths, present, failures); absent cells are not failures, and a present cell
    fails exactly when `parse_amount(text, maximum=maximum)` refuses it (above `maximum`
    hundredths, say). Amounts repeat a lot, so each distinct text is parsed once.
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
    digits = len(str(scale))  # one digit past the scale's places (3 for hundredths), to round half up
    fraction = pc.utf8_slice_codeunits(pc.binary_join_element_wise(pc.fill_null(matched.field("frac"), ""), "0" * digits, ""), 0, digits)
    tenth_units = pc.cast(fraction, pa.int64()).to_numpy(zero_copy_only=False)
    values = np.where(simple, whole * scale + (tenth_units + 5) // 10, 0).astype(np.int64)
    at_the_bound = np.flatnonzero(simple & (values >= maximum * (scale // SCALE)))
    simple[at_the_bound] = False  # rounded onto or past the bound: the scalar parser weighs the exact value and words a refusal
    unusual, failed = _fallback(distinct, np.flatnonzero(~simple), partial(parse_amount, maximum=maximum, scale=scale))
    for index, value in unusual.items():
        values[index] = value
    result = np.append(values, 0)[codes]
    failures = {}
    if failed:
        for row in np.flatnonzero(np.isin(codes, np.fromiter(failed, dtype=np.int64))).tolist():
            failures[row] = failed[int(codes[row])]
    return result, present, failures


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


def utf8_buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array and the bounds of its cells in them: cell i is
    `raw[bounds[i]:bounds[i + 1]]` (views, no copy; `raw` is never empty, so it can be indexed)."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pc.cast(array, pa.string())
    _, offsets, data = array.buffers()
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[array.offset : array.offset + len(array) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else np.zeros(1, dtype=np.uint8)
    return raw, bounds


def valid_mask(array: pa.Array) -> np.ndarray:
    """Which cells are present, as a numpy bool array."""
    return array.is_valid().to_numpy(zero_copy_only=False) if array.null_count else np.ones(len(array), dtype=bool)


_STEADY = np.zeros(10000, dtype=bool)
_ASKED = np.zeros(10000, dtype=bool)


def _leading_number(padded: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """The number written by the `width` bytes at each start, or -1 where one is not a digit."""
    digits = np.stack([padded[start + k].astype(np.int64) - 48 for k in range(width)]) if len(start) else np.zeros((width, 0), np.int64)
    plausible = ((digits >= 0) & (digits <= 9)).all(axis=0)
    return np.where(plausible, digits.T @ 10 ** np.arange(width - 1, -1, -1, dtype=np.int64), -1)


def _steady_years(padded: np.ndarray, bounds: np.ndarray, serials: bool) -> np.ndarray:
    """A table by year of `_steady_year`, filled in (once) for the years the cells may hold:
    those they begin with (`2023-9-1` is the shortest date), and those of Excel serials."""
    lengths, starts = np.diff(bounds), bounds[:-1]
    years = _leading_number(padded, starts[lengths >= 8], 4)
    if serials:
        start = starts[(lengths == 5) | ((lengths >= 7) & (padded[np.minimum(starts + 5, len(padded) - 1)] == 46))]
        days = _leading_number(padded, start, 5)
        days = np.unique(days[days >= 0]) - _SERIAL_DAYS_TO_EPOCH
        days = np.concatenate([days, days + 1])  # a time of day that rounds up to the next midnight
        years = np.concatenate([years, days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970])
    years = np.unique(years[(years >= 0) & (years < len(_STEADY))])
    for year in years[~_ASKED[years]].tolist():
        _STEADY[year] = _steady_year(int(year))
        _ASKED[year] = True
    return _STEADY


def parse_instants(
    column: Any, *, excel_serials: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, BadValue]]:
    """Instants: (microseconds since the epoch, Shanghai year, Shanghai day ordinal, present, failures).

    Read as `base.instants.parse_instant` reads them (ISO 8601 and the spreadsheet forms; with
    `excel_serials`, the default for records' `completed_at`, Excel serial dates too). Without an
    offset a time is Shanghai local time; a bare date is the start of that day. The common shapes
    are read from the bytes by compiled code; anything else goes to the scalar parser.
    """
    from . import scan  # compiled code is loaded where it runs: reading files never needs numba

    array = as_arrow(column)
    n = len(array)
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), present, {}
    filled = pc.fill_null(array, "")
    raw, bounds = utf8_buffers(filled)
    padded = np.concatenate([raw, np.zeros(32, dtype=np.uint8)])
    steady = _steady_years(padded, bounds, excel_serials)
    micros, year, shanghai_days, parsed = scan.parse_instants(padded, bounds[:-1], np.diff(bounds), steady, excel_serials)
    day = (shanghai_days + _EPOCH_DAY).astype(np.int32)
    unusual, failures = _fallback(array, np.flatnonzero(present & ~parsed), partial(_instant_triple, excel_serials=excel_serials))
    for row, (moment, local_year, ordinal) in unusual.items():
        micros[row], year[row], day[row] = moment, local_year, ordinal
    return micros, year, day, present, failures


def _instant_triple(text: str, *, excel_serials: bool = True) -> tuple[int, int, int]:
    """(microseconds since the epoch, Shanghai year, Shanghai day ordinal) of one instant, by the scalar parser."""
    moment = parse_instant(text, excel_serials=excel_serials)
    local = moment.in_timezone(SHANGHAI)
    micros = calendar.timegm(moment.utctimetuple()) * 1_000_000 + moment.microsecond
    return micros, local.year, local.date().toordinal()
