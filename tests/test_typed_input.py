"""Typed columns are read as they are, with exactly the verdicts of their text.

A Parquet file, Arrow table or DataFrame may give hours as numbers, completion as timestamps or
dates, yes/no as booleans and words dictionary-encoded. The engine reads them without a round
trip through text (`cerules.inputs.typed`); what it decides must be what it decides when the same
columns are read as text, the way every file was read before.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cerules.evaluation.batch import evaluate_batch
from cerules.evaluation.cohort import evaluate
from cerules.inputs.parquet_file import read_parquet, table_from_arrow
from cerules.inputs.reading import read_bytes, read_table
from cerules.inputs.typed import read_amounts, read_instants

from .conftest import EXAMPLES

PERSONS = [
    {"person_id": "P1", "city": "370100", "unit_level": "city"},
    {"person_id": "P2", "city": "370200", "unit_level": "province"},
    {"person_id": "P3", "city": "370800", "unit_level": "city"},
]
SHANGHAI = "Asia/Shanghai"


def _both(rules: Any, records: pa.Table, persons: Any = PERSONS) -> tuple[Any, Any]:
    """The evaluation of the records read typed, and read as text."""
    typed = evaluate(rules, persons, table_from_arrow(records, "<records>"))
    text = evaluate(rules, persons, table_from_arrow(records, "<records>", typed=False))
    return typed, text


def _same(typed: Any, text: Any) -> None:
    assert typed.to_document("en") == text.to_document("en")
    assert typed.to_document("zh") == text.to_document("zh")
    np.testing.assert_array_equal(typed.ledger.reason, text.ledger.reason)
    np.testing.assert_array_equal(typed.ledger.credited, text.ledger.credited)


# -- what a typed column may hold ---------------------------------------------------------------

amounts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.decimals(min_value=-5, max_value=20_000, places=4, allow_nan=False).map(float),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.5, 2.25, 3.0, 8.0, 0.0001, 0.00005, 0.00015, 0.1 + 0.2, 1e-7, 9999.9999, 10000.0, 1e21]),
    st.none(),
)
whens = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.datetimes(min_value=dt.datetime(1985, 1, 1), max_value=dt.datetime(1993, 12, 31)),  # Shanghai's daylight saving
    st.datetimes(min_value=dt.datetime(2022, 12, 30), max_value=dt.datetime(2024, 1, 2)),
    st.none(),
)
words = {
    "subject": ["public", "professional", " public ", "公需科目", "PUBLIC", "", "other"],
    "platform": ["sdou", "xkyx", "jnjxjy", " qdjxjy", "", "elsewhere", "山东省专业技术人员继续教育公共服务平台"],
    "mode": ["online", "offline", "线上", "", "sometimes"],
    "topic": ["ethics", "digital", "网络安全", "", " ethics "],
    "course_id": ["C1", "C2", " C1", "JNJX-2023-0434", ""],
}


@st.composite
def typed_records(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(1, 24))
    unit = draw(st.sampled_from(["s", "ms", "us", "ns"]))
    zone = draw(st.sampled_from([None, SHANGHAI, "UTC", "+09:00", "-05:30"]))
    moments = [draw(whens) for _ in range(n)]
    if unit == "ns":  # nanoseconds reach 1677-2262 only
        moments = [m if m is None or 1700 < m.year < 2260 else None for m in moments]
    fraction = draw(st.sampled_from([0, 1, 999_999]))
    stamps = pa.array([m.replace(microsecond=fraction) if m is not None else None for m in moments], pa.timestamp("us"))
    if zone is not None:
        stamps = pc.assume_timezone(stamps, zone, ambiguous="earliest", nonexistent="earliest")
    completed = stamps.cast(pa.timestamp(unit, tz=zone), safe=False)
    if draw(st.booleans()):  # or the day alone
        completed = pa.array([m.date() if m is not None else None for m in moments], pa.date32())
    hour_kind = draw(st.sampled_from(["float64", "float32", "decimal", "int32"]))
    hours = [draw(amounts) for _ in range(n)]
    if hour_kind == "float32":
        hour_array = pa.array(hours, pa.float64()).cast(pa.float32(), safe=False)
    elif hour_kind == "decimal":
        hour_array = pa.array([decimal.Decimal(f"{h:.3f}") if h is not None and np.isfinite(h) and abs(h) < 1e9 else None for h in hours])
        hour_array = hour_array.cast(pa.decimal128(14, 3))
    elif hour_kind == "int32":
        hour_array = pa.array([int(h) if h is not None and np.isfinite(h) and abs(h) < 2**31 else None for h in hours], pa.int32())
    else:
        hour_array = pa.array(hours, pa.float64(), from_pandas=False)
    columns: dict[str, Any] = {
        "record_id": pa.array([f"R{draw(st.integers(0, n + 2))}" for _ in range(n)]),  # repeats too
        "person_id": pa.array([draw(st.sampled_from(["P1", "P2", "P3", "P9", None])) for _ in range(n)]),
        "hours": hour_array,
        "completed_at": completed,
        "quality_course": pa.array([draw(st.sampled_from([True, False, None])) for _ in range(n)], pa.bool_()),
        "approved": pa.array([draw(st.sampled_from([True, False, None])) for _ in range(n)], pa.bool_()),
    }
    for name, choices in words.items():
        cells = [draw(st.sampled_from([*choices, None])) for _ in range(n)]
        columns[name] = pa.array(cells, pa.string()).dictionary_encode() if draw(st.booleans()) else pa.array(cells, pa.string())
    if draw(st.booleans()):
        columns["credits"] = pa.array([draw(amounts) for _ in range(n)], pa.float64())
    return pa.table(columns)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(records=typed_records())
def test_typed_columns_give_the_verdicts_of_their_text(rules: Any, records: pa.Table) -> None:
    """Every document (people, records, messages, data quality) is the same, typed or as text."""
    _same(*_both(rules, records))


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(records=typed_records())
def test_a_typed_parquet_file_gives_the_verdicts_of_its_text(rules: Any, records: pa.Table) -> None:
    sink = io.BytesIO()
    pq.write_table(records, sink)
    data = sink.getvalue()
    typed = evaluate(rules, PERSONS, read_bytes("records.parquet", data))
    text = evaluate(rules, PERSONS, read_parquet("records.parquet", (), data, typed=False))
    _same(typed, text)


# -- examples ---------------------------------------------------------------------------------


def test_numbers_are_read_as_their_text_is(rules: Any) -> None:
    """Hours as numbers mean what their text means, refusals and their words included."""
    column = pa.array([8.0, 1.5, 0.0001, 0.00005, 0.1 + 0.2, -1.0, 0.0, float("inf"), 20000.0, None])
    typed = read_amounts(column, maximum=10_000 * 100, scale=10_000)
    text = read_amounts(
        pa.array(["8", "1.5", "0.0001", "0.00005", "0.30000000000000004", "-1", "0", "inf", "20000", None]), maximum=10**6, scale=10**4
    )
    np.testing.assert_array_equal(typed[0], text[0])
    np.testing.assert_array_equal(typed[1], text[1])
    assert {row: str(error) for row, error in typed[2].items()} == {row: str(error) for row, error in text[2].items()}
    assert typed[0][:2].tolist() == [80_000, 15_000]


def test_instants_are_read_in_shanghai_whatever_their_zone() -> None:
    """A zoned timestamp is the instant it names; a timestamp without a zone or a date is Shanghai's wall time."""
    utc = pa.array([dt.datetime(2023, 12, 31, 16, 30)], pa.timestamp("ms", tz="UTC"))  # 2024-01-01 00:30 in Shanghai
    micros, year, day, present, failures = read_instants(utc)
    assert year.tolist() == [2024] and day.tolist() == [dt.date(2024, 1, 1).toordinal()] and not failures
    wall = pa.array([dt.datetime(2023, 12, 31, 23, 30)], pa.timestamp("ns"))
    assert read_instants(wall)[1].tolist() == [2023]
    assert read_instants(pa.array([dt.date(2023, 5, 1)], pa.date32()))[0].tolist() == read_instants(pa.array(["2023-05-01"]))[0].tolist()
    summer_1988 = pa.array([dt.datetime(1988, 7, 1, 0, 30)], pa.timestamp("s"))  # daylight saving: +09:00 then
    assert read_instants(summer_1988)[0].tolist() == read_instants(pa.array(["1988-07-01T00:30:00"]))[0].tolist()


WORDS = ("subject", "platform", "mode", "topic", "course_id", "role", "source", "kind")
FLAGS = {"true": True, "false": False, None: None}


def _example_text() -> pa.Table:
    """The example records as text, without the few whose cells no typed column could hold (`2023-13-45`, `abc` hours)."""
    names = pacsv.read_csv(EXAMPLES / "records.csv").column_names
    text = pacsv.read_csv(
        EXAMPLES / "records.csv",
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True),
    )
    keep = [row for row, cells in enumerate(text.to_pylist()) if _typeable(cells)]
    return text.take(pa.array(keep))


def _typeable(cells: dict[str, Any]) -> bool:
    try:
        for name in ("hours", "credits"):
            if cells[name] is not None:
                float(cells[name])
        if cells["completed_at"] is not None:
            _shanghai(cells["completed_at"])
    except ValueError:
        return False
    return cells["quality_course"] in FLAGS and cells["approved"] in FLAGS


def _typed(text: pa.Table) -> pa.Table:
    """Records as a database would export them: numbers, timestamps, booleans, dictionary words."""
    moments = [None if cell is None else _shanghai(cell) for cell in text.column("completed_at").to_pylist()]
    return pa.table(
        {
            **{name: text.column(name) for name in ("record_id", "person_id")},
            **{name: pc.dictionary_encode(text.column(name)) for name in WORDS},
            "hours": pc.cast(text.column("hours"), pa.float64()),
            "credits": pc.cast(text.column("credits"), pa.float64()),
            "completed_at": pa.array(moments, pa.timestamp("us", tz=SHANGHAI)),
            "quality_course": pa.array([FLAGS[cell] for cell in text.column("quality_course").to_pylist()], pa.bool_()),
            "approved": pa.array([FLAGS[cell] for cell in text.column("approved").to_pylist()], pa.bool_()),
        }
    )


def _typed_examples() -> pa.Table:
    return _typed(_example_text())


def _shanghai(cell: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(cell)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _as_csv(text: pa.Table, path: Path) -> Path:
    pacsv.write_csv(text, path)
    return path


def test_the_example_cohort_typed_gives_the_csv_verdicts(rules: Any, tmp_path: Path) -> None:
    """An independent route: the example records exported typed to Parquet decide as their CSV does."""
    text = _example_text()
    assert len(text) > 600
    path = tmp_path / "records.parquet"
    pq.write_table(_typed(text), path)
    read = read_table(path, columns=None)
    assert pa.types.is_floating(read.columns["hours"].type)
    assert pa.types.is_timestamp(read.columns["completed_at"].type)
    assert pa.types.is_dictionary(read.columns["subject"].type)
    typed = evaluate(rules, EXAMPLES / "persons.csv", path)
    csv = evaluate(rules, EXAMPLES / "persons.csv", _as_csv(text, tmp_path / "records.csv"))
    assert typed.summary() == csv.summary()
    assert [person.to_dict("en")["requirements"] for person in typed] == [person.to_dict("en")["requirements"] for person in csv]
    typed_records_ = {entry["record_id"]: entry for person in typed for entry in person.to_dict("en")["records"]}
    csv_records = {entry["record_id"]: entry for person in csv for entry in person.to_dict("en")["records"]}
    assert typed_records_ == csv_records


def test_only_the_columns_the_engine_reads_are_read(tmp_path: Path) -> None:
    records = _typed_examples()
    records = records.append_column("notes", pa.array(["x" * 50] * len(records)))
    path = tmp_path / "records.parquet"
    pq.write_table(records, path)
    assert "notes" not in evaluate_batch_columns(path)
    assert "notes" in read_table(path).columns


def evaluate_batch_columns(path: Path) -> list[str]:
    from cerules.evaluation.cohort import input_tables

    _, table = input_tables(EXAMPLES / "persons.csv", path)
    return list(table.columns)


def test_a_typed_cohort_in_chunks_gives_the_whole_cohort_verdicts(rules: Any, tmp_path: Path) -> None:
    """Chunks of a typed input (taken row by row from typed and dictionary columns) decide as the whole does."""
    path = tmp_path / "records.parquet"
    pq.write_table(_typed_examples(), path)
    whole = evaluate(rules, EXAMPLES / "persons.csv", path)
    chunked = evaluate_batch(rules, EXAMPLES / "persons.csv", path, chunk_records=37)
    np.testing.assert_array_equal(chunked.reason, whole.ledger.reason)
    np.testing.assert_array_equal(chunked.credited, whole.ledger.credited)
    assert chunked.summary() == whole.summary()


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_dataframes_with_typed_columns_are_read_typed(rules: Any, kind: str, tmp_path: Path) -> None:
    text = _example_text()
    records = _typed(text)
    frame = records.to_pandas() if kind == "pandas" else pytest.importorskip("polars").from_arrow(records)
    typed = evaluate(rules, EXAMPLES / "persons.csv", frame)
    csv = evaluate(rules, EXAMPLES / "persons.csv", _as_csv(text, tmp_path / "records.csv"))
    assert typed.summary() == csv.summary()
    np.testing.assert_array_equal(typed.ledger.credited, csv.ledger.credited)
