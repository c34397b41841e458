"""The compiled heart of the kernel: every record decided, one person at a time, in one pass.

Policies are compiled per profile into small tables beforehand (`engine.compile_policies`);
here each person's records are visited together, so repeated courses and the daily cap are
settled among a handful of records with no global sort, and people are spread over the
machine's cores. Input already grouped by person (the usual export) is read in place; otherwise
a linear counting sort gathers each person's records first. numba compiles this module to
machine code the first time it runs and caches the result.

Why it is written the way it is (each measured on 20 million records, benchmarks/README.md):
the hot loop reads each record's columns once, in storage order; a person's running sums stay in
registers when their profile counts records by subject alone (`plain`), since adding each record
to each requirement in memory cost a third of the time; repeated courses are noticed by a note
per course instead of comparing each record with the person's others.
"""

from __future__ import annotations

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


@njit(cache=True, inline="always")
def _id_before(data: np.ndarray, offsets: np.ndarray, i: int, j: int) -> bool:
    """Does record i's id sort before record j's (bytewise, as Arrow and Python sort UTF-8)?"""
    a, a_end, b, b_end = offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]
    while a < a_end and b < b_end:
        if data[a] != data[b]:
            return data[a] < data[b]
        a += 1
        b += 1
    return (a_end - offsets[i]) < (b_end - offsets[j])


@njit(cache=True, inline="always")
def _earlier(timestamp: np.ndarray, data: np.ndarray, offsets: np.ndarray, i: int, j: int) -> bool:
    """Is record i before record j in completion order (ties by record id)?"""
    if timestamp[i] != timestamp[j]:
        return timestamp[i] < timestamp[j]
    return _id_before(data, offsets, i, j)


@njit(cache=True)
def person_spans(person: np.ndarray, n_persons: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, np.ndarray]:
    """Where each person's records start and stop in input order, how many they are, whether
    contiguous, and the positions of records of no person.

    Records of no person (-1) may lie anywhere; the input is grouped when no other person's
    record falls between a person's first and last. Persons without records get an empty span.
    """
    start = np.zeros(n_persons, dtype=np.int64)
    stop = np.zeros(n_persons, dtype=np.int64)
    count = np.zeros(n_persons, dtype=np.int64)
    strays = np.empty(person.shape[0], dtype=np.int64)  # only the pages written are ever touched
    n_strays = 0
    previous = -1
    grouped = True
    for i in range(person.shape[0]):
        who = person[i]
        if who < 0:
            strays[n_strays] = i
            n_strays += 1
            continue
        if who != previous:
            if count[who]:
                grouped = False
            else:
                start[who] = i
            previous = who
        count[who] += 1
        stop[who] = i + 1
    return start, stop, count, grouped, strays[:n_strays].copy()


@njit(cache=True)
def group_by_person(person: np.ndarray, n_persons: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record positions grouped by person, in input order within each (a counting sort, linear).

    Person p's records are `order[start[p]:stop[p]]`; records of no person (-1) are left out.
    """
    bounds = np.zeros(n_persons + 1, dtype=np.int64)
    for i in range(person.shape[0]):
        if person[i] >= 0:
            bounds[person[i] + 1] += 1
    for p in range(n_persons):
        bounds[p + 1] += bounds[p]
    fill = bounds[:-1].copy()
    order = np.empty(bounds[n_persons], dtype=np.int64)
    previous, at = -1, 0
    for i in range(person.shape[0]):
        who = person[i]
        if who < 0:
            continue
        if who != previous:  # a run of one person's records keeps its place in a register
            if previous >= 0:
                fill[previous] = at
            previous, at = who, fill[who]
        order[at] = i
        at += 1
    return order, bounds[:-1].copy(), bounds[1:].copy()


def course_notes(keys: int) -> np.ndarray:
    """Each thread's note, per course and subject, of the last person seen taking it (for `decide`)."""
    threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    return np.zeros((threads, keys), dtype=np.int32)


@njit(cache=True, inline="always")
def _gross(hours: np.ndarray, teacher: np.ndarray, quality: np.ndarray, multiplier: np.ndarray, i: int, p: int) -> int:
    """Hours a record is worth before repeats and caps: a quality course's teacher gets the multiplier."""
    return hours[i] * multiplier[p] // 100 if teacher[i] and quality[i] else hours[i]


@njit(cache=True, inline="always")
def _count(
    achieved: np.ndarray, who: int, p: int, mask: np.ndarray, amount: int, credits: int,
    in_hours: np.ndarray, hours_per_credit: np.ndarray,
) -> None:  # fmt: skip
    """Add a credited record to the requirements it counts towards (`mask`: their bits)."""
    for w in range(mask.shape[0]):
        bits = mask[w]
        r = w * 64
        while bits:
            if bits & np.uint64(1):
                if in_hours[r]:
                    achieved[who, r] += amount
                elif credits >= 0:
                    achieved[who, r] += credits
                elif hours_per_credit[p, r] > 0:
                    achieved[who, r] += amount * 100 // hours_per_credit[p, r]
            bits >>= np.uint64(1)
            r += 1


@njit(cache=True, inline="always")
def _tally(
    sums: tuple[int, int], plain: bool, achieved: np.ndarray, who: int, p: int, s: int, t: int, k: int,
    amount: int, credits: int, counts_towards: np.ndarray, in_hours: np.ndarray, hours_per_credit: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """Count a credited record (subject s, topic t, kind k): for a `plain` profile into the person's
    running sums per subject (registers), added to requirements once at the end; otherwise into
    each requirement it counts towards."""
    if plain:
        return sums[0] + (amount if s == 0 else 0), sums[1] + (amount if s == 1 else 0)
    _count(achieved, who, p, counts_towards[p, s, t, k], amount, credits, in_hours, hours_per_credit)
    return sums


@njit(cache=True, parallel=True, error_model="numpy")
def decide(
    order: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    clean: np.ndarray,
    strays: np.ndarray,
    person: np.ndarray,
    person_profile: np.ndarray,
    subject: np.ndarray,
    hours: np.ndarray,
    day: np.ndarray,
    timestamp: np.ndarray,
    platform: np.ndarray,
    online: np.ndarray,
    topic: np.ndarray,
    course: np.ndarray,
    kind: np.ndarray,
    credits: np.ndarray,
    teacher: np.ndarray,
    quality: np.ndarray,
    declared: np.ndarray,
    approved: np.ndarray,
    invalid: np.ndarray,
    listed: np.ndarray,
    seen: np.ndarray,
    id_data: np.ndarray,
    id_offsets: np.ndarray,
    first_day: int,
    last_day: int,
    platform_ok: np.ndarray,
    topic_ok: np.ndarray,
    deadline: np.ndarray,
    listed_only: np.ndarray,
    multiplier: np.ndarray,
    needs_approval: np.ndarray,
    daily_cap: np.ndarray,
    counts_towards: np.ndarray,
    plain: np.ndarray,
    plain_towards: np.ndarray,
    in_hours: np.ndarray,
    hours_per_credit: np.ndarray,
    at_most: np.ndarray,
    sum_of: np.ndarray,
    composite: np.ndarray,
    required: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every record's reason and credited hundredths; every person's requirements, met or not.

    Person p's records are positions start[p] to stop[p] of `order` (`group_by_person`), or of the
    input itself when `order` is empty (`person_spans`; a span that is not `clean` also holds
    records of no person, `strays`, decided first and passed over). The year is the days first_day to
    last_day. `seen` (`course_notes`) is each thread's note of the last person who took a course
    in a subject, which tells repeated courses without comparing records.

    Each person is settled in one visit of their records: the checks in the contract's documented
    order, counting what each record is worth towards each requirement; only a person with a
    repeated course or capped declared hours has those settled and their records counted again.
    Then each requirement's limit, the sums of requirements and whether each is met. A
    requirement that does not apply to a profile counts nothing. Returns (reason, credited,
    required, achieved, met, compliant), `required` per person.
    """
    n = person.shape[0]
    n_persons = start.shape[0]
    direct = order.shape[0] == 0 and n > 0
    n_requirements = required.shape[1]
    reason = np.empty(n, dtype=np.int8)
    credited = np.empty(n, dtype=np.int64)
    achieved = np.zeros((n_persons, n_requirements), dtype=np.int64)
    person_required = np.empty((n_persons, n_requirements), dtype=np.int64)
    met = np.empty((n_persons, n_requirements), dtype=np.bool_)
    compliant = np.empty(n_persons, dtype=np.bool_)
    for i in strays:  # records of no known person
        reason[i] = INVALID_RECORD if invalid[i] else UNKNOWN_PERSON
        credited[i] = 0
    n_subjects = deadline.shape[1]
    for who in prange(n_persons):
        first, last, p = start[who], stop[who], person_profile[who]
        check_person = direct and not clean[who]
        taken = seen[get_thread_id()]
        stamp = who + 1
        repeats = declared_credited = False
        plain_profile = plain[p]
        per_subject = (0, 0)
        # 1. Each record on its own, counted at what it is worth.
        for k in range(first, last):
            i = k if direct else order[k]
            if check_person and person[i] != who:
                continue
            credited[i] = 0
            if invalid[i]:
                reason[i] = INVALID_RECORD
                continue
            s = subject[i]
            if day[i] < first_day or day[i] > last_day:
                reason[i] = OUT_OF_YEAR
            elif day[i] > deadline[p, s]:
                reason[i] = PAST_DEADLINE
            elif declared[i] and not approved[i] and needs_approval[p]:
                reason[i] = NOT_APPROVED
            elif online[i] and not platform_ok[p, s, platform[i]]:
                reason[i] = PLATFORM_NOT_ACCEPTED
            elif not topic_ok[p, s, topic[i]]:
                reason[i] = TOPIC_NOT_ACCEPTED
            elif listed_only[p, s] and listed[i] < 0:
                reason[i] = COURSE_NOT_ACCEPTED
            else:
                reason[i] = CREDITED
                gross = _gross(hours, teacher, quality, multiplier, i, p)
                credited[i] = gross
                per_subject = _tally(
                    per_subject, plain_profile, achieved, who, p, s, topic[i], kind[i], gross, credits[i],
                    counts_towards, in_hours, hours_per_credit,
                )  # fmt: skip
                declared_credited |= declared[i]
                if course[i] >= 0:
                    key = course[i] * n_subjects + s
                    repeats |= taken[key] == stamp
                    taken[key] = stamp
        unsettled = repeats
        # 2. A course counts once: the record worth most, then the earliest, then the smallest id.
        if repeats:
            for k in range(first, last):
                i = k if direct else order[k]
                if reason[i] != CREDITED or course[i] < 0:
                    continue
                for m in range(first, last):
                    j = m if direct else order[m]
                    if j == i or reason[j] != CREDITED or course[j] != course[i] or subject[j] != subject[i]:
                        continue
                    if credited[j] > credited[i] or (credited[j] == credited[i] and _earlier(timestamp, id_data, id_offsets, j, i)):
                        reason[i] = DUPLICATE_COURSE
                        break
            for k in range(first, last):
                i = k if direct else order[k]
                if reason[i] == DUPLICATE_COURSE:
                    credited[i] = 0
        # 3. Declared hours: at most the daily cap a day, filled in completion order.
        cap = daily_cap[p]
        if declared_credited and cap >= 0:
            for k in range(first, last):
                i = k if direct else order[k]
                if not declared[i] or (reason[i] != CREDITED and reason[i] != CAP_EXCEEDED):
                    continue
                gross = _gross(hours, teacher, quality, multiplier, i, p)
                before = 0
                for m in range(first, last):
                    j = m if direct else order[m]
                    if j == i or not declared[j] or day[j] != day[i] or (reason[j] != CREDITED and reason[j] != CAP_EXCEEDED):
                        continue
                    if _earlier(timestamp, id_data, id_offsets, j, i):
                        before += _gross(hours, teacher, quality, multiplier, j, p)
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
                        per_subject, plain_profile, achieved, who, p, subject[i], topic[i], kind[i], credited[i], credits[i],
                        counts_towards, in_hours, hours_per_credit,
                    )  # fmt: skip
        if plain_profile:  # every requirement a plain profile's records count towards is in hours
            _count(achieved, who, p, plain_towards[p, 0], per_subject[0], -1, in_hours, hours_per_credit)
            _count(achieved, who, p, plain_towards[p, 1], per_subject[1], -1, in_hours, hours_per_credit)
        # 5. Each requirement's limit, then the sums of requirements.
        for r in range(n_requirements):
            if at_most[p, r] >= 0 and achieved[who, r] > at_most[p, r]:
                achieved[who, r] = at_most[p, r]
        for _ in range(n_requirements):  # sums of sums settle within as many rounds as there are requirements
            changed = False
            for r in range(n_requirements):
                if not composite[p, r]:
                    continue
                total = 0
                for q in range(n_requirements):
                    if sum_of[p, r, q]:
                        total += achieved[who, q]
                if at_most[p, r] >= 0 and total > at_most[p, r]:
                    total = at_most[p, r]
                changed |= total != achieved[who, r]
                achieved[who, r] = total
            if not changed:
                break
        compliant[who] = True
        for r in range(n_requirements):
            person_required[who, r] = required[p, r]
            met[who, r] = required[p, r] == NOT_APPLICABLE or achieved[who, r] >= required[p, r]
            compliant[who] &= met[who, r]
    return reason, credited, person_required, achieved, met, compliant
