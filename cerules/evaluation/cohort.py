"""Evaluating a cohort: from inputs (files, tables or rows) to a ledger and its views."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.version import __version__
from ..inputs.normalise import (
    PERSON_COLUMNS,
    RECORD_COLUMNS,
    REQUIRED_PERSON_COLUMNS,
    REQUIRED_RECORD_COLUMNS,
    RejectedPerson,
    check_length_columns,
    normalise_persons,
    normalise_records,
    table_from_rows,
)
from ..inputs.reading import InputError, Table, read_table, table_from_arrow
from ..kernel import reasons as R
from ..kernel.ledger import Ledger, summary_counts
from ..kernel.run import evaluate_columns
from ..render.html import evaluation_html
from ..rules.ruleset import RuleSet
from .explain import PersonResult, person_result, record_outcome
from .quality import DataQuality, RecordTally, data_quality

Rows = Table | Sequence[Mapping[str, Any]]
Source = Rows | str | os.PathLike[str]


@attrs.frozen
class Evaluation:
    """The result of evaluating a cohort for a year: people, records and what could not be used."""

    ledger: Ledger
    rejected_persons: tuple[RejectedPerson, ...]
    persons_path: str
    records_path: str

    @property
    def year(self) -> int:
        return self.ledger.year

    @property
    def rules(self) -> RuleSet:
        return self.ledger.rules

    def __len__(self) -> int:
        return len(self.ledger.persons)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"<Evaluation {self.year}: {s['people']} people, {s['compliant']} compliant, "
            f"{s['records']} records ({s['credited']} credited, {s['rejected']} rejected); rules {self.rules.sha256[:12]}>"
        )

    def __iter__(self) -> Iterator[PersonResult]:
        for index in range(len(self)):
            yield person_result(self.ledger, index)

    def person(self, person_id: str) -> PersonResult:
        """The explain view of one person."""
        matches = np.flatnonzero(self.ledger.persons.person_id == person_id)
        if len(matches) == 0:
            raise KeyError(person_id)
        return person_result(self.ledger, int(matches[0]))

    @property
    def failing(self) -> list[str]:
        """Ids of the people who do not meet every requirement, in input order."""
        return [str(pid) for pid in self.ledger.persons.person_id[~self.ledger.compliant]]

    def summary(self) -> dict[str, int]:
        """The contract's `summary`: people, compliant, records, credited, rejected."""
        return summary_counts(self.ledger.compliant, self.ledger.reason, self.ledger.credited)

    def data_quality(self) -> DataQuality:
        """What of the input could not be used, and whose verdicts rest on assumed values."""
        tally = RecordTally()
        tally.add(self.ledger)
        return data_quality(self.ledger.persons, self.rejected_persons, tally)

    def reason_counts(self) -> dict[str, int]:
        """How many records carry each reason code (cap_exceeded includes partly credited ones)."""
        counts = np.bincount(self.ledger.reason, minlength=len(R.NAMES))
        return {R.NAMES[code]: int(n) for code, n in enumerate(counts) if code != R.CREDITED and n}

    def rejected_input_entries(self, lang: str = "zh") -> list[dict[str, Any]]:
        """The contract's `rejected_input`: records that belong to no person, in file order."""
        entries = []
        for position in self.ledger.rejected_input:
            outcome = record_outcome(self.ledger, int(position))
            entries.append(
                {"record_id": outcome.record_id, "reason": outcome.reason, "line": outcome.line, "message": outcome.message.in_lang(lang)}
            )
        return sorted(entries, key=lambda entry: entry["line"])

    def to_document(self, lang: str = "zh") -> dict[str, Any]:
        """The contract's JSON document."""
        rejected_input = self.rejected_input_entries(lang)
        document: dict[str, Any] = {
            "year": self.year,
            "rules": self.rules.document_entry(),
            "engine": {"name": "cerules", "version": __version__},
            "people": [person.to_dict(lang) for person in self],
            "rejected_input": rejected_input,
            "summary": self.summary(),
        }
        if self.rejected_persons:
            document["rejected_persons"] = [rejected.to_dict(lang) for rejected in self.rejected_persons]
        document["data_quality"] = self.data_quality().to_dict()
        return document

    def _repr_html_(self) -> str:
        return evaluation_html(self)


def as_table(rows: Any, name: str, columns: Collection[str] | None = None) -> Table:
    """A Table from a Table, an Arrow table, a pandas or polars DataFrame, or a list of dicts.

    Missing values as DataFrames and dicts hold them (None, NaN, pandas' NA and NaT) are blank cells.
    Of an Arrow table or a DataFrame, only the named `columns` are taken (all when None), typed
    where their type says what they hold (`inputs.typed`).
    """
    if isinstance(rows, Table):
        return rows
    if isinstance(rows, pa.Table):
        return table_from_arrow(_nan_as_null(rows), name, columns=columns)
    if hasattr(rows, "to_arrow") and callable(rows.to_arrow):  # polars
        return table_from_arrow(_nan_as_null(rows.to_arrow()), name, columns=columns)
    if hasattr(rows, "columns") and hasattr(rows, "iloc"):  # pandas
        try:
            arrow = pa.Table.from_pandas(rows, preserve_index=False)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # a column mixing kinds (text and numbers): cell by cell
            return table_from_rows(rows.to_dict("records"), path=name)
        return table_from_arrow(_nan_as_null(arrow), name, columns=columns)
    return table_from_rows(list(rows), path=name)


def _nan_as_null(table: pa.Table) -> pa.Table:
    """Floating-point NaN is a blank cell (a DataFrame's missing value), never the number 'nan'."""
    for position, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            column = table.column(position)
            blank = pc.fill_null(pc.is_nan(column), False)
            table = table.set_column(position, field, pc.if_else(blank, pa.scalar(None, field.type), column))
    return table


def _as_input(source: Any, name: str, required: Sequence[str], *, persons: bool = False, sheet: str | None = None) -> Table:
    """A file path read by its suffix (a persons file must hold persons), or rows as `as_table` takes them;
    of a Parquet file, Arrow table or DataFrame only the columns the engine reads."""
    columns = PERSON_COLUMNS if persons else RECORD_COLUMNS
    if isinstance(source, (str, os.PathLike)):
        table = read_table(source, required=required, sheet=sheet, columns=columns)
        if persons and len(table) == 0:
            raise InputError(os.fspath(source), "文件中没有人员", "no persons in the file", line=1)
        return table
    return as_table(source, name, columns)


def input_tables(persons: Source, records: Source) -> tuple[Table, Table]:
    """Persons and records as Tables, from file paths or rows, with their required columns checked."""
    person_table = _as_input(persons, "<persons>", REQUIRED_PERSON_COLUMNS, persons=True)
    record_table = _as_input(records, "<records>", REQUIRED_RECORD_COLUMNS)
    check_columns(person_table, REQUIRED_PERSON_COLUMNS)
    check_columns(record_table, REQUIRED_RECORD_COLUMNS)
    check_length_columns(record_table)  # `hours`, or `minutes`
    return person_table, record_table


def evaluate(
    rules: RuleSet,
    persons: Source,
    records: Source,
    *,
    strict: bool = False,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
) -> Evaluation:
    """Evaluate a cohort given as files, tables or in-memory rows (dicts of strings or plain values).

    A persons table without a `unit_level` column is refused unless `unit_level_default`
    (`"city"` or `"province"`) says what to assume; given, it is also the level of blank cells.
    `max_record_amount` bounds the hours and the credits of one record (default
    `cerules.inputs.bounds.MAX_RECORD_AMOUNT`); a record above it is an invalid record.
    """
    person_table, record_table = input_tables(persons, records)
    person_columns, rejected = normalise_persons(person_table, unit_level_default=unit_level_default, regions=rules.regions)
    record_columns = normalise_records(record_table, rules, max_record_amount=max_record_amount)
    ledger = evaluate_columns(rules, person_columns, record_columns)
    if strict:
        _fail_on_first_problem(person_table, record_table, rejected, ledger)
    return Evaluation(ledger, tuple(rejected), person_table.path, record_table.path)


def evaluate_files(
    rules: RuleSet,
    persons: str | os.PathLike[str],
    records: str | os.PathLike[str],
    *,
    strict: bool = False,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
) -> Evaluation:
    """Evaluate the persons and records files (`.csv`, `.jsonl` or `.parquet`)."""
    return evaluate(
        rules, *read_inputs(persons, records), strict=strict, unit_level_default=unit_level_default, max_record_amount=max_record_amount
    )


def read_inputs(
    persons: str | os.PathLike[str],
    records: str | os.PathLike[str],
    *,
    persons_sheet: str | None = None,
    records_sheet: str | None = None,
) -> tuple[Table, Table]:
    """Read the persons and records files (a workbook's first sheet, or the one named), refusing an empty persons file."""
    return (
        _as_input(persons, "<persons>", REQUIRED_PERSON_COLUMNS, persons=True, sheet=persons_sheet),
        _as_input(records, "<records>", REQUIRED_RECORD_COLUMNS, sheet=records_sheet),
    )


def evaluate_person(
    rules: RuleSet, person: Mapping[str, Any], records: Sequence[Mapping[str, Any]], *, unit_level_default: str | None = None
) -> PersonResult:
    """One person's year, explained (the same kernel on a cohort of one)."""
    evaluation = evaluate(rules, [person], records, unit_level_default=unit_level_default)
    if evaluation.rejected_persons:
        problem = evaluation.rejected_persons[0].problem
        raise ValueError(problem.text.en)
    result = next(iter(evaluation))
    strays = evaluation.ledger.rejected_input
    if len(strays):
        other = evaluation.ledger.records.person_id_at(int(strays[0]))
        raise ValueError(f"record for another person ({other!r}) given to evaluate_person({result.person_id!r})")
    return result


def check_columns(table: Table, required: Sequence[str]) -> None:
    missing = [name for name in required if name not in table.columns]
    if missing and len(table):
        found = ", ".join(table.columns) or "none"
        raise InputError(
            table.path,
            f"缺少必需的列 {missing[0]!r}（现有列：{found}）",
            f"missing required column {missing[0]!r} (columns found: {found})",
            line=1,
            column=missing[0],
        )


def _fail_on_first_problem(persons: Table, records: Table, rejected: list[RejectedPerson], ledger: Ledger) -> None:
    """In strict mode the first unusable row, in file order, fails the run."""
    if rejected:
        raise first_rejected_person(persons.path, rejected)
    problem = first_bad_record(records.path, ledger)
    if problem is not None:
        raise problem


def first_rejected_person(path: str, rejected: Sequence[RejectedPerson]) -> InputError:
    first = min(rejected, key=lambda r: r.line)
    return InputError(path, first.problem.text.zh, first.problem.text.en, line=first.line, column=first.problem.column)


def first_bad_record(path: str, ledger: Ledger) -> InputError | None:
    """The first invalid or unattributable record of a ledger, in file order, as an error."""
    bad = np.flatnonzero(np.isin(ledger.reason, list(R.INPUT_REASONS)))
    if len(bad) == 0:
        return None
    position = int(bad[np.argmin(ledger.records.line[bad])])
    outcome = record_outcome(ledger, position)
    problem = ledger.records.problems.get(position)
    column = problem.column if problem is not None else "person_id"
    return InputError(path, outcome.message.zh, outcome.message.en, line=outcome.line, column=column)


__all__ = ["Evaluation", "evaluate", "evaluate_files", "evaluate_person"]
