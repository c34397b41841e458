"""Output forms of an evaluation: the JSON document, one CSV row per person, a terminal table, HTML."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from . import reasons as R
from ._hours import format_amount, to_float, to_number
from .engine import NOT_APPLICABLE
from .evaluation import Evaluation
from .regions import city_name

FORMATS = ("json", "csv", "table")


def to_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The contract's JSON document as text (UTF-8, Chinese kept readable)."""
    return json.dumps(evaluation.to_document(lang), ensure_ascii=False, indent=2) + "\n"


def to_csv(evaluation: Evaluation) -> str:
    """One row per person: the verdict and, per requirement, required/credited/shortfall/met."""
    ledger = evaluation.ledger
    ids = ledger.compiled.requirement_ids
    header = ["person_id", "compliant"]
    for requirement_id in ids:
        header += [f"{requirement_id}.{part}" for part in ("required", "credited", "shortfall", "met", "set_by")]
    header += ["records", "credited_records", "rejected_records", "reasons"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    credited = ledger.status_credited
    for person in range(len(ledger.persons)):
        policy = ledger.compiled.policies[int(ledger.persons.profile[person])]
        setters = {r.id: r.provenance.layer for r in policy.requirements}
        row: list[object] = [ledger.persons.person_id[person], _bool(bool(ledger.compliant[person]))]
        for r, requirement_id in enumerate(ids):
            required = int(ledger.required[person, r])
            if required == NOT_APPLICABLE:
                row += ["", "", "", "", ""]
                continue
            achieved = int(ledger.achieved[person, r])
            row += [
                to_number(required),
                to_float(achieved),
                to_float(max(required - achieved, 0)),
                _bool(bool(ledger.met[person, r])),
                setters[requirement_id],
            ]
        positions = ledger.record_positions(person)
        codes = sorted({R.NAMES[c] for c in ledger.reason[positions] if c != R.CREDITED})
        row += [len(positions), int(credited[positions].sum()), int((~credited[positions]).sum()), ";".join(codes)]
        writer.writerow(row)
    return out.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def to_table(evaluation: Evaluation, lang: str = "zh") -> str:
    """A table for people reading a terminal, with the verdict and the reasons for each person."""
    ledger = evaluation.ledger
    zh = lang == "zh"
    ids = ledger.compiled.requirement_ids
    header = ["人员" if zh else "person", "城市" if zh else "city", "单位" if zh else "unit"]
    header += list(ids) + ["结果" if zh else "verdict", "原因" if zh else "reasons"]
    rows = [header]
    for person in range(len(ledger.persons)):
        attrs_ = ledger.persons.attributes
        level = attrs_["unit_level"][person]
        row = [
            str(ledger.persons.person_id[person]),
            city_name(attrs_["city"][person], lang),
            ("省直" if zh else "province") if level == "province" else ("市属" if zh else "city"),
        ]
        for r in range(len(ids)):
            required = int(ledger.required[person, r])
            row.append("-" if required == NOT_APPLICABLE else f"{format_amount(int(ledger.achieved[person, r]))}/{format_amount(required)}")
        row.append(("达标" if zh else "pass") if ledger.compliant[person] else ("未达标" if zh else "FAIL"))
        codes = ledger.reason[ledger.record_positions(person)]
        row.append(", ".join(f"{R.NAMES[c]}×{n}" for c, n in enumerate(np.bincount(codes, minlength=len(R.NAMES))) if c and n))
        rows.append(row)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    numeric = {i for i in range(3, 3 + len(ids))}
    lines = ["  ".join(_pad(cell, widths[i], i in numeric) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("\n" + summary_line(evaluation, lang))
    for entry in evaluation.to_document(lang)["rejected_input"]:
        where = f"第{entry['line']}行" if zh else f"line {entry['line']}"
        label = "未归属记录" if zh else "rejected input"
        lines.append(f"  {label}: {entry['record_id']} ({where}) {entry['reason']}: {entry['message']}")
    for rejected in evaluation.rejected_persons:
        label = "无效人员" if zh else "rejected person"
        lines.append(f"  {label}: {rejected.person_id} (line {rejected.line}) {rejected.problem.text.in_lang(lang)}")
    lines.append(
        f"{'规则' if zh else 'rules'} sha256 {evaluation.rules.sha256[:16]}  " + " → ".join(layer.id for layer in evaluation.rules.layers)
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


def render(evaluation: Evaluation, fmt: str, lang: str = "zh") -> str:
    if fmt == "json":
        return to_json(evaluation, lang)
    if fmt == "csv":
        return to_csv(evaluation)
    if fmt == "table":
        return to_table(evaluation, lang)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write the whole file or nothing: a temporary file beside it, renamed into place."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def evaluation_html(evaluation: Evaluation) -> str:
    """A deterministic HTML overview for notebooks: summary, then one row per person."""
    e = html.escape
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
                colour = "" if ledger.met[person, r] else " style='color:#cf222e'"
                cells.append(f"<td{colour}>{format_amount(int(ledger.achieved[person, r]))} / {format_amount(required)}</td>")
        verdict = "达标" if ledger.compliant[person] else "<b style='color:#cf222e'>未达标</b>"
        city = city_name(ledger.persons.attributes["city"][person])
        body.append(f"<tr><td>{e(str(ledger.persons.person_id[person]))}</td><td>{e(city)}</td>{''.join(cells)}<td>{verdict}</td></tr>")
    return (
        f"<div class='cerules-evaluation'><p>{e(summary_line(evaluation))}</p>"
        f"<table><thead><tr><th>人员</th><th>城市</th>{head}<th>结果</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"<p><small>rules sha256 {evaluation.rules.sha256[:12]}</small></p></div>"
    )
