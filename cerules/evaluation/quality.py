"""The data-quality report: how much of the input could not be used, and which verdicts rest on assumptions.

A verdict is only as good as the rows behind it. Every run counts the input rows that could not
be used — person rows rejected (by the column at fault), records rejected as input (`invalid_record`
by column, `unknown_person`, `invalid_person`) — and the people whose verdict rests on a value
assumed for a blank cell (a blank unit_level read as 市属). Refusals by the rules (out of year, a
platform not accepted, …) are verdicts, not data quality, and are not counted here.

The counts only add up, chunk after chunk, so the streamed document and the whole one agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ..base.errors import BadValue, CeruleError
from ..kernel import reasons as R
from ..rules.vocabulary import unit_level_label

if TYPE_CHECKING:
    from ..inputs.normalise import PersonColumns, RejectedPerson
    from ..kernel.ledger import Ledger

WHOLE_ROW = "(row)"
"""The column named for a row that is broken as a whole (wrong number of fields, not an object)."""

EXAMPLES = 5
"""How many person ids the report names for each assumed value (all are marked in `people`)."""


@attrs.frozen
class AssumedValue:
    """People whose `column` was blank and who were evaluated with `value`: their verdicts rest on it."""

    column: str
    value: str
    people: int
    first_person_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "value": self.value, "people": self.people, "first_person_ids": list(self.first_person_ids)}


@attrs.frozen
class DataQuality:
    """What a run could not use, and what it assumed."""

    person_rows: int
    record_rows: int
    rejected_persons: Mapping[str, int]  # person rows rejected, by the column at fault
    rejected_records: Mapping[str, int]  # records rejected as input, by reason code
    invalid_columns: Mapping[str, int]  # invalid_record rows, by the column at fault
    assumed: tuple[AssumedValue, ...]

    @property
    def input_rows(self) -> int:
        return self.person_rows + self.record_rows

    @property
    def rejected_rows(self) -> int:
        """Input rows that could not be used: rejected person rows and records rejected as input."""
        return sum(self.rejected_persons.values()) + sum(self.rejected_records.values())

    @property
    def clean(self) -> bool:
        """Nothing rejected as input and nothing assumed."""
        return self.rejected_rows == 0 and not self.assumed

    def to_dict(self) -> dict[str, Any]:
        """The document's `data_quality` entry (an extension of the contract): counts and codes, no prose."""
        return {
            "input_rows": {"persons": self.person_rows, "records": self.record_rows},
            "rejected_rows": self.rejected_rows,
            "rejected_persons": {"rows": sum(self.rejected_persons.values()), "by_column": dict(self.rejected_persons)},
            "rejected_records": {
                "rows": sum(self.rejected_records.values()),
                "by_reason": dict(self.rejected_records),
                "by_column": dict(self.invalid_columns),
            },
            "assumed": [value.to_dict() for value in self.assumed],
        }

    def lines(self, lang: str = "zh") -> list[str]:
        """A few lines for people (standard error), in zh or en; none when the input is clean."""
        if self.clean:
            return []
        zh = lang == "zh"
        total, rejected = self.input_rows, self.rejected_rows
        if rejected:
            share = _percent(rejected, total)
            head = (
                f"数据质量：输入的 {total} 行中有 {rejected} 行无法使用（{share}）"
                if zh
                else (f"data quality: {rejected} of {total} input rows could not be used ({share})")
            )
        else:
            head = "数据质量：所有输入行均可使用" if zh else "data quality: every input row could be used"
        lines = [head]
        if self.rejected_persons:
            counts = _counted(self.rejected_persons, lang)
            rows = sum(self.rejected_persons.values())
            lines.append(f"  人员 {rows} 行：{counts}" if zh else f"  persons: {rows} rows ({counts})")
        if self.rejected_records:
            parts = []
            for reason, count in self.rejected_records.items():
                detail = _counted(self.invalid_columns, lang) if reason == "invalid_record" and self.invalid_columns else ""
                if zh:
                    parts.append(f"{reason} {count}" + (f"（{detail}）" if detail else ""))
                else:
                    parts.append(f"{reason} {count}" + (f": {detail}" if detail else ""))
            rows = sum(self.rejected_records.values())
            lines.append(f"  记录 {rows} 行：" + "；".join(parts) if zh else f"  records: {rows} rows (" + "; ".join(parts) + ")")
        for value in self.assumed:
            label = _value_label(value, lang)
            ids = ("、" if zh else ", ").join(value.first_person_ids)
            more = (" 等" if zh else ", …") if value.people > len(value.first_person_ids) else ""
            lines.append(
                f"  {value.people} 人的 {value.column} 未填写，按{label}评估：{ids}{more}"
                if zh
                else f"  {value.people} people have no {value.column}; evaluated as {label}: {ids}{more}"
            )
        return lines


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _counted(counts: Mapping[str, int], lang: str) -> str:
    return ("，" if lang == "zh" else ", ").join(f"{name} {count}" for name, count in counts.items())


def _value_label(value: AssumedValue, lang: str) -> str:
    if value.column == "unit_level":
        return (
            f"{unit_level_label(value.value, 'zh')}（{value.value}）"
            if lang == "zh"
            else f"{value.value} ({unit_level_label(value.value, 'en')})"
        )
    return value.value


def _by_count(counts: Counter[str]) -> dict[str, int]:
    """Most frequent first, then by name: the same counts always give the same order."""
    return {name: counts[name] for name in sorted(counts, key=lambda name: (-counts[name], name))}


@attrs.define
class RecordTally:
    """Records rejected as input, counted chunk by chunk."""

    rows: int = 0
    reasons: Counter[int] = attrs.field(factory=Counter)
    columns: Counter[str] = attrs.field(factory=Counter)

    def add(self, ledger: Ledger) -> None:
        """Count one ledger's (a chunk's, or a whole cohort's) records."""
        reason = ledger.reason
        self.rows += len(reason)
        codes = np.bincount(reason.astype(np.int64), minlength=len(R.NAMES)) if len(reason) else np.zeros(len(R.NAMES), dtype=np.int64)
        for code in R.INPUT_REASONS:
            if codes[code]:
                self.reasons[code] += int(codes[code])
        problems = ledger.records.problems
        for position in np.flatnonzero(reason == R.INVALID_RECORD).tolist():
            problem = problems.get(position)
            self.columns[(problem.column if problem is not None else None) or WHOLE_ROW] += 1


def data_quality(persons: PersonColumns, rejected: Sequence[RejectedPerson], records: RecordTally) -> DataQuality:
    """The report of a run: its usable persons, the person rows rejected, and its records counted."""
    rejected_by_column = Counter(entry.problem.column or WHOLE_ROW for entry in rejected)
    reasons = {R.NAMES[code]: records.reasons[code] for code in sorted(records.reasons) if records.reasons[code]}
    return DataQuality(
        person_rows=len(persons) + len(rejected),
        record_rows=records.rows,
        rejected_persons=_by_count(rejected_by_column),
        rejected_records=reasons,
        invalid_columns=_by_count(records.columns),
        assumed=tuple(_assumed_values(persons)),
    )


def assumed_groups(persons: PersonColumns) -> Iterator[tuple[str, str, np.ndarray]]:
    """(column, value assumed, the positions of the persons it was assumed for), by column and value."""
    for column, mask in persons.defaulted.items():
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            continue
        values = np.asarray([str(v) for v in persons.attributes[column][positions].tolist()], dtype=object)
        for value in sorted(set(values.tolist())):
            yield column, value, positions[values == value]


def _assumed_values(persons: PersonColumns) -> Iterable[AssumedValue]:
    for column, value, mine in assumed_groups(persons):
        ids = tuple(str(pid) for pid in persons.person_id[mine[:EXAMPLES]].tolist())
        yield AssumedValue(column, value, len(mine), ids)


class TooManyRejected(CeruleError):
    """More input rows could not be used than the run allows (`--max-rejected`)."""


@attrs.frozen
class RejectedLimit:
    """How many input rows may be rejected before a run fails: a count, or a fraction of the input rows."""

    count: int | None = None
    fraction: Fraction | None = None
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> RejectedLimit:
        """`50` (rows), `0.05` or `5%` (of the input rows). Refuses anything else."""
        cleaned = text.strip()
        if cleaned.isdigit():
            return cls(count=int(cleaned), text=cleaned)
        percent = cleaned.endswith("%")
        try:
            number = Decimal(cleaned.removesuffix("%"))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number > (100 if percent else 1):
            raise BadValue(
                f"应为行数（如 50）、比例（0 到 1，如 0.05）或百分比（如 5%），实际为 {text!r}",
                f"expected a number of rows (50), a fraction between 0 and 1 (0.05) or a percentage (5%), got {text!r}",
            )
        return cls(fraction=Fraction(number) / (100 if percent else 1), text=cleaned)

    def exceeded_by(self, quality: DataQuality) -> bool:
        """Whether the rejected rows are above the limit (equal is allowed)."""
        rejected = quality.rejected_rows
        if self.count is not None:
            return rejected > self.count
        return self.fraction is not None and rejected > self.fraction * quality.input_rows

    def check(self, quality: DataQuality, where: str) -> None:
        """Raise TooManyRejected, naming the inputs, when the rejected rows are above the limit."""
        if not self.exceeded_by(quality):
            return
        total, rejected, share = quality.input_rows, quality.rejected_rows, _percent(quality.rejected_rows, quality.input_rows)
        raise TooManyRejected(
            f"{where}：输入的 {total} 行中有 {rejected} 行无法使用（{share}），超过 --max-rejected {self.text}",
            f"{where}: {rejected} of {total} input rows could not be used ({share}), above --max-rejected {self.text}",
        )


__all__ = ["AssumedValue", "DataQuality", "RecordTally", "RejectedLimit", "TooManyRejected", "data_quality"]
