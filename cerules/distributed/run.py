"""Evaluating a partitioned cohort on a Dask cluster, with the single-machine path's results.

The steps, each a set of tasks on the cluster:

1. each piece of the persons and of the records is read once and split by a hash of person_id
   (records also send their ids to partitions by a hash of the id);
2. repeated record ids are found over the whole dataset, one id partition at a time;
3. each partition's persons are normalised; their profiles, in line order, fix the requirement
   columns of the run (those of the single-machine path);
4. each partition's records are decided with its persons and its repeats, and its people and
   records are written as one part file each;
5. the counts are reduced here into the summary and the data-quality report (`summary.json`).

The rule set travels once, as a task keyed by its sha256 that every partition depends on. A worker
lost mid-run costs its tasks, which the scheduler runs again elsewhere; parts are renamed into
place when whole, so a task run twice writes the same file twice.
"""

from __future__ import annotations

import json
import math
import operator
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from ..base.files import write_atomic
from ..base.version import __version__
from ..evaluation.quality import DataQuality
from ..inputs.bounds import record_bound
from ..inputs.normalise import LENGTH_COLUMNS, REQUIRED_PERSON_COLUMNS, REQUIRED_RECORD_COLUMNS, RejectedPerson
from ..inputs.table import InputError, quote
from ..rules.ruleset import RuleSet
from . import reduce
from .cluster import require_dask
from .dataset import Dataset, frame_dataset, parquet_dataset
from .partition import PEOPLE, RECORDS, PartOutcome, evaluate_partition, first_profiles, prepare_persons
from .repeats import find_repeats
from .shipping import payload_task, rules_key, rules_payload
from .shuffle import split_persons, split_records

PARTITION_RECORDS = 500_000
"""About this many records are decided by one task (the single-machine path's chunk)."""
SUMMARY = "summary.json"


@attrs.frozen
class DatasetResult:
    """What a distributed run wrote, and its reduced counts."""

    out: Path
    year: int
    rules_sha256: str
    rules_entry: dict[str, Any]
    requirement_ids: tuple[str, ...]
    summary: dict[str, int]
    data_quality: DataQuality
    rejected_persons: tuple[RejectedPerson, ...]
    partitions: int

    @property
    def people_path(self) -> Path:
        return self.out / PEOPLE

    @property
    def records_path(self) -> Path:
        return self.out / RECORDS

    def document(self, lang: str = "zh") -> dict[str, Any]:
        """`summary.json`: the run's summary, data quality, rules, engine and layout."""
        return {
            "year": self.year,
            "rules": self.rules_entry,
            "engine": {"name": "cerules", "version": __version__},
            "summary": self.summary,
            "data_quality": self.data_quality.to_dict(),
            "rejected_persons": [entry.to_dict(lang) for entry in self.rejected_persons],
            "requirements": list(self.requirement_ids),
            "parts": {"people": self.partitions, "records": self.partitions},
            "layout": {"people": f"{PEOPLE}/part-*.parquet", "records": f"{RECORDS}/part-*.parquet"},
        }


def evaluate_dataset(
    rules: RuleSet,
    persons: Any,
    records: Any,
    out: str | os.PathLike[str],
    *,
    client: Any,
    partitions: int | None = None,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
    lang: str = "zh",
    progress: Callable[[int, int], None] | None = None,
) -> DatasetResult:
    """Evaluate persons and records — Parquet datasets (a file or a folder of part files) or dask
    DataFrames — on the cluster of a `distributed.Client`, writing `out/people/`, `out/records/` and
    `out/summary.json`. The results are those of `evaluate_batch` on the same rows as one file.

    `partitions` is how many tasks decide people (default: one per ~500,000 records, at least two
    per worker); `progress(done, total)` is called as each finishes.
    """
    require_dask()
    from distributed import as_completed

    record_bound(max_record_amount)  # a bad bound is refused before any task runs
    person_data = _dataset(client, persons, "<persons>", REQUIRED_PERSON_COLUMNS)
    record_data = _dataset(client, records, "<records>", REQUIRED_RECORD_COLUMNS)
    if person_data.rows == 0:
        raise InputError(person_data.display, "文件中没有人员", "no persons in the file", line=1)
    if not any(name in record_data.columns for name in LENGTH_COLUMNS):
        raise InputError(record_data.display, "缺少 hours 或 minutes 列", "neither an hours nor a minutes column", column="hours")
    folder = prepare_out(out, [persons, records])
    count = partitions or _partitions(client, record_data.rows)
    run = uuid.uuid4().hex[:12]
    sha, payload = rules.sha256, client.submit(payload_task, rules_payload(rules), key=rules_key(rules))

    person_splits = [
        client.submit(split_persons, unit, person_data.display, count, person_data.frame(i), key=f"cerules-split-persons-{run}-{i}")
        for i, unit in enumerate(person_data.units)
    ]
    record_splits = [
        client.submit(split_records, unit, record_data.display, count, record_data.frame(i), key=f"cerules-split-records-{run}-{i}")
        for i, unit in enumerate(record_data.units)
    ]
    rows, ids = _by_partition(client, record_splits, 2, f"cerules-records-{run}")
    person_slices = _by_partition(client, person_splits, count, f"cerules-persons-{run}")
    record_slices = _by_partition(client, rows, count, f"cerules-rows-{run}")
    repeats = [
        client.submit(find_repeats, slices, count, record_data.display, key=f"cerules-repeats-{run}-{r}")
        for r, slices in enumerate(_by_partition(client, ids, count, f"cerules-ids-{run}"))
    ]
    repeats_for = _by_partition(client, repeats, count, f"cerules-repeats-of-{run}")
    prepared = [
        client.submit(prepare_persons, slices, person_data.display, sha, payload, unit_level_default, key=f"cerules-people-{run}-{p}")
        for p, slices in enumerate(person_slices)
    ]
    del person_splits, record_splits, rows, ids, person_slices, repeats
    profiles = client.gather([client.submit(first_profiles, part, key=f"cerules-profiles-{run}-{p}") for p, part in enumerate(prepared)])
    requirement_ids = rules.requirement_ids(_in_line_order(profiles))
    decided = [
        client.submit(
            evaluate_partition,
            prepared[p],
            record_slices[p],
            repeats_for[p],
            sha256=sha,
            payload=payload,
            requirement_ids=requirement_ids,
            display=record_data.display,
            out=os.fspath(folder),
            index=p,
            max_record_amount=max_record_amount,
            key=f"cerules-decide-{run}-{p}",
        )
        for p in range(count)
    ]
    del prepared, record_slices, repeats_for
    outcomes: list[PartOutcome] = []
    for finished in as_completed(decided):
        outcomes.append(finished.result())
        finished.release()
        if progress is not None:
            progress(len(outcomes), count)
    del decided, payload
    outcomes.sort(key=lambda outcome: outcome.index)
    _clean(folder)
    result = DatasetResult(
        out=folder,
        year=rules.year,
        rules_sha256=sha,
        rules_entry=rules.document_entry(),
        requirement_ids=requirement_ids,
        summary=reduce.summary(outcomes),
        data_quality=reduce.data_quality(outcomes),
        rejected_persons=tuple(reduce.rejected_persons(outcomes)),
        partitions=count,
    )
    write_atomic(folder / SUMMARY, json.dumps(result.document(lang), ensure_ascii=False, indent=2) + "\n")
    return result


def _dataset(client: Any, source: Any, name: str, required: tuple[str, ...]) -> Dataset:
    if isinstance(source, (str, os.PathLike)):
        return parquet_dataset(source, required)
    if hasattr(source, "to_delayed") and hasattr(source, "npartitions"):
        return frame_dataset(client, source, name, required)
    raise TypeError(f"{name}: expected a Parquet file or folder, or a dask DataFrame; got {type(source).__name__}")


def _by_partition(client: Any, pieces: list[Any], count: int, name: str) -> list[list[Any]]:
    """For each partition, its item of every piece's result (futures: each slice moves on its own)."""
    return [[client.submit(operator.getitem, piece, p, key=f"{name}-{i}-{p}") for i, piece in enumerate(pieces)] for p in range(count)]


def _partitions(client: Any, records: int) -> int:
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    return max(2 * workers, math.ceil(records / PARTITION_RECORDS))


def _in_line_order(profiles: list[list[tuple[int, Any]]]) -> list[Any]:
    """The profiles of the whole dataset in order of first appearance, as one file lists them."""
    first: dict[Any, int] = {}
    for part in profiles:
        for line, profile in part:
            if profile not in first or line < first[profile]:
                first[profile] = line
    return sorted(first, key=first.__getitem__)


def prepare_out(out: str | os.PathLike[str], inputs: list[Any]) -> Path:
    """The output folder: new or empty, or a previous run's (its parts and summary removed first).

    Never an input, nor a folder holding one."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(os.fspath(out), "已存在且不是文件夹", "exists and is not a folder")
    resolved = folder.resolve()
    for source in inputs:
        if isinstance(source, (str, os.PathLike)):
            given = Path(source).resolve()
            if given == resolved or resolved in given.parents or given in resolved.parents:
                shown = quote(os.fspath(source))
                raise InputError(os.fspath(out), f"与输入 {shown} 重叠", f"overlaps the input {shown}")
    if folder.exists():
        known = {PEOPLE, RECORDS, SUMMARY}
        others = [entry.name for entry in folder.iterdir() if entry.name not in known]
        if others:
            raise InputError(
                os.fspath(out),
                f"文件夹不为空（{quote(others[0])}）：请指定新的或空的文件夹",
                f"the folder is not empty ({quote(others[0])}): give a new or empty folder",
            )
        (folder / SUMMARY).unlink(missing_ok=True)
        for kind in (PEOPLE, RECORDS):
            for stale in (folder / kind).glob("*") if (folder / kind).is_dir() else ():
                if stale.is_file() and (stale.name.startswith("part-") or stale.name.endswith(".tmp")):
                    stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean(folder: Path) -> None:
    """Temporary files of tasks killed while writing (their retries wrote the parts)."""
    for kind in (PEOPLE, RECORDS):
        for stale in (folder / kind).glob(".*.tmp"):
            stale.unlink(missing_ok=True)
