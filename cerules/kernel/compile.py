"""Policies resolved and compiled once per policy profile into small arrays indexed by profile.

A cohort has few profiles (the distinct combinations of attributes that scopes look at) and many
records: each profile's policy is resolved once, and its accepted platforms and topics, deadlines,
multipliers, caps and required amounts become tables the kernel reads by index.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from ..base.hours import FINE, SCALE, to_hundredths
from ..inputs.normalise import RecordColumns
from ..rules.model import Profile
from ..rules.ruleset import ListedCourse, Policy, RuleSet
from .decide import NOT_APPLICABLE


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
    minutes_per_hour: np.ndarray  # int64 [profile], hundredths of a minute that make one hour
    listed_course: np.ndarray  # int32 [profile, listed code], index into `listed`, -1 when not listed for it
    listed: tuple[ListedCourse, ...]
    listed_codes: tuple[str, ...]
    listed_subject: np.ndarray  # int8 [listed]
    listed_hours: np.ndarray  # int64 [listed], FINE units, -1 when the list gives none
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
        minutes_per_hour=np.array([policy.minutes_per_hour for policy in policies], dtype=np.int64),
        listed_course=listed_course,
        listed=tuple(courses),
        listed_codes=listed_codes,
        listed_subject=np.array([subjects.index(c.entry.subject) for c in courses], dtype=np.int8),
        listed_hours=np.array(
            [-1 if c.entry.hours is None else to_hundredths(c.entry.hours) * (FINE // SCALE) for c in courses], dtype=np.int64
        ),
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
