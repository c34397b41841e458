"""Each person's records found in place or gathered, so that the kernel visits a person's records together.

Most exports list each person's records together: they are read where they lie, and only the
records of no person inside a span are passed over. Otherwise a linear counting sort gathers
each person's records first, with no global sort of the records.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .decide import Persons


def group_persons(person: np.ndarray, profile: np.ndarray) -> Persons:
    """Where each person's records are (`person`: each record's person, -1 for none), for `decide.decide`."""
    n_persons = profile.shape[0]
    start, stop, count, grouped, strays = person_spans(person, n_persons)
    order = np.zeros(0, dtype=np.int64)
    if not grouped:  # each person's records gathered first; input grouped by person is read in place
        order, start, stop = group_by_person(person, n_persons)
    clean = stop - start == count  # no record of no person inside the span
    return Persons(profile=profile, order=order, start=start, stop=stop, clean=clean, strays=strays)


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
