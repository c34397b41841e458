"""Time in Asia/Shanghai: when a learning activity happened and which year it belongs to.

Parsing is total: any text gives an instant or a `BadValue`, never another exception, so a
hostile cell is an invalid record and not a crash. `inputs.columns` reads the common forms in
compiled code; this is the one meaning it must agree with (a property test holds them together).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pendulum

from .errors import BadValue
from .hours import shown

TIMEZONE = "Asia/Shanghai"
SHANGHAI = pendulum.timezone(TIMEZONE)

# Spreadsheet exports write dates as 2023/9/16 or 2023-9-16 and times as 9:50: ISO 8601 once the
# month, day and hour are padded to two digits. The separator is the same twice (2023-9/16 is not).
_SPREADSHEET = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:([ T])(\d{1,2})(?=:))?", re.ASCII)
# A year, a month or a week alone names no day: ISO 8601 allows them, but the year's counting,
# daily caps and deadlines need the day, so they are refused rather than read as its first day.
_NO_DAY = re.compile(r"\d{4}(?:[-/]\d{1,2})?|\d{4}-?W\d{2}", re.ASCII)
# An Excel serial date (1900 date system): five digits are 1927-05-18 to 2173-10-14, every date
# a record can have; the fraction is the time of day.
_SERIAL = re.compile(r"(\d{5})(?:\.(\d+))?", re.ASCII)
_SERIAL_EPOCH = dt.date(1899, 12, 30)  # serial 0, given Excel's 29 February 1900 that never was
_DAY_SECONDS = 86400


def parse_instant(text: str, *, excel_serials: bool = False) -> pendulum.DateTime:
    """Parse an ISO 8601 date or date-time; without an offset it is Shanghai local time.

    A bare date means the start of that local day. With `excel_serials`, five digits with an
    optional fraction (`45185.4097`) are an Excel serial date in Shanghai local time, to the
    nearest second. Raises BadValue (a ValueError), and nothing else, when the text is no such
    instant or the instant lies outside the years 1-9999 in Shanghai or in UTC.
    """
    if not isinstance(text, str):
        raise BadValue(f"不是日期或时间：{text!r}", f"not a date or date-time: {text!r}")
    raw = text.strip()
    if not raw:
        raise BadValue("日期为空", "empty date")
    serial = _SERIAL.fullmatch(raw) if excel_serials else None
    if serial is not None:
        return _representable(_from_serial(*serial.groups()), text)
    if _NO_DAY.fullmatch(raw):
        raise BadValue(f"只有年、月或周，没有具体日期：{shown(text)}", f"a year, month or week alone is not a date: {shown(text)}")
    spreadsheet = _SPREADSHEET.match(raw)
    if spreadsheet:
        year, _, month, day, separator, hour = spreadsheet.groups()
        time = f"{separator}{int(hour):02d}" if hour is not None else ""
        raw = f"{year}-{int(month):02d}-{int(day):02d}{time}{raw[spreadsheet.end() :]}"
    try:
        parsed = pendulum.parse(raw, tz=SHANGHAI)
    except Exception:  # pendulum raises several types for bad input
        raise BadValue(f"不是 ISO 8601 日期或时间：{shown(text)}", f"not an ISO 8601 date or date-time: {shown(text)}") from None
    try:
        if isinstance(parsed, pendulum.DateTime):
            return _representable(parsed.in_timezone(SHANGHAI), text)
        if isinstance(parsed, pendulum.Date):
            return _representable(pendulum.datetime(parsed.year, parsed.month, parsed.day, tz=SHANGHAI), text)
    except (OverflowError, ValueError):
        raise _out_of_range(text) from None
    raise BadValue(f"不是日期或时间：{shown(text)}", f"not a date or date-time: {shown(text)}")


def _from_serial(whole: str, fraction: str | None) -> pendulum.DateTime:
    """The Shanghai wall time of an Excel serial: days since 1899-12-30, the fraction of a day
    rounded half up to a second (a time that rounds to 24:00 is the next day's midnight)."""
    seconds = int((Decimal(f"0.{fraction}") * _DAY_SECONDS).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if fraction else 0
    days, seconds = divmod(seconds, _DAY_SECONDS)
    day = _SERIAL_EPOCH + dt.timedelta(days=int(whole) + days)
    hour, rest = divmod(seconds, 3600)
    return pendulum.datetime(day.year, day.month, day.day, hour, rest // 60, rest % 60, tz=SHANGHAI)


def _representable(moment: pendulum.DateTime, text: str) -> pendulum.DateTime:
    """The instant, if it can also be written in UTC: 0001-01-01 in Shanghai is still year 0 there."""
    offset = moment.utcoffset()
    try:
        moment.naive() - (offset or dt.timedelta(0))
    except OverflowError:
        raise _out_of_range(text) from None
    return moment


def _out_of_range(text: str) -> BadValue:
    return BadValue(f"日期超出公元 1-9999 年的范围：{shown(text)}", f"date outside the years 1-9999: {shown(text)}")
