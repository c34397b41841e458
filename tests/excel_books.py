"""Workbooks as a spreadsheet program saves them (openpyxl): dates as date cells, numbers as numbers."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

import openpyxl


def typed(name: str, text: str) -> Any:
    """A CSV cell as Excel would hold it after someone typed it: numbers, dates, date-times; else text."""
    if text == "":
        return None
    if name in ("hours", "credits", "minutes"):
        try:
            return float(text)
        except ValueError:
            return text
    if name == "completed_at":
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is not None:  # Excel has no zones: a zoned time stays text
            return text
        return moment if "T" in text or " " in text else moment.date()
    return text


def workbook_from_csv(
    source: Path, target: Path, *, header_row: int = 1, sheet_title: str = "Sheet1", header: dict[str, str] | None = None
) -> Path:
    """The CSV file's rows in a workbook's first sheet, its header on `header_row` (names replaced by `header`)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for _ in range(header_row - 1):
        sheet.append([])
    sheet.append([(header or {}).get(name, name) for name in rows[0]])
    for row in rows[1:]:
        sheet.append([typed(name, value) for name, value in zip(rows[0], row, strict=True)])
    book.save(target)
    return target
