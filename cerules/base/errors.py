"""Errors that cerules raises on purpose: each says what went wrong in Chinese and in English.

Every such error derives from `CeruleError`, whose constructor takes the Chinese message first
and the English one second (the same order everywhere); `str(error)` is the English text, so
logs and tracebacks stay readable to both, and `error.in_lang("zh")` is what a person reads.
"""

from __future__ import annotations

from typing import Any

from .text import Text


class CeruleError(Exception):
    """An error with a message for people in zh and en."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    @property
    def text(self) -> Text:
        """The message as a bilingual label."""
        return Text(self.zh, self.en)

    def in_lang(self, lang: str) -> str:
        """The message in `zh` (the default for people) or `en`."""
        return self.en if lang == "en" else self.zh

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (both languages and every attribute), whatever a subclass's constructor takes:
        errors cross process boundaries in the batch path and on a cluster."""
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[CeruleError], args: tuple[Any, ...], state: dict[str, Any]) -> CeruleError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class BadValue(CeruleError, ValueError):
    """A value that cannot be read (a cell, an amount, a date, a city)."""
