"""The evaluation table in words: who meets what, why the others do not, and the cohort by city and reason.

Every cell is text in the chosen language, read off the ledger and named from the rules' own tables
(requirement labels, units, cities, unit levels, reason names); `cerules.render.table.to_table` lays it
out. Requirements that apply to few people are folded into one "other requirements" column, so a
cohort with a department's extra requirements (CME credits for health staff) still fits a terminal.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import attrs
import numpy as np

from ..base.hours import format_amount
from ..base.printable import escape_unsafe as shown
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..rules.schema import unit_name
from .groups import Group, compliance_groups, distinct_codes
from .labels import requirement_names, unit_level_name

if TYPE_CHECKING:  # rendered, never imported: these layers sit above this one
    from ..evaluation.cohort import Evaluation
    from ..kernel.ledger import Ledger

FOLD_BELOW = 0.5
"""A requirement that applies to fewer than this share of the people gets no column of its own."""

UNMET = "✗"
"""How an unmet requirement is marked in its cell."""


@attrs.frozen
class PersonRow:
    """One person's cells, in words; multi-line cells hold one requirement or reason a line."""

    person_id: str
    city: str
    unit_level: str
    main: tuple[str, ...]
    """One cell per main requirement column: `18/30 学时 ✗`, or — when it does not apply."""
    other: str
    """The folded requirements that apply to the person, one a line."""
    compliant: bool
    verdict: str
    why: str
    """For a person who fails: each unmet requirement with its shortfall, one a line; else empty."""
    rejected: str
    """The person's records not (fully) credited, counted by reason, one reason a line."""


@attrs.frozen
class CohortTable:
    """The evaluation table's content: columns, a row per person, the footnote and the summaries."""

    lang: str
    main_titles: tuple[str, ...]
    """A title per main requirement column (the rules' label)."""
    has_other: bool
    rows: tuple[PersonRow, ...]
    requirement_names: tuple[tuple[str, str], ...]
    """(label, id) of every requirement shown, for the footnote."""
    by_city: tuple[Group, ...]
    by_reason: tuple[tuple[str, int], ...]
    """(reason name, records) for every reason some record carries, most frequent first."""

    def words(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


def cohort_table(evaluation: Evaluation, lang: str = "zh") -> CohortTable:
    """The evaluation table of a cohort, in `lang` (zh or en)."""
    ledger = evaluation.ledger
    labels = requirement_labels(ledger, lang)
    applies = ledger.required != NOT_APPLICABLE
    people = len(ledger.persons)
    main = [r for r in range(len(labels)) if applies[:, r].sum() >= FOLD_BELOW * people and applies[:, r].any()]
    folded = [r for r in range(len(labels)) if r not in main and applies[:, r].any()]
    units = [unit_name(unit).in_lang(lang) for unit in ledger.compiled.requirement_unit]
    rows = tuple(_person_row(ledger, person, labels, units, main, folded, lang) for person in range(people))
    ids = ledger.compiled.requirement_ids
    return CohortTable(
        lang=lang,
        main_titles=tuple(labels[r] for r in main),
        has_other=bool(folded),
        rows=rows,
        requirement_names=tuple((labels[r], shown(ids[r])) for r in (*main, *folded)),
        by_city=_by_city(ledger, lang),
        by_reason=tuple((reason_name(name, lang), count) for name, count in sorted(evaluation.reason_counts().items(), key=_most_first)),
    )


def requirement_labels(ledger: Ledger, lang: str) -> list[str]:
    """Each requirement as the rules name it (`公需科目`, `Ⅰ类学分`), by requirement index; the label of the
    first person's policy it applies to, with the id added when two requirements share a label."""
    compiled = ledger.compiled
    names = requirement_names(compiled, first=(int(p) for p in dict.fromkeys(ledger.persons.profile.tolist())))
    labels = [shown(names[rid][0].in_lang(lang)) if rid in names else shown(rid) for rid in compiled.requirement_ids]
    twice = {label for label, n in Counter(labels).items() if n > 1}
    return [f"{label} ({shown(rid)})" if label in twice else label for label, rid in zip(labels, compiled.requirement_ids, strict=True)]


def reason_name(name: str, lang: str) -> str:
    """A reason code as people read it (`该网络学习平台不予认定`), never the code itself."""
    return R.BY_NAME[name].text.in_lang(lang)


def amount_cell(credited: int, required: int, unit: str | None, met: bool) -> str:
    """`credited/required unit`, marked when unmet (`18/30 学时 ✗`); without the unit where the label says it."""
    parts = [f"{format_amount(credited)}/{format_amount(required)}", unit, None if met else UNMET]
    return " ".join(part for part in parts if part)


def shortfall_words(label: str, shortfall: int, unit: str, lang: str) -> str:
    """An unmet requirement and how much is missing (`公需科目 差 12 学时`, `Public subjects 12 hours short`)."""
    amount = format_amount(shortfall)
    return f"{label} 差 {amount} {unit}" if lang == "zh" else f"{label} {amount} {unit} short"


def _person_row(
    ledger: Ledger, person: int, labels: list[str], units: list[str], main: list[int], folded: list[int], lang: str
) -> PersonRow:
    """A person's cells: labels and units by requirement index; `main` columns, the `folded` ones in one."""
    zh = lang == "zh"
    attributes = ledger.persons.attributes
    required, achieved, met = ledger.required[person], ledger.achieved[person], ledger.met[person]

    def cell(r: int) -> str:
        if required[r] == NOT_APPLICABLE:
            return "—"
        return amount_cell(int(achieved[r]), int(required[r]), units[r], bool(met[r]))

    def fraction(r: int) -> str:  # in the folded column, where the label says what is counted
        return amount_cell(int(achieved[r]), int(required[r]), None, bool(met[r]))

    compliant = bool(ledger.compliant[person])
    unmet = [r for r in range(len(labels)) if required[r] != NOT_APPLICABLE and not met[r]]
    why = [shortfall_words(labels[r], max(int(required[r]) - int(achieved[r]), 0), units[r], lang) for r in unmet]
    codes = np.bincount(ledger.reason[ledger.record_positions(person)], minlength=len(R.REASONS))
    rejected = [f"{R.REASONS[code].text.in_lang(lang)} ×{int(n)}" for code, n in enumerate(codes) if code != R.CREDITED and n]
    return PersonRow(
        person_id=shown(str(ledger.persons.person_id[person])),
        city=shown(ledger.rules.regions.city_name(attributes["city"][person], lang)),
        unit_level=shown(unit_level_name(attributes["unit_level"][person], lang)),
        main=tuple(cell(r) for r in main),
        other="\n".join(f"{labels[r]} {fraction(r)}" for r in folded if required[r] != NOT_APPLICABLE),
        compliant=compliant,
        verdict=("达标" if zh else "pass") if compliant else ("未达标" if zh else "FAIL"),
        why="" if compliant else "\n".join(why),
        rejected="\n".join(rejected),
    )


def _by_city(ledger: Ledger, lang: str) -> tuple[Group, ...]:
    """People and compliant people by city, cities in code order."""
    codes, index = distinct_codes(ledger.persons.attributes["city"])
    names = [shown(ledger.rules.regions.city_name(code or None, lang)) for code in codes]
    return tuple(compliance_groups(names, index, ledger.compliant))


def _most_first(item: tuple[str, int]) -> tuple[int, int]:
    return -item[1], R.BY_NAME[item[0]].code
