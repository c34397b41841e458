"""The kernel decides the same whatever order records come in.

Records grouped by person are read where they lie; records in any other order (an export sorted
by completion time, say) are partitioned by blocks of people first and their outcomes put back
in input order (cerules/kernel/grouping.py). Blocks here are made a few records small, so that
even a small cohort is spread over many of them.
"""

from __future__ import annotations

import csv
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.inputs.normalise import normalise_persons, normalise_records, table_from_rows
from cerules.kernel import grouping
from cerules.kernel import reasons as R
from cerules.kernel.arrays import Records
from cerules.kernel.ledger import Ledger
from cerules.kernel.run import evaluate_columns
from tests.strategies import cohorts

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def evaluate_rows(rules: cerules.RuleSet, people: list[dict[str, Any]], records: list[dict[str, Any]]) -> Ledger:
    persons, _ = normalise_persons(table_from_rows(people))
    return evaluate_columns(rules, persons, normalise_records(table_from_rows(records), rules))


def outcomes(ledger: Ledger) -> tuple[dict[str, tuple[int, int]], dict[str, Any]]:
    """Each record's reason and credited hundredths by record id; each person's requirements."""
    records = ledger.records
    by_record = {records.record_id_at(i): (int(ledger.reason[i]), int(ledger.credited[i])) for i in range(len(records))}
    by_person = {
        name: getattr(ledger, name).tolist() for name in ("required", "achieved", "met", "compliant")
    }  # persons keep their order whatever the records' order
    return by_record, by_person


@SETTINGS
@given(cohorts(max_records=40), st.integers(0, 3), st.randoms(use_true_random=False))
def test_a_cohort_in_its_own_order_grouped_or_shuffled_is_decided_alike(rules, cohort, block_shift, shuffle):
    people, records = cohort
    grouped = sorted(records, key=lambda r: r["person_id"])  # read in place
    shuffled = records[:]
    shuffle.shuffle(shuffled)  # partitioned by blocks of people
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grouping, "BLOCK_SHIFT", block_shift)
        results = [outcomes(evaluate_rows(rules, people, order)) for order in (records, grouped, shuffled)]
    assert results[0] == results[1] == results[2]


def test_a_repeated_course_at_the_same_moment_goes_to_the_smaller_id_in_any_order(rules):
    people = [{"person_id": p, "city": "370100", "unit_level": "province", "title_series": None} for p in ("p0", "p1")]
    course = {"subject": "professional", "hours": "3", "completed_at": "2023-03-15T09:00:00", "course_id": "C1"}
    records = [
        {"record_id": "r-b", "person_id": "p0", **course},
        {"record_id": "r-x", "person_id": "p1", **course},  # p0's records are not together
        {"record_id": "r-a", "person_id": "p0", **course},
        {"record_id": "r-y", "person_id": "ghost", **course},
    ]
    by_record, _ = outcomes(evaluate_rows(rules, people, records))
    assert by_record["r-a"][0] == R.CREDITED
    assert by_record["r-b"] == (R.DUPLICATE_COURSE, 0)
    assert by_record["r-x"][0] == R.CREDITED
    assert by_record["r-y"] == (R.UNKNOWN_PERSON, 0)


def test_partitioning_keeps_each_persons_records_in_input_order_and_puts_records_of_no_person_last(monkeypatch):
    monkeypatch.setattr(grouping, "BLOCK_SHIFT", 1)  # blocks of people whose records begin in the same two
    person = np.array([2, 0, -1, 1, 0, 3, 2, -1, 1, 0])
    n = len(person)
    ids = [f"id{i}".encode() for i in range(n)]
    id_offsets = np.concatenate([[0], np.cumsum([len(b) for b in ids])]).astype(np.int32)
    records = Records(*(np.arange(n) for _ in Records._fields))._replace(
        person=person, id_data=np.frombuffer(b"".join(ids), dtype=np.uint8), id_offsets=id_offsets
    )
    profile = np.zeros(4, dtype=np.int32)
    count = np.bincount(person[person >= 0], minlength=4)
    moved, persons, destination = grouping.partition(records, profile, count)

    assert sorted(destination.tolist()) == list(range(n))
    assert moved.hours[destination].tolist() == list(range(n))  # every column moved alike
    assert moved.person.tolist() == person[np.argsort(destination)].tolist()
    each = [moved.hours[persons.order[persons.start[p] : persons.stop[p]]].tolist() for p in range(4)]
    assert each == [[1, 4, 9], [3, 8], [0, 6], [5]]
    assert moved.hours[persons.strays].tolist() == [2, 7]
    assert persons.strays.tolist() == [8, 9]
    blocks = [destination[person == p] for p in range(4)]  # a block's people lie together, blocks in people's order
    assert max(blocks[0]) < min(blocks[1]) and max(blocks[1]) < min(blocks[2]) and max(blocks[2]) < min(blocks[3])
    spans = moved.id_offsets
    assert [bytes(moved.id_data[spans[k, 0] : spans[k, 1]]) for k in destination] == ids  # ids named where they lie


def test_records_grouped_by_person_are_not_moved():
    person = np.array([1, 1, -1, 0, 0])
    start, stop, count, grouped, strays = grouping.person_spans(person, 2)
    assert grouped
    assert (start.tolist(), stop.tolist(), strays.tolist()) == ([3, 0], [5, 2], [2])
    assert not grouping.person_spans(np.array([1, 0, 1]), 2)[3]


@pytest.mark.parametrize("seed", range(3))
def test_the_example_cohort_in_any_order_is_decided_alike(rules, examples, seed):
    people = list(csv.DictReader((examples / "persons.csv").open(encoding="utf-8")))
    records = list(csv.DictReader((examples / "records.csv").open(encoding="utf-8")))
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grouping, "BLOCK_SHIFT", 4)
        assert outcomes(evaluate_rows(rules, people, records)) == outcomes(evaluate_rows(rules, people, shuffled))
