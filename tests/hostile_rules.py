"""Hypothesis strategies for hostile rule files and drafts, and a small cohort to evaluate under them.

A hostile layer is `BASE_LAYER` (every part of a rule file) broken in a few places — values of
the wrong type or of extreme size, keys added and removed, deep nesting — or one of the files met
in the field (`RAW_LAYERS`); a hostile draft is a `Draft.from_dict` call with hostile paths,
values and options.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import tomli_w
from hypothesis import strategies as st

from tests.hostile import CONTROL

# --- rule layers and drafts ----------------------------------------------------------------------

CITE = "SD-2023 §2(1)"
BASE_LAYER: dict[str, Any] = {
    "layer": {"id": "fuzz", "rank": "draft", "title": {"zh": "草案", "en": "draft"}, "years": [2023], "scope": {"city": ["370200"]}},
    "catalog": {
        "platforms": {"fz": {"name": {"zh": "平台", "en": "platform"}, "citation": CITE, "aliases": ["FZ"]}},
        "topics": {"fzt": {"name": "主题", "group": "focus", "citation": CITE}},
        "courses": {"K1": {"title": "课程", "subject": "public", "topic": "ethics", "hours": 2, "platform": "sdou", "citation": CITE}},
    },
    "public": {
        "required_hours": {"value": 30, "citation": CITE},
        "platforms": [
            {"value": ["sdou", "fz"], "citation": CITE, "when": {"unit_level": ["province"]}},
            {"value": ["*"], "citation": CITE, "when": {"unit_level": ["city"]}},
        ],
        "deadline": {"value": "2023-10-31", "citation": CITE, "verified": False, "note": "n"},
        "focus": {
            "label": {"zh": "重点", "en": "focus"},
            "required_hours": {"value": 10, "citation": CITE},
            "count_topics": {"value": ["ethics", "fzt"], "citation": CITE},
            "counts_at_most": {"value": 20, "citation": CITE},
        },
    },
    "professional": {
        "required_hours": {"value": 60, "citation": CITE},
        "cme": {
            "unit": "credits",
            "required": {"value": 25, "citation": CITE},
            "count_kinds": {"value": ["cme-1", "cme-2"], "citation": CITE},
            "hours_per_credit": {"value": 6, "citation": CITE},
        },
    },
    "quality_course": {"teacher_multiplier": {"value": 2, "citation": CITE}},
    "declared": {"max_hours_per_day": {"value": 8, "citation": CITE}, "requires_approval": {"value": True, "citation": CITE}},
}
"""A draft layer using every part of a rule file; `layer_documents` breaks it in places."""

EXTREME_NUMBERS = [
    10**30,
    2**63,
    2**63 - 1,
    -1,
    0,
    10**17,
    1e17,
    1e300,
    -1e300,
    5e-324,
    1e-300,
    float("inf"),
    float("-inf"),
    float("nan"),
    -0.0,
]
CODE_TEXTS = ["*", "", "TODO", "待填写 TODO", "sdou", "nosuch", "ethics", "public", "professional", "hours", "credits"]
RANK_TEXTS = ["draft", "province", "city", "department", "DRAFT", ""]


ZONES = [None, dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=14))]


def toml_values(depth: int = 2) -> st.SearchStrategy[Any]:
    """Any value a TOML file can hold, with the extremes first."""
    leaves = st.one_of(
        st.sampled_from(EXTREME_NUMBERS),
        st.integers(),
        st.floats(),
        st.sampled_from(CODE_TEXTS + RANK_TEXTS + CONTROL),
        st.text(st.characters(codec="utf-8"), max_size=8),
        st.booleans(),
        st.dates(),
        st.datetimes(timezones=st.sampled_from(ZONES)),
        st.times(),
    )
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["value", "citation", "when", "x", "city"]), children, max_size=3)
        ),
        max_leaves=6,
    )


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed document: key paths (list indices included)."""
    places = [path] if path else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        places += _places(child, (*path, key))
    return places


@st.composite
def layer_documents(draw: st.DrawFn) -> dict[str, Any]:
    """BASE_LAYER with a few places changed: a wrong type or extreme value, a key added or removed, deep nesting."""
    document = copy.deepcopy(BASE_LAYER)
    for _ in range(draw(st.integers(1, 4))):
        place = draw(st.sampled_from(_places(document)))
        *parents, key = place
        parent = document
        for step in parents:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "replace", "add", "remove", "nest"]))
        if action == "replace":
            parent[key] = draw(toml_values())
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["x", "note", "value", "unit", "label", "sum_of", "required", "except", "列"]))] = draw(
                toml_values()
            )
        elif action == "remove" and isinstance(parent, dict):
            del parent[key]
        elif action == "nest":
            nested: Any = draw(toml_values(1))
            for _ in range(draw(st.integers(10, 60))):
                nested = {"a": nested}
            parent[key] = nested
    return document


RAW_LAYERS = [
    "layer = 5",
    "catalog = 5",
    "[catalog]\nplatforms = 5",
    "[catalog.platforms]\nsdou = 5",
    "[catalog.courses.K]\nsubject = 'public'\nhours = inf",
    "[catalog.courses.K]\nsubject = 'public'\nhours = 1e300",
    "[layer]\nrank = 5",
    "[layer]\nid = 'province'\nrank = 'province'",
    "[layer]\nyears = [99999999999999999999]",
    "[layer]\nscope = { city = [] }",
    "[layer]\nscope = { except = 5 }",
    "[layer]\nscope = { city = ['北京'] }",
    "public = { required_hours = " + "{ a = " * 3000 + "1" + " }" * 3000 + " }",
    "x = " + "[" * 3000 + "]" * 3000,
    "public.required_hours = 1" + "0" * 30,
    "public.required_hours = inf",
    "public.required_hours = nan",
    "public.required_hours = 1e300",
    "public.required_hours = -1",
    "public.required_hours = 28",
    "public.required_hours = '30'",
    "public.required_hours = 1979-05-27",
    "public.required_hours = { value = 30, citation = '待填写 TODO' }",
    "professional.required_hours = 0.004",
    "quality_course.teacher_multiplier = 1e17",
    "quality_course.teacher_multiplier = 1e-300",
    "declared.max_hours_per_day = 1e-300",
    "declared.max_hours_per_day = 1e300",
    "public.platforms = ['nosuch']",
    "public.topics = []",
    "public.platforms = 'sdou'",
    "[[public.required_hours]]\nvalue = 30\n[[public.required_hours]]\nvalue = 40",
    "[public.focus]\nrequired_hours = 10\nsum_of = ['public.focus']",
    "professional.sum_of = ['public', 'professional']",
    "public.required = 40\npublic.unit = 'credits'",
    "public.unit = 'credits'",
    "public.deadline = 0001-01-01",
    "public.deadline = 9999-12-31T23:59:59Z",
    "public.deadline = '10000-01-01'",
    "[public.a.b.c.d.e.f]\nrequired_hours = 5",
    "[public.platforms]\nvalue = ['sdou']\nwhen = { city = 5 }",
    "\ufeffpublic.required_hours = 30",
    "public.required_hours = 30\n\x00",
    "[professional.cme]\nunit = 'credits'\nrequired = 25\nhours_per_credit = 1e-300",
    "[professional.cme]\nunit = 'credits'\nrequired = 1e300\ncounts_at_most = 5e-324",
]
"""Hand-written hostile rule files: each a case met in the field or in an earlier fuzzing pass."""


def layer_texts() -> st.SearchStrategy[str]:
    """The text of a hostile rule file."""
    return st.one_of(layer_documents().map(tomli_w.dumps), st.sampled_from(RAW_LAYERS))


DRAFT_PATHS = [
    "public.required_hours", "professional.required_hours", "public.platforms", "public.topics", "public.deadline",
    "public.listed_courses_only", "public.focus", "public.focus.required_hours", "public.focus.count_topics",
    "public.focus.sum_of", "public.required", "public.unit", "public.label", "professional.cme", "professional.cme.required",
    "professional.cme.unit", "professional.counts_at_most", "professional.hours_per_credit", "professional.count_kinds",
    "quality_course.teacher_multiplier", "declared.max_hours_per_day", "declared.requires_approval",
    "catalog.platforms.fz", "catalog.topics.fzt", "catalog.courses.K1", "catalog.subjects.extra", "nosuch.required_hours",
    "public", "", ".", "public..required_hours", "public.required_hours.value", "a" * 300,
]  # fmt: skip


def draft_values() -> st.SearchStrategy[Any]:
    """A value for one draft path: bare, cited, variants, or a table of parameters, with hostile parts."""
    bare = toml_values() | st.sampled_from([[], ["sdou"], ["*"], ["ethics", 5], "2023-10-31", {"zh": "甲"}])
    cited = st.fixed_dictionaries(
        {"value": bare},
        optional={
            "citation": st.sampled_from(["c", "", "TODO", 5]),
            "when": toml_values(1),
            "verified": toml_values(1),
            "note": toml_values(1),
        },
    )
    return st.one_of(
        bare,
        cited,
        st.lists(cited, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["required_hours", "count_topics", "unit", "x"]), bare, max_size=3),
    )


@st.composite
def drafts(draw: st.DrawFn) -> tuple[dict[Any, Any], dict[str, Any]]:
    """(values, keyword arguments) for `Draft.from_dict`."""
    values = draw(st.dictionaries(st.sampled_from(DRAFT_PATHS) | st.text(max_size=10) | st.integers(), draft_values(), max_size=4))
    options = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "scope": st.dictionaries(
                    st.sampled_from(["city", "unit_level", "title_series", "x", "except"]), toml_values(1), max_size=2
                ),
                "citation": st.sampled_from([None, "", "c", "TODO"]),
                "years": st.lists(st.sampled_from([2023, 2024, 0, -1, 10**30]), max_size=2),
                "id": st.sampled_from(["draft", "province", "", "x" * 300, "d\x1b"]),
            },
        )
    )
    return values, options


SMALL_PERSONS = [
    {"person_id": "a", "city": "370200", "unit_level": "city", "title_series": "卫生"},
    {"person_id": "b", "city": "370800", "unit_level": "province", "title_series": "工程"},
    {"person_id": "c", "city": "济南", "unit_level": "city", "title_series": "会计"},
]
SMALL_RECORDS = [
    {"record_id": f"s{i}", "person_id": person, "subject": subject, "hours": hours, "completed_at": when, **more}
    for i, (person, subject, hours, when, more) in enumerate(
        [
            ("a", "public", "12", "2023-03-01", {"platform": "sdou", "topic": "ethics", "course_id": "K1"}),
            ("a", "public", "8", "2023-11-05", {"platform": "fz", "topic": "fzt"}),
            ("a", "professional", "30", "2023-05-01", {"kind": "cme-1", "credits": "10"}),
            ("a", "professional", "6", "2023-05-02", {"kind": "cme-2"}),
            ("a", "professional", "9", "2023-06-01", {"source": "declared"}),
            ("a", "professional", "7", "2023-06-01", {"source": "declared", "course_id": "K9"}),
            ("b", "public", "2", "2023-04-01", {"role": "teacher", "quality_course": "true", "platform": "xkyx"}),
            ("b", "public", "30", "2023-04-02", {"platform": "qdjxjy"}),
            ("b", "professional", "60", "2023-12-31T23:59:59", {}),
            ("c", "public", "30", "2024-01-01T00:00:00+08:00", {}),
            ("c", "professional", "0.01", "2023-07-01", {"source": "declared", "approved": "false"}),
        ]
    )
]
"""A small cohort touching every parameter the draft layer sets, for evaluating under hostile rules."""


def _cited(node: Any) -> list[dict[str, Any]]:
    """The cited values (tables with a `value`) anywhere in a parsed document."""
    if isinstance(node, dict):
        own = [node] if "value" in node else []
        return own + [table for child in node.values() for table in _cited(child)]
    if isinstance(node, list):
        return [table for child in node for table in _cited(child)]
    return []


CODES_SEEN = ["sdou", "xkyx", "fz", "ethics", "fzt", "cme-1", "cme-2", "K1", "public", "professional.cme", "public.focus"]


@st.composite
def extreme_layer_documents(draw: st.DrawFn) -> dict[str, Any]:
    """BASE_LAYER with some values replaced by others of the same kind, at the extremes: what lint may accept."""
    document = copy.deepcopy(BASE_LAYER)
    for table in _cited(document):
        if not draw(st.booleans()):
            continue
        current = table["value"]
        if isinstance(current, bool):
            table["value"] = draw(st.booleans())
        elif isinstance(current, int | float):
            table["value"] = draw(st.sampled_from(EXTREME_NUMBERS) | st.floats(0, 1e20) | st.integers(0, 10**20))
        elif isinstance(current, list):
            table["value"] = draw(st.lists(st.sampled_from(CODE_TEXTS + CODES_SEEN), max_size=4))
        else:
            table["value"] = draw(st.sampled_from(["0001-01-01", "9999-12-31", "2023-02-29", "2023-01-01", "x"]) | st.dates().map(str))
    return document
