"""The kernel: every rule written once, over columns.

Policies are resolved and compiled once per policy profile into small arrays (accepted platforms
and topics, multipliers, caps, required amounts); records are mapped to their person's profile by
index and decided all at once with numpy. Explaining one person runs this same kernel on that
person's rows, so one at a time or all together the numbers are the same.
"""

from __future__ import annotations

import functools

import attrs
import numpy as np

from . import reasons as R
from .normalise import PersonColumns, RecordColumns
from .rules.model import Profile
from .rules.ruleset import Policy, RuleSet

NOT_APPLICABLE = -1


@attrs.frozen
class CompiledPolicies:
    """The policies of all profiles in a cohort as arrays indexed by profile."""

    policies: tuple[Policy, ...]
    platform_ok: np.ndarray  # bool [profile, subject, platform]
    topic_ok: np.ndarray  # bool [profile, subject, topic]
    multiplier: np.ndarray  # int64 [profile], hundredths
    needs_approval: np.ndarray  # bool [profile]
    daily_cap: np.ndarray  # int64 [profile], hundredths, -1 for none
    requirement_ids: tuple[str, ...]
    requirement_subject: np.ndarray  # int8 [requirement]
    requirement_unit: tuple[str, ...]
    required: np.ndarray  # int64 [profile, requirement], -1 when it does not apply
    count_topic: np.ndarray  # bool [profile, requirement, topic]
    count_kind: np.ndarray  # bool [profile, requirement, kind]


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
    shape = (len(policies), len(subjects))
    platform_ok = np.zeros((*shape, len(records.platforms)), dtype=bool)
    topic_ok = np.zeros((*shape, len(records.topics)), dtype=bool)
    required = np.full((len(policies), len(requirement_ids)), NOT_APPLICABLE, dtype=np.int64)
    count_topic = np.ones((len(policies), len(requirement_ids), len(records.topics)), dtype=bool)
    count_kind = np.ones((len(policies), len(requirement_ids), len(records.kinds)), dtype=bool)
    for p, policy in enumerate(policies):
        for s, subject in enumerate(subjects):
            platform_ok[p, s] = _membership(policy.accepted(subject, "platforms"), records.platforms, none_ok=False)
            topic_ok[p, s] = _membership(policy.accepted(subject, "topics"), records.topics, none_ok=True)
        for r, requirement_id in enumerate(requirement_ids):
            requirement = by_id[p].get(requirement_id)
            if requirement is None:
                continue
            required[p, r] = requirement.required
            count_topic[p, r] = _membership(requirement.count_topics, records.topics, none_ok=False)
            count_kind[p, r] = _membership(requirement.count_kinds, records.kinds, none_ok=False)
    return CompiledPolicies(
        policies=policies,
        platform_ok=platform_ok,
        topic_ok=topic_ok,
        multiplier=np.array([policy.teacher_multiplier for policy in policies], dtype=np.int64),
        needs_approval=np.array([policy.declared_requires_approval for policy in policies], dtype=bool),
        daily_cap=np.array([-1 if policy.declared_cap is None else policy.declared_cap for policy in policies], dtype=np.int64),
        requirement_ids=requirement_ids,
        requirement_subject=np.array(subject_of, dtype=np.int8),
        requirement_unit=tuple(units),
        required=required,
        count_topic=count_topic,
        count_kind=count_kind,
    )


def _membership(accepted: frozenset[str] | None, vocabulary: tuple[str, ...], *, none_ok: bool) -> np.ndarray:
    """Which vocabulary entries are accepted; entry 0 is 'none given'."""
    if accepted is None:
        return np.ones(len(vocabulary), dtype=bool)
    mask = np.array([code in accepted for code in vocabulary], dtype=bool)
    mask[0] = none_ok
    return mask


@attrs.frozen
class Ledger:
    """The outcome for a cohort: every record's disposition and every person's requirements."""

    year: int
    rules: RuleSet
    persons: PersonColumns
    records: RecordColumns
    compiled: CompiledPolicies
    person_index: np.ndarray  # int64 [record], -1 when no such person
    reason: np.ndarray  # int8 [record], see reasons
    credited: np.ndarray  # int64 [record], hundredths of an hour
    amount: np.ndarray  # int64 [record, requirement], what each record counts towards each requirement
    required: np.ndarray  # int64 [person, requirement], -1 when it does not apply
    achieved: np.ndarray  # int64 [person, requirement]
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]

    @property
    def status_credited(self) -> np.ndarray:
        """Records that count (a record cut by a cap but not to nothing still counts)."""
        return (self.reason == R.CREDITED) | ((self.reason == R.CAP_EXCEEDED) & (self.credited > 0))

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


def _string_rank(values: np.ndarray) -> np.ndarray:
    """Rank of each string (None first), for deterministic tie-breaking independent of input order."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    filled = np.where(np.frompyfunc(lambda x: x is None, 1, 1)(values).astype(bool), "", values)
    _, inverse = np.unique(filled.astype(str), return_inverse=True)
    return inverse.astype(np.int64)


def _lookup(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each value in `keys` (unique strings), -1 when absent."""
    if len(keys) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    order = np.argsort(keys.astype(str), kind="stable")
    sorted_keys = keys.astype(str)[order]
    present = ~np.frompyfunc(lambda x: x is None, 1, 1)(values).astype(bool)
    probe = np.where(present, values, "").astype(str)
    slot = np.clip(np.searchsorted(sorted_keys, probe), 0, len(sorted_keys) - 1)
    found = present & (sorted_keys[slot] == probe)
    return np.where(found, order[slot], -1).astype(np.int64)


def evaluate_columns(rules: RuleSet, persons: PersonColumns, records: RecordColumns) -> Ledger:
    """Decide every record and every requirement of a cohort for the rule set's year."""
    year = rules.year
    compiled = compile_policies(rules, persons.profiles, records)
    person_index = _lookup(persons.person_id, records.person_id)
    known = person_index >= 0
    profile = np.where(known, persons.profile[np.clip(person_index, 0, None)] if len(persons) else 0, 0)
    subject = np.clip(records.subject, 0, None).astype(np.intp)

    reason = np.zeros(len(records), dtype=np.int8)
    open_ = np.ones(len(records), dtype=bool)

    def reject(where: np.ndarray, code: int) -> None:
        hit = open_ & where
        reason[hit] = code
        open_[hit] = False

    reject(records.invalid, R.INVALID_RECORD)
    reject(~known, R.UNKNOWN_PERSON)
    reject(records.year != year, R.OUT_OF_YEAR)
    reject(records.declared & ~records.approved & compiled.needs_approval[profile], R.NOT_APPROVED)
    reject(records.online & ~compiled.platform_ok[profile, subject, records.platform], R.PLATFORM_NOT_ACCEPTED)
    reject(~compiled.topic_ok[profile, subject, records.topic], R.TOPIC_NOT_ACCEPTED)

    doubled = records.teacher & records.quality
    gross = np.where(doubled, records.hours * compiled.multiplier[profile] // 100, records.hours)
    reject(_repeated_courses(records, person_index, gross, open_), R.DUPLICATE_COURSE)
    gross = np.where(open_, gross, 0)
    credited = _apply_daily_cap(records, person_index, gross, compiled.daily_cap[profile], open_)
    reason[open_ & (credited < gross)] = R.CAP_EXCEEDED

    amount = np.zeros((len(records), len(compiled.requirement_ids)), dtype=np.int64)
    achieved = np.zeros((len(persons), len(compiled.requirement_ids)), dtype=np.int64)
    counted = credited > 0
    for r, unit in enumerate(compiled.requirement_unit):
        towards = (
            counted
            & (records.subject == compiled.requirement_subject[r])
            & compiled.count_topic[profile, r, records.topic]
            & compiled.count_kind[profile, r, records.kind]
        )
        if unit == "hours":
            amount[:, r] = np.where(towards, credited, 0)
        else:
            amount[:, r] = np.where(towards & (records.credits > 0), records.credits, 0)
        owners = person_index[towards]
        achieved[:, r] = np.bincount(owners, weights=amount[towards, r], minlength=len(persons)).round().astype(np.int64)
    required = compiled.required[persons.profile] if len(persons) else np.zeros((0, len(compiled.requirement_ids)), np.int64)
    applies = required != NOT_APPLICABLE
    met = ~applies | (achieved >= required)
    return Ledger(
        year=year,
        rules=rules,
        persons=persons,
        records=records,
        compiled=compiled,
        person_index=person_index,
        reason=reason,
        credited=credited,
        amount=amount,
        required=required,
        achieved=achieved,
        met=met,
        compliant=met.all(axis=1),
    )


def _repeated_courses(records: RecordColumns, person_index: np.ndarray, gross: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Records repeating a course of the same subject already credited to the same person this year.

    The record kept is the one worth the most hours, then the earliest, then the smallest record
    id: the choice never depends on the order of the input file, and a further record of a course
    can only raise what the course is worth.
    """
    candidates = np.flatnonzero(open_ & (records.course >= 0))
    repeated = np.zeros(len(records), dtype=bool)
    if len(candidates) < 2:
        return repeated
    rank = _string_rank(records.record_id[candidates])
    keys = (person_index[candidates], records.subject[candidates], records.course[candidates])
    order = candidates[np.lexsort((rank, records.timestamp[candidates], -gross[candidates], *reversed(keys)))]
    same = np.ones(len(order) - 1, dtype=bool)
    for key in (person_index, records.subject, records.course):
        same &= key[order][1:] == key[order][:-1]
    repeated[order[1:][same]] = True
    return repeated


def _apply_daily_cap(
    records: RecordColumns, person_index: np.ndarray, credited: np.ndarray, cap: np.ndarray, open_: np.ndarray
) -> np.ndarray:
    """Credited hours after the per-day cap on declared hours, filled in completion order."""
    result = credited.copy()
    candidates = np.flatnonzero(open_ & records.declared & (cap >= 0))
    if len(candidates) == 0:
        return result
    rank = _string_rank(records.record_id[candidates])
    order = candidates[np.lexsort((rank, records.timestamp[candidates], records.day[candidates], person_index[candidates]))]
    hours = credited[order]
    running = np.cumsum(hours)
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (person_index[order][1:] != person_index[order][:-1]) | (records.day[order][1:] != records.day[order][:-1])
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    before = running - hours - (running[group_start] - hours[group_start])
    result[order] = np.clip(cap[order] - before, 0, hours)
    return result
