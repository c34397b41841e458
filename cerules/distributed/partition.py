"""One partition of people: its persons normalised, its records decided, its results written.

Everything here is the single-machine code on the partition's rows: `normalise_persons`,
`normalise_records` (given the repeated record ids found over the whole dataset) and
`evaluate_columns`, gathered into a `BatchResult` whose tables are the batch path's, with the
requirement columns of the whole run. The rows keep their lines in the dataset, so every message
names the line it would name for one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..base.files import atomic_output
from ..evaluation.batch import BatchResult, put_requirements, requirement_matrices
from ..evaluation.quality import EXAMPLES, RecordTally, assumed_groups
from ..inputs.cells import Problem
from ..inputs.columns import as_arrow
from ..inputs.normalise import PersonColumns, RejectedPerson, normalise_persons, normalise_records
from ..inputs.parquet_file import table_from_arrow
from ..inputs.table import Table
from ..kernel.ledger import Ledger, summary_counts
from ..kernel.run import evaluate_columns
from ..rules.model import Profile
from ..rules.ruleset import RuleSet
from .repeats import local_repeats
from .shipping import rules_on_worker
from .shuffle import LINE, gathered

PEOPLE, RECORDS = "people", "records"


@attrs.frozen
class PreparedPersons:
    """A partition's persons, normalised, and the first line at which each of its profiles appears."""

    people: PersonColumns
    rejected: tuple[RejectedPerson, ...]

    def first_profiles(self) -> list[tuple[int, Profile]]:
        """(line, profile) of each profile's first person here: the run orders requirements by them."""
        if len(self.people) == 0:
            return []
        _, first = np.unique(self.people.profile, return_index=True)
        return [(int(self.people.line[row]), self.people.profiles[int(self.people.profile[row])]) for row in first.tolist()]


@attrs.frozen
class PartOutcome:
    """What a partition reports back: small counts only (its results are in its files)."""

    index: int
    summary: dict[str, int]
    tally: RecordTally
    rejected: tuple[RejectedPerson, ...]
    assumed: dict[tuple[str, str], tuple[int, list[tuple[int, str]]]]  # (column, value) -> (people, first (line, id))
    usable_people: int


def _cells(raw: pa.Table, display: str) -> Table:
    """A partition's rows as the cells of one file, with their lines in the dataset."""
    lines = raw.column(LINE).to_numpy().astype(np.int64)
    lines.flags.writeable = False
    table = table_from_arrow(raw.drop_columns([LINE]), display)
    return attrs.evolve(table, lines=lines)


def prepare_persons(
    slices: Sequence[pa.Table], display: str, sha256: str, payload: bytes, unit_level_default: str | None
) -> PreparedPersons:
    """The partition's persons normalised (duplicate ids meet here: they hash alike)."""
    rules = rules_on_worker(sha256, payload)
    table = _cells(gathered(slices), display)
    people, rejected = normalise_persons(table, unit_level_default=unit_level_default, regions=rules.regions)
    return PreparedPersons(people, tuple(rejected))


def first_profiles(prepared: PreparedPersons) -> list[tuple[int, Profile]]:
    return prepared.first_profiles()


def evaluate_partition(
    prepared: PreparedPersons,
    record_slices: Sequence[pa.Table],
    repeats: Sequence[dict[int, Problem]],
    *,
    sha256: str,
    payload: bytes,
    requirement_ids: tuple[str, ...],
    display: str,
    out: str,
    index: int,
    max_record_amount: float | str | None,
) -> PartOutcome:
    """Decide the partition's records and write its people and records parts (each whole or not at all)."""
    rules = rules_on_worker(sha256, payload)
    table = _cells(gathered(record_slices), display)
    duplicates = local_repeats(np.asarray(table.lines), repeats)
    columns = normalise_records(table, rules, duplicates=duplicates, max_record_amount=max_record_amount)
    ledger = evaluate_columns(rules, prepared.people, columns)
    result = batch_result(rules, requirement_ids, prepared, ledger, table)
    people = result.people_table().append_column("line", pa.array(prepared.people.line, type=pa.int64()))
    records = result.records_table()
    records = records.append_column("person_id", as_arrow(table.column("person_id")))
    records = records.append_column("line", pa.array(np.asarray(table.lines), type=pa.int64()))
    write_part(people, Path(out) / PEOPLE, index)
    write_part(records, Path(out) / RECORDS, index)
    tally = RecordTally()
    tally.add(ledger)
    return PartOutcome(
        index=index,
        summary=summary_counts(result.compliant, result.reason, result.credited),
        tally=tally,
        rejected=prepared.rejected,
        assumed=assumed_values(prepared.people),
        usable_people=len(prepared.people),
    )


def batch_result(rules: RuleSet, ids: tuple[str, ...], prepared: PreparedPersons, ledger: Ledger, table: Table) -> BatchResult:
    """The ledger as the batch path gathers a chunk, with the run's requirement columns."""
    n_people = len(prepared.people)
    required, achieved, met = requirement_matrices(n_people, len(ids))
    put_requirements((required, achieved, met), np.arange(n_people), ids, ledger)
    return BatchResult(
        rules=rules,
        person_id=prepared.people.person_id,
        requirement_ids=ids,
        required=required,
        achieved=achieved,
        met=met,
        compliant=np.asarray(met.all(axis=1), dtype=bool),
        record_id=as_arrow(table.column("record_id")),
        reason=ledger.reason,
        credited=ledger.credited,
        person_index=ledger.person_index,
        rejected_persons=prepared.rejected,
    )


def assumed_values(people: PersonColumns) -> dict[tuple[str, str], tuple[int, list[tuple[int, str]]]]:
    """Per (column, value assumed): how many people, and the first few (line, person_id)."""
    found: dict[tuple[str, str], tuple[int, list[tuple[int, str]]]] = {}
    for column, value, mine in assumed_groups(people):
        first = [(int(people.line[row]), str(people.person_id[row])) for row in mine[:EXAMPLES].tolist()]
        found[(column, value)] = (len(mine), first)
    return found


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def write_part(table: pa.Table, folder: Path, index: int) -> Path:
    """One part file, renamed into place when whole: a task retried or killed leaves no half file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / part_name(index)
    with atomic_output(path) as stream:
        pq.write_table(table, stream, compression="zstd")
    return path
