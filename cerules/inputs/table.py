"""What every reader returns: a file's cells as strings, its broken rows, and the error for a file
that cannot be read at all.

A row is never dropped: rows that are structurally broken (wrong number of CSV fields, a JSON line
that is not an object, ...) are kept and listed in :attr:`Table.problems`. Only a file that cannot
be read at all raises :class:`InputError`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from ..base.errors import CeruleError
from .arrow_text import arrow_text

__all__ = ["InputError", "RowProblem", "Table"]


def quote(name: str) -> str:
    """Quote a name for a one-line message; control characters (e.g. newlines) are escaped."""
    return f"'{name}'" if name.isprintable() else repr(name)


def _one_line(text: str) -> str:
    """Collapse line breaks, so that an error message stays on one line."""
    return " ".join(text.split()) if not text.isprintable() else text


class InputError(CeruleError):
    """A file that cannot be read at all. Fatal (CLI exit 2).

    ``str(err)`` is one line naming the file, and the line and column when known, so the CLI can
    print it as is; :meth:`localized` gives the same line in Chinese. ``message_zh`` and
    ``message_en`` are the bare messages, without the place.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        message_zh: str,
        message_en: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.message_zh = message_zh
        self.message_en = message_en
        self.line = line
        self.column = column
        super().__init__(self._located_zh(), self._located_en())

    def _located_en(self) -> str:
        parts = [_one_line(self.path)]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {quote(self.column)}")
        return f"{', '.join(parts)}: {_one_line(self.message_en)}"

    def _located_zh(self) -> str:
        where = _one_line(self.path)
        if self.line is not None:
            where += f" 第 {self.line} 行"
        if self.column is not None:
            where += f"，列 {quote(self.column)}"
        return f"{where}：{_one_line(self.message_zh)}"

    def localized(self, lang: str) -> str:
        """The one-line message in ``'zh'`` or ``'en'`` (a region suffix such as ``zh-CN`` is fine)."""
        base = lang.replace("_", "-").split("-")[0].lower()
        if base not in ("zh", "en"):
            raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")
        return self.in_lang(base)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are lost by the default Exception pickling (multiprocessing).
        rebuild = functools.partial(InputError, line=self.line, column=self.column)
        return (rebuild, (self.path, self.message_zh, self.message_en))


@attrs.frozen
class RowProblem:
    """A row that is structurally broken but kept in the table, so that no input is lost."""

    row: int
    column: str | None
    message_zh: str
    message_en: str


def frozen(values: Sequence[Any] | np.ndarray, dtype: Any = object) -> np.ndarray:
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
    ``str | None`` or, for files read column-wise (Parquet), an Arrow array: of strings, or typed
    when its type says what it holds (`typed`; `cells` gives its text).
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
        """The named column as a Python list of its text (for people and tests; the engine reads columns)."""
        column = self.column(name)
        return arrow_text(column).to_pylist() if isinstance(column, pa.Array) else list(column)

    def __repr__(self) -> str:
        return f"Table(path={self.path!r}, rows={len(self)}, columns={list(self.columns)}, problems={len(self.problems)})"


# The refusals every reader shares: cells that could not be told apart or found.


def empty_file(display: str) -> InputError:
    return InputError(display, "文件为空", "file is empty")


def check_names(display: str, names: Sequence[str], *, line: int | None = None) -> None:
    """Refuse a header with an unnamed or repeated column: cells could not be told apart."""
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:
            raise InputError(display, f"表头第 {position} 列没有列名", f"column {position} of the header has no name", line=line)
        if name in seen:
            raise InputError(
                display,
                f"表头中的列名 {quote(name)} 重复",
                f"column name {quote(name)} appears more than once in the header",
                line=line,
                column=name,
            )
        seen.add(name)


def check_required(display: str, names: Iterable[str], required: Sequence[str], *, line: int | None = None) -> None:
    """Refuse a file without a column the caller cannot do without, naming the columns it has."""
    present = list(names)
    found = ", ".join(quote(n) for n in present)
    for name in required:
        if name not in present:
            raise InputError(
                display,
                f"缺少必需的列；文件中的列：{found or '无'}",
                f"required column is missing; columns found: {found or 'none'}",
                line=line,
                column=name,
            )
