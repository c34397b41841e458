"""Lint for rule files: every value must say where it comes from."""

from __future__ import annotations

import attrs

from ..base.text import Text
from .model import Layer


@attrs.frozen
class LintProblem:
    """One thing a rule author must fix (`error`) or should look at (`warning`)."""

    file: str
    key: str
    severity: str
    message_zh: str
    message_en: str

    @property
    def text(self) -> Text:
        return Text(self.message_zh, self.message_en)

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: key '{self.key}': {self.message_en}"


def lint_layer(layer: Layer) -> list[LintProblem]:
    """Problems in one layer: values and catalog entries without a citation, unverified values."""
    problems: list[LintProblem] = []
    for path, value in layer.cited_values():
        if not value.citation:
            problems.append(LintProblem(layer.file, path, "error", "规则取值缺少依据（citation）", "value has no citation"))
        elif not value.verified:
            problems.append(
                LintProblem(
                    layer.file,
                    path,
                    "warning",
                    f"规则取值尚未核实（依据：{value.citation}）",
                    f"value is unverified (cites {value.citation})",
                )
            )
    for kind, entries in layer.catalog.kinds.items():
        for code, entry in entries.items():
            if not entry.citation:
                key = f"catalog.{kind}.{code}"
                problems.append(LintProblem(layer.file, key, "error", "目录条目缺少依据（citation）", "catalog entry has no citation"))
    return problems
