"""The compiled kernel against a plain statement of the rules, in whatever order records come.

The kernel takes shortcuts for speed (input grouped by person is read in place, repeated courses
are noticed by a note of who took each course, a person's hours are summed per subject when
their profile allows it, repeats and the daily cap are settled only for people who need it).
Here a straightforward Python statement of the same rules, written from the contract's order of
checks and docs/decisions.md ("Counting"), decides every record and requirement again, and the
two must agree exactly, with and without each shortcut.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.base.hours import FINE, SCALE
from cerules.inputs.normalise import normalise_persons, normalise_records, table_from_rows
from cerules.kernel import compile as compiling
from cerules.kernel import reasons as R
from cerules.kernel.compile import CompiledPolicies
from cerules.kernel.decide import NOT_APPLICABLE
from cerules.kernel.grouping import group_by_person, group_persons, person_spans
from cerules.kernel.ledger import Ledger
from cerules.kernel.run import evaluate_columns
from cerules.rules import RulesError
from tests.plugin_helpers import city_layer, department_layer, layer_plugin
from tests.strategies import cohorts

PLUGINS = [
    layer_plugin(
        "cerules-qingdao",
        city_layer(
            "qingdao",
            "370200",
            '[public]\nplatforms = { value = ["qdjxjy"], citation = "QD" }\n'
            '[public.ethics]\nrequired = { value = 2, citation = "QD" }\ncount_topics = { value = ["ethics"], citation = "QD" }\n',
        ),
    ),
    layer_plugin("cerules-jining", city_layer("jining", "370800", '[public]\ndeadline = { value = "2023-06-30", citation = "JN" }\n')),
    layer_plugin(
        "cerules-health",
        department_layer(
            "health",
            "卫生",
            '[professional.cme]\nunit = "credits"\nrequired = { value = 5, citation = "CME" }\n'
            'sum_of = { value = ["professional.cme.class1", "professional.cme.class2"], citation = "CME" }\n'
            '[professional.cme.class1]\nunit = "credits"\nrequired = { value = 2, citation = "CME" }\n'
            'counts_at_most = { value = 3, citation = "CME" }\ncount_kinds = { value = ["cme-1"], citation = "CME" }\n'
            'hours_per_credit = { value = 3, citation = "CME" }\n'
            '[professional.cme.class2]\nunit = "credits"\nrequired = { value = 2, citation = "CME" }\n'
            'count_kinds = { value = ["cme-2"], citation = "CME" }\n',
        ),
    ),
]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def rules_with_plugins() -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=PLUGINS, strict=True)


def decide_plainly(ledger: Ledger) -> dict[str, Any]:
    """Every record and requirement decided again, person by person, in plain Python, from docs/decisions.md."""
    compiled: CompiledPolicies = ledger.compiled
    records, persons = ledger.records, ledger.persons
    n, n_persons, n_requirements = len(records), len(persons), len(compiled.requirement_ids)
    reason = np.zeros(n, dtype=np.int64)
    worth = np.zeros(n, dtype=np.int64)  # FINE units
    gross = np.zeros(n, dtype=np.int64)
    record_id = [records.record_id_at(i) or "" for i in range(n)]
    for i in range(n):
        who = ledger.person_index[i]
        if records.invalid[i]:
            reason[i] = R.INVALID_RECORD
        elif who < 0:
            reason[i] = R.UNKNOWN_PERSON
        else:
            p, s = persons.profile[who], ledger.subject[i]
            outside = _outside_every_window(compiled, ledger.year, p, s, int(records.day[i]))
            if outside is not None:
                reason[i] = outside
            elif records.day[i] > compiled.deadline[p, s]:
                reason[i] = R.PAST_DEADLINE
            elif records.declared[i] and not records.approved[i] and compiled.needs_approval[p]:
                reason[i] = R.NOT_APPROVED
            elif records.online[i] and not compiled.platform_ok[p, s, records.platform[i]]:
                reason[i] = R.PLATFORM_NOT_ACCEPTED
            elif not compiled.topic_ok[p, s, ledger.topic[i]]:
                reason[i] = R.TOPIC_NOT_ACCEPTED
            elif compiled.listed_only[p, s] and ledger.listed[i] < 0:
                reason[i] = R.COURSE_NOT_ACCEPTED
            else:
                multiplied = records.teacher[i] and records.quality[i]
                hours = int(ledger.exact_hours[i])
                gross[i] = hours * int(compiled.multiplier[p]) // 100 if multiplied else hours
    achieved = np.zeros((n_persons, n_requirements), dtype=np.int64)
    for who in range(n_persons):
        p = persons.profile[who]
        own = [i for i in range(n) if ledger.person_index[i] == who]
        eligible = sorted((i for i in own if reason[i] == R.CREDITED), key=lambda i: (records.timestamp[i], record_id[i].encode()))
        rank = {i: k for k, i in enumerate(eligible)}
        # A course repeats within a (Shanghai) year; each cap counts its records.
        course = {i: (records.course[i], ledger.subject[i], records.year[i]) if records.course[i] >= 0 else None for i in eligible}
        caps = [c * (FINE // SCALE) for c in (compiled.declared_cap[p], compiled.general_cap[p])]
        general = compiled.general_counts[p]  # [declared, online, subject]
        under = (
            {i for i in eligible if records.declared[i] and caps[0] >= 0},
            {i for i in eligible if caps[1] >= 0 and general[int(records.declared[i]), int(records.online[i]), ledger.subject[i]]},
        )

        # Set aside what another record of the course is sure to beat, until nothing more is.
        alive = set(eligible)
        while True:
            share = _after_cap(eligible, alive, under, caps, gross, records.day, course)
            aside = {j for j in alive if course[j] is not None and any(
                i != j and i in alive and course[i] == course[j] and (share[i] > gross[j] or (share[i] == gross[j] and rank[i] < rank[j]))
                for i in alive)}  # fmt: skip
            if not aside:
                break
            alive -= aside
        # Of each course, the remaining record worth most (then the earliest) is credited.
        for i in eligible:
            rivals = [j for j in alive if course[i] is not None and course[j] == course[i]] or [i]
            best = max(rivals, key=lambda j: (share[j], -rank[j]))
            if i == best:
                worth[i] = share[i]
                reason[i] = R.CREDITED if share[i] == gross[i] else R.CAP_EXCEEDED
            elif i in alive and share[best] == 0:
                reason[i] = R.CAP_EXCEEDED
            else:
                reason[i] = R.DUPLICATE_COURSE
        # What each credited record counts towards, exactly; credits in proportion to the hours a cap left.
        for i in own:
            if worth[i] <= 0:
                continue
            for r in range(n_requirements):
                if not compiled.count_subject[p, r, ledger.subject[i]] or compiled.required[p, r] == NOT_APPLICABLE:
                    continue
                if not compiled.window_first[p, r] <= records.day[i] <= compiled.window_last[p, r]:
                    continue
                if not compiled.count_topic[p, r, ledger.topic[i]] or not compiled.count_kind[p, r, records.kind[i]]:
                    continue
                if compiled.requirement_unit[r] == "hours":
                    achieved[who, r] += worth[i]
                elif records.credits[i] >= 0:
                    achieved[who, r] += int(records.credits[i]) * int(worth[i]) // int(gross[i])
                elif compiled.hours_per_credit[p, r] > 0:
                    achieved[who, r] += worth[i] * 100 // compiled.hours_per_credit[p, r]
        # Limits, then sums of requirements, members first; each total rounded half up to hundredths once.
        limit = [a * (FINE // SCALE) if a >= 0 else a for a in compiled.at_most[p]]
        row = [min(a, limit[r]) if limit[r] >= 0 else a for r, a in enumerate(achieved[who])]
        for _ in range(n_requirements):
            for r in range(n_requirements):
                members = np.flatnonzero(compiled.sum_of[p, r])
                if len(members):
                    total = sum(row[q] for q in members)
                    row[r] = min(total, limit[r]) if limit[r] >= 0 else total
        achieved[who] = [int(Decimal(int(a)) / (FINE // SCALE) + Decimal("0.5")) for a in row]  # half up, a >= 0
    required = compiled.required[persons.profile]
    met = (required == NOT_APPLICABLE) | (achieved >= required)
    credited = np.array([int(Decimal(int(w)) / (FINE // SCALE) + Decimal("0.5")) for w in worth], dtype=np.int64)
    return {"reason": reason, "credited": credited, "achieved": achieved, "met": met, "compliant": met.all(axis=1)}


def _outside_every_window(compiled: CompiledPolicies, year: int, p: int, s: int, day: int) -> int | None:
    """A record's reason when its day is in no window of the requirements its subject counts towards
    (the evaluated year when there are none): out_of_year when they span just that year."""
    windows = [
        (compiled.window_first[p, r], compiled.window_last[p, r])
        for r in range(len(compiled.requirement_ids))
        if compiled.required[p, r] != NOT_APPLICABLE and compiled.count_subject[p, r, s] and not compiled.sum_of[p, r].any()
    ] or [(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal())]
    if any(first <= day <= last for first, last in windows):
        return None
    spanned = (min(first for first, _ in windows), max(last for _, last in windows))
    return R.OUT_OF_YEAR if spanned == (dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()) else R.OUT_OF_WINDOW


def _after_cap(
    eligible: list[int], alive: set[int], under: tuple[set[int], set[int]], caps: list[int], gross: np.ndarray, day: np.ndarray,
    course: dict[int, Any],
) -> dict[int, int]:  # fmt: skip
    """Each day's caps in completion order (`eligible` is in it): a record's share is the least of its
    hours and what each cap over it leaves, figured without the claims of its own course's other
    records; a record claims of each cap its hours as the other cap leaves them."""
    share, claim = {}, ({}, {})
    for k, i in enumerate(eligible):
        left = [None, None]
        for c in (0, 1):
            if i in under[c]:
                earlier = sum(
                    claim[c][j]
                    for j in eligible[:k]
                    if j in alive and j in under[c] and day[j] == day[i] and (course[i] is None or course[j] != course[i])
                )
                left[c] = caps[c] - earlier
        share[i] = max(min([gross[i], *(room for room in left if room is not None)]), 0)
        for c in (0, 1):
            other = left[1 - c]
            claim[c][i] = gross[i] if other is None else max(min(gross[i], other), 0)
    return share


def columns(rules: cerules.RuleSet, people: list[dict[str, Any]], records: list[dict[str, Any]]) -> tuple[Any, Any]:
    persons, _ = normalise_persons(table_from_rows(people))
    return persons, normalise_records(table_from_rows(records), rules)


def assert_agrees(ledger: Ledger) -> None:
    expected = decide_plainly(ledger)
    expected["required"] = ledger.compiled.required[ledger.persons.profile]
    for name, values in expected.items():
        np.testing.assert_array_equal(getattr(ledger, name), values, err_msg=name)


def with_kinds_and_credits(records: list[dict[str, Any]], draw: st.DrawFn) -> list[dict[str, Any]]:
    for record in records:
        record["kind"] = draw(st.sampled_from([None, None, "cme-1", "cme-2"]))
        record["credits"] = draw(st.sampled_from([None, None, "1", "2.5"]))
        record["source"] = record["source"] or draw(st.sampled_from([None, None, "declared"]))
    return records


@SETTINGS
@given(cohorts(max_records=30), st.data())
def test_the_kernel_decides_as_the_plain_statement_of_the_rules(rules_with_plugins, cohort, data):
    people, records = cohort
    for person in people:
        person["title_series"] = data.draw(st.sampled_from([person["title_series"], "卫生"]))
    persons, typed = columns(rules_with_plugins, people, with_kinds_and_credits(records, data.draw))
    assert_agrees(evaluate_columns(rules_with_plugins, persons, typed))


@SETTINGS
@given(cohorts(max_records=30), st.randoms(use_true_random=False), st.data())
def test_records_grouped_by_person_or_scattered_are_decided_alike(rules_with_plugins, cohort, shuffle, data):
    people, records = cohort
    records = with_kinds_and_credits(records, data.draw)
    grouped = sorted(records, key=lambda r: r["person_id"])  # read in place by the kernel
    scattered = grouped[:]
    shuffle.shuffle(scattered)  # gathered person by person first
    outcomes = []
    for order in (grouped, scattered):
        persons, typed = columns(rules_with_plugins, people, order)
        ledger = evaluate_columns(rules_with_plugins, persons, typed)
        assert_agrees(ledger)
        by_id = {typed.record_id_at(i): (ledger.reason[i], ledger.credited[i]) for i in range(len(typed))}
        outcomes.append((by_id, ledger.achieved.tolist()))
    assert outcomes[0] == outcomes[1]


@SETTINGS
@given(cohorts(max_records=30), st.data())
def test_summing_hours_per_subject_is_only_a_shortcut(rules_with_plugins, cohort, data):
    people, records = cohort
    persons, typed = columns(rules_with_plugins, people, with_kinds_and_credits(records, data.draw))
    shortcut = evaluate_columns(rules_with_plugins, persons, typed)
    with pytest.MonkeyPatch.context() as patch:
        plain = compiling._plain
        patch.setattr(compiling, "_plain", lambda *args: (np.zeros_like(plain(*args)[0]), plain(*args)[1]))
        record_by_record = evaluate_columns(rules_with_plugins, persons, typed)
    assert not record_by_record.compiled.plain.any()
    for name in ("reason", "credited", "achieved", "met", "compliant"):
        np.testing.assert_array_equal(getattr(shortcut, name), getattr(record_by_record, name), err_msg=name)


def test_person_spans_tell_whether_each_persons_records_are_together():
    start, stop, count, grouped, strays = person_spans(np.array([0, 0, -1, 0, 2, 2, -1]), 3)
    assert grouped
    assert (start.tolist(), stop.tolist(), count.tolist(), strays.tolist()) == ([0, 0, 4], [4, 0, 6], [3, 0, 2], [2, 6])
    *_, grouped, _ = person_spans(np.array([0, 1, 0]), 2)
    assert not grouped


def test_grouping_by_person_keeps_input_order_within_each_person():
    person = np.array([1, 0, -1, 1, 0, 2, 1])
    order, start, stop = group_by_person(person, 3)
    assert [order[start[p] : stop[p]].tolist() for p in range(3)] == [[1, 4], [0, 3, 6], [5]]


def test_input_grouped_by_person_is_read_in_place_and_scattered_input_is_gathered():
    profile = np.zeros(3, dtype=np.int32)
    in_place = group_persons(np.array([0, 0, -1, 0, 2, 2, -1]), profile)
    assert len(in_place.order) == 0
    assert in_place.clean.tolist() == [False, True, True]  # person 0's span holds a record of no person
    assert in_place.strays.tolist() == [2, 6]
    gathered = group_persons(np.array([1, 0, -1, 1]), profile)
    assert [gathered.order[gathered.start[p] : gathered.stop[p]].tolist() for p in range(3)] == [[1], [0, 3], []]


def test_requirement_bits_beyond_the_first_word_are_kept():
    n_requirements = 70
    count_topic = np.ones((1, n_requirements, 2), dtype=bool)
    count_kind = np.ones((1, n_requirements, 1), dtype=bool)
    count_subject = np.array([[[r % 2 == 0, r % 2 == 1] for r in range(n_requirements)]])
    words = compiling._counts_towards(count_subject, count_topic, count_kind)
    assert words.shape == (1, 2, 2, 1, 2)
    bits = [r for r in range(n_requirements) if words[0, 1, 0, 0, r // 64] >> np.uint64(r % 64) & np.uint64(1)]
    assert bits == [r for r in range(n_requirements) if r % 2 == 1]


def test_a_large_cohort_agrees_with_the_plain_statement(rules_with_plugins):
    """Many people, so that both cores share the work and each keeps its own note of courses."""
    draw = random.Random(7)
    people = [{"person_id": f"p{i}", "city": draw.choice(["370200", "370800", "370100"]),
               "unit_level": "city", "title_series": draw.choice(["卫生", "工程", None])} for i in range(400)]  # fmt: skip
    day = dt.date(2023, 1, 1)
    records = [
        {
            "record_id": f"r{k}",
            "person_id": f"p{draw.randrange(400)}" if k % 50 else "ghost",
            "subject": draw.choice(["public", "professional"]),
            "hours": draw.choice(["1", "2.5", "4", "8"]),
            "completed_at": (day + dt.timedelta(days=draw.randrange(380))).isoformat(),
            "platform": draw.choice([None, "sdou", "qdjxjy"]),
            "topic": draw.choice([None, "ethics"]),
            "course_id": f"C{draw.randrange(30)}",
            "source": draw.choice([None] * 5 + ["declared"]),
            "kind": draw.choice([None, None, "cme-1", "cme-2"]),
            "credits": draw.choice([None, None, "1"]),
        }
        for k in range(6000)
    ]
    persons, typed = columns(rules_with_plugins, people, records)
    ledger = evaluate_columns(rules_with_plugins, persons, typed)
    assert set(np.unique(ledger.reason)) >= {R.CREDITED, R.UNKNOWN_PERSON, R.DUPLICATE_COURSE, R.OUT_OF_YEAR}
    assert_agrees(ledger)


def test_a_requirement_that_is_a_sum_of_itself_is_refused():
    circular = layer_plugin(
        "cerules-circular",
        department_layer(
            "circular",
            "工程",
            '[professional.a]\nrequired = { value = 1, citation = "X" }\nsum_of = { value = ["professional.b"], citation = "X" }\n'
            '[professional.b]\nrequired = { value = 1, citation = "X" }\nsum_of = { value = ["professional.a"], citation = "X" }\n',
        ),
    )
    rules = cerules.load_rules(2023, plugins=[circular], strict=True)
    with pytest.raises(RulesError, match="circle"):
        cerules.evaluate(rules, [{"person_id": "p", "city": "370100", "unit_level": "city", "title_series": "工程"}], [])
