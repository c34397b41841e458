"""An evaluation in one of the command line's text formats: the JSON document, CSV, the table or the report page.

The workbook (`xlsx`) is bytes, written by `cerules.render.xlsx`."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from . import FORMATS
from .csv import to_csv
from .json import write_json
from .table import to_table

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.cohort import Evaluation


def render(evaluation: Evaluation, fmt: str, lang: str = "zh") -> str:
    """The evaluation as text in the format `fmt` (json, csv, table or html)."""
    if fmt == "json":  # column-wise: the bytes of `to_json`, sooner
        buffer = io.BytesIO()
        write_json(evaluation, buffer, lang)
        return buffer.getvalue().decode("utf-8")
    if fmt == "csv":
        return to_csv(evaluation)
    if fmt == "table":
        return to_table(evaluation, lang)
    if fmt == "html":
        from .report_page import report_page

        return report_page(evaluation, lang)
    if fmt == "xlsx":
        raise ValueError("a workbook is bytes, not text: use cerules.render.xlsx.to_xlsx(evaluation)")
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
