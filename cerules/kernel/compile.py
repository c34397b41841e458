"""Policies resolved and compiled once per policy profile into small arrays indexed by profile.

A cohort has few profiles (the distinct combinations of attributes that scopes look at) and many
records: each profile's policy is resolved once, and its accepted platforms and topics, deadlines,
multipliers, caps, windows and required amounts become tables the kernel reads by index.

Windows are whole calendar years (Asia/Shanghai) and every one holds the evaluated year, so the
windows of the requirements a subject's records count towards make one interval, the subject's
span: a record outside it counts towards nothing (`out_of_year` when the span is the evaluated
year, else `out_of_window`); inside it, towards each requirement whose window holds its year.
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from ..base.hours import FINE, SCALE, to_hundredths
from ..inputs.normalise import RecordColumns
from ..rules.model import Profile
from ..rules.ruleset import ListedCourse, Policy, RuleSet, Window
from .decide import NOT_APPLICABLE
from .reasons import OUT_OF_WINDOW, OUT_OF_YEAR


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
    declared_cap: np.ndarray  # int64 [profile], hundredths a day of declared hours, -1 for none
    general_cap: np.ndarray  # int64 [profile], hundredths a day of the learning `general_counts` names, -1 for none
    general_counts: np.ndarray  # bool [profile, declared, online, subject]: the general daily cap counts such a record
    minutes_per_hour: np.ndarray  # int64 [profile], hundredths of a minute that make one hour
    listed_course: np.ndarray  # int32 [profile, listed code], index into `listed`, -1 when not listed for it
    listed: tuple[ListedCourse, ...]
    listed_codes: tuple[str, ...]
    listed_subject: np.ndarray  # int8 [listed]
    listed_hours: np.ndarray  # int64 [listed], FINE units, -1 when the list gives none
    listed_topic: np.ndarray  # int32 [listed], index into the records' topics, -1 when none
    requirement_ids: tuple[str, ...]
    requirement_unit: tuple[str, ...]
    requirement_in_hours: np.ndarray  # bool [requirement]: measured in hours (else in its own unit, e.g. credits)
    required: np.ndarray  # int64 [profile, requirement], -1 when it does not apply
    count_subject: np.ndarray  # bool [profile, requirement, subject]: records of the subject count towards it
    count_topic: np.ndarray  # bool [profile, requirement, topic]
    count_kind: np.ndarray  # bool [profile, requirement, kind]
    counts_towards: np.ndarray  # uint64 [profile, subject, topic, kind, word]: what a record counts towards, bit r of word r // 64
    window_first: np.ndarray  # int32 [profile, requirement]: first day (ordinal) of its window, 0 when it does not apply
    window_last: np.ndarray  # int32 [profile, requirement]: last day of its window
    span_first: np.ndarray  # int32 [profile, subject]: first day of the union of the windows of the requirements it counts towards
    span_last: np.ndarray  # int32 [profile, subject]: last day of that union (the evaluated year when it counts towards none)
    outside: np.ndarray  # int8 [profile, subject]: the reason of a record outside the span, out_of_year or out_of_window
    first_year: int  # the first year any span holds; `window_bits` has one row per year from it
    window_bits: np.ndarray  # uint64 [profile, year, word]: the requirements whose window holds year first_year + y
    windowed: np.ndarray  # bool [profile]: its requirements that count records do so over different windows
    plain: np.ndarray  # bool [profile]: a record counts by its subject alone (not topic, kind or year), towards requirements in hours
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
    units = [next(found[requirement_id] for found in by_id if requirement_id in found).unit for requirement_id in requirement_ids]
    n_p, n_s, n_r = len(policies), len(subjects), len(requirement_ids)
    platform_ok = np.zeros((n_p, n_s, len(records.platforms)), dtype=bool)
    topic_ok = np.zeros((n_p, n_s, len(records.topics)), dtype=bool)
    deadline = np.full((n_p, n_s), NO_DEADLINE, dtype=np.int32)
    listed_only = np.zeros((n_p, n_s), dtype=bool)
    general_counts = np.zeros((n_p, 2, 2, n_s), dtype=bool)
    required = np.full((n_p, n_r), NOT_APPLICABLE, dtype=np.int64)
    count_subject = np.zeros((n_p, n_r, n_s), dtype=bool)  # nothing counts towards a requirement that does not apply
    count_topic = np.zeros((n_p, n_r, len(records.topics)), dtype=bool)
    count_kind = np.zeros((n_p, n_r, len(records.kinds)), dtype=bool)
    window_years = np.zeros((n_p, n_r, 2), dtype=np.int64)  # first and last year of each window, 0 when it does not apply
    subject_index = {subject: s for s, subject in enumerate(subjects)}
    calendar = Window.of(rules.year)
    at_most = np.full((n_p, n_r), -1, dtype=np.int64)
    hours_per_credit = np.zeros((n_p, n_r), dtype=np.int64)
    sum_of = np.zeros((n_p, n_r, n_r), dtype=bool)
    listed_codes = tuple(sorted({code for policy in policies for code in policy.courses} & set(records.courses)))
    listed: dict[tuple[str, str], int] = {}
    listed_course = np.full((n_p, len(listed_codes)), -1, dtype=np.int32)
    for p, policy in enumerate(policies):
        general = policy.daily_cap is not None
        for s, subject in enumerate(subjects):
            platform_ok[p, s] = _membership(policy.accepted(subject, "platforms"), records.platforms, none_ok=False)
            topic_ok[p, s] = _membership(policy.accepted(subject, "topics"), records.topics, none_ok=True)
            last_day = policy.deadline(subject)
            if last_day is not None:
                deadline[p, s] = dt.date.fromisoformat(last_day).toordinal()
            listed_only[p, s] = policy.listed_courses_only(subject)
            if general:
                for declared in (0, 1):
                    for online in (0, 1):
                        general_counts[p, declared, online, s] = policy.daily_cap_applies(bool(declared), bool(online), subject)
        for c, code in enumerate(listed_codes):
            course = policy.courses.get(code)
            if course is not None:
                listed_course[p, c] = listed.setdefault((code, course.provenance.layer), len(listed))
        for r, requirement_id in enumerate(requirement_ids):
            requirement = by_id[p].get(requirement_id)
            if requirement is None:
                continue
            required[p, r] = requirement.required
            for counted in requirement.counted_subjects:
                if counted in subject_index:
                    count_subject[p, r, subject_index[counted]] = True
            count_topic[p, r] = _membership(requirement.count_topics, records.topics, none_ok=False)
            count_kind[p, r] = _membership(requirement.count_kinds, records.kinds, none_ok=False)
            window = requirement.window or calendar
            window_years[p, r, 0], window_years[p, r, 1] = window.first_year, window.last_year
            at_most[p, r] = -1 if requirement.counts_at_most is None else requirement.counts_at_most
            hours_per_credit[p, r] = requirement.hours_per_credit or 0
            for member in requirement.sum_of:
                sum_of[p, r, requirement_ids.index(member)] = True
    in_hours = np.array([unit == "hours" for unit in units], dtype=bool)
    counts_towards = _counts_towards(count_subject, count_topic, count_kind)
    plain, plain_towards = _plain(counts_towards, in_hours)
    spans = _spans(rules.year, window_years, required != NOT_APPLICABLE, count_subject, sum_of.any(axis=2))
    plain &= ~spans.windowed  # a record's year matters to a windowed profile's requirements, one by one
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
        declared_cap=np.array([-1 if policy.declared_cap is None else policy.declared_cap for policy in policies], dtype=np.int64),
        general_cap=np.array([-1 if policy.daily_cap is None else policy.daily_cap for policy in policies], dtype=np.int64),
        general_counts=general_counts,
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
        requirement_unit=tuple(units),
        requirement_in_hours=in_hours,
        required=required,
        count_subject=count_subject,
        count_topic=count_topic,
        count_kind=count_kind,
        counts_towards=counts_towards,
        window_first=spans.window_first,
        window_last=spans.window_last,
        span_first=spans.span_first,
        span_last=spans.span_last,
        outside=spans.outside,
        first_year=spans.first_year,
        window_bits=spans.window_bits,
        windowed=spans.windowed,
        plain=plain,
        plain_towards=plain_towards,
        at_most=at_most,
        hours_per_credit=hours_per_credit,
        sum_of=sum_of,
    )


@attrs.frozen
class _Spans:
    window_first: np.ndarray
    window_last: np.ndarray
    span_first: np.ndarray
    span_last: np.ndarray
    outside: np.ndarray
    first_year: int
    window_bits: np.ndarray
    windowed: np.ndarray


def _spans(year: int, window_years: np.ndarray, applies: np.ndarray, count_subject: np.ndarray, composite: np.ndarray) -> _Spans:
    """Each requirement's window in days; each subject's span, the union of the windows of the
    requirements its records count towards (a sum of requirements counts none itself); which
    requirements each year counts towards; and the profiles whose requirements differ in window.

    `window_years` [profile, requirement, 2]: first and last year of the requirement's window.
    """
    n_p, n_r, n_s = count_subject.shape
    first, last = window_years[..., 0], window_years[..., 1]  # [profile, requirement]
    counting = applies & ~composite
    held = counting[:, :, None] & count_subject  # [profile, requirement, subject]
    span_first = np.where(held, first[:, :, None], year + 10**4).min(axis=1, initial=year + 10**4)  # [profile, subject]
    span_last = np.where(held, last[:, :, None], year - 10**4).max(axis=1, initial=year - 10**4)
    none = ~held.any(axis=1)
    span_first[none], span_last[none] = year, year
    one = counting.argmax(axis=1) if n_r else np.zeros(n_p, dtype=np.int64)  # a requirement of each profile that counts records
    ref = window_years[np.arange(n_p), one] if n_r else np.zeros((n_p, 2), dtype=np.int64)
    windowed = (counting & ((first != ref[:, None, 0]) | (last != ref[:, None, 1]))).any(axis=1)
    first_year, last_year = int(span_first.min(initial=year)), int(span_last.max(initial=year))
    window_bits = np.zeros((n_p, last_year - first_year + 1, max(1, -(-n_r // 64))), dtype=np.uint64)
    for y in range(last_year - first_year + 1):
        holds = applies & (first <= first_year + y) & (last >= first_year + y)  # [profile, requirement]
        for r in range(n_r):
            window_bits[:, y, r // 64] |= holds[:, r].astype(np.uint64) << np.uint64(r % 64)
    years = np.unique(np.concatenate([window_years[applies].ravel(), [year]]))
    january = {int(y): _ordinal(int(y), 1, 1) for y in years}
    december = {int(y): _ordinal(int(y), 12, 31) for y in years}
    return _Spans(
        window_first=np.vectorize(lambda y: january.get(y, 0), otypes=[np.int32])(np.where(applies, first, 0)),
        window_last=np.vectorize(lambda y: december.get(y, 0), otypes=[np.int32])(np.where(applies, last, 0)),
        span_first=np.vectorize(january.__getitem__, otypes=[np.int32])(span_first),
        span_last=np.vectorize(december.__getitem__, otypes=[np.int32])(span_last),
        outside=np.where((span_first == year) & (span_last == year), OUT_OF_YEAR, OUT_OF_WINDOW).astype(np.int8),
        first_year=first_year,
        window_bits=window_bits,
        windowed=windowed,
    )


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()


def year_of_day(first_year: int, years: int) -> np.ndarray:
    """int16 [day − 1 January of first_year]: the index of each day's year; empty for one year (every day's is 0)."""
    if years <= 1:
        return np.zeros(0, dtype=np.int16)
    starts = [_ordinal(first_year + y, 1, 1) for y in range(years + 1)]
    return np.repeat(np.arange(years, dtype=np.int16), np.diff(starts))


def _counts_towards(count_subject: np.ndarray, count_topic: np.ndarray, count_kind: np.ndarray) -> np.ndarray:
    """For each profile, subject, topic and kind: the requirements a credited record counts towards, as bits."""
    n_p, n_r, n_t = count_topic.shape
    n_s, n_k = count_subject.shape[2], count_kind.shape[2]
    words = np.zeros((n_p, n_s, n_t, n_k, max(1, -(-n_r // 64))), dtype=np.uint64)
    for r in range(n_r):
        counted = count_subject[:, r, :, None, None] & count_topic[:, r, None, :, None] & count_kind[:, r, None, None, :]
        words[..., r // 64] |= counted.astype(np.uint64) << np.uint64(r % 64)
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
