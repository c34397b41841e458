"""A partitioned cohort on a Dask cluster gives the single-machine batch path's results, exactly.

One LocalCluster of two worker processes serves the whole module. Each case evaluates the same
rows twice — as one Parquet file by `evaluate_batch`, and as a dataset of part files (or dask
DataFrames) by `cerules.distributed` — and compares the people, every record's disposition, the
summary and the data-quality report.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")

from distributed import Client, LocalCluster  # noqa: E402

from cerules.cli.main import main  # noqa: E402
from cerules.distributed import DistributedUnavailable, evaluate_dataset  # noqa: E402
from cerules.evaluation.batch import BatchResult, evaluate_batch  # noqa: E402
from cerules.inputs.synth import generate, write_parts  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Client:
    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def text_table(path: Path) -> pa.Table:
    """A CSV file's cells as text, as a string-typed Parquet export holds them."""
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    return table.cast(pa.schema([(field.name, pa.string()) for field in table.schema]))


def as_files(folder: Path, persons: pa.Table, records: pa.Table, *, person_parts: int, record_parts: int) -> dict[str, Path]:
    """The same rows as one Parquet file each and as datasets of part files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"persons": folder / "persons.parquet", "records": folder / "records.parquet"}
    pq.write_table(persons, paths["persons"])
    pq.write_table(records, paths["records"])
    paths["persons_dataset"] = write_parts(persons, folder / "persons", person_parts)
    paths["records_dataset"] = write_parts(records, folder / "records", record_parts)
    return paths


def assert_same(out: Path, expected: BatchResult) -> None:
    """The dataset in `out` holds exactly the batch path's people and record dispositions."""
    people = pq.read_table(out / "people")
    want_people = expected.people_table()
    assert people.column_names == [*want_people.column_names, "line"]
    assert people.drop_columns(["line"]).sort_by("person_id").equals(want_people.sort_by("person_id"))
    records = pq.read_table(out / "records").sort_by("line")
    assert records.column("line").to_pylist() == list(range(1, len(expected.reason) + 1))
    assert records.select(expected.records_table().column_names).equals(expected.records_table())
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["summary"] == expected.summary()
    assert expected.data_quality is not None
    assert summary["data_quality"] == expected.data_quality.to_dict()
    assert summary["rules"]["sha256"] == expected.rules.sha256
    assert summary["rejected_persons"] == [entry.to_dict("zh") for entry in expected.rejected_persons]


def test_the_example_cohort_as_part_files_gives_the_batch_results(client, rules, examples, tmp_path):
    paths = as_files(tmp_path, text_table(examples / "persons.csv"), text_table(examples / "records.csv"), person_parts=3, record_parts=4)
    expected = evaluate_batch(rules, paths["persons"], paths["records"])
    result = evaluate_dataset(rules, paths["persons_dataset"], paths["records_dataset"], tmp_path / "out", client=client, partitions=3)
    assert_same(tmp_path / "out", expected)
    assert result.summary == expected.summary()
    assert sorted(p.name for p in (tmp_path / "out" / "people").iterdir()) == [f"part-{i:05d}.parquet" for i in range(3)]


def awkward_cohort(people: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """A synthetic cohort with what only the whole input can decide: record ids repeated across
    persons and partitions, records of unknown persons, and person rows rejected (a repeated
    person_id, an unknown city, a blank id)."""
    cohort = generate(people, seed=seed)
    persons, records = cohort.persons, cohort.records
    rng = np.random.default_rng(seed)
    ids = np.array(records.column("record_id").to_pylist(), dtype=object)
    later = rng.choice(np.arange(len(ids) // 2, len(ids)), size=40, replace=False)
    ids[later] = ids[rng.integers(0, len(ids) // 2, size=40)]  # repeats of earlier rows, mostly of other persons
    owners = np.array(records.column("person_id").to_pylist(), dtype=object)
    owners[rng.choice(len(owners), size=25, replace=False)] = "NOBODY-1"
    records = records.set_column(0, "record_id", pa.array(ids.tolist(), pa.string()))
    records = records.set_column(1, "person_id", pa.array(owners.tolist(), pa.string()))
    person_ids = persons.column("person_id").to_pylist()
    cities = persons.column("city").to_pylist()
    person_ids[people - 3] = person_ids[5]  # a repeated person_id: the later row is rejected, its records judged with the first
    cities[7] = "火星市"  # no such city: the row is rejected, its records are invalid_person
    person_ids[11] = None
    persons = persons.set_column(0, "person_id", pa.array(person_ids, pa.string()))
    persons = persons.set_column(1, "city", pa.array(cities, pa.string()))
    return persons, records


def test_repeats_unknown_and_rejected_persons_are_decided_as_on_one_machine(client, rules, tmp_path):
    persons, records = awkward_cohort(600, seed=14)
    paths = as_files(tmp_path, persons, records, person_parts=2, record_parts=5)
    expected = evaluate_batch(rules, paths["persons"], paths["records"], chunk_records=2_000)
    reasons = expected.records_table().column("reason").to_pylist()
    assert {"invalid_record", "unknown_person", "invalid_person"} <= set(reasons)
    assert len(expected.rejected_persons) >= 3
    evaluate_dataset(rules, paths["persons_dataset"], paths["records_dataset"], tmp_path / "out", client=client, partitions=4)
    assert_same(tmp_path / "out", expected)


def test_a_worker_killed_mid_run_leaves_the_results_unchanged(client, rules, tmp_path):
    persons, records = awkward_cohort(2_000, seed=7)
    paths = as_files(tmp_path, persons, records, person_parts=3, record_parts=6)
    expected = evaluate_batch(rules, paths["persons"], paths["records"])
    killed: list[int] = []

    def kill_one_worker(done: int, total: int) -> None:
        if not killed:
            pids = sorted(client.run(os.getpid).values())
            killed.append(pids[-1])
            os.kill(pids[-1], signal.SIGKILL)

    result = evaluate_dataset(
        rules, paths["persons_dataset"], paths["records_dataset"], tmp_path / "out", client=client, partitions=12, progress=kill_one_worker
    )
    assert killed and result.partitions == 12
    assert_same(tmp_path / "out", expected)
    assert not list((tmp_path / "out").rglob("*.tmp"))
    client.wait_for_workers(2, timeout=120)


def test_dask_dataframes_from_a_library_caller(client, rules, examples, tmp_path):
    import dask.dataframe as dd

    persons, records = text_table(examples / "persons.csv").to_pandas(), text_table(examples / "records.csv").to_pandas()
    expected = evaluate_batch(rules, persons, records)
    evaluate_dataset(rules, dd.from_pandas(persons, npartitions=2), dd.from_pandas(records, npartitions=3), tmp_path / "out", client=client)
    assert_same(tmp_path / "out", expected)


def test_the_command_line_writes_the_dataset_and_its_summary(client, rules, examples, tmp_path, capsys):
    paths = as_files(tmp_path, text_table(examples / "persons.csv"), text_table(examples / "records.csv"), person_parts=2, record_parts=3)
    expected = evaluate_batch(rules, paths["persons"], paths["records"])
    out = tmp_path / "out"
    argv = ["evaluate", "--year", "2023", "--no-plugins", "--persons", str(paths["persons_dataset"])]
    argv += ["--records", str(paths["records_dataset"]), "--scheduler", client.scheduler.address, "--out", str(out), "--lang", "en"]
    assert main(argv) == 0
    assert_same(out, expected)
    assert "42 people" in capsys.readouterr().err
    assert main(argv) == 0  # a second run replaces the first's parts
    assert_same(out, expected)


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--format", "csv"], "--format cannot be used with --scheduler"),
        (["--strict"], "--strict cannot be used with --scheduler"),
        (["--scheduler", "somewhere"], "--scheduler is local or a scheduler's address"),
    ],
)
def test_options_of_the_single_machine_path_are_refused_with_a_scheduler(examples, tmp_path, capsys, extra, said):
    argv = ["evaluate", "--year", "2023", "--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv")]
    argv += ["--lang", "en", "--out", str(tmp_path / "out")]
    argv += extra if "--scheduler" in extra else ["--scheduler", "local", *extra]
    assert main(argv) == 2
    assert said in capsys.readouterr().err


def test_without_dask_the_command_says_how_to_install_it(examples, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    argv = ["evaluate", "--year", "2023", "--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv")]
    assert main([*argv, "--lang", "en", "--scheduler", "local", "--out", str(tmp_path / "out")]) == 2
    assert "pip install 'cerules[distributed]'" in capsys.readouterr().err
    with pytest.raises(DistributedUnavailable):
        evaluate_dataset(None, "p", "r", tmp_path, client=None)  # type: ignore[arg-type]
