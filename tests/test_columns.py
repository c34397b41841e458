"""Column-at-a-time parsing agrees with the scalar parsers on every input."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cerules.base.hours import parse_amount
from cerules.inputs.columns import _instant_triple, parse_amounts, parse_instants

AMOUNT_TEXT = st.one_of(
    st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False).map(str),
    st.from_regex(r"\A\s?\+?\d{1,4}(\.\d{0,5})?\s?\Z"),
    st.sampled_from(["", " ", "abc", "1,5", "-1", "1e2", "0", "0.004", "0.005", ".5", "5.", "nan", "Infinity", "１２"]),
)


def scalar_amount(text):
    try:
        return parse_amount(text)
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.lists(AMOUNT_TEXT, max_size=30))
def test_amounts_parse_like_the_scalar_parser(texts):
    hundredths, present, failures = parse_amounts(texts)
    for row, text in enumerate(texts):
        expected = scalar_amount(text)
        if expected is None:
            assert row in failures, text
        else:
            assert row not in failures and hundredths[row] == expected, text
    assert list(present) == [True] * len(texts)


def test_absent_amounts_are_not_failures():
    hundredths, present, failures = parse_amounts([None, "2.5"])
    assert list(present) == [False, True] and failures == {} and hundredths[1] == 250


@st.composite
def instant_texts(draw):
    moment = draw(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)))
    form = draw(st.sampled_from(["date", "minutes", "seconds", "fraction"]))
    separator = draw(st.sampled_from(["T", " "]))
    zone = draw(st.sampled_from(["", "Z", "+08:00", "-05:30", "+00:00", "+14:00"]))
    text = moment.strftime("%Y-%m-%d")
    if form != "date":
        text += separator + moment.strftime("%H:%M")
        if form in ("seconds", "fraction"):
            text += moment.strftime(":%S")
        if form == "fraction":
            text += "." + f"{moment.microsecond:06d}"[: draw(st.integers(1, 6))]
        text += zone
    return text


JUNK = st.sampled_from(
    ["2023-13-45", "2023-02-29", "2024-02-29", "2023/05/01", "2023/5/1 08:00", "yesterday", "", "2023-05-01T25:00", "20230501"]
)


def scalar_instant(text):
    try:
        return _instant_triple(text)
    except ValueError:
        return None


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


def test_the_shanghai_year_boundary_in_columns():
    micros, years, days, _, failures = parse_instants(["2023-12-31T16:30:00Z", "2024-01-01T00:30:00+08:00", "2023-12-31T23:59:59"])
    assert failures == {} and list(years) == [2024, 2024, 2023]
    assert dt.date.fromordinal(int(days[0])) == dt.date(2024, 1, 1)
