"""Excel workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`), read by python-calamine: the first sheet, or the one named.

A row's line is its row number in the sheet, as the spreadsheet program shows it. Cells keep
Excel's own types until they become the text every reader gives: a number is its shortest
decimal (`8`, not `8.0`; an id typed as a number reads as the digits shown), a date cell is the
ISO date (`2023-05-01`), a date-time cell the ISO date-time without offset — Asia/Shanghai, as a
CSV cell without an offset is — and a boolean `true`/`false`. As in a CSV file, empty rows after
the data and unnamed columns after the header are a spreadsheet's used range, not data; a row
with cells beyond the header is kept and reported. A cell holding an error (`#N/A`) has no value
calamine can give, and reads as blank.
"""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .headers import contract_names
from .table import InputError, RowProblem, Table, check_names, check_required, empty_file, frozen

__all__ = ["read_xlsx"]

_INTEGRAL_UP_TO = 2**53
"""Whole floats up to this print as integers: Excel stores every number as a double."""


def cell_text(value: Any) -> str | None:
    """One cell as the stripped text the engine reads, or None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) <= _INTEGRAL_UP_TO:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _rows(display: str, data: bytes | None, sheet: str | None) -> list[list[Any]]:
    from python_calamine import CalamineError, CalamineWorkbook, WorksheetNotFound  # loaded when a workbook is read

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None else CalamineWorkbook.from_path(display)
        try:
            worksheet = workbook.get_sheet_by_index(0) if sheet is None else workbook.get_sheet_by_name(sheet)
        except (WorksheetNotFound, IndexError):
            names = "、".join(workbook.sheet_names) or "无"
            raise InputError(
                display,
                f"工作簿中没有工作表 {sheet!r}（现有：{names}）" if sheet else "工作簿中没有工作表",
                f"no sheet {sheet!r} in the workbook (sheets: {', '.join(workbook.sheet_names)})" if sheet else "the workbook has no sheet",
            ) from None
        return worksheet.to_python(skip_empty_area=False)
    except InputError:
        raise
    except (CalamineError, OSError, ValueError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(display, f"不是可读取的 Excel 工作簿（{reason}）", f"not a readable Excel workbook ({reason})") from None


def read_xlsx(display: str, required: Sequence[str], data: bytes | None = None, sheet: str | None = None) -> Table:
    """A workbook's sheet as a Table: the first non-blank row is the header."""
    if data is not None and not data:
        raise empty_file(display)
    cells = [[cell_text(value) for value in row] for row in _rows(display, data, sheet)]
    filled = [index for index, row in enumerate(cells) if any(value is not None for value in row)]
    if not filled:
        raise empty_file(display)
    header_index, last = filled[0], filled[-1]
    header = contract_names(value or "" for value in cells[header_index])
    while len(header) > 1 and not header[-1]:
        header.pop()
    header_line = header_index + 1
    check_names(display, header, line=header_line)
    check_required(display, header, required, line=header_line)
    width = len(header)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    problems: list[RowProblem] = []
    for index in range(header_index + 1, last + 1):
        row = cells[index]
        if not any(value is not None for value in row):
            continue  # a blank row inside the data: nothing to read, as a CSV file's blank line
        extra = [value for value in row[width:] if value is not None]
        if extra:
            zh = f"该行在表头之外的列中有 {len(extra)} 个值"
            en = f"row has {len(extra)} value{'s' if len(extra) != 1 else ''} beyond the header's columns"
            problems.append(RowProblem(len(rows), None, zh, en))
        rows.append((row + [None] * width)[:width])
        lines.append(index + 1)
    columns = {name: frozen([row[position] for row in rows]) for position, name in enumerate(header)}
    return Table(display, columns, frozen(lines, np.int64), tuple(problems))
