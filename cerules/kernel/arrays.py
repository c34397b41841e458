"""The compiled kernel's inputs and outputs: named tuples of arrays, which numba reads as plainly
as separate arguments (`decide.decide` takes the records, persons, tables and notes, and gives
back the outcome)."""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

NOT_APPLICABLE = -1  # a requirement that does not apply to a profile


class Records(NamedTuple):
    """The records' columns as the kernel reads them, one entry per record (subject, hours, topic after course lists)."""

    person: np.ndarray  # int64, index into the persons, -1 for none
    subject: np.ndarray  # int8, -1 when invalid
    hours: np.ndarray  # int64, FINE units (ten-thousandths)
    day: np.ndarray  # int32, Shanghai calendar day (ordinal)
    timestamp: np.ndarray  # int64, microseconds since the epoch
    platform: np.ndarray  # int32, index into the platforms, 0 = none
    online: np.ndarray  # bool
    topic: np.ndarray  # int32, index into the topics, 0 = none
    course: np.ndarray  # int32, index into the courses, -1 = none
    kind: np.ndarray  # int32, index into the kinds
    credits: np.ndarray  # int64, FINE units, -1 = none
    teacher: np.ndarray  # bool
    quality: np.ndarray  # bool
    declared: np.ndarray  # bool
    approved: np.ndarray  # bool
    invalid: np.ndarray  # bool
    listed: np.ndarray  # int32, listed course (for the record's person), -1 = not listed
    id_data: np.ndarray  # uint8, the record ids' UTF-8 bytes: record i's are id_data[id_offsets[i]:id_offsets[i + 1]]
    id_offsets: np.ndarray  # int32 or int64


class Persons(NamedTuple):
    """Each person's profile and where their records are (`grouping.group_persons`)."""

    profile: np.ndarray  # int32 [person], index into the profiles
    order: np.ndarray  # int64, record positions grouped by person; empty when the input is read in place
    start: np.ndarray  # int64 [person]: the person's records are order[start:stop], or the input's when `order` is empty
    stop: np.ndarray  # int64 [person]
    clean: np.ndarray  # bool [person]: no record of no person inside the span (only read in place)
    strays: np.ndarray  # int64, positions of the records of no person


class Tables(NamedTuple):
    """The compiled policies' tables, indexed by profile (`compile.CompiledPolicies`), and which year each day is in."""

    span_first: np.ndarray  # int32 [profile, subject]: first day (ordinal) of the union of the windows it counts towards
    span_last: np.ndarray  # int32 [profile, subject]: last day of that union (the calendar year when it counts towards none)
    outside: np.ndarray  # int8 [profile, subject]: a record outside the span is out_of_year (the span is the year) or out_of_window
    year_of_day: np.ndarray  # int16 [day - first_day]: index of a day's year among the spans' years; empty when they are one year
    first_day: int  # ordinal of the first day of `year_of_day` (1 January of the spans' first year)
    platform_ok: np.ndarray  # bool [profile, subject, platform]
    topic_ok: np.ndarray  # bool [profile, subject, topic]
    deadline: np.ndarray  # int32 [profile, subject], last counting day
    listed_only: np.ndarray  # bool [profile, subject]
    multiplier: np.ndarray  # int64 [profile], hundredths
    needs_approval: np.ndarray  # bool [profile]
    declared_cap: np.ndarray  # int64 [profile], FINE units a day of declared hours, -1 for none
    general_cap: np.ndarray  # int64 [profile], FINE units a day of the learning `general_counts` names, -1 for none
    general_counts: np.ndarray  # bool [profile, declared, online, subject]: the general cap counts such a record
    counts_towards: np.ndarray  # uint64 [profile, subject, topic, kind, word]: bit r of word r // 64 for requirement r
    window_bits: np.ndarray  # uint64 [profile, year, word]: the requirements whose window holds the year
    windowed: np.ndarray  # bool [profile]: its requirements count over different windows (a record's year is checked per requirement)
    plain: np.ndarray  # bool [profile]: records count by subject alone, towards requirements in hours, over one window
    plain_towards: np.ndarray  # uint64 [profile, 2, word]
    in_hours: np.ndarray  # bool [requirement]
    hours_per_credit: np.ndarray  # int64 [profile, requirement], 0 when no conversion
    at_most: np.ndarray  # int64 [profile, requirement], FINE units, -1 when unlimited
    sum_of: np.ndarray  # bool [profile, requirement, requirement]
    composite: np.ndarray  # bool [profile, requirement]: a sum of others
    required: np.ndarray  # int64 [profile, requirement], hundredths, NOT_APPLICABLE when it does not apply


class Outcome(NamedTuple):
    """Every record's reason and credited hundredths; every person's requirements, met or not."""

    reason: np.ndarray  # int8 [record], see reasons
    credited: np.ndarray  # int64 [record], hundredths (rounded half up, for display)
    required: np.ndarray  # int64 [person, requirement], hundredths
    achieved: np.ndarray  # int64 [person, requirement], hundredths: the exact total rounded half up once
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]


NOTED = 1024
"""Courses a person's records may name for repeats to be told by a note (`course_notes`); a
person with more has their records settled (`decide.settle`) whether any course repeats or not."""


class Notes(NamedTuple):
    """Each thread's scratch for telling whether a person repeats a course: the course keys of
    the person's records, and a small hash table of them whose slots are marked by the person."""

    keys: np.ndarray  # int64 [thread, NOTED]
    slots: np.ndarray  # int64 [thread, 2 × NOTED]
    marks: np.ndarray  # int32 [thread, 2 × NOTED]: the person (+1) whose key a slot holds


def course_notes() -> Notes:
    """Each thread's notes (for `decide`)."""
    threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    return Notes(
        np.zeros((threads, NOTED), dtype=np.int64),
        np.zeros((threads, 2 * NOTED), dtype=np.int64),
        np.zeros((threads, 2 * NOTED), dtype=np.int32),
    )
