"""JSON Lines files: one object per line, in UTF-8, each row with the line of its object.

Numbers keep their source text (``0.1`` stays ``0.1``, no float rounding). A line that holds no
object, or a value that is an array or object, is kept as a row with a problem, never dropped; so
is a line nested too deeply to read, and a string holding a lone surrogate (``"\\ud800"``, which
JSON can write but no UTF-8 text can hold): that cell is empty, and the row says why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .encodings import EncodingError, line_at, refuse_wide, unreadable
from .table import InputError, RowProblem, Table, check_required, empty_file, frozen

__all__ = ["read_jsonl"]


class _Number(str):
    """A JSON number kept as its source text (no float rounding: ``0.1`` stays ``0.1``)."""


_JSON_KINDS = {  # (zh, en)
    dict: ("对象", "object"),
    list: ("数组", "array"),
    str: ("字符串", "string"),
    _Number: ("数字", "number"),
    bool: ("布尔值", "boolean"),
    type(None): ("null", "null"),
}


_TEXT_TYPES = {str, type(None)}
_DECODER = json.JSONDecoder(parse_int=_Number, parse_float=_Number, parse_constant=_Number)


def _parse_json_line(row: int, raw: str, problems: list[RowProblem]) -> dict[str, Any]:
    """The object on one line, or ``{}`` (with a problem) when the line holds no object."""
    try:
        obj = _DECODER.decode(raw)
    except RecursionError:  # arrays or objects nested thousands deep
        problems.append(RowProblem(row, None, "JSON 嵌套层数过多，无法读取", "JSON nested too deeply to read"))
        return {}
    except json.JSONDecodeError as err:
        problems.append(
            RowProblem(
                row,
                None,
                f"不是有效的 JSON：第 {err.colno} 个字符处出错",
                f"not valid JSON: {err.msg} (character {err.colno})",
            )
        )
        return {}
    if type(obj) is not dict:
        zh, en = _JSON_KINDS[type(obj)]
        problems.append(RowProblem(row, None, f"该行是 JSON {zh}，不是对象", f"line is a JSON {en}, not an object"))
        return {}
    return _without_surrogates(row, obj, problems) if "\\u" in raw else obj


def _is_text(value: str) -> bool:
    """Whether a string is text UTF-8 can hold (no lone surrogate such as ``\\ud800``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _without_surrogates(row: int, obj: dict[str, Any], problems: list[RowProblem]) -> dict[str, Any]:
    """The object with every key or string value that holds a lone surrogate left out, each
    with a problem: Arrow, files and terminals all need UTF-8, which cannot hold one."""
    clean: dict[str, Any] = {}
    for key, value in obj.items():
        if not _is_text(key):
            problems.append(
                RowProblem(
                    row,
                    None,
                    "对象的键含有孤立的代理字符（如 \\ud800），其值被忽略",
                    "a key holds a lone surrogate (such as \\ud800); its value is ignored",
                )
            )
        elif type(value) is str and not _is_text(value):
            name = key.strip()
            problems.append(
                RowProblem(
                    row,
                    name or None,
                    f"{name}：值含有孤立的代理字符（如 \\ud800），不是文本",
                    f"{name}: value holds a lone surrogate (such as \\ud800), which is no text",
                )
            )
        else:
            clean[key] = value
    return clean


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
        return frozen(cells)
    for row, value in enumerate(cells):
        if value is None or type(value) is str:
            continue
        if type(value) is bool:
            cells[row] = "true" if value else "false"
        else:  # an array or object is no cell value; the row is kept with this cell empty
            zh, en = _JSON_KINDS[type(value)]
            cells[row] = None
            problems.append(RowProblem(row, name, f"值是 JSON {zh}，不是单个值", f"value is a JSON {en}, not a single value"))
    return frozen(cells)


def read_jsonl(display: str, data: bytes, required: Sequence[str]) -> Table:
    """UTF-8 JSON Lines; a line that holds no object is still a row (all ``None``)."""
    try:
        refuse_wide(data)
        text = data.decode("utf-8-sig")
    except EncodingError as err:
        raise unreadable(display, data, err, universal=False) from None
    except UnicodeDecodeError as err:
        raise InputError(
            display,
            f"字节 0x{data[err.start]:02x} 不是有效的 UTF-8；JSON Lines 文件必须是 UTF-8 编码",
            f"byte 0x{data[err.start]:02x} is not valid UTF-8; JSON Lines must be UTF-8",
            line=line_at(data, err.start, universal=False),
        ) from None
    if not text.strip():
        raise empty_file(display)

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
                problems.append(RowProblem(row, None, "对象中有空的键，其值被忽略", "object has an empty key; its value is ignored"))
    check_required(display, keys_by_name, required)
    columns = {name: _json_column(name, keys, objects, problems) for name, keys in keys_by_name.items()}
    problems.sort(key=lambda problem: problem.row)  # stable: per row, in the order found
    return Table(display, columns, frozen(starts, np.int64), tuple(problems))
