"""The ledger: every record's disposition and every person's requirements, which every view reads.

The explain view of one person and the batch view of a cohort both read this one outcome, so
one at a time or all together the numbers are the same.
"""

from __future__ import annotations

import functools

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.hours import fine_to_hundredths
from ..inputs.normalise import PersonColumns, RecordColumns
from ..rules.ruleset import RuleSet
from . import reasons as R
from .compile import CompiledPolicies


def counts(reason: np.ndarray, credited: np.ndarray) -> np.ndarray:
    """Which records count: credited in full, or cut by a cap but not to nothing."""
    return (reason == R.CREDITED) | ((reason == R.CAP_EXCEEDED) & (credited > 0))


def summary_counts(compliant: np.ndarray, reason: np.ndarray, credited: np.ndarray) -> dict[str, int]:
    """The contract's `summary`: people, compliant, records, credited, rejected."""
    counted = int(counts(reason, credited).sum())
    return {
        "people": len(compliant),
        "compliant": int(compliant.sum()),
        "records": len(reason),
        "credited": counted,
        "rejected": len(reason) - counted,
    }


@attrs.frozen
class Ledger:
    """The outcome for a cohort: every record's disposition and every person's requirements."""

    year: int
    rules: RuleSet
    persons: PersonColumns
    records: RecordColumns
    compiled: CompiledPolicies
    person_index: np.ndarray  # int64 [record], -1 when no such person
    subject: np.ndarray  # int8 [record], after course lists; -1 when invalid
    exact_hours: np.ndarray  # int64 [record], FINE units (ten-thousandths), after course lists
    topic: np.ndarray  # int32 [record], after course lists
    listed: np.ndarray  # int32 [record], index into compiled.listed, -1 when not a listed course
    reason: np.ndarray  # int8 [record], see reasons
    credited: np.ndarray  # int64 [record], hundredths of an hour, each rounded half up for display
    required: np.ndarray  # int64 [person, requirement], hundredths, -1 when it does not apply
    achieved: np.ndarray  # int64 [person, requirement], hundredths: the exact total rounded half up once
    met: np.ndarray  # bool [person, requirement]
    compliant: np.ndarray  # bool [person]

    @functools.cached_property
    def hours(self) -> np.ndarray:
        """int64 [record]: each record's hours after course lists, in hundredths (rounded half up), as shown."""
        return fine_to_hundredths(self.exact_hours)

    @property
    def status_credited(self) -> np.ndarray:
        """Records that count (a record cut by a cap but not to nothing still counts)."""
        return counts(self.reason, self.credited)

    @functools.cached_property
    def records_by_person(self) -> tuple[np.ndarray, np.ndarray]:
        """Record positions grouped by person, each person's in ledger order, and group offsets."""
        rec = self.records
        order = np.lexsort((rec.line, _string_rank(rec.record_id), rec.timestamp, rec.invalid, self.person_index))
        order = order[self.person_index[order] >= 0]
        offsets = np.searchsorted(self.person_index[order], np.arange(len(self.persons) + 1))
        return order, offsets

    def record_positions(self, person: int) -> np.ndarray:
        order, offsets = self.records_by_person
        return order[offsets[person] : offsets[person + 1]]

    @property
    def rejected_input(self) -> np.ndarray:
        """Positions of records that belong to no person, in file order."""
        return np.flatnonzero(self.person_index < 0)


def _string_rank(values: pa.Array) -> np.ndarray:
    """Rank of each string (missing first), for ordering independent of input order."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = pc.rank(pc.fill_null(values, ""), sort_keys="ascending", tiebreaker="dense")
    return ranks.to_numpy(zero_copy_only=False).astype(np.int64)
