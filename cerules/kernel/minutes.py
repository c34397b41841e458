"""Records that give their length in minutes, converted to hours by each person's rules.

How many minutes make one hour (学时) is a policy value (`counting.minutes_per_hour`, 60 unless a
layer says otherwise, 45 for a class period), so the conversion belongs to the rules, not to
reading: it is done per profile, first of all, before course lists, multipliers, caps and
repeated courses see the record. The arithmetic is exact on integers: minutes and minutes per
hour both in hundredths of a minute, the hours in `FINE` units (ten-thousandths), rounded half up
once per record; a total is rounded to hundredths once more, at the end, as every total is.
"""

from __future__ import annotations

from typing import TypeVar

import attrs
import numpy as np

from ..base.hours import FINE, SCALE, fine_to_hundredths, format_amount
from ..inputs.normalise import Problem, RecordColumns
from ..rules.model import Text

__all__ = ["convert_minutes", "fine_hours"]

Amount = TypeVar("Amount", int, np.ndarray)


def fine_hours(minutes: Amount, minutes_per_hour: Amount) -> Amount:
    """Hours in `FINE` units of a length in minutes: round half up (minutes × FINE / minutes_per_hour).

    Both arguments are hundredths of a minute (ints or int64 arrays, minutes ≥ 0, minutes_per_hour
    > 0): 45 minutes at 45 an hour are exactly one hour (10000), 30 minutes at 45 are 6667.
    """
    return (2 * minutes * FINE + minutes_per_hour) // (2 * minutes_per_hour)


def convert_minutes(
    records: RecordColumns, minutes_per_hour: np.ndarray, person_index: np.ndarray, person_profile: np.ndarray
) -> RecordColumns:
    """The records with the hours of those given in minutes filled in, each by its person's rules.

    `minutes_per_hour` is per profile (hundredths of a minute), `person_index` each record's
    person (-1 for none), `person_profile` each person's profile. A record of no known person has
    no rules to convert it: it keeps 0 hours (and is rejected as such records are). A record whose
    hours come to more than the bound on one record (`RecordColumns.bound`) is an invalid record
    saying so, as one given in hours would be. The input is left as it was (a what-if converts
    the same records under other rules).
    """
    if len(records) == 0 or records.minutes.max() < 0:  # no minutes at all: the usual input, one quick pass
        return records
    rows = np.flatnonzero((records.minutes >= 0) & (person_index >= 0))
    if len(rows) == 0:
        return records
    per_hour = minutes_per_hour[person_profile[person_index[rows]]]
    converted = fine_hours(records.minutes[rows], per_hour)
    hours = records.hours.copy()
    hours[rows] = converted
    beyond = (converted > records.bound * (FINE // SCALE)) & ~records.invalid[rows]
    if not beyond.any():
        return attrs.evolve(records, hours=hours)
    invalid, subject, problems = records.invalid.copy(), records.subject.copy(), dict(records.problems)
    for row, k in zip(rows[beyond].tolist(), per_hour[beyond].tolist(), strict=True):
        invalid[row], subject[row] = True, -1
        problems[row] = _beyond(int(records.minutes[row]), k, int(hours[row]), records.bound)
    return attrs.evolve(records, hours=hours, invalid=invalid, subject=subject, problems=problems)


def _beyond(minutes: int, minutes_per_hour: int, fine: int, bound: int) -> Problem:
    m, k, limit = format_amount(minutes), format_amount(minutes_per_hour), format_amount(bound)
    h = format_amount(fine_to_hundredths(fine))
    return Problem(
        "minutes",
        Text(
            f"minutes：{m} 分钟按每学时 {k} 分钟折合 {h} 学时，超过单条记录的上限 {limit} 学时",
            f"minutes: {m} minutes at {k} minutes an hour are {h} hours, above the bound of {limit} hours for one record",
        ),
    )
