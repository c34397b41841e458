"""Cells and problems shared by the persons and records readers: blank cells, dictionary encoding,
each distinct value interpreted once, the first problem of a row kept with its column."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pyarrow as pa

from ..rules.model import Text
from .columns import as_arrow, utf8_buffers, valid_mask
from .table import Table

T = TypeVar("T")


@attrs.frozen
class Problem:
    """Why one row is invalid: the column at fault and the message in both languages."""

    column: str | None
    text: Text


def table_from_rows(rows: Sequence[Mapping[str, Any]], path: str = "<memory>") -> Table:
    """A Table from in-memory rows (dicts), as a library caller would give them."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {name: np.array([cell(row.get(name)) for row in rows], dtype=object) for name in names}
    return Table(path=path, columns=columns, lines=np.arange(1, len(rows) + 1, dtype=np.int64), problems=())


def cell(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas.NA, pandas.NaT


def is_missing(value: Any) -> bool:
    """Whether an in-memory value stands for an empty cell: None, NaN, pandas' NA and NaT, numpy's NaT.

    DataFrames write a blank cell as NaN (`df.to_dict("records")`); a number that is NaN is never
    a value a person meant, so it reads as blank, like an empty CSV cell.
    """
    if value is None:
        return True
    if isinstance(value, float):  # numpy's floating types included
        return math.isnan(value)
    if type(value).__name__ in _MISSING_TYPES:
        return True
    if isinstance(value, np.generic) and value.dtype.kind in "mMf":  # datetime64/timedelta64 NaT, float16
        return bool(np.isnan(value))
    return False


def encode(column: Any) -> tuple[np.ndarray, list[str | None]]:
    """Dictionary-encode a column: integer codes per row (-1 for empty) and the distinct values.

    A column read dictionary-encoded (`typed`) is taken as it is, with only the words its rows use.
    """
    if isinstance(column, pa.DictionaryArray) and pa.types.is_string(column.dictionary.type):
        return _used_words(column)
    array = as_arrow(column)
    if len(array) == 0:
        return np.zeros(0, dtype=np.int32), []
    encoded = array.dictionary_encode()
    codes = _codes(encoded.indices)
    return codes, encoded.dictionary.to_pylist()


def _codes(indices: pa.Array) -> np.ndarray:
    """Dictionary indices as int32 codes, -1 for a missing cell (without a copy when they are int32 and complete)."""
    if indices.type != pa.int32():
        indices = indices.cast(pa.int32())
    if indices.null_count:
        indices = indices.fill_null(-1)
    return indices.to_numpy(zero_copy_only=False)


def _used_words(column: pa.DictionaryArray) -> tuple[np.ndarray, list[str | None]]:
    """A dictionary column's codes and the words its rows use (renumbered); a missing word is a missing cell.

    Words no row uses are left out, so the vocabularies built from them are those of the same
    column read as text (in another order, which no verdict depends on).
    """
    codes = _codes(column.indices)
    words = column.dictionary
    if words.null_count:
        codes = np.where(np.append(valid_mask(words), False)[codes], codes, -1).astype(np.int32)
    counts = np.bincount(codes + 1, minlength=len(words) + 1)[1:]  # slot 0: missing cells
    if counts.all():
        return codes, words.to_pylist()
    used = np.flatnonzero(counts)
    renumber = np.full(len(words) + 1, -1, dtype=np.int32)
    renumber[used] = np.arange(len(used), dtype=np.int32)
    return renumber[codes], words.take(pa.array(used, type=pa.int64())).to_pylist()


def problem_of(name: str, exc: ValueError) -> Problem:
    return Problem(name, Text(f"{name}：{getattr(exc, 'zh', exc)}", f"{name}: {exc}"))


def note(problems: dict[int, Problem], rows: Any, problem: Problem | Callable[[int], Problem]) -> None:
    """Record a problem for rows that have none yet (the first problem found is the one reported)."""
    for row in np.asarray(rows, dtype=np.int64).tolist():
        if row not in problems:
            problems[row] = problem(row) if callable(problem) else problem


def interpret(column: Any, parse: Callable[[str], T], empty: T, name: str, problems: dict[int, Problem], dtype: Any = object) -> np.ndarray:
    """Apply `parse` to each distinct value; rows whose value fails get a Problem. Returns per-row values."""
    codes, uniques = encode(column)
    lookup = np.empty(len(uniques) + 1, dtype=dtype)
    failed: dict[int, Problem] = {}
    for index, value in enumerate(uniques):
        try:
            lookup[index] = parse(value)  # type: ignore[arg-type]
        except ValueError as exc:
            failed[index] = problem_of(name, exc)
            lookup[index] = empty
    lookup[-1] = empty  # code -1: the cell is empty
    if failed:
        refused = np.zeros(len(uniques) + 1, dtype=bool)  # a lookup by code, not a search per row
        refused[list(failed)] = True
        bad = np.flatnonzero(refused[codes])
        note(problems, bad, lambda row: failed[int(codes[row])])
    return lookup[codes]


def is_none(array: np.ndarray) -> np.ndarray:
    """Which cells of an object array are None (compared in numpy's loop, not a Python call per cell)."""
    return np.equal(array, None) if len(array) else np.zeros(0, dtype=bool)


def objects(column: Any) -> np.ndarray:
    """A column as a numpy array of `str | None` (persons are few; records stay in Arrow)."""
    if isinstance(column, np.ndarray):
        return column
    return as_arrow(column).to_numpy(zero_copy_only=False)


def flag_duplicates(ids: Any, lines: np.ndarray, column: str, problems: dict[int, Problem]) -> None:
    """Mark every repeat of an id after its first row (the first keeps it).

    Each id is hashed; only rows whose hash occurs more than once are compared as strings.
    """
    from .scan import hash_cells  # compiled code is loaded where it runs

    array = as_arrow(ids)
    if len(array) == 0:
        return
    raw, bounds = utf8_buffers(array)
    valid = valid_mask(array)
    hashes = hash_cells(raw, bounds, valid)
    ordered = np.sort(hashes)
    repeated_hashes = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    suspects = np.flatnonzero(np.isin(hashes, repeated_hashes) & valid) if len(repeated_hashes) else np.zeros(0, dtype=np.int64)
    if len(suspects) == 0:
        return
    codes, _ = encode(array.take(pa.array(suspects)))
    counts = np.bincount(codes[codes >= 0], minlength=1)
    repeated = (codes >= 0) & (counts[np.clip(codes, 0, None)] > 1)
    suspects, codes = suspects[repeated], codes[repeated]
    if len(suspects) == 0:
        return
    _, first_index = np.unique(codes, return_index=True)
    first_row = dict(zip(codes[first_index].tolist(), suspects[first_index].tolist(), strict=True))
    code_of = dict(zip(suspects.tolist(), codes.tolist(), strict=True))
    repeats = [row for row in suspects.tolist() if first_row[code_of[row]] != row]

    def repeat(row: int) -> Problem:
        first = int(lines[first_row[code_of[row]]])
        return Problem(column, Text(f"{column} 与第 {first} 行重复", f"{column} repeats the one on line {first}"))

    note(problems, repeats, repeat)
