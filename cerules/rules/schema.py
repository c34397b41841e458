"""Which rule parameters exist and what values they take.

A parameter path is dotted: `public.required_hours`, `public.focus.count_topics`,
`quality_course.teacher_multiplier`. Requirements are the paths that carry an amount
(`required_hours`, or `required` with a `unit`); their first segment names the subject.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from .model import ANY


class SchemaError(ValueError):
    """A value that does not fit its parameter; the message says what was expected."""


def _amount(minimum_exclusive: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise SchemaError(f"expected a number, got {value!r}")
        if value < 0 or (minimum_exclusive and value == 0):
            raise SchemaError(f"expected a number {'> 0' if minimum_exclusive else '>= 0'}, got {value!r}")
        if isinstance(value, float) and round(value, 2) != value:
            raise SchemaError(f"expected at most two decimal places, got {value!r}")
        return value

    return check


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SchemaError(f'expected a list of codes (or ["{ANY}"]), got {value!r}')
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise SchemaError(f"expected a list of non-empty strings, got {value!r}")
    if ANY in value and len(value) > 1:
        raise SchemaError(f'"{ANY}" accepts everything and stands alone, got {value!r}')
    return tuple(value)


def _date(value: Any) -> str:
    """A calendar date (`2023-10-31`, or a TOML date), kept as ISO text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise SchemaError(f'expected a date such as "2023-10-31", got {value!r}')


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"expected true or false, got {value!r}")
    return value


@attrs.frozen
class Parameter:
    """What one kind of parameter means and how its value is checked."""

    name: str
    meaning_en: str
    meaning_zh: str
    check: Callable[[Any], Any]


REQUIREMENT_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("required_hours", "hours required in the year", "年度应修学时", _amount(False)),
        Parameter("required", "amount required in the year, in the requirement's unit", "年度应修数量（按要求的单位）", _amount(False)),
        Parameter("count_topics", "only records on these topics count towards it", "仅计入这些主题的学习", _codes),
        Parameter("count_kinds", "only records of these activity kinds count towards it", "仅计入这些类型的学习活动", _codes),
        Parameter("counts_at_most", "at most this amount counts towards it", "计入该要求的数量上限", _amount(True)),
        Parameter("sum_of", "it is met by the sum of these requirements", "由这些要求的合计认定", _codes),
        Parameter("hours_per_credit", "hours that make one credit, for records without credits", "多少学时折合一学分", _amount(True)),
    )
}
"""Parameters that belong to a requirement (`<requirement>.<name>`)."""

SUBJECT_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("topics", "accepted topics (others are rejected)", "认可的学习主题（其他主题不予认定）", _codes),
        Parameter("deadline", "last day (Asia/Shanghai) on which learning counts", "学习截止日期（北京时间）", _date),
        Parameter("listed_courses_only", "only courses in a course list count", "仅认定课程目录中的课程", _boolean),
        Parameter(
            "platforms", "accepted online platforms (offline training always counts)", "认可的网络学习平台（线下培训均予认定）", _codes
        ),
    )
}
"""Parameters that belong to a subject as a whole (`<subject>.<name>`)."""

GLOBAL_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter(
            "quality_course.teacher_multiplier",
            "hours multiplier for teachers of selected quality online public courses",
            "优质在线公需课授课教师学时倍数",
            _amount(True),
        ),
        Parameter(
            "declared.requires_approval", "declared hours count only when approved by the employer", "申报学时须经单位审核", _boolean
        ),
        Parameter(
            "declared.max_hours_per_day", "declared hours credited per person per day at most", "每人每天申报学时上限", _amount(True)
        ),
    )
}
"""Parameters with a fixed path."""

UNITS: frozenset[str] = frozenset({"hours", "credits"})


def parameter_for(path: str) -> Parameter:
    """The parameter a path names, or SchemaError listing what exists."""
    if path in GLOBAL_PARAMETERS:
        return GLOBAL_PARAMETERS[path]
    prefix, _, name = path.rpartition(".")
    if prefix and name in REQUIREMENT_PARAMETERS:
        return REQUIREMENT_PARAMETERS[name]
    if prefix and "." not in prefix and name in SUBJECT_PARAMETERS:
        return SUBJECT_PARAMETERS[name]
    known = sorted(
        [*GLOBAL_PARAMETERS, *(f"<requirement>.{n}" for n in REQUIREMENT_PARAMETERS), *(f"<subject>.{n}" for n in SUBJECT_PARAMETERS)]
    )
    raise SchemaError(f"unknown rule parameter; known parameters: {', '.join(known)}")


def requirement_of(path: str) -> str | None:
    """The requirement id an amount path sets (`public.focus.required_hours` → `public.focus`)."""
    prefix, _, name = path.rpartition(".")
    return prefix if prefix and name in ("required_hours", "required") else None
