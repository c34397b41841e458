"""The batch view: a whole province, in chunks of people, with bounded memory.

People are split into chunks in file order; each chunk's records are gathered by a hash join on
person ids and evaluated by the same kernel as everything else (the explain view of one person
is a chunk of one). What stays in memory across chunks is the input columns and the per-person
and per-record results; the typed working columns of a chunk are dropped once it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from ..inputs.bounds import record_bound
from ..inputs.columns import as_arrow
from ..inputs.normalise import RejectedPerson, duplicate_rows, normalise_persons, normalise_records
from ..inputs.reading import InputError, RowProblem, Table
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.ledger import Ledger, counts, summary_counts
from ..kernel.run import evaluate_columns, lookup
from ..rules.regions import Regions
from ..rules.ruleset import RuleSet
from .cohort import Evaluation, Source, first_bad_record, first_rejected_person, input_tables
from .quality import DataQuality, RecordTally, data_quality

DEFAULT_CHUNK_RECORDS = 500_000
"""About this many records are worked on at once (fewer people per chunk when they have more)."""


@attrs.frozen
class BatchResult:
    """Per-person results and per-record dispositions of a cohort, as arrays in input order."""

    rules: RuleSet
    person_id: np.ndarray  # object [person], the usable persons in file order
    requirement_ids: tuple[str, ...]
    required: np.ndarray  # int64 [person, requirement], hundredths; -1 when it does not apply
    achieved: np.ndarray  # int64 [person, requirement], hundredths
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]
    record_id: pa.Array  # [record], as given
    reason: np.ndarray  # int8 [record], reason code (0: credited in full)
    credited: np.ndarray  # int64 [record], hundredths of an hour
    person_index: np.ndarray  # int64 [record], -1 when the record belongs to no usable person
    rejected_persons: tuple[RejectedPerson, ...]
    data_quality: DataQuality | None = None  # what of the input could not be used (None: not counted)

    @property
    def status_credited(self) -> np.ndarray:
        return counts(self.reason, self.credited)

    def summary(self) -> dict[str, int]:
        return summary_counts(self.compliant, self.reason, self.credited)

    def people_table(self) -> pa.Table:
        """One row per person: verdict and, per requirement, required/credited/met (in the unit)."""
        columns: dict[str, Any] = {"person_id": pa.array(self.person_id, type=pa.string()), "compliant": self.compliant}
        for r, requirement_id in enumerate(self.requirement_ids):
            applies = self.required[:, r] != NOT_APPLICABLE
            columns[f"{requirement_id}.required"] = pa.array(self.required[:, r] / 100, mask=~applies)
            columns[f"{requirement_id}.credited"] = pa.array(self.achieved[:, r] / 100, mask=~applies)
            columns[f"{requirement_id}.met"] = pa.array(self.met[:, r], mask=~applies)
        return pa.table(columns)

    def records_table(self) -> pa.Table:
        """One row per input record: status, credited hours and reason code, in input order."""
        names = pa.array(list(R.NAMES), type=pa.string())
        codes = pa.array(self.reason.astype(np.int32), mask=self.reason == R.CREDITED)
        status = pa.DictionaryArray.from_arrays(pa.array(self.status_credited.astype(np.int32)), pa.array(["rejected", "credited"]))
        return pa.table(
            {
                "record_id": self.record_id,
                "status": status.cast(pa.string()),
                "credited_hours": self.credited / 100,
                "reason": pa.DictionaryArray.from_arrays(codes, names).cast(pa.string()),
            }
        )

    def to_pandas(self) -> tuple[Any, Any]:
        """(people, records) as pandas DataFrames."""
        return self.people_table().to_pandas(), self.records_table().to_pandas()


@attrs.frozen
class Chunk:
    """One chunk of the cohort: its evaluation and where its people and records stand in the input."""

    evaluation: Evaluation
    person_rows: np.ndarray  # positions among the usable persons
    record_rows: np.ndarray  # positions among the input records


def _among(rows: np.ndarray, marked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the sorted `marked` rows are among the sorted `rows`: (those rows, their positions in `rows`)."""
    if len(marked) == 0 or len(rows) == 0:
        return marked[:0], marked[:0]
    at = np.searchsorted(rows, marked)
    inside = at < len(rows)
    inside[inside] = rows[at[inside]] == marked[inside]
    return marked[inside], at[inside]


def _sub_table(table: Table, rows: np.ndarray, problems_by_row: dict[int, list[RowProblem]], problem_rows: np.ndarray) -> Table:
    """The rows of a table (Arrow columns taken, numpy ones indexed), with their row problems (`rows` sorted)."""
    indices = pa.array(rows, type=pa.int64())
    columns = {name: values.take(indices) if isinstance(values, pa.Array) else values[rows] for name, values in table.columns.items()}
    found, local = _among(rows, problem_rows)
    problems = tuple(
        attrs.evolve(problem, row=position)
        for row, position in zip(found.tolist(), local.tolist(), strict=True)
        for problem in problems_by_row[row]
    )
    return Table(table.path, columns, np.asarray(table.lines)[rows], problems)


class PreparedCohort:
    """Persons and records (files, tables or rows) checked for their columns, with the persons normalised (once)."""

    def __init__(self, persons: Source, records: Source, *, unit_level_default: str | None = None, regions: Regions | None = None) -> None:
        self.person_table, self.record_table = input_tables(persons, records)
        self.people, rejected = normalise_persons(self.person_table, unit_level_default=unit_level_default, regions=regions)
        self.rejected_persons = tuple(rejected)


class ChunkedRun(PreparedCohort):
    """A cohort read and split into chunks of people, ready to be evaluated chunk by chunk."""

    def __init__(
        self,
        rules: RuleSet,
        persons: Source,
        records: Source,
        *,
        chunk_records: int = DEFAULT_CHUNK_RECORDS,
        unit_level_default: str | None = None,
        max_record_amount: float | str | None = None,
    ) -> None:
        super().__init__(persons, records, unit_level_default=unit_level_default, regions=rules.regions)
        self.rules = rules
        record_bound(max_record_amount)  # a bad bound is refused now, before any chunk runs
        self.max_record_amount = max_record_amount
        self.requirement_ids = rules.requirement_ids(self.people.profiles)
        with ThreadPoolExecutor(max_workers=1) as pool:  # repeated ids are found while records are joined to people
            repeats = pool.submit(duplicate_rows, self.record_table)
            self._record_person = lookup(self.people.person_id, as_arrow(self.record_table.column("person_id"))).astype(np.int32)
            self._repeats = repeats.result()
        per_person = np.bincount(self._record_person[self._record_person >= 0], minlength=len(self.people))
        self._bounds = _chunk_bounds(per_person, chunk_records)
        chunk_of = np.where(
            self._record_person >= 0, np.searchsorted(self._bounds[1:], self._record_person, side="right"), len(self._bounds) - 1
        )
        narrow = np.int16 if len(self._bounds) < np.iinfo(np.int16).max else np.int64
        self._order = np.argsort(chunk_of.astype(narrow), kind="stable").astype(np.int32)  # a radix sort for small integers
        self._edges = np.searchsorted(chunk_of[self._order], np.arange(len(self._bounds) + 1))
        self.first_problem: InputError | None = None
        self._tally = RecordTally()
        self._problems_by_row: dict[int, list[RowProblem]] = {}
        for problem in self.record_table.problems:
            self._problems_by_row.setdefault(problem.row, []).append(problem)
        self._problem_rows = np.array(sorted(self._problems_by_row), dtype=np.int64)
        self._repeat_rows = np.array(sorted(self._repeats), dtype=np.int64)

    def __len__(self) -> int:
        """Number of chunks: those of people, then one for records of no usable person."""
        return len(self._bounds)

    def run(self, index: int) -> Chunk:
        """Evaluate one chunk."""
        rows = np.sort(self._order[self._edges[index] : self._edges[index + 1]]).astype(np.int64)
        sub = _sub_table(self.record_table, rows, self._problems_by_row, self._problem_rows)
        found, positions = _among(rows, self._repeat_rows)
        local = {position: self._repeats[row] for row, position in zip(found.tolist(), positions.tolist(), strict=True)}
        columns = normalise_records(sub, self.rules, duplicates=local, max_record_amount=self.max_record_amount)
        if index < len(self._bounds) - 1:
            start, stop = int(self._bounds[index]), int(self._bounds[index + 1])
            chunk_people, person_rows = self.people.take(slice(start, stop)), np.arange(start, stop)
            local_person = self._record_person[rows].astype(np.int64) - start
        else:  # records of no usable person
            chunk_people, person_rows = self.people.take(slice(0, 0)), np.zeros(0, dtype=np.int64)
            local_person = np.full(len(rows), -1, dtype=np.int64)
        ledger = evaluate_columns(self.rules, chunk_people, columns, person_index=local_person)
        evaluation = Evaluation(ledger, self.rejected_persons if index == 0 else (), self.person_table.path, self.record_table.path)
        return Chunk(evaluation, person_rows, rows)

    def chunks(self, *, workers: int = 2, progress: Callable[[int, int], None] | None = None) -> Iterator[Chunk]:
        """Chunks in order, computing one ahead on a second thread (numpy and Arrow release the GIL).

        Meanwhile `first_problem` is kept: the first invalid or unattributable record, in file order,
        and the records rejected as input are counted for `data_quality`.
        """
        total = len(self)
        self.first_problem = None
        self._tally = RecordTally()
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pending = [pool.submit(self.run, 0)]
            for index in range(total):
                if index + 1 < total:
                    pending.append(pool.submit(self.run, index + 1))
                chunk = pending.pop(0).result()
                self._tally.add(chunk.evaluation.ledger)
                problem = first_bad_record(self.record_table.path, chunk.evaluation.ledger)
                if problem is not None and (self.first_problem is None or (problem.line or 0) < (self.first_problem.line or 0)):
                    self.first_problem = problem
                if progress is not None:
                    progress(index + 1, total)
                yield chunk

    def data_quality(self) -> DataQuality:
        """The data-quality report of the run (after `chunks`: its records counted chunk by chunk)."""
        return data_quality(self.people, self.rejected_persons, self._tally)

    def strict_problem(self) -> InputError | None:
        """The first unusable row, persons first: what `--strict` fails on (after `chunks`)."""
        if self.rejected_persons:
            return first_rejected_person(self.person_table.path, self.rejected_persons)
        return self.first_problem


def _chunk_bounds(per_person: np.ndarray, chunk_records: int) -> np.ndarray:
    """Person boundaries of chunks of about `chunk_records` records each (at least one chunk)."""
    if len(per_person) == 0:
        return np.zeros(1, dtype=np.int64)
    cumulative = np.cumsum(per_person)
    targets = np.arange(chunk_records, int(cumulative[-1]) + chunk_records, max(chunk_records, 1))
    cuts = np.unique(np.searchsorted(cumulative, targets, side="left") + 1)
    cuts = cuts[(cuts > 0) & (cuts < len(per_person))]
    return np.concatenate([[0], cuts, [len(per_person)]]).astype(np.int64)


def requirement_matrices(n_people: int, n_requirements: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(required, achieved, met) for people × the run's requirements, before any ledger is gathered in:
    nothing applies, nothing is achieved, everything is met."""
    shape = (n_people, n_requirements)
    return np.full(shape, NOT_APPLICABLE, dtype=np.int64), np.zeros(shape, dtype=np.int64), np.ones(shape, dtype=bool)


def put_requirements(
    matrices: tuple[np.ndarray, np.ndarray, np.ndarray], person_rows: np.ndarray, ids: tuple[str, ...], ledger: Ledger
) -> None:
    """Gather a ledger's per-person requirements into the run's matrices, at `person_rows` and the run's columns `ids`."""
    if len(person_rows) == 0:  # the records of no usable person: no requirement to gather
        return
    required, achieved, met = matrices
    cells = np.ix_(person_rows, np.array([ids.index(i) for i in ledger.compiled.requirement_ids], dtype=np.int64))
    required[cells], achieved[cells], met[cells] = ledger.required, ledger.achieved, ledger.met


def evaluate_batch(
    rules: RuleSet,
    persons: Source,
    records: Source,
    *,
    chunk_records: int = DEFAULT_CHUNK_RECORDS,
    workers: int = 2,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
) -> BatchResult:
    """Evaluate a cohort (files, as `evaluate_files` reads them, tables or rows) in chunks, and gather
    per-person and per-record results in input order. With no usable person, every record is rejected."""
    run = ChunkedRun(
        rules, persons, records, chunk_records=chunk_records, unit_level_default=unit_level_default, max_record_amount=max_record_amount
    )
    ids = run.requirement_ids
    n_people, n_records = len(run.people), len(run.record_table)
    required, achieved, met = requirement_matrices(n_people, len(ids))
    reason = np.zeros(n_records, dtype=np.int8)
    credited = np.zeros(n_records, dtype=np.int64)
    person_index = np.full(n_records, -1, dtype=np.int64)
    for chunk in run.chunks(workers=workers):
        ledger = chunk.evaluation.ledger
        reason[chunk.record_rows] = ledger.reason
        credited[chunk.record_rows] = ledger.credited
        known = ledger.person_index >= 0
        person_index[chunk.record_rows[known]] = chunk.person_rows[ledger.person_index[known]]
        put_requirements((required, achieved, met), chunk.person_rows, ids, ledger)
    return BatchResult(
        rules=rules,
        person_id=run.people.person_id,
        requirement_ids=ids,
        required=required,
        achieved=achieved,
        met=met,
        compliant=np.asarray(met.all(axis=1), dtype=bool),
        record_id=as_arrow(run.record_table.column("record_id")),
        reason=reason,
        credited=credited,
        person_index=person_index,
        rejected_persons=run.rejected_persons,
        data_quality=run.data_quality(),
    )


__all__ = ["BatchResult", "Chunk", "ChunkedRun", "evaluate_batch", "put_requirements", "requirement_matrices"]
