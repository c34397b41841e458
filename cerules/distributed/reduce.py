"""The partitions' counts reduced to the run's: the summary, the data-quality report, the rejected persons.

Counts add up; the examples of assumed values are the first in the dataset's line order; the
orders are those of the single-machine report (most frequent first, then by name).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..evaluation.quality import EXAMPLES, WHOLE_ROW, AssumedValue, DataQuality, RecordTally
from ..inputs.normalise import RejectedPerson
from ..kernel import reasons as R
from .partition import PartOutcome


def summary(outcomes: Sequence[PartOutcome]) -> dict[str, int]:
    """The contract's summary of the whole run (every count adds up over partitions)."""
    total: Counter[str] = Counter()
    for outcome in outcomes:
        total.update(outcome.summary)
    return {key: int(total[key]) for key in ("people", "compliant", "records", "credited", "rejected")}


def rejected_persons(outcomes: Sequence[PartOutcome]) -> list[RejectedPerson]:
    """Every rejected person row, in line order."""
    return sorted((entry for outcome in outcomes for entry in outcome.rejected), key=lambda entry: entry.line)


def data_quality(outcomes: Sequence[PartOutcome]) -> DataQuality:
    """The data-quality report of the whole dataset, as one machine would have counted it."""
    tally = RecordTally()
    for outcome in outcomes:
        tally.rows += outcome.tally.rows
        tally.reasons.update(outcome.tally.reasons)
        tally.columns.update(outcome.tally.columns)
    rejected = rejected_persons(outcomes)
    by_column = Counter(entry.problem.column or WHOLE_ROW for entry in rejected)
    return DataQuality(
        person_rows=sum(outcome.usable_people for outcome in outcomes) + len(rejected),
        record_rows=tally.rows,
        rejected_persons=_by_count(by_column),
        rejected_records={R.NAMES[code]: tally.reasons[code] for code in sorted(tally.reasons) if tally.reasons[code]},
        invalid_columns=_by_count(tally.columns),
        assumed=_assumed(outcomes),
    )


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return {name: counts[name] for name in sorted(counts, key=lambda name: (-counts[name], name))}


def _assumed(outcomes: Sequence[PartOutcome]) -> tuple[AssumedValue, ...]:
    people: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for outcome in outcomes:
        for key, (count, examples) in outcome.assumed.items():
            people[key] += count
            first.setdefault(key, []).extend(examples)
    columns = list(dict.fromkeys(column for column, _ in sorted(people)))
    return tuple(
        AssumedValue(column, value, people[(column, value)], tuple(pid for _, pid in sorted(first[(column, value)])[:EXAMPLES]))
        for column in columns
        for value in sorted(value for c, value in people if c == column)
    )
