"""Running the kernel on a cohort: records joined to persons, course lists applied, every record decided.

Records are mapped to their person's profile by index and decided by the compiled kernel
(`decide.decide`), partitioned by blocks of people first when they are not grouped by person
(`grouping`). Explaining one person runs this same kernel on that person's rows, so one at a time
or all together the numbers are the same.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.hours import FINE, SCALE
from ..inputs.columns import as_arrow, utf8_buffers
from ..inputs.normalise import PersonColumns, RecordColumns
from ..rules.ruleset import RuleSet
from . import reasons as R
from .compile import CompiledPolicies, compile_policies, year_of_day
from .decide import Records, Tables, course_notes
from .grouping import decide_by_person
from .ledger import Ledger
from .minutes import convert_minutes


def lookup(keys: np.ndarray, values: pa.Array) -> np.ndarray:
    """Position of each value in `keys` (unique strings), -1 when absent (a hash join, not a sort).

    Records mostly come in runs of one person's: only the first value of each run is looked up
    (a run is found by comparing neighbours, much cheaper than hashing every value).
    """
    if len(keys) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    heads = _run_heads(values)
    if len(heads) > len(values) // 2:  # hardly any runs: every value is looked up
        return _index_in(keys, values)
    found = _index_in(keys, values.take(pa.array(heads, type=pa.int64())))
    return np.repeat(found, np.diff(np.append(heads, len(values))))


def _index_in(keys: np.ndarray, values: pa.Array) -> np.ndarray:
    found = pc.index_in(values, value_set=pa.array(keys, type=pa.string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _run_heads(values: pa.Array) -> np.ndarray:
    """Where each run of equal values starts (a missing value starts a run of its own)."""
    same = pc.equal(values.slice(1), values.slice(0, len(values) - 1))
    changed = ~pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    return np.flatnonzero(np.concatenate([[True], changed]))


def evaluate_columns(rules: RuleSet, persons: PersonColumns, records: RecordColumns, *, person_index: np.ndarray | None = None) -> Ledger:
    """Decide every record and every requirement of a cohort for the rule set's year.

    `person_index` (each record's person among `persons`, -1 for none) may be given when the
    caller has joined records to persons already.
    """
    compiled = compile_policies(rules, persons.profiles, records)
    if person_index is None:
        person_index = lookup(persons.person_id, records.person_id)
    person_profile = persons.profile if len(persons) else np.zeros(0, dtype=np.int32)
    records = convert_minutes(records, compiled.minutes_per_hour, person_index, person_profile)  # first: lists, caps and repeats see hours
    listed, subject, hours, topic = _apply_course_lists(compiled, records, person_index, person_profile)
    id_data, id_offsets = utf8_buffers(as_arrow(records.record_id))
    columns = Records(
        person=person_index,
        subject=subject,
        hours=hours,
        day=records.day,
        timestamp=records.timestamp,
        platform=records.platform,
        online=records.online,
        topic=topic,
        course=records.course,
        kind=records.kind,
        credits=records.credits,
        teacher=records.teacher,
        quality=records.quality,
        declared=records.declared,
        approved=records.approved,
        invalid=records.invalid,
        listed=listed,
        id_data=id_data,
        id_offsets=id_offsets,
    )
    outcome = decide_by_person(columns, person_profile, kernel_tables(compiled), course_notes())
    _name_invalid_persons(persons, records, outcome.reason)
    return Ledger(
        year=rules.year,
        rules=rules,
        persons=persons,
        records=records,
        compiled=compiled,
        person_index=person_index,
        subject=subject,
        exact_hours=hours,
        topic=topic,
        listed=listed,
        reason=outcome.reason,
        credited=outcome.credited,
        required=outcome.required,
        achieved=outcome.achieved,
        met=outcome.met,
        compliant=outcome.compliant,
    )


def _name_invalid_persons(persons: PersonColumns, records: RecordColumns, reason: np.ndarray) -> None:
    """Records of a person who is in the persons file but invalid say so (`invalid_person`), in place.

    The kernel knows only usable persons: to it, every other record is `unknown_person`.
    """
    if not persons.rejected:
        return
    strays = np.flatnonzero(reason == R.UNKNOWN_PERSON)
    if len(strays) == 0:
        return
    ids = np.array(list(persons.rejected), dtype=object)
    found = lookup(ids, as_arrow(records.person_id).take(pa.array(strays, type=pa.int64()))) >= 0
    reason[strays[found]] = R.INVALID_PERSON


def kernel_tables(compiled: CompiledPolicies) -> Tables:
    """The compiled policies' tables the kernel reads, amounts in FINE units, and each day's year."""
    return Tables(
        span_first=compiled.span_first,
        span_last=compiled.span_last,
        outside=compiled.outside,
        year_of_day=year_of_day(compiled.first_year, compiled.window_bits.shape[1]),
        first_day=dt.date(compiled.first_year, 1, 1).toordinal(),
        platform_ok=compiled.platform_ok,
        topic_ok=compiled.topic_ok,
        deadline=compiled.deadline,
        listed_only=compiled.listed_only,
        multiplier=compiled.multiplier,
        needs_approval=compiled.needs_approval,
        declared_cap=_fine(compiled.declared_cap),
        general_cap=_fine(compiled.general_cap),
        general_counts=compiled.general_counts,
        counts_towards=compiled.counts_towards,
        window_bits=compiled.window_bits,
        windowed=compiled.windowed,
        plain=compiled.plain,
        plain_towards=compiled.plain_towards,
        in_hours=compiled.requirement_in_hours,
        hours_per_credit=compiled.hours_per_credit,
        at_most=_fine(compiled.at_most),
        sum_of=compiled.sum_of,
        composite=compiled.composite,
        required=compiled.required,
    )


def _fine(hundredths: np.ndarray) -> np.ndarray:
    """Rule amounts (hundredths, -1 for none) in the FINE units the kernel counts in."""
    return np.where(hundredths >= 0, hundredths * (FINE // SCALE), hundredths)


def _apply_course_lists(
    compiled: CompiledPolicies, records: RecordColumns, person_index: np.ndarray, person_profile: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which listed course each record is (for its person), and its subject, hours and topic after the list."""
    listed = np.full(len(records), -1, dtype=np.int32)
    subject, hours, topic = records.subject, records.hours, records.topic
    if not compiled.listed_codes:
        return listed, subject, hours, topic
    known = person_index >= 0
    profile = np.where(known, person_profile[np.clip(person_index, 0, None)] if len(person_profile) else 0, 0)
    code_of_course = np.full(len(records.courses) + 1, -1, dtype=np.int32)  # last slot: no course
    positions = {code: i for i, code in enumerate(records.courses)}
    for c, code in enumerate(compiled.listed_codes):
        code_of_course[positions[code]] = c
    code = code_of_course[records.course]
    listed = np.where(code >= 0, compiled.listed_course[profile, np.clip(code, 0, None)], -1).astype(np.int32)
    hit = (listed >= 0) & ~records.invalid
    entry = np.clip(listed, 0, None)
    subject = np.where(hit, compiled.listed_subject[entry], subject).astype(np.int8)
    hours = np.where(hit & (compiled.listed_hours[entry] >= 0), compiled.listed_hours[entry], hours)
    topic = np.where(hit & (compiled.listed_topic[entry] >= 0), compiled.listed_topic[entry], topic).astype(np.int32)
    return listed, subject, hours, topic
