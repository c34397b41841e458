"""Where a draft's impact falls: people grouped by city, unit level, department or title series,
the people whose verdict flips, the shortfall distribution and the records whose disposition changes.

Each is an `ImpactTable` computed with numpy over the whole cohort at once (bincounts by group).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pyarrow as pa

from ..kernel import reasons as R
from ..render.labels import UNIT_LEVEL_ORDER, unit_level_name
from ..render.text import NONE_LABEL
from ..rules.model import Layer
from ..rules.shipped import city_name, default_regions
from .tables import ImpactTable

if TYPE_CHECKING:
    from ..inputs.normalise import PersonColumns
    from ..rules.ruleset import RuleSet
    from .impact import Baseline, Impact

DIMENSIONS = ("city", "unit_level", "department", "title_series")
"""What impacts break down by."""

SHORTFALL_BINS: tuple[tuple[str, float, float], ...] = (
    ("0", 0, 0),
    ("0–5", 0, 5),
    ("5–10", 5, 10),
    ("10–20", 10, 20),
    ("20–30", 20, 30),
    ("30–60", 30, 60),
    ("> 60", 60, float("inf")),
)
"""Shortfall bins in hours: exactly 0, then (low, high]."""

_TITLES = {
    "city": "按城市 · by city",
    "unit_level": "按单位层级 · by unit level",
    "department": "按行业部门（适用的部门规则层）· by department (the department layers that apply)",
    "title_series": "按职称系列 · by title series",
}

_REASON_SHOWN = np.array([None if code == R.CREDITED else name for code, name in enumerate(R.NAMES)], dtype=object)
"""Reason codes by number as records show them: none when credited in full."""


class Grouping(NamedTuple):
    """People in groups: each person's group, and per group its value and its names (zh, en), in display order."""

    codes: np.ndarray
    values: list[str]
    zh: list[str]
    en: list[str]


def department_grouping(rule_sets: tuple[RuleSet, ...], people: PersonColumns) -> Grouping:
    """Per person, the department layers (of any of the rule sets) that apply to them, ids joined, or —."""
    departments: dict[str, Layer] = {}
    for rules in rule_sets:
        for layer in rules.layers:
            if layer.rank == "department":
                departments.setdefault(layer.id, layer)
    profiles = people.profiles
    labels = [", ".join(sorted(i for i, layer in departments.items() if layer.scope.matches(p))) or NONE_LABEL for p in profiles]
    names = sorted(set(labels), key=lambda label: (label == NONE_LABEL, label))
    index = {label: i for i, label in enumerate(names)}
    per_profile = np.array([index[label] for label in labels], dtype=np.int64)
    return Grouping(per_profile[people.profile] if len(profiles) else np.zeros(0, np.int64), names, names, names)


def attribute_grouping(cohort: Baseline, dimension: str) -> Grouping:
    """People grouped by a person attribute: `city`, `unit_level` or `title_series`."""
    if dimension not in ("city", "unit_level", "title_series"):
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    codes, values = cohort.groups(dimension)
    labels = [NONE_LABEL if v is None else v for v in values]
    if (codes < 0).any():
        labels.append(NONE_LABEL)
        codes = np.where(codes < 0, len(labels) - 1, codes)
    if dimension == "city":
        order = sorted(range(len(labels)), key=lambda i: (labels[i] not in default_regions().cities, labels[i]))
        zh = [city_name(labels[i]) if labels[i] != NONE_LABEL else NONE_LABEL for i in order]
        en = [city_name(labels[i], "en") if labels[i] != NONE_LABEL else NONE_LABEL for i in order]
    elif dimension == "unit_level":
        rank = {level: i for i, level in enumerate(UNIT_LEVEL_ORDER)}
        order = sorted(range(len(labels)), key=lambda i: (rank.get(labels[i], len(rank)), labels[i]))
        zh = [unit_level_name(labels[i]) for i in order]
        en = [unit_level_name(labels[i], "en", plural=True) for i in order]
    else:
        order = sorted(range(len(labels)), key=lambda i: (labels[i] == NONE_LABEL, labels[i]))
        zh = en = [labels[i] for i in order]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return Grouping(position[codes] if len(codes) else codes, [labels[i] for i in order], zh, en)


def by_group(impact: Impact, dimension: str) -> ImpactTable:
    """Compliance before and after per group of people."""
    group, values, zh, en = impact.grouping(dimension)
    n = len(values)
    people = np.bincount(group, minlength=n)
    before = np.bincount(group, weights=impact.before, minlength=n).astype(np.int64)
    after = np.bincount(group, weights=impact.after, minlength=n).astype(np.int64)
    down = np.bincount(group, weights=impact.before & ~impact.after, minlength=n).astype(np.int64)
    up = np.bincount(group, weights=~impact.before & impact.after, minlength=n).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate_before = np.where(people > 0, before / np.maximum(people, 1), np.nan)
        rate_after = np.where(people > 0, after / np.maximum(people, 1), np.nan)
    columns: dict[str, Any] = {dimension: values}
    if dimension in ("city", "unit_level"):
        columns["name"] = zh
        columns["name_en"] = en
    else:
        columns["name"] = values
    columns.update(
        people=people,
        compliant_before=before,
        compliant_after=after,
        rate_before=np.round(rate_before, 6),
        rate_after=np.round(rate_after, 6),
        change=np.round(rate_after - rate_before, 6),
        pass_to_fail=down,
        fail_to_pass=up,
    )
    return ImpactTable(_TITLES[dimension], columns)


def flips_table(impact: Impact) -> ImpactTable:
    """The people whose verdict changes, in input order, with where they are and their shortfall."""
    rows = np.flatnonzero(impact.before != impact.after)
    columns: dict[str, Any] = {
        "person_id": impact.person_id[rows],
        "direction": np.where(impact.before[rows], "pass→fail", "fail→pass"),
    }
    for dimension in DIMENSIONS:
        group, values, *_ = impact.grouping(dimension)
        columns[dimension] = np.array(values, dtype=object)[group[rows]] if len(values) else np.array([], dtype=object)
    columns["shortfall_before"] = impact.shortfall_before[rows]
    columns["shortfall_after"] = impact.shortfall_after[rows]
    return ImpactTable("达标结论改变的人员 · people whose verdict changes", columns)


def shortfall_table(impact: Impact) -> ImpactTable:
    """How many people are how many hours short, before and after."""
    labels: list[str] = []
    before: list[int] = []
    after: list[int] = []
    for label, low, high in SHORTFALL_BINS:
        labels.append(label)
        for values, out in ((impact.shortfall_before, before), (impact.shortfall_after, after)):
            hit = values == 0 if high == 0 else (values > low) & (values <= high)
            out.append(int(hit.sum()))
    return ImpactTable(
        "学时缺口分布 · shortfall distribution (hours)",
        {"shortfall_hours": labels, "people_before": before, "people_after": after},
        note="每个科目取差得最多的一项要求，各科目相加；以学分计的要求不计入 / per subject the largest gap among its "
        "requirements in hours, added over subjects; requirements in credits are left out",
    )


def changed_records_table(impact: Impact) -> ImpactTable:
    """The records whose status, reason or credited hours change, in input order."""
    rows = impact.changed_positions
    before, after = impact.baseline, impact.draft
    owner = before.person_index[rows]
    person = np.full(len(rows), None, dtype=object)
    if impact.people:
        person[owner >= 0] = impact.person_id[owner[owner >= 0]]
    status = np.array(["rejected", "credited"], dtype=object)
    return ImpactTable(
        "认定结果改变的记录 · records whose disposition changes",
        {
            "record_id": before.record_id.take(pa.array(rows, type=pa.int64())),
            "person_id": person,
            "status_before": status[before.status_credited[rows].astype(np.int64)],
            "reason_before": _REASON_SHOWN[before.reason[rows]],
            "credited_before": before.credited[rows] / 100,
            "status_after": status[after.status_credited[rows].astype(np.int64)],
            "reason_after": _REASON_SHOWN[after.reason[rows]],
            "credited_after": after.credited[rows] / 100,
        },
    )
