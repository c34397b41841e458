"""A value that cannot be read, said in both languages."""

from __future__ import annotations


class BadValue(ValueError):
    """ValueError with a Chinese message beside the English one."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh
