"""Output forms of an evaluation: the JSON document, one CSV row per person, a terminal table, HTML."""

from __future__ import annotations

import contextlib
import html
import json
import os
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.hours import format_amount
from ..base.version import __version__
from ..inputs.columns import utf8_buffers
from ..kernel import reasons as R
from ..kernel.engine import NOT_APPLICABLE, Ledger
from ..rules.regions import city_name

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import Evaluation

FORMATS = ("json", "csv", "table")


def to_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The contract's JSON document as text (UTF-8, Chinese kept readable)."""
    return json.dumps(evaluation.to_document(lang), ensure_ascii=False, indent=2) + "\n"


CSV_RECORD_COLUMNS = ("records", "credited_records", "rejected_records", "reasons")


def csv_header(requirement_ids: Sequence[str]) -> list[str]:
    header = ["person_id", "compliant"]
    for requirement_id in requirement_ids:
        header += [f"{requirement_id}.{part}" for part in ("required", "credited", "shortfall", "met", "set_by")]
    return header + list(CSV_RECORD_COLUMNS)


_FRACTIONS = np.array([".0" if f == 0 else f".{f // 10}" if f % 10 == 0 else f".{f:02d}" for f in range(100)], dtype=object)


def _format_each_distinct(values: np.ndarray, form: Callable[[int], str]) -> pa.Array:
    """Text of each value, formatting each distinct value once (amounts repeat a great deal)."""
    distinct, codes = np.unique(values, return_inverse=True)
    words = pa.array([form(int(value)) for value in distinct.tolist()], type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), words).cast(pa.string())


def _decimal(hundredths: int) -> str:
    return f"{hundredths // 100}{_FRACTIONS[hundredths % 100]}"


def _decimal_text(hundredths: np.ndarray) -> pa.Array:
    """Hundredths as the contract's decimals (`30.0`, `43.5`, `0.07`)."""
    return _format_each_distinct(hundredths, _decimal)


def _whole_or_decimal_text(hundredths: np.ndarray) -> pa.Array:
    """Whole numbers without a fraction (`30`), others as decimals (`7.5`)."""
    return _format_each_distinct(hundredths, lambda h: str(h // 100) if h % 100 == 0 else _decimal(h))


def csv_rows(ledger: Ledger, requirement_ids: Sequence[str]) -> pa.Table:
    """One row per person of a ledger, as text columns in `csv_header` order (vectorised)."""
    n = len(ledger.persons)
    columns: dict[str, pa.Array] = {
        "person_id": pa.array(ledger.persons.person_id, type=pa.string()),
        "compliant": pa.array(np.where(ledger.compliant, "true", "false"), type=pa.string()),
    }
    own = {requirement_id: r for r, requirement_id in enumerate(ledger.compiled.requirement_ids)}
    for requirement_id in requirement_ids:
        r = own.get(requirement_id)
        required = ledger.required[:, r] if r is not None else np.full(n, NOT_APPLICABLE, dtype=np.int64)
        achieved = ledger.achieved[:, r] if r is not None else np.zeros(n, dtype=np.int64)
        applies = required != NOT_APPLICABLE
        setter_by_profile = np.array(
            [next((q.provenance.layer for q in policy.requirements if q.id == requirement_id), "") for policy in ledger.compiled.policies],
            dtype=object,
        )
        parts = {
            "required": _whole_or_decimal_text(np.maximum(required, 0)),
            "credited": _decimal_text(achieved),
            "shortfall": _decimal_text(np.maximum(required - achieved, 0)),
            "met": pa.array(np.where(achieved >= required, "true", "false"), type=pa.string()),
            "set_by": pa.array(setter_by_profile[ledger.persons.profile] if n else np.zeros(0, dtype=object), type=pa.string()),
        }
        for part, values in parts.items():
            columns[f"{requirement_id}.{part}"] = pc.if_else(pa.array(applies), values, "")
    owner = ledger.person_index
    known = owner >= 0
    credited = ledger.status_credited
    records = np.bincount(owner[known], minlength=n)
    credited_records = np.bincount(owner[known & credited], minlength=n)
    mask = np.zeros(n, dtype=np.int64)
    for code in range(1, len(R.NAMES)):
        hit = known & (ledger.reason == code)
        if hit.any():
            mask |= (np.bincount(owner[hit], minlength=n) > 0).astype(np.int64) << code
    distinct, inverse = np.unique(mask, return_inverse=True)
    words = np.array([";".join(sorted(R.NAMES[c] for c in range(1, len(R.NAMES)) if m >> c & 1)) for m in distinct.tolist()], dtype=object)
    columns["records"] = pc.cast(pa.array(records), pa.string())
    columns["credited_records"] = pc.cast(pa.array(credited_records), pa.string())
    columns["rejected_records"] = pc.cast(pa.array(records - credited_records), pa.string())
    columns["reasons"] = pa.array(words[inverse] if n else np.zeros(0, dtype=object), type=pa.string())
    return pa.table(columns)


def _csv_cell(values: pa.Array) -> pa.Array:
    """A text column as CSV cells: quoted (quotes doubled) only where a comma, quote or line end needs it."""
    values = pc.fill_null(values, "")
    needs = pc.match_substring_regex(values, '[",\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


_PLAIN = (".required", ".credited", ".shortfall", ".met", "compliant", "records", "reasons")
"""Columns whose cells never need quoting (numbers, true/false, reason codes)."""


def csv_bytes(table: pa.Table, *, header: bool) -> bytes:
    """CSV text of a table of text columns, the way Python's csv module writes it, built column-wise."""
    lines = [",".join(_csv_cell(pa.array(table.column_names)).to_pylist()) + "\n"] if header else []
    if table.num_rows == 0:
        return "".join(lines).encode("utf-8")
    cells = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        cells.append(pc.fill_null(values, "") if name.endswith(_PLAIN) else _csv_cell(values))
    joined = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "", "\n")
    raw, bounds = utf8_buffers(joined)
    body = raw[int(bounds[0]) : int(bounds[-1])].tobytes()
    return "".join(lines).encode("utf-8") + body


def to_csv(evaluation: Evaluation) -> str:
    """One row per person: the verdict and, per requirement, required/credited/shortfall/met/set_by."""
    ids = evaluation.ledger.compiled.requirement_ids
    rows = csv_rows(evaluation.ledger, ids)
    if rows.num_rows == 0:
        return ",".join(csv_header(ids)) + "\n"
    return csv_bytes(rows, header=True).decode("utf-8")


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
    with atomic_output(path) as stream:
        stream.write(text.encode("utf-8"))


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream whose file appears at `path` only if the block completes."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
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


def _indented(value: Any, prefix: str) -> str:
    """`json.dumps(value, indent=2)` as it stands nested under `prefix` in a larger document."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)


def write_json_stream(run: ChunkedRun, stream: BinaryIO, lang: str = "zh", **options: Any) -> dict[str, int]:
    """Write the contract's JSON document chunk by chunk; the bytes equal `to_json` of the whole.

    Returns the summary. Options go to `ChunkedRun.chunks` (workers, progress).
    """
    rules = run.rules

    def put(text: str) -> None:
        stream.write(text.encode("utf-8"))

    put("{\n")
    put(f'  "year": {rules.year},\n')
    put(f'  "rules": {_indented({"sha256": rules.sha256, "layers": rules.layer_summaries()}, "  ")},\n')
    put(f'  "engine": {_indented({"name": "cerules", "version": __version__}, "  ")},\n')
    put('  "people": [')
    totals: Counter[str] = Counter()
    rejected_input: list[dict[str, Any]] = []
    first = True
    for chunk in run.chunks(**options):
        evaluation = chunk.evaluation
        totals.update(evaluation.summary())
        for person in evaluation:
            put(("\n" if first else ",\n") + "    " + _indented(person.to_dict(lang), "    "))
            first = False
        rejected_input += evaluation.rejected_input_entries(lang)
    put("\n  ],\n" if not first else "],\n")
    put(f'  "rejected_input": {_indented(sorted(rejected_input, key=lambda entry: entry["line"]), "  ")},\n')
    put(f'  "summary": {_indented(dict(totals), "  ")}')
    if run.rejected_persons:
        put(f',\n  "rejected_persons": {_indented([rejected.to_dict(lang) for rejected in run.rejected_persons], "  ")}')
    put("\n}\n")
    return dict(totals)


def write_csv_stream(run: ChunkedRun, stream: BinaryIO, **options: Any) -> dict[str, int]:
    """Write one CSV row per person, chunk by chunk. Returns the summary."""
    totals: Counter[str] = Counter()
    stream.write((",".join(csv_header(run.requirement_ids)) + "\n").encode("utf-8"))
    for chunk in run.chunks(**options):
        totals.update(chunk.evaluation.summary())
        rows = csv_rows(chunk.evaluation.ledger, run.requirement_ids)
        if rows.num_rows:
            stream.write(csv_bytes(rows, header=False))
    return dict(totals)
