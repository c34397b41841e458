"""Reading persons and records files into string columns.

This module only *reads*: every cell comes back as a stripped string (or ``None`` when empty),
together with the source line of its row, so that later stages can interpret values and still
point the user at the exact place in the file. A row is never dropped: rows that are structurally
broken (wrong number of CSV fields, a JSON line that is not an object, ...) are kept and listed in
:attr:`Table.problems`. Only a file that cannot be read at all raises :class:`InputError`.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .columns import utf8_buffers, valid_mask
from .scan import cell_edges

__all__ = ["InputError", "RowProblem", "Table", "detect_encoding", "read_table"]

_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_ACCEPTED_EN = "accepted encodings: UTF-8, UTF-8 with BOM, GB18030/GBK"
_ACCEPTED_ZH = "可接受的编码：UTF-8、带 BOM 的 UTF-8、GB18030/GBK"


def _quote(name: str) -> str:
    """Quote a name for a one-line message; control characters (e.g. newlines) are escaped."""
    return f"'{name}'" if name.isprintable() else repr(name)


def _one_line(text: str) -> str:
    """Collapse line breaks, so that an error message stays on one line."""
    return " ".join(text.split()) if not text.isprintable() else text


class InputError(Exception):
    """A file that cannot be read at all. Fatal (CLI exit 2).

    ``str(err)`` is one line naming the file, and the line and column when known, so the CLI can
    print it as is; :meth:`localized` gives the same line in Chinese.
    """

    def __init__(
        self,
        path: str,
        message_en: str,
        message_zh: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(path, message_en, message_zh)
        self.path = os.fspath(path)
        self.message_en = message_en
        self.message_zh = message_zh
        self.line = line
        self.column = column

    def localized(self, lang: str) -> str:
        """The one-line message in ``'zh'`` or ``'en'`` (a region suffix such as ``zh-CN`` is fine)."""
        base = lang.replace("_", "-").split("-")[0].lower()
        path = _one_line(self.path)
        if base == "en":
            parts = [path]
            if self.line is not None:
                parts.append(f"line {self.line}")
            if self.column is not None:
                parts.append(f"column {_quote(self.column)}")
            return f"{', '.join(parts)}: {_one_line(self.message_en)}"
        if base == "zh":
            where = path
            if self.line is not None:
                where += f" 第 {self.line} 行"
            if self.column is not None:
                where += f"，列 {_quote(self.column)}"
            return f"{where}：{_one_line(self.message_zh)}"
        raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")

    def __str__(self) -> str:
        return self.localized("en")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are lost by the default Exception pickling (multiprocessing).
        rebuild = functools.partial(InputError, line=self.line, column=self.column)
        return (rebuild, (self.path, self.message_en, self.message_zh))


@attrs.frozen
class RowProblem:
    """A row that is structurally broken but kept in the table, so that no input is lost."""

    row: int
    column: str | None
    message_en: str
    message_zh: str


def _frozen(values: Sequence[Any] | np.ndarray, dtype: Any = object) -> np.ndarray:
    """An immutable 1-D array, so a frozen Table really cannot change under its users."""
    array = np.empty(len(values), dtype=dtype)
    array[:] = values
    array.flags.writeable = False
    return array


@attrs.frozen(eq=False)
class Table:
    """The cells of one input file, as strings, with the source line of every row.

    ``lines`` holds, for each row, the 1-based line of the source file where the row starts: for
    CSV the physical line (the header is line 1 when it is the first line), for JSON Lines the
    line of the object. Parquet has no lines and no header row, so row ``i`` (0-based) gets
    ``i + 1``. Equality is identity (arrays have no useful ``==``). A column is a numpy array of
    ``str | None`` or, for files read column-wise (Parquet), an Arrow string array.
    """

    path: str
    columns: dict[str, np.ndarray | pa.Array]
    lines: np.ndarray
    problems: tuple[RowProblem, ...] = ()

    def __attrs_post_init__(self) -> None:
        for name, values in self.columns.items():
            if len(values) != len(self.lines):
                raise ValueError(f"column {name!r} has {len(values)} cells, the table has {len(self.lines)} rows")

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> np.ndarray | pa.Array:
        """The named column, or an all-missing column when the file does not have it."""
        found = self.columns.get(name)
        if found is not None:
            return found
        return pa.nulls(len(self), pa.string())

    def cells(self, name: str) -> list[str | None]:
        """The named column as a Python list (for people and tests; the engine reads columns)."""
        column = self.column(name)
        return column.to_pylist() if isinstance(column, pa.Array) else list(column)

    def __repr__(self) -> str:
        return f"Table(path={self.path!r}, rows={len(self)}, columns={list(self.columns)}, problems={len(self.problems)})"


# --------------------------------------------------------------------------------------------
# Encodings


class _EncodingError(ValueError):
    """Why bytes are not accepted text, in both languages, and where (byte offset) if known."""

    def __init__(self, message_en: str, message_zh: str, offset: int | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        self.offset = offset


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _refuse_wide(data: bytes) -> None:
    """Refuse UTF-16/UTF-32 and binary data, which no accepted encoding can produce."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise _EncodingError(f"file is {name} encoded (byte-order mark)", f"文件是 {name} 编码（有字节顺序标记）")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _EncodingError(
            "file contains NUL bytes: UTF-16/UTF-32 text or binary data",
            "文件含有 NUL 字节：是 UTF-16/UTF-32 文本或二进制数据",
            nul,
        )


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK)."""
    _refuse_wide(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise _EncodingError(
                f"file starts with a UTF-8 byte-order mark but byte 0x{data[err.start]:02x} is not valid UTF-8",
                f"文件以 UTF-8 字节顺序标记开头，但字节 0x{data[err.start]:02x} 不是有效的 UTF-8",
                err.start,
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err.start
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        # The encoding that got further is the likelier intent: point at where it failed.
        offset = max(utf8_error, err.start)
    raise _EncodingError(
        f"file is neither UTF-8 nor GB18030 text (byte 0x{data[offset]:02x})",
        f"文件既不是 UTF-8 也不是 GB18030 文本（字节 0x{data[offset]:02x}）",
        offset,
    )


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes: ``'utf-8-sig'``, ``'utf-8'`` or ``'gb18030'``.

    Excel exports here are often GBK, which GB18030 decodes. Raises ``ValueError`` for UTF-16 or
    UTF-32 (a byte-order mark or NUL bytes) and for bytes that none of the three decodes.
    """
    return _decode(data)[1]


def _line_at(data: bytes, offset: int, *, universal: bool) -> int:
    """1-based line of a byte offset; ``universal`` counts CR and CRLF as line ends too (CSV)."""
    head = data[:offset]
    if not universal:
        return head.count(b"\n") + 1
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _encoding_error(display: str, data: bytes, err: _EncodingError, *, universal: bool) -> InputError:
    line = None if err.offset is None else _line_at(data, err.offset, universal=universal)
    accepted_en, accepted_zh = (
        (_ACCEPTED_EN, _ACCEPTED_ZH) if universal else ("JSON Lines must be UTF-8", "JSON Lines 文件必须是 UTF-8 编码")
    )
    return InputError(display, f"{err.message_en}; {accepted_en}", f"{err.message_zh}；{accepted_zh}", line=line)


# --------------------------------------------------------------------------------------------
# Shared helpers


def _empty_file(display: str) -> InputError:
    return InputError(display, "file is empty", "文件为空")


def _clean(values: Iterable[str | None]) -> np.ndarray:
    """Strip every cell; an empty cell becomes ``None``."""
    return _frozen([None if v is None else (v.strip() or None) for v in values])


def _check_names(display: str, names: Sequence[str], *, line: int | None = None) -> None:
    """Refuse a header with an unnamed or repeated column: cells could not be told apart."""
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:
            raise InputError(
                display,
                f"column {position} of the header has no name",
                f"表头第 {position} 列没有列名",
                line=line,
            )
        if name in seen:
            raise InputError(
                display,
                f"column name {_quote(name)} appears more than once in the header",
                f"表头中的列名 {_quote(name)} 重复",
                line=line,
                column=name,
            )
        seen.add(name)


def _check_required(display: str, names: Iterable[str], required: Sequence[str], *, line: int | None = None) -> None:
    present = list(names)
    found = ", ".join(_quote(n) for n in present)
    for name in required:
        if name not in present:
            raise InputError(
                display,
                f"required column is missing; columns found: {found or 'none'}",
                f"缺少必需的列；文件中的列：{found or '无'}",
                line=line,
                column=name,
            )


# --------------------------------------------------------------------------------------------
# CSV


class _Lines:
    """Lines of a text (CR, LF or CRLF ends), remembering the offset where the next one starts.

    ``csv.reader`` pulls lines one at a time, so before each row the offset is where the row
    starts; the last row's text is needed to tell a closed quote from one left open.
    """

    __slots__ = ("_lines", "offset", "last")

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.offset = 0
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.offset += len(line)
        self.last = line
        return line


def _csv_reader(lines: Iterable[str]) -> Any:
    # skipinitialspace lets `a, "b,c"` quote as intended; cells are stripped anyway.
    return csv.reader(lines, skipinitialspace=True)


def _quote_left_open(tail: str) -> bool:
    """Whether the last row's text ends inside a quoted field.

    An open quote swallows everything after it, so text appended after a line break joins the
    same row instead of starting a new one.
    """
    if '"' not in tail:
        return False
    rows = [row for row in _csv_reader(io.StringIO(tail + "\nx", newline="")) if row]
    return len(rows) < 2


def _field_count_problem(row: int, fields: int, expected: int, first: int, last: int) -> RowProblem:
    en = f"row has {fields} field{'s' if fields != 1 else ''}, header has {expected}"
    zh = f"该行有 {fields} 个字段，表头有 {expected} 个"
    if last > first:
        en += f"; the row spans lines {first}-{last}, check for an unbalanced quote"
        zh += f"；该行跨第 {first}-{last} 行，请检查引号是否成对"
    return RowProblem(row, None, en, zh)


def _read_csv(display: str, data: bytes, required: Sequence[str]) -> Table:
    """CSV in UTF-8 (BOM or not) or GB18030; a row's line is the physical line where it starts."""
    try:
        text, _ = _decode(data)
    except _EncodingError as err:
        raise _encoding_error(display, data, err, universal=True) from None
    if text.startswith("\ufeff"):  # GB18030 has its own byte-order mark
        text = text[1:]
    if not text.strip():
        raise _empty_file(display)

    lines = _Lines(text)
    reader = _csv_reader(lines)
    header: list[str] | None = None
    header_line = 0
    width = 0
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: list[RowProblem] = []
    last_start_offset = 0
    while True:
        first = reader.line_num + 1
        start_offset = lines.offset
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(
                display,
                f"cannot parse the row starting on this line: {err}",
                f"无法解析从此行开始的行：{err}",
                line=first,
            ) from None
        if not fields or (len(fields) == 1 and reader.line_num == first and not lines.last.strip()):
            continue  # a blank line
        last_start_offset = start_offset
        if header is None:
            header = [name.strip() for name in fields]
            header_line = first
            width = len(header)
            continue
        if len(fields) != width:
            extra = fields[width:]
            if len(fields) < width or any(value.strip() for value in extra):
                problems.append(_field_count_problem(len(rows), len(fields), width, first, reader.line_num))
            fields = fields[:width] if extra else fields + [""] * (width - len(fields))
        rows.append(fields)
        starts.append(first)

    if _quote_left_open(text[last_start_offset:]):
        raise InputError(
            display,
            "a quote in the row starting on this line is never closed",
            "从此行开始的行中有引号没有闭合",
            line=starts[-1] if starts else header_line,
        )
    if header is None:  # only blank lines, which the strip() check above already refuses
        raise _empty_file(display)
    _check_names(display, header, line=header_line)
    _check_required(display, header, required, line=header_line)
    by_column = list(zip(*rows, strict=False)) if rows else [()] * len(header)
    columns = {name: _clean(values) for name, values in zip(header, by_column, strict=False)}
    return Table(display, columns, _frozen(starts, np.int64), tuple(problems))


# --------------------------------------------------------------------------------------------
# JSON Lines


class _Number(str):
    """A JSON number kept as its source text (no float rounding: ``0.1`` stays ``0.1``)."""


_JSON_KINDS = {
    dict: ("object", "对象"),
    list: ("array", "数组"),
    str: ("string", "字符串"),
    _Number: ("number", "数字"),
    bool: ("boolean", "布尔值"),
    type(None): ("null", "null"),
}


_TEXT_TYPES = {str, type(None)}
_DECODER = json.JSONDecoder(parse_int=_Number, parse_float=_Number, parse_constant=_Number)


def _parse_json_line(row: int, raw: str, problems: list[RowProblem]) -> dict[str, Any]:
    """The object on one line, or ``{}`` (with a problem) when the line holds no object."""
    try:
        obj = _DECODER.decode(raw)
    except json.JSONDecodeError as err:
        problems.append(
            RowProblem(
                row,
                None,
                f"not valid JSON: {err.msg} (character {err.colno})",
                f"不是有效的 JSON：第 {err.colno} 个字符处出错",
            )
        )
        return {}
    if type(obj) is not dict:
        en, zh = _JSON_KINDS[type(obj)]
        problems.append(RowProblem(row, None, f"line is a JSON {en}, not an object", f"该行是 JSON {zh}，不是对象"))
        return {}
    return obj


def _json_column(name: str, keys: list[str], objects: list[dict[str, Any]], problems: list[RowProblem]) -> np.ndarray:
    """One column as cell text, built column by column (much faster than cell by cell).

    Several keys can strip to the same name; then the last one in the object wins.
    """
    if len(keys) == 1:
        key = keys[0]
        values = [o.get(key) for o in objects]
    else:
        found = ([o[k] for k in o if k in keys] for o in objects)
        values = [last[-1] if last else None for last in found]
    cells = [(v.strip() or None) if type(v) is str or type(v) is _Number else v for v in values]
    if set(map(type, cells)) <= _TEXT_TYPES:
        return _frozen(cells)
    for row, value in enumerate(cells):
        if value is None or type(value) is str:
            continue
        if type(value) is bool:
            cells[row] = "true" if value else "false"
        else:  # an array or object is no cell value; the row is kept with this cell empty
            en, zh = _JSON_KINDS[type(value)]
            cells[row] = None
            problems.append(RowProblem(row, name, f"value is a JSON {en}, not a single value", f"值是 JSON {zh}，不是单个值"))
    return _frozen(cells)


def _read_jsonl(display: str, data: bytes, required: Sequence[str]) -> Table:
    """UTF-8 JSON Lines; a line that holds no object is still a row (all ``None``)."""
    try:
        _refuse_wide(data)
        text = data.decode("utf-8-sig")
    except _EncodingError as err:
        raise _encoding_error(display, data, err, universal=False) from None
    except UnicodeDecodeError as err:
        raise InputError(
            display,
            f"byte 0x{data[err.start]:02x} is not valid UTF-8; JSON Lines must be UTF-8",
            f"字节 0x{data[err.start]:02x} 不是有效的 UTF-8；JSON Lines 文件必须是 UTF-8 编码",
            line=_line_at(data, err.start, universal=False),
        ) from None
    if not text.strip():
        raise _empty_file(display)

    objects: list[dict[str, Any]] = []
    starts: list[int] = []
    problems: list[RowProblem] = []
    raw_keys: dict[str, None] = {}  # an ordered set: keys in order of first appearance
    # Only LF ends a line: JSON strings may hold raw U+2028 and the like.
    for number, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        obj = _parse_json_line(len(objects), raw, problems)
        if not raw_keys.keys() >= obj.keys():
            raw_keys.update(dict.fromkeys(obj))
        objects.append(obj)
        starts.append(number)

    keys_by_name: dict[str, list[str]] = {}
    for key in raw_keys:
        keys_by_name.setdefault(key.strip(), []).append(key)
    for key in keys_by_name.pop("", []):
        for row, obj in enumerate(objects):
            if key in obj:
                problems.append(RowProblem(row, None, "object has an empty key; its value is ignored", "对象中有空的键，其值被忽略"))
    _check_required(display, keys_by_name, required)
    columns = {name: _json_column(name, keys, objects, problems) for name, keys in keys_by_name.items()}
    problems.sort(key=lambda problem: problem.row)  # stable: per row, in the order found
    return Table(display, columns, _frozen(starts, np.int64), tuple(problems))


# --------------------------------------------------------------------------------------------
# Parquet


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
            raise InputError(display, "binary values are not UTF-8 text", "二进制值不是 UTF-8 文本", column=name) from None
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
            problem = RowProblem(int(row), name, "value is a list or structure, not a single value", "值是列表或结构，不是单个值")
            problems.append((int(row), position, problem))
        return _frozen([None] * len(values))
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
    """(some cell has white space at an edge, some present cell is empty), in one compiled pass."""
    if len(text) == 0:
        return False, False
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
    _check_names(display, names)
    _check_required(display, names, required)
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


def _read_parquet(display: str, required: Sequence[str]) -> Table:
    """Parquet, one column at a time: the file's chunks are freed as soon as the column is text."""
    if os.path.getsize(display) == 0:
        raise _empty_file(display)

    def load(position: int) -> pa.ChunkedArray:
        reader = pq.ParquetFile(display)  # its own reader: a ParquetFile is not for two threads at once
        return reader.read(columns=[reader.schema_arrow.names[position]], use_threads=False).column(0)

    try:
        source = pq.ParquetFile(display)
        return _columnar_table(display, source.schema_arrow.names, source.metadata.num_rows, load, required)
    except (pa.ArrowException, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(display, f"not a readable Parquet file ({reason})", f"不是可读取的 Parquet 文件（{reason}）") from None


# --------------------------------------------------------------------------------------------


def read_table(path: str | os.PathLike[str], *, required: Sequence[str] = ()) -> Table:
    """Read a ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet`` file into string columns.

    Raises :class:`InputError` when the file cannot be read at all, or lacks a ``required``
    column. Structurally broken rows are kept and reported in :attr:`Table.problems`.
    """
    display = os.fspath(path)
    if isinstance(required, str):
        required = (required,)
    suffix = Path(display).suffix.lower()
    kind = _SUFFIXES.get(suffix)
    if kind is None:
        what_en = f"unsupported file type {_quote(suffix)}" if suffix else "file name has no suffix"
        what_zh = f"不支持的文件类型 {_quote(suffix)}" if suffix else "文件名没有后缀"
        raise InputError(
            display,
            f"{what_en}; use .csv, .jsonl (or .ndjson) or .parquet",
            f"{what_zh}；请使用 .csv、.jsonl（或 .ndjson）或 .parquet",
        )
    if os.path.isdir(display):
        raise InputError(display, "is a directory, not a file", "是目录，不是文件")
    if not os.path.exists(display):
        raise InputError(display, "file not found", "文件不存在")
    if kind == "parquet":
        return _read_parquet(display, required)
    try:
        with open(display, "rb") as handle:
            data = handle.read()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise InputError(display, f"cannot open the file: {reason}", f"无法打开文件：{reason}") from None
    reader = _read_csv if kind == "csv" else _read_jsonl
    return reader(display, data, required)
