"""An evaluation in one of the command line's formats (`FORMATS`): the JSON document, CSV, or the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import FORMATS
from .csv import to_csv
from .json import to_json
from .table import to_table

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.cohort import Evaluation


def render(evaluation: Evaluation, fmt: str, lang: str = "zh") -> str:
    """The evaluation as text in the format `fmt` (json, csv or table)."""
    if fmt == "json":
        return to_json(evaluation, lang)
    if fmt == "csv":
        return to_csv(evaluation)
    if fmt == "table":
        return to_table(evaluation, lang)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
