"""The explain view: one person's year, read off the cohort ledger, with reasons and citations.

Nothing is recomputed here: every number comes from the kernel's ledger. This module only adds
words (zh and en) and the provenance of the rule behind each decision; a record's message is the
one the JSON writer gives it (`render.record_messages`).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from ..base.hours import format_amount, to_float, to_number
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.ledger import Ledger, counts
from ..render.html import person_html
from ..render.record_messages import cited as _cited
from ..render.record_messages import provenance_words as _provenance
from ..render.record_messages import record_message, window_words
from ..rules.model import Profile, Provenance, Text
from ..rules.ruleset import Window
from ..rules.schema import parameter_for, unit_name


@attrs.frozen
class RequirementOutcome:
    """How far one person got towards one requirement, and who set it."""

    id: str
    label: Text
    unit: str
    required: int  # hundredths
    credited: int  # hundredths
    met: bool
    provenance: Provenance
    window: Window | None = None
    """The years it counts over, when not the evaluated calendar year."""
    window_provenance: Provenance | None = None
    """Who set that window."""

    @property
    def shortfall(self) -> int:
        return max(self.required - self.credited, 0)

    @property
    def set_by(self) -> str:
        return self.provenance.layer

    def to_dict(self) -> dict[str, Any]:
        """The contract's requirement entry."""
        out: dict[str, Any] = {
            "id": self.id,
            "unit": self.unit,
            "required": to_number(self.required),
            "credited": to_float(self.credited),
            "shortfall": to_float(self.shortfall),
            "met": self.met,
            "set_by": self.set_by,
            "citation": self.provenance.citation,
        }
        if self.unit == "hours":
            out |= {
                "required_hours": to_number(self.required),
                "credited_hours": to_float(self.credited),
                "shortfall_hours": to_float(self.shortfall),
            }
        if self.provenance.plugin:
            out["plugin"] = self.provenance.plugin
        if not self.provenance.verified:
            out["verified"] = False
        return out


@attrs.frozen
class RecordOutcome:
    """What happened to one input record."""

    record_id: str | None
    line: int
    status: str  # credited | rejected
    credited: int  # hundredths of an hour
    reason: str | None
    message: Text
    subject: str | None
    hours: int  # hundredths, as given

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "status": self.status,
            "credited_hours": to_float(self.credited),
            "reason": self.reason,
            "message": self.message.in_lang(lang),
        }


@attrs.frozen
class PersonResult:
    """One person's year: the verdict, each requirement with its provenance, and the ledger."""

    person_id: str
    year: int
    profile: Profile
    compliant: bool
    requirements: tuple[RequirementOutcome, ...]
    records: tuple[RecordOutcome, ...]
    rules_sha256: str
    defaults: tuple[tuple[str, str], ...] = ()  # (attribute, value assumed) for values the persons file left blank

    def requirement(self, requirement_id: str) -> RequirementOutcome:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The contract's entry in `people`; `defaults` (an extension) names the values assumed for blank cells."""
        entry: dict[str, Any] = {
            "person_id": self.person_id,
            "compliant": self.compliant,
            "requirements": [r.to_dict() for r in self.requirements],
            "records": [r.to_dict(lang) for r in self.records],
        }
        if self.defaults:
            entry["defaults"] = dict(self.defaults)
        return entry

    def summary(self, lang: str = "zh") -> str:
        """One sentence: the verdict and, when failing, what is missing."""
        missing = [r for r in self.requirements if not r.met]
        if not missing:
            return (
                f"{self.person_id}：{self.year}年度继续教育达标"
                if lang == "zh"
                else f"{self.person_id}: meets the {self.year} requirements"
            )
        parts = [f"{r.label.in_lang(lang)} {_short(r, lang)}" for r in missing]
        if lang == "zh":
            return f"{self.person_id}：{self.year}年度未达标，" + "；".join(parts)
        return f"{self.person_id}: does not meet the {self.year} requirements: " + "; ".join(parts)

    def explain(self, lang: str = "zh") -> str:
        """A plain-text explanation: requirements with their rules, then every record."""
        lines = [self.summary(lang), ""]
        for r in self.requirements:
            mark = "✓" if r.met else "✗"
            lines.append(
                f"{mark} {r.label.in_lang(lang)} ({r.id}): {format_amount(r.credited)} / {format_amount(r.required)} "
                f"{_unit(r.unit, lang)} — {_provenance(r.provenance, lang)}"
            )
            if r.window is not None:
                lines.append(f"    {_cited(window_words(r.window), r.window_provenance).in_lang(lang)}")
        lines.append("")
        for rec in self.records:
            status = ("已认定" if rec.status == "credited" else "未认定") if lang == "zh" else rec.status
            lines.append(f"  {rec.record_id or '-'}  {status:<8} {format_amount(rec.credited):>6}  {rec.message.in_lang(lang)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain("zh")

    def _repr_html_(self) -> str:
        return person_html(self)


def _unit(unit: str, lang: str) -> str:
    return unit_name(unit).in_lang(lang)


def _short(r: RequirementOutcome, lang: str) -> str:
    amount = parameter_for(f"{r.id}.required_hours" if r.unit == "hours" else f"{r.id}.required")
    words = amount.words(
        shortfall=format_amount(r.shortfall), unit=unit_name(r.unit), credited=format_amount(r.credited), required=format_amount(r.required)
    )
    return words.in_lang(lang)


def person_result(ledger: Ledger, person: int) -> PersonResult:
    """The explain view of one person of the ledger."""
    compiled = ledger.compiled
    profile_index = int(ledger.persons.profile[person])
    policy = compiled.policies[profile_index]
    requirements = []
    for r, requirement_id in enumerate(compiled.requirement_ids):
        if ledger.required[person, r] == NOT_APPLICABLE:
            continue
        found = next(q for q in policy.requirements if q.id == requirement_id)
        window = found.window if found.window is not None and found.window != Window.of(ledger.year) else None
        requirements.append(
            RequirementOutcome(
                id=requirement_id,
                label=found.label,
                unit=found.unit,
                required=int(ledger.required[person, r]),
                credited=int(ledger.achieved[person, r]),
                met=bool(ledger.met[person, r]),
                provenance=found.provenance,
                window=window,
                window_provenance=found.window_provenance if window is not None else None,
            )
        )
    positions = ledger.record_positions(person)
    return PersonResult(
        person_id=str(ledger.persons.person_id[person]),
        year=ledger.year,
        profile=ledger.persons.profiles[profile_index],
        compliant=bool(ledger.compliant[person]),
        requirements=tuple(requirements),
        records=tuple(record_outcome(ledger, int(p)) for p in positions),
        rules_sha256=ledger.rules.sha256,
        defaults=_assumed(ledger, person),
    )


def _assumed(ledger: Ledger, person: int) -> tuple[tuple[str, str], ...]:
    """The attributes of a person that the persons file left blank, with the value assumed."""
    persons = ledger.persons
    return tuple((name, str(persons.attributes[name][person])) for name, mask in persons.defaulted.items() if mask[person])


def record_outcome(ledger: Ledger, position: int) -> RecordOutcome:
    """The disposition of one record, with a message naming the rule behind it."""
    rec = ledger.records
    code = int(ledger.reason[position])
    credited = int(ledger.credited[position])
    status = "credited" if counts(np.asarray(code), np.asarray(credited)) else "rejected"
    subject = None if ledger.subject[position] < 0 else rec.subjects[int(ledger.subject[position])]
    return RecordOutcome(
        record_id=rec.record_id_at(position),
        line=int(rec.line[position]),
        status=status,
        credited=credited,
        reason=None if code == R.CREDITED else R.NAMES[code],
        message=record_message(ledger, position),
        subject=subject,
        hours=int(ledger.hours[position]),
    )
