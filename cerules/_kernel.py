"""The compiled heart of the kernel: every record decided, one person at a time, in one pass.

Policies are compiled per profile into small tables beforehand (`engine.compile_policies`);
here each person's records are visited together (they are contiguous once ordered by person),
so repeated courses and the daily cap are settled among a handful of records, with no global
sort, and people are spread over the machine's cores. numba compiles this module to machine
code the first time it runs and caches the result.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

CREDITED, INVALID_RECORD, UNKNOWN_PERSON, OUT_OF_YEAR, NOT_APPROVED = 0, 1, 2, 3, 4
PLATFORM_NOT_ACCEPTED, TOPIC_NOT_ACCEPTED, COURSE_NOT_ACCEPTED, DUPLICATE_COURSE = 5, 6, 7, 8
CAP_EXCEEDED, PAST_DEADLINE = 9, 10


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


@njit(cache=True, parallel=True)
def decide(
    order: np.ndarray,
    starts: np.ndarray,
    person: np.ndarray,
    profile: np.ndarray,
    subject: np.ndarray,
    hours: np.ndarray,
    year: np.ndarray,
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
    id_data: np.ndarray,
    id_offsets: np.ndarray,
    the_year: int,
    platform_ok: np.ndarray,
    topic_ok: np.ndarray,
    deadline: np.ndarray,
    listed_only: np.ndarray,
    multiplier: np.ndarray,
    needs_approval: np.ndarray,
    daily_cap: np.ndarray,
    requirement_subject: np.ndarray,
    requirement_in_hours: np.ndarray,
    count_topic: np.ndarray,
    count_kind: np.ndarray,
    hours_per_credit: np.ndarray,
    n_persons: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reasons, credited hundredths per record, and raw sums per person and requirement.

    `order` lists records grouped by person (unknown persons, -1, first); `starts` marks where
    each group begins (with a final end). Checks run in the contract's documented order.
    """
    n = order.shape[0]
    n_requirements = requirement_subject.shape[0]
    reason = np.zeros(n, dtype=np.int8)
    credited = np.zeros(n, dtype=np.int64)
    gross = np.zeros(n, dtype=np.int64)
    eligible = np.zeros(n, dtype=np.bool_)  # still counting after the repeated courses are settled
    achieved = np.zeros((n_persons, n_requirements), dtype=np.int64)
    for g in prange(starts.shape[0] - 1):
        first, last = starts[g], starts[g + 1]
        # 1. Each record on its own.
        for k in range(first, last):
            i = order[k]
            if invalid[i]:
                reason[i] = INVALID_RECORD
                continue
            if person[i] < 0:
                reason[i] = UNKNOWN_PERSON
                continue
            p, s = profile[i], subject[i]
            if year[i] != the_year:
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
                gross[i] = hours[i] * multiplier[p] // 100 if teacher[i] and quality[i] else hours[i]
        # 2. A course counts once: the record worth most, then the earliest, then the smallest id.
        for k in range(first, last):
            i = order[k]
            if reason[i] != CREDITED or course[i] < 0 or person[i] < 0:
                continue
            for m in range(first, last):
                j = order[m]
                if j == i or reason[j] != CREDITED or course[j] != course[i] or subject[j] != subject[i]:
                    continue
                if gross[j] > gross[i] or (gross[j] == gross[i] and _earlier(timestamp, id_data, id_offsets, j, i)):
                    reason[i] = DUPLICATE_COURSE
                    break
        for k in range(first, last):
            i = order[k]
            eligible[i] = reason[i] == CREDITED
        # 3. Declared hours: at most the daily cap a day, filled in completion order.
        for k in range(first, last):
            i = order[k]
            if not eligible[i]:
                continue
            credited[i] = gross[i]
            cap = daily_cap[profile[i]] if person[i] >= 0 else -1
            if not declared[i] or cap < 0:
                continue
            before = 0
            for m in range(first, last):
                j = order[m]
                if j != i and eligible[j] and declared[j] and day[j] == day[i]:
                    if _earlier(timestamp, id_data, id_offsets, j, i):
                        before += gross[j]
            allowed = min(max(cap - before, 0), gross[i])
            credited[i] = allowed
            if allowed < gross[i]:
                reason[i] = CAP_EXCEEDED
        # 4. What the credited records count towards.
        for k in range(first, last):
            i = order[k]
            if credited[i] <= 0:
                continue
            p, who = profile[i], person[i]
            for r in range(n_requirements):
                if subject[i] != requirement_subject[r] or not count_topic[p, r, topic[i]] or not count_kind[p, r, kind[i]]:
                    continue
                if requirement_in_hours[r]:
                    achieved[who, r] += credited[i]
                elif credits[i] >= 0:
                    achieved[who, r] += credits[i]
                elif hours_per_credit[p, r] > 0:
                    achieved[who, r] += credited[i] * 100 // hours_per_credit[p, r]
    return reason, credited, achieved
