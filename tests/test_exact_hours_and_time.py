"""Hours are exact decimals and years are Shanghai calendar years."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.errors import BadValue
from cerules.base.hours import format_amount, parse_amount
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
