"""A cohort over several years, as a title application reads it: each year's verdict under that
year's rules, the requirements that count over a window of years, and the layers behind them.

The inputs are read once; each year is evaluated on the same persons and records with the rules
of that year (records of other years are refused as `out_of_year`, which is a verdict of that year
and not a fault of the input). A year the rule pack has no rules for is no error: a five-year view
reaching back before the first published rules is normal, and such a year says "no rules".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ..base.text import Text
from ..base.version import __version__
from ..inputs.normalise import RejectedPerson, normalise_persons
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.ledger import Ledger
from ..plugins.loading import PackChoice, Rules, choose_pack, load_rules
from ..plugins.manager import Plugins
from ..render.history import history_html
from ..rules import Layer, RulesError, RuleSet, load_layer
from ..rules.model import Provenance
from ..rules.packs import Pack
from ..rules.ruleset import Window
from .cohort import Evaluation, Source, evaluate, input_tables
from .explain import RequirementOutcome
from .quality import DataQuality

DEFAULT_YEARS = range(2019, 2024)
"""The five years a title application looks at, by default."""


@attrs.frozen
class YearRequirement:
    """One requirement of one person in one year: how far they got, over which years, set by whom."""

    outcome: RequirementOutcome
    window: Window
    window_provenance: Provenance | None = None

    @property
    def id(self) -> str:
        return self.outcome.id

    @property
    def met(self) -> bool:
        return self.outcome.met

    @property
    def spans_years(self) -> bool:
        """Does it count over more than the calendar year (a window requirement)?"""
        return self.window.years > 1

    def to_dict(self) -> dict[str, Any]:
        """The contract's requirement entry, with the file that set it and the years it counts over."""
        entry = self.outcome.to_dict() | {"file": self.outcome.provenance.file}
        entry["window"] = {"first_year": self.window.first_year, "last_year": self.window.last_year, "years": self.window.years}
        if self.window_provenance is not None:
            entry["window"] |= {"set_by": self.window_provenance.layer, "citation": self.window_provenance.citation}
        return entry


@attrs.frozen
class YearVerdict:
    """One person's year: compliant or not under that year's rules, or no rules for the year."""

    year: int
    compliant: bool | None
    """None when the pack has no rules for the year."""
    requirements: tuple[YearRequirement, ...] = ()

    @property
    def has_rules(self) -> bool:
        return self.compliant is not None

    @property
    def status(self) -> str:
        """`compliant`, `not_compliant` or `no_rules`."""
        return "no_rules" if self.compliant is None else "compliant" if self.compliant else "not_compliant"

    @property
    def unmet(self) -> tuple[YearRequirement, ...]:
        return tuple(r for r in self.requirements if not r.met)

    def layers(self) -> list[dict[str, Any]]:
        """The layers that set this year's requirements: id, rank, file, plugin and their citations."""
        found: dict[str, dict[str, Any]] = {}
        for requirement in self.requirements:
            for p in filter(None, (requirement.outcome.provenance, requirement.window_provenance)):
                entry = found.setdefault(p.layer, {"id": p.layer, "rank": p.rank, "file": p.file, "plugin": p.plugin, "citations": []})
                if p.citation and p.citation not in entry["citations"]:
                    entry["citations"].append(p.citation)
        return list(found.values())

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"year": self.year, "status": self.status}
        if self.has_rules:
            entry |= {
                "compliant": self.compliant,
                "unmet": [r.id for r in self.unmet],
                "requirements": [r.to_dict() for r in self.requirements],
                "layers": self.layers(),
            }
        return entry


@attrs.frozen
class PersonHistory:
    """One person over the years asked for, and the window requirements of the last year with rules."""

    person_id: str
    years: tuple[YearVerdict, ...]
    defaults: tuple[tuple[str, str], ...] = ()
    """(attribute, value assumed) for values the persons file left blank."""

    def year(self, year: int) -> YearVerdict:
        for verdict in self.years:
            if verdict.year == year:
                return verdict
        raise KeyError(year)

    @property
    def met_every_year(self) -> bool | None:
        """Compliant in every year with rules; None when no year asked for has rules."""
        judged = [verdict.compliant for verdict in self.years if verdict.has_rules]
        return all(judged) if judged else None

    @property
    def windows(self) -> tuple[YearRequirement, ...]:
        """The requirements of the last year with rules that count over more than one year."""
        judged = [verdict for verdict in self.years if verdict.has_rules]
        return tuple(r for r in judged[-1].requirements if r.spans_years) if judged else ()

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "person_id": self.person_id,
            "met_every_year": self.met_every_year,
            "years": [verdict.to_dict() for verdict in self.years],
            "windows": [r.to_dict() | {"year": self._last_year()} for r in self.windows],
        }
        if self.defaults:
            entry["defaults"] = dict(self.defaults)
        return entry

    def _last_year(self) -> int | None:
        return next((verdict.year for verdict in reversed(self.years) if verdict.has_rules), None)


@attrs.frozen
class History:
    """A cohort's verdicts over several years, each year under its own rules (or none)."""

    years: tuple[int, ...]
    pack: Pack
    evaluations: Mapping[int, Evaluation]
    """The years with rules, each evaluated on the same inputs."""
    no_rules: Mapping[int, Text]
    """The years without rules, each with the sentence that says so."""
    person_ids: tuple[str, ...]
    defaults: Mapping[str, tuple[tuple[str, str], ...]]
    rejected_persons: tuple[RejectedPerson, ...]
    """Person rows that cannot be used (a bad city or unit level, say): the same in every year, reported once."""
    _rows: dict[int, dict[str, int]] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    """Each year's ledger row of each person id, found once."""

    @property
    def years_with_rules(self) -> tuple[int, ...]:
        return tuple(year for year in self.years if year in self.evaluations)

    @property
    def last_year_with_rules(self) -> int | None:
        years = self.years_with_rules
        return years[-1] if years else None

    def rules(self, year: int) -> RuleSet | None:
        """The rules of a year, or None when the pack has none for it."""
        evaluation = self.evaluations.get(year)
        return evaluation.rules if evaluation is not None else None

    def __len__(self) -> int:
        return len(self.person_ids)

    def __iter__(self) -> Iterator[PersonHistory]:
        for person_id in self.person_ids:
            yield self._person(person_id)

    def person(self, person_id: str) -> PersonHistory:
        """One person's years."""
        if person_id not in self.defaults:
            raise KeyError(person_id)
        return self._person(person_id)

    def _row(self, year: int) -> dict[str, int]:
        """The ledger row of each person id in a year with rules."""
        if year not in self._rows:
            ids = self.evaluations[year].ledger.persons.person_id.tolist()
            self._rows[year] = {str(pid): row for row, pid in enumerate(ids)}
        return self._rows[year]

    def _person(self, person_id: str) -> PersonHistory:
        verdicts = []
        for year in self.years:
            evaluation = self.evaluations.get(year)
            if evaluation is None:
                verdicts.append(YearVerdict(year, None))
            else:
                verdicts.append(_verdict(evaluation.ledger, self._row(year)[person_id]))
        return PersonHistory(person_id, tuple(verdicts), self.defaults[person_id])

    def summary(self) -> dict[str, Any]:
        """People, how many met every year with rules, and each year's counts (or that it has no rules)."""
        met_every_year = int(self._met_every_year().sum())
        per_year = []
        for year in self.years:
            evaluation = self.evaluations.get(year)
            per_year.append(
                {"year": year, "status": "no_rules"} if evaluation is None else {"year": year, "status": "rules", **evaluation.summary()}
            )
        return {
            "people": len(self),
            "years_with_rules": list(self.years_with_rules),
            "met_every_year": met_every_year if self.years_with_rules else None,
            "years": per_year,
        }

    def _met_every_year(self) -> np.ndarray:
        """bool [person]: compliant in every year with rules (vectorised: a province has millions)."""
        met = np.ones(len(self.person_ids), dtype=bool)
        for year, evaluation in self.evaluations.items():
            rows = self._row(year)
            met &= evaluation.ledger.compliant[np.array([rows[pid] for pid in self.person_ids], dtype=np.int64)]
        return met

    def data_quality(self) -> DataQuality | None:
        """What of the input could not be used, read under the rules of the last year with rules."""
        last = self.last_year_with_rules
        return None if last is None else self.evaluations[last].data_quality()

    def rules_entries(self, lang: str = "zh") -> list[dict[str, Any]]:
        """Each year's rules: the digest and the layers (with their files and years), or why there are none."""
        entries = []
        for year in self.years:
            evaluation = self.evaluations.get(year)
            if evaluation is None:
                entries.append({"year": year, "status": "no_rules", "message": self.no_rules[year].in_lang(lang)})
                continue
            rules = evaluation.rules
            entry = {"year": year, "status": "rules", **rules.document_entry()}
            files = {layer.id: layer for layer in rules.layers}
            entry["layers"] = [
                summary | {"file": files[summary["id"]].file, "years": files[summary["id"]].years_text} for summary in entry["layers"]
            ]
            entries.append(entry)
        return entries

    def to_document(self, lang: str = "zh") -> dict[str, Any]:
        """The history document (docs/contract.md, `cerules history`)."""
        last = self.last_year_with_rules
        document: dict[str, Any] = {
            "years": list(self.years),
            "pack": self.pack.id,
            "rules": self.rules_entries(lang),
            "engine": {"name": "cerules", "version": __version__},
            "people": [person.to_dict() for person in self],
            "summary": self.summary(),
            "rejected_persons": [rejected.to_dict(lang) for rejected in self.rejected_persons],
            "rejected_input": [] if last is None else self.evaluations[last].rejected_input_entries(lang),
        }
        quality = self.data_quality()
        if quality is not None:
            document["data_quality"] = quality.to_dict()
        return document

    def __repr__(self) -> str:
        s = self.summary()
        judged = ", ".join(map(str, self.years_with_rules)) or "none"
        return f"<History {self.years[0]}–{self.years[-1]} ({self.pack.id}): {s['people']} people, years with rules: {judged}>"

    def _repr_html_(self) -> str:
        return history_html(self)


def history(
    persons: Source,
    records: Source,
    years: Iterable[int] = DEFAULT_YEARS,
    *,
    pack: PackChoice = None,
    plugins: bool | Sequence[Any] = True,
    rules: Rules | Sequence[Rules] = (),
    skip: str | Iterable[str] = (),
    strict: bool = False,
    unit_level_default: str | None = None,
    max_record_amount: float | str | None = None,
) -> History:
    """Evaluate a cohort in each of `years`, each under that year's rules, reading the inputs once.

    `pack`, `plugins`, `rules` and `skip` choose the rules as `cerules.load_rules` does, the same
    pack for every year; a draft (`rules`) applies to the years it covers (a draft that names no
    years, to all). A year the pack has no rules for is kept as "no rules"; any other problem with
    the rules is raised. `strict`, `unit_level_default` and `max_record_amount` are
    `cerules.evaluate`'s.
    """
    asked = tuple(sorted(set(years)))
    if not asked:
        raise ValueError("history() needs at least one year")
    the_pack = choose_pack(pack, _plugins(plugins, skip))
    drafts = [_draft(extra) for extra in ((rules,) if isinstance(rules, (str, os.PathLike, Layer)) else rules)]
    person_table, record_table = input_tables(persons, records)
    person_columns, rejected = normalise_persons(person_table, unit_level_default=unit_level_default, regions=the_pack.regions)
    evaluations: dict[int, Evaluation] = {}
    no_rules: dict[int, Text] = {}
    for year in asked:
        try:
            year_rules = load_rules(year, rules=[d for d in drafts if d.applies_to_year(year)], plugins=plugins, skip=skip, pack=the_pack)
        except RulesError as exc:
            if not _is_no_rules(exc, the_pack, year):
                raise
            no_rules[year] = Text(
                f"规则包 {the_pack.id}（{the_pack.name.zh}）没有 {year} 年度的规则（已有年度：{the_pack.years_text}）",
                f"rule pack {the_pack.id} ({the_pack.name.en}) has no rules for {year} (years: {the_pack.years_text})",
            )
            continue
        evaluations[year] = evaluate(
            year_rules,
            person_table,
            record_table,
            strict=strict,
            unit_level_default=unit_level_default,
            max_record_amount=max_record_amount,
        )
    person_ids = tuple(str(pid) for pid in person_columns.person_id.tolist())
    assumed = {
        pid: tuple((name, str(person_columns.attributes[name][i])) for name, mask in person_columns.defaulted.items() if mask[i])
        for i, pid in enumerate(person_ids)
    }
    return History(asked, the_pack, evaluations, no_rules, person_ids, assumed, tuple(rejected))


def _plugins(plugins: bool | Sequence[Any], skip: str | Iterable[str]) -> Plugins:
    """The plugins `load_rules` would use, asked here only for the packs they register."""
    names = (skip,) if isinstance(skip, str) else tuple(skip)
    if plugins is True:
        return Plugins(skip=names)
    if plugins and all(isinstance(plugin, str) for plugin in plugins):
        return Plugins(names=plugins, skip=names)
    if plugins:
        return Plugins(plugins, installed=False)
    return Plugins(installed=False)


def _draft(extra: Rules) -> Layer:
    return extra if isinstance(extra, Layer) else load_layer(extra, default_rank="draft")


def _is_no_rules(error: RulesError, pack: Pack, year: int) -> bool:
    """Is this the pack saying it has no rules for the year (and nothing else wrong)?"""
    expected = pack.no_rules(year)
    return not pack.covers(year) and (error.file, error.key, error.en) == (expected.file, expected.key, expected.en)


def _verdict(ledger: Ledger, person: int) -> YearVerdict:
    """One person's year read off the ledger: each requirement that applies, with its window."""
    policy = ledger.compiled.policies[int(ledger.persons.profile[person])]
    requirements = []
    for r, requirement_id in enumerate(ledger.compiled.requirement_ids):
        required = int(ledger.required[person, r])
        if required == NOT_APPLICABLE:
            continue
        found = next(q for q in policy.requirements if q.id == requirement_id)
        outcome = RequirementOutcome(
            id=requirement_id,
            label=found.label,
            unit=found.unit,
            required=required,
            credited=int(ledger.achieved[person, r]),
            met=bool(ledger.met[person, r]),
            provenance=found.provenance,
            window=found.window if found.window is not None and found.window != Window.of(ledger.year) else None,
            window_provenance=found.window_provenance if found.window is not None and found.window != Window.of(ledger.year) else None,
        )
        window = found.window or Window.of(ledger.year)
        requirements.append(YearRequirement(outcome, window, found.window_provenance))
    return YearVerdict(ledger.year, bool(ledger.compliant[person]), tuple(requirements))


__all__ = ["History", "PersonHistory", "YearRequirement", "YearVerdict", "history"]
