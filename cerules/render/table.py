"""Plain text for people at a terminal: the evaluation table, summary lines, impact tables, rule changes.

Text that comes from outside (ids, messages quoting a cell, names in rule files) may hold ESC, BEL
or other controls that a terminal would obey; every such piece is shown escaped (`\\x1b`) by
`shown`, before widths are measured, so the columns still line up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..base.hours import format_amount
from ..base.printable import escape_unsafe as shown
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from .labels import profile_name, unit_level_name
from .text import display_width, pad, percent, row_cells, rule_value

if TYPE_CHECKING:  # rendered, never imported: these layers sit above this one
    from ..evaluation.cohort import Evaluation
    from ..whatif.diff import Change, Changes
    from ..whatif.impact import Impact
    from ..whatif.tables import ImpactTable


def to_table(evaluation: Evaluation, lang: str = "zh") -> str:
    """A table for people reading a terminal, with the verdict and the reasons for each person."""
    ledger = evaluation.ledger
    zh = lang == "zh"
    ids = ledger.compiled.requirement_ids
    header = ["人员" if zh else "person", "城市" if zh else "city", "单位" if zh else "unit"]
    header += list(ids) + ["结果" if zh else "verdict", "原因" if zh else "reasons"]
    rows = [header]
    attributes = ledger.persons.attributes
    for person in range(len(ledger.persons)):
        level = attributes["unit_level"][person]
        row = [
            str(ledger.persons.person_id[person]),
            ledger.rules.regions.city_name(attributes["city"][person], lang),
            unit_level_name(level) if zh else level,  # in English the code itself: province, city
        ]
        for r in range(len(ids)):
            required = int(ledger.required[person, r])
            row.append("-" if required == NOT_APPLICABLE else f"{format_amount(int(ledger.achieved[person, r]))}/{format_amount(required)}")
        row.append(("达标" if zh else "pass") if ledger.compliant[person] else ("未达标" if zh else "FAIL"))
        codes = ledger.reason[ledger.record_positions(person)]
        row.append(", ".join(f"{R.NAMES[c]}×{n}" for c, n in enumerate(np.bincount(codes, minlength=len(R.NAMES))) if c and n))
        rows.append(row)
    rows = [[shown(cell) for cell in row] for row in rows]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(header))]
    numeric = {i for i in range(3, 3 + len(ids))}
    lines = ["  ".join(pad(cell, widths[i], i in numeric) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("\n" + summary_line(evaluation, lang))
    for entry in evaluation.to_document(lang)["rejected_input"]:
        where = f"第{entry['line']}行" if zh else f"line {entry['line']}"
        label = "未归属记录" if zh else "rejected input"
        lines.append(f"  {label}: {shown(str(entry['record_id']))} ({where}) {entry['reason']}: {shown(entry['message'])}")
    for rejected in evaluation.rejected_persons:
        label = "无效人员" if zh else "rejected person"
        lines.append(f"  {label}: {shown(str(rejected.person_id))} (line {rejected.line}) {shown(rejected.problem.text.in_lang(lang))}")
    lines.append(
        f"{'规则' if zh else 'rules'} sha256 {evaluation.rules.sha256[:16]}  "
        + " → ".join(shown(layer.id) for layer in evaluation.rules.layers)
    )
    return "\n".join(lines) + "\n"


def summary_line(evaluation: Evaluation, lang: str = "zh") -> str:
    """The cohort in one sentence: people, compliant, records credited and rejected."""
    s = evaluation.summary()
    if lang == "zh":
        return (
            f"{evaluation.year} 年度：{s['people']} 人，达标 {s['compliant']} 人；"
            f"记录 {s['records']} 条，认定 {s['credited']} 条，未认定 {s['rejected']} 条"
        )
    return (
        f"{evaluation.year}: {s['people']} people, {s['compliant']} compliant; "
        f"{s['records']} records, {s['credited']} credited, {s['rejected']} rejected"
    )


def impact_summary_line(impact: Impact, lang: str = "zh") -> str:
    """A draft's impact in one sentence: compliant before and after, flips, records that change."""
    s = impact.summary()
    if lang == "en":
        return (
            f"{s['people']} people: {s['compliant_before']} compliant ({percent(s['rate_before'])}) under the baseline, "
            f"{s['compliant_after']} ({percent(s['rate_after'])}) under the draft; "
            f"{s['pass_to_fail']} pass→fail, {s['fail_to_pass']} fail→pass; {s['records_changed']} of {s['records']} records change"
        )
    return (
        f"{s['people']} 人：现行规则下 {s['compliant_before']} 人达标（{percent(s['rate_before'])}），"
        f"草案下 {s['compliant_after']} 人（{percent(s['rate_after'])}）；"
        f"达标→未达标 {s['pass_to_fail']} 人，未达标→达标 {s['fail_to_pass']} 人；"
        f"{s['records']} 条记录中 {s['records_changed']} 条认定结果改变"
    )


def impact_table_text(table: ImpactTable, limit: int | None = 30) -> str:
    """An impact table under its title, columns lined up (at most `limit` rows)."""
    names = [shown(name) for name in table.names]
    rows = [[shown(cell) for cell in row] for row in row_cells(table.names, table.rows(limit))]
    widths = [max([display_width(name), *(display_width(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = [shown(table.title), "  ".join(pad(name, width) for name, width in zip(names, widths, strict=True)).rstrip()]
    lines += ["  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    if limit is not None and len(table) > limit:
        lines.append(f"… {len(table) - limit} more rows")
    return "\n".join(lines)


def change_text(change: Change, lang: str = "en") -> str:
    """One changed rule value: path, before → after, where the value comes from, and for whom."""
    source = change.provenance or change.before_provenance
    by = f"{source.citation or '-'}, {source.layer}" if source else "-"
    who = "; ".join(profile_name(p, lang) for p in change.profiles)
    return shown(f"{change.path}: {rule_value(change.before)} → {rule_value(change.after)}  ({by})  [{who}]")


def changes_text(changes: Changes, lang: str = "en") -> str:
    """Each changed rule value on its line, or that nothing changes."""
    if not changes:
        return "没有变化 / no changes"
    return "\n".join(change_text(change, lang) for change in changes)
