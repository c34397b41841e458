"""The evaluation as an Excel workbook, for the HR offices and units that keep their lists in Excel.

Four sheets: people (one row a person, each requirement's required/credited/shortfall as numbers,
unmet cells filled red, the unmet requirements in words), records (each record's status and
reason), a summary (by city, unit level, title series and reason) and the rules with their
citations and sha256. Every sheet has a frozen header, filters and column widths that fit Chinese
text. Written with openpyxl's write-only mode chunk by chunk, so a province's cohort streams
through bounded memory; equal inputs give equal bytes (the workbook's timestamps are fixed).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from ..base.hours import to_float
from ..base.printable import escape_unsafe
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..rules.describe import describe_rules
from ..rules.schema import unit_name
from .labels import requirement_names, unit_level_name
from .text import display_width

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import Evaluation
    from ..rules.model import Text
    from ..rules.ruleset import RuleSet

SAMPLE_ROWS = 2_000
"""Rows of a sheet looked at to size its columns (write-only sheets take widths before the first row)."""

MAX_WIDTH = 60
EXCEL_MAX_ROWS = 1_048_576
"""Rows of one Excel sheet, its header included."""
FIXED_TIME = "1980-01-01T00:00:00Z"
"""The workbook's created and modified time: a report of the data, not of the moment it was written."""

_WORDS = {
    "people": ("人员", "People"),
    "records": ("记录", "Records"),
    "summary": ("汇总", "Summary"),
    "rules": ("规则", "Rules"),
    "person_id": ("人员编号", "person_id"),
    "city": ("城市", "city"),
    "unit_level": ("单位级别", "unit level"),
    "title_series": ("职称系列", "title series"),
    "verdict": ("结果", "verdict"),
    "unmet": ("未达标要求", "unmet requirements"),
    "pass": ("达标", "compliant"),
    "fail": ("未达标", "not compliant"),
    "required": ("应修", "required"),
    "credited": ("已认定", "credited"),
    "shortfall": ("差额", "shortfall"),
    "record_id": ("记录编号", "record_id"),
    "line": ("行号", "line"),
    "status": ("状态", "status"),
    "credited_status": ("已认定", "credited"),
    "rejected_status": ("未认定", "rejected"),
    "credited_hours": ("认定学时", "credited hours"),
    "reason_code": ("原因代码", "reason code"),
    "reason": ("原因", "reason"),
    "message": ("说明", "message"),
    "people_n": ("人数", "people"),
    "compliant_n": ("达标人数", "compliant"),
    "rate": ("达标率", "rate"),
    "records_n": ("记录数", "records"),
    "by_city": ("按城市", "by city"),
    "by_unit_level": ("按单位级别", "by unit level"),
    "by_title_series": ("按职称系列", "by title series"),
    "by_reason": ("未认定及削减的原因", "reasons records were rejected or cut"),
    "layer": ("层", "layer"),
    "rank": ("级别", "rank"),
    "plugin": ("插件", "plugin"),
    "file": ("文件", "file"),
    "path": ("规则项", "rule path"),
    "value": ("取值", "value"),
    "citation": ("依据", "citation"),
    "verified": ("已核实", "verified"),
    "year": ("年度", "year"),
    "pack": ("规则包", "rule pack"),
    "none": ("（未填）", "(blank)"),
    "rejected_persons": ("无效人员行", "person rows that could not be used"),
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


class Requirements:
    """Each requirement id of the rules with its name and unit, from the first policy that has it."""

    def __init__(self, evaluation: Evaluation, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.labels: dict[str, tuple[Text, str]] = requirement_names(evaluation.ledger.compiled)

    def name(self, requirement_id: str, lang: str) -> str:
        label = self.labels.get(requirement_id)
        return requirement_id if label is None else label[0].in_lang(lang)

    def unit(self, requirement_id: str, lang: str) -> str:
        label = self.labels.get(requirement_id)
        return unit_name(label[1]).in_lang(lang) if label else ""


def write_xlsx(run: ChunkedRun, stream: BinaryIO, lang: str = "zh", **options: Any) -> dict[str, int]:
    """Write the workbook of a chunked run (the CLI's streaming path); returns the summary. Options go to `run.chunks`."""
    chunks = (chunk.evaluation for chunk in run.chunks(**options))
    return _write(run.rules, run.requirement_ids, chunks, run.rejected_persons, stream, lang)


def to_xlsx(evaluation: Evaluation, lang: str = "zh") -> bytes:
    """The workbook of one evaluation, as bytes."""
    stream = io.BytesIO()
    ids = evaluation.rules.requirement_ids(evaluation.ledger.persons.profiles)
    _write(evaluation.rules, ids, iter([evaluation]), evaluation.rejected_persons, stream, lang)
    return stream.getvalue()


def _write(
    rules: RuleSet, ids: Sequence[str], evaluations: Iterator[Evaluation], rejected_persons: Sequence[Any], stream: BinaryIO, lang: str
) -> dict[str, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    people_sheet = Sheet(book, _w("people", lang))
    records_sheet = Sheet(book, _w("records", lang))
    tallies = Tallies()
    first = next(evaluations, None)
    requirements = Requirements(first, ids) if first is not None else None
    people_header = [_w(key, lang) for key in ("person_id", "city", "unit_level", "title_series", "verdict", "unmet")]
    for requirement_id in ids:
        name = requirements.name(requirement_id, lang) if requirements else requirement_id
        unit = requirements.unit(requirement_id, lang) if requirements else ""
        people_header += [f"{name}·{_w(part, lang)}（{unit}）" if lang == "zh" else f"{name}: {_w(part, lang)} ({unit})" for part in
                          ("required", "credited", "shortfall")]  # fmt: skip
    records_header = [
        _w(key, lang) for key in ("record_id", "person_id", "line", "status", "credited_hours", "reason_code", "reason", "message")
    ]
    for index, evaluation in enumerate(_chained(first, evaluations)):
        assert requirements is not None
        people: Iterable[list[Any]] = _people_rows(evaluation, ids, requirements, lang, tallies)
        records: Iterable[list[Any]] = _record_rows(evaluation, lang, tallies)
        if index == 0:  # the first rows size the columns; the rest stream through
            people, records = _sampled(people_sheet, people_header, people), _sampled(records_sheet, records_header, records)
        people_sheet.add(people, unmet_columns=_credited_columns(ids))
        records_sheet.add(records)
    if first is None:
        people_sheet.start(people_header, [])
        records_sheet.start(records_header, [])
    people_sheet.close()
    records_sheet.close()
    _summary_sheet(book, tallies, rejected_persons, rules, lang)
    _rules_sheet(book, rules, lang)
    raw = io.BytesIO()
    book.save(raw)
    stream.write(_stable(raw.getvalue()))
    return tallies.summary()


def _sampled(sheet: Sheet, header: list[str], rows: Iterable[list[Any]]) -> Iterable[list[Any]]:
    """Start the sheet with widths from the first rows; the rows, all of them, to add."""
    rows = iter(rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    sheet.start(header, sample)
    return itertools.chain(sample, rows)


def _chained(first: Evaluation | None, rest: Iterator[Evaluation]) -> Iterable[Evaluation]:
    if first is not None:
        yield first
        yield from rest


def _credited_columns(ids: Sequence[str]) -> dict[int, int]:
    """For each requirement, the column of its credited cell and the column of its shortfall (0-based)."""
    return {6 + 3 * index + 1: 6 + 3 * index + 2 for index in range(len(ids))}


class Tallies:
    """What the summary sheet counts, chunk by chunk."""

    def __init__(self) -> None:
        self.groups: dict[str, Counter[tuple[str, bool]]] = {"city": Counter(), "unit_level": Counter(), "title_series": Counter()}
        self.reasons: Counter[int] = Counter()
        self.counts: Counter[str] = Counter()

    def person(self, city: str, unit_level: str, series: str, compliant: bool) -> None:
        for key, value in (("city", city), ("unit_level", unit_level), ("title_series", series)):
            self.groups[key][(value, compliant)] += 1
        self.counts["people"] += 1
        self.counts["compliant"] += int(compliant)

    def record(self, code: int, credited: bool) -> None:
        self.counts["records"] += 1
        self.counts["credited" if credited else "rejected"] += 1
        if code != R.CREDITED:
            self.reasons[code] += 1

    def summary(self) -> dict[str, int]:
        return {key: self.counts[key] for key in ("people", "compliant", "records", "credited", "rejected")}


def _amount(hundredths: int) -> float:
    return to_float(hundredths)


def _people_rows(
    evaluation: Evaluation, ids: Sequence[str], requirements: Requirements, lang: str, tallies: Tallies
) -> Iterator[list[Any]]:
    ledger = evaluation.ledger
    own = {requirement_id: column for column, requirement_id in enumerate(ledger.compiled.requirement_ids)}
    attributes = ledger.persons.attributes
    regions = evaluation.rules.regions
    blank = _w("none", lang)
    for person in range(len(ledger.persons)):
        city = regions.city_name(attributes["city"][person], lang)
        level = unit_level_name(attributes["unit_level"][person], lang)
        series = attributes["title_series"][person] or blank
        compliant = bool(ledger.compliant[person])
        tallies.person(city, level, series, compliant)
        cells: list[Any] = []
        unmet: list[str] = []
        for requirement_id in ids:
            column = own.get(requirement_id)
            required = NOT_APPLICABLE if column is None else int(ledger.required[person, column])
            if required == NOT_APPLICABLE:
                cells += [None, None, None]
                continue
            achieved = int(ledger.achieved[person, column])
            shortfall = max(required - achieved, 0)
            cells += [_amount(required), _amount(achieved), _amount(shortfall)]
            if not ledger.met[person, column]:
                name, unit = requirements.name(requirement_id, lang), requirements.unit(requirement_id, lang)
                short = f"{_amount(shortfall):g}"
                unmet.append(f"{name} 差 {short} {unit}" if lang == "zh" else f"{name} {short} {unit} short")
        verdict = _w("pass" if compliant else "fail", lang)
        joiner = "；" if lang == "zh" else "; "
        yield [str(ledger.persons.person_id[person]), city, level, series, verdict, joiner.join(unmet), *cells]


def _record_rows(evaluation: Evaluation, lang: str, tallies: Tallies) -> Iterator[list[Any]]:
    """Each person's records (as explain gives them), then the records that belong to no usable person."""
    for person in evaluation:
        for outcome in person.records:
            yield _record_row(outcome.record_id, person.person_id, outcome.line, outcome.status, outcome.credited,
                              outcome.reason, outcome.message.in_lang(lang), lang, tallies)  # fmt: skip
    ledger = evaluation.ledger
    positions = sorted((int(p) for p in ledger.rejected_input), key=lambda p: int(ledger.records.line[p]))
    for position, entry in zip(positions, evaluation.rejected_input_entries(lang), strict=True):
        named = ledger.records.person_id_at(position)
        yield _record_row(entry["record_id"], named, entry["line"], "rejected", 0, entry["reason"], entry["message"], lang, tallies)


def _record_row(
    record_id: str | None,
    person_id: Any,
    line: int,
    status: str,
    credited: int,
    reason: str | None,
    message: str,
    lang: str,
    tallies: Tallies,
) -> list[Any]:
    code = R.CREDITED if reason is None else R.BY_NAME[reason].code
    tallies.record(code, status == "credited")
    return [
        record_id,
        None if person_id is None else str(person_id),
        line,
        _w("credited_status" if status == "credited" else "rejected_status", lang),
        _amount(credited),
        reason,
        None if reason is None else R.BY_NAME[reason].text.in_lang(lang),
        message,
    ]


class Sheet:
    """Write-only sheets of one table: widths and the frozen header set from the first rows, filters over every row.

    A table longer than Excel's sheet goes on in a second sheet (`记录 (2)`) with the same header.
    """

    def __init__(self, book: Any, title: str) -> None:
        self.book, self.title = book, title
        self.sheets: list[tuple[Any, int]] = []  # each sheet and its rows below the header
        self.header: list[str] = []
        self.widths: list[float] = []

    def start(self, header: list[str], sample: Sequence[Sequence[Any]]) -> None:
        self.header = header
        for column in range(len(header)):
            cells = [header[column], *(row[column] for row in sample[:SAMPLE_ROWS] if column < len(row))]
            widest = max(display_width(_shown(cell)) for cell in cells)
            self.widths.append(min(MAX_WIDTH, max(8, widest + 2)))
        self._next_sheet()

    def _next_sheet(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        title = self.title if not self.sheets else f"{self.title} ({len(self.sheets) + 1})"
        sheet = self.book.create_sheet(title)
        for column, width in enumerate(self.widths, 1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "B2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cells = []
        for name in self.header:
            cell = WriteOnlyCell(sheet, value=escape_unsafe(name))
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        sheet.append(cells)
        self.sheets.append((sheet, 0))

    def add(self, rows: Iterable[Sequence[Any]], *, unmet_columns: dict[int, int] | None = None) -> None:
        """Append rows; a credited cell whose shortfall cell is above zero is filled red."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        red, dark = PatternFill("solid", fgColor="F8CBAD"), Font(color="9C0006", bold=True)
        sheet, count = self.sheets[-1]
        for row in rows:
            if count >= EXCEL_MAX_ROWS - 1:
                self.sheets[-1] = (sheet, count)
                self._next_sheet()
                sheet, count = self.sheets[-1]
            cells: list[Any] = [_safe(sheet, value) for value in row]
            for credited, shortfall in (unmet_columns or {}).items():
                if row[shortfall]:
                    cell = WriteOnlyCell(sheet, value=row[credited])
                    cell.fill, cell.font = red, dark
                    cells[credited] = cell
            sheet.append(cells)
            count += 1
        self.sheets[-1] = (sheet, count)

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        for sheet, count in self.sheets:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.header))}{count + 1}"


def _safe(sheet: Any, value: Any) -> Any:
    """A cell's value as data, never as anything Excel would act on: control characters (which Excel
    refuses) shown escaped, and text that begins with `=` kept as text, not run as a formula."""
    if not isinstance(value, str):
        return value
    value = escape_unsafe(value)
    if not value.startswith("="):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _group_rows(counter: Counter[tuple[str, bool]]) -> list[list[Any]]:
    names = sorted({name for name, _ in counter}, key=lambda name: (-(counter[(name, True)] + counter[(name, False)]), name))
    rows = []
    for name in names:
        people = counter[(name, True)] + counter[(name, False)]
        rows.append([name, people, counter[(name, True)], round(counter[(name, True)] / people, 4) if people else None])
    return rows


def _summary_sheet(book: Any, tallies: Tallies, rejected_persons: Sequence[Any], rules: RuleSet, lang: str) -> None:
    sheet = Sheet(book, _w("summary", lang))
    header = ["", _w("people_n", lang), _w("compliant_n", lang), _w("rate", lang)]
    rows: list[list[Any]] = []
    total = tallies.counts
    rows.append(
        [f"{rules.year}", total["people"], total["compliant"], round(total["compliant"] / total["people"], 4) if total["people"] else None]
    )
    for key in ("city", "unit_level", "title_series"):
        rows.append([])
        rows.append([_w(f"by_{key}", lang)])
        rows += _group_rows(tallies.groups[key])
    rows.append([])
    rows.append([_w("by_reason", lang), _w("records_n", lang), _w("reason_code", lang)])
    for code, count in sorted(tallies.reasons.items(), key=lambda item: (-item[1], item[0])):
        rows.append([R.REASONS[code].text.in_lang(lang), count, R.REASONS[code].name])
    if rejected_persons:
        rows.append([])
        rows.append([_w("rejected_persons", lang), _w("line", lang), _w("message", lang)])
        for rejected in rejected_persons:
            rows.append([str(rejected.person_id), rejected.line, rejected.problem.text.in_lang(lang)])
    sheet.start(header, rows)
    sheet.add(rows)
    sheet.close()


def _rules_sheet(book: Any, rules: RuleSet, lang: str) -> None:
    described = describe_rules(rules)
    sheet = Sheet(book, _w("rules", lang))
    header = [_w(key, lang) for key in ("layer", "rank", "plugin", "file", "path", "value", "citation", "verified")]
    rows: list[list[Any]] = [
        [_w("year", lang), described["year"]],
        [_w("pack", lang), described["pack"]],
        ["sha256", described["sha256"]],
        [],
    ]
    for layer in described["layers"]:
        for value in layer["values"]:
            shown = value["value"]
            shown = "、".join(map(str, shown)) if isinstance(shown, list) else shown
            rows.append(
                [layer["id"], layer["rank"], layer["plugin"], layer["file"], value["path"], shown, value["citation"], value["verified"]]
            )
    sheet.start(header, rows)
    sheet.add(rows)
    sheet.close()


_MODIFIED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _stable(data: bytes) -> bytes:
    """The workbook with fixed timestamps (its properties and its zip entries): equal inputs, equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()


__all__ = ["to_xlsx", "write_xlsx"]
