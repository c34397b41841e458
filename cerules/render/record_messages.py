"""Why each record was credited or not, in zh and en, with the citation of the rule behind it.

Read off the ledger for one record (`record_message`): the explain view (`evaluation.explain`)
asks it for each record, the column-wise JSON writer once for each distinct kind of record
(`json_people`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..base.hours import fine_to_hundredths, format_amount
from ..kernel import reasons as R
from ..kernel.arrays import NOT_APPLICABLE
from ..kernel.ledger import Ledger, counts
from ..rules.model import Provenance, Text
from ..rules.ruleset import Policy, Window
from ..rules.schema import parameter_for
from .labels import layer_name

PER_RECORD = frozenset({R.INVALID_RECORD, R.DUPLICATE_COURSE, R.CAP_EXCEEDED})
"""Reasons whose message depends on more than the record's own columns and its person's policy
(a row problem, the record that kept a course, the same day's other records): worded record by record."""


def provenance_words(p: Provenance, lang: str) -> str:
    by = layer_name(p)
    unverified = ("（未核实）" if lang == "zh" else " (unverified)") if not p.verified else ""
    if lang == "zh":
        return f"依据 {p.citation or '（无依据）'}，由 {by} 层设定{unverified}"
    return f"{p.citation or '(no citation)'}, set by {by}{unverified}"


def record_message(ledger: Ledger, position: int) -> Text:
    """The message of one record of the ledger."""
    return _record_message(ledger, position, int(ledger.reason[position]))


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
        return cited(text, policy.values.get(path))
    if code == R.COURSE_NOT_ACCEPTED:
        course = rec.courses[int(rec.course[position])] if rec.course[position] >= 0 else "（未填写）"
        path = f"{subject}.listed_courses_only"
        return cited(parameter_for(path).words(course=course), policy.values.get(path))
    if code == R.NOT_APPROVED:
        return cited(base, policy.values.get("declared.requires_approval"))
    if code == R.PLATFORM_NOT_ACCEPTED:
        platform = rec.platforms[int(rec.platform[position])] or "（未填写）"
        accepted = ", ".join(sorted(policy.accepted(subject, "platforms") or ()))
        path = f"{subject}.platforms"
        return cited(parameter_for(path).words(platform=platform, accepted=accepted), policy.values.get(path))
    if code == R.TOPIC_NOT_ACCEPTED:
        topic = rec.topics[int(ledger.topic[position])]
        path = f"{subject}.topics"
        return cited(parameter_for(path).words(topic=topic, subject=_subject(ledger, subject)), policy.values.get(path))
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
            texts.append(cited(parameter_for(path).words(day=day, cap=cap.value if cap else "", hours=hours, credited=credited), cap))
        return Text("；".join(t.zh for t in texts), "; ".join(t.en for t in texts))
    doubled = bool(rec.teacher[position] and rec.quality[position])
    if doubled and ledger.credited[position] != ledger.hours[position]:
        factor = policy.values["quality_course.teacher_multiplier"]
        return cited(parameter_for("quality_course.teacher_multiplier").words(factor=factor.value), factor)
    amount = format_amount(int(ledger.credited[position]))
    text = Text(f"计入{_subject(ledger, subject).zh} {amount} 学时", f"{amount} hours count towards {subject} subjects")
    if rec.year[position] != ledger.year:
        text = _counted_in_windows(ledger, position, policy, amount)
    if rec.credits[position] >= 0:
        credits = format_amount(fine_to_hundredths(int(rec.credits[position])))
        kind = rec.kinds[int(rec.kind[position])]
        text = Text(f"{text.zh}；{kind} 学分 {credits}", f"{text.en}; {credits} {kind} credits")
    return text


def cited(text: Text, resolved: Any) -> Text:
    """A message with the citation of the value behind it (a resolved value, or a provenance)."""
    if resolved is None:
        return text
    p = resolved if isinstance(resolved, Provenance) else resolved.provenance
    return Text(f"{text.zh}（{provenance_words(p, 'zh')}）", f"{text.en} ({provenance_words(p, 'en')})")


def _subject(ledger: Ledger, subject: str) -> Text:
    """A subject in messages: its catalogue name in zh, its code in en (`public`)."""
    return Text(ledger.rules.subject_name(subject).zh, subject)


def _kept_course_record(ledger: Ledger, position: int) -> str:
    rec = ledger.records
    mine = ledger.record_positions(int(ledger.person_index[position]))
    kept = mine[(rec.course[mine] == rec.course[position]) & counts(ledger.reason[mine], ledger.credited[mine])]
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
        parts.append(cited(Text(f"{label.zh}：{words.zh}", f"{label.en}: {words.en}"), provenance))
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
