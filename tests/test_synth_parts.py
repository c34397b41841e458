"""`cerules synth --parts N` (Parquet datasets of part files) and `--typed` (typed columns)."""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cerules.cli.main import main
from cerules.inputs.synth import generate, typed

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cohort():
    return generate(300, seed=5)


def test_parts_hold_the_single_files_rows_in_order(cohort, tmp_path):
    persons, records = cohort.write(tmp_path, parts=4)
    assert sorted(p.name for p in records.iterdir()) == [f"part-{i:05d}.parquet" for i in range(4)]
    assert sorted(p.name for p in persons.iterdir()) == [f"part-{i:05d}.parquet" for i in range(4)]
    for table, folder in ((cohort.records, records), (cohort.persons, persons)):
        pieces = [pq.read_table(path) for path in sorted(folder.iterdir())]
        assert all(piece.num_rows > 0 for piece in pieces)
        assert pa.concat_tables(pieces).equals(table)
        assert pq.read_table(folder).equals(table)  # a reader of the dataset sees one table


def test_more_parts_than_rows_gives_empty_parts_not_missing_ones(tmp_path):
    small = generate(2, seed=1)
    _, records = small.write(tmp_path, parts=small.records.num_rows + 3)
    assert len(list(records.iterdir())) == small.records.num_rows + 3
    assert pq.read_table(records).equals(small.records)


def test_the_command_writes_datasets_and_refuses_parts_with_csv(tmp_path, capsys):
    assert main(["synth", "--people", "50", "--parts", "3", "--out", str(tmp_path / "a")]) == 0
    assert len(list((tmp_path / "a" / "records").glob("part-*.parquet"))) == 3
    assert main(["synth", "--people", "50", "--parts", "3", "--format", "csv", "--out", str(tmp_path / "b")]) == 2
    assert "--parts 只适用于 Parquet" in capsys.readouterr().err
    assert main(["synth", "--people", "50", "--typed", "--format", "csv", "--out", str(tmp_path / "c")]) == 2
    assert main(["synth", "--people", "50", "--parts", "0", "--out", str(tmp_path / "d")]) == 2
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_typed_columns_have_the_types_of_a_database_export(cohort, tmp_path):
    assert main(["synth", "--people", "40", "--typed", "--parts", "2", "--out", str(tmp_path)]) == 0
    records = pq.read_table(tmp_path / "records").schema
    persons = pq.read_table(tmp_path / "persons").schema
    assert records.field("hours").type == pa.float64() and records.field("credits").type == pa.float64()
    assert records.field("completed_at").type == pa.timestamp("us", tz="Asia/Shanghai")
    assert records.field("quality_course").type == pa.bool_() and records.field("approved").type == pa.bool_()
    for name in ("subject", "platform", "mode", "topic", "course_id", "role", "source", "kind"):
        assert records.field(name).type == pa.dictionary(pa.int32(), pa.string()), name
    for name in ("city", "unit_level", "title_series", "industry"):
        assert persons.field(name).type == pa.dictionary(pa.int32(), pa.string()), name
    assert records.field("record_id").type == pa.string() and persons.field("person_id").type == pa.string()


NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _instant(text: str) -> dt.datetime | None:
    """An ISO instant as a person reads it: no offset is Shanghai time, a bare date its midnight."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def test_typed_values_equal_the_text_values_where_they_parse(cohort):
    text, converted = cohort.records, typed(cohort.records)
    for name in ("hours", "credits"):
        for before, after in zip(text.column(name).to_pylist(), converted.column(name).to_pylist(), strict=True):
            assert after == (float(before) if before is not None and NUMBER.fullmatch(before) else None), (before, after)
    instants = zip(text.column("completed_at").to_pylist(), converted.column("completed_at").to_pylist(), strict=True)
    seen_null = 0
    for before, after in instants:
        expected = _instant(before) if before is not None else None
        assert after == expected, (before, after)
        seen_null += after is None
    assert 0 < seen_null < text.num_rows  # the cohort's broken dates (2023-13-45) are null, the rest kept
    for name in ("quality_course", "approved"):
        words = text.column(name).to_pylist()
        flags = converted.column(name).to_pylist()
        assert flags == [None if w is None else w == "true" for w in words]
    for name in ("subject", "platform", "topic", "course_id"):
        assert converted.column(name).cast(pa.string()).to_pylist() == text.column(name).to_pylist()


@given(st.lists(st.one_of(st.none(), st.sampled_from(["1", "0", "TRUE", " false ", "yes", "真", "2"])), max_size=20))
def test_flags_are_true_false_1_0_else_null(words):
    converted = typed(pa.table({"approved": pa.array(words, pa.string())})).column("approved").to_pylist()
    meaning = {"1": True, "0": False, "true": True, "false": False}
    assert converted == [None if w is None else meaning.get(w.strip().lower()) for w in words]


AMOUNT_TEXTS = st.one_of(
    st.none(), st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True), st.sampled_from(["abc", "", "1e2", "nan"])
)


@given(st.lists(AMOUNT_TEXTS))
def test_amounts_are_numbers_or_null(texts):
    converted = typed(pa.table({"hours": pa.array(texts, pa.string())})).column("hours").to_pylist()
    for before, after in zip(texts, converted, strict=True):
        if before is not None and NUMBER.fullmatch(before.strip()):
            assert math.isclose(after, float(before))
        else:
            assert after is None
