"""Typed persons: one row a person, cities and unit levels read with a rule pack's words, each
distinct profile (the attributes scopes look at) found once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..rules.model import Profile, Text
from ..rules.regions import Regions
from ..rules.shipped import default_regions
from ..rules.vocabulary import UNIT_LEVEL_DEFAULT, normalise_unit_level
from .cells import Problem, encode, flag_duplicates, interpret, is_none, note, objects
from .table import InputError, Table

PERSON_COLUMNS = ("person_id", "city", "unit_level", "title_series", "industry", "specialty")
"""The columns of a persons file that are read (any other is kept out of memory)."""


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
    person_id = objects(table.column("person_id"))
    note(problems, np.flatnonzero(is_none(person_id)), Problem("person_id", Text("person_id 为空", "person_id is empty")))
    flag_duplicates(table.column("person_id"), table.lines, "person_id", problems)
    city_cells = table.column("city")
    regions = regions or default_regions()
    cities = interpret(city_cells, regions.city_code, None, "city", problems)
    note(problems, np.flatnonzero(is_none(objects(city_cells))), Problem("city", Text("city 为空", "city is empty")))
    level_cells = table.column("unit_level")
    levels = interpret(level_cells, regions.unit_level, assumed, "unit_level", problems)
    free = {key: objects(table.column(key)) for key in ("title_series", "industry", "specialty")}
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
    unusable: dict[str, RejectedPerson] = {}
    named = [entry for entry in rejected if entry.person_id is not None]
    if named:  # the ids of rejected rows that no usable row has (a repeated id's first row is usable)
        usable = pc.is_in(pa.array([entry.person_id for entry in named], pa.string()), value_set=pa.array(person_id[keep], pa.string()))
        for entry, found in zip(named, usable.to_pylist(), strict=True):
            if not found:
                unusable.setdefault(entry.person_id, entry)
    persons = PersonColumns(
        person_id=person_id[keep],
        line=np.asarray(table.lines)[keep],
        profile=profile_index,
        profiles=profiles,
        attributes=attributes,
        defaulted={"unit_level": is_none(objects(level_cells))[keep]},
        rejected=unusable,
    )
    return persons, rejected


def _profiles(attributes: Mapping[str, np.ndarray], n: int) -> tuple[tuple[Profile, ...], np.ndarray]:
    """The distinct profiles, in order of first appearance, and each person's: codes, not objects.

    Codes are combined attribute by attribute and renumbered by a hash table in order of first
    appearance (no sort), so the profile numbers are the persons' order of first appearance.
    """
    if n == 0:
        return (), np.zeros(0, dtype=np.int32)
    key = np.zeros(n, dtype=np.int64)
    for name in _PROFILE_ATTRIBUTES:
        codes, uniques = encode(attributes[name])
        key = key * (len(uniques) + 1) + (codes + 1)
        key = _first_seen_codes(key)  # keep the combined code small
    first = np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1) > 0)  # where each code is first seen
    profiles = tuple(Profile(*(attributes[name][row] for name in _PROFILE_ATTRIBUTES)) for row in first.tolist())
    return profiles, key.astype(np.int32)


_PROFILE_ATTRIBUTES = ("city", "unit_level", "title_series", "industry", "specialty")


def _first_seen_codes(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values in order of first appearance (0, 1, 2, ...)."""
    return pa.array(values).dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int64)
