"""From string columns to typed columns: the validated input of the kernel.

Every distinct cell value is interpreted once (dictionary encoding), never once per record, and
every problem is kept beside its row with the column at fault, so that nothing is lost: a bad
record becomes an `invalid_record` rejection that says what was wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.errors import BadValue
from ..base.hours import FINE, SCALE
from ..rules.model import Profile, Text
from ..rules.regions import Regions
from ..rules.ruleset import RuleSet
from ..rules.shipped import default_regions
from ..rules.vocabulary import UNIT_LEVEL_DEFAULT, choice, normalise_unit_level
from .bounds import MAX_RECORD_AMOUNT, minutes_bound, record_bound
from .columns import as_arrow, parse_amounts, parse_instants, utf8_buffers, valid_mask
from .table import InputError, Table

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
class Problem:
    """Why one row is invalid: the column at fault and the message in both languages."""

    column: str | None
    text: Text


@attrs.frozen
class PersonColumns:
    """Valid persons, one entry each, with their profile index.

    `defaulted` says, per attribute whose missing value is assumed (unit_level), which persons
    got the assumed value: their verdicts rest on it. `rejected` holds the rows of the file
    whose person_id names no usable person, so that their records can say so (`invalid_person`).
    """

    person_id: np.ndarray  # object, str
    line: np.ndarray  # int64
    profile: np.ndarray  # int32 index into `profiles`
    profiles: tuple[Profile, ...]
    attributes: Mapping[str, np.ndarray]  # city, unit_level, title_series, industry, specialty
    defaulted: Mapping[str, np.ndarray] = attrs.field(factory=dict)  # attribute -> bool [person]
    rejected: Mapping[str, RejectedPerson] = attrs.field(factory=dict)  # person_id -> its first rejected row

    def __len__(self) -> int:
        return len(self.person_id)

    def take(self, rows: Any) -> PersonColumns:
        """Some of the persons (a slice or positions), with their attributes and defaults."""
        return attrs.evolve(
            self,
            person_id=self.person_id[rows],
            line=self.line[rows],
            profile=self.profile[rows],
            attributes={key: values[rows] for key, values in self.attributes.items()},
            defaulted={key: values[rows] for key, values in self.defaulted.items()},
        )


@attrs.frozen
class RejectedPerson:
    """A person row that could not be used, and why."""

    person_id: str | None
    line: int
    problem: Problem

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The document's `rejected_persons` entry: the row's line, column and why."""
        return {"person_id": self.person_id, "line": self.line, "column": self.problem.column, "message": self.problem.text.in_lang(lang)}


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


def table_from_rows(rows: Sequence[Mapping[str, Any]], path: str = "<memory>") -> Table:
    """A Table from in-memory rows (dicts), as a library caller would give them."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {name: np.array([_cell(row.get(name)) for row in rows], dtype=object) for name in names}
    return Table(path=path, columns=columns, lines=np.arange(1, len(rows) + 1, dtype=np.int64), problems=())


def _cell(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas.NA, pandas.NaT


def is_missing(value: Any) -> bool:
    """Whether an in-memory value stands for an empty cell: None, NaN, pandas' NA and NaT, numpy's NaT.

    DataFrames write a blank cell as NaN (`df.to_dict("records")`); a number that is NaN is never
    a value a person meant, so it reads as blank, like an empty CSV cell.
    """
    if value is None:
        return True
    if isinstance(value, float):  # numpy's floating types included
        return math.isnan(value)
    if type(value).__name__ in _MISSING_TYPES:
        return True
    if isinstance(value, np.generic) and value.dtype.kind in "mMf":  # datetime64/timedelta64 NaT, float16
        return bool(np.isnan(value))
    return False


def _encode(column: Any) -> tuple[np.ndarray, list[str | None]]:
    """Dictionary-encode a column: integer codes per row (-1 for empty) and the distinct values."""
    array = as_arrow(column)
    if len(array) == 0:
        return np.zeros(0, dtype=np.int32), []
    encoded = array.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return codes, encoded.dictionary.to_pylist()


def _problem(name: str, exc: ValueError) -> Problem:
    return Problem(name, Text(f"{name}：{getattr(exc, 'zh', exc)}", f"{name}: {exc}"))


def _note(problems: dict[int, Problem], rows: Any, problem: Problem | Callable[[int], Problem]) -> None:
    """Record a problem for rows that have none yet (the first problem found is the one reported)."""
    for row in np.asarray(rows, dtype=np.int64).tolist():
        if row not in problems:
            problems[row] = problem(row) if callable(problem) else problem


def _interpret(
    column: Any, parse: Callable[[str], T], empty: T, name: str, problems: dict[int, Problem], dtype: Any = object
) -> np.ndarray:
    """Apply `parse` to each distinct value; rows whose value fails get a Problem. Returns per-row values."""
    codes, uniques = _encode(column)
    lookup = np.empty(len(uniques) + 1, dtype=dtype)
    failed: dict[int, Problem] = {}
    for index, value in enumerate(uniques):
        try:
            lookup[index] = parse(value)  # type: ignore[arg-type]
        except ValueError as exc:
            failed[index] = _problem(name, exc)
            lookup[index] = empty
    lookup[-1] = empty  # code -1: the cell is empty
    if failed:
        bad = np.flatnonzero(np.isin(codes, np.fromiter(failed, dtype=np.int32)))
        _note(problems, bad, lambda row: failed[int(codes[row])])
    return lookup[codes]


def _is_none(array: np.ndarray) -> np.ndarray:
    return np.frompyfunc(lambda x: x is None, 1, 1)(array).astype(bool) if len(array) else np.zeros(0, dtype=bool)


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


UNIT_LEVEL_HINT = Text(
    "省直单位与市属单位人员适用的规则不同：请补上该列，或指明缺省的单位层级（命令行 --unit-level-default city|province，"
    "Python 中 unit_level_default=）",
    "provincial-unit and city staff follow different rules: add the column, or say which unit level to assume "
    "(--unit-level-default city|province on the command line, unit_level_default= in Python)",
)


def unit_level_default_code(default: str | None) -> str | None:
    """The unit level to assume for persons without one: `city` or `province` (words accepted), or None."""
    return None if default is None else normalise_unit_level(default)


def _check_unit_level_column(table: Table, default: str | None) -> None:
    """A persons file without a unit_level column is refused unless the caller says what to assume.

    Assuming 市属 for everyone silently fails provincial-unit staff whose public hours were
    learned on the provincial platforms: the column changes verdicts, so its absence is an error.
    """
    if default is None and "unit_level" not in table.columns and len(table):
        raise InputError(
            table.path,
            f"缺少 unit_level 列（单位层级）。{UNIT_LEVEL_HINT.zh}",
            f"no unit_level column (unit level); {UNIT_LEVEL_HINT.en}",
            line=1,
            column="unit_level",
        )


def normalise_persons(
    table: Table, *, unit_level_default: str | None = None, regions: Regions | None = None
) -> tuple[PersonColumns, list[RejectedPerson]]:
    """Typed persons and the rows rejected (bad city or unit level, duplicate or missing id).

    Cities and unit levels are read with the words of a rule pack's `regions` (the rule set's
    `regions`; by default the default pack's).

    A person without a unit level is assumed to be at `unit_level_default` when it is given,
    else at the city level (市属, the notice's common case) when the column is there but the cell
    is blank; a file without the column at all is refused unless `unit_level_default` is given.
    """
    _check_unit_level_column(table, unit_level_default)
    assumed = unit_level_default_code(unit_level_default) or UNIT_LEVEL_DEFAULT
    problems: dict[int, Problem] = {p.row: Problem(p.column, Text(p.message_zh, p.message_en)) for p in table.problems}
    person_id = _objects(table.column("person_id"))
    _note(problems, np.flatnonzero(_is_none(person_id)), Problem("person_id", Text("person_id 为空", "person_id is empty")))
    _flag_duplicates(table.column("person_id"), table.lines, "person_id", problems)
    city_cells = table.column("city")
    regions = regions or default_regions()
    cities = _interpret(city_cells, regions.city_code, None, "city", problems)
    _note(problems, np.flatnonzero(_is_none(_objects(city_cells))), Problem("city", Text("city 为空", "city is empty")))
    level_cells = table.column("unit_level")
    levels = _interpret(level_cells, regions.unit_level, assumed, "unit_level", problems)
    free = {key: _objects(table.column(key)) for key in ("title_series", "industry", "specialty")}
    valid = np.ones(len(table), dtype=bool)
    valid[list(problems)] = False
    rejected = [RejectedPerson(person_id[row], int(table.lines[row]), problems[row]) for row in sorted(problems)]
    keep = np.flatnonzero(valid)
    attributes = {
        "city": cities[keep],
        "unit_level": levels[keep],
        **{key: values[keep] for key, values in free.items()},
    }
    profiles, profile_index = _profiles(attributes, len(keep))
    usable = set(person_id[keep].tolist())
    unusable: dict[str, RejectedPerson] = {}
    for entry in rejected:
        if entry.person_id is not None and entry.person_id not in usable:
            unusable.setdefault(entry.person_id, entry)
    persons = PersonColumns(
        person_id=person_id[keep],
        line=np.asarray(table.lines)[keep],
        profile=profile_index,
        profiles=profiles,
        attributes=attributes,
        defaulted={"unit_level": _is_none(_objects(level_cells))[keep]},
        rejected=unusable,
    )
    return persons, rejected


def _profiles(attributes: Mapping[str, np.ndarray], n: int) -> tuple[tuple[Profile, ...], np.ndarray]:
    """The distinct profiles, in order of first appearance, and each person's: codes, not objects."""
    key = np.zeros(n, dtype=np.int64)
    for name in ("city", "unit_level", "title_series", "industry", "specialty"):
        codes, uniques = _encode(attributes[name])
        key = key * (len(uniques) + 1) + (codes + 1)
        _, key = np.unique(key, return_inverse=True)  # keep the combined code small
    if n == 0:
        return (), np.zeros(0, dtype=np.int32)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty_like(by_appearance)
    rank[by_appearance] = np.arange(len(by_appearance))
    profiles = tuple(
        Profile(*(attributes[name][row] for name in ("city", "unit_level", "title_series", "industry", "specialty")))
        for row in first[by_appearance].tolist()
    )
    return profiles, rank[inverse].astype(np.int32)


def _objects(column: Any) -> np.ndarray:
    """A column as a numpy array of `str | None` (persons are few; records stay in Arrow)."""
    if isinstance(column, np.ndarray):
        return column
    return np.asarray(as_arrow(column).to_pylist(), dtype=object)


def _flag_duplicates(ids: Any, lines: np.ndarray, column: str, problems: dict[int, Problem]) -> None:
    """Mark every repeat of an id after its first row (the first keeps it).

    Each id is hashed; only rows whose hash occurs more than once are compared as strings.
    """
    from .scan import hash_cells  # compiled code is loaded where it runs

    array = as_arrow(ids)
    if len(array) == 0:
        return
    raw, bounds = utf8_buffers(array)
    valid = valid_mask(array)
    hashes = hash_cells(raw, bounds, valid)
    ordered = np.sort(hashes)
    repeated_hashes = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    suspects = np.flatnonzero(np.isin(hashes, repeated_hashes) & valid) if len(repeated_hashes) else np.zeros(0, dtype=np.int64)
    if len(suspects) == 0:
        return
    codes, _ = _encode(array.take(pa.array(suspects)))
    counts = np.bincount(codes[codes >= 0], minlength=1)
    repeated = (codes >= 0) & (counts[np.clip(codes, 0, None)] > 1)
    suspects, codes = suspects[repeated], codes[repeated]
    if len(suspects) == 0:
        return
    _, first_index = np.unique(codes, return_index=True)
    first_row = dict(zip(codes[first_index].tolist(), suspects[first_index].tolist(), strict=True))
    code_of = dict(zip(suspects.tolist(), codes.tolist(), strict=True))
    repeats = [row for row in suspects.tolist() if first_row[code_of[row]] != row]

    def repeat(row: int) -> Problem:
        first = int(lines[first_row[code_of[row]]])
        return Problem(column, Text(f"{column} 与第 {first} 行重复", f"{column} repeats the one on line {first}"))

    _note(problems, repeats, repeat)


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
    _flag_duplicates(table.column("record_id"), table.lines, "record_id", problems)
    return problems


def _amounts(column: pa.Array, **bounds: int) -> tuple[np.ndarray, np.ndarray, dict[int, BadValue]]:
    """`parse_amounts` of an optional column; one that is all blank (or absent) is not parsed at all."""
    if column.null_count == len(column):
        return np.zeros(len(column), dtype=np.int64), np.zeros(len(column), dtype=bool), {}
    return parse_amounts(column, **bounds)


def normalise_records(
    table: Table, rules: RuleSet, *, duplicates: Mapping[int, Problem] | None = None, max_record_amount: float | str | None = None
) -> RecordColumns:
    """Typed records; invalid rows are kept with the Problem that makes them invalid.

    `duplicates` gives the repeated record ids when the table is a chunk of a larger input
    (they are found over the whole input); otherwise they are found in the table.
    """
    n = len(table)
    problems: dict[int, Problem] = {p.row: Problem(p.column, Text(p.message_zh, p.message_en)) for p in table.problems}
    columns = {name: as_arrow(table.column(name)) for name in RECORD_COLUMNS}
    given = {name: pc.is_valid(columns[name]).to_numpy(zero_copy_only=False) for name in LENGTH_COLUMNS}
    for name in _REQUIRED_CELLS:
        if name == "hours":
            missing = np.flatnonzero(~(given["hours"] | given["minutes"]))
        elif columns[name].null_count:
            missing = np.flatnonzero(~pc.is_valid(columns[name]).to_numpy(zero_copy_only=False))
        else:
            continue
        _note(problems, missing, Problem(name, Text(f"{name} 为空", f"{name} is empty")))
    repeats = duplicate_rows(table) if duplicates is None else duplicates
    _note(problems, list(repeats), lambda row: repeats[row])

    catalog = rules.catalog
    subjects = rules.subjects
    subject_names = {name: subjects.index(code) for name, code in _alias_map(catalog.entries("subjects")).items()}
    subject = _interpret(columns["subject"], choice(subject_names, "subject"), -1, "subject", problems, np.int8)
    bound = record_bound(max_record_amount)  # hours and credits above it are invalid (inputs/bounds.py)
    _note(problems, np.flatnonzero(given["hours"] & given["minutes"]), _BOTH_LENGTHS)
    hours, _, failures = parse_amounts(columns["hours"], maximum=bound, scale=FINE)
    _note(problems, list(failures), lambda row: _problem("hours", failures[row]))
    _note(problems, np.flatnonzero(given["hours"] & (hours <= 0)), lambda row: _not_positive(columns["hours"][row].as_py()))
    minutes, _, failures = _amounts(columns["minutes"], maximum=minutes_bound(bound))
    _note(problems, list(failures), lambda row: _problem("minutes", failures[row]))
    _note(problems, np.flatnonzero(given["minutes"] & (minutes <= 0)), lambda row: _no_minutes(columns["minutes"][row].as_py()))
    minutes = np.where(given["minutes"] & ~given["hours"], minutes, -1)
    timestamp, year, day, _, failures = parse_instants(columns["completed_at"])
    _note(problems, list(failures), lambda row: _problem("completed_at", failures[row]))
    credits, has_credits, failures = _amounts(columns["credits"], maximum=bound, scale=FINE)
    _note(problems, list(failures), lambda row: _problem("credits", failures[row]))
    _note(problems, np.flatnonzero(has_credits & (credits < 0)), lambda row: _negative_credits(columns["credits"][row].as_py()))
    credits = np.where(has_credits, credits, -1)
    mode = _interpret(columns["mode"], choice(_MODES, "mode"), -1, "mode", problems, np.int8)
    teacher = _interpret(columns["role"], choice(_ROLES, "role"), False, "role", problems, bool)
    quality = _interpret(columns["quality_course"], _boolean, False, "quality_course", problems, bool)
    declared = _interpret(columns["source"], choice(_SOURCES, "source"), False, "source", problems, bool)
    approved = _interpret(columns["approved"], _boolean, True, "approved", problems, bool)

    platform_names = _alias_map(catalog.entries("platforms"))
    codes, uniques = _encode(columns["platform"])
    platform, platforms = _vocabulary_index(
        codes, [platform_names.get(u.lower(), u) if u else u for u in uniques], tuple(catalog.entries("platforms"))
    )
    has_platform = codes >= 0
    topic_names = _alias_map(catalog.entries("topics"))
    codes, uniques = _encode(columns["topic"])
    listed_topics = [course.topic for course in catalog.entries("courses").values() if course.topic]
    topic, topics = _vocabulary_index(
        codes, [topic_names.get(u.lower(), u) if u else u for u in uniques], (*catalog.entries("topics"), *listed_topics)
    )
    course, courses = _encode(columns["course_id"])
    codes, uniques = _encode(columns["kind"])
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
