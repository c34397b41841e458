"""Parquet files and Arrow tables (a DataFrame's, say): every column turned to text, column-wise.

Typed columns become the text a CSV would hold (``true``/``false``, ISO 8601 instants, numbers as
Arrow writes them), mostly without Python per cell. There are no lines and no header row, so row
``i`` (0-based) gets line ``i + 1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .columns import utf8_buffers, valid_mask
from .table import InputError, RowProblem, Table, check_names, check_required, empty_file, frozen

__all__ = ["read_parquet", "table_from_arrow"]


def _timestamp_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 text: local wall time, with ``+08:00``-style offset when the type has a zone.

    Fractional seconds are shown only when non-zero, without trailing zeros.
    """
    fmt = "%Y-%m-%dT%H:%M:%S" + ("%Ez" if values.type.tz is not None else "")
    text = pc.strftime(values, format=fmt)
    text = pc.replace_substring_regex(text, r"(\.\d*?)0+(\+|-|$)", r"\1\2")
    return pc.replace_substring_regex(text, r"\.(\+|-|$)", r"\1")


def _python_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Per-cell fallback for types pyarrow cannot format (e.g. no time-zone database)."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return pa.chunked_array([pa.array([text(v) for v in values.to_pylist()], pa.string())])


def _is_nested(kind: pa.DataType) -> bool:
    return pa.types.is_nested(kind) or pa.types.is_union(kind)


def _arrow_text(display: str, name: str, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Parquet column as strings, mostly without Python per cell."""
    kind = values.type
    if pa.types.is_string(kind):
        return values
    if pa.types.is_dictionary(kind):
        return _arrow_text(display, name, values.cast(kind.value_type))
    if pa.types.is_null(kind):
        return values.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "true", "false")
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        try:
            return values.cast(pa.binary()).cast(pa.string())
        except pa.ArrowInvalid:
            raise InputError(display, "二进制值不是 UTF-8 文本", "binary values are not UTF-8 text", column=name) from None
    try:
        if pa.types.is_timestamp(kind):
            return _timestamp_text(values)
        return values.cast(pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return _python_text(values)


def _parquet_column(
    display: str, name: str, values: pa.ChunkedArray, problems: list[tuple[int, int, RowProblem]], position: int
) -> np.ndarray | pa.Array:
    """Stripped text cells; a list or struct value is no cell, so it becomes ``None`` and a problem."""
    if _is_nested(values.type):
        for row in np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False)):
            problem = RowProblem(int(row), name, "值是列表或结构，不是单个值", "value is a list or structure, not a single value")
            problems.append((int(row), position, problem))
        return frozen([None] * len(values))
    text = _arrow_text(display, name, values)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    spaced, empty = _edges(text)
    if spaced:
        text = pc.utf8_trim_whitespace(text)
        empty = empty or bool(_edges(text)[1])
    if empty:  # present but empty cells are missing ones
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    return text


def _edges(text: pa.Array) -> tuple[bool, bool]:
    """(some cell has white space at an edge, some present cell is empty), in one compiled pass.

    The compiled scan is imported here, where it runs, so that reading a CSV never loads numba
    (it is 3 times as fast as Arrow's trim-and-compare and 8 times a numpy version).
    """
    if len(text) == 0:
        return False, False
    from .scan import cell_edges

    raw, bounds = utf8_buffers(text)
    return cell_edges(raw, bounds, valid_mask(text))


def _columnar_table(
    display: str, names: Sequence[str], rows: int, load: Callable[[int], pa.ChunkedArray], required: Sequence[str]
) -> Table:
    """A Table of text columns from a column-wise source; `load(i)` gives the i-th column.

    Columns are turned to text two at a time (Arrow releases the GIL); there are no line
    numbers or header row, so row ``i`` gets line ``i + 1``.
    """
    names = [name.strip() for name in names]
    check_names(display, names)
    check_required(display, names, required)
    problems: list[tuple[int, int, RowProblem]] = []

    def column(position: int) -> np.ndarray | pa.Array:
        return _parquet_column(display, names[position], load(position), problems, position)

    with ThreadPoolExecutor(max_workers=2) as pool:
        columns = dict(zip(names, pool.map(column, range(len(names))), strict=True))
    problems.sort(key=lambda item: item[:2])
    lines = np.arange(1, rows + 1, dtype=np.int64)
    lines.flags.writeable = False
    return Table(display, columns, lines, tuple(problem for *_, problem in problems))


def table_from_arrow(data: pa.Table, display: str = "<table>", required: Sequence[str] = ()) -> Table:
    """A Table from an Arrow table (a DataFrame's, say): every column as text, as Parquet is read."""
    return _columnar_table(display, data.column_names, data.num_rows, data.column, required)


def read_parquet(display: str, required: Sequence[str]) -> Table:
    """Parquet, one column at a time: the file's chunks are freed as soon as the column is text."""
    if os.path.getsize(display) == 0:
        raise empty_file(display)

    def load(position: int) -> pa.ChunkedArray:
        reader = pq.ParquetFile(display)  # its own reader: a ParquetFile is not for two threads at once
        return reader.read(columns=[reader.schema_arrow.names[position]], use_threads=False).column(0)

    try:
        source = pq.ParquetFile(display)
        return _columnar_table(display, source.schema_arrow.names, source.metadata.num_rows, load, required)
    except (pa.ArrowException, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(display, f"不是可读取的 Parquet 文件（{reason}）", f"not a readable Parquet file ({reason})") from None
