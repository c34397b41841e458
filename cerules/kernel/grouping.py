"""Each person's records brought together, so that the kernel visits a person's records together.

Most exports list each person's records together: they are read where they lie, and only the
records of no person inside a span are passed over. Otherwise (an export sorted by completion
time, say) the records are first partitioned by blocks of people: each column is copied once,
read in storage order and written to one place per block, so that every block's records lie
together and fit in the processor's cache, where the kernel then reads each person's records
through a linear counting sort of the block. Reading each person's records straight from all
over memory instead cost five times the grouped time (benchmarks/README.md). Within a person the
records keep their input order, so the outcome is the same whichever way they come.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .arrays import Notes, Outcome, Persons, Records, Tables
from .decide import decide

BLOCK_SHIFT = 12
"""A block holds about 2**BLOCK_SHIFT records (some 300 KB of the kernel's columns: a core's cache)."""
MAX_BLOCKS = 1024
"""Blocks one partitioning writes to at most (each a stream the cache and the page tables keep up with)."""


def decide_by_person(records: Records, profile: np.ndarray, tables: Tables, notes: Notes) -> Outcome:
    """`decide.decide` on records in any order (`records.person`: each record's person, -1 for none).

    Records grouped by person are decided where they lie; others are partitioned by blocks of
    people first (`partition`), and their reasons and credited amounts put back in input order.
    The partitioned copy of the columns, some 80 bytes a record, lives only while deciding.
    """
    n_persons = profile.shape[0]
    start, stop, count, grouped, strays = person_spans(records.person, n_persons)
    if grouped:
        clean = stop - start == count  # no record of no person inside the span
        return decide(records, Persons(profile, np.zeros(0, dtype=np.int64), start, stop, clean, strays), tables, notes)
    moved, persons, destination = partition(records, profile, count)
    outcome = decide(moved, persons, tables, notes)
    del moved, persons
    return outcome._replace(reason=gather(outcome.reason, destination), credited=gather(outcome.credited, destination))


def partition(records: Records, profile: np.ndarray, count: np.ndarray) -> tuple[Records, Persons, np.ndarray]:
    """The records partitioned by blocks of people (records of no person last), where each person's
    records are (for `decide.decide`), and where each input record went. `count`: each person's
    records (`person_spans`).

    Ids stay where they are: the moved records name their id bytes by (start, stop) rows.
    """
    n, n_persons = records.person.shape[0], profile.shape[0]
    shift = max(BLOCK_SHIFT, int(n).bit_length() - MAX_BLOCKS.bit_length() + 1)
    destination = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)  # int32: half the bytes to read for every column moved
    person, known = partition_plan(records.person, count, shift, destination)
    columns = {
        name: person if name == "person" else scatter(getattr(records, name), destination)
        for name in Records._fields
        if name not in ("id_data", "id_offsets")
    }
    columns["id_offsets"] = scatter_spans(records.id_offsets, destination)
    order, start, stop = group_by_person(person, n_persons)
    persons = Persons(profile, order, start, stop, np.ones(n_persons, dtype=np.bool_), np.arange(known, n, dtype=np.int64))
    return Records(**columns, id_data=records.id_data), persons, destination


def group_persons(person: np.ndarray, profile: np.ndarray) -> Persons:
    """Where each person's records are in input order (`person`: each record's person, -1 for none),
    for `decide.decide` on the records where they lie: read in place when grouped, through a
    counting sort otherwise."""
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


@njit(cache=True)
def partition_plan(person: np.ndarray, count: np.ndarray, shift: int, destination: np.ndarray) -> tuple[np.ndarray, int]:
    """Where each record goes (written to `destination`) when records are partitioned by blocks of
    people, stably: a block holds the people whose records begin in the same 2**shift records of a
    grouped order, and the records of no person come last. Returns each moved record's person, and
    how many records have one. `count`: each person's records.
    """
    n, n_persons = person.shape[0], count.shape[0]
    bounds = np.zeros(n_persons + 1, dtype=np.int64)
    for p in range(n_persons):
        bounds[p + 1] = bounds[p] + count[p]
    known = int(bounds[n_persons])
    n_blocks = (known >> shift) + 2  # the last: records of no person
    block = np.empty(n_persons, dtype=np.int32)
    fill = np.zeros(n_blocks, dtype=np.int64)
    for p in range(n_persons):
        block[p] = bounds[p] >> shift
        if block[p] + 1 < n_blocks - 1:
            fill[block[p] + 1] += bounds[p + 1] - bounds[p]
    for b in range(n_blocks - 2):
        fill[b + 1] += fill[b]
    fill[n_blocks - 1] = known
    moved = np.empty(n, dtype=np.int64)
    for i in range(n):
        who = person[i]
        into = block[who] if who >= 0 else n_blocks - 1
        destination[i] = fill[into]
        moved[fill[into]] = who
        fill[into] += 1
    return moved, known


@njit(cache=True, parallel=True)
def scatter(values: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Each value written to its record's new place (read in storage order, written block by block)."""
    moved = np.empty_like(values)
    for i in prange(values.shape[0]):
        moved[destination[i]] = values[i]
    return moved


@njit(cache=True, parallel=True)
def scatter_spans(offsets: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Each record's id bytes, as a (start, stop) row at its new place; the bytes stay where they are."""
    spans = np.empty((destination.shape[0], 2), dtype=offsets.dtype)
    for i in prange(destination.shape[0]):
        spans[destination[i], 0] = offsets[i]
        spans[destination[i], 1] = offsets[i + 1]
    return spans


@njit(cache=True, parallel=True)
def gather(values: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Values of moved records back in input order."""
    back = np.empty(destination.shape[0], dtype=values.dtype)
    for i in prange(destination.shape[0]):
        back[i] = values[destination[i]]
    return back
