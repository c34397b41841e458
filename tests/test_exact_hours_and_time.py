"""Hours are exact decimals and years are Shanghai calendar years."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.errors import BadValue
from cerules.base.hours import LIMIT, format_amount, parse_amount
from cerules.base.instants import parse_instant
from tests.conftest import person, record


def test_thirty_tenths_of_an_hour_sum_to_exactly_three(rules):
    result = cerules.evaluate_person(rules, person(), [record(hours="0.1", course_id=f"c{i}") for i in range(30)])
    assert result.requirement("public").credited == 300
    assert result.requirement("public").to_dict()["credited_hours"] == 3.0


def test_hours_that_float_addition_would_leave_short_still_meet_the_floor(rules):
    # Ten times 2.7 plus 3 is 29.999... in binary floating point; in hundredths it is exactly 30.
    hours = ["2.7"] * 10 + ["3"]
    result = cerules.evaluate_person(rules, person(), [record(hours=h, course_id=f"c{i}") for i, h in enumerate(hours)])
    assert sum(float(h) for h in hours) < 30.0
    assert result.requirement("public").met


@given(st.decimals(min_value="0.01", max_value="10000", places=2))
def test_decimal_hours_parse_to_hundredths_and_back(value):
    assert format_amount(parse_amount(str(value))) == format(value.normalize(), "f")


def test_more_than_two_decimal_places_round_half_up():
    assert parse_amount("1.005") == 101
    assert parse_amount("0.334") == 33


@pytest.mark.parametrize("text", ["abc", "", "1,5", "nan", "inf", "1e"])
def test_non_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2024-01-01T00:30:00+08:00", 2024),  # still 2023 in UTC
        ("2023-12-31T16:30:00Z", 2024),  # 00:30 on 1 January in Shanghai
        ("2023-12-31T15:59:59Z", 2023),
        ("2023-12-31T23:59:59", 2023),  # no offset: Shanghai local time
        ("2023-01-01T00:10:00+08:00", 2023),
        ("2022-12-31T16:30:00Z", 2023),
        ("2023-05-01", 2023),
        ("2023/05/01 08:00", 2023),  # spreadsheet style
    ],
)
def test_the_year_of_an_instant_is_its_shanghai_calendar_year(text, year):
    assert parse_instant(text).year == year


@pytest.mark.parametrize("text", ["2023-13-45", "yesterday", "1/5/2023", "2023-05-01T25:00"])
def test_unparseable_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_instant(text)


def test_a_refused_amount_or_date_says_why_in_chinese_and_english():
    with pytest.raises(BadValue) as amount:
        parse_amount("1,5")
    with pytest.raises(BadValue) as date:
        parse_instant("yesterday")
    assert (amount.value.in_lang("zh"), str(amount.value)) == ("不是数字：'1,5'", "not a decimal number: '1,5'")
    assert (date.value.in_lang("zh"), str(date.value)) == (
        "不是 ISO 8601 日期或时间：'yesterday'",
        "not an ISO 8601 date or date-time: 'yesterday'",
    )


def test_records_at_the_utc_and_shanghai_year_boundary_are_assigned_by_shanghai_time(rules):
    records = [
        record(hours=1, completed_at="2023-12-31T16:30:00Z", record_id="late"),
        record(hours=1, completed_at="2022-12-31T16:30:00Z", record_id="early"),
    ]
    result = cerules.evaluate_person(rules, person(), records)
    outcome = {r.record_id: r.reason for r in result.records}
    assert outcome == {"late": "out_of_year", "early": None}


# --- Reading numbers: total, bounded, ASCII ----------------------------------------------------


@given(st.text())
def test_any_text_parses_to_an_amount_or_a_bad_value_never_another_error(text):
    try:
        value = parse_amount(text)
    except BadValue:
        return
    assert abs(value) <= LIMIT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e400", "amount above the bound of 10000000000000: '1e400'"),
        ("123456789012345678901234", "amount above the bound of 10000000000000: '123456789012345678901234'"),
        ("1" + "0" * 27, "amount above the bound of 10000000000000: '1000000000000000000000000000'"),
        ("1e99999999999999999999", "number out of range: '1e99999999999999999999'"),
        ("nan", "not a finite number: 'nan'"),
        ("-Infinity", "not a finite number: '-Infinity'"),
        ("1,5", "not a decimal number: '1,5'"),
        ("１２", "write numbers in ASCII digits (0-9): '１２'"),
        ("٣", "write numbers in ASCII digits (0-9): '٣'"),
        ("1_000", "not a decimal number: '1_000'"),
        ("9" * 5000, "amount above the bound of 10000000000000: '" + "9" * 40 + "'…"),
    ],
)
def test_numbers_beyond_reach_or_not_in_ascii_digits_are_refused_saying_why(text, message):
    with pytest.raises(BadValue) as refused:
        parse_amount(text)
    assert str(refused.value) == message


def test_a_bound_refuses_what_lies_above_it_and_keeps_what_reaches_it():
    assert parse_amount("10000", maximum=1_000_000) == 1_000_000
    assert parse_amount("-10000", maximum=1_000_000) == -1_000_000
    with pytest.raises(BadValue, match="bound of 10000: '10000.01'"):
        parse_amount("10000.01", maximum=1_000_000)


# --- Reading dates: spreadsheet forms, serials, the representable years ----------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023/9/16", "2023-09-16T00:00:00+08:00"),
        ("2023/9/16 9:50", "2023-09-16T09:50:00+08:00"),
        ("2023/9/16 19:50", "2023-09-16T19:50:00+08:00"),
        ("2023-9-16", "2023-09-16T00:00:00+08:00"),
        ("2023-9-16 9:50", "2023-09-16T09:50:00+08:00"),
        ("2023/09/16 09:50:07", "2023-09-16T09:50:07+08:00"),
        ("2023/9/16T9:50Z", "2023-09-16T17:50:00+08:00"),
    ],
)
def test_spreadsheet_dates_without_zero_padding_are_read(text, expected):
    assert parse_instant(text).isoformat() == expected


@pytest.mark.parametrize("text", ["2023-9/16", "2023/9/16 9", "2023/9/16 9:5"])
def test_half_spreadsheet_forms_are_still_refused(text):
    with pytest.raises(BadValue):
        parse_instant(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45185", "2023-09-16T00:00:00+08:00"),  # Excel 1900 date system
        ("44927", "2023-01-01T00:00:00+08:00"),
        ("45185.4097", "2023-09-16T09:49:58+08:00"),  # 0.4097 of a day is 35398.08 s: to the nearest second
        ("45185.5", "2023-09-16T12:00:00+08:00"),
        ("45291.99999", "2023-12-31T23:59:59+08:00"),
        ("45291.999999", "2024-01-01T00:00:00+08:00"),  # 86399.9136 s rounds to the next midnight
        ("25569", "1970-01-01T00:00:00+08:00"),
    ],
)
def test_excel_serial_dates_are_read_as_shanghai_wall_time_when_asked(text, expected):
    assert parse_instant(text, excel_serials=True).isoformat() == expected
    with pytest.raises(BadValue):  # not where a date of a form is asked for
        parse_instant(text)


@pytest.mark.parametrize("text", ["4518", "045185", "45185.", "123456", "45185,5"])
def test_only_five_digit_serials_are_serials(text):
    with pytest.raises(BadValue):
        parse_instant(text, excel_serials=True)


@pytest.mark.parametrize("text", ["2023", "2023-05", "2023/5", "2023-W22", "2023W22"])
def test_a_year_month_or_week_alone_is_not_a_date(text):
    # ISO 8601 allows them, but the day decides daily caps and deadlines: they are not read as the first day.
    with pytest.raises(BadValue, match="alone is not a date"):
        parse_instant(text)


@pytest.mark.parametrize("text", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:00:00-05:00", "9999-12-31T20:00:00Z"])
def test_instants_outside_the_years_1_to_9999_in_shanghai_or_utc_are_refused(text):
    with pytest.raises(BadValue) as refused:
        parse_instant(text)
    assert "outside the years 1-9999" in str(refused.value) and "1-9999" in refused.value.in_lang("zh")


@pytest.mark.parametrize("text", ["0001-01-02", "9999-12-31", "9999-12-31T15:59:59Z"])
def test_the_edges_of_the_representable_years_are_read(text):
    assert 1 <= parse_instant(text).year <= 9999


@given(st.text())
def test_any_text_parses_to_an_instant_or_a_bad_value_never_another_error(text):
    for serials in (False, True):
        try:
            parse_instant(text, excel_serials=serials)
        except BadValue:
            pass
