"""Hypothesis strategies for hostile input files, as real exports and attackers send them.

Every file strategy returns the file together with what the contract then promises about it
(`Expected`: which record ids must come out, once each), so a test can check the promise without
knowing how the engine reads a cell. Valid rows are mixed with hostile cells, so that a run gets
past the reader and into normalising, counting and rendering.

`FUZZ` bounds the examples for CI (reproducible: derandomised, no example database, no explain
phase); `CERULES_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_*.py` digs deeper on a workstation.
Rule layers and drafts are in `tests/hostile_rules.py`.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import attrs
import pyarrow as pa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import cerules
from tests.strategies import PLATFORMS, TIMES, TOPICS

FUZZ = settings(
    max_examples=int(os.environ.get("CERULES_FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example, HealthCheck.filter_too_much],
)
"""Bounded and reproducible: the same examples on every CI run."""

# --- cells ---------------------------------------------------------------------------------------

CONTROL = ["\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\x0b", "\x0c", "\x1c"]
"""Control and format characters (NUL apart: a CSV holding it is not text, which `csv_file` tries separately)."""
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", '=HYPERLINK("http://x.invalid","y")', "\t=1+1", "\r=1+1"]
QUOTES = ['"', '""', 'a"b', "a,b", "a;b", "a\tb", "a\nb", "a\r\nb", "'", "\\", ",,,", '","']
NUMBERS = [
    "1e400", "-1e400", "1e-400", "9" * 28, "1" + "0" * 21, "123456789012345678901", "9e15", "9223372036854775807",
    "92233720368547758.07", "-9223372036854775808", "nan", "NaN", "inf", "-inf", "Infinity", "-0", "+0", "0", "-1", "0.001",
    "0.005", "9.995", "1.005", "１２", "٣", "1_000", "1,5", "1 000", "2.5e2", "0x10", "00000000000000000000002", "3h", "½",
    "  3  ", "3.", ".5", "+.5", "1e", "--1", "1e+308", "4.9e-324", "18446744073709551616",
]  # fmt: skip
INSTANTS = [
    "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59.999999",
    "0000-01-01", "10000-01-01", "-2023-06-01", "+12023-06-01", "2023/9/16 9:50", "2023/9/16 19:50", "2023/9/16",
    "2023-9-16", "2023-09-16 9:50", "2023/09/16 09:50:07", "45000", "45000.5", "2023-02-29", "2023-13-01", "2023-06-31",
    "2023-06-01T24:00:00", "2023-06-01T25:00", "2023-06-01T10:00:00+25:00", "2023-06-01T10:00:00+08:00[Asia/Shanghai]",
    "2023-06-01T10:00:00.1234567891234", "２０２３-０６-０１", "2023-W22-4", "2023-152", "20230601", "2023-06", "2023",
    "2023-06-01 10:00", "2023-06-01T10:00:00z", "1e400", "nan", "now", "today", "P1D", "2023-06-01T10:00:00-00:00",
    "1969-12-31T23:59:59.999999Z", "1900-01-01", "2262-04-12", "1677-09-21",
]  # fmt: skip
CITIES = [
    "370200", "青岛", "青岛市", "济南", "370800", "济宁市", "山东省青岛市", "山东青岛", "370202", "市南区", "370200.0",
    "3.702E+05", "371200", "Qingdao", "QINGDAO", "999999", "3702", "北京市", "110000", "３７０２００", "370200\x1b",
]  # fmt: skip
UNIT_LEVELS = ["province", "city", "省直", "市属", "PROVINCE", "省直单位", "county", "1", "true"]
SUBJECTS = ["public", "professional", "公需科目", "专业科目", "公需", "PUBLIC", "选修", "Public "]
TITLE_SERIES = ["卫生", "工程", "会计", "中小学教师", "经济"]
KINDS = ["course", "cme-1", "cme-2", "conference", "COURSE", "cme-3"]
BOOLEANS = ["true", "false", "是", "否", "TRUE", "1", "0", "yes", "maybe"]
VALID_HOURS = ["0.5", "1", "1.5", "2", "2.25", "3", "4", "6", "8", "12", "30", "60"]
LONG = ["x" * 20_000, "长" * 5_000, "=" + "A1+" * 2_000 + "1"]

RECORD_COLUMNS = (
    "record_id", "person_id", "subject", "hours", "completed_at", "platform", "mode", "topic", "course_id",
    "role", "quality_course", "source", "approved", "kind", "credits",
)  # fmt: skip
REQUIRED_RECORD_COLUMNS = RECORD_COLUMNS[:5]
PERSON_COLUMNS = ("person_id", "city", "unit_level", "title_series", "industry", "specialty")
RECORD_IDS = ["=cmd|' /C calc'!A0", "@r", "+r", "-r", "r\x1b[31m", "r\x07b", "记录一", "r,1", 'r"1', "r\n1", "r" * 300, "１"]
"""Hostile record ids: none starts or ends with white space, so every reading keeps them as they are."""
PERSON_IDS = ["p0", "p1", "p2", "=1+1", "P\x1b[2J", "人员甲", " p0 ", "p 1", "P0"]


JUNK = CONTROL + FORMULAS + QUOTES + LONG + ["", " ", "\t", "　", "\u200b", "null", "None", "N/A", "#N/A", "-"]
"""Hostile text that may turn up in any cell."""


def pool(valid: Sequence[str], hostile: Sequence[str] = ()) -> list[str]:
    """A column's cells: mostly valid, often blank, sometimes hostile (one draw each, so that examples stay cheap)."""
    return [*valid, *valid, *valid, "", "", *hostile, *JUNK]


def generated_text() -> st.SearchStrategy[str]:
    """Text no list foresaw: any characters (NUL apart), or numbers and instants of any size."""
    return st.one_of(
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10),
        st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Nd"), exclude_characters="\x00"), max_size=4),
        st.integers().map(str),
        st.floats().map(repr),
        st.datetimes().map(lambda moment: moment.isoformat(sep=" ")),
        st.dates().map(lambda day: f"{day.year}/{day.month}/{day.day}"),
    )


RECORD_POOLS: dict[str, list[str]] = {
    "subject": pool(SUBJECTS[:4], SUBJECTS),
    "hours": pool(VALID_HOURS, NUMBERS),
    "completed_at": pool(TIMES, INSTANTS),
    "platform": pool([p or "" for p in PLATFORMS]),
    "mode": pool(["online", "offline", "线下"]),
    "topic": pool([t or "" for t in TOPICS]),
    "course_id": pool(["C1", "C2", "C3", ""]),
    "role": pool(["", "learner", "teacher"]),
    "quality_course": pool(["", "true"], BOOLEANS),
    "source": pool(["", "provider", "declared"]),
    "approved": pool(["", "true", "false"], BOOLEANS),
    "kind": pool(["", "course", "cme-1", "cme-2"], KINDS),
    "credits": pool(["", "1", "2.5", "15"], NUMBERS),
}
PERSON_POOLS: dict[str, list[str]] = {
    "city": pool(CITIES[:6], CITIES),
    "unit_level": pool(UNIT_LEVELS[:4], UNIT_LEVELS),
    "title_series": pool(TITLE_SERIES),
    "industry": pool(["", "医疗卫生", "建筑业"]),
    "specialty": pool(["", "护理"]),
}


@st.composite
def cells(draw: st.DrawFn, pools: dict[str, list[str]]) -> dict[str, str]:
    """One row's cells from the pools; now and then one of them generated text."""
    row = {name: draw(st.sampled_from(values)) for name, values in pools.items()}
    if draw(st.integers(0, 3)) == 0:
        row[draw(st.sampled_from(sorted(pools)))] = draw(generated_text())
    return row


# --- what the contract promises about a file -----------------------------------------------------


@attrs.frozen
class Expected:
    """The record ids a run must put out, once each (None: a row without a usable id)."""

    ids: Counter[str | None]
    blank: int = 0
    """Rows with nothing in them (`,,,,` as Excel writes): left out, or listed without an id."""
    unknown: int = 0
    """Rows whose id no reading can keep as is (a lone surrogate): listed once, under any id."""

    def check(self, seen: Sequence[str | None]) -> None:
        """Every expected id comes out exactly as often as it went in; nothing else but blank rows."""
        out = Counter(seen)
        missing = self.ids - out
        assert not missing, f"input records missing from the output: {dict(missing)}"
        extra = out - self.ids
        assert extra.total() <= self.blank + self.unknown, f"records in the output more often than in the input: {dict(extra)}"
        assert extra.total() - min(extra[None], self.blank) >= self.unknown, "a record whose id cannot be kept as is is missing"


# --- what the contract promises about a completed run --------------------------------------------


def seen_ids(document: dict[str, Any]) -> list[str | None]:
    """Every record id the contract's document lists, wherever (a person's records or rejected_input)."""
    listed = [record["record_id"] for person in document["people"] for record in person["records"]]
    return listed + [entry["record_id"] for entry in document["rejected_input"]]


def credited_twice(document: dict[str, Any]) -> list[str]:
    """Ids credited more than once: a repeated id is a rejected row, only one of them can count."""
    credited = [r["record_id"] for p in document["people"] for r in p["records"] if r["status"] == "credited"]
    return sorted({i for i in credited if credited.count(i) > 1})


def check_amounts(document: dict[str, Any]) -> None:
    """Every amount is a finite number, never below zero: no overflow, NaN or infinity reaches a verdict."""
    for person in document["people"]:
        for requirement in person["requirements"]:
            for key in ("required", "credited", "shortfall"):
                value = requirement[key]
                assert 0 <= value < float("inf"), f"{person['person_id']}: {requirement['id']}.{key} = {value!r}"
        for record in person["records"]:
            assert 0 <= record["credited_hours"] < float("inf"), f"{record['record_id']}: credited_hours = {record['credited_hours']!r}"


def check_document(document: dict[str, Any], expected: Expected) -> None:
    """The contract's promises about a completed evaluation's document."""
    ids = seen_ids(document)
    expected.check(ids)
    assert document["summary"]["records"] == len(ids)
    assert not credited_twice(document)
    check_amounts(document)


@functools.cache
def provincial() -> cerules.RuleSet:
    """The provincial rules alone (not the `rules` fixture: hypothesis would print it with every failing example)."""
    return cerules.load_rules(2023, plugins=False)


# --- how a failing example prints ----------------------------------------------------------------

_RUN = re.compile(rb"(.{1,4}?)\1{7,}", re.DOTALL)


def bytes_expression(data: bytes) -> str:
    """A Python expression for `data` with long runs written as products (`b'[' * 100000`)."""
    parts, at = [], 0
    for run in _RUN.finditer(data):
        if run.start() > at:
            parts.append(repr(data[at : run.start()]))
        parts.append(f"{run[1]!r} * {len(run[0]) // len(run[1])}")
        at = run.end()
    if at < len(data) or not parts:
        parts.append(repr(data[at:]))
    return " + ".join(parts)


def text_expression(text: str) -> str:
    expression = bytes_expression(text.encode("utf-8", "surrogatepass"))
    return expression if len(text) > 40 else repr(text)


def _column_expression(column: pa.ChunkedArray) -> str:
    try:
        values = column.to_pylist()
    except (ValueError, OverflowError):  # instants Python cannot hold: their ticks
        values = column.cast(pa.int64()).to_pylist()
    shown = ", ".join(text_expression(v) if isinstance(v, str) else repr(v) for v in values)
    return f"pa.array([{shown}], {column.type!r})"


def table_expression(table: pa.Table) -> str:
    columns = ",\n    ".join(f"{name!r}: {_column_expression(table.column(name))}" for name in table.column_names)
    return f"pa.table({{\n    {columns}\n}})"


@attrs.frozen(repr=False)
class Cohort:
    """A persons file and a records file (bytes, or Arrow tables), with what the output must hold."""

    persons: bytes | pa.Table
    records: bytes | pa.Table
    expected: Expected

    def __repr__(self) -> str:
        shown = [table_expression(x) if isinstance(x, pa.Table) else bytes_expression(x) for x in (self.persons, self.records)]
        return f"Cohort(\npersons={shown[0]},\nrecords={shown[1]},\nexpected={self.expected!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def expected_of(rows: Sequence[dict[str, Any]], unknown: int = 0) -> Expected:
    """What must come out of records given as cells (a row whose cells are all blank may be left out)."""
    ids: Counter[str | None] = Counter()
    blank = 0
    for row in rows:
        if all(_is_blank(value) for value in row.values()):
            blank += 1
        else:
            record_id = row.get("record_id")
            ids[record_id.strip() or None if isinstance(record_id, str) else None] += 1
    return Expected(ids, blank, unknown)


@st.composite
def record_rows(draw: st.DrawFn, person_ids: Sequence[str], max_rows: int = 10) -> list[dict[str, str]]:
    """Records: ids mostly `r<i>`, some repeated, blank or hostile; other cells from `RECORD_POOLS`."""
    rows = []
    for index in range(draw(st.integers(0, max_rows))):
        record_id = draw(st.one_of(st.just(f"r{index}"), st.just(f"r{index}"), st.sampled_from(["r0", "", " ", *RECORD_IDS])))
        person_id = draw(st.sampled_from([*person_ids, *person_ids, "ghost", " p0", "P0", "p0\x07", ""]))
        rows.append({"record_id": record_id, "person_id": person_id, **draw(cells(RECORD_POOLS))})
    return rows


@st.composite
def person_rows(draw: st.DrawFn, max_rows: int = 4) -> list[dict[str, str]]:
    """Persons `p<i>`, some with hostile, repeated or blank ids; other cells from `PERSON_POOLS`."""
    ids = [draw(st.sampled_from([f"p{i}"] * 3 + [*PERSON_IDS, ""])) for i in range(draw(st.integers(1, max_rows)))]
    return [{"person_id": person_id, **draw(cells(PERSON_POOLS))} for person_id in ids]


def referable(persons: Sequence[dict[str, str]]) -> list[str]:
    return [p["person_id"].strip() or "p0" for p in persons]


def _header(draw: st.DrawFn, columns: Sequence[str], required: Sequence[str]) -> list[str]:
    """Columns in a shuffled order, some optional ones dropped, sometimes an unknown one, rarely a required one gone."""
    kept = [c for c in columns if c in required or draw(st.integers(0, 3)) > 0]
    if draw(st.integers(0, 19)) == 0:
        kept.remove(draw(st.sampled_from([c for c in kept if c in required])))
    if draw(st.integers(0, 4)) == 0:
        kept.append(draw(st.sampled_from(["note", "备注", "Unnamed: 15", "=x"])))
    return draw(st.permutations(kept))


# --- CSV -----------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gb18030-bom"]


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8", newline: str = "\r\n", tail: str = ""
) -> bytes:
    """A CSV file as a spreadsheet writes it; `tail` (raw text) is appended after the rows."""
    lines = []
    for row in [header, *rows]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)  # quotes a cell holding CR or LF, whatever ends the line
        lines.append(buffer.getvalue()[:-2] + newline)
    text = "".join(lines) + tail
    if encoding == "gb18030-bom":
        return codecs.encode("\ufeff" + text, "gb18030")
    return text.encode(encoding)


@st.composite
def csv_file(draw: st.DrawFn, rows: list[dict[str, str]], columns: Sequence[str], required: Sequence[str]) -> tuple[bytes, Expected]:
    """One table as a CSV file: any accepted encoding, ragged rows, trailing comma-only rows, rarely a NUL byte."""
    header = _header(draw, columns, required)
    matrix, cells_read = [], []
    if draw(st.integers(0, 24)) == 0:
        rows = [*rows, {header[0]: "r\x00"}]  # NUL bytes: not text in any accepted encoding
    for row in rows:
        cells = [row.get(name, "") for name in header]
        change = draw(st.integers(0, 9))
        if change == 0 and len(cells) > 1:  # a short row: its last cells are missing
            del cells[draw(st.integers(1, len(cells) - 1)) :]
        elif change == 1:  # a long row: more cells than the header
            cells.extend(draw(st.lists(st.sampled_from(["", "x", "=1"]), min_size=1, max_size=3)))
        matrix.append(cells)
        cells_read.append(dict(zip(header, cells, strict=False)) | {f"extra{i}": v for i, v in enumerate(cells[len(header) :])})
    trailing = draw(st.integers(0, 3))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    tail = ("," * (len(header) - 1) + newline) * trailing
    expected = expected_of(cells_read)
    data = csv_bytes(header, matrix, draw(st.sampled_from(ENCODINGS)), newline, tail)
    return data, attrs.evolve(expected, blank=expected.blank + trailing)


@st.composite
def csv_cohorts(draw: st.DrawFn) -> Cohort:
    """(persons.csv, records.csv, what the output must hold)."""
    persons = draw(person_rows())
    person_file, _ = draw(csv_file(persons, PERSON_COLUMNS, ("person_id", "city")))
    record_file, expected = draw(csv_file(draw(record_rows(referable(persons))), RECORD_COLUMNS, REQUIRED_RECORD_COLUMNS))
    return Cohort(person_file, record_file, expected)


# --- JSON Lines ----------------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
BROKEN_LINES = [
    "[1, 2]", '"r"', "5", "null", "true", "NaN", '{"record_id": "rx",', "{'record_id': 'rx'}", "\ufeff{}", DEEP,
    '{"record_id": ' + DEEP + "}", '{"a": ' + '{"b": ' * 3000 + "1" + "}" * 3000 + "}",
]  # fmt: skip
"""Lines that hold no object, or no readable one: each is still a record of the file."""
JSON_VALUES = [1e400, 10**30, -0.0, 2**63, True, False, None, [], {}, ["r1"], {"a": 1}, "\ud800", "a\udfffb", "\x00", "\u0085r"]


def json_text(value: Any) -> str:
    """JSON as other tools write it: lone surrogates as escapes, 1e400 as digits (not Infinity)."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "1e400" if value > 0 else "-1e400"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(json_text, value)) + "]"
    return json.dumps(value)


def _json_id(value: Any) -> str | None:
    """The id a record's `record_id` value reads as (numbers keep their source text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json_text(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


@st.composite
def jsonl_file(draw: st.DrawFn, rows: list[dict[str, str]]) -> tuple[bytes, Expected]:
    """One table as JSON Lines: objects with values of wrong types, lone surrogates, broken and deeply nested lines."""
    lines: list[str] = []
    ids: Counter[str | None] = Counter()
    blank = unknown = 0
    for row in rows:
        kind = draw(st.integers(0, 11))
        if kind == 0:
            lines.append(draw(st.sampled_from(BROKEN_LINES)))
            ids[None] += 1
            continue
        obj: dict[str, Any] = {k: v for k, v in row.items() if v or draw(st.booleans())}
        if kind == 1:
            obj[draw(st.sampled_from(sorted(obj) or ["hours"]))] = draw(st.sampled_from(JSON_VALUES))
        lines.append(json_text(obj))
        record_id = obj.get("record_id")
        if all(_is_blank(value) for value in obj.values()):
            blank += 1
        elif isinstance(record_id, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in record_id):
            unknown += 1
        else:
            ids[_json_id(record_id)] += 1
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return (newline.join(lines) + newline).encode("utf-8"), Expected(ids, blank, unknown)


@st.composite
def jsonl_cohorts(draw: st.DrawFn) -> Cohort:
    """(persons.jsonl, records.jsonl, what the output must hold)."""
    persons = draw(person_rows())
    person_file, _ = draw(jsonl_file(persons))
    record_file, expected = draw(jsonl_file(draw(record_rows(referable(persons)))))
    return Cohort(person_file, record_file, expected)


# --- Parquet / Arrow -----------------------------------------------------------------------------

FLOATS = [1e300, -1e300, 1.7976931348623157e308, float("inf"), float("-inf"), float("nan"), -0.0, 5e-324, 0.1, 1.5, 2.0, 9.995]
INTS = [2**63 - 1, -(2**63), 2**62, 10**15, 0, -1, 2, 30]
SECONDS = [-62135596800, 253402300799, 253402300800, 10**12, -(10**12), 0, 1685584800, 1703977200, 1703988000]
"""Seconds since the epoch: year 1, the end of 9999 (UTC), past it, far out, and days of 2023."""


@st.composite
def arrow_column(draw: st.DrawFn, name: str, texts: list[str]) -> pa.Array:
    """A column of `texts` as some Arrow type, or (for amounts, instants, flags) extreme typed values."""
    n = len(texts)
    mask = st.lists(st.booleans(), min_size=n, max_size=n)
    kind = draw(st.sampled_from(["string", "large_string", "dictionary", "typed", "typed", "null"]))
    if kind == "null" and name != "record_id":
        return pa.nulls(n)
    if kind == "typed" and name in ("hours", "credits"):
        if draw(st.booleans()):
            return pa.array(draw(st.lists(st.sampled_from(INTS), min_size=n, max_size=n)), pa.int64(), mask=draw(mask))
        return pa.array(draw(st.lists(st.sampled_from(FLOATS) | st.floats(), min_size=n, max_size=n)), pa.float64(), mask=draw(mask))
    if kind == "typed" and name == "completed_at":
        unit = draw(st.sampled_from(["s", "ms", "us", "ns"]))
        zone = draw(st.sampled_from([None, "UTC", "Asia/Shanghai", "+14:00", "-12:00", "America/New_York"]))
        scale = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
        ticks = [min(max(s * scale, -(2**63)), 2**63 - 1) for s in draw(st.lists(st.sampled_from(SECONDS), min_size=n, max_size=n))]
        return pa.array(ticks, pa.int64(), mask=draw(mask)).cast(pa.timestamp(unit, tz=zone))
    if kind == "typed" and name in ("quality_course", "approved"):
        return pa.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), pa.bool_(), mask=draw(mask))
    cells = [text or None for text in texts]
    if kind == "large_string":
        return pa.array(cells, pa.large_string())
    if kind == "dictionary":
        return pa.array(cells, pa.string()).dictionary_encode()
    return pa.array(cells, pa.string())


@st.composite
def arrow_table(draw: st.DrawFn, rows: list[dict[str, str]], columns: Sequence[str], required: Sequence[str]) -> pa.Table:
    header = _header(draw, columns, required)
    return pa.table({name: draw(arrow_column(name, [row.get(name, "") for row in rows])) for name in header})


@st.composite
def arrow_cohorts(draw: st.DrawFn) -> Cohort:
    """(persons, records) as Arrow tables, as a DataFrame or a Parquet file holds them, and what must come out."""
    persons = draw(person_rows())
    person_table = draw(arrow_table(persons, PERSON_COLUMNS, ("person_id", "city")))
    record_table = draw(arrow_table(draw(record_rows(referable(persons))), RECORD_COLUMNS, REQUIRED_RECORD_COLUMNS))
    return Cohort(person_table, record_table, arrow_expected(record_table))


def arrow_expected(table: pa.Table) -> Expected:
    """What must come out of an Arrow table of records (typed cells are blank only when null)."""
    blank = [True] * table.num_rows
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            empty = [_is_blank(value) for value in column.to_pylist()]
        else:
            empty = column.is_null().to_pylist()
        blank = [a and b for a, b in zip(blank, empty, strict=True)]
    if "record_id" in table.column_names:
        ids = [(text or "").strip() or None for text in table.column("record_id").cast(pa.string()).to_pylist()]
    else:
        ids = [None] * table.num_rows
    return Expected(Counter(i for i, b in zip(ids, blank, strict=True) if not b), blank=sum(blank))
