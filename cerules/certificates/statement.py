"""What a certificate states, as data: one person, each year's credited records and totals, the rules behind them.

Nothing is decided here. The inputs are read once and judged by `cerules.history` — each year
under that year's rules, a year without rules kept as such — and a statement only reads the
ledgers: which records were credited and by how much, and each requirement's total with the layer
and citation that set it. The layout (`layout`) turns a statement into words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import pendulum

from ..base.errors import CeruleError
from ..base.hours import fine_to_hundredths
from ..base.instants import SHANGHAI
from ..base.text import Text
from ..base.version import __version__
from ..evaluation.cohort import Source, input_tables
from ..evaluation.history import History, YearRequirement, history
from ..inputs.normalise import normalise_persons
from ..inputs.persons import PersonColumns, RejectedPerson
from ..kernel.ledger import Ledger, counts
from ..plugins.loading import PackChoice, Rules
from ..rules import RuleSet


class CertificateError(CeruleError):
    """A certificate that cannot be issued (no such person, a person whose row is invalid)."""


@attrs.frozen
class PersonDetails:
    """Who the certificate is for, as the persons file gives it (codes; the layout names them)."""

    person_id: str
    city: str | None
    unit_level: str
    title_series: str | None = None
    industry: str | None = None
    specialty: str | None = None
    assumed: tuple[str, ...] = ()
    """Attributes the persons file left blank and whose value was assumed (`unit_level`)."""


@attrs.frozen
class CreditedRecord:
    """One credited record: when, what, where, and how much of it counts."""

    record_id: str | None
    completed_on: dt.date
    """The day it was completed, in Asia/Shanghai."""
    subject: str
    subject_name: Text
    course: str | None
    topic: str | None
    topic_name: Text | None
    platform: str | None
    platform_name: Text | None
    credited: int
    """Hundredths of an hour."""
    credits: int | None = None
    """Hundredths of a credit, for records counted in credits (CME); None otherwise."""
    kind: str | None = None


@attrs.frozen
class YearStatement:
    """One year of a certificate: under rules (records, totals, digest) or stated as having none."""

    year: int
    compliant: bool | None
    """None when the rule pack has no rules for the year."""
    no_rules: Text | None = None
    requirements: tuple[YearRequirement, ...] = ()
    records: tuple[CreditedRecord, ...] = ()
    uncredited: int = 0
    """Records completed in this year (Asia/Shanghai) that were not credited: counted, not listed."""
    rules_sha256: str | None = None
    layers: tuple[str, ...] = ()
    drafts: tuple[str, ...] = ()
    """Layers of draft rank: rules not (yet) published, which a reader must be told of."""
    plugins: tuple[str, ...] = ()
    """The plugins whose layers the year's rules hold (none: the pack's rules alone)."""
    skipped_plugins: tuple[str, ...] = ()
    based_on: int | None = None

    @property
    def has_rules(self) -> bool:
        return self.compliant is not None


@attrs.frozen
class Certificate:
    """A statement of one person's credited continuing-education hours over one or several years."""

    person: PersonDetails
    years: tuple[YearStatement, ...]
    pack_id: str
    pack_name: Text
    city_name: Text
    issued: dt.date
    """The day of issue, in Asia/Shanghai."""
    engine_version: str = __version__
    pack_verified: bool = True
    """False for an illustrative pack built on unverified sources: the certificate must say so."""

    @property
    def years_with_rules(self) -> tuple[int, ...]:
        return tuple(statement.year for statement in self.years if statement.has_rules)

    @property
    def met_every_year(self) -> bool | None:
        """Compliant in every year with rules; None when no year asked for has rules."""
        judged = [statement.compliant for statement in self.years if statement.has_rules]
        return all(judged) if judged else None

    def year(self, year: int) -> YearStatement:
        for statement in self.years:
            if statement.year == year:
                return statement
        raise KeyError(year)


def today_in_shanghai() -> dt.date:
    """The date of issue: today, in Asia/Shanghai, whatever the machine's time zone."""
    now = pendulum.now(SHANGHAI)
    return dt.date(now.year, now.month, now.day)


@attrs.frozen
class Issuer:
    """A cohort judged over the years asked for, from which certificates are issued person by person."""

    history: History
    persons: PersonColumns
    rejected_persons: tuple[RejectedPerson, ...]
    _rows: dict[str, int] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    _ledger_rows: dict[int, dict[str, int]] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    @property
    def person_ids(self) -> tuple[str, ...]:
        """Every usable person of the persons file, in its order."""
        return self.history.person_ids

    @property
    def years(self) -> tuple[int, ...]:
        return self.history.years

    def check(self, person_ids: Iterable[str]) -> None:
        """Refuse, before any file is written, a person the persons file does not hold (or holds invalid)."""
        for person_id in person_ids:
            self._row(person_id)

    def certificate(self, person_id: str, *, issued: dt.date | None = None) -> Certificate:
        """One person's certificate over the years of the history."""
        row = self._row(person_id)
        details = self._details(person_id, row)
        pack = self.history.pack
        years = tuple(self._year(person_id, year) for year in self.history.years)
        return Certificate(
            person=details,
            years=years,
            pack_id=pack.id,
            pack_name=pack.name,
            city_name=Text(pack.regions.city_name(details.city, "zh"), pack.regions.city_name(details.city, "en")),
            issued=issued or today_in_shanghai(),
            pack_verified=pack.verified,
        )

    def __iter__(self) -> Iterator[Certificate]:
        issued = today_in_shanghai()
        for person_id in self.person_ids:
            yield self.certificate(person_id, issued=issued)

    def _row(self, person_id: str) -> int:
        if not self._rows:
            self._rows.update({str(pid): row for row, pid in enumerate(self.persons.person_id.tolist())})
        row = self._rows.get(person_id)
        if row is not None:
            return row
        for rejected in self.rejected_persons:
            if rejected.person_id == person_id:
                problem = rejected.problem.text
                raise CertificateError(
                    f"人员信息中 {person_id} 的数据无效（第 {rejected.line} 行：{problem.zh}），无法出具学时证明",
                    f"person {person_id!r} is in the persons file but invalid (line {rejected.line}: {problem.en}): no certificate",
                )
        raise CertificateError(
            f"人员信息中没有 {person_id}，无法出具学时证明",
            f"no person {person_id!r} in the persons file: no certificate",
        )

    def _details(self, person_id: str, row: int) -> PersonDetails:
        attributes = self.persons.attributes

        def value(name: str) -> str | None:
            column = attributes.get(name)
            found = None if column is None else column[row]
            return None if found is None or found == "" else str(found)

        assumed = tuple(name for name, mask in self.persons.defaulted.items() if mask[row])
        return PersonDetails(
            person_id=person_id,
            city=value("city"),
            unit_level=value("unit_level") or "city",
            title_series=value("title_series"),
            industry=value("industry"),
            specialty=value("specialty"),
            assumed=assumed,
        )

    def _ledger_row(self, year: int, person_id: str) -> int:
        rows = self._ledger_rows.get(year)
        if rows is None:
            ids = self.history.evaluations[year].ledger.persons.person_id.tolist()
            rows = self._ledger_rows[year] = {str(pid): row for row, pid in enumerate(ids)}
        return rows[person_id]

    def _year(self, person_id: str, year: int) -> YearStatement:
        evaluation = self.history.evaluations.get(year)
        if evaluation is None:
            return YearStatement(year, None, no_rules=self.history.no_rules[year])
        ledger, rules = evaluation.ledger, evaluation.rules
        verdict = self.history.person(person_id).year(year)
        credited, uncredited = _records(ledger, rules, self._ledger_row(year, person_id))
        return YearStatement(
            year=year,
            compliant=verdict.compliant,
            requirements=verdict.requirements,
            records=credited,
            uncredited=uncredited,
            rules_sha256=rules.sha256,
            layers=tuple(layer.id for layer in rules.layers),
            drafts=tuple(layer.id for layer in rules.layers if layer.rank == "draft"),
            plugins=tuple(dict.fromkeys(layer.plugin for layer in rules.layers if layer.plugin)),
            skipped_plugins=tuple(rules.skipped_plugins),
            based_on=rules.based_on,
        )


def _records(ledger: Ledger, rules: RuleSet, person: int) -> tuple[tuple[CreditedRecord, ...], int]:
    """A person's credited records in date order, and how many records of the year were not credited."""
    rec = ledger.records
    positions = ledger.record_positions(person)
    credited_mask = counts(ledger.reason[positions], ledger.credited[positions])
    uncredited = int(np.count_nonzero(~credited_mask & (rec.year[positions] == ledger.year)))
    kept = positions[credited_mask]
    order = np.lexsort((rec.line[kept], rec.timestamp[kept]))
    return tuple(_credited(ledger, rules, int(p)) for p in kept[order]), uncredited


def _credited(ledger: Ledger, rules: RuleSet, position: int) -> CreditedRecord:
    rec = ledger.records
    catalog = rules.catalog
    subject = rec.subjects[int(ledger.subject[position])]
    topic = rec.topics[int(ledger.topic[position])] or None
    platform = rec.platforms[int(rec.platform[position])] or None
    course = rec.courses[int(rec.course[position])] if rec.course[position] >= 0 else None
    credits = int(rec.credits[position])
    topic_entry = catalog.entries("topics").get(topic) if topic else None
    platform_entry = catalog.entries("platforms").get(platform) if platform else None
    return CreditedRecord(
        record_id=rec.record_id_at(position),
        completed_on=dt.date.fromordinal(int(rec.day[position])),
        subject=subject,
        subject_name=rules.subject_name(subject),
        course=course or None,
        topic=topic,
        topic_name=topic_entry.name if topic_entry else None,
        platform=platform,
        platform_name=platform_entry.name if platform_entry else None,
        credited=int(ledger.credited[position]),
        credits=fine_to_hundredths(credits) if credits >= 0 else None,
        kind=(rec.kinds[int(rec.kind[position])] or None) if credits >= 0 else None,
    )


def issuer(
    persons: Source,
    records: Source,
    years: Sequence[int],
    *,
    pack: PackChoice = None,
    plugins: bool | Sequence[Any] = True,
    rules: Rules | Sequence[Rules] = (),
    skip: str | Iterable[str] = (),
    unit_level_default: str | None = None,
) -> Issuer:
    """Read the inputs once and judge every year asked for (`cerules.history`), ready to issue certificates.

    `pack`, `plugins`, `rules`, `skip` and `unit_level_default` are `cerules.history`'s.
    """
    person_table, record_table = input_tables(persons, records)
    judged = history(
        person_table,
        record_table,
        years,
        pack=pack,
        plugins=plugins,
        rules=rules,
        skip=skip,
        unit_level_default=unit_level_default,
    )
    columns, rejected = normalise_persons(person_table, unit_level_default=unit_level_default, regions=judged.pack.regions)
    return Issuer(judged, columns, tuple(rejected))


__all__ = ["Certificate", "CertificateError", "CreditedRecord", "Issuer", "PersonDetails", "YearStatement", "issuer", "today_in_shanghai"]
