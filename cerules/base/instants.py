"""Time in Asia/Shanghai: when a learning activity happened and which year it belongs to."""

from __future__ import annotations

import re

import pendulum

from .errors import BadValue

TIMEZONE = "Asia/Shanghai"
SHANGHAI = pendulum.timezone(TIMEZONE)

# Spreadsheet exports here often write dates as 2023/05/01; that is ISO 8601 with slashes.
_SLASHED_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})")


def parse_instant(text: str) -> pendulum.DateTime:
    """Parse an ISO 8601 date or date-time; without an offset it is Shanghai local time.

    A bare date means the start of that local day. Raises BadValue (a ValueError) when unparseable.
    """
    raw = text.strip()
    if not raw:
        raise BadValue("日期为空", "empty date")
    slashed = _SLASHED_DATE.match(raw)
    if slashed:
        year, month, day = slashed.groups()
        raw = f"{year}-{int(month):02d}-{int(day):02d}{raw[slashed.end() :]}"
    try:
        parsed = pendulum.parse(raw, tz=SHANGHAI)
    except Exception as exc:  # pendulum raises several types for bad input
        raise BadValue(f"不是 ISO 8601 日期或时间：{text!r}", f"not an ISO 8601 date or date-time: {text!r}") from exc
    if isinstance(parsed, pendulum.DateTime):
        return parsed.in_timezone(SHANGHAI)
    if isinstance(parsed, pendulum.Date):
        return pendulum.datetime(parsed.year, parsed.month, parsed.day, tz=SHANGHAI)
    raise BadValue(f"不是日期或时间：{text!r}", f"not a date or date-time: {text!r}")
