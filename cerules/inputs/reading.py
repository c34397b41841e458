"""Reading persons and records files into columns: the entry point, which chooses the reader by
the file's suffix.

Reading only *reads*: every cell comes back as a stripped string (or ``None`` when empty; a
typed Parquet column as it is, `typed`),
together with the source line of its row, so that later stages can interpret values and still
point the user at the exact place in the file. A row is never dropped: rows that are structurally
broken are kept and listed in :attr:`Table.problems`. Only a file that cannot be read at all
raises :class:`InputError`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Sequence
from pathlib import Path

from .csv_file import read_csv
from .encodings import detect_encoding
from .jsonl_file import read_jsonl
from .parquet_file import read_parquet, table_from_arrow
from .table import InputError, RowProblem, Table, quote
from .xlsx_file import read_xlsx

__all__ = ["SUFFIXES", "InputError", "RowProblem", "Table", "detect_encoding", "read_bytes", "read_table", "table_from_arrow"]

SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
}
"""The file types read, by suffix."""


def read_table(
    path: str | os.PathLike[str], *, required: Sequence[str] = (), sheet: str | None = None, columns: Collection[str] | None = None
) -> Table:
    """Read a ``.csv``, ``.jsonl``/``.ndjson``, ``.parquet`` or Excel (``.xlsx``, first sheet) file into columns.

    Raises :class:`InputError` when the file cannot be read at all, or lacks a ``required``
    column. Structurally broken rows are kept and reported in :attr:`Table.problems`. `sheet`
    names the sheet of a workbook (default: the first); other files have none. A Parquet file's
    columns are read only when named in `columns` (all when None), and kept typed when their type
    says what they hold (`typed`); other files are text.
    """
    display = os.fspath(path)
    if isinstance(required, str):
        required = (required,)
    kind = _kind(display)
    if sheet is not None and kind != "excel":
        raise InputError(display, f"只有 Excel 工作簿有工作表（{sheet!r}）", f"only an Excel workbook has sheets ({sheet!r})")
    _check_regular_file(display)
    if kind == "parquet":
        return read_parquet(display, required, columns=columns)
    if kind == "excel":
        return read_xlsx(display, required, sheet=sheet)
    try:
        with open(display, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise _cannot_open(display, err) from None
    reader = read_csv if kind == "csv" else read_jsonl
    return reader(display, data, required)


def read_bytes(display: str, data: bytes, *, required: Sequence[str] = (), columns: Collection[str] | None = None) -> Table:
    """Read a file's bytes received from elsewhere (an upload), by the suffix of `display`, as `read_table` reads files.

    `display` names the file in messages and gives its type; it is never opened.
    """
    if isinstance(required, str):
        required = (required,)
    kind = _kind(display)
    if kind == "parquet":
        return read_parquet(display, required, data, columns=columns)
    if kind == "excel":
        return read_xlsx(display, required, data)
    reader = read_csv if kind == "csv" else read_jsonl
    return reader(display, data, required)


def _kind(display: str) -> str:
    """The reader for a file name's suffix, or an error listing the types read."""
    suffix = Path(display).suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        what_zh = f"不支持的文件类型 {quote(suffix)}" if suffix else "文件名没有后缀"
        what_en = f"unsupported file type {quote(suffix)}" if suffix else "file name has no suffix"
        raise InputError(
            display,
            f"{what_zh}；请使用 .csv、.jsonl（或 .ndjson）、.parquet 或 Excel 工作簿（.xlsx、.xls、.ods）",
            f"{what_en}; use .csv, .jsonl (or .ndjson), .parquet or an Excel workbook (.xlsx, .xls, .ods)",
        )
    return kind


def _check_regular_file(display: str) -> None:
    """Refuse what is not a file one can read: missing, a directory, a pipe or device (reading
    one could wait for ever), or one the user may not read."""
    try:
        mode = os.stat(display).st_mode
    except FileNotFoundError:
        raise InputError(display, "文件不存在", "file not found") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        raise _cannot_open(display, err) from None
    if stat.S_ISDIR(mode):
        raise InputError(display, "是目录，不是文件", "is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise InputError(display, "不是普通文件（是管道、设备或套接字）", "is not a regular file (a pipe, device or socket)")
    if not os.access(display, os.R_OK):
        raise InputError(display, "没有读取该文件的权限", "no permission to read the file")


def _cannot_open(display: str, err: OSError | ValueError) -> InputError:
    reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return InputError(display, f"无法打开文件：{reason}", f"cannot open the file: {reason}")
