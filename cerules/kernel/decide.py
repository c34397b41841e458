"""The compiled heart of the kernel: every record decided, one person at a time, in one pass.

Policies are compiled per profile into small tables beforehand (`compile.compile_policies`);
here each person's records are visited together, so repeated courses and the daily cap are
settled among a handful of records with no global sort, and people are spread over the
machine's cores. Input already grouped by person (the usual export) is read in place; otherwise
a linear counting sort gathers each person's records first (`grouping`). numba compiles this
module to machine code the first time it runs and caches the result.

The kernel takes four typed structures (named tuples of arrays, which numba reads as plainly as
separate arguments): the records' columns, the persons' grouping, the compiled tables, and gives
back the outcome. Reason codes are `reasons`' module constants, which numba compiles in.

Why it is written the way it is (each measured on 20 million records, benchmarks/README.md):
the hot loop reads each record's columns once, in storage order; a person's running sums stay in
registers when their profile counts records by subject alone (`plain`), since adding each record
to each requirement in memory cost a third of the time; repeated courses are noticed by a note
per course instead of comparing each record with the person's others.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
from numba import get_thread_id, njit, prange

from .reasons import (
    CAP_EXCEEDED,
    COURSE_NOT_ACCEPTED,
    CREDITED,
    DUPLICATE_COURSE,
    INVALID_RECORD,
    NOT_APPROVED,
    OUT_OF_YEAR,
    PAST_DEADLINE,
    PLATFORM_NOT_ACCEPTED,
    TOPIC_NOT_ACCEPTED,
    UNKNOWN_PERSON,
)

NOT_APPLICABLE = -1  # a requirement that does not apply to a profile


class Records(NamedTuple):
    """The records' columns as the kernel reads them, one entry per record (subject, hours, topic after course lists)."""

    person: np.ndarray  # int64, index into the persons, -1 for none
    subject: np.ndarray  # int8, -1 when invalid
    hours: np.ndarray  # int64, hundredths
    day: np.ndarray  # int32, Shanghai calendar day (ordinal)
    timestamp: np.ndarray  # int64, microseconds since the epoch
    platform: np.ndarray  # int32, index into the platforms, 0 = none
    online: np.ndarray  # bool
    topic: np.ndarray  # int32, index into the topics, 0 = none
    course: np.ndarray  # int32, index into the courses, -1 = none
    kind: np.ndarray  # int32, index into the kinds
    credits: np.ndarray  # int64, hundredths, -1 = none
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
    """The compiled policies' tables, indexed by profile (`compile.CompiledPolicies`), and the year's days."""

    first_day: int  # ordinal of 1 January
    last_day: int  # ordinal of 31 December
    platform_ok: np.ndarray  # bool [profile, subject, platform]
    topic_ok: np.ndarray  # bool [profile, subject, topic]
    deadline: np.ndarray  # int32 [profile, subject], last counting day
    listed_only: np.ndarray  # bool [profile, subject]
    multiplier: np.ndarray  # int64 [profile], hundredths
    needs_approval: np.ndarray  # bool [profile]
    daily_cap: np.ndarray  # int64 [profile], hundredths, -1 for none
    counts_towards: np.ndarray  # uint64 [profile, subject, topic, kind, word]: bit r of word r // 64 for requirement r
    plain: np.ndarray  # bool [profile]: records count by subject alone, towards requirements in hours
    plain_towards: np.ndarray  # uint64 [profile, 2, word]
    in_hours: np.ndarray  # bool [requirement]
    hours_per_credit: np.ndarray  # int64 [profile, requirement], 0 when no conversion
    at_most: np.ndarray  # int64 [profile, requirement], -1 when unlimited
    sum_of: np.ndarray  # bool [profile, requirement, requirement]
    composite: np.ndarray  # bool [profile, requirement]: a sum of others
    required: np.ndarray  # int64 [profile, requirement], NOT_APPLICABLE when it does not apply


class Outcome(NamedTuple):
    """Every record's reason and credited hundredths; every person's requirements, met or not."""

    reason: np.ndarray  # int8 [record], see reasons
    credited: np.ndarray  # int64 [record], hundredths
    required: np.ndarray  # int64 [person, requirement]
    achieved: np.ndarray  # int64 [person, requirement]
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]


def course_notes(keys: int) -> np.ndarray:
    """Each thread's note, per course and subject, of the last person seen taking it (for `decide`)."""
    threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    return np.zeros((threads, keys), dtype=np.int32)


@njit(cache=True, inline="always")
def _id_before(records: Records, i: int, j: int) -> bool:
    """Does record i's id sort before record j's (bytewise, as Arrow and Python sort UTF-8)?"""
    data, offsets = records.id_data, records.id_offsets
    a, a_end, b, b_end = offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]
    while a < a_end and b < b_end:
        if data[a] != data[b]:
            return data[a] < data[b]
        a += 1
        b += 1
    return (a_end - offsets[i]) < (b_end - offsets[j])


@njit(cache=True, inline="always")
def _earlier(records: Records, i: int, j: int) -> bool:
    """Is record i before record j in completion order (ties by record id)?"""
    if records.timestamp[i] != records.timestamp[j]:
        return records.timestamp[i] < records.timestamp[j]
    return _id_before(records, i, j)


@njit(cache=True, inline="always")
def _gross(records: Records, tables: Tables, i: int, p: int) -> int:
    """Hours a record is worth before repeats and caps: a quality course's teacher gets the multiplier."""
    hours = records.hours[i]
    return hours * tables.multiplier[p] // 100 if records.teacher[i] and records.quality[i] else hours


@njit(cache=True, inline="always")
def _count(achieved: np.ndarray, tables: Tables, who: int, p: int, mask: np.ndarray, amount: int, credits: int) -> None:
    """Add a credited record to the requirements it counts towards (`mask`: their bits)."""
    for w in range(mask.shape[0]):
        bits = mask[w]
        r = w * 64
        while bits:
            if bits & np.uint64(1):
                if tables.in_hours[r]:
                    achieved[who, r] += amount
                elif credits >= 0:
                    achieved[who, r] += credits
                elif tables.hours_per_credit[p, r] > 0:
                    achieved[who, r] += amount * 100 // tables.hours_per_credit[p, r]
            bits >>= np.uint64(1)
            r += 1


@njit(cache=True, inline="always")
def _tally(
    sums: tuple[int, int], plain: bool, achieved: np.ndarray, tables: Tables, who: int, p: int, s: int, t: int, k: int,
    amount: int, credits: int,
) -> tuple[int, int]:  # fmt: skip
    """Count a credited record (subject s, topic t, kind k): for a `plain` profile into the person's
    running sums per subject (registers), added to requirements once at the end; otherwise into
    each requirement it counts towards."""
    if plain:
        return sums[0] + (amount if s == 0 else 0), sums[1] + (amount if s == 1 else 0)
    _count(achieved, tables, who, p, tables.counts_towards[p, s, t, k], amount, credits)
    return sums


@njit(cache=True, parallel=True, error_model="numpy")
def decide(records: Records, persons: Persons, tables: Tables, seen: np.ndarray) -> Outcome:
    """Every record's reason and credited hundredths; every person's requirements, met or not.

    Person p's records are positions start[p] to stop[p] of `persons.order`, or of the input
    itself when `order` is empty (a span that is not `clean` also holds records of no person,
    `strays`, decided first and passed over). `seen` (`course_notes`) is each thread's note of the
    last person who took a course in a subject, which tells repeated courses without comparing records.

    Each person is settled in one visit of their records: the checks in the contract's documented
    order, counting what each record is worth towards each requirement; only a person with a
    repeated course or capped declared hours has those settled and their records counted again.
    Then each requirement's limit, the sums of requirements and whether each is met. A
    requirement that does not apply to a profile counts nothing. `required` is given per person.
    """
    n = records.person.shape[0]
    n_persons = persons.start.shape[0]
    order = persons.order
    direct = order.shape[0] == 0 and n > 0
    n_requirements = tables.required.shape[1]
    reason = np.empty(n, dtype=np.int8)
    credited = np.empty(n, dtype=np.int64)
    achieved = np.zeros((n_persons, n_requirements), dtype=np.int64)
    person_required = np.empty((n_persons, n_requirements), dtype=np.int64)
    met = np.empty((n_persons, n_requirements), dtype=np.bool_)
    compliant = np.empty(n_persons, dtype=np.bool_)
    for i in persons.strays:  # records of no known person
        reason[i] = INVALID_RECORD if records.invalid[i] else UNKNOWN_PERSON
        credited[i] = 0
    n_subjects = tables.deadline.shape[1]
    for who in prange(n_persons):
        first, last, p = persons.start[who], persons.stop[who], persons.profile[who]
        check_person = direct and not persons.clean[who]
        taken = seen[get_thread_id()]
        stamp = who + 1
        repeats = declared_credited = False
        plain_profile = tables.plain[p]
        per_subject = (0, 0)
        # 1. Each record on its own, counted at what it is worth.
        for k in range(first, last):
            i = k if direct else order[k]
            if check_person and records.person[i] != who:
                continue
            credited[i] = 0
            if records.invalid[i]:
                reason[i] = INVALID_RECORD
                continue
            s = records.subject[i]
            day = records.day[i]
            if day < tables.first_day or day > tables.last_day:
                reason[i] = OUT_OF_YEAR
            elif day > tables.deadline[p, s]:
                reason[i] = PAST_DEADLINE
            elif records.declared[i] and not records.approved[i] and tables.needs_approval[p]:
                reason[i] = NOT_APPROVED
            elif records.online[i] and not tables.platform_ok[p, s, records.platform[i]]:
                reason[i] = PLATFORM_NOT_ACCEPTED
            elif not tables.topic_ok[p, s, records.topic[i]]:
                reason[i] = TOPIC_NOT_ACCEPTED
            elif tables.listed_only[p, s] and records.listed[i] < 0:
                reason[i] = COURSE_NOT_ACCEPTED
            else:
                reason[i] = CREDITED
                gross = _gross(records, tables, i, p)
                credited[i] = gross
                per_subject = _tally(
                    per_subject, plain_profile, achieved, tables, who, p, s, records.topic[i], records.kind[i], gross, records.credits[i]
                )
                declared_credited |= records.declared[i]
                course = records.course[i]
                if course >= 0:
                    key = course * n_subjects + s
                    repeats |= taken[key] == stamp
                    taken[key] = stamp
        unsettled = repeats
        # 2. A course counts once: the record worth most, then the earliest, then the smallest id.
        if repeats:
            for k in range(first, last):
                i = k if direct else order[k]
                if reason[i] != CREDITED or records.course[i] < 0:
                    continue
                for m in range(first, last):
                    j = m if direct else order[m]
                    if j == i or reason[j] != CREDITED:
                        continue
                    if records.course[j] != records.course[i] or records.subject[j] != records.subject[i]:
                        continue
                    if credited[j] > credited[i] or (credited[j] == credited[i] and _earlier(records, j, i)):
                        reason[i] = DUPLICATE_COURSE
                        break
            for k in range(first, last):
                i = k if direct else order[k]
                if reason[i] == DUPLICATE_COURSE:
                    credited[i] = 0
        # 3. Declared hours: at most the daily cap a day, filled in completion order.
        cap = tables.daily_cap[p]
        if declared_credited and cap >= 0:
            for k in range(first, last):
                i = k if direct else order[k]
                if not records.declared[i] or (reason[i] != CREDITED and reason[i] != CAP_EXCEEDED):
                    continue
                gross = _gross(records, tables, i, p)
                before = 0
                for m in range(first, last):
                    j = m if direct else order[m]
                    if j == i or not records.declared[j] or records.day[j] != records.day[i]:
                        continue
                    if reason[j] != CREDITED and reason[j] != CAP_EXCEEDED:
                        continue
                    if _earlier(records, j, i):
                        before += _gross(records, tables, j, p)
                allowed = min(max(cap - before, 0), gross)
                credited[i] = allowed
                if allowed < gross:
                    reason[i] = CAP_EXCEEDED
                    unsettled = True
        # 4. When repeats or caps changed what records are worth, they are counted again.
        if unsettled:
            achieved[who, :] = 0
            per_subject = (0, 0)
            for k in range(first, last):
                i = k if direct else order[k]
                if credited[i] > 0:
                    per_subject = _tally(
                        per_subject, plain_profile, achieved, tables, who, p, records.subject[i], records.topic[i], records.kind[i],
                        credited[i], records.credits[i],
                    )  # fmt: skip
        if plain_profile:  # every requirement a plain profile's records count towards is in hours
            _count(achieved, tables, who, p, tables.plain_towards[p, 0], per_subject[0], -1)
            _count(achieved, tables, who, p, tables.plain_towards[p, 1], per_subject[1], -1)
        # 5. Each requirement's limit, then the sums of requirements.
        for r in range(n_requirements):
            if tables.at_most[p, r] >= 0 and achieved[who, r] > tables.at_most[p, r]:
                achieved[who, r] = tables.at_most[p, r]
        for _ in range(n_requirements):  # sums of sums settle within as many rounds as there are requirements
            changed = False
            for r in range(n_requirements):
                if not tables.composite[p, r]:
                    continue
                total = 0
                for q in range(n_requirements):
                    if tables.sum_of[p, r, q]:
                        total += achieved[who, q]
                if tables.at_most[p, r] >= 0 and total > tables.at_most[p, r]:
                    total = tables.at_most[p, r]
                changed |= total != achieved[who, r]
                achieved[who, r] = total
            if not changed:
                break
        compliant[who] = True
        for r in range(n_requirements):
            person_required[who, r] = tables.required[p, r]
            met[who, r] = tables.required[p, r] == NOT_APPLICABLE or achieved[who, r] >= tables.required[p, r]
            compliant[who] &= met[who, r]
    return Outcome(reason, credited, person_required, achieved, met, compliant)
