"""Column-at-a-time parsing agrees with the scalar parsers on every input."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cerules.base.errors import BadValue
from cerules.base.hours import parse_amount
from cerules.inputs import scan
from cerules.inputs.columns import _instant_triple, _steady_years, as_arrow, parse_amounts, parse_instants, utf8_buffers

HOSTILE_AMOUNTS = [
    "1e400", "-1e400", "1e-400", "9" * 28, "1" + "0" * 21, "9e15", "9223372036854775807", "18446744073709551616",
    "nan", "NaN", "inf", "-Infinity", "1,5", "１２", "٣", "1_000", "1e99999999999999999999", "9" * 5000, "10000", "10000.01",
]  # fmt: skip
AMOUNT_TEXT = st.one_of(
    st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False).map(str),
    st.from_regex(r"\A\s?\+?\d{1,4}(\.\d{0,5})?\s?\Z"),
    st.from_regex(r"\A\d{10,16}(\.\d{0,3})?\Z"),
    st.sampled_from(["", " ", "abc", "1,5", "-1", "1e2", "0", "0.004", "0.005", ".5", "5.", "nan", "Infinity", "１２", *HOSTILE_AMOUNTS]),
    st.text(max_size=12),
)
MAXIMUM = st.sampled_from([10**15, 10**6, 10**8, 150, 1])  # in hundredths: the default LIMIT, the record bound, others


def scalar_amount(text, maximum):
    try:
        return parse_amount(text, maximum=maximum)
    except BadValue:  # the only exception a scalar parse may raise, whatever the text
        return None


@settings(max_examples=300, deadline=None)
@given(st.lists(AMOUNT_TEXT, max_size=30), MAXIMUM)
def test_amounts_parse_like_the_scalar_parser_under_any_bound(texts, maximum):
    hundredths, present, failures = parse_amounts(texts, maximum=maximum)
    for row, text in enumerate(texts):
        expected = scalar_amount(text, maximum)
        if expected is None:
            assert row in failures, text
        else:
            assert row not in failures and hundredths[row] == expected, text
            assert abs(expected) <= maximum
    assert list(present) == [True] * len(texts)


def test_amounts_beyond_the_bound_fail_naming_it_and_never_overflow():
    texts = ["9e15", "9223372036854775807", "123456789012345678901234", "1e400", "10000", "10000.01"]
    hundredths, _, failures = parse_amounts(texts, maximum=10_000 * 100)
    assert sorted(failures) == [0, 1, 2, 3, 5] and hundredths[4] == 1_000_000
    assert str(failures[0]) == "amount above the bound of 10000: '9e15'"
    assert failures[0].in_lang("zh") == "数值超过上限 10000：'9e15'"


def test_absent_amounts_are_not_failures():
    hundredths, present, failures = parse_amounts([None, "2.5"])
    assert list(present) == [False, True] and failures == {} and hundredths[1] == 250


@st.composite
def instant_texts(draw):
    moment = draw(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)))
    form = draw(st.sampled_from(["date", "minutes", "seconds", "fraction"]))
    separator = draw(st.sampled_from(["T", " "]))
    zone = draw(st.sampled_from(["", "Z", "+08:00", "-05:30", "+00:00", "+14:00"]))
    dash = draw(st.sampled_from(["-", "/"]))  # spreadsheets write 2023/9/16 9:50: no padding, slashes
    padded = draw(st.booleans())
    if padded:
        text = f"{moment:%Y}{dash}{moment:%m}{dash}{moment:%d}"
    else:
        text = f"{moment:%Y}{dash}{moment.month}{dash}{moment.day}"
    if form != "date":
        text += separator + (moment.strftime("%H:%M") if padded else f"{moment.hour}:{moment:%M}")
        if form in ("seconds", "fraction"):
            text += moment.strftime(":%S")
        if form == "fraction":
            text += "." + f"{moment.microsecond:06d}"[: draw(st.integers(1, 6))]
        text += zone
    return text


@st.composite
def serial_texts(draw):
    """Excel serial dates: five digits, and a fraction of a day of up to 15 places."""
    whole = draw(st.integers(10_000, 99_999))
    places = draw(st.integers(0, 15))
    fraction = draw(st.integers(0, 10**places - 1)) if places else None
    return f"{whole}" if fraction is None else f"{whole}.{fraction:0{places}d}"


JUNK = st.sampled_from(
    [
        "2023-13-45", "2023-02-29", "2024-02-29", "2023/05/01", "2023/5/1 08:00", "yesterday", "", "2023-05-01T25:00", "20230501",
        "0001-01-01", "0001-01-02", "9999-12-31T23:00:00-05:00", "9999-12-31", "2023", "2023-05", "2023/5", "2023-W22",
        "2023-9/16", "2023/9/16 9", "2023/9/16 9:5", "2023/9/16  9:50", "2023-09-16 123:00", "45185.", "045185", "4518",
        "45185.4097", "99999.99999", "10000", "1990-06-01 12:00", "1988-04-17T02:30", "２０２３-０６-０１", "1e400", "nan",
    ]
)  # fmt: skip


def scalar_instant(text, excel_serials=True):
    try:
        return _instant_triple(text, excel_serials=excel_serials)
    except BadValue:  # the only exception a scalar parse may raise, whatever the text
        return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(instant_texts(), serial_texts(), JUNK, st.text(max_size=20)), max_size=20), st.booleans())
def test_instants_parse_like_the_scalar_parser(texts, excel_serials):
    micros, years, days, present, failures = parse_instants(texts, excel_serials=excel_serials)
    for row, text in enumerate(texts):
        expected = scalar_instant(text, excel_serials)
        if expected is None:
            assert row in failures, text
        else:
            assert row not in failures, text
            assert (int(micros[row]), int(years[row]), int(days[row])) == expected, text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(instant_texts(), JUNK), max_size=20))
def test_instants_parse_like_pendulum(texts):
    micros, years, days, present, failures = parse_instants(texts)
    for row, text in enumerate(texts):
        expected = scalar_instant(text)
        if expected is None:
            assert row in failures, text
        else:
            assert row not in failures, text
            assert (int(micros[row]), int(years[row]), int(days[row])) == expected, text


def test_spreadsheet_forms_are_read_by_the_compiled_scan_not_one_by_one():
    # Read by the compiled code: a province's records in these forms are not parsed cell by cell.
    texts = ["2023/9/16", "2023/9/16 9:50", "2023/9/16 19:50", "2023-9-16", "2023-9-16 9:50", "45185", "45185.4097"]
    raw, bounds = utf8_buffers(as_arrow(texts))
    padded = np.concatenate([raw, np.zeros(32, dtype=np.uint8)])
    *_, ok = scan.parse_instants(padded, bounds[:-1], np.diff(bounds), _steady_years(padded, bounds, True), True)
    assert ok.all()
    micros, years, days, _, failures = parse_instants(texts)
    assert failures == {} and set(years.tolist()) == {2023}
    assert {dt.date.fromordinal(int(day)) for day in days} == {dt.date(2023, 9, 16)}
    assert dt.datetime.fromtimestamp(int(micros[1]) / 1e6, dt.timezone(dt.timedelta(hours=8))).time() == dt.time(9, 50)


def test_the_shanghai_year_boundary_in_columns():
    micros, years, days, _, failures = parse_instants(["2023-12-31T16:30:00Z", "2024-01-01T00:30:00+08:00", "2023-12-31T23:59:59"])
    assert failures == {} and list(years) == [2024, 2024, 2023]
    assert dt.date.fromordinal(int(days[0])) == dt.date(2024, 1, 1)
