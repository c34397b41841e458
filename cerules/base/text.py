"""Words for people: Chinese first, with the English form beside it."""

from __future__ import annotations

import attrs


@attrs.frozen
class Text:
    """A label in Chinese first, with its English form."""

    zh: str
    en: str

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh
