"""The kernel: every rule written once, over columns.

Policies are resolved and compiled once per policy profile into small arrays (accepted platforms
and topics, multipliers, caps, required amounts); records are mapped to their person's profile by
index and decided by the compiled kernel (`_kernel.decide`). Explaining one person runs this same
kernel on that person's rows, so one at a time or all together the numbers are the same.
"""

from __future__ import annotations

import datetime as dt
import functools

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.hours import to_hundredths
from ..inputs.columns import as_arrow, utf8_buffers
from ..inputs.normalise import PersonColumns, RecordColumns
from ..rules.model import Profile
from ..rules.ruleset import ListedCourse, Policy, RuleSet
from . import decide as _kernel
from . import reasons as R

NOT_APPLICABLE = _kernel.NOT_APPLICABLE


@attrs.frozen
class CompiledPolicies:
    """The policies of all profiles in a cohort as arrays indexed by profile."""

    policies: tuple[Policy, ...]
    platform_ok: np.ndarray  # bool [profile, subject, platform]
    topic_ok: np.ndarray  # bool [profile, subject, topic]
    deadline: np.ndarray  # int32 [profile, subject], last counting day (ordinal), max when none
    listed_only: np.ndarray  # bool [profile, subject]
    multiplier: np.ndarray  # int64 [profile], hundredths
    needs_approval: np.ndarray  # bool [profile]
    daily_cap: np.ndarray  # int64 [profile], hundredths, -1 for none
    listed_course: np.ndarray  # int32 [profile, listed code], index into `listed`, -1 when not listed for it
    listed: tuple[ListedCourse, ...]
    listed_codes: tuple[str, ...]
    listed_subject: np.ndarray  # int8 [listed]
    listed_hours: np.ndarray  # int64 [listed], hundredths, -1 when the list gives none
    listed_topic: np.ndarray  # int32 [listed], index into the records' topics, -1 when none
    requirement_ids: tuple[str, ...]
    requirement_subject: np.ndarray  # int8 [requirement]
    requirement_unit: tuple[str, ...]
    requirement_in_hours: np.ndarray  # bool [requirement]: measured in hours (else in its own unit, e.g. credits)
    required: np.ndarray  # int64 [profile, requirement], -1 when it does not apply
    count_topic: np.ndarray  # bool [profile, requirement, topic]
    count_kind: np.ndarray  # bool [profile, requirement, kind]
    counts_towards: np.ndarray  # uint64 [profile, subject, topic, kind, word]: what a record counts towards, bit r of word r // 64
    plain: np.ndarray  # bool [profile]: a record counts by its subject alone (not topic or kind), towards requirements in hours
    plain_towards: np.ndarray  # uint64 [profile, 2, word]: what a record of subject 0 or 1 counts towards, when plain
    at_most: np.ndarray  # int64 [profile, requirement], -1 when unlimited
    hours_per_credit: np.ndarray  # int64 [profile, requirement], 0 when no conversion
    sum_of: np.ndarray  # bool [profile, requirement, requirement]: row is the sum of the marked ones

    @property
    def composite(self) -> np.ndarray:
        """bool [profile, requirement]: the requirement is a sum of others."""
        return np.asarray(self.sum_of.any(axis=2), dtype=bool)


NO_DEADLINE = np.iinfo(np.int32).max


def compile_policies(rules: RuleSet, profiles: tuple[Profile, ...], records: RecordColumns) -> CompiledPolicies:
    """Resolve and compile each profile's policy once (never per record)."""
    profiles = profiles or (Profile(),)
    policies = tuple(rules.resolve(profile) for profile in profiles)
    subjects = records.subjects
    requirement_ids = rules.requirement_ids(profiles)
    by_id = [{r.id: r for r in policy.requirements} for policy in policies]
    units = []
    subject_of = []
    for requirement_id in requirement_ids:
        first = next(found[requirement_id] for found in by_id if requirement_id in found)
        units.append(first.unit)
        subject_of.append(subjects.index(first.subject))
    n_p, n_s, n_r = len(policies), len(subjects), len(requirement_ids)
    platform_ok = np.zeros((n_p, n_s, len(records.platforms)), dtype=bool)
    topic_ok = np.zeros((n_p, n_s, len(records.topics)), dtype=bool)
    deadline = np.full((n_p, n_s), NO_DEADLINE, dtype=np.int32)
    listed_only = np.zeros((n_p, n_s), dtype=bool)
    required = np.full((n_p, n_r), NOT_APPLICABLE, dtype=np.int64)
    count_topic = np.zeros((n_p, n_r, len(records.topics)), dtype=bool)  # nothing counts towards a requirement that does not apply
    count_kind = np.zeros((n_p, n_r, len(records.kinds)), dtype=bool)
    at_most = np.full((n_p, n_r), -1, dtype=np.int64)
    hours_per_credit = np.zeros((n_p, n_r), dtype=np.int64)
    sum_of = np.zeros((n_p, n_r, n_r), dtype=bool)
    listed_codes = tuple(sorted({code for policy in policies for code in policy.courses} & set(records.courses)))
    listed: dict[tuple[str, str], int] = {}
    listed_course = np.full((n_p, len(listed_codes)), -1, dtype=np.int32)
    for p, policy in enumerate(policies):
        for s, subject in enumerate(subjects):
            platform_ok[p, s] = _membership(policy.accepted(subject, "platforms"), records.platforms, none_ok=False)
            topic_ok[p, s] = _membership(policy.accepted(subject, "topics"), records.topics, none_ok=True)
            last_day = policy.deadline(subject)
            if last_day is not None:
                deadline[p, s] = dt.date.fromisoformat(last_day).toordinal()
            listed_only[p, s] = policy.listed_courses_only(subject)
        for c, code in enumerate(listed_codes):
            course = policy.courses.get(code)
            if course is not None:
                listed_course[p, c] = listed.setdefault((code, course.provenance.layer), len(listed))
        for r, requirement_id in enumerate(requirement_ids):
            requirement = by_id[p].get(requirement_id)
            if requirement is None:
                continue
            required[p, r] = requirement.required
            count_topic[p, r] = _membership(requirement.count_topics, records.topics, none_ok=False)
            count_kind[p, r] = _membership(requirement.count_kinds, records.kinds, none_ok=False)
            at_most[p, r] = -1 if requirement.counts_at_most is None else requirement.counts_at_most
            hours_per_credit[p, r] = requirement.hours_per_credit or 0
            for member in requirement.sum_of:
                sum_of[p, r, requirement_ids.index(member)] = True
    requirement_subject = np.array(subject_of, dtype=np.int8)
    in_hours = np.array([unit == "hours" for unit in units], dtype=bool)
    counts_towards = _counts_towards(requirement_subject, count_topic, count_kind, n_s)
    plain, plain_towards = _plain(counts_towards, in_hours)
    courses = [next(pol.courses[code] for pol in policies if code in pol.courses and pol.courses[code].provenance.layer == layer)
               for code, layer in listed]  # fmt: skip
    topic_index = {code: i for i, code in enumerate(records.topics)}
    return CompiledPolicies(
        policies=policies,
        platform_ok=platform_ok,
        topic_ok=topic_ok,
        deadline=deadline,
        listed_only=listed_only,
        multiplier=np.array([policy.teacher_multiplier for policy in policies], dtype=np.int64),
        needs_approval=np.array([policy.declared_requires_approval for policy in policies], dtype=bool),
        daily_cap=np.array([-1 if policy.declared_cap is None else policy.declared_cap for policy in policies], dtype=np.int64),
        listed_course=listed_course,
        listed=tuple(courses),
        listed_codes=listed_codes,
        listed_subject=np.array([subjects.index(c.entry.subject) for c in courses], dtype=np.int8),
        listed_hours=np.array([-1 if c.entry.hours is None else to_hundredths(c.entry.hours) for c in courses], dtype=np.int64),
        listed_topic=np.array([topic_index.get(c.entry.topic or "", -1) for c in courses], dtype=np.int32),
        requirement_ids=requirement_ids,
        requirement_subject=requirement_subject,
        requirement_unit=tuple(units),
        requirement_in_hours=in_hours,
        required=required,
        count_topic=count_topic,
        count_kind=count_kind,
        counts_towards=counts_towards,
        plain=plain,
        plain_towards=plain_towards,
        at_most=at_most,
        hours_per_credit=hours_per_credit,
        sum_of=sum_of,
    )


def _counts_towards(requirement_subject: np.ndarray, count_topic: np.ndarray, count_kind: np.ndarray, n_subjects: int) -> np.ndarray:
    """For each profile, subject, topic and kind: the requirements a credited record counts towards, as bits."""
    n_p, n_r, n_t = count_topic.shape
    n_k = count_kind.shape[2]
    words = np.zeros((n_p, n_subjects, n_t, n_k, max(1, -(-n_r // 64))), dtype=np.uint64)
    for r in range(n_r):
        counted = count_topic[:, r, :, None] & count_kind[:, r, None, :]  # [profile, topic, kind]
        words[:, requirement_subject[r], :, :, r // 64] |= counted.astype(np.uint64) << np.uint64(r % 64)
    return words


def _plain(counts_towards: np.ndarray, in_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Profiles whose records count by subject alone, towards requirements in hours, and what each subject counts towards.

    The kernel sums such a person's hours per subject and adds them once, instead of adding
    each record to each requirement.
    """
    n_p, n_s, _, _, n_w = counts_towards.shape
    plain_towards = np.zeros((n_p, 2, n_w), dtype=np.uint64)
    if n_s > 2 or counts_towards.size == 0:
        return np.zeros(n_p, dtype=bool), plain_towards
    plain_towards[:, :n_s] = counts_towards[:, :, 0, 0]
    hours_bits = np.zeros(n_w, dtype=np.uint64)
    for r in np.flatnonzero(in_hours):
        hours_bits[r // 64] |= np.uint64(1) << np.uint64(r % 64)
    same = (counts_towards == plain_towards[:, :n_s, None, None, :]).all(axis=(1, 2, 3, 4))
    in_hours_only = ((counts_towards & ~hours_bits) == 0).all(axis=(1, 2, 3, 4))
    return same & in_hours_only, plain_towards


def _membership(accepted: frozenset[str] | None, vocabulary: tuple[str, ...], *, none_ok: bool) -> np.ndarray:
    """Which vocabulary entries are accepted; entry 0 is 'none given'."""
    if accepted is None:
        return np.ones(len(vocabulary), dtype=bool)
    mask = np.array([code in accepted for code in vocabulary], dtype=bool)
    mask[0] = none_ok
    return mask


def counts(reason: np.ndarray, credited: np.ndarray) -> np.ndarray:
    """Which records count: credited in full, or cut by a cap but not to nothing."""
    return (reason == R.CREDITED) | ((reason == R.CAP_EXCEEDED) & (credited > 0))


def summary_counts(compliant: np.ndarray, reason: np.ndarray, credited: np.ndarray) -> dict[str, int]:
    """The contract's `summary`: people, compliant, records, credited, rejected."""
    counted = int(counts(reason, credited).sum())
    return {
        "people": len(compliant),
        "compliant": int(compliant.sum()),
        "records": len(reason),
        "credited": counted,
        "rejected": len(reason) - counted,
    }


@attrs.frozen
class Ledger:
    """The outcome for a cohort: every record's disposition and every person's requirements."""

    year: int
    rules: RuleSet
    persons: PersonColumns
    records: RecordColumns
    compiled: CompiledPolicies
    person_index: np.ndarray  # int64 [record], -1 when no such person
    subject: np.ndarray  # int8 [record], after course lists; -1 when invalid
    hours: np.ndarray  # int64 [record], hundredths, after course lists
    topic: np.ndarray  # int32 [record], after course lists
    listed: np.ndarray  # int32 [record], index into compiled.listed, -1 when not a listed course
    reason: np.ndarray  # int8 [record], see reasons
    credited: np.ndarray  # int64 [record], hundredths of an hour
    required: np.ndarray  # int64 [person, requirement], -1 when it does not apply
    achieved: np.ndarray  # int64 [person, requirement]
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]

    @property
    def status_credited(self) -> np.ndarray:
        """Records that count (a record cut by a cap but not to nothing still counts)."""
        return counts(self.reason, self.credited)

    @functools.cached_property
    def records_by_person(self) -> tuple[np.ndarray, np.ndarray]:
        """Record positions grouped by person, each person's in ledger order, and group offsets."""
        rec = self.records
        order = np.lexsort((rec.line, _string_rank(rec.record_id), rec.timestamp, rec.invalid, self.person_index))
        order = order[self.person_index[order] >= 0]
        offsets = np.searchsorted(self.person_index[order], np.arange(len(self.persons) + 1))
        return order, offsets

    def record_positions(self, person: int) -> np.ndarray:
        order, offsets = self.records_by_person
        return order[offsets[person] : offsets[person + 1]]

    @property
    def rejected_input(self) -> np.ndarray:
        """Positions of records that belong to no person, in file order."""
        return np.flatnonzero(self.person_index < 0)


def _string_rank(values: pa.Array) -> np.ndarray:
    """Rank of each string (missing first), for ordering independent of input order."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = pc.rank(pc.fill_null(values, ""), sort_keys="ascending", tiebreaker="dense")
    return ranks.to_numpy(zero_copy_only=False).astype(np.int64)


def lookup(keys: np.ndarray, values: pa.Array) -> np.ndarray:
    """Position of each value in `keys` (unique strings), -1 when absent (a hash join, not a sort)."""
    if len(keys) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    found = pc.index_in(values, value_set=pa.array(keys, type=pa.string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def evaluate_columns(rules: RuleSet, persons: PersonColumns, records: RecordColumns, *, person_index: np.ndarray | None = None) -> Ledger:
    """Decide every record and every requirement of a cohort for the rule set's year.

    `person_index` (each record's person among `persons`, -1 for none) may be given when the
    caller has joined records to persons already.
    """
    compiled = compile_policies(rules, persons.profiles, records)
    if person_index is None:
        person_index = lookup(persons.person_id, records.person_id)
    n_persons = len(persons)
    person_profile = persons.profile if n_persons else np.zeros(0, dtype=np.int32)
    listed, subject_code, hours, topic = _apply_course_lists(compiled, records, person_index, person_profile)
    start, stop, count, grouped, strays = _kernel.person_spans(person_index, n_persons)
    order = np.zeros(0, dtype=np.int64)
    if not grouped:  # each person's records gathered first; input grouped by person is read in place
        order, start, stop = _kernel.group_by_person(person_index, n_persons)
    clean = stop - start == count  # no record of no person inside the span
    id_data, id_bounds = utf8_buffers(as_arrow(records.record_id))
    seen = _kernel.course_notes(len(records.courses) * len(records.subjects))
    reason, credited, required, achieved, met, compliant = _kernel.decide(
        order, start, stop, clean, strays, person_index, person_profile, subject_code, hours,
        records.day, records.timestamp, records.platform, records.online, topic, records.course,
        records.kind, records.credits, records.teacher, records.quality, records.declared, records.approved,
        records.invalid, listed, seen, id_data, id_bounds,
        dt.date(rules.year, 1, 1).toordinal(), dt.date(rules.year, 12, 31).toordinal(),
        compiled.platform_ok, compiled.topic_ok, compiled.deadline, compiled.listed_only, compiled.multiplier,
        compiled.needs_approval, compiled.daily_cap, compiled.counts_towards, compiled.plain, compiled.plain_towards,
        compiled.requirement_in_hours,
        compiled.hours_per_credit, compiled.at_most, compiled.sum_of, compiled.composite, compiled.required,
    )  # fmt: skip
    return Ledger(
        year=rules.year,
        rules=rules,
        persons=persons,
        records=records,
        compiled=compiled,
        person_index=person_index,
        subject=subject_code,
        hours=hours,
        topic=topic,
        listed=listed,
        reason=reason,
        credited=credited,
        required=required,
        achieved=achieved,
        met=met,
        compliant=compliant,
    )


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
