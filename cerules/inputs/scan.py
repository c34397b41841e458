"""Compiled scans of text columns: instants (ISO 8601 and spreadsheet forms), CSV cell edges, hashes of cells.

These read Arrow's UTF-8 buffers directly (numba compiles them on first use and caches the
result); they are the inputs' hot loops, apart from the kernel that decides records.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _digits_at(data: np.ndarray, at: int, count: int) -> int:
    """The number written by `count` ASCII digits at `at`, or -1 when one is not a digit."""
    value = 0
    for k in range(count):
        digit = data[at + k] - 48
        if digit < 0 or digit > 9:
            return -1
        value = value * 10 + digit
    return value


@njit(cache=True)
def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


@njit(cache=True)
def _year_of(days: int) -> int:
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    return yoe + era * 400 + (1 if mp >= 10 else 0)


@njit(cache=True, inline="always")
def _number_at(data: np.ndarray, at: int, end: int, most: int) -> tuple[int, int]:
    """(the number written by 1 to `most` ASCII digits at `at`, where they end); -1 when there are none."""
    value = 0
    k = at
    while k < end and k - at < most and 48 <= data[k] <= 57:
        value = value * 10 + (data[k] - 48)
        k += 1
    if k == at:
        return -1, at
    return value, k


_SERIAL_DAYS_TO_EPOCH = 25569  # Excel serial of 1970-01-01 (1900 date system)
_MOST_SERIAL_PLACES = 12  # more places are left to the scalar parser (exact with Decimal)


@njit(cache=True, inline="always")
def _serial(data: np.ndarray, at: int, end: int) -> tuple[int, int]:
    """(Shanghai day since 1970-01-01, second of that day) of an Excel serial `ddddd[.f]`, or (0, -1).

    The fraction of a day is rounded half up to a whole second, as `base.instants` does.
    """
    whole = _digits_at(data, at, 5)
    if whole < 0 or (at + 5 < end and data[at + 5] != 46):
        return 0, -1
    seconds = 0
    if at + 5 < end:
        fraction, k = _number_at(data, at + 6, end, _MOST_SERIAL_PLACES)
        if fraction < 0 or k != end:
            return 0, -1
        scale = 1
        for _ in range(k - at - 6):
            scale *= 10
        seconds = (2 * fraction * 86400 + scale) // (2 * scale)
    return whole - _SERIAL_DAYS_TO_EPOCH + seconds // 86400, seconds % 86400


@njit(cache=True, parallel=True)
def parse_instants(
    data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, steady: np.ndarray, serials: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Instants `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±hh:mm]`, read from UTF-8 bytes.

    Spreadsheet forms too: `/` for `-` (the same twice), a month, day or hour of one digit
    (`2023/9/16 9:50`); with `serials`, Excel serial dates (`45185.4097`, Shanghai wall time).
    Returns (microseconds since the epoch, Shanghai year, Shanghai day since 1970-01-01, ok). A
    cell is ok when it has one of those shapes (spaces around allowed), a real date and time, and
    a year in which Asia/Shanghai keeps +08:00 all year (`steady`, indexed by year); any other cell
    is left to the scalar parser. Without an offset the time is Shanghai's.
    """
    n = starts.shape[0]
    micros = np.zeros(n, dtype=np.int64)
    year = np.zeros(n, dtype=np.int32)
    day = np.zeros(n, dtype=np.int32)
    ok = np.zeros(n, dtype=np.bool_)
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    for i in prange(n):
        at, end = starts[i], starts[i] + lengths[i]
        while at < end and (data[at] == 32 or data[at] == 9):
            at += 1
        while end > at and (data[end - 1] == 32 or data[end - 1] == 9):
            end -= 1
        if serials and 5 <= end - at and (end - at == 5 or data[at + 5] == 46):
            local_days, second = _serial(data, at, end)
            if second >= 0:
                local_year = _year_of(local_days)
                if 1 <= local_year <= 9999 and steady[local_year]:
                    micros[i] = (local_days * 86400 + second - 8 * 3600) * 1_000_000
                    day[i] = local_days
                    year[i] = local_year
                    ok[i] = True
            continue
        if end - at < 8:
            continue
        y, separator = _digits_at(data, at, 4), data[at + 4]
        if y < 0 or (separator != 45 and separator != 47):
            continue
        mo, k = _number_at(data, at + 5, end, 2)
        if mo < 1 or mo > 12 or k >= end or data[k] != separator:
            continue
        d, k = _number_at(data, k + 1, end, 2)
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        if d < 1 or d > month_days[mo - 1] + (1 if mo == 2 and leap else 0) or not steady[y]:
            continue
        h = mi = s = fraction = 0
        offset = 8 * 60  # minutes east of UTC: Shanghai unless the text says otherwise
        if k < end:
            if data[k] != 84 and data[k] != 32:
                continue
            h, k = _number_at(data, k + 1, end, 2)
            if h < 0 or end - k < 3 or data[k] != 58:
                continue
            mi = _digits_at(data, k + 1, 2)
            k += 3
            if k < end and data[k] == 58:
                if end - k < 3:
                    continue
                s = _digits_at(data, k + 1, 2)
                k += 3
                if k < end and data[k] == 46:  # fraction of a second: 1 to 6 digits
                    k += 1
                    places = 0
                    while k < end and 48 <= data[k] <= 57 and places < 7:
                        fraction = fraction * 10 + (data[k] - 48)
                        places += 1
                        k += 1
                    if places == 0 or places > 6:
                        continue
                    for _ in range(6 - places):
                        fraction *= 10
            if h > 23 or mi < 0 or mi > 59 or s < 0 or s > 59:
                continue
            if k < end:
                if data[k] == 90 and k + 1 == end:  # Z
                    offset = 0
                elif (data[k] == 43 or data[k] == 45) and end - k == 6 and data[k + 3] == 58:
                    zh, zm = _digits_at(data, k + 1, 2), _digits_at(data, k + 4, 2)
                    if zh < 0 or zm < 0 or zh * 60 + zm >= 24 * 60:
                        continue
                    offset = zh * 60 + zm if data[k] == 43 else -(zh * 60 + zm)
                else:
                    continue
        utc = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset * 60
        local_days = (utc + 8 * 3600) // 86400
        micros[i] = utc * 1_000_000 + fraction
        day[i] = local_days
        year[i] = _year_of(local_days)
        ok[i] = True
    return micros, year, day, ok


@njit(cache=True, inline="always")
def _is_space(code: int) -> bool:
    """White space as Arrow's utf8_trim_whitespace (and Python's str.strip) trims."""
    if code <= 32:
        return code == 32 or 9 <= code <= 13 or 28 <= code <= 31
    return (
        code == 0x85 or code == 0xA0 or code == 0x1680 or 0x2000 <= code <= 0x200A
        or code == 0x2028 or code == 0x2029 or code == 0x202F or code == 0x205F or code == 0x3000
    )  # fmt: skip


@njit(cache=True, inline="always")
def _code_at(data: np.ndarray, at: int) -> int:
    """The code point of the UTF-8 sequence starting at `at`."""
    lead = data[at]
    if lead < 0x80:
        return lead
    if lead < 0xE0:
        return ((lead & 0x1F) << 6) | (data[at + 1] & 0x3F)
    if lead < 0xF0:
        return ((lead & 0x0F) << 12) | ((data[at + 1] & 0x3F) << 6) | (data[at + 2] & 0x3F)
    return ((lead & 0x07) << 18) | ((data[at + 1] & 0x3F) << 12) | ((data[at + 2] & 0x3F) << 6) | (data[at + 3] & 0x3F)


@njit(cache=True)
def cell_edges(data: np.ndarray, offsets: np.ndarray, valid: np.ndarray) -> tuple[bool, bool]:
    """(some cell starts or ends with white space, some present cell is empty) of a string column."""
    spaced = False
    empty = False
    for i in range(offsets.shape[0] - 1):
        start, end = offsets[i], offsets[i + 1]
        if start == end:
            if valid[i]:
                empty = True
            continue
        if _is_space(_code_at(data, start)):
            spaced = True
        last = end - 1
        while last > start and (data[last] & 0xC0) == 0x80:
            last -= 1
        if _is_space(_code_at(data, last)):
            spaced = True
        if spaced and empty:
            break
    return spaced, empty


@njit(cache=True, parallel=True)
def hash_cells(data: np.ndarray, offsets: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """A 64-bit FNV-1a hash of each cell's UTF-8 bytes (0 for a missing cell)."""
    n = offsets.shape[0] - 1
    out = np.zeros(n, dtype=np.uint64)
    for i in prange(n):
        if not valid[i]:
            continue
        h = np.uint64(14695981039346656037)
        for k in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[k])) * np.uint64(1099511628211)
        out[i] = h | np.uint64(1)
    return out
