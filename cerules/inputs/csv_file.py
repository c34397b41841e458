"""CSV files: UTF-8 (BOM or not) or GB18030, each row with the physical line where it starts.

A row with too few or too many fields is kept (padded or cut to the header) and reported, so that
no record is lost; only an unparseable quote or a bad header stops the reading. What a spreadsheet
adds beyond its data is no data: rows of only commas (or white space) after the last row that
holds anything, and unnamed columns at the end of the header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .encodings import EncodingError, decode, unreadable
from .headers import contract_names
from .table import InputError, RowProblem, Table, check_names, check_required, empty_file, frozen

__all__ = ["read_csv"]


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
    zh = f"该行有 {fields} 个字段，表头有 {expected} 个"
    en = f"row has {fields} field{'s' if fields != 1 else ''}, header has {expected}"
    if last > first:
        zh += f"；该行跨第 {first}-{last} 行，请检查引号是否成对"
        en += f"; the row spans lines {first}-{last}, check for an unbalanced quote"
    return RowProblem(row, None, zh, en)


def _without_trailing_blanks(names: list[str]) -> list[str]:
    """The header without the unnamed columns at its end (a spreadsheet's used range; their
    cells must be empty, as extra fields are). One unnamed column alone is left, to be refused."""
    while len(names) > 1 and not names[-1]:
        names.pop()
    return names


def _clean(values: Iterable[str | None]) -> np.ndarray:
    """Strip every cell; an empty cell becomes ``None``."""
    return frozen([None if v is None else (v.strip() or None) for v in values])


def read_csv(display: str, data: bytes, required: Sequence[str]) -> Table:
    """CSV in UTF-8 (BOM or not) or GB18030; a row's line is the physical line where it starts."""
    try:
        text, _ = decode(data)
    except EncodingError as err:
        raise unreadable(display, data, err, universal=True) from None
    if text.startswith("\ufeff"):  # GB18030 has its own byte-order mark
        text = text[1:]
    if not text.strip():
        raise empty_file(display)

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
                f"无法解析从此行开始的行：{err}",
                f"cannot parse the row starting on this line: {err}",
                line=first,
            ) from None
        if not fields or (len(fields) == 1 and reader.line_num == first and not lines.last.strip()):
            continue  # a blank line
        last_start_offset = start_offset
        if header is None:
            header = _without_trailing_blanks(contract_names(fields))
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
            "从此行开始的行中有引号没有闭合",
            "a quote in the row starting on this line is never closed",
            line=starts[-1] if starts else header_line,
        )
    if header is None:  # only blank lines, which the strip() check above already refuses
        raise empty_file(display)
    while rows and not any(value.strip() for value in rows[-1]):  # a spreadsheet's empty rows after the data
        rows.pop()
        starts.pop()
    problems = [problem for problem in problems if problem.row < len(rows)]
    check_names(display, header, line=header_line)
    check_required(display, header, required, line=header_line)
    by_column = list(zip(*rows, strict=False)) if rows else [()] * len(header)
    columns = {name: _clean(values) for name, values in zip(header, by_column, strict=False)}
    return Table(display, columns, frozen(starts, np.int64), tuple(problems))
