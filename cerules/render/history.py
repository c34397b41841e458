"""A cohort over several years (`cerules history`): the table for people, the JSON document, one
CSV row per person and year, and the HTML of notebooks.

The table has one row per person and one column per year (达标 / 未达标 with the requirements not
met / 无规则), a column per window requirement of the last year with rules, and whether the person
met every year that has rules; the CSV has one row per person and year.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pyarrow as pa

from ..base.hours import format_amount, to_float, to_number
from ..base.printable import escape_unsafe as shown
from .csv import csv_bytes
from .html import FAIL, PASS, e
from .text import NONE_LABEL, display_width, pad

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.history import History, PersonHistory, YearRequirement, YearVerdict

HISTORY_FORMATS: tuple[str, ...] = ("table", "json", "csv")


def render_history(history: History, fmt: str, lang: str = "zh") -> str:
    """The history as text in the format `fmt` (table, json or csv)."""
    if fmt == "json":
        return history_json(history, lang)
    if fmt == "csv":
        return history_csv(history)
    if fmt == "table":
        return history_table(history, lang)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(HISTORY_FORMATS)}")


def history_json(history: History, lang: str = "zh") -> str:
    """The history document as text (UTF-8, Chinese kept readable)."""
    return json.dumps(history.to_document(lang), ensure_ascii=False, indent=2) + "\n"


def verdict_text(verdict: YearVerdict, lang: str = "zh") -> str:
    """A year's cell: 达标, 未达标：公需科目 (the requirements not met), or 无规则."""
    zh = lang == "zh"
    if not verdict.has_rules:
        return "无规则" if zh else "no rules"
    if verdict.compliant:
        return "达标" if zh else "pass"
    unmet = ("、" if zh else ", ").join(r.outcome.label.zh if zh else r.id for r in verdict.unmet)
    return f"未达标：{unmet}" if zh else f"FAIL: {unmet}"


def every_year_header(history: History, lang: str = "zh") -> str:
    """`近5年均达标` for consecutive years, `3个年度均达标` otherwise."""
    n = len(history.years)
    consecutive = history.years[-1] - history.years[0] + 1 == n
    if lang == "zh":
        return f"近{n}年均达标" if consecutive else f"{n}个年度均达标"
    return f"met all {n} years"


def every_year_text(value: bool | None, lang: str = "zh") -> str:
    if value is None:
        return NONE_LABEL
    return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")


def _window_columns(people: list[PersonHistory]) -> dict[str, str]:
    """Window requirement ids of the last year with rules, each with the years its header names."""
    columns: dict[str, str] = {}
    for person in people:
        for requirement in person.windows:
            columns.setdefault(requirement.id, str(requirement.window))
    return columns


def _window_cell(person: PersonHistory, requirement_id: str, header_window: str) -> str:
    found = next((r for r in person.windows if r.id == requirement_id), None)
    if found is None:
        return "-"
    o = found.outcome
    cell = f"{format_amount(o.credited)}/{format_amount(o.required)}"
    return cell if str(found.window) == header_window else f"{cell} ({found.window})"


def history_rows(history: History, lang: str = "zh") -> list[list[str]]:
    """The table's header and one row per person, as the terminal and HTML views show them."""
    people = list(history)
    windows = _window_columns(people)
    header = ["人员" if lang == "zh" else "person", *map(str, history.years)]
    header += [f"{requirement_id} {years}" for requirement_id, years in windows.items()]
    header.append(every_year_header(history, lang))
    rows = [header]
    for person in people:
        row = [person.person_id, *(verdict_text(verdict, lang) for verdict in person.years)]
        row += [_window_cell(person, requirement_id, years) for requirement_id, years in windows.items()]
        row.append(every_year_text(person.met_every_year, lang))
        rows.append(row)
    return rows


def history_table(history: History, lang: str = "zh") -> str:
    """The terminal table, then the summary, each year's rules and the person rows that cannot be used."""
    rows = [[shown(cell) for cell in row] for row in history_rows(history, lang)]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", *history_summary_lines(history, lang), *rules_lines(history, lang)]
    for rejected in history.rejected_persons:
        label = "无效人员" if lang == "zh" else "rejected person"
        where = f"第{rejected.line}行" if lang == "zh" else f"line {rejected.line}"
        lines.append(f"  {label}: {shown(str(rejected.person_id))} ({where}) {shown(rejected.problem.text.in_lang(lang))}")
    return "\n".join(lines) + "\n"


def history_summary_lines(history: History, lang: str = "zh") -> list[str]:
    """How many met every year with rules, then each year's counts (or that it has no rules)."""
    s = history.summary()
    zh = lang == "zh"
    judged = ("、" if zh else ", ").join(map(str, s["years_with_rules"]))
    span = f"{history.years[0]}–{history.years[-1]}" if len(history.years) > 1 else str(history.years[0])
    if not judged:
        lines = [f"{span}：{s['people']} 人；所列年度均无规则" if zh else f"{span}: {s['people']} people; no year asked for has rules"]
    elif zh:
        lines = [f"{span}：{s['people']} 人，有规则的年度（{judged}）均达标 {s['met_every_year']} 人"]
    else:
        lines = [f"{span}: {s['people']} people, {s['met_every_year']} met every year with rules ({judged})"]
    for entry in s["years"]:
        year = entry["year"]
        if entry["status"] == "no_rules":
            lines.append(f"  {year} 年度：无规则（不计入）" if zh else f"  {year}: no rules (not counted)")
        elif zh:
            lines.append(f"  {year} 年度：达标 {entry['compliant']} 人；认定记录 {entry['credited']} 条，未认定 {entry['rejected']} 条")
        else:
            lines.append(f"  {year}: {entry['compliant']} compliant; {entry['credited']} records credited, {entry['rejected']} rejected")
    return lines


def rules_lines(history: History, lang: str = "zh") -> list[str]:
    """Each year's rules: the digest and the layers with their files, or why there are none."""
    lines = []
    for entry in history.rules_entries(lang):
        if entry["status"] == "no_rules":
            lines.append(f"{entry['year']} {'规则' if lang == 'zh' else 'rules'}: {shown(entry['message'])}")
            continue
        lines.append(f"{entry['year']} {'规则' if lang == 'zh' else 'rules'} sha256 {entry['sha256'][:16]}")
        width = max(display_width(shown(layer["id"])) for layer in entry["layers"])
        lines += [f"  {pad(shown(layer['id']), width)}  {shown(layer['file'])}" for layer in entry["layers"]]
    return lines


def _requirement_ids(history: History) -> list[str]:
    """Every requirement id of any year, in order of first appearance."""
    seen: dict[str, None] = {}
    for year in history.years_with_rules:
        for requirement_id in history.evaluations[year].ledger.compiled.requirement_ids:
            seen.setdefault(requirement_id, None)
    return list(seen)


CSV_PARTS = ("required", "credited", "shortfall", "met", "set_by", "citation", "window")


def _requirement_cells(requirement: YearRequirement | None) -> list[str]:
    if requirement is None:
        return [""] * len(CSV_PARTS)
    o = requirement.outcome
    return [
        str(to_number(o.required)),
        str(to_float(o.credited)),
        str(to_float(o.shortfall)),
        "true" if o.met else "false",
        o.set_by,
        o.provenance.citation or "",
        str(requirement.window),
    ]


def history_csv(history: History) -> str:
    """One row per person and year: the status, the requirements not met, and each requirement's numbers."""
    people = list(history)
    ids = _requirement_ids(history)
    names = ["person_id", "year", "status", "compliant", "unmet", "met_every_year", "rules_sha256"]
    names += [f"{requirement_id}.{part}" for requirement_id in ids for part in CSV_PARTS]
    columns: list[list[str]] = [[] for _ in names]
    for person in people:
        every = person.met_every_year
        for verdict in person.years:
            rules = history.rules(verdict.year)
            row = [
                person.person_id,
                str(verdict.year),
                verdict.status,
                "" if verdict.compliant is None else "true" if verdict.compliant else "false",
                ";".join(r.id for r in verdict.unmet),
                "" if every is None else "true" if every else "false",
                rules.sha256 if rules is not None else "",
            ]
            mine = {r.id: r for r in verdict.requirements}
            for requirement_id in ids:
                row += _requirement_cells(mine.get(requirement_id))
            for column, value in zip(columns, row, strict=True):
                column.append(value)
    table = pa.table({name: pa.array(values, type=pa.string()) for name, values in zip(names, columns, strict=True)})
    return csv_bytes(table, header=True).decode("utf-8")


def history_html(history: History, lang: str = "zh") -> str:
    """The table for notebooks: a cell per person and year, red where a year is not met."""
    rows = history_rows(history, lang)
    head = "".join(f"<th>{e(cell)}</th>" for cell in rows[0])
    body = []
    for person, row in zip(history, rows[1:], strict=True):
        marks = [None, *(verdict.compliant for verdict in person.years)]
        marks += [None] * (len(row) - len(marks) - 1) + [person.met_every_year]
        cells = "".join(
            f'<td style="color:{PASS if mark else FAIL}">{e(cell)}</td>' if mark is not None else f"<td>{e(cell)}</td>"
            for mark, cell in zip(marks, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    notes = "".join(f"<li>{e(line.strip())}</li>" for line in [*history_summary_lines(history, lang), *rules_lines(history, lang)])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table><ul>{notes}</ul>"
