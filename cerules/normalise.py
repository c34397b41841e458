"""From string columns to typed columns: the validated input of the kernel.

Every distinct cell value is interpreted once (dictionary encoding), never once per record, and
every problem is kept beside its row with the column at fault, so that nothing is lost: a bad
record becomes an `invalid_record` rejection that says what was wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pyarrow as pa

from ._bad import BadValue
from ._hours import parse_amount
from ._time import SHANGHAI, parse_instant
from .io import Table
from .regions import city_code
from .rules.model import Profile, Text
from .rules.ruleset import RuleSet

T = TypeVar("T")

PERSON_COLUMNS = ("person_id", "city", "unit_level", "title_series", "industry", "specialty")
RECORD_COLUMNS = (
    "record_id", "person_id", "subject", "hours", "completed_at", "platform", "mode", "topic",
    "course_id", "role", "quality_course", "source", "approved", "kind", "credits",
)  # fmt: skip
REQUIRED_PERSON_COLUMNS = ("person_id", "city")
REQUIRED_RECORD_COLUMNS = ("record_id", "person_id", "subject", "hours", "completed_at")

_TRUE = frozenset({"true", "1", "yes", "y", "t", "是", "对"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "否", "不"})
_UNIT_LEVELS = {"province": "province", "省直": "province", "省直单位": "province", "省级": "province",
                "city": "city", "市属": "city", "市直": "city", "市级": "city", "市": "city"}  # fmt: skip
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
    """Valid persons, one entry each, with their profile index."""

    person_id: np.ndarray  # object, str
    line: np.ndarray  # int64
    profile: np.ndarray  # int32 index into `profiles`
    profiles: tuple[Profile, ...]
    attributes: Mapping[str, np.ndarray]  # city, unit_level, title_series, industry, specialty

    def __len__(self) -> int:
        return len(self.person_id)


@attrs.frozen
class RejectedPerson:
    """A person row that could not be used, and why."""

    person_id: str | None
    line: int
    problem: Problem


@attrs.frozen
class RecordColumns:
    """All input records, typed; `problem` holds the reason a row is invalid (None when valid)."""

    record_id: np.ndarray  # object, str | None
    person_id: np.ndarray  # object, str | None
    line: np.ndarray  # int64
    subject: np.ndarray  # int8 index into `subjects`, -1 when invalid
    hours: np.ndarray  # int64 hundredths
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
    credits: np.ndarray  # int64 hundredths, -1 = none
    invalid: np.ndarray  # bool
    problem: np.ndarray  # object, Problem | None
    subjects: tuple[str, ...]
    platforms: tuple[str, ...]
    topics: tuple[str, ...]
    courses: tuple[str, ...]
    kinds: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.record_id)

    def take(self, index: np.ndarray) -> RecordColumns:
        """The records at these positions, sharing vocabularies."""
        arrays = {f.name: getattr(self, f.name)[index] for f in attrs.fields(RecordColumns) if f.type == "np.ndarray"}
        return attrs.evolve(self, **arrays)


def table_from_rows(rows: Sequence[Mapping[str, Any]], path: str = "<memory>") -> Table:
    """A Table from in-memory rows (dicts), as a library caller would give them."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {name: np.array([_cell(row.get(name)) for row in rows], dtype=object) for name in names}
    return Table(path=path, columns=columns, lines=np.arange(1, len(rows) + 1, dtype=np.int64), problems=())


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _encode(column: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Dictionary-encode a column: integer codes per row (-1 for empty) and the distinct values."""
    if len(column) == 0:
        return np.zeros(0, dtype=np.int32), []
    encoded = pa.array(column, type=pa.string(), from_pandas=True).dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return codes, encoded.dictionary.to_pylist()


def _interpret(column: np.ndarray, parse: Callable[[str], T], empty: T, name: str, problems: np.ndarray) -> list[T]:
    """Apply `parse` to each distinct value; rows whose value fails get a Problem. Returns per-row values."""
    codes, uniques = _encode(column)
    results: list[Any] = []
    failures: dict[int, Problem] = {}
    for index, value in enumerate(uniques):
        try:
            results.append(parse(value))  # type: ignore[arg-type]
        except ValueError as exc:
            failures[index] = Problem(name, Text(f"{name}：{getattr(exc, 'zh', exc)}", f"{name}: {exc}"))
            results.append(empty)
    lookup = np.empty(len(results) + 1, dtype=object)
    for index, result in enumerate([*results, empty]):
        lookup[index] = result  # one by one: tuples must stay cells, not become a second axis
    values = lookup[codes]  # -1 picks the empty value
    if failures:
        failed = np.isin(codes, np.fromiter(failures, dtype=np.int32))
        for row in np.flatnonzero(failed & _is_none(problems)):
            problems[row] = failures[int(codes[row])]
    return values  # type: ignore[return-value]


def _is_none(array: np.ndarray) -> np.ndarray:
    return np.frompyfunc(lambda x: x is None, 1, 1)(array).astype(bool) if len(array) else np.zeros(0, dtype=bool)


def _vocabulary_index(values: Sequence[str | None], base: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Index each value into a vocabulary that starts with '' (none) then `base`, growing as needed."""
    vocabulary: dict[str, int] = {"": 0}
    for code in base:
        vocabulary.setdefault(code, len(vocabulary))
    codes, uniques = _encode(np.asarray(values, dtype=object))
    mapped = np.array([vocabulary.setdefault(u, len(vocabulary)) if u else 0 for u in uniques] + [0], dtype=np.int32)
    return mapped[codes], tuple(vocabulary)


def _choice(table: Mapping[str, T], meaning: str) -> Callable[[str], T]:
    def parse(text: str) -> T:
        key = text.strip()
        value = table.get(key.lower(), table.get(key))
        if value is None:
            choices = sorted(k for k in table if k.isascii())
            accepted = " or ".join(choices)
            raise BadValue(f"expected {accepted} ({meaning}), got {text!r}", f"应为 {' / '.join(sorted(table))}，实际为 {text!r}")
        return value

    return parse


def normalise_unit_level(text: str) -> str:
    """`province` or `city` from the words input files use (`省直`, `市属`, …)."""
    return _choice(_UNIT_LEVELS, "unit level")(text)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue(f"expected true or false, got {text!r}", f"应为 true 或 false（是/否），实际为 {text!r}")


def _positive_hours(text: str) -> int:
    hundredths = parse_amount(text)
    if hundredths <= 0:
        raise BadValue(f"expected hours > 0, got {text!r}", f"学时应大于 0，实际为 {text!r}")
    return hundredths


def _non_negative(text: str) -> int:
    hundredths = parse_amount(text)
    if hundredths < 0:
        raise BadValue(f"expected an amount >= 0, got {text!r}", f"数值应不小于 0，实际为 {text!r}")
    return hundredths


def _instant(text: str) -> tuple[int, int, int]:
    moment = parse_instant(text)
    local = moment.in_timezone(SHANGHAI)
    micros = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    return micros, local.year, local.date().toordinal()


def _alias_map(entries: Mapping[str, Any]) -> dict[str, str]:
    """Code lookup for a catalog: code, Chinese and English names and aliases, case-insensitively."""
    names: dict[str, str] = {}
    for code, entry in entries.items():
        for name in (code, entry.name.zh, entry.name.en, *entry.aliases):
            names[name.strip().lower()] = code
    return names


def normalise_persons(table: Table) -> tuple[PersonColumns, list[RejectedPerson]]:
    """Typed persons and the rows rejected (bad city or unit level, duplicate or missing id)."""
    n = len(table)
    problems = np.full(n, None, dtype=object)
    for problem in table.problems:
        problems[problem.row] = Problem(problem.column, Text(problem.message_zh, problem.message_en))
    person_id = table.column("person_id")
    for row in np.flatnonzero(_is_none(person_id)):
        problems[row] = problems[row] or Problem("person_id", Text("person_id 为空", "person_id is empty"))
    _flag_duplicates(person_id, table.lines, "person_id", problems)
    cities = _interpret(table.column("city"), city_code, None, "city", problems)
    for row in np.flatnonzero(_is_none(table.column("city"))):
        problems[row] = problems[row] or Problem("city", Text("city 为空", "city is empty"))
    levels = _interpret(table.column("unit_level"), _choice(_UNIT_LEVELS, "unit level"), "city", "unit_level", problems)
    free = {key: table.column(key) for key in ("title_series", "industry", "specialty")}
    valid = _is_none(problems)
    rejected = [RejectedPerson(person_id[row], int(table.lines[row]), problems[row]) for row in np.flatnonzero(~valid)]
    keep = np.flatnonzero(valid)
    attributes = {
        "city": np.asarray(cities, dtype=object)[keep],
        "unit_level": np.asarray(levels, dtype=object)[keep],
        **{key: values[keep] for key, values in free.items()},
    }
    profile_of: dict[Profile, int] = {}
    profile_index = np.zeros(len(keep), dtype=np.int32)
    keys = list(zip(*(attributes[k] for k in ("city", "unit_level", "title_series", "industry", "specialty")), strict=True))
    for i, key in enumerate(keys):
        profile = Profile(*key)
        profile_index[i] = profile_of.setdefault(profile, len(profile_of))
    persons = PersonColumns(
        person_id=person_id[keep],
        line=table.lines[keep],
        profile=profile_index,
        profiles=tuple(profile_of),
        attributes=attributes,
    )
    return persons, rejected


def _flag_duplicates(ids: np.ndarray, lines: np.ndarray, column: str, problems: np.ndarray) -> None:
    """Mark every repeat of an id after its first row (the first keeps it)."""
    codes, _ = _encode(ids)
    present = codes >= 0
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    repeat = np.zeros(len(codes), dtype=bool)
    repeat[order[1:]] = (ordered[1:] == ordered[:-1]) & present[order[1:]]
    first_row_of: dict[int, int] = {}
    for row in order:
        first_row_of.setdefault(int(codes[row]), row)
    for row in np.flatnonzero(repeat):
        first = int(lines[first_row_of[int(codes[row])]])
        problems[row] = problems[row] or Problem(column, Text(f"{column} 与第 {first} 行重复", f"{column} repeats the one on line {first}"))


def normalise_records(table: Table, rules: RuleSet) -> RecordColumns:
    """Typed records; invalid rows are kept with the Problem that makes them invalid."""
    n = len(table)
    problems = np.full(n, None, dtype=object)
    for problem in table.problems:
        problems[problem.row] = Problem(problem.column, Text(problem.message_zh, problem.message_en))
    for name in REQUIRED_RECORD_COLUMNS:
        for row in np.flatnonzero(_is_none(table.column(name))):
            problems[row] = problems[row] or Problem(name, Text(f"{name} 为空", f"{name} is empty"))
    record_id = table.column("record_id")
    _flag_duplicates(record_id, table.lines, "record_id", problems)

    catalog = rules.catalog
    subjects = rules.subjects
    subject_names = {name: subjects.index(code) for name, code in _alias_map(catalog.entries("subjects")).items()}
    subject = _interpret(table.column("subject"), _choice(subject_names, "subject"), -1, "subject", problems)
    hours = _interpret(table.column("hours"), _positive_hours, 0, "hours", problems)
    moments = _interpret(table.column("completed_at"), _instant, (0, 0, 0), "completed_at", problems)
    platform_names = _alias_map(catalog.entries("platforms"))
    platform_codes = _interpret(table.column("platform"), lambda t: platform_names.get(t.lower(), t), "", "platform", problems)
    has_platform = ~_is_none(table.column("platform"))
    mode = _interpret(table.column("mode"), _choice(_MODES, "mode"), None, "mode", problems)
    topic_names = _alias_map(catalog.entries("topics"))
    topic_codes = _interpret(table.column("topic"), lambda t: topic_names.get(t.lower(), t), "", "topic", problems)
    teacher = _interpret(table.column("role"), _choice(_ROLES, "role"), False, "role", problems)
    quality = _interpret(table.column("quality_course"), _boolean, False, "quality_course", problems)
    declared = _interpret(table.column("source"), _choice(_SOURCES, "source"), False, "source", problems)
    approved = _interpret(table.column("approved"), _boolean, True, "approved", problems)
    credits = _interpret(table.column("credits"), _non_negative, -1, "credits", problems)

    platform, platforms = _vocabulary_index(platform_codes, tuple(catalog.entries("platforms")))
    listed_topics = [course.topic for course in catalog.entries("courses").values() if course.topic]
    topic, topics = _vocabulary_index(topic_codes, (*catalog.entries("topics"), *listed_topics))
    course_codes, courses = _encode(table.column("course_id"))
    kind_values = np.where(_is_none(table.column("kind")), "course", table.column("kind"))
    kind, kinds = _vocabulary_index(list(kind_values), ("course",))
    mode_array = np.asarray(mode, dtype=object)
    online = np.where(_is_none(mode_array), has_platform, mode_array == True)  # noqa: E712 - object array
    moment_array = np.array(list(moments), dtype=np.int64).reshape(n, 3) if n else np.zeros((0, 3), dtype=np.int64)
    invalid = ~_is_none(problems)
    return RecordColumns(
        record_id=record_id,
        person_id=table.column("person_id"),
        line=table.lines.astype(np.int64, copy=False),
        subject=np.where(invalid, -1, np.asarray(subject, dtype=np.int64)).astype(np.int8),
        hours=np.asarray(hours, dtype=np.int64),
        timestamp=moment_array[:, 0],
        year=moment_array[:, 1].astype(np.int32),
        day=moment_array[:, 2].astype(np.int32),
        platform=platform,
        online=online.astype(bool),
        topic=topic,
        course=course_codes,
        teacher=np.asarray(teacher, dtype=bool),
        quality=np.asarray(quality, dtype=bool),
        declared=np.asarray(declared, dtype=bool),
        approved=np.asarray(approved, dtype=bool),
        kind=kind,
        credits=np.asarray(credits, dtype=np.int64),
        invalid=invalid,
        problem=problems,
        subjects=subjects,
        platforms=platforms,
        topics=topics,
        courses=tuple(c if c is not None else "" for c in courses),
        kinds=kinds,
    )
