"""From string columns to typed columns: the validated input of the kernel.

Every distinct cell value is interpreted once (dictionary encoding), never once per record, and
every problem is kept beside its row with the column at fault, so that nothing is lost: a bad
record becomes an `invalid_record` rejection that says what was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pyarrow as pa

from ..base.errors import BadValue
from ..base.hours import FINE, SCALE
from ..rules.model import Text
from ..rules.ruleset import RuleSet
from ..rules.vocabulary import choice
from .bounds import MAX_RECORD_AMOUNT, minutes_bound, record_bound
from .cells import Problem, encode, flag_duplicates, interpret, is_missing, note, problem_of, table_from_rows
from .columns import as_arrow, valid_mask
from .persons import PERSON_COLUMNS, UNIT_LEVEL_HINT, PersonColumns, RejectedPerson, normalise_persons, unit_level_default_code
from .table import InputError, Table
from .typed import cell_text, keep_typed, read_amounts, read_flags, read_instants

__all__ = [  # the persons' names are re-exported: callers read both kinds of input from here
    "PERSON_COLUMNS", "RECORD_COLUMNS", "REQUIRED_PERSON_COLUMNS", "REQUIRED_RECORD_COLUMNS", "UNIT_LEVEL_HINT", "PersonColumns", "Problem",
    "RecordColumns", "RejectedPerson", "check_length_columns", "duplicate_rows", "is_missing", "normalise_persons",
    "normalise_records", "table_from_rows", "unit_level_default_code",
]  # fmt: skip

T = TypeVar("T")

RECORD_COLUMNS = (
    "record_id", "person_id", "subject", "hours", "completed_at", "platform", "mode", "topic",
    "course_id", "role", "quality_course", "source", "approved", "kind", "credits", "minutes",
)  # fmt: skip
REQUIRED_PERSON_COLUMNS = ("person_id", "city")
REQUIRED_RECORD_COLUMNS = ("record_id", "person_id", "subject", "completed_at")
LENGTH_COLUMNS = ("hours", "minutes")
"""A record gives its length in one of these: a file needs one of the columns, a record one of the cells."""
_REQUIRED_CELLS = ("record_id", "person_id", "subject", "hours", "completed_at")  # "hours": hours or minutes

_TRUE = frozenset({"true", "1", "yes", "y", "t", "是", "对"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "否", "不"})
_MODES = {"online": True, "线上": True, "网络": True, "远程": True, "offline": False, "线下": False, "面授": False}
_ROLES = {"learner": False, "学员": False, "teacher": True, "授课": True, "授课教师": True, "教师": True}
_SOURCES = {"provider": False, "平台": False, "declared": True, "申报": True, "学时申报": True}


@attrs.frozen
class RecordColumns:
    """All input records, typed; `problems` holds why a row is invalid (rows absent are valid)."""

    record_id: pa.Array  # string, null when missing
    person_id: pa.Array  # string, null when missing
    line: np.ndarray  # int64
    subject: np.ndarray  # int8 index into `subjects`, -1 when invalid
    hours: np.ndarray  # int64, ten-thousandths (`hours.FINE`), exact while counted
    timestamp: np.ndarray  # int64 microseconds since the epoch
    year: np.ndarray  # int32, Shanghai calendar year
    day: np.ndarray  # int32, Shanghai calendar day (proleptic ordinal)
    platform: np.ndarray  # int32 index into `platforms`, 0 = none
    online: np.ndarray  # bool
    topic: np.ndarray  # int32 index into `topics`, 0 = none
    course: np.ndarray  # int32 index into `courses`, -1 = none
    teacher: np.ndarray  # bool
    quality: np.ndarray  # bool
    declared: np.ndarray  # bool
    approved: np.ndarray  # bool
    kind: np.ndarray  # int32 index into `kinds`
    credits: np.ndarray  # int64, ten-thousandths (`hours.FINE`), -1 = none
    minutes: np.ndarray  # int64, hundredths of a minute, -1 = none; `hours` is 0 until the rules convert them (`kernel.minutes`)
    invalid: np.ndarray  # bool
    problems: Mapping[int, Problem]
    subjects: tuple[str, ...]
    platforms: tuple[str, ...]
    topics: tuple[str, ...]
    courses: tuple[str, ...]
    kinds: tuple[str, ...]
    bound: int = MAX_RECORD_AMOUNT * SCALE  # hundredths of an hour: the most one record may carry, converted minutes too

    def __len__(self) -> int:
        return len(self.line)

    def record_id_at(self, row: int) -> str | None:
        return self.record_id[row].as_py()

    def person_id_at(self, row: int) -> str | None:
        return self.person_id[row].as_py()


def _vocabulary_index(codes: np.ndarray, uniques: Sequence[str | None], base: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Re-index dictionary codes into a vocabulary that starts with '' (none) then `base`, growing as needed."""
    vocabulary: dict[str, int] = {"": 0}
    for code in base:
        vocabulary.setdefault(code, len(vocabulary))
    mapped = np.array([vocabulary.setdefault(u, len(vocabulary)) if u else 0 for u in uniques] + [0], dtype=np.int32)
    return mapped[codes], tuple(vocabulary)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue(f"应为 true 或 false（是/否），实际为 {text!r}", f"expected true or false, got {text!r}")


def _alias_map(entries: Mapping[str, Any]) -> dict[str, str]:
    """Code lookup for a catalog: code, Chinese and English names and aliases, case-insensitively."""
    names: dict[str, str] = {}
    for code, entry in entries.items():
        for name in (code, entry.name.zh, entry.name.en, *entry.aliases):
            names[name.strip().lower()] = code
    return names


def check_length_columns(table: Table) -> None:
    """A records file gives each record's length in `hours` or in `minutes`: refuse one with neither column."""
    if len(table) and not any(name in table.columns for name in LENGTH_COLUMNS):
        found = ", ".join(table.columns) or "无"
        raise InputError(
            table.path,
            f"缺少必需的列 'hours'（学时；或以分钟计的 'minutes'）（现有列：{found}）",
            f"missing required column 'hours' (or 'minutes', the length in minutes) (columns found: {found if table.columns else 'none'})",
            line=1,
            column="hours",
        )


def duplicate_rows(table: Table) -> dict[int, Problem]:
    """Rows repeating a record_id of an earlier row, with the problem naming that row's line."""
    problems: dict[int, Problem] = {}
    flag_duplicates(table.column("record_id"), table.lines, "record_id", problems)
    return problems


def _amounts(column: pa.Array, **bounds: int) -> tuple[np.ndarray, np.ndarray, dict[int, BadValue]]:
    """`read_amounts` of an optional column; one that is all blank (or absent) is not parsed at all."""
    if column.null_count == len(column):
        return np.zeros(len(column), dtype=np.int64), np.zeros(len(column), dtype=bool), {}
    return read_amounts(column, **bounds)


def _column(name: str, values: Any) -> pa.Array:
    """A record column for reading: a typed column (`typed.keep_typed`) as it is, any other as Arrow text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array) and name not in ("record_id", "person_id") and keep_typed(name, values.type):
        return values
    return as_arrow(values)


def _flags(column: pa.Array, empty: bool, name: str, problems: dict[int, Problem]) -> np.ndarray:
    """A yes/no column: booleans as they are, text read with `_boolean` (each distinct word once)."""
    typed = read_flags(column, empty)
    return typed if typed is not None else interpret(column, _boolean, empty, name, problems, bool)


def normalise_records(
    table: Table, rules: RuleSet, *, duplicates: Mapping[int, Problem] | None = None, max_record_amount: float | str | None = None
) -> RecordColumns:
    """Typed records; invalid rows are kept with the Problem that makes them invalid.

    `duplicates` gives the repeated record ids when the table is a chunk of a larger input
    (they are found over the whole input); otherwise they are found in the table.
    """
    n = len(table)
    problems: dict[int, Problem] = {p.row: Problem(p.column, Text(p.message_zh, p.message_en)) for p in table.problems}
    columns = {name: _column(name, table.column(name)) for name in RECORD_COLUMNS}
    given = {name: valid_mask(columns[name]) for name in LENGTH_COLUMNS}
    for name in _REQUIRED_CELLS:
        if name == "hours":
            missing = np.flatnonzero(~(given["hours"] | given["minutes"]))
        elif columns[name].null_count:
            missing = np.flatnonzero(~valid_mask(columns[name]))
        else:
            continue
        note(problems, missing, Problem(name, Text(f"{name} 为空", f"{name} is empty")))
    repeats = duplicate_rows(table) if duplicates is None else duplicates
    note(problems, list(repeats), lambda row: repeats[row])

    catalog = rules.catalog
    subjects = rules.subjects
    subject_names = {name: subjects.index(code) for name, code in _alias_map(catalog.entries("subjects")).items()}
    subject = interpret(columns["subject"], choice(subject_names, "subject"), -1, "subject", problems, np.int8)
    bound = record_bound(max_record_amount)  # hours and credits above it are invalid (inputs/bounds.py)
    note(problems, np.flatnonzero(given["hours"] & given["minutes"]), _BOTH_LENGTHS)
    hours, _, failures = read_amounts(columns["hours"], maximum=bound, scale=FINE)
    note(problems, list(failures), lambda row: problem_of("hours", failures[row]))
    note(problems, np.flatnonzero(given["hours"] & (hours <= 0)), lambda row: _not_positive(cell_text(columns["hours"], row)))
    minutes, _, failures = _amounts(columns["minutes"], maximum=minutes_bound(bound))
    note(problems, list(failures), lambda row: problem_of("minutes", failures[row]))
    note(problems, np.flatnonzero(given["minutes"] & (minutes <= 0)), lambda row: _no_minutes(cell_text(columns["minutes"], row)))
    minutes = np.where(given["minutes"] & ~given["hours"], minutes, -1)
    timestamp, year, day, _, failures = read_instants(columns["completed_at"])
    note(problems, list(failures), lambda row: problem_of("completed_at", failures[row]))
    credits, has_credits, failures = _amounts(columns["credits"], maximum=bound, scale=FINE)
    note(problems, list(failures), lambda row: problem_of("credits", failures[row]))
    note(problems, np.flatnonzero(has_credits & (credits < 0)), lambda row: _negative_credits(cell_text(columns["credits"], row)))
    credits = np.where(has_credits, credits, -1)
    mode = interpret(columns["mode"], choice(_MODES, "mode"), -1, "mode", problems, np.int8)
    teacher = interpret(columns["role"], choice(_ROLES, "role"), False, "role", problems, bool)
    quality = _flags(columns["quality_course"], False, "quality_course", problems)
    declared = interpret(columns["source"], choice(_SOURCES, "source"), False, "source", problems, bool)
    approved = _flags(columns["approved"], True, "approved", problems)

    platform_names = _alias_map(catalog.entries("platforms"))
    codes, uniques = encode(columns["platform"])
    platform, platforms = _vocabulary_index(
        codes, [platform_names.get(u.lower(), u) if u else u for u in uniques], tuple(catalog.entries("platforms"))
    )
    has_platform = codes >= 0
    topic_names = _alias_map(catalog.entries("topics"))
    codes, uniques = encode(columns["topic"])
    listed_topics = [course.topic for course in catalog.entries("courses").values() if course.topic]
    topic, topics = _vocabulary_index(
        codes, [topic_names.get(u.lower(), u) if u else u for u in uniques], (*catalog.entries("topics"), *listed_topics)
    )
    course, courses = encode(columns["course_id"])
    codes, uniques = encode(columns["kind"])
    kind, kinds = _vocabulary_index(codes, uniques, ("course",))
    kind = np.where(codes < 0, 1, kind).astype(np.int32)  # no kind given: a course (vocabulary entry 1)
    online = np.where(mode < 0, has_platform, mode == 1)
    invalid = np.zeros(n, dtype=bool)
    invalid[list(problems)] = True
    return RecordColumns(
        record_id=columns["record_id"],
        person_id=columns["person_id"],
        line=np.asarray(table.lines, dtype=np.int64),
        subject=np.where(invalid, -1, subject).astype(np.int8),
        hours=hours,
        timestamp=timestamp,
        year=year,
        day=day,
        platform=platform,
        online=online.astype(bool),
        topic=topic,
        course=course,
        teacher=teacher.astype(bool),
        quality=quality.astype(bool),
        declared=declared.astype(bool),
        approved=approved.astype(bool),
        kind=kind,
        credits=credits,
        minutes=minutes,
        invalid=invalid,
        problems=problems,
        subjects=subjects,
        platforms=platforms,
        topics=topics,
        courses=tuple(c if c is not None else "" for c in courses),
        kinds=kinds,
        bound=bound,
    )


def _negative_credits(text: str | None) -> Problem:
    return Problem("credits", Text(f"credits：数值应不小于 0，实际为 {text!r}", f"credits: expected an amount >= 0, got {text!r}"))


_BOTH_LENGTHS = Problem(
    "minutes",
    Text(
        "hours 与 minutes 只能填写一项：记录的时长以学时或以分钟给出，不能两者都有",
        "hours and minutes are both given: a record gives its length in hours or in minutes, not both",
    ),
)


def _no_minutes(text: str | None) -> Problem:
    return Problem("minutes", Text(f"minutes：分钟数应大于 0，实际为 {text!r}", f"minutes: expected minutes > 0, got {text!r}"))


def _not_positive(text: str | None) -> Problem:
    return Problem("hours", Text(f"hours：学时应大于 0，实际为 {text!r}", f"hours: expected hours > 0, got {text!r}"))
