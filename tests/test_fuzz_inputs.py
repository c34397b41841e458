"""Fuzzing the library with hostile input files and rows: it refuses a file only with a CeruleError,
and otherwise accounts for every input record exactly once.

The files are what real exports and attackers send (see `tests/hostile.py`): valid rows mixed with
cells of huge or odd numbers, dates outside any calendar the engine keeps, control characters,
formulas, quotes, BOMs and encodings, ragged and comma-only rows, JSON of the wrong shape, Arrow
columns of extreme values. A failure prints the smallest file hypothesis found.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.errors import CeruleError
from cerules.evaluation.batch import evaluate_batch
from cerules.evaluation.cohort import read_inputs
from cerules.rules.shipped import CITIES
from tests.hostile import FUZZ, NUMBERS, Expected, arrow_cohorts, check_document, csv_bytes, csv_cohorts, jsonl_cohorts, provincial
from tests.hostile_rules import SMALL_PERSONS


def evaluate_files(persons: Path, records: Path) -> dict[str, Any] | None:
    """The document of an evaluation of two files, or None when the library refused them with a CeruleError."""
    try:
        evaluation = cerules.evaluate_files(provincial(), persons, records)
    except CeruleError:
        return None
    return evaluation.to_document("en")


def _write(folder: str, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path


@FUZZ
@given(csv_cohorts())
def test_a_hostile_csv_file_is_refused_with_an_input_error_or_every_record_comes_out_once(cohort):
    persons, records, expected = cohort.persons, cohort.records, cohort.expected
    with tempfile.TemporaryDirectory() as folder:
        document = evaluate_files(_write(folder, "persons.csv", persons), _write(folder, "records.csv", records))
    if document is not None:
        check_document(document, expected)


@FUZZ
@given(jsonl_cohorts())
def test_a_hostile_json_lines_file_is_refused_with_an_input_error_or_every_record_comes_out_once(cohort):
    persons, records, expected = cohort.persons, cohort.records, cohort.expected
    with tempfile.TemporaryDirectory() as folder:
        document = evaluate_files(_write(folder, "persons.jsonl", persons), _write(folder, "records.jsonl", records))
    if document is not None:
        check_document(document, expected)


@FUZZ
@given(arrow_cohorts())
def test_a_hostile_parquet_file_is_refused_with_an_input_error_or_every_record_comes_out_once(cohort):
    persons, records, expected = cohort.persons, cohort.records, cohort.expected
    with tempfile.TemporaryDirectory() as folder:
        pq.write_table(persons, Path(folder) / "persons.parquet")
        pq.write_table(records, Path(folder) / "records.parquet")
        document = evaluate_files(Path(folder) / "persons.parquet", Path(folder) / "records.parquet")
    if document is not None:
        check_document(document, expected)


@FUZZ
@given(arrow_cohorts())
def test_hostile_arrow_tables_and_dataframes_in_memory_are_evaluated_or_refused_with_a_cerule_error(cohort):
    persons, records, expected = cohort.persons, cohort.records, cohort.expected
    given = [(persons, records)]
    try:
        given.append((persons.to_pylist(), records.to_pylist()))
    except (ValueError, OverflowError):  # an instant Python's datetime cannot hold: no rows of Python values then
        pass
    for given_persons, given_records in given:
        try:
            document = cerules.evaluate(provincial(), given_persons, given_records).to_document("zh")
        except CeruleError:
            continue
        check_document(document, expected)


PYTHON_VALUES = [None, float("nan"), float("inf"), -0.0, 1e300, 10**30, 2**63, True, b"2", [], {}, "", " ", "nan", "NaN"]
"""What pandas and dict rows hold besides text: NaN for a blank cell, numbers of any size, bytes, containers."""


@FUZZ
@given(st.data())
def test_rows_of_python_values_treat_nan_and_none_as_blank_and_raise_only_cerule_errors(data):
    values = st.sampled_from(PYTHON_VALUES) | st.sampled_from(NUMBERS) | st.floats() | st.integers()
    rows = []
    for index in range(data.draw(st.integers(1, 8))):
        row: dict[str, Any] = {
            "record_id": data.draw(st.sampled_from([f"r{index}", f"r{index}", None, float("nan")])),
            "person_id": data.draw(st.sampled_from(["a", "b", "c", None, float("nan")])),
            "subject": data.draw(st.sampled_from(["public", "professional", None, float("nan")])),
            "hours": data.draw(values),
            "completed_at": data.draw(st.sampled_from(["2023-05-01", None, float("nan")]) | values),
        }
        for column in data.draw(
            st.lists(st.sampled_from(["platform", "topic", "credits", "kind", "approved", "quality_course"]), max_size=3)
        ):
            row[column] = data.draw(values)
        rows.append(row)
    blank = [all(v is None or v != v or (isinstance(v, str) and not v.strip()) for v in row.values()) for row in rows]
    ids = [r["record_id"] if isinstance(r["record_id"], str) else None for r, b in zip(rows, blank, strict=True) if not b]
    expected = Expected(Counter(ids), blank=sum(blank))
    try:
        document = cerules.evaluate(provincial(), SMALL_PERSONS, rows).to_document("en")
    except CeruleError:
        return
    check_document(document, expected)


@FUZZ
@given(csv_cohorts())
def test_the_batch_path_accounts_for_every_record_of_a_hostile_file_even_when_no_person_is_usable(cohort):
    persons, records, expected = cohort.persons, cohort.records, cohort.expected
    with tempfile.TemporaryDirectory() as folder:
        try:
            tables = read_inputs(_write(folder, "persons.csv", persons), _write(folder, "records.csv", records))
            result = evaluate_batch(provincial(), *tables, chunk_records=3)
        except CeruleError:
            return
    expected.check(result.records_table().column("record_id").to_pylist())
    assert len(result.person_id) == result.people_table().num_rows


def test_an_arrow_table_with_every_extreme_at_once_is_evaluated(rules):
    """The cells that crashed the engine before, in one table: each is an invalid record, none a crash."""
    hours = [1e300, 1.7976931348623157e308, float("nan"), float("inf"), 5e-324, -0.0, 2.0]
    n = len(hours)
    records = pa.table(
        {
            "record_id": [f"x{i}" for i in range(n)],
            "person_id": ["a"] * n,
            "subject": ["public"] * n,
            "hours": pa.array(hours),
            "credits": pa.array([2**63 - 1, -(2**63), 2**62, 0, 1, 2, 3], pa.int64()),
            "completed_at": pa.array([-62135596800, 253402300799, 0, 1685584800, 10**11, -(10**11), 1685584800], pa.int64()).cast(
                pa.timestamp("s", tz="America/New_York")
            ),
        }
    )
    document = cerules.evaluate(rules, SMALL_PERSONS, records).to_document("en")
    check_document(document, Expected(Counter(f"x{i}" for i in range(n))))


HUGE_AMOUNTS = ["9e15", "92233720368547758.07", "46116860184273879.04", "999999999999", "1e14", "9" * 16, "4e16"]
"""Amounts each of which fits in hundredths, but whose sums do not (int64 ends at 92233720368547758.07)."""


@FUZZ
@given(
    st.sampled_from(HUGE_AMOUNTS),
    st.integers(1, 40),
    st.sampled_from(["public", "professional"]),
    st.sampled_from([{}, {"source": "declared"}, {"role": "teacher", "quality_course": "true"}, {"kind": "cme-1"}]),
    st.sampled_from(["hours", "credits"]),
)
def test_many_records_of_the_largest_amounts_never_overflow_a_total(amount, count, subject, more, column):
    records = [
        {"record_id": f"h{i}", "person_id": "a", "subject": subject, "hours": "1", "completed_at": f"2023-03-{1 + i % 28:02d}", **more}
        for i in range(count)
    ]
    for record in records:
        record[column] = amount
    for rules in (provincial(), cerules.load_rules(2023, plugins=["health"])):
        try:
            document = cerules.evaluate(rules, SMALL_PERSONS, records).to_document("en")
        except CeruleError:
            continue
        check_document(document, Expected(Counter(r["record_id"] for r in records)))


def test_the_batch_path_lists_every_record_when_no_person_is_usable(tmp_path):
    persons = _write(
        str(tmp_path), "persons.csv", csv_bytes(["person_id", "city", "unit_level"], [["p1", "北京", "city"], ["", "370200", "city"]])
    )
    records = _write(
        str(tmp_path),
        "records.csv",
        csv_bytes(
            ["record_id", "person_id", "subject", "hours", "completed_at"],
            [["r1", "p1", "public", "2", "2023-05-01"], ["r2", "p9", "public", "2", "2023-05-01"]],
        ),
    )
    result = evaluate_batch(provincial(), *read_inputs(persons, records))
    assert result.records_table().column("record_id").to_pylist() == ["r1", "r2"]
    assert len(result.person_id) == 0


def _verdicts(document: dict[str, Any]) -> dict[str, Any]:
    """What a cohort's document decides, without the words: per person, the verdict, amounts and each record's fate."""
    return {
        person["person_id"]: (
            person["compliant"],
            [(r["id"], r["required"], r["credited"]) for r in person["requirements"]],
            sorted((r["record_id"], r["status"], r["credited_hours"], r["reason"]) for r in person["records"]),
        )
        for person in document["people"]
    }


CITY_FORMS = [
    lambda code, name: code,
    lambda code, name: name,
    lambda code, name: name.removesuffix("市"),
    lambda code, name: f"山东省{name}",
    lambda code, name: f"{code[:4]}02",
    lambda code, name: f"{code}.0",
    lambda code, name: code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
]
"""A city as exports write it: code, name with or without 市, with the province, a district code, a spreadsheet number, full-width."""
DATE_FORMS = [
    lambda moment: moment.isoformat(timespec="minutes"),
    lambda moment: f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}",
    lambda moment: f"{moment.year}-{moment.month}-{moment.day} {moment.hour}:{moment.minute:02d}",
    lambda moment: f"{moment.year}/{moment.month:02d}/{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:00",
]
"""A local date-time as exports write it: ISO 8601, and the spreadsheet forms without zero padding."""


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.datetimes(dt.datetime(2022, 12, 31, 12), dt.datetime(2024, 1, 1, 12)).map(
                lambda moment: moment.replace(second=0, microsecond=0)
            ),
            st.sampled_from(["0.5", "1", "2.25", "4", "6", "8", "30", "60"]),
            st.sampled_from(["public", "professional"]),
            st.sampled_from([{}, {"source": "declared"}, {"platform": "sdou"}, {"platform": "qdjxjy"}, {"course_id": "C1"}]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(sorted(CITIES)),
    st.sampled_from(["province", "city"]),
    st.integers(1, len(CITY_FORMS) - 1),
    st.integers(1, len(DATE_FORMS) - 1),
)
def test_a_cohort_reads_the_same_whichever_way_an_export_writes_its_cities_and_dates(records, code, level, city_form, date_form):
    """No silent wrong answer: an export's way of writing a city or a date never changes a verdict."""
    name = CITIES[code].zh

    def cohort(city: str, when: Any) -> dict[str, Any]:
        persons = [{"person_id": "a", "city": city, "unit_level": level}]
        rows = [
            {"record_id": f"r{i}", "person_id": "a", "subject": subject, "hours": hours, "completed_at": when(moment), **more}
            for i, (moment, hours, subject, more) in enumerate(records)
        ]
        return _verdicts(cerules.evaluate(provincial(), persons, rows).to_document("en"))

    assert cohort(CITY_FORMS[city_form](code, name), DATE_FORMS[date_form]) == cohort(code, DATE_FORMS[0])
