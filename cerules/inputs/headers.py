"""Column names as spreadsheets here write them: the contract's names, or the Chinese ones HR systems export.

Lists kept in Excel or exported from older systems (GBK CSV files) head their columns in Chinese
(人员编号, 学时, 完成时间 …). A header is read through this table, so such a file reads as if it used
the contract's names; a name neither knows is kept as it is (an extra column, ignored). Spaces a
spreadsheet leaves around a name (full-width ones too) and a stray byte-order mark are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "person_id": ("人员编号", "人员ID", "人员代码"),
    "city": ("城市", "所在市", "地市", "所属市"),
    "unit_level": ("单位级别", "单位层级", "单位层次"),
    "title_series": ("职称系列",),
    "industry": ("行业", "所属行业"),
    "specialty": ("专业", "所学专业"),
    "record_id": ("记录编号", "记录ID", "学习记录编号"),
    "subject": ("科目", "科目类别", "学习科目"),
    "hours": ("学时",),
    "minutes": ("分钟", "时长（分钟）", "时长(分钟)"),
    "completed_at": ("完成时间", "完成日期", "学习时间", "结业时间"),
    "platform": ("平台", "学习平台"),
    "mode": ("方式", "学习方式"),
    "topic": ("主题", "学习主题"),
    "course_id": ("课程编号", "课程ID", "课程代码"),
    "role": ("角色",),
    "quality_course": ("优质课程", "优质在线公需课"),
    "source": ("来源", "学时来源"),
    "approved": ("已审核", "审核通过", "单位审核"),
    "kind": ("类型", "活动类型"),
    "credits": ("学分",),
}
"""Each contract column and the Chinese headers read as it."""

_BY_NAME = {alias: name for name, aliases in HEADER_NAMES.items() for alias in aliases}
_BLANKS = " \t\u3000\ufeff"


def contract_name(header: str) -> str:
    """The contract's name for a header cell, or the cell itself, stripped, when it names no contract column."""
    stripped = header.strip(_BLANKS)
    return _BY_NAME.get(stripped, stripped)


def contract_names(headers: Iterable[str]) -> list[str]:
    return [contract_name(header) for header in headers]


__all__ = ["HEADER_NAMES", "contract_name", "contract_names"]
