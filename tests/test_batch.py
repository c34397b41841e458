"""The batch view: a cohort in chunks gives exactly what the explain view gives, person by person."""

from __future__ import annotations

import gc
import io
import json
import types

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.base.errors import CeruleError
from cerules.evaluation.batch import ChunkedRun, evaluate_batch
from cerules.inputs.synth import generate
from cerules.render.csv import to_csv, write_csv_stream
from cerules.render.json import to_json, write_json_stream
from tests.plugin_helpers import city_layer, department_layer, layer_plugin
from tests.strategies import cohorts
from tests.test_windows import WINDOWED, cohorts_over_years, rules_with

PLUGINS = [
    layer_plugin("cerules-qingdao", city_layer("qingdao", "370200", '[public]\nplatforms = { value = ["qdjxjy"], citation = "QD" }\n')),
    layer_plugin("cerules-jining", city_layer("jining", "370800", '[public]\ndeadline = { value = "2023-06-30", citation = "JN" }\n')),
    layer_plugin(
        "cerules-health",
        department_layer(
            "health",
            "卫生",
            '[professional.cme]\nunit = "credits"\nrequired = { value = 5, citation = "CME" }\n'
            'count_kinds = { value = ["cme-1"], citation = "CME" }\nhours_per_credit = { value = 3, citation = "CME" }\n',
        ),
    ),
]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def rules_with_plugins() -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=PLUGINS, strict=True)


def json_stream(run: ChunkedRun) -> bytes:
    buffer = io.BytesIO()
    write_json_stream(run, buffer, "en", workers=2)
    return buffer.getvalue()


@SETTINGS
@given(cohorts(max_records=30), st.integers(min_value=1, max_value=8))
def test_batch_and_explain_agree_on_every_number_and_disposition(rules_with_plugins, cohort, chunk_records):
    people, records = cohort
    for record in records:
        record.setdefault("kind", "cme-1" if record["record_id"].endswith("3") else None)
    run = ChunkedRun(rules_with_plugins, people, records, chunk_records=chunk_records)
    assert len(run) >= 1
    document = json.loads(json_stream(run))
    explained = {}
    for person in people:
        own = [r for r in records if r["person_id"] == person["person_id"]]
        explained[person["person_id"]] = cerules.evaluate_person(rules_with_plugins, person, own).to_dict("en")
    assert {p["person_id"]: p for p in document["people"]} == explained


@SETTINGS
@given(cohorts_over_years(max_records=30), st.integers(min_value=1, max_value=8))
def test_batch_and_explain_agree_over_windows_and_several_years(cohort, chunk_records):
    people, records = cohort
    rules = rules_with(WINDOWED)
    document = json.loads(json_stream(ChunkedRun(rules, people, records, chunk_records=chunk_records)))
    explained = {}
    for person in people:
        own = [r for r in records if r["person_id"] == person["person_id"]]
        explained[person["person_id"]] = cerules.evaluate_person(rules, person, own).to_dict("en")
    assert {p["person_id"]: p for p in document["people"]} == explained


@SETTINGS
@given(cohorts(max_records=30), st.integers(min_value=1, max_value=8))
def test_streamed_documents_are_byte_for_byte_the_whole_ones(rules_with_plugins, cohort, chunk_records):
    people, records = cohort
    whole = cerules.evaluate(rules_with_plugins, people, records)
    run = ChunkedRun(rules_with_plugins, people, records, chunk_records=chunk_records)
    assert json_stream(run).decode("utf-8") == to_json(whole, "en")
    buffer = io.BytesIO()
    write_csv_stream(ChunkedRun(rules_with_plugins, people, records, chunk_records=chunk_records), buffer)
    assert buffer.getvalue().decode("utf-8") == to_csv(whole)


def test_batch_results_are_arrays_in_input_order():
    cohort = generate(300, seed=7)
    rules = cerules.load_rules(2023, plugins=PLUGINS)
    batch = evaluate_batch(rules, cohort.persons, cohort.records, chunk_records=500)
    whole = cerules.evaluate(rules, cohort.persons, cohort.records)
    assert batch.summary() == whole.summary()
    assert np.array_equal(batch.reason, whole.ledger.reason) and np.array_equal(batch.credited, whole.ledger.credited)
    assert np.array_equal(batch.compliant, whole.ledger.compliant)
    records = batch.records_table()
    assert records.num_rows == cohort.records.num_rows
    assert records.column("record_id").combine_chunks().equals(cohort.records.column("record_id").combine_chunks())
    people = batch.people_table()
    assert people.column("person_id").to_pylist() == list(whole.ledger.persons.person_id)


def test_arrow_and_dataframe_inputs_are_accepted():
    pandas = pytest.importorskip("pandas")
    cohort = generate(50, seed=3)
    rules = cerules.load_rules(2023, plugins=False)
    from_arrow = cerules.evaluate(rules, cohort.persons, cohort.records).to_document()
    from_pandas = cerules.evaluate(rules, cohort.persons.to_pandas(), cohort.records.to_pandas()).to_document()
    assert from_pandas == from_arrow
    people, records = evaluate_batch(rules, cohort.persons.to_pandas(), cohort.records.to_pandas()).to_pandas()
    assert isinstance(people, pandas.DataFrame) and len(records) == cohort.records.num_rows


def test_synthetic_cohorts_are_deterministic_for_a_seed_and_realistic():
    first, again, other = generate(2000, seed=11), generate(2000, seed=11), generate(2000, seed=12)
    assert first.records.equals(again.records) and first.persons.equals(again.persons)
    assert not first.records.equals(other.records)
    rules = cerules.load_rules(2023, plugins=False)
    evaluation = cerules.evaluate(rules, first.persons, first.records)
    counts = evaluation.reason_counts()
    assert {"out_of_year", "invalid_record", "unknown_person", "duplicate_course", "topic_not_accepted", "not_approved"} <= set(counts)
    assert 0.6 < evaluation.summary()["compliant"] / len(evaluation) < 0.98
    cities = set(pa.compute.unique(first.persons.column("city")).to_pylist())
    assert len({c for c in cities if c.isdigit()}) == 16


def test_the_synth_command_writes_a_cohort_that_evaluate_reads(tmp_path, capsys):
    from cerules.cli.main import main

    assert main(["synth", "--people", "40", "--seed", "5", "--format", "csv", "--out", str(tmp_path)]) == 0
    assert "40 persons" in capsys.readouterr().out
    code = main(
        [
            "evaluate",
            "--year",
            "2023",
            "--persons",
            str(tmp_path / "persons.csv"),
            "--records",
            str(tmp_path / "records.csv"),
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["summary"]["people"] == 40
    assert document["summary"]["records"] == sum(1 for _ in (tmp_path / "records.csv").open(encoding="utf-8")) - 1


def test_bad_values_leave_no_reference_cycles_holding_a_chunks_columns(rules):
    # Kept with their tracebacks, parse errors held their frames, and the columns in them, until
    # the cyclic collector ran: a whole province's run grew by tens of MB a chunk.
    people = [{"person_id": "p", "city": "370100", "unit_level": "city"}]
    records = [
        {"record_id": f"r{i}", "person_id": "p", "subject": "public", "hours": hours, "completed_at": when}
        for i, (hours, when) in enumerate([("1,5", "2023-03-01"), ("2", "March 2023"), ("一", "2023-13-01"), ("3", "2023-05-01")])
    ]
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        evaluation = cerules.evaluate(rules, people, records)
        del evaluation
        gc.collect()
        held = [type(o).__name__ for o in gc.garbage if isinstance(o, (types.FrameType, types.TracebackType, pa.Array))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert held == []


def test_evaluate_batch_reads_file_paths_as_evaluate_files_does(rules, examples):
    batch = evaluate_batch(rules, examples / "persons.csv", str(examples / "records.csv"), chunk_records=100)
    whole = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    assert batch.summary() == whole.summary()
    assert np.array_equal(batch.reason, whole.ledger.reason) and np.array_equal(batch.credited, whole.ledger.credited)
    assert batch.data_quality == whole.data_quality()


def test_evaluate_batch_refuses_a_persons_file_without_persons_as_evaluate_files_does(rules, tmp_path, examples):
    empty = tmp_path / "persons.csv"
    empty.write_text("person_id,city,unit_level\n", encoding="utf-8")
    with pytest.raises(CeruleError, match="no persons"):
        evaluate_batch(rules, empty, examples / "records.csv")


def test_with_no_usable_person_the_batch_is_empty_and_every_record_is_rejected(rules):
    people = [{"person_id": "p", "city": "上海", "unit_level": "city"}, {"person_id": "q", "city": "", "unit_level": "city"}]
    records = [
        {"record_id": f"r{i}", "person_id": pid, "subject": "public", "hours": "2", "completed_at": "2023-05-01"}
        for i, pid in enumerate(["p", "q", "nobody", "p"])
    ]
    batch = evaluate_batch(rules, people, records, chunk_records=1)
    assert batch.summary() == {"people": 0, "compliant": 0, "records": 4, "credited": 0, "rejected": 4}
    assert batch.records_table().column("reason").to_pylist() == ["invalid_person", "invalid_person", "unknown_person", "invalid_person"]
    assert batch.people_table().num_rows == 0 and len(batch.rejected_persons) == 2
    assert batch.data_quality.rejected_rows == 6


@SETTINGS
@given(cohorts(max_records=30), st.integers(min_value=1, max_value=8))
def test_the_data_quality_report_of_a_streamed_run_is_the_whole_ones(rules_with_plugins, cohort, chunk_records):
    people, records = cohort
    people = [*people, {"person_id": "bad", "city": "上海", "unit_level": None}]
    records = [*records, {"record_id": "of-bad", "person_id": "bad", "subject": "public", "hours": "1", "completed_at": "2023-05-01"}]
    whole = cerules.evaluate(rules_with_plugins, people, records)
    run = ChunkedRun(rules_with_plugins, people, records, chunk_records=chunk_records)
    document = json.loads(json_stream(run))
    assert document["data_quality"] == whole.to_document()["data_quality"] == run.data_quality().to_dict()
    assert run.data_quality() == whole.data_quality()
    assert whole.data_quality().rejected_records["invalid_person"] == 1
