"""Characters that must not reach a reader as they are, and what each kind of output does with them.

An id, a value or a message read from an input file may hold ESC or BEL (a terminal obeys them),
a line separator or a bidirectional override (they rearrange what a person sees), a lone
surrogate (no encoding can write it) or a character XML cannot hold (Word refuses the file).
A terminal or a web page shows them escaped, the way Python writes them (`\\x1b`, `\\u2028`), so
the reader sees that something odd is there; a Word or PDF document leaves them out, since a
printed form has no place for an escape.
"""

from __future__ import annotations

import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls (C0, DEL, C1), format characters (bidirectional controls, zero-width characters),
surrogates, and the line and paragraph separators U+2028 and U+2029."""

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder the text around them."""


def is_noncharacter(code: int) -> bool:
    """U+FDD0…U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE…)."""
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def is_unsafe(char: str) -> bool:
    """Whether a character is a control, format or separator character, a surrogate or a noncharacter."""
    return unicodedata.category(char) in UNSAFE_CATEGORIES or is_noncharacter(ord(char))


def escaped(char: str) -> str:
    """A character as Python writes it in a string literal: `\\x1b`, `\\u2028`, `\\U000e0001`."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_unsafe(text: str, keep: str = "") -> str:
    """`text` with each unsafe character (other than those in `keep`) shown escaped (`a\\x1bb`).

    Text without such characters comes back as it is (checked at C speed: `str.isprintable`).
    """
    if text.isprintable():
        return text
    return "".join(escaped(char) if char not in keep and is_unsafe(char) else char for char in text)


def _unfit_for_documents(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cs") or char in BIDI_CONTROLS or is_noncharacter(ord(char))


def document_text(text: str) -> str:
    """`text` as a Word or PDF document holds it: line ends and separators (CR LF, CR, U+2028, U+2029)
    become line feeds; tabs and line feeds stay; other controls, surrogates, noncharacters and
    bidirectional controls are left out."""
    if text.isprintable():
        return text
    for separator in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(separator, "\n")
    return "".join(char for char in text if char in "\t\n" or not _unfit_for_documents(char))


__all__ = ["BIDI_CONTROLS", "UNSAFE_CATEGORIES", "document_text", "escape_unsafe", "escaped", "is_noncharacter", "is_unsafe"]
