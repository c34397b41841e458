"""The report page: one self-contained HTML file a leader reads at a glance, and anyone can open offline.

Headline figures, compliance by city, title series and unit level as inline SVG bars, the reasons
records were not credited, the requirements most often unmet, every person in a searchable and
sortable table with their explanation on demand, and the rules with their citations and digest.

Nothing on the page reaches the network: styles, script and charts are inline, and a Content
Security Policy forbids every other source (the script and the style are allowed by their
hashes, so no injected markup could run). People travel as one JSON blob that the script
renders a page of rows at a time, so a province's cohort makes a page of a few megabytes, not a
hundred thousand table rows. Every text from the input is escaped: in markup by `e`, in the blob
by `_json_for_script`, and the script writes it only as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs
import numpy as np

from ..base.hours import format_amount
from ..base.text import Text
from ..base.version import __version__
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..rules.describe import describe_rules
from ..rules.schema import unit_name
from .groups import Group, compliance_groups, distinct_codes
from .html import e
from .labels import UNIT_LEVEL_ORDER, requirement_names, unit_level_name
from .text import rule_value

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.cohort import Evaluation

EXPLAIN_LIMIT = 2000
"""Cohorts up to this many people carry each person's full explanation (every record); larger ones
carry the structured view alone (requirements with citations, records counted by reason)."""

MAX_GROUPS = 16
"""Bars a chart shows; smaller groups are summed into one bar of the rest."""

PASS_COLOUR, FAIL_COLOUR, REASON_COLOUR = "#2da44e", "#f5c2c0", "#d4760b"

WORDS: dict[str, Text] = {
    "title": Text("继续教育达标情况报告", "Continuing education compliance report"),
    "year": Text("年度", "year"),
    "pack": Text("规则包", "rule pack"),
    "people": Text("人数", "people"),
    "compliant": Text("达标", "compliant"),
    "not_compliant": Text("未达标", "not compliant"),
    "rate": Text("达标率", "compliance rate"),
    "records": Text("学习记录", "learning records"),
    "credited": Text("认定", "credited"),
    "rejected": Text("未认定", "not credited"),
    "by_city": Text("各市达标率", "Compliance by city"),
    "by_series": Text("各职称系列达标率", "Compliance by title series (职称系列)"),
    "by_level": Text("按单位层级", "Compliance by unit level"),
    "sorted_by_rate": Text("按达标率由低到高排列", "lowest rate first"),
    "reasons": Text("未认定记录的主要原因", "Why records were not credited"),
    "reasons_note": Text(
        "“超出学时上限”含被部分削减的记录。", "“Hours beyond a cap” includes records cut in part and still credited for the rest."
    ),
    "no_reasons": Text("所有记录均已认定。", "Every record was credited."),
    "unmet": Text("最常未达到的要求", "Requirements most often unmet"),
    "requirement": Text("要求", "requirement"),
    "people_unmet": Text("未达到人数", "people not meeting it"),
    "of_applicable": Text("占适用人数", "of those it applies to"),
    "total_shortfall": Text("合计差额", "total shortfall"),
    "no_unmet": Text("每项要求都已达到。", "Every requirement is met."),
    "people_table": Text("人员明细", "People"),
    "search": Text("搜索人员编号、城市、系列……", "Search id, city, series…"),
    "all": Text("全部", "all"),
    "person_id": Text("人员编号", "person"),
    "city": Text("城市", "city"),
    "unit_level": Text("单位层级", "unit level"),
    "title_series": Text("职称系列", "title series"),
    "verdict": Text("结果", "verdict"),
    "unmet_column": Text("未达到的要求（差额）", "unmet requirements (shortfall)"),
    "shown": Text("显示第 {first}–{last} 条，共 {count} 条", "{first}–{last} of {count}"),
    "none_found": Text("没有符合条件的人员", "no one matches"),
    "previous": Text("上一页", "previous"),
    "next": Text("下一页", "next"),
    "click_hint": Text("点击一行查看该人员的说明。", "Click a row for the person's explanation."),
    "separator": Text("；", "; "),
    "short": Text("差 {amount} {unit}", "{amount} {unit} short"),
    "got_of": Text("已认定 / 应修", "credited / required"),
    "shortfall": Text("差额", "shortfall"),
    "citation": Text("依据", "citation"),
    "set_by": Text("设定层", "set by"),
    "unverified": Text("未核实", "unverified"),
    "record_counts": Text("学习记录", "records"),
    "explanation": Text("完整说明", "full explanation"),
    "no_explanation": Text(
        "人数超过 {limit} 人，报告中只列出每人的要求与记录统计。",
        "With more than {limit} people the report lists each person's requirements and record counts only.",
    ),
    "rules": Text("规则与依据", "Rules and citations"),
    "layer": Text("规则层", "layer"),
    "file": Text("文件", "file"),
    "source": Text("来源", "source"),
    "scope": Text("适用范围", "scope"),
    "whole_pack": Text("全部", "everyone"),
    "path": Text("规则项", "rule"),
    "value": Text("取值", "value"),
    "when": Text("适用于", "applies to"),
    "skipped": Text("已跳过的插件", "skipped plugins"),
    "based_on": Text("依据 {year} 年度规则起草", "a draft based on the {year} rules"),
    "data_quality": Text("数据质量", "Data quality"),
    "made": Text("生成时间", "made"),
    "engine": Text("引擎", "engine"),
    "beijing": Text("北京时间", "Asia/Shanghai"),
    "others": Text("其他", "others"),
    "none": Text("（未填写）", "(none given)"),
    "chart_label": Text("{name}：{compliant}/{people} 人达标（{rate}）", "{name}: {compliant} of {people} compliant ({rate})"),
}


def _w(key: str, lang: str, **values: Any) -> str:
    text = WORDS[key].in_lang(lang)
    return text.format(**values) if values else text


# --- what the page shows, computed from the ledger ---------------------------------------------------


@attrs.frozen
class Unmet:
    """A requirement some people do not meet: how many, of how many, and their shortfall summed."""

    label: str
    requirement_id: str
    unit: str
    people: int
    applicable: int
    shortfall: int  # hundredths of the unit


def _groups(names: Sequence[str], index: np.ndarray, compliant: np.ndarray, *, other: str | None = None) -> list[Group]:
    """Each group's people and compliant, lowest rate first; beyond MAX_GROUPS the smallest summed as `other`."""
    groups = compliance_groups(names, index, compliant)
    if other is not None and len(groups) > MAX_GROUPS:
        groups.sort(key=lambda group: -group.people)
        kept, rest = groups[: MAX_GROUPS - 1], groups[MAX_GROUPS - 1 :]
        groups = [*kept, Group(other, sum(g.people for g in rest), sum(g.compliant for g in rest))]
    return sorted(groups, key=lambda group: (group.rate, -group.people, group.name))


def _requirement_labels(evaluation: Evaluation, lang: str) -> list[tuple[str, str]]:
    """Each requirement id's label and unit, as the policies that set it name them."""
    compiled = evaluation.ledger.compiled
    names = requirement_names(compiled)
    return [
        (names[rid][0].in_lang(lang), names[rid][1]) if rid in names else (rid, unit)
        for rid, unit in zip(compiled.requirement_ids, compiled.requirement_unit, strict=True)
    ]


def _unmet(evaluation: Evaluation, lang: str) -> list[Unmet]:
    """The requirements not met by someone, the most often unmet first."""
    ledger = evaluation.ledger
    applies = ledger.required != NOT_APPLICABLE
    missing = applies & ~ledger.met
    shortfall = np.where(missing, np.maximum(ledger.required - ledger.achieved, 0), 0).sum(axis=0)
    found = []
    for r, (label, unit) in enumerate(_requirement_labels(evaluation, lang)):
        count = int(missing[:, r].sum())
        if count:
            found.append(Unmet(label, ledger.compiled.requirement_ids[r], unit, count, int(applies[:, r].sum()), int(shortfall[r])))
    return sorted(found, key=lambda unmet: (-unmet.people, unmet.requirement_id))


# --- pieces of the page ---------------------------------------------------------------------------


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _count(number: int) -> str:
    return f"{number:,}"


def _label_width(names: Sequence[str]) -> int:
    """Room for the longest label, in SVG user units (wide characters count twice)."""
    longest = max((sum(2 if ord(char) > 0x2E80 else 1 for char in name) for name in names), default=4)
    return min(max(longest * 7 + 12, 60), 190)


def group_chart(groups: Sequence[Group], title: str, lang: str) -> str:
    """Horizontal bars, one per group: the compliant share in green, the rest in pale red, figures beside."""
    if not groups:
        return ""
    left = _label_width([g.name for g in groups])
    track, row = 300, 26
    height = row * len(groups) + 8
    figures = max(len(f"{_percent(g.rate)} {_count(g.compliant)}/{_count(g.people)}") for g in groups)
    width = left + track + 16 + round(figures * 7.2)
    bars = []
    for i, group in enumerate(groups):
        y = 4 + i * row
        filled = round(track * group.rate, 1)
        words = _w(
            "chart_label", lang, name=group.name, compliant=_count(group.compliant), people=_count(group.people), rate=_percent(group.rate)
        )
        bars.append(
            f"<g class='bar'><title>{e(words)}</title>"
            f"<text x='{left - 8}' y='{y + 15}' text-anchor='end' class='label'>{e(group.name)}</text>"
            f"<rect x='{left}' y='{y + 3}' width='{track}' height='{row - 8}' rx='3' fill='{FAIL_COLOUR}'/>"
            f"<rect class='pass' x='{left}' y='{y + 3}' width='{filled}' height='{row - 8}' rx='3' fill='{PASS_COLOUR}'/>"
            f"<text x='{left + track + 8}' y='{y + 15}' class='figure'><tspan class='rate'>{_percent(group.rate)}</tspan>"
            f" <tspan class='count'>{_count(group.compliant)}/{_count(group.people)}</tspan></text></g>"
        )
    return (
        f"<svg class='chart' role='img' aria-label='{e(title)}' viewBox='0 0 {width} {height}' width='{width}' height='{height}'>"
        f"{''.join(bars)}</svg>"
    )


def reason_chart(counts: dict[str, int], lang: str) -> str:
    """Bars of records not credited, by reason, the most common first, each named above its bar in the page's language."""
    if not counts:
        return f"<p class='quiet'>{e(_w('no_reasons', lang))}</p>"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    track, row, width = 420, 40, 520
    most = max(counts.values())
    height = row * len(ordered) + 4
    bars = []
    for i, (code, count) in enumerate(ordered):
        y = 2 + i * row
        name = R.BY_NAME[code].text.in_lang(lang) if code in R.BY_NAME else code
        length = max(round(track * count / most, 1), 2)
        bars.append(
            f"<g class='bar'><title>{e(code)}: {_count(count)}</title>"
            f"<text x='0' y='{y + 13}' class='label'>{e(name)} <tspan class='code'>{e(code)}</tspan></text>"
            f"<rect x='0' y='{y + 19}' width='{length}' height='14' rx='3' fill='{REASON_COLOUR}'/>"
            f"<text x='{length + 8}' y='{y + 31}' class='figure'>{_count(count)}</text></g>"
        )
    return (
        f"<svg class='chart' role='img' aria-label='{e(_w('reasons', lang))}' viewBox='0 0 {width} {height}' width='{width}' "
        f"height='{height}'>{''.join(bars)}</svg>"
        f"<p class='note'>{e(_w('reasons_note', lang))}</p>"
    )


def unmet_table(unmet: Sequence[Unmet], lang: str) -> str:
    if not unmet:
        return f"<p class='quiet'>{e(_w('no_unmet', lang))}</p>"
    head = "".join(
        f"<th{cls}>{e(_w(key, lang))}</th>"
        for key, cls in (
            ("requirement", ""),
            ("people_unmet", " class='num'"),
            ("of_applicable", " class='num'"),
            ("total_shortfall", " class='num'"),
        )
    )
    rows = "".join(
        f"<tr data-requirement='{e(u.requirement_id)}'><td>{e(u.label)} <code>{e(u.requirement_id)}</code></td>"
        f"<td class='num people'>{_count(u.people)}</td><td class='num share'>{_percent(u.people / u.applicable)}</td>"
        f"<td class='num shortfall'>{e(format_amount(u.shortfall))} {e(unit_name(u.unit).in_lang(lang))}</td></tr>"
        for u in unmet
    )
    return f"<table class='plain'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _card(label: str, value: str, detail: str = "", kind: str = "") -> str:
    extra = f"<div class='detail'>{detail}</div>" if detail else ""
    return f"<div class='card {kind}'><div class='label'>{e(label)}</div><div class='value'>{value}</div>{extra}</div>"


def headline(evaluation: Evaluation, lang: str) -> str:
    """The figures a reader takes in first: people, compliant and rate, records credited and not, year and pack."""
    s = evaluation.summary()
    rate = s["compliant"] / s["people"] if s["people"] else 0.0
    records_detail = f"{e(_w('credited', lang))} <b>{_count(s['credited'])}</b> · {e(_w('rejected', lang))} <b>{_count(s['rejected'])}</b>"
    cards = (
        _card(_w("people", lang), _count(s["people"]), kind="people"),
        _card(_w("compliant", lang), _count(s["compliant"]), f"{e(_w('rate', lang))} <b>{_percent(rate)}</b>", "pass"),
        _card(_w("not_compliant", lang), _count(s["people"] - s["compliant"]), "", "fail"),
        _card(_w("records", lang), _count(s["records"]), records_detail, "records"),
        _card(_w("year", lang), str(evaluation.year), f"{e(_w('pack', lang))} <b>{e(evaluation.rules.pack_id)}</b>", "year"),
    )
    meter = (
        f"<div class='meter' role='img' aria-label='{e(_w('rate', lang))} {_percent(rate)}'>"
        f"<svg viewBox='0 0 1000 12' preserveAspectRatio='none'>"
        f"<rect width='1000' height='12' fill='{FAIL_COLOUR}'/><rect width='{round(rate * 1000, 1)}' height='12' fill='{PASS_COLOUR}'/>"
        "</svg></div>"
    )
    return f"<section class='cards' id='headline'>{''.join(cards)}</section>{meter}"


def _scope_text(scope: dict[str, Any], lang: str) -> str:
    if not scope:
        return _w("whole_pack", lang)
    return "; ".join(f"{key} = {rule_value(value)}" for key, value in scope.items())


def rules_section(evaluation: Evaluation, lang: str) -> str:
    """Every layer, each value it sets with its citation, and the digest that names the rule set."""
    described = describe_rules(evaluation.rules)
    layers = []
    for layer in described["layers"]:
        rows = []
        for value in layer["values"]:
            unverified = f" <span class='tag'>{e(_w('unverified', lang))}</span>" if not value["verified"] else ""
            rows.append(
                f"<tr><td><code>{e(value['path'])}</code></td><td>{e(rule_value(value['value']))}</td>"
                f"<td>{e(_scope_text(value['when'], lang))}</td><td>{e(value['citation'] or '—')}{unverified}</td></tr>"
            )
        head = "".join(f"<th>{e(_w(key, lang))}</th>" for key in ("path", "value", "when", "citation"))
        about = " · ".join(
            part
            for part in (
                f"{e(_w('scope', lang))}: {e(_scope_text(layer['scope'], lang))}",
                f"{e(_w('file', lang))}: <code>{e(layer['file'] or '—')}</code>",
                f"{e(_w('source', lang))}: {e(layer['source'])}" if layer["source"] else "",
                f"plugin: {e(layer['plugin'])}" if layer["plugin"] else "",
            )
            if part
        )
        layers.append(
            f"<details class='layer' open><summary><b>{e(layer['id'])}</b> <span class='quiet'>{e(layer['rank'])}"
            f"{' · ' + e(str(layer['version'])) if layer['version'] else ''}</span></summary>"
            f"<p class='about'>{about}</p>"
            f"<table class='plain rules'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
        )
    notes = []
    if described["based_on"] is not None:
        notes.append(f"<p>{e(_w('based_on', lang, year=described['based_on']))}</p>")
    if described["skipped_plugins"]:
        notes.append(f"<p>{e(_w('skipped', lang))}: {e(', '.join(described['skipped_plugins']))}</p>")
    return (
        f"<section id='rules'><h2>{e(_w('rules', lang))}</h2>{''.join(notes)}{''.join(layers)}"
        f"<p class='digest'>sha256 <code id='sha256'>{e(described['sha256'])}</code></p></section>"
    )


def quality_section(evaluation: Evaluation, lang: str) -> str:
    lines = evaluation.data_quality().lines(lang)
    if not lines:
        return ""
    items = "".join(f"<li>{e(line.strip())}</li>" for line in lines)
    return f"<section id='quality'><h2>{e(_w('data_quality', lang))}</h2><ul class='quality'>{items}</ul></section>"


# --- the people, as one blob the script pages through ---------------------------------------------


def people_data(evaluation: Evaluation, lang: str, explain_limit: int = EXPLAIN_LIMIT) -> dict[str, Any]:
    """Every person, column by column (names once, indices per person): what the table and the details show."""
    ledger = evaluation.ledger
    persons = ledger.persons
    regions = evaluation.rules.regions
    city_codes, city_index = distinct_codes(persons.attributes["city"])
    level_codes, level_index = distinct_codes(persons.attributes["unit_level"])
    series_names, series_index = distinct_codes(persons.attributes["title_series"])
    labels = _requirement_labels(evaluation, lang)
    profiles = []
    for policy in ledger.compiled.policies:
        by_id = {q.id: q.provenance for q in policy.requirements}
        profiles.append(
            [
                [p.citation or "—", p.layer + (f" [{p.plugin}]" if p.plugin else ""), p.verified] if (p := by_id.get(rid)) else None
                for rid in ledger.compiled.requirement_ids
            ]
        )
    reason_counts = _reason_counts_by_person(evaluation)
    data: dict[str, Any] = {
        "id": [str(pid) for pid in persons.person_id],
        "city": city_index.tolist(),
        "level": level_index.tolist(),
        "series": series_index.tolist(),
        "ok": ledger.compliant.astype(np.int8).tolist(),
        "profile": persons.profile.astype(np.int64).tolist(),
        "need": ledger.required.T.tolist(),
        "got": ledger.achieved.T.tolist(),
        "miss": _missed_by_person(ledger.required, ledger.met),
        "reasons": reason_counts,
        "cities": [regions.city_name(code, lang) for code in city_codes],
        "levels": [unit_level_name(code, lang) for code in level_codes],
        "seriesNames": [name or _w("none", lang) for name in series_names],
        "requirements": [
            {"id": rid, "label": label, "unit": unit_name(unit).in_lang(lang)}
            for rid, (label, unit) in zip(ledger.compiled.requirement_ids, labels, strict=True)
        ],
        "profiles": profiles,
        "reasonNames": [reason.text.in_lang(lang) for reason in R.REASONS],
        "explain": None,
    }
    if len(persons) <= explain_limit:
        data["explain"] = [person.explain(lang) for person in evaluation]
    return data


def _missed_by_person(required: np.ndarray, met: np.ndarray) -> list[list[int]]:
    """Per person, the positions of the requirements that apply to them and are not met."""
    people, positions = np.nonzero((required != NOT_APPLICABLE) & ~met)
    missed: list[list[int]] = [[] for _ in range(len(required))]
    for person, position in zip(people.tolist(), positions.tolist(), strict=True):
        missed[person].append(position)
    return missed


def _reason_counts_by_person(evaluation: Evaluation) -> list[list[int]]:
    """Per person, their records counted by reason code, flat: [code, count, code, count, …] (credited is code 0)."""
    ledger = evaluation.ledger
    owned = ledger.person_index >= 0
    size = len(R.REASONS)
    counts = np.bincount(ledger.person_index[owned] * size + ledger.reason[owned].astype(np.int64), minlength=len(ledger.persons) * size)
    matrix = counts.reshape(len(ledger.persons), size)
    people, codes = np.nonzero(matrix)
    flat: list[list[int]] = [[] for _ in range(len(ledger.persons))]
    for person, code, count in zip(people.tolist(), codes.tolist(), matrix[people, codes].tolist(), strict=True):
        flat[person] += [code, count]
    return flat


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` that could end it, no line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# --- the page -------------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("report_assets", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _made_at(generated_at: str | None, lang: str) -> str:
    if generated_at is not None:
        return generated_at
    import pendulum

    return pendulum.now("Asia/Shanghai").format("YYYY-MM-DD HH:mm") + f" ({_w('beijing', lang)})"


def _table_words(lang: str) -> dict[str, str]:
    keys = (
        "compliant", "not_compliant", "all", "shown", "none_found", "previous", "next", "short", "got_of", "shortfall",
        "citation", "set_by", "unverified", "record_counts", "explanation", "requirement", "no_explanation", "credited",
        "separator",
    )  # fmt: skip
    return {key: _w(key, lang) for key in keys}


def breakdowns(evaluation: Evaluation, lang: str) -> dict[str, list[Group]]:
    """Compliance by city, by title series (lowest rate first) and by unit level (city units, then provincial)."""
    persons, compliant = evaluation.ledger.persons, evaluation.ledger.compliant
    regions, others = evaluation.rules.regions, _w("others", lang)
    city_codes, city_index = distinct_codes(persons.attributes["city"])
    series_names, series_index = distinct_codes(persons.attributes["title_series"])
    level_codes, level_index = distinct_codes(persons.attributes["unit_level"])
    by_level = _groups([unit_level_name(code, lang) for code in level_codes], level_index, compliant)
    order = {unit_level_name(code, lang): i for i, code in enumerate(UNIT_LEVEL_ORDER)}
    return {
        "by_city": _groups([regions.city_name(code, lang) for code in city_codes], city_index, compliant, other=others),
        "by_series": _groups([name or _w("none", lang) for name in series_names], series_index, compliant, other=others),
        "by_level": sorted(by_level, key=lambda group: order.get(group.name, len(order))),
    }


def _panel(title: str, content: str, note: str = "", ident: str = "") -> str:
    small = f" <small>{e(note)}</small>" if note else ""
    named = f" id='{ident}'" if ident else ""
    return f"<section class='panel'{named}><h2>{e(title)}{small}</h2>{content}</section>"


PEOPLE_COLUMNS = (
    ("id", "person_id"),
    ("city", "city"),
    ("level", "unit_level"),
    ("series", "title_series"),
    ("verdict", "verdict"),
    ("unmet", "unmet_column"),
)
"""The people table's columns: the script's sort key and the header's words."""


def people_panel(lang: str) -> str:
    """The search box, the verdict filter, the table's header and the pager; the script fills the rows."""
    header = "".join(
        f"<th data-key='{key}' aria-sort='none' tabindex='0'>{e(_w(word, lang))}<span class='arrow'></span></th>"
        for key, word in PEOPLE_COLUMNS
    )
    choices = "".join(
        f"<option value='{value}'>{e(_w(word, lang))}</option>"
        for value, word in (("", "all"), ("fail", "not_compliant"), ("pass", "compliant"))
    )
    search = e(_w("search", lang))
    content = (
        f"<div class='tools'><input id='search' type='search' placeholder='{search}' aria-label='{search}' autocomplete='off'>"
        f"<select id='verdict' aria-label='{e(_w('verdict', lang))}'>{choices}</select><span id='count' class='quiet'></span></div>"
        f"<table id='people-table' class='people'><thead><tr>{header}</tr></thead><tbody></tbody></table>"
        f"<nav class='pager'><button id='previous' type='button'>{e(_w('previous', lang))}</button>"
        f"<span id='page-number'></span><button id='next' type='button'>{e(_w('next', lang))}</button></nav>"
    )
    return _panel(_w("people_table", lang), content, _w("click_hint", lang), "people")


def _policy(style: str, script: str) -> str:
    """Nothing may load from anywhere; only this style and this script (by their hashes) apply."""
    allowed = f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}"
    return f"default-src 'none'; {allowed}; img-src data:; base-uri 'none'; form-action 'none'"


def report_page(evaluation: Evaluation, lang: str = "zh", *, generated_at: str | None = None, explain_limit: int = EXPLAIN_LIMIT) -> str:
    """The whole report as one HTML document (`generated_at` fixes the time it says it was made)."""
    groups = breakdowns(evaluation, lang)
    sorted_note = _w("sorted_by_rate", lang)
    charts = (
        _panel(_w("by_city", lang), group_chart(groups["by_city"], _w("by_city", lang), lang), sorted_note)
        + _panel(_w("by_series", lang), group_chart(groups["by_series"], _w("by_series", lang), lang), sorted_note)
        + "<div class='stack'>"
        + _panel(_w("by_level", lang), group_chart(groups["by_level"], _w("by_level", lang), lang))
        + _panel(_w("unmet", lang), unmet_table(_unmet(evaluation, lang), lang), ident="unmet")
        + "</div>"
        + _panel(_w("reasons", lang), reason_chart(evaluation.reason_counts(), lang))
    )
    made = _made_at(generated_at, lang)
    title = f"{_w('title', lang)} · {evaluation.year}"
    sha256 = evaluation.rules.sha256
    body = (
        f"<header><h1>{e(title)}</h1><p class='meta'>{e(_w('pack', lang))} <b>{e(evaluation.rules.pack_id)}</b> · "
        f"{e(_w('made', lang))} {e(made)} · cerules {e(__version__)} · sha256 <code>{e(sha256[:16])}</code></p></header>"
        f"<main>{headline(evaluation, lang)}<div class='grid'>{charts}</div>{people_panel(lang)}"
        f"{quality_section(evaluation, lang)}{rules_section(evaluation, lang)}</main>"
        f"<footer>cerules {e(__version__)} · {e(_w('made', lang))} {e(made)} · sha256 {e(sha256)}</footer>"
    )
    data = people_data(evaluation, lang, explain_limit) | {"words": _table_words(lang), "limit": explain_limit}
    style, script = _asset("report.css"), _asset("report.js")
    return (
        f"<!DOCTYPE html>\n<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_policy(style, script)}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
        f"<title>{e(title)}</title><style>{style}</style></head><body>{body}"
        f"<script type='application/json' id='cerules-data'>{_json_for_script(data)}</script>"
        f"<script>{script}</script></body></html>\n"
    )


def write_report(evaluation: Evaluation, stream: BinaryIO, lang: str = "zh") -> None:
    """The report page into a binary stream (what `cerules report` and `--format html` write)."""
    stream.write(report_page(evaluation, lang).encode("utf-8"))


__all__ = ["EXPLAIN_LIMIT", "report_page", "write_report"]
