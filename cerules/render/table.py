"""Plain text for people at a terminal: the evaluation table, summary lines, impact tables, rule changes.

Text that comes from outside (ids, messages quoting a cell, names in rule files) may hold ESC, BEL
or other controls that a terminal would obey; every such piece is shown escaped (`\\x1b`) by
`shown`, before widths are measured, so the columns still line up. The evaluation table is laid
out by rich (imported when it is drawn), which measures Chinese characters as two columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base.printable import escape_unsafe as shown
from .labels import profile_name
from .text import display_width, pad, percent, row_cells, rule_value

if TYPE_CHECKING:  # rendered, never imported: these layers sit above this one
    from ..evaluation.cohort import Evaluation
    from ..whatif.diff import Change, Changes
    from ..whatif.impact import Impact
    from ..whatif.tables import ImpactTable
    from .cohort_table import CohortTable


TABLE_WIDTH = 160
"""Columns the evaluation table is laid out in: a wide terminal, or a page in landscape."""


def to_table(evaluation: Evaluation, lang: str = "zh", *, width: int = TABLE_WIDTH) -> str:
    """A table for people reading a terminal: each person's requirements, verdict and why, then the
    cohort by city and by reason, the input that could not be used and the rules applied."""
    from rich.text import Text as Cell

    from .cohort_table import cohort_table

    view = cohort_table(evaluation, lang)
    notes = [Cell(note, overflow="fold") for note in _notes(evaluation, view)]
    text = _laid_out([_people_table(view), Cell(""), _summary_tables(view), Cell(""), *notes], width)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _notes(evaluation: Evaluation, view: CohortTable) -> list[str]:
    """The lines under the tables: requirement ids, the cohort in a sentence, input that could not be
    used, and the rules applied."""
    lang, words = view.lang, view.words
    zh = lang == "zh"
    lines = []
    if view.requirement_names:
        names = [f"{label} = {rid}" for label, rid in view.requirement_names]
        lines.append(words("要求编号：" + "；".join(names), "requirement ids: " + "; ".join(names)))
    lines.append(summary_line(evaluation, lang))
    for entry in evaluation.rejected_input_entries(lang):
        where = f"第{entry['line']}行" if zh else f"line {entry['line']}"
        label = "未归属记录" if zh else "rejected input"
        lines.append(f"  {label}: {shown(str(entry['record_id']))} ({where}) {shown(entry['message'])}")
    for rejected in evaluation.rejected_persons:
        where = f"第{rejected.line}行" if zh else f"line {rejected.line}"
        label = "无效人员" if zh else "rejected person"
        lines.append(f"  {label}: {shown(str(rejected.person_id))} ({where}) {shown(rejected.problem.text.in_lang(lang))}")
    layers = " → ".join(shown(layer.id) for layer in evaluation.rules.layers)
    lines.append(f"{'规则' if zh else 'rules'} sha256 {evaluation.rules.sha256[:16]}  {layers}")
    return lines


WHY_WIDTH = 40
"""Columns the why column takes at most before its lines wrap."""


def _people_table(view: CohortTable) -> Any:
    """A row per person: where they work, each requirement, the verdict, why, and the records not credited.

    The amounts and the why keep the width of their cells (a long header wraps instead); the records
    not credited take what is left."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text as Cell

    def fitting(title: str, cells: list[str], most: int | None = None) -> int:
        """The width of the widest cell line (at most `most`), or of the header's longest word."""
        widest = max((cell_len(line) for cell in cells for line in cell.splitlines()), default=0)
        widest = min(widest, most) if most else widest
        return max([widest, *(cell_len(word) for word in title.split())])

    words = view.words
    rows = view.rows
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column(words("人员", "person"), overflow="fold")
    table.add_column(words("城市", "city"), overflow="fold")
    table.add_column(words("单位", "unit level"), overflow="fold")
    for i, title in enumerate(view.main_titles):
        table.add_column(Cell(title), justify="right", overflow="fold", width=fitting(title, [row.main[i] for row in rows]))
    if view.has_other:
        title = words("其他要求", "other requirements")
        table.add_column(title, overflow="fold", width=fitting(title, [row.other for row in rows]))
    table.add_column(words("结果", "verdict"), no_wrap=True)
    title = words("原因", "why")
    table.add_column(title, overflow="fold", width=fitting(title, [row.why for row in rows], WHY_WIDTH))
    table.add_column(words("未认定记录", "rejected records"), overflow="fold")
    for row in rows:
        cells = [row.person_id, row.city, row.unit_level, *row.main, *([row.other] if view.has_other else []), row.verdict, row.why]
        table.add_row(*(Cell(cell) for cell in [*cells, row.rejected]))
    return table


def _summary_tables(view: CohortTable) -> Any:
    """People and compliance by city, and records by reason, side by side."""
    from rich import box
    from rich.table import Table
    from rich.text import Text as Cell

    words = view.words
    cities = Table(
        box=box.SIMPLE,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        show_footer=True,
        title=words("按城市", "by city"),
        title_justify="left",
    )
    people = sum(row.people for row in view.by_city)
    compliant = sum(row.compliant for row in view.by_city)
    cities.add_column(words("城市", "city"), footer=words("合计", "total"), overflow="fold")
    cities.add_column(words("人数", "people"), footer=str(people), justify="right")
    cities.add_column(words("达标", "compliant"), footer=str(compliant), justify="right")
    cities.add_column(words("达标率", "rate"), footer=percent(compliant / people if people else None), justify="right")
    for row in view.by_city:
        cities.add_row(Cell(row.name), str(row.people), str(row.compliant), percent(row.rate))
    reasons = Table(
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        show_edge=False,
        pad_edge=False,
        title=words("未认定记录，按原因", "rejected records by reason"),
        title_justify="left",
    )
    reasons.add_column(words("原因", "reason"), overflow="fold")
    reasons.add_column(words("记录数", "records"), justify="right")
    for name, count in view.by_reason:
        reasons.add_row(Cell(name), str(count))
    side_by_side = Table.grid(padding=(0, 6))
    side_by_side.add_row(cities, reasons if view.by_reason else "")
    return side_by_side


def _laid_out(blocks: list[Any], width: int) -> str:
    """Renderables as plain text `width` columns wide: no colour, no markup, widths measured by rich."""
    import io

    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        no_color=True,
    )
    for block in blocks:
        console.print(block)
    return console.file.getvalue()  # type: ignore[attr-defined]


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
