"""The compiled heart of the kernel: every record decided, one person at a time, in one pass.

Policies are compiled per profile into small tables beforehand (`compile.compile_policies`);
here each person's records are visited together, so repeated courses and the daily caps are
settled among a handful of records with no global sort (`settle`), and people are spread over the
machine's cores. Input already grouped by person (the usual export) is read in place; otherwise
the records are partitioned by blocks of people first and read through a counting sort of each
block (`grouping`). numba compiles this module to machine code the first time it runs and
caches the result.

The kernel takes four typed structures (named tuples of arrays, `arrays`): the records' columns,
the persons' grouping, the compiled tables and each thread's notes, and gives back the outcome.
Reason codes are `reasons`' module constants, which numba compiles in. Every function the kernel
calls is in this module: numba caches a function's machine code with its callees compiled in, and
notices changes to the function's own file only.

Why it is written the way it is (each measured on millions of records, benchmarks/README.md):
the hot loop reads each record's columns once, in storage order; a person's running sums stay in
registers when their profile counts records by subject alone over one window (`plain`), since
adding each record to each requirement in memory cost a third of the time; a record's year is
checked against each requirement's window only for a profile whose requirements count over
different windows (`windowed`); repeated courses are told after the person's records are read,
from their course keys in a small table of the person's own, instead of comparing each record
with the person's others or looking each course up in a note of every course while reading.
"""

from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange
from numba.extending import overload

from ..base.hours import FINE, SCALE
from .arrays import NOT_APPLICABLE, NOTED, Notes, Outcome, Persons, Records, Tables, course_notes
from .reasons import (
    CAP_EXCEEDED,
    COURSE_NOT_ACCEPTED,
    CREDITED,
    DUPLICATE_COURSE,
    INVALID_RECORD,
    NOT_APPROVED,
    PAST_DEADLINE,
    PLATFORM_NOT_ACCEPTED,
    TOPIC_NOT_ACCEPTED,
    UNKNOWN_PERSON,
)

__all__ = ["NOT_APPLICABLE", "Notes", "Outcome", "Persons", "Records", "Tables", "course_notes", "decide"]

_PER_HUNDREDTH = FINE // SCALE  # FINE units in a hundredth
_HALF = _PER_HUNDREDTH // 2  # rounding half up to hundredths
_FEW = 16  # records under a cap a person may have for it to be settled in place (pairwise), without `settle`
_UNCAPPED = 2**62  # what a cap that does not count a record leaves it: more than any hours


@njit(cache=True, inline="always")
def _gross(records: Records, tables: Tables, i: int, p: int) -> int:
    """Hours a record is worth before repeats and caps: a quality course's teacher gets the multiplier."""
    hours = records.hours[i]
    return hours * tables.multiplier[p] // 100 if records.teacher[i] and records.quality[i] else hours


@njit(cache=True, inline="always")
def _year(tables: Tables, day: int) -> int:
    """Index of a day's year among the years the spans hold (0 when they hold one)."""
    if tables.year_of_day.shape[0] == 0:
        return 0
    return np.int64(tables.year_of_day[day - tables.first_day])


@njit(cache=True, inline="always")
def _course_key(tables: Tables, course: int, s: int, y: int) -> int:
    """A repeated course is one of the same course, subject and year (docs/decisions.md, "Counting")."""
    return (course * tables.deadline.shape[1] + s) * tables.window_bits.shape[1] + y


@njit(cache=True, inline="always")
def _in_general(records: Records, tables: Tables, i: int, p: int, s: int) -> bool:
    """Does the general daily cap count record i (by its source, mode and subject)?"""
    return tables.general_cap[p] >= 0 and tables.general_counts[p, 1 if records.declared[i] else 0, 1 if records.online[i] else 0, s]


@njit(cache=True, inline="always")
def _count(
    achieved: np.ndarray, tables: Tables, who: int, p: int, mask: np.ndarray, window: np.ndarray, windowed: bool, amount: int, credits: int
) -> None:
    """Add a credited record to the requirements it counts towards (`mask`: their bits, and when
    `windowed` those whose window holds its year, `window`): its hours, or its credits (scaled to
    what a cap left), or its hours converted to credits, in FINE units."""
    for w in range(mask.shape[0]):
        bits = mask[w] & window[w] if windowed else mask[w]
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
    sums: tuple[int, int], plain: bool, achieved: np.ndarray, tables: Tables, who: int, p: int, s: int, y: int, t: int, k: int,
    amount: int, credits: int,
) -> tuple[int, int]:  # fmt: skip
    """Count a credited record (subject s, year y, topic t, kind k): for a `plain` profile into the
    person's running sums per subject (registers), added to requirements once at the end; otherwise
    into each requirement it counts towards."""
    if plain:
        return sums[0] + (amount if s == 0 else 0), sums[1] + (amount if s == 1 else 0)
    _count(achieved, tables, who, p, tables.counts_towards[p, s, t, k], tables.window_bits[p, y], tables.windowed[p], amount, credits)
    return sums


@njit(cache=True)
def _repeats(keys: np.ndarray, slots: np.ndarray, marks: np.ndarray, n: int, mark: int) -> bool:
    """Does any of the first n course keys repeat? A hash table of at least 2n slots, whose slots
    the person's `mark` tells from the last person's (so it is never cleared)."""
    bits = 4
    while (1 << bits) < 2 * n:
        bits += 1
    wrap = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    for m in range(n):
        key = keys[m]
        h = np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> shift)
        while marks[h] == mark:
            if slots[h] == key:
                return True
            h = (h + 1) & wrap
        marks[h] = mark
        slots[h] = key
    return False


@njit(cache=True, parallel=True, error_model="numpy")
def decide(records: Records, persons: Persons, tables: Tables, notes: Notes) -> Outcome:
    """Every record's reason and credited hundredths; every person's requirements, met or not.

    Person p's records are positions start[p] to stop[p] of `persons.order`, or of the input
    itself when `order` is empty (a span that is not `clean` also holds records of no person,
    `strays`, decided first and passed over). `notes` (`course_notes`) is each thread's scratch
    for telling repeated courses.

    Each person is settled in one visit of their records: the checks in the contract's documented
    order (the first: is the record's day in the union of the windows of the requirements its
    subject counts towards), counting what each record is worth towards each requirement whose
    window holds its year; only a person with a repeated course, or with more hours under a daily
    cap than a day's cap, has repeats and the caps settled together (`settle`) and their records
    counted again. Then each requirement's limit, the sums of requirements, each total rounded once
    to hundredths, and whether each is met. Amounts are in `FINE` units (ten-thousandths) until
    that rounding. A requirement that does not apply to a profile counts nothing. `required` is
    given per person.
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
    for who in prange(n_persons):
        first, last, p = persons.start[who], persons.stop[who], persons.profile[who]
        check_person = direct and not persons.clean[who]
        thread = get_thread_id()
        keys = notes.keys[thread]
        n_keys = 0
        eligible = n_declared = declared_hours = n_general = general_hours = 0
        plain_profile = tables.plain[p]
        general = tables.general_cap[p] >= 0
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
            if day < tables.span_first[p, s] or day > tables.span_last[p, s]:
                reason[i] = tables.outside[p, s]
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
                credited[i] = (gross + _HALF) // _PER_HUNDREDTH
                y = _year(tables, day)
                per_subject = _tally(
                    per_subject, plain_profile, achieved, tables, who, p, s, y, records.topic[i], records.kind[i], gross, records.credits[i]
                )
                eligible += 1
                if records.declared[i]:
                    n_declared += 1
                    declared_hours += gross
                if general and _in_general(records, tables, i, p, s):
                    n_general += 1
                    general_hours += gross
                course = records.course[i]
                if course >= 0:
                    if n_keys < NOTED:
                        keys[n_keys] = _course_key(tables, course, s, y)
                    n_keys += 1
        # 2. Repeated courses and the daily caps, settled together; then everything counted again.
        repeats = n_keys > NOTED or (n_keys > 1 and _repeats(keys, notes.slots[thread], notes.marks[thread], n_keys, who + 1))
        over_declared = tables.declared_cap[p] >= 0 and declared_hours > tables.declared_cap[p]
        over_general = general and general_hours > tables.general_cap[p]
        if repeats or over_declared or over_general:
            achieved[who, :] = 0
            if repeats or (over_declared and over_general) or (n_general if over_general else n_declared) > _FEW:
                per_subject = _settle_person(
                    records, tables, persons, who, p, first, last, direct, check_person, eligible, reason, credited, achieved
                )
            else:  # one cap that a day may exceed, the other (if any) never reached: that one alone, in place
                per_subject = _cap_in_place(
                    records, tables, persons, who, p, first, last, direct, check_person, over_general, reason, credited, achieved
                )
        if plain_profile:  # every requirement a plain profile's records count towards is in hours, over one window
            _count(achieved, tables, who, p, tables.plain_towards[p, 0], tables.plain_towards[p, 0], False, per_subject[0], -1)
            _count(achieved, tables, who, p, tables.plain_towards[p, 1], tables.plain_towards[p, 1], False, per_subject[1], -1)
        # 3. Each requirement's limit, then the sums of requirements, then each total rounded once.
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
            achieved[who, r] = (achieved[who, r] + _HALF) // _PER_HUNDREDTH
            person_required[who, r] = tables.required[p, r]
            met[who, r] = tables.required[p, r] == NOT_APPLICABLE or achieved[who, r] >= tables.required[p, r]
            compliant[who] &= met[who, r]
    return Outcome(reason, credited, person_required, achieved, met, compliant)


@njit(cache=True, inline="always")
def _under(records: Records, tables: Tables, i: int, p: int, general: bool) -> bool:
    """Is record i under the general daily cap (`general`), or under the declared cap?"""
    return _in_general(records, tables, i, p, records.subject[i]) if general else records.declared[i]


@njit(cache=True)
def _cap_in_place(
    records: Records, tables: Tables, persons: Persons, who: int, p: int, first: int, last: int, direct: bool, check_person: bool,
    general: bool, reason: np.ndarray, credited: np.ndarray, achieved: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """One daily cap (the general one, or the declared one) for a person with no repeated course,
    a few records under it, and no day that the other cap could limit: what `settle` does, without
    gathering the records first (each record under the cap gets what the same day's earlier ones
    leave of it). Counts the records again; returns the plain sums per subject."""
    order = persons.order
    cap = tables.general_cap[p] if general else tables.declared_cap[p]
    per_subject = (0, 0)
    plain_profile = tables.plain[p]
    for k in range(first, last):
        i = k if direct else order[k]
        if (check_person and records.person[i] != who) or reason[i] != CREDITED:
            continue
        gross = _gross(records, tables, i, p)
        worth = gross
        if _under(records, tables, i, p, general):
            before = 0
            for m in range(first, last):
                j = m if direct else order[m]
                if j == i or (check_person and records.person[j] != who) or records.day[j] != records.day[i]:
                    continue
                if not _under(records, tables, j, p, general):
                    continue
                if (reason[j] == CREDITED or reason[j] == CAP_EXCEEDED) and earlier(
                    records.timestamp, records.id_data, records.id_offsets, j, i
                ):
                    before += _gross(records, tables, j, p)
            worth = min(gross, max(cap - before, 0))
            if worth < gross:
                reason[i] = CAP_EXCEEDED
        credited[i] = (worth + _HALF) // _PER_HUNDREDTH
        if worth > 0:
            per_subject = _tally(
                per_subject, plain_profile, achieved, tables, who, p, records.subject[i], _year(tables, records.day[i]), records.topic[i],
                records.kind[i], worth, scaled_credits(records.credits[i], worth, gross),
            )  # fmt: skip
    return per_subject


@njit(cache=True)
def _settle_person(
    records: Records, tables: Tables, persons: Persons, who: int, p: int, first: int, last: int, direct: bool, check_person: bool,
    eligible: int, reason: np.ndarray, credited: np.ndarray, achieved: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """Settle a person's repeated courses and daily caps (`settle`), write each record's
    reason and credited hundredths, and count the records again; returns the plain sums per subject."""
    order = persons.order
    positions = np.empty(eligible, dtype=np.int64)
    m = 0
    for k in range(first, last):
        i = k if direct else order[k]
        if (check_person and records.person[i] != who) or reason[i] != CREDITED:
            continue
        positions[m] = i
        m += 1
    positions = completion_order(positions, records.timestamp, records.id_data, records.id_offsets)
    gross = np.empty(eligible, dtype=np.int64)
    declared = np.empty(eligible, dtype=np.bool_)
    general = np.empty(eligible, dtype=np.bool_)
    day = np.empty(eligible, dtype=np.int32)
    year = np.empty(eligible, dtype=np.int64)
    key = np.empty(eligible, dtype=np.int64)
    for m in range(eligible):
        i = positions[m]
        s = records.subject[i]
        gross[m] = _gross(records, tables, i, p)
        declared[m] = records.declared[i] and tables.declared_cap[p] >= 0
        general[m] = _in_general(records, tables, i, p, s)
        day[m] = records.day[i]
        year[m] = _year(tables, records.day[i])
        course = records.course[i]
        key[m] = _course_key(tables, course, s, year[m]) if course >= 0 else -1
    outcome, worth = settle(tables.declared_cap[p], tables.general_cap[p], gross, declared, general, day, key)
    per_subject = (0, 0)
    plain_profile = tables.plain[p]
    for m in range(eligible):
        i = positions[m]
        reason[i] = outcome[m]
        credited[i] = (worth[m] + _HALF) // _PER_HUNDREDTH
        if worth[m] > 0:
            per_subject = _tally(
                per_subject, plain_profile, achieved, tables, who, p, records.subject[i], year[m], records.topic[i], records.kind[i],
                worth[m], scaled_credits(records.credits[i], worth[m], gross[m]),
            )  # fmt: skip
    return per_subject


# Repeated courses and the daily caps, settled together (docs/decisions.md, "Counting"): each
# day's caps are filled in completion order by the day's records under them (the declared cap by
# declarations, the general cap by the learning it names); a record under both gets the least
# either leaves, and claims of each cap its hours as the other leaves them. A record that another
# of its course is sure to beat after the caps is set aside and takes no part of any cap, which
# can only leave more to others, so setting aside is repeated until nothing more is; of each
# course's remaining records the one worth most after the caps is credited (then the earliest,
# then the smallest id). A record's share of a cap is figured without its own course's other
# claims, which it would replace rather than add to. Not "the combination worth most in total":
# that is a partition problem, and its choice can move hours between subjects when a record no
# cap counts is added, which this never does (tests/test_counting.py, tests/test_daily_cap.py).


def _id_span(id_offsets: np.ndarray, i: int) -> tuple[int, int]:
    """Where record i's id bytes start and stop in `id_data`: `id_offsets` holds offsets (record i's
    bytes end where record i + 1's begin) or, for records moved away from their ids (`grouping`
    partitions records by person and leaves the bytes where they are), a (start, stop) row each."""
    if id_offsets.ndim == 2:
        return id_offsets[i, 0], id_offsets[i, 1]
    return id_offsets[i], id_offsets[i + 1]


@overload(_id_span, inline="always")
def _id_span_compiled(id_offsets, i):  # type: ignore[no-untyped-def]  # numba's types; names as `_id_span`'s, unannotated
    """`_id_span` for numba, one version for each layout (its branches do not type together)."""
    if id_offsets.ndim == 2:
        return lambda id_offsets, i: (id_offsets[i, 0], id_offsets[i, 1])
    return lambda id_offsets, i: (id_offsets[i], id_offsets[i + 1])


@njit(cache=True, inline="always")
def _id_before(id_data: np.ndarray, id_offsets: np.ndarray, i: int, j: int) -> bool:
    """Does record i's id sort before record j's (bytewise, as Arrow and Python sort UTF-8)?"""
    a_start, a_end = _id_span(id_offsets, i)
    b_start, b_end = _id_span(id_offsets, j)
    a, b = a_start, b_start
    while a < a_end and b < b_end:
        if id_data[a] != id_data[b]:
            return id_data[a] < id_data[b]
        a += 1
        b += 1
    return (a_end - a_start) < (b_end - b_start)


@njit(cache=True, inline="always")
def earlier(timestamp: np.ndarray, id_data: np.ndarray, id_offsets: np.ndarray, i: int, j: int) -> bool:
    """Is record i before record j in completion order (ties by record id)?"""
    if timestamp[i] != timestamp[j]:
        return timestamp[i] < timestamp[j]
    return _id_before(id_data, id_offsets, i, j)


@njit(cache=True)
def completion_order(positions: np.ndarray, timestamp: np.ndarray, id_data: np.ndarray, id_offsets: np.ndarray) -> np.ndarray:
    """`positions` sorted in completion order, ties by record id (a merge sort: n log n whatever the input)."""
    items = positions.copy()
    spare = np.empty_like(items)
    n = items.shape[0]
    width = 1
    while width < n:
        for low in range(0, n, 2 * width):
            middle, high = min(low + width, n), min(low + 2 * width, n)
            a, b, out = low, middle, low
            while a < middle and b < high:
                if earlier(timestamp, id_data, id_offsets, items[b], items[a]):
                    spare[out] = items[b]
                    b += 1
                else:
                    spare[out] = items[a]
                    a += 1
                out += 1
            while a < middle:
                spare[out] = items[a]
                a += 1
                out += 1
            while b < high:
                spare[out] = items[b]
                b += 1
                out += 1
        items, spare = spare, items
        width *= 2
    return items


@njit(cache=True)
def _allocate(
    declared_cap: int, general_cap: int, gross: np.ndarray, declared: np.ndarray, general: np.ndarray, day: np.ndarray,
    group: np.ndarray, alive: np.ndarray, worth: np.ndarray,
) -> None:  # fmt: skip
    """Each record's hours after the caps, in completion order: the least of its hours and what
    each cap that counts it leaves of its day, the claims of the day's earlier living records of
    other courses taken off. A living record claims of each cap its hours as the other cap leaves
    them (with one cap: its hours)."""
    n = gross.shape[0]
    groups = 0
    for k in range(n):
        groups = max(groups, group[k] + 1)
    own_day = np.full(groups, -1, dtype=np.int64)  # the day of each course's claims below
    own_declared = np.zeros(groups, dtype=np.int64)  # that day's claims of the course's living records so far
    own_general = np.zeros(groups, dtype=np.int64)
    total_declared, total_general, current = 0, 0, -1
    for k in range(n):
        if day[k] != current:
            total_declared, total_general, current = 0, 0, day[k]
        g = group[k]
        mine_declared = mine_general = 0
        if g >= 0 and own_day[g] == current:
            mine_declared, mine_general = own_declared[g], own_general[g]
        left_declared = declared_cap - (total_declared - mine_declared) if declared[k] else _UNCAPPED
        left_general = general_cap - (total_general - mine_general) if general[k] else _UNCAPPED
        worth[k] = max(min(gross[k], left_declared, left_general), 0)
        if alive[k] and (declared[k] or general[k]):
            claim_declared = max(min(gross[k], left_general), 0) if declared[k] else 0
            claim_general = max(min(gross[k], left_declared), 0) if general[k] else 0
            total_declared += claim_declared
            total_general += claim_general
            if g >= 0:
                if own_day[g] != current:
                    own_day[g], own_declared[g], own_general[g] = current, 0, 0
                own_declared[g] += claim_declared
                own_general[g] += claim_general


@njit(cache=True)
def _best(worth: np.ndarray, alive: np.ndarray, by_course: np.ndarray, low: int, high: int) -> int:
    """The living record of a course worth most, the earliest of equals (a course's records are in completion order)."""
    best = -1
    for m in range(low, high):
        k = by_course[m]
        if alive[k] and (best < 0 or worth[k] > worth[best]):
            best = k
    return best


@njit(cache=True)
def _set_aside(gross: np.ndarray, key: np.ndarray, alive: np.ndarray, by_course: np.ndarray, worth: np.ndarray) -> bool:
    """Set aside each record that another of its course is sure to beat: worth more than the
    record's hours, or as much and earlier. Returns whether any was."""
    n = gross.shape[0]
    changed = False
    low = 0
    while low < n:
        high = low + 1
        while high < n and key[by_course[high]] == key[by_course[low]]:
            high += 1
        if key[by_course[low]] >= 0 and high - low > 1:
            best = _best(worth, alive, by_course, low, high)
            for m in range(low, high):
                k = by_course[m]
                if alive[k] and k != best and (worth[best] > gross[k] or (worth[best] == gross[k] and best < k)):
                    alive[k] = False
                    changed = True
        low = high
    return changed


@njit(cache=True)
def settle(
    declared_cap: int, general_cap: int, gross: np.ndarray, declared: np.ndarray, general: np.ndarray, day: np.ndarray, key: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """A person's records that passed every other check, in completion order: each one's reason
    (credited, cut by a cap, or a repeated course) and the hours it is credited.

    `gross`: hours before the caps (after multipliers); `declared`: under the daily `declared_cap`,
    `general`: under the general daily `general_cap` (each -1 for none); `day`: the Shanghai
    calendar day; `key`: the course, subject and year (-1 for no course).
    """
    n = gross.shape[0]
    alive = np.ones(n, dtype=np.bool_)
    worth = np.empty(n, dtype=np.int64)
    by_course = np.argsort(key, kind="mergesort")  # stable: each course's records stay in completion order
    group = np.full(n, -1, dtype=np.int64)  # each record's course, numbered
    g, previous = -1, -1
    for m in range(n):
        k = by_course[m]
        if key[k] >= 0:
            if key[k] != previous:
                g, previous = g + 1, key[k]
            group[k] = g
    declared, general = declared & (declared_cap >= 0), general & (general_cap >= 0)
    while True:
        _allocate(declared_cap, general_cap, gross, declared, general, day, group, alive, worth)
        if not _set_aside(gross, key, alive, by_course, worth):
            break
    reason = np.empty(n, dtype=np.int8)
    credited = np.zeros(n, dtype=np.int64)
    low = 0
    while low < n:
        high = low + 1
        while high < n and key[by_course[high]] == key[by_course[low]]:
            high += 1
        best = _best(worth, alive, by_course, low, high) if key[by_course[low]] >= 0 else -1
        for m in range(low, high):
            k = by_course[m]
            if best < 0 or k == best:  # no course, or the course's record credited
                credited[k] = worth[k]
                reason[k] = CREDITED if worth[k] == gross[k] else CAP_EXCEEDED
            elif alive[k] and worth[best] == 0:  # every record of the course cut to nothing
                reason[k] = CAP_EXCEEDED
            else:
                reason[k] = DUPLICATE_COURSE
        low = high
    return reason, credited


@njit(cache=True, inline="always")
def scaled_credits(credits: int, credited: int, gross: int) -> int:
    """A record's credits in proportion to the hours a cap leaves it, rounded down (-1, none, stays)."""
    if credits < 0 or credited >= gross:
        return credits
    if credited <= 0:
        return 0
    return mul_div(credits, credited, gross)


@njit(cache=True)
def mul_div(a: int, b: int, c: int) -> int:
    """floor(a × b / c) exactly, for 0 <= a, 0 <= b < c, though a × b may not fit in 64 bits.

    A float estimate is off by a unit or two at most; the remainder a × b − q × c is small, so
    computing it modulo 2^64 gives it exactly, and it corrects the estimate.
    """
    q = np.int64(np.float64(a) * np.float64(b) / np.float64(c))
    r = np.int64(np.uint64(a) * np.uint64(b) - np.uint64(q) * np.uint64(c))
    while r < 0:
        q -= 1
        r += c
    while r >= c:
        q += 1
        r -= c
    return q
