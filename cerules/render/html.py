"""Every HTML view: an evaluation, one person, a draft's impact and its tables, a draft, a rule diff,
and the panels of the draft explorer. Deterministic (notebooks under nbval compare them byte for byte).

Each view renders what it is handed; the objects' `_repr_html_` methods call these.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..base.hours import format_amount
from ..base.printable import escape_unsafe
from ..kernel.decide import NOT_APPLICABLE
from ..rules.schema import unit_name
from ..rules.shipped import city_name
from .labels import layer_name, profile_name, unit_level_name
from .table import impact_summary_line, summary_line
from .text import percent, row_cells, rule_value

if TYPE_CHECKING:  # rendered, never imported: these layers sit above this one
    from ..evaluation.cohort import Evaluation
    from ..evaluation.explain import PersonResult
    from ..whatif.diff import Changes
    from ..whatif.draft import Draft
    from ..whatif.impact import Impact
    from ..whatif.tables import ImpactTable


def e(text: str) -> str:
    """Text for HTML: markup escaped, and controls (ESC, BEL, U+2028…) shown escaped (`\\x1b`), as in
    the terminal table; tabs and line ends stay (a rule file in `<pre>` keeps its lines)."""
    return html.escape(escape_unsafe(text, keep="\t\n\r"))


FAIL = "#cf222e"
PASS = "#1a7f37"

HEADERS = {
    "city": "城市 city",
    "unit_level": "单位层级 unit level",
    "department": "行业部门 department",
    "title_series": "职称系列 title series",
    "name": "名称 name",
    "people": "人数 people",
    "compliant_before": "达标·现行 compliant before",
    "compliant_after": "达标·草案 compliant after",
    "rate_before": "达标率·现行 rate before",
    "rate_after": "达标率·草案 rate after",
    "change": "变化 change",
    "pass_to_fail": "达标→未达标 pass→fail",
    "fail_to_pass": "未达标→达标 fail→pass",
    "person_id": "人员 person",
    "direction": "变化 flip",
    "shortfall_before": "缺口·现行 shortfall before (h)",
    "shortfall_after": "缺口·草案 shortfall after (h)",
    "shortfall_hours": "学时缺口 shortfall (h)",
    "people_before": "人数·现行 people before",
    "people_after": "人数·草案 people after",
    "record_id": "记录 record",
    "status_before": "状态·现行 status before",
    "reason_before": "原因·现行 reason before",
    "credited_before": "认定·现行 credited before (h)",
    "status_after": "状态·草案 status after",
    "reason_after": "原因·草案 reason after",
    "credited_after": "认定·草案 credited after (h)",
}
"""Column headers of the impact tables, in both languages."""


# --- evaluations ----------------------------------------------------------------------------------


def evaluation_html(evaluation: Evaluation) -> str:
    """A cohort's overview: the summary, then one row per person."""
    ledger = evaluation.ledger
    ids = ledger.compiled.requirement_ids
    head = "".join(f"<th>{e(i)}</th>" for i in ids)
    body = []
    for person in range(len(ledger.persons)):
        cells = []
        for r in range(len(ids)):
            required = int(ledger.required[person, r])
            if required == NOT_APPLICABLE:
                cells.append("<td>-</td>")
            else:
                colour = "" if ledger.met[person, r] else f" style='color:{FAIL}'"
                cells.append(f"<td{colour}>{format_amount(int(ledger.achieved[person, r]))} / {format_amount(required)}</td>")
        verdict = "达标" if ledger.compliant[person] else f"<b style='color:{FAIL}'>未达标</b>"
        city = ledger.rules.regions.city_name(ledger.persons.attributes["city"][person])
        body.append(f"<tr><td>{e(str(ledger.persons.person_id[person]))}</td><td>{e(city)}</td>{''.join(cells)}<td>{verdict}</td></tr>")
    return (
        f"<div class='cerules-evaluation'><p>{e(summary_line(evaluation))}</p>"
        f"<table><thead><tr><th>人员</th><th>城市</th>{head}<th>结果</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"<p><small>rules sha256 {evaluation.rules.sha256[:12]}</small></p></div>"
    )


def _headers(*names: str) -> str:
    """Header cells that never wrap (a narrow column must not break 学时 into one character a line)."""
    return "".join(f"<th style='white-space:nowrap'>{e(name)}</th>" for name in names)


def person_html(result: PersonResult, lang: str = "zh") -> str:
    """One person's card: the verdict, each requirement with the rule behind it, and the ledger."""
    verdict = "达标" if result.compliant else "未达标"
    colour = PASS if result.compliant else FAIL
    city = city_name(result.profile.city, lang)
    level = unit_level_name(result.profile.unit_level) + "单位"
    right = " style='text-align:right'"
    rows = []
    for r in result.requirements:
        mark = "✓" if r.met else "✗"
        rows.append(
            f"<tr><td>{mark}</td><td>{e(r.label.zh)}<br><small>{e(r.id)}</small></td>"
            f"<td{right}>{format_amount(r.credited)}</td><td{right}>{format_amount(r.required)}</td>"
            f"<td{right}>{format_amount(r.shortfall)}</td><td>{e(unit_name(r.unit).zh)}</td>"
            f"<td>{e(r.provenance.citation or '')}</td><td>{e(layer_name(r.provenance))}</td></tr>"
        )
    ledger_rows = []
    for rec in result.records:
        style = "" if rec.status == "credited" else f" style='color:{FAIL}'"
        ledger_rows.append(
            f"<tr{style}><td>{e(rec.record_id or '-')}</td><td>{e(rec.subject or '')}</td>"
            f"<td{right}>{format_amount(rec.hours)}</td><td{right}>{format_amount(rec.credited)}</td>"
            f"<td>{e(rec.reason or '')}</td><td>{e(rec.message.zh)}</td></tr>"
        )
    return (
        f"<div class='cerules-person'><h4>{e(result.person_id)} · {result.year} · "
        f"<span style='color:{colour}'>{verdict}</span></h4>"
        f"<p>{e(city)} · {e(level)} · {e(result.profile.title_series or '')}</p>"
        f"<table><thead><tr>{_headers('', '要求', '已认定', '应修', '差额', '单位', '依据', '设定层')}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<details><summary>学习记录</summary><table><thead><tr>{_headers('记录', '科目', '学时', '认定', '原因', '说明')}</tr></thead>"
        f"<tbody>{''.join(ledger_rows)}</tbody></table></details>"
        f"<p><small>rules sha256 {result.rules_sha256[:12]}</small></p></div>"
    )


# --- what-if --------------------------------------------------------------------------------------


def impact_table_html(table: ImpactTable, limit: int | None = 50) -> str:
    """An impact table under its title (at most `limit` rows), with its note."""
    names = table.names
    rows = row_cells(names, table.rows(limit))
    head = "".join(f"<th>{e(HEADERS.get(name, name))}</th>" for name in names)
    body = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    more = f"<p><small>… 另有 {len(table) - limit} 行 / {len(table) - limit} more rows</small></p>" if limit and len(table) > limit else ""
    note = f"<p><small>{e(table.note)}</small></p>" if table.note else ""
    return (
        f"<div class='cerules-impact-table'><p><b>{e(table.title)}</b></p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}{note}</div>"
    )


def impact_html(impact: Impact, rows: int = 20) -> str:
    """A draft's impact: compliance before and after, flips, then the tables by city, shortfall, people, records."""
    s = impact.summary()
    head = (
        "<table><thead><tr><th></th><th>现行规则 baseline</th><th>草案 draft</th></tr></thead><tbody>"
        f"<tr><td>达标人数 compliant</td><td>{s['compliant_before']} / {s['people']}</td>"
        f"<td>{s['compliant_after']} / {s['people']}</td></tr>"
        f"<tr><td>达标率 rate</td><td>{percent(s['rate_before'])}</td><td>{percent(s['rate_after'])}</td></tr>"
        "</tbody></table>"
        f"<p>达标→未达标 pass→fail: <b>{s['pass_to_fail']}</b> · 未达标→达标 fail→pass: <b>{s['fail_to_pass']}</b> · "
        f"认定结果改变的记录 records changed: <b>{s['records_changed']}</b> / {s['records']}</p>"
    )
    digests = (
        f"<p><small>baseline rules sha256 {impact.baseline.rules.sha256[:12]} · "
        f"draft rules sha256 {impact.draft.rules.sha256[:12]}</small></p>"
    )
    tables = (
        impact_table_html(impact.by("city")),
        impact_table_html(impact.shortfall),
        impact_table_html(impact.flips, rows),
        impact_table_html(impact.changed_records, rows),
    )
    return f"<div class='cerules-impact'><p>{e(impact_summary_line(impact, 'zh'))}</p>{head}{''.join(tables)}{digests}</div>"


def toml_html(text: str) -> str:
    """A rule file's text, kept as written."""
    return f"<pre>{e(text)}</pre>"


def draft_html(draft: Draft) -> str:
    """A draft as the rule file it makes."""
    return f"<div class='cerules-draft'>{toml_html(draft.to_toml())}</div>"


def changes_html(changes: Changes) -> str:
    """Changed rule values: before in red, after in green, who set each, and for whom."""
    if not changes:
        return "<p class='cerules-diff'>没有变化 / no changes</p>"
    rows = []
    for change in changes:
        source = change.provenance or change.before_provenance
        was = change.before_provenance
        rows.append(
            "<tr>"
            f"<td><code>{e(change.path)}</code></td>"
            f"<td style='color:{FAIL}'>{e(rule_value(change.before))}</td>"
            f"<td style='color:{PASS}'>{e(rule_value(change.after))}</td>"
            f"<td>{e(source.layer if source else '-')} · {e((source.citation or '-') if source else '-')}</td>"
            f"<td>{e(was.layer if was else '-')} · {e((was.citation or '-') if was else '-')}</td>"
            f"<td>{e('; '.join(profile_name(p, 'zh') for p in change.profiles))}</td>"
            "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("规则 path", "原值 before", "新值 after", "新依据 set by", "原依据 was set by", "适用 for"))
    return f"<table class='cerules-diff'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# --- the draft explorer's panels ------------------------------------------------------------------


def explorer_heading_html(year: int, people: int, based_on: int | None = None) -> str:
    basis = f"（依据 {based_on} 年度规则 · based on the {based_on} rules）" if based_on is not None else ""
    return f"<b>规则草案 · draft explorer</b> — {year}{basis}, {people} 人 people"


def explorer_impact_html(impact: Impact) -> str:
    """The explorer's impact tab: the summary in both languages, compliance by city and unit level, shortfall."""
    tables = (impact_table_html(impact.by("city")), impact_table_html(impact.by("unit_level")), impact_table_html(impact.shortfall))
    return (
        f"<div class='cerules-impact'><p>{e(impact_summary_line(impact, 'zh'))}</p>"
        f"<p>{e(impact_summary_line(impact, 'en'))}</p>{''.join(tables)}</div>"
    )


def explorer_status_html(values: int, seconds: float) -> str:
    """How many values the draft sets and how long the update took."""
    return f"<small>草案含 {values} 项规则 · draft sets {values} value(s) · {seconds:.2f} s</small>"


def refused_html(message: str) -> str:
    """Why a draft was refused, in full (every bad path)."""
    return f"<pre style='color:{FAIL}'>{e(message)}</pre>"


def export_failed_html(message: str) -> str:
    return f"<span style='color:{FAIL}'>{e(message)}</span>"


def exported_html(path: str) -> str:
    return f"已导出 exported: <code>{e(path)}</code>"
