"""Reason codes for records that are not (fully) credited, with their messages in zh and en.

Codes are part of the data contract: they never change with the language, and new codes are
only ever added (`past_deadline`, `invalid_person` and `out_of_window` extend v1). The small
integers are the kernel's internal encoding; the order of checks is the kernel's, in `decide.decide`.
"""

from __future__ import annotations

import attrs

from ..base.text import Text


@attrs.frozen
class Reason:
    """One reason code: its contract name and what it tells the person, in zh and en."""

    code: int
    name: str
    text: Text


CREDITED = 0
INVALID_RECORD = 1
UNKNOWN_PERSON = 2
OUT_OF_YEAR = 3
NOT_APPROVED = 4
PLATFORM_NOT_ACCEPTED = 5
TOPIC_NOT_ACCEPTED = 6
COURSE_NOT_ACCEPTED = 7
DUPLICATE_COURSE = 8
CAP_EXCEEDED = 9
PAST_DEADLINE = 10
INVALID_PERSON = 11
OUT_OF_WINDOW = 12

REASONS: tuple[Reason, ...] = (
    Reason(CREDITED, "credited", Text("已认定", "credited")),
    Reason(INVALID_RECORD, "invalid_record", Text("记录无效", "the record is invalid")),
    Reason(UNKNOWN_PERSON, "unknown_person", Text("人员信息中没有此人", "no such person in the persons file")),
    Reason(OUT_OF_YEAR, "out_of_year", Text("学习时间不在本年度内（按北京时间）", "completed outside the year (Asia/Shanghai time)")),
    Reason(NOT_APPROVED, "not_approved", Text("申报学时未经单位审核通过", "declared hours not approved by the employer")),
    Reason(PLATFORM_NOT_ACCEPTED, "platform_not_accepted", Text("该网络学习平台不予认定", "the learning platform is not accepted")),
    Reason(TOPIC_NOT_ACCEPTED, "topic_not_accepted", Text("学习主题不在认可范围内", "the topic is not accepted")),
    Reason(COURSE_NOT_ACCEPTED, "course_not_accepted", Text("课程不在认可的课程目录中", "the course is not in an accepted course list")),
    Reason(DUPLICATE_COURSE, "duplicate_course", Text("同一课程本年度已认定过", "the same course was already credited this year")),
    Reason(CAP_EXCEEDED, "cap_exceeded", Text("超出学时上限的部分不予认定", "hours beyond a cap are not credited")),
    Reason(PAST_DEADLINE, "past_deadline", Text("学习时间晚于截止日期（按北京时间）", "completed after the deadline (Asia/Shanghai time)")),
    Reason(INVALID_PERSON, "invalid_person", Text("人员信息中此人的数据无效", "the person's row in the persons file is invalid")),
    Reason(
        OUT_OF_WINDOW,
        "out_of_window",
        Text("学习时间不在要求的计算期内（按北京时间）", "completed outside every requirement's window (Asia/Shanghai time)"),
    ),
)

INPUT_REASONS: frozenset[int] = frozenset({INVALID_RECORD, UNKNOWN_PERSON, INVALID_PERSON})
"""Reasons that say the input could not be used (a data-quality matter), not that a rule refused it."""

NAMES: tuple[str, ...] = tuple(reason.name for reason in REASONS)
"""Contract names by internal code."""

BY_NAME: dict[str, Reason] = {reason.name: reason for reason in REASONS}
