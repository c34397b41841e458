"""Columns whose type already says what they hold: read as they are, never through text and back.

A Parquet file, an Arrow table or a DataFrame may give hours as numbers, `completed_at` as
timestamps or dates, the yes/no columns as booleans and the words as dictionary-encoded strings.
These are kept typed by the readers (`keep_typed`) and read here with exactly the meaning their
text has (`arrow_text`, then the text parsers): each typed reader takes the common values by
arithmetic and leaves any other cell to the text parser, so a typed column and its text always
give the same verdicts (a property test compares them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.errors import BadValue
from ..base.hours import LIMIT, SCALE
from .columns import as_arrow, parse_amounts, parse_instants, valid_mask

__all__ = [
    "AMOUNT_COLUMNS", "FLAG_COLUMNS", "INSTANT_COLUMNS", "WORD_COLUMNS", "cell_text", "clean_dictionary", "dictionary_parts",
    "keep_typed", "read_amounts", "read_flags", "read_instants",
]  # fmt: skip

AMOUNT_COLUMNS = frozenset({"hours", "credits", "minutes"})
INSTANT_COLUMNS = frozenset({"completed_at"})
FLAG_COLUMNS = frozenset({"quality_course", "approved"})
WORD_COLUMNS = frozenset(
    {"subject", "platform", "mode", "topic", "course_id", "role", "source", "kind", "city", "unit_level", "title_series", "industry",
     "specialty", "quality_course", "approved", "hours", "credits", "minutes"}
)  # fmt: skip
"""Columns of few distinct words: a Parquet reader asks for them dictionary-encoded, so each word is read once."""

_MICROS_PER_DAY = 86_400_000_000
_SHANGHAI = 8 * 3_600_000_000  # +08:00 in microseconds: Shanghai's offset in every year from 1992 on
_STEADY_FROM = 8035 * _MICROS_PER_DAY  # 1992-01-01T00:00Z
_STEADY_TO = 47482 * _MICROS_PER_DAY  # 2100-01-01T00:00Z
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_PER_MICRO = {"s": (1_000_000, 1), "ms": (1_000, 1), "us": (1, 1), "ns": (1, 1_000)}  # (multiply, floor-divide)


def _is_words(kind: pa.DataType) -> bool:
    """A dictionary of strings (as pandas' categories, polars' and Parquet's dictionaries hold them)."""
    if not pa.types.is_dictionary(kind):
        return False
    value = kind.value_type
    return pa.types.is_string(value) or pa.types.is_large_string(value) or pa.types.is_string_view(value)


def _is_number(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def keep_typed(name: str, kind: pa.DataType) -> bool:
    """Whether a reader keeps a column of this name and type as it is (else it reads it as text)."""
    if _is_words(kind):
        return True
    if name in AMOUNT_COLUMNS:
        return _is_number(kind)
    if name in INSTANT_COLUMNS:
        return pa.types.is_timestamp(kind) or pa.types.is_date32(kind) or pa.types.is_date64(kind)
    if name in FLAG_COLUMNS:
        return pa.types.is_boolean(kind)
    return False


def clean_dictionary(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """Words trimmed of white space, a blank word a missing cell, each word once: as the text readers read cells.

    Only the words are looked at when they are clean already (the common case); else the rows'
    indices are mapped onto the clean words in one take.
    """
    given = array.dictionary.cast(pa.string())
    words = pc.utf8_trim_whitespace(given)
    encoded = pc.if_else(pc.equal(words, ""), pa.scalar(None, pa.string()), words).dictionary_encode()
    if encoded.dictionary.equals(given) and encoded.null_count == 0:  # trimmed, none blank, each once
        return pa.DictionaryArray.from_arrays(array.indices, given) if array.dictionary.type != pa.string() else array
    remap = encoded.indices.cast(pa.int32())  # old word -> clean word (null: a blank word)
    return pa.DictionaryArray.from_arrays(remap.take(array.indices), encoded.dictionary)


def dictionary_parts(array: pa.DictionaryArray) -> tuple[np.ndarray, pa.Array]:
    """(each row's word index, -1 when missing; the words), for a dictionary of strings."""
    codes = array.indices.cast(pa.int64()).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    words = array.dictionary.cast(pa.string())
    if words.null_count:  # a missing word is a missing cell
        codes = np.where(np.append(valid_mask(words), False)[codes], codes, -1).astype(np.int32)
    return codes, words


def cell_text(column: Any, row: int) -> str | None:
    """One cell as its text (for a message quoting it)."""
    if isinstance(column, pa.Array):
        return as_arrow(column.slice(row, 1))[0].as_py()
    return column[row]


def _through_text(
    column: pa.Array, rows: np.ndarray, parse: Callable[[pa.Array], tuple[Any, ...]]
) -> tuple[tuple[Any, ...], dict[int, BadValue]]:
    """The text parser's reading of some rows of a typed column: its arrays, and failures by row of the column."""
    outcome = parse(as_arrow(column.take(pa.array(rows, type=pa.int64()))))
    *arrays, failures = outcome
    return tuple(arrays), {int(rows[local]): failure for local, failure in failures.items()}


def read_amounts(column: Any, *, maximum: int = LIMIT, scale: int = SCALE) -> tuple[np.ndarray, np.ndarray, dict[int, BadValue]]:
    """`columns.parse_amounts` of a column of any type: numbers by arithmetic, words once each, other text as text."""
    array = column if isinstance(column, pa.Array) else None
    if array is not None and _is_words(array.type):
        codes, words = dictionary_parts(array)
        values, _, failed = parse_amounts(words, maximum=maximum, scale=scale)
        failures = {}
        if failed:
            bad = np.isin(codes, np.fromiter(failed, dtype=np.int64))
            failures = {row: failed[int(codes[row])] for row in np.flatnonzero(bad).tolist()}
        return np.append(values, 0)[codes], codes >= 0, failures
    if array is None or not _is_number(array.type):
        return parse_amounts(column, maximum=maximum, scale=scale)
    present = valid_mask(array)
    try:
        numbers = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a decimal beyond any float: its text says what it is
        return parse_amounts(as_arrow(array), maximum=maximum, scale=scale)
    with np.errstate(invalid="ignore", over="ignore"):
        whole = np.rint(numbers * scale)
        simple = present & np.isfinite(numbers) & (whole > 0) & (whole < maximum * (scale // SCALE)) & (whole / scale == numbers)
    simple &= _read_alike(numbers, simple, lambda text: parse_amounts(text, maximum=maximum, scale=scale), scale)
    values = np.where(simple, whole, 0).astype(np.int64)
    unusual = np.flatnonzero(present & ~simple)
    (texts, _), failures = _through_text(array, unusual, lambda text: parse_amounts(text, maximum=maximum, scale=scale))
    values[unusual] = texts
    return values, present, failures


def _read_alike(numbers: np.ndarray, simple: np.ndarray, parse: Callable[[pa.Array], tuple[Any, ...]], scale: int) -> np.ndarray:
    """Which rows hold a number the text parser reads as the arithmetic does: each distinct number is asked once.

    What text a number is written as (`1e-05`, `0.0001`) is Arrow's to say; asking it keeps the two
    readings one, whatever it says. The answer is almost always yes, for every number.
    """
    distinct = pc.unique(pa.array(numbers[simple], type=pa.float64()))
    if len(distinct) == 0:
        return simple
    expected = np.rint(distinct.to_numpy(zero_copy_only=False) * scale).astype(np.int64)
    read, _, failures = parse(as_arrow(distinct))
    agree = read == expected
    agree[list(failures)] = False
    if agree.all():
        return simple
    return simple & ~np.isin(numbers, distinct.to_numpy(zero_copy_only=False)[~agree])


_FIRST_STEADY_DAY, _END_STEADY_DAY = _STEADY_FROM // _MICROS_PER_DAY, _STEADY_TO // _MICROS_PER_DAY + 1
# Each day's year, by a table: numpy's calendar conversion is slow.
_STEADY_DAYS = np.arange(_FIRST_STEADY_DAY, _END_STEADY_DAY).astype("datetime64[D]")
_YEAR_OF_DAY = (_STEADY_DAYS.astype("datetime64[Y]").astype(np.int64) + 1970).astype(np.int32)


def _calendar(micros: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Shanghai year, Shanghai day ordinal) of instants in the years Shanghai keeps +08:00."""
    days = (micros + _SHANGHAI) // _MICROS_PER_DAY
    years = _YEAR_OF_DAY[np.clip(days - _FIRST_STEADY_DAY, 0, len(_YEAR_OF_DAY) - 1)]
    return years, (days + _EPOCH_ORDINAL).astype(np.int32)


def _micros(array: pa.Array) -> tuple[np.ndarray, bool] | None:
    """Microseconds of a timestamp or date32 column (UTC for a zoned timestamp, wall time otherwise), and whether zoned."""
    kind = array.type
    if pa.types.is_timestamp(kind):
        multiply, divide = _PER_MICRO[kind.unit]
        raw = pc.fill_null(array.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)  # nulls as 0, never as a float NaN
        with np.errstate(over="ignore"):
            return (raw // divide if divide > 1 else raw * multiply), kind.tz is not None
    if pa.types.is_date32(kind):
        return pc.fill_null(array.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64) * _MICROS_PER_DAY, False
    return None  # date64 (rare) is read as its text


def read_instants(column: Any, *, excel_serials: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, BadValue]]:
    """`columns.parse_instants` of a column of any type: timestamps and dates by arithmetic where
    Shanghai keeps +08:00 (from 1992 on), other instants and any text as text."""
    array = column if isinstance(column, pa.Array) else None
    measured = _micros(array) if array is not None else None
    if measured is None:
        return parse_instants(column, excel_serials=excel_serials)
    raw, zoned = measured
    present = valid_mask(array)
    micros = raw if zoned else raw - _SHANGHAI  # wall time without a zone is Shanghai's
    simple = present & (micros >= _STEADY_FROM) & (micros < _STEADY_TO)
    micros = np.where(simple, micros, _STEADY_FROM)
    year, day = _calendar(micros)
    micros[~simple], year[~simple], day[~simple] = 0, 0, _EPOCH_ORDINAL  # what the text parser gives a missing cell
    unusual = np.flatnonzero(present & ~simple)
    (moments, years, days, _), failures = _through_text(array, unusual, lambda text: parse_instants(text, excel_serials=excel_serials))
    micros[unusual], year[unusual], day[unusual] = moments, years, days
    return micros, year, day, present, failures


def read_flags(column: Any, empty: bool) -> np.ndarray | None:
    """A boolean column as it is, a missing cell `empty`; None for any other column (read as text)."""
    if isinstance(column, pa.Array) and pa.types.is_boolean(column.type):
        return pc.fill_null(column, empty).to_numpy(zero_copy_only=False).astype(bool)
    return None
