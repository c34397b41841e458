"""Impact of a draft: the baseline rules and the draft rules on the same cohort, side by side.

    baseline = Baseline(rules, cohort)          # evaluated once; inputs normalised once
    result = baseline.impact(draft.apply(rules))  # only the draft is evaluated
    result.summary()                            # compliant people before and after, flips…
    result.by("city"); result.flips; result.shortfall; result.changed_records
    result.chart()                              # compliance by city, before and after

`impact(baseline_rules, draft_rules, cohort)` does the same in one call. Each table is an
`ImpactTable` (HTML in notebooks, `to_pandas()`, `to_arrow()`); the impact itself renders as
HTML and gives one row per person with `to_pandas()`.

For speed the inputs are normalised once and kept: a draft that leaves the catalogues
(subjects, platforms, topics, course lists) alone is evaluated straight from the kept typed
columns by the kernel the batch path uses, one pass over the cohort, so a change to a 100,000
person cohort shows in well under a second (see benchmarks/bench_impact.py). A draft that adds
catalogue entries has its records normalised again (and kept too).

The tables by group are built in `breakdown.py`; their text and HTML, and the chart, come from
`cerules.render`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from ..evaluation.batch import BatchResult, PreparedCohort, evaluate_batch
from ..inputs.columns import as_arrow
from ..inputs.normalise import RecordColumns, normalise_records
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.run import evaluate_columns
from ..render.chart import Chart, compliance_chart
from ..render.html import impact_html
from ..render.table import impact_summary_line
from ..rules.model import Catalog, Profile
from ..rules.ruleset import RuleSet
from .breakdown import (
    DIMENSIONS,
    SHORTFALL_BINS,
    Grouping,
    attribute_grouping,
    by_group,
    changed_records_table,
    department_grouping,
    flips_table,
    shortfall_table,
)
from .tables import ImpactTable, pandas_module

CACHE_RECORDS_UP_TO = 6_000_000
"""Cohorts with at most this many records keep their typed record columns between evaluations."""


# --- the cohort, kept ---------------------------------------------------------------------------


def _tables(cohort: Any) -> tuple[Any, Any]:
    if hasattr(cohort, "persons") and hasattr(cohort, "records"):
        return cohort.persons, cohort.records
    if isinstance(cohort, Sequence) and len(cohort) == 2:
        return cohort[0], cohort[1]
    raise TypeError("expected a cohort: a cerules.synth.Cohort, or (persons, records) tables, rows or DataFrames")


def _encode(values: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    array = pa.array(values, type=pa.string()).dictionary_encode()
    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, array.dictionary.to_pylist()


class Baseline:
    """A cohort evaluated under the baseline rules, kept ready to compare drafts against.

    The persons are normalised once and, unless the cohort is very large, the typed record
    columns are kept for each set of catalogues seen, so evaluating a draft is one pass of the
    kernel over the cohort.
    """

    def __init__(self, rules: RuleSet, cohort: Any, *, cache_records: bool | None = None) -> None:
        prepared = PreparedCohort(*_tables(cohort), regions=rules.regions)
        self.rules = rules
        self.person_table, self.record_table = prepared.person_table, prepared.record_table
        self.people, self.rejected_persons = prepared.people, prepared.rejected_persons
        self.cache_records = len(self.record_table) <= CACHE_RECORDS_UP_TO if cache_records is None else cache_records
        self._normalised: list[tuple[Catalog, RecordColumns]] = []
        self._person_index: dict[int, np.ndarray] = {}
        self._groups: dict[str, tuple[np.ndarray, list[str | None]]] = {}
        self.result = self.evaluate(rules)

    @classmethod
    def _sharing(cls, other: Baseline, rules: RuleSet) -> Baseline:
        self = cls.__new__(cls)
        self.__dict__.update({key: value for key, value in other.__dict__.items() if key != "result"})
        self.rules = rules
        self.result = self.evaluate(rules)
        return self

    def with_rules(self, rules: RuleSet) -> Baseline:
        """The same cohort under other baseline rules (other plugins, say), sharing the kept inputs."""
        return self if rules is self.rules else Baseline._sharing(self, rules)

    def __len__(self) -> int:
        return len(self.people)

    def _records(self, rules: RuleSet) -> RecordColumns | None:
        if not self.cache_records:
            return None
        catalog = rules.catalog
        for known, columns in self._normalised:
            if known == catalog:
                return columns
        columns = normalise_records(self.record_table, rules)
        self._normalised.append((catalog, columns))
        return columns

    def evaluate(self, rules: RuleSet) -> BatchResult:
        """The cohort under some rules, as the batch path gives it."""
        columns = self._records(rules)
        if columns is None:
            return evaluate_batch(rules, self.person_table, self.record_table)
        known = self._person_index.get(id(columns))
        ledger = evaluate_columns(rules, self.people, columns, person_index=known)
        self._person_index.setdefault(id(columns), ledger.person_index)  # the join of records to persons, kept
        return BatchResult(
            rules=rules,
            person_id=ledger.persons.person_id,
            requirement_ids=ledger.compiled.requirement_ids,
            required=ledger.required,
            achieved=ledger.achieved,
            met=ledger.met,
            compliant=np.asarray(ledger.compliant, dtype=bool),
            record_id=as_arrow(self.record_table.column("record_id")),
            reason=ledger.reason,
            credited=ledger.credited,
            person_index=ledger.person_index,
            rejected_persons=self.rejected_persons,
        )

    def vocabulary(self, kind: str) -> tuple[str, ...]:
        """The `platforms` or `topics` codes the cohort's records use (as the baseline's catalogues read them)."""
        columns = self._records(self.rules)
        if columns is None:
            return ()
        return tuple(code for code in getattr(columns, kind) if code)

    def groups(self, dimension: str) -> tuple[np.ndarray, list[str | None]]:
        """Per person, the index of their value of a person attribute, and the values."""
        if dimension not in self._groups:
            self._groups[dimension] = _encode(self.people.attributes[dimension])
        return self._groups[dimension]

    def impact(self, draft_rules: Any) -> Impact:
        """The draft rules (a RuleSet, or a Draft applied to the baseline rules) against the baseline."""
        if not isinstance(draft_rules, RuleSet):
            draft_rules = draft_rules.apply(self.rules)
        return Impact(self, self.result, self.evaluate(draft_rules))


def impact(baseline_rules: RuleSet, draft_rules: Any, cohort: Any) -> Impact:
    """Baseline and draft rules on the same cohort (a synth.Cohort, (persons, records), or a Baseline)."""
    if isinstance(cohort, Baseline):
        baseline = cohort.with_rules(baseline_rules)
    else:
        baseline = Baseline(baseline_rules, cohort)
    return baseline.impact(draft_rules)


# --- the impact -------------------------------------------------------------------------------


def _plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows with NaN (an empty group's rate) as None, for JSON."""
    return [{key: (None if isinstance(value, float) and value != value else value) for key, value in row.items()} for row in rows]


def _units(rules: RuleSet, profiles: Sequence[Profile], requirement_ids: Sequence[str]) -> list[str]:
    found: dict[str, str] = {}
    for profile in profiles:
        for requirement in rules.resolve(profile).requirements:
            found.setdefault(requirement.id, requirement.unit)
    return [found.get(requirement_id, "hours") for requirement_id in requirement_ids]


def hours_shortfall(result: BatchResult, profiles: Sequence[Profile]) -> np.ndarray:
    """Per person, hundredths of an hour short: for each subject the largest gap among its
    requirements in hours (hours towards a sub-requirement count towards its subject too), added
    over subjects. Requirements in other units (credits) are left out."""
    units = _units(result.rules, profiles, result.requirement_ids)
    total = np.zeros(len(result.person_id), dtype=np.int64)
    subjects: dict[str, list[int]] = {}
    for r, requirement_id in enumerate(result.requirement_ids):
        if units[r] == "hours":
            subjects.setdefault(requirement_id.split(".")[0], []).append(r)
    for columns in subjects.values():
        required = result.required[:, columns]
        gap = np.where(required == NOT_APPLICABLE, 0, np.maximum(required - result.achieved[:, columns], 0))
        total += gap.max(axis=1) if gap.shape[1] else 0
    return total


class Impact:
    """What a draft changes for a cohort: compliance before and after, who flips, where, by how much."""

    def __init__(self, baseline: Baseline, before: BatchResult, after: BatchResult) -> None:
        self._cohort = baseline  # the cohort compared on, kept (a Baseline)
        self.baseline = before
        """The cohort under the baseline rules (a BatchResult)."""
        self.draft = after
        """The cohort under the draft rules (a BatchResult)."""
        self.before = before.compliant
        """Per person (in input order), compliant under the baseline rules."""
        self.after = after.compliant
        """Per person, compliant under the draft rules."""
        self.person_id = before.person_id

    # --- headline numbers ---

    @property
    def people(self) -> int:
        return len(self.person_id)

    @cached_property
    def pass_to_fail(self) -> np.ndarray:
        """Ids of the people compliant before and not after, in input order."""
        return self.person_id[self.before & ~self.after]

    @cached_property
    def fail_to_pass(self) -> np.ndarray:
        """Ids of the people not compliant before and compliant after, in input order."""
        return self.person_id[~self.before & self.after]

    @cached_property
    def changed_positions(self) -> np.ndarray:
        """Positions (in input order) of the records whose status, reason or credited hours change."""
        before, after = self.baseline, self.draft
        changed = (before.reason != after.reason) | (before.credited != after.credited)
        return np.flatnonzero(changed | (before.status_credited != after.status_credited))

    def summary(self) -> dict[str, Any]:
        """People, compliant before and after (counts and rates), flips and records whose disposition changed."""
        people = self.people
        before, after = int(self.before.sum()), int(self.after.sum())
        return {
            "people": people,
            "compliant_before": before,
            "compliant_after": after,
            "rate_before": before / people if people else float("nan"),
            "rate_after": after / people if people else float("nan"),
            "pass_to_fail": int((self.before & ~self.after).sum()),
            "fail_to_pass": int((~self.before & self.after).sum()),
            "records": len(self.baseline.reason),
            "records_changed": len(self.changed_positions),
        }

    def summary_line(self, lang: str = "zh") -> str:
        return impact_summary_line(self, lang)

    def to_document(self, lang: str = "zh") -> dict[str, Any]:
        """The impact as plain data (JSON): the summary, who flips and how compliance moves per group.

        Rates of an empty cohort are `None` (JSON has no NaN); `lang` chooses the wording of a
        summary line and of group names where a group has them in two languages.
        """
        summary = {key: (None if isinstance(value, float) and value != value else value) for key, value in self.summary().items()}
        return {
            "summary": summary,
            "summary_line": self.summary_line(lang),
            "rules": {"baseline": self.baseline.rules.sha256, "draft": self.draft.rules.sha256},
            "pass_to_fail": [str(person) for person in self.pass_to_fail],
            "fail_to_pass": [str(person) for person in self.fail_to_pass],
            "by": {dimension: _plain_rows(table.rows()) for dimension, table in self.breakdowns().items()},
            "changed_record_ids": self.changed_record_ids,
        }

    def __repr__(self) -> str:
        return f"<Impact {self.summary_line('en')}>"

    # --- per person ---

    @cached_property
    def shortfall_before(self) -> np.ndarray:
        """Per person, hours short under the baseline (see `hours_shortfall`)."""
        return hours_shortfall(self.baseline, self._cohort.people.profiles) / 100

    @cached_property
    def shortfall_after(self) -> np.ndarray:
        return hours_shortfall(self.draft, self._cohort.people.profiles) / 100

    @cached_property
    def _department(self) -> Grouping:
        return department_grouping((self.baseline.rules, self.draft.rules), self._cohort.people)

    def grouping(self, dimension: str) -> Grouping:
        """Group index per person, and per group its value, its zh name and its en name, in display order."""
        return self._department if dimension == "department" else attribute_grouping(self._cohort, dimension)

    # --- tables ---

    def by(self, dimension: str) -> ImpactTable:
        """Compliance before and after per group of people: `city`, `unit_level`, `department` or `title_series`."""
        return by_group(self, dimension)

    def breakdowns(self) -> dict[str, ImpactTable]:
        """`by(...)` for every dimension."""
        return {dimension: self.by(dimension) for dimension in DIMENSIONS}

    @property
    def by_city(self) -> ImpactTable:
        return self.by("city")

    @cached_property
    def flips(self) -> ImpactTable:
        """The people whose verdict changes, in input order, with where they are and their shortfall."""
        return flips_table(self)

    @cached_property
    def shortfall(self) -> ImpactTable:
        """How many people are how many hours short, before and after (bins: `SHORTFALL_BINS`)."""
        return shortfall_table(self)

    @cached_property
    def changed_records(self) -> ImpactTable:
        """The records whose status, reason or credited hours change, in input order."""
        return changed_records_table(self)

    @property
    def changed_record_ids(self) -> list[str]:
        return self.baseline.record_id.take(pa.array(self.changed_positions, type=pa.int64())).to_pylist()

    # --- views ---

    def chart(self, lang: str = "en", dimension: str = "city") -> Chart:
        """Compliance rate by city (or another dimension), before and after, as grouped bars."""
        title = None
        if dimension != "city":
            title = f"{'达标率' if lang == 'zh' else 'Compliance'} · {dimension}"
        return compliance_chart(self.by(dimension), lang=lang, title=title)

    def to_pandas(self) -> Any:
        """One row per person: where they are, compliant before and after, and hours short before and after."""
        pandas = pandas_module()
        columns: dict[str, Any] = {"person_id": self.person_id}
        for dimension in DIMENSIONS:
            group, values, *_ = self.grouping(dimension)
            columns[dimension] = pandas.Categorical.from_codes(group, categories=values) if len(values) else []
        columns.update(
            compliant_before=self.before,
            compliant_after=self.after,
            shortfall_before=self.shortfall_before,
            shortfall_after=self.shortfall_after,
        )
        frame = pandas.DataFrame(columns)
        frame["flip"] = np.where(self.before == self.after, "", np.where(self.before, "pass→fail", "fail→pass"))
        return frame

    def html(self, *, rows: int = 20) -> str:
        return impact_html(self, rows)

    def _repr_html_(self) -> str:
        return self.html()


__all__ = [
    "CACHE_RECORDS_UP_TO",
    "DIMENSIONS",
    "SHORTFALL_BINS",
    "Baseline",
    "Chart",
    "Impact",
    "ImpactTable",
    "compliance_chart",
    "hours_shortfall",
    "impact",
]
