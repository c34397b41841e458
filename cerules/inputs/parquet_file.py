"""Parquet files and Arrow tables (a DataFrame's, say), column-wise.

A column whose type says what it holds (numbers of hours, timestamps of completion, yes/no as
booleans, dictionary-encoded words: `typed`) is kept as it is; any other becomes the text a CSV
would hold (`arrow_text`), mostly without Python per cell. Only the columns asked for are read.
There are no lines and no header row, so row ``i`` (0-based) gets line ``i + 1``.

Whatever a column holds is read without a crash: a floating-point NaN is a missing value (as
pandas means it); numbers beyond any bound become text that the parsers refuse with a message;
a date or date-time outside the years Python can hold is a row problem; string data that is not
UTF-8 is refused, naming its column and row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .arrow_text import arrow_text
from .columns import utf8_buffers, valid_mask
from .table import InputError, RowProblem, Table, check_names, check_required, empty_file, frozen
from .typed import WORD_COLUMNS, clean_dictionary, keep_typed

__all__ = ["read_parquet", "table_from_arrow"]


_DAY = 86400
_FIRST_DAY, _END_DAY = -719161, 2932896  # 0001-01-02 and 9999-12-31, in days since 1970-01-01
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def _temporal_span(kind: pa.DataType) -> tuple[pa.DataType, int, int] | None:
    """For a date or timestamp type: (its integer storage, the first and the end value read).

    A day inside the years 1-9999 at each end, so that no time-zone offset leaves them; the
    values beyond would wrap round or fail when formatted.
    """
    if pa.types.is_date32(kind):
        return pa.int32(), _FIRST_DAY, _END_DAY
    if pa.types.is_date64(kind):
        return pa.int64(), _FIRST_DAY * _DAY * 1000, _END_DAY * _DAY * 1000
    if pa.types.is_timestamp(kind):
        per_day = _DAY * _PER_SECOND[kind.unit]
        low, high = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        return pa.int64(), max(_FIRST_DAY * per_day, low), min(_END_DAY * per_day, high)
    return None


def _out_of_span(name: str, values: pa.ChunkedArray, problems: list[tuple[int, int, RowProblem]], position: int) -> pa.ChunkedArray:
    """Dates and date-times outside 0001-01-02 to 9999-12-30 become missing cells with a problem."""
    span = _temporal_span(values.type)
    if span is None:
        return values
    storage, first, end = span
    raw = values.cast(storage)
    outside = pc.or_(pc.less(raw, first), pc.greater_equal(raw, end))
    rows = np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))
    if len(rows) == 0:
        return values
    for row in rows.tolist():
        problem = RowProblem(
            row, name, f"{name}：日期超出 0001-01-02 至 9999-12-30 的范围", f"{name}: date outside 0001-01-02 to 9999-12-30"
        )
        problems.append((row, position, problem))
    return pc.if_else(outside, pa.scalar(None, values.type), values)


def _checked_utf8(display: str, name: str, values: pa.ChunkedArray) -> None:
    """Refuse string data that is not UTF-8 (Parquet does not check it), naming the first bad row."""
    try:
        values.validate(full=True)
    except pa.ArrowInvalid:
        row = 0
        for chunk in values.chunks:
            for cell in chunk.cast(pa.binary()).to_pylist():
                try:
                    (cell or b"").decode("utf-8")
                except UnicodeDecodeError:
                    raise InputError(display, "字符串不是有效的 UTF-8", "string is not valid UTF-8", line=row + 1, column=name) from None
                row += 1
        raise InputError(display, "列的数据无效", "the column's data is not valid", column=name) from None


def _is_nested(kind: pa.DataType) -> bool:
    return pa.types.is_nested(kind) or pa.types.is_union(kind)


def _arrow_text(display: str, name: str, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Parquet column as strings, mostly without Python per cell."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        _checked_utf8(display, name, values)
        return values
    if pa.types.is_dictionary(kind):
        return _arrow_text(display, name, values.cast(kind.value_type))
    try:
        return arrow_text(values)
    except pa.ArrowInvalid:
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            raise InputError(display, "二进制值不是 UTF-8 文本", "binary values are not UTF-8 text", column=name) from None
        raise


def _typed(display: str, name: str, values: pa.ChunkedArray) -> pa.Array | None:
    """The column as it is when its type says what it holds (`typed.keep_typed`), else None.

    Words are trimmed and each kept once (`typed.clean_dictionary`); a floating-point NaN is a
    missing value. Words that are not UTF-8 are left to the text path, which names the row.
    """
    if not keep_typed(name, values.type):
        return None
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(array.type):
        try:
            array.dictionary.validate(full=True)
        except pa.ArrowInvalid:
            return None
        return clean_dictionary(array)
    if pa.types.is_floating(array.type):
        array = pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return array


def _parquet_column(
    display: str, name: str, values: pa.ChunkedArray, problems: list[tuple[int, int, RowProblem]], position: int, typed: bool
) -> np.ndarray | pa.Array:
    """Stripped text cells, or with `typed` the column as it is when its type says what it holds;
    a list or struct value is no cell, so it becomes ``None`` and a problem."""
    if _is_nested(values.type):
        for row in np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False)):
            problem = RowProblem(int(row), name, "值是列表或结构，不是单个值", "value is a list or structure, not a single value")
            problems.append((int(row), position, problem))
        return frozen([None] * len(values))
    values = _out_of_span(name, values, problems, position)
    kept = _typed(display, name, values) if typed else None
    if kept is not None:
        return kept
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
    display: str,
    names: Sequence[str],
    rows: int,
    load: Callable[[int], pa.ChunkedArray],
    required: Sequence[str],
    *,
    columns: Collection[str] | None = None,
    typed: bool = True,
) -> Table:
    """A Table from a column-wise source; `load(i)` gives the i-th column.

    Only the named `columns` are read (all when None). Columns are read two at a time (Arrow
    releases the GIL), kept as they are when their type says what they hold (`typed`), else turned
    to text; there are no line numbers or header row, so row ``i`` gets line ``i + 1``.
    """
    names = [name.strip() for name in names]
    check_names(display, names)
    check_required(display, names, required)
    problems: list[tuple[int, int, RowProblem]] = []
    wanted = [position for position, name in enumerate(names) if columns is None or name in columns]

    def column(position: int) -> np.ndarray | pa.Array:
        return _parquet_column(display, names[position], load(position), problems, position, typed)

    with ThreadPoolExecutor(max_workers=2) as pool:
        read = dict(zip([names[position] for position in wanted], pool.map(column, wanted), strict=True))
    problems.sort(key=lambda item: item[:2])
    lines = np.arange(1, rows + 1, dtype=np.int64)
    lines.flags.writeable = False
    return Table(display, read, lines, tuple(problem for *_, problem in problems))


def table_from_arrow(
    data: pa.Table, display: str = "<table>", required: Sequence[str] = (), *, columns: Collection[str] | None = None, typed: bool = True
) -> Table:
    """A Table from an Arrow table (a DataFrame's, say), as Parquet is read."""
    return _columnar_table(display, data.column_names, data.num_rows, data.column, required, columns=columns, typed=typed)


def read_parquet(
    display: str, required: Sequence[str], data: bytes | None = None, *, columns: Collection[str] | None = None, typed: bool = True
) -> Table:
    """Parquet, one column at a time: the file's chunks are freed as soon as the column is read.

    Columns of few words (`typed.WORD_COLUMNS`) are asked for dictionary-encoded, so each word
    is read and interpreted once. `data` is the file's bytes when it was received rather than
    found on disk (an upload); `display` then only names it in messages.
    """
    if (len(data) if data is not None else os.path.getsize(display)) == 0:
        raise empty_file(display)

    def opened(words: list[str] | None = None) -> pq.ParquetFile:  # each its own reader: a ParquetFile is not for two threads at once
        return pq.ParquetFile(display if data is None else pa.BufferReader(data), read_dictionary=words)

    def load(position: int) -> pa.ChunkedArray:
        name = source.schema_arrow.names[position]
        words = [name] if typed and name.strip() in WORD_COLUMNS and pa.types.is_string(source.schema_arrow.field(position).type) else None
        return opened(words).read(columns=[name], use_threads=False).column(0)

    try:
        source = opened()
        return _columnar_table(display, source.schema_arrow.names, source.metadata.num_rows, load, required, columns=columns, typed=typed)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:  # a column name that is not UTF-8, too
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(display, f"不是可读取的 Parquet 文件（{reason}）", f"not a readable Parquet file ({reason})") from None
