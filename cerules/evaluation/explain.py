"""The explain view: one person's year, read off the cohort ledger, with reasons and citations.

Nothing is recomputed here: every number comes from the kernel's ledger. This module only adds
words (zh and en) and the provenance of the rule behind each decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np

from ..base.hours import fine_to_hundredths, format_amount, to_float, to_number
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.ledger import Ledger, counts
from ..render.html import person_html
from ..render.labels import layer_name as _layer_name
from ..rules.model import Profile, Provenance, Text
from ..rules.ruleset import Policy, Window
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


def _provenance(p: Provenance, lang: str) -> str:
    by = _layer_name(p)
    unverified = ("（未核实）" if lang == "zh" else " (unverified)") if not p.verified else ""
    if lang == "zh":
        return f"依据 {p.citation or '（无依据）'}，由 {by} 层设定{unverified}"
    return f"{p.citation or '(no citation)'}, set by {by}{unverified}"


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
        message=_record_message(ledger, position, code),
        subject=subject,
        hours=int(ledger.hours[position]),
    )


def _record_message(ledger: Ledger, position: int, code: int) -> Text:
    rec = ledger.records
    base = R.REASONS[code].text
    if code == R.INVALID_RECORD:
        problem = rec.problems[position]
        return Text(f"记录无效：{problem.text.zh}", f"invalid record: {problem.text.en}")
    if code == R.UNKNOWN_PERSON:
        pid = rec.person_id_at(position)
        return Text(f"人员信息中没有 {pid}", f"no person {pid!r} in the persons file")
    if code == R.INVALID_PERSON:
        pid = rec.person_id_at(position)
        row = ledger.persons.rejected[str(pid)]
        problem = row.problem.text
        return Text(
            f"人员信息中 {pid} 的数据无效（第 {row.line} 行：{problem.zh}），其记录无法评估",
            f"person {pid!r} is in the persons file but invalid (line {row.line}: {problem.en}), so their records cannot be evaluated",
        )
    person = int(ledger.person_index[position])
    policy = ledger.compiled.policies[int(ledger.persons.profile[person])]
    subject = rec.subjects[int(ledger.subject[position])]
    if code == R.OUT_OF_YEAR:
        day = dt.date.fromordinal(int(rec.day[position])).isoformat()
        return Text(
            f"完成于 {day}（北京时间），不属于 {ledger.year} 年度",
            f"completed on {day} (Asia/Shanghai), not in {ledger.year}",
        )
    if code == R.OUT_OF_WINDOW:
        return _outside_windows(ledger, position, policy, subject)
    if code == R.PAST_DEADLINE:
        day = dt.date.fromordinal(int(rec.day[position])).isoformat()
        path = f"{subject}.deadline"
        text = parameter_for(path).words(day=day, subject=_subject(ledger, subject), deadline=policy.deadline(subject))
        return _cited(text, policy.values.get(path))
    if code == R.COURSE_NOT_ACCEPTED:
        course = rec.courses[int(rec.course[position])] if rec.course[position] >= 0 else "（未填写）"
        path = f"{subject}.listed_courses_only"
        return _cited(parameter_for(path).words(course=course), policy.values.get(path))
    if code == R.NOT_APPROVED:
        return _cited(base, policy.values.get("declared.requires_approval"))
    if code == R.PLATFORM_NOT_ACCEPTED:
        platform = rec.platforms[int(rec.platform[position])] or "（未填写）"
        accepted = ", ".join(sorted(policy.accepted(subject, "platforms") or ()))
        path = f"{subject}.platforms"
        return _cited(parameter_for(path).words(platform=platform, accepted=accepted), policy.values.get(path))
    if code == R.TOPIC_NOT_ACCEPTED:
        topic = rec.topics[int(ledger.topic[position])]
        path = f"{subject}.topics"
        return _cited(parameter_for(path).words(topic=topic, subject=_subject(ledger, subject)), policy.values.get(path))
    if code == R.DUPLICATE_COURSE:
        kept = _kept_course_record(ledger, position)
        course = rec.courses[int(rec.course[position])]
        return Text(f"课程 {course} 已由记录 {kept} 认定", f"course {course} was already credited by record {kept}")
    if code == R.CAP_EXCEEDED:
        day = dt.date.fromordinal(int(rec.day[position])).isoformat()
        hours, credited = format_amount(int(ledger.hours[position])), format_amount(int(ledger.credited[position]))
        texts = []
        for path in _caps_reached(ledger, position, policy):
            cap = policy.values.get(path)
            texts.append(_cited(parameter_for(path).words(day=day, cap=cap.value if cap else "", hours=hours, credited=credited), cap))
        return Text("；".join(t.zh for t in texts), "; ".join(t.en for t in texts))
    doubled = bool(rec.teacher[position] and rec.quality[position])
    if doubled and ledger.credited[position] != ledger.hours[position]:
        factor = policy.values["quality_course.teacher_multiplier"]
        return _cited(parameter_for("quality_course.teacher_multiplier").words(factor=factor.value), factor)
    amount = format_amount(int(ledger.credited[position]))
    text = Text(f"计入{_subject(ledger, subject).zh} {amount} 学时", f"{amount} hours count towards {subject} subjects")
    if rec.year[position] != ledger.year:
        text = _counted_in_windows(ledger, position, policy, amount)
    if rec.credits[position] >= 0:
        credits = format_amount(fine_to_hundredths(int(rec.credits[position])))
        kind = rec.kinds[int(rec.kind[position])]
        text = Text(f"{text.zh}；{kind} 学分 {credits}", f"{text.en}; {credits} {kind} credits")
    return text


def _cited(text: Text, resolved: Any) -> Text:
    """A message with the citation of the value behind it (a resolved value, or a provenance)."""
    if resolved is None:
        return text
    p = resolved if isinstance(resolved, Provenance) else resolved.provenance
    return Text(f"{text.zh}（{_provenance(p, 'zh')}）", f"{text.en} ({_provenance(p, 'en')})")


def _subject(ledger: Ledger, subject: str) -> Text:
    """A subject in messages: its catalogue name in zh, its code in en (`public`)."""
    return Text(ledger.rules.subject_name(subject).zh, subject)


def _kept_course_record(ledger: Ledger, position: int) -> str:
    rec = ledger.records
    mine = ledger.record_positions(int(ledger.person_index[position]))
    kept = mine[(rec.course[mine] == rec.course[position]) & ledger.status_credited[mine]]
    return str(rec.record_id_at(int(kept[0]))) if len(kept) else "?"


def window_words(window: Window) -> Text:
    """A requirement's window as the schema words it (`计算期 2019-01-01 至 2023-12-31（北京时间），共 5 年`)."""
    return parameter_for("<requirement>.window_years").words(first=window.first_day, last=window.last_day, years=window.years)


def _windows_of(ledger: Ledger, position: int, policy: Policy) -> list[tuple[Text, Window, Provenance | None, bool]]:
    """The requirements a record's subject counts towards (not sums of others): each one's label,
    window, who set the window, and whether the record's day is in it and its topic and kind count."""
    rec, compiled = ledger.records, ledger.compiled
    p, s, day = int(ledger.persons.profile[int(ledger.person_index[position])]), int(ledger.subject[position]), int(rec.day[position])
    found = []
    for r, requirement_id in enumerate(compiled.requirement_ids):
        if compiled.required[p, r] == NOT_APPLICABLE or not compiled.count_subject[p, r, s] or compiled.sum_of[p, r].any():
            continue
        requirement = next(q for q in policy.requirements if q.id == requirement_id)
        inside = compiled.window_first[p, r] <= day <= compiled.window_last[p, r]
        counts_here = bool(compiled.count_topic[p, r, ledger.topic[position]] and compiled.count_kind[p, r, rec.kind[position]])
        window = requirement.window or Window.of(ledger.year)
        found.append((requirement.label, window, requirement.window_provenance, inside and counts_here))
    return found


def _outside_windows(ledger: Ledger, position: int, policy: Policy, subject: str) -> Text:
    """An `out_of_window` record: its day, and the windows of the requirements its subject counts towards."""
    day = dt.date.fromordinal(int(ledger.records.day[position])).isoformat()
    parts = []
    for label, window, provenance, _ in _windows_of(ledger, position, policy):
        words = window_words(window) if window != Window.of(ledger.year) else Text(f"{ledger.year} 年度", f"the year {ledger.year}")
        parts.append(_cited(Text(f"{label.zh}：{words.zh}", f"{label.en}: {words.en}"), provenance))
    name = _subject(ledger, subject)
    return Text(
        f"完成于 {day}（北京时间），不在{name.zh}学习所计入的任何要求的计算期内：" + "；".join(t.zh for t in parts),
        f"completed on {day} (Asia/Shanghai), outside the window of every requirement {name.en} records count towards: "
        + "; ".join(t.en for t in parts),
    )


def _counted_in_windows(ledger: Ledger, position: int, policy: Policy, amount: str) -> Text:
    """A credited record of another year than the evaluated one: the requirements whose window holds it."""
    day = dt.date.fromordinal(int(ledger.records.day[position])).isoformat()
    labels = [label for label, _, _, counted in _windows_of(ledger, position, policy) if counted]
    towards = Text("、".join(label.zh for label in labels), ", ".join(label.en for label in labels)) if labels else Text("", "")
    return Text(
        f"计入{towards.zh} {amount} 学时（完成于 {day}（北京时间），不在 {ledger.year} 年度内，只计入计算期包含该日的要求）",
        f"{amount} hours count towards {towards.en or 'no requirement'} (completed on {day} (Asia/Shanghai), outside "
        f"{ledger.year}: only requirements whose window holds that day count it)",
    )


def _caps_reached(ledger: Ledger, position: int, policy: Policy) -> list[str]:
    """The daily caps that cut a record: those over it whose day its person's records under them
    filled (to the rounding of each record's hours shown); every cap over it when that cannot be told."""
    rec = ledger.records
    subjects = rec.subjects
    mine = ledger.record_positions(int(ledger.person_index[position]))
    same_day = mine[rec.day[mine] == rec.day[position]]

    def under(path: str, i: int) -> bool:
        if path == "declared.max_hours_per_day":
            return bool(rec.declared[i])
        return policy.daily_cap_applies(bool(rec.declared[i]), bool(rec.online[i]), subjects[int(ledger.subject[i])])

    caps = {"declared.max_hours_per_day": policy.declared_cap, "daily_cap.max_hours": policy.daily_cap}
    over = [path for path, cap in caps.items() if cap is not None and under(path, position)]
    reached = []
    for path in over:
        counted = [int(i) for i in same_day if under(path, int(i))]
        if sum(int(ledger.credited[i]) for i in counted) + len(counted) // 2 >= caps[path]:
            reached.append(path)
    return reached or over
