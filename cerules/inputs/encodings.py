"""Which bytes are accepted text: UTF-8 (with or without BOM) and GB18030, nothing wider.

Excel exports here are often GBK, which GB18030 decodes. UTF-16 and UTF-32 are refused outright
(a byte-order mark or NUL bytes): decoded as one of the accepted encodings they would turn into
plausible-looking garbage instead of an error.
"""

from __future__ import annotations

import codecs

from ..base.errors import CeruleError
from .table import InputError

__all__ = ["EncodingError", "decode", "detect_encoding"]

_ACCEPTED_ZH = "可接受的编码：UTF-8、带 BOM 的 UTF-8、GB18030/GBK"
_ACCEPTED_EN = "accepted encodings: UTF-8, UTF-8 with BOM, GB18030/GBK"


class EncodingError(CeruleError, ValueError):
    """Why bytes are not accepted text, and where (byte offset) if known."""

    def __init__(self, zh: str, en: str, offset: int | None = None) -> None:
        super().__init__(zh, en)
        self.offset = offset


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def refuse_wide(data: bytes) -> None:
    """Refuse UTF-16/UTF-32 and binary data, which no accepted encoding can produce."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise EncodingError(f"文件是 {name} 编码（有字节顺序标记）", f"file is {name} encoded (byte-order mark)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise EncodingError(
            "文件含有 NUL 字节：是 UTF-16/UTF-32 文本或二进制数据",
            "file contains NUL bytes: UTF-16/UTF-32 text or binary data",
            nul,
        )


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK)."""
    refuse_wide(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"文件以 UTF-8 字节顺序标记开头，但字节 0x{data[err.start]:02x} 不是有效的 UTF-8",
                f"file starts with a UTF-8 byte-order mark but byte 0x{data[err.start]:02x} is not valid UTF-8",
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
    raise EncodingError(
        f"文件既不是 UTF-8 也不是 GB18030 文本（字节 0x{data[offset]:02x}）",
        f"file is neither UTF-8 nor GB18030 text (byte 0x{data[offset]:02x})",
        offset,
    )


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes: ``'utf-8-sig'``, ``'utf-8'`` or ``'gb18030'``.

    Raises :class:`EncodingError` (a ``ValueError``) for UTF-16 or UTF-32 (a byte-order mark or
    NUL bytes) and for bytes that none of the three decodes.
    """
    return decode(data)[1]


def line_at(data: bytes, offset: int, *, universal: bool) -> int:
    """1-based line of a byte offset; ``universal`` counts CR and CRLF as line ends too (CSV)."""
    head = data[:offset]
    if not universal:
        return head.count(b"\n") + 1
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def unreadable(display: str, data: bytes, err: EncodingError, *, universal: bool) -> InputError:
    """The file-level error for bytes refused as text, at the line where decoding failed.

    ``universal`` is for CSV (any line end, and the encodings CSV accepts); JSON Lines must be UTF-8.
    """
    line = None if err.offset is None else line_at(data, err.offset, universal=universal)
    accepted_zh, accepted_en = (
        (_ACCEPTED_ZH, _ACCEPTED_EN) if universal else ("JSON Lines 文件必须是 UTF-8 编码", "JSON Lines must be UTF-8")
    )
    return InputError(display, f"{err.zh}；{accepted_zh}", f"{err.en}; {accepted_en}", line=line)
