"""The one TOML reader of cerules: rule files, drafts, plans, postings, bids and registries.

Every way a TOML file can be unusable before its keys are looked at (missing, a folder, not
UTF-8, not TOML) becomes one `TomlError` that names the file, and the line and column where
they are known, in Chinese and English. Each kind of file then maps it to its own error
(`RulesError`, `DraftError`, `FormError`) with `error.problem`, the message without the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import CeruleError
from .text import Text

_AT = re.compile(r" \(at line (\d+), column (\d+)\)$")
_AT_END = " (at end of document)"


class TomlError(CeruleError):
    """A TOML file that cannot be read: `file`, `line` and `column` (1-based, None when unknown).

    `zh` and `en` given to the constructor say what is wrong (`problem`); the error's own message
    puts the file (and line and column) in front: `plan.toml: not valid TOML: … (at line 2, column 5)`.
    """

    def __init__(self, zh: str, en: str, *, file: str, line: int | None = None, column: int | None = None) -> None:
        self.problem = Text(zh, en)
        self.file, self.line, self.column = file, line, column
        super().__init__(f"{file}：{zh}", f"{file}: {en}")


def read_toml(path: str | os.PathLike[str], *, file: str | None = None) -> dict[str, Any]:
    """The parsed TOML of a file; `file` is the name messages show (default: the path as given)."""
    name = str(path) if file is None else file
    return parse_toml(read_toml_text(path, file=name), file=name)


def read_toml_text(path: str | os.PathLike[str], *, file: str | None = None) -> str:
    """The text of a TOML file, newlines made `\\n` as Python reads text; TomlError when it cannot be read."""
    name = str(path) if file is None else file
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TomlError("文件不存在", "file not found", file=name) from None
    except IsADirectoryError:
        raise TomlError("这是文件夹，不是文件", "is a folder, not a file", file=name) from None
    except OSError as exc:
        raise TomlError(f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", file=name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data[: exc.start].decode("utf-8", errors="replace"))
        raise TomlError(
            f"不是 UTF-8 文本（第 {exc.start} 字节，第 {line} 行第 {column} 列）",
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            file=name,
            line=line,
            column=column,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_toml(text: str, *, file: str = "<string>") -> dict[str, Any]:
    """The parsed TOML of `text`; `file` is the name messages show. TomlError on a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        detail = message
        if match := _AT.search(message):
            line, column = int(match[1]), int(match[2])
            detail = message[: match.start()]
        elif message.endswith(_AT_END):
            line, column = _position(text)
            detail = message[: -len(_AT_END)]
        where = f"第 {line} 行第 {column} 列：" if line is not None else ""
        raise TomlError(f"不是有效的 TOML：{where}{detail}", f"not valid TOML: {message}", file=file, line=line, column=column) from None


def _position(before: str) -> tuple[int, int]:
    """The 1-based line and column just after `before`."""
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


__all__ = ["TomlError", "parse_toml", "read_toml", "read_toml_text"]
