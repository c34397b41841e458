"""Professional-subject study plans (专业科目学习计划, SD-2023 §3(2) and Annex 1) as data.

A provincial industry department writes one plan a year for its field, in five parts (Annex 1):
scope, content, hours, form and other matters, and sends it to the provincial department by the
end of April (§4(1)). Here a plan is a TOML file (see docs/plans-and-calls.md):

- `load_plan(path)` reads it; a file that is not UTF-8 TOML, or a value of the wrong type or an
  unknown key, is unusable and raises `FormError` naming file and key (as rule files do);
- `check_plan` (in `plan_checks`) returns every `Finding`;
- `plan_to_layer` (in `plan_layer`) turns the plan into the department's rule layer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

import attrs
import pendulum

from ..base.instants import SHANGHAI
from ..base.toml_file import parse_toml
from ..rules.model import Layer, Text
from .framework import Moment, TableReader, parse_form, read_form

VOCABULARY_FILE = "cerules/forms/data/vocabulary.toml"


@attrs.frozen
class Vocabulary:
    """Title series and industries the engine knows (the words persons files and layers use).

    `aliases` maps a longer name (`卫生技术人员`, `卫生系列`) to the word the engine uses (`卫生`).
    """

    title_series: frozenset[str]
    industries: frozenset[str]
    aliases: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def default(cls) -> Vocabulary:
        """The vocabulary shipped in `cerules/forms/data/vocabulary.toml` (only what is evidenced)."""
        resource = resources.files("cerules.forms") / "data" / "vocabulary.toml"
        document = parse_toml(resource.read_text(encoding="utf-8"), file=VOCABULARY_FILE)
        return cls(
            title_series=frozenset(document["title_series"]["known"]),
            industries=frozenset(document["industries"]["known"]),
            aliases=dict(document["title_series"].get("aliases", {})),
        )

    def with_layers(self, layers: Iterable[Layer]) -> Vocabulary:
        """This vocabulary with the title series and industries that layers' scopes name."""
        series, industries = set(self.title_series), set(self.industries)
        for layer in layers:
            for scope in (layer.scope, *(value.when for _, value in layer.cited_values())):
                series |= scope.get("title_series") or set()
                industries |= scope.get("industry") or set()
        return attrs.evolve(self, title_series=frozenset(series), industries=frozenset(industries))

    def extended(self, *, title_series: Iterable[str] = (), industries: Iterable[str] = ()) -> Vocabulary:
        return attrs.evolve(self, title_series=self.title_series | set(title_series), industries=self.industries | set(industries))


PARTS: tuple[str, ...] = ("scope", "content", "hours", "form", "other")
"""The five parts of Annex 1, in order."""

PART_NAMES: dict[str, Text] = {
    "scope": Text("专业科目范围", "Scope of the professional subjects"),
    "content": Text("学习内容", "Content"),
    "hours": Text("学时要求", "Hours"),
    "form": Text("学习形式", "Form of study"),
    "other": Text("其他事项", "Other matters"),
}

ORGANISATIONS: dict[str, Text] = {
    "province-wide": Text("全省统一组织", "organised province-wide"),
    "level-by-level": Text("分级组织", "organised level by level"),
}
MODES: dict[str, Text] = {"online": Text("远程（线上）", "remote (online)"), "offline": Text("线下", "offline")}
SITE_KINDS: dict[str, Text] = {"recommended": Text("推荐", "recommended"), "self-built": Text("自建", "self-built")}

_ORGANISATION_WORDS = {
    "province-wide": "province-wide", "全省统一": "province-wide", "全省统一组织": "province-wide", "全省统一实施": "province-wide",
    "level-by-level": "level-by-level", "分级": "level-by-level", "分级组织": "level-by-level", "分级组织实施": "level-by-level",
}  # fmt: skip
_MODE_WORDS = {
    "online": "online", "remote": "online", "远程": "online", "线上": "online", "网络": "online", "在线": "online",
    "offline": "offline", "线下": "offline", "面授": "offline", "现场": "offline",
}  # fmt: skip
_SITE_KIND_WORDS = {"recommended": "recommended", "推荐": "recommended", "self-built": "self-built", "自建": "self-built"}

ANNEX = "SD-2023 Annex 1"
CITE_PART = {part: f"{ANNEX}({i})" for i, part in enumerate(PARTS, start=1)}
CITE_FLOOR = "SD-2023 §3(1)"
CITE_DEPARTMENT = "SD-2023 §3(2)"
CITE_DEADLINE = "SD-2023 §4(1)"

# What each table of a plan file may hold, and as what (see TableReader.fields).
_FILE_FIELDS: dict[str, type] = {"plan": dict, **dict.fromkeys(PARTS, dict)}
_PLAN_FIELDS: dict[str, type] = {
    "id": str,
    "year": int,
    "department": Text,
    "title": Text,
    "document": str,
    "published_url": str,
    "submitted_at": Moment,
}
_SCOPE_FIELDS: dict[str, type] = dict.fromkeys(("industries", "fields", "title_series", "specialties"), tuple)
_CONTENT_FIELDS: dict[str, type] = {"summary": str, "topics": tuple}
_HOURS_FIELDS: dict[str, type] = {"required": Decimal, "note": str, "deadline": Moment}
_FORM_FIELDS: dict[str, type] = {"organisation": str, "modes": tuple, "sites": list}
_SITE_FIELDS: dict[str, type] = {"name": str, "url": str, "kind": str}
_OTHER_FIELDS: dict[str, type] = {"text": str}


@attrs.frozen
class PlanScope:
    """Part 1: which industries, fields, title series and specialties the plan covers."""

    industries: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    title_series: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()


@attrs.frozen
class PlanContent:
    """Part 2: what is to be learnt."""

    summary: str | None = None
    topics: tuple[str, ...] = ()


@attrs.frozen
class PlanHours:
    """Part 3: professional-subject hours a year (and, optionally, the last day learning counts)."""

    required: Decimal | None = None
    note: str | None = None
    deadline: Moment | None = None


@attrs.frozen
class Site:
    """A recommended or self-built learning site."""

    name: str | None = None
    url: str | None = None
    kind: str | None = None


@attrs.frozen
class PlanForm:
    """Part 4: province-wide or level by level; remote or offline; the sites' addresses."""

    organisation: str | None = None
    modes: tuple[str, ...] = ()
    sites: tuple[Site, ...] = ()


@attrs.frozen
class StudyPlan:
    """A department's professional-subject study plan for one year (Annex 1). Parts the file
    lacks are None; `check_plan` reports them."""

    id: str | None = None
    year: int | None = None
    department: Text | None = None
    title: Text | None = None
    document: str | None = None
    """How citations name the plan (its document number or title); default: the title."""
    published_url: str | None = None
    submitted_at: Moment | None = None
    scope: PlanScope | None = None
    content: PlanContent | None = None
    hours: PlanHours | None = None
    form: PlanForm | None = None
    other: str | None = None
    other_present: bool = False
    file: str = "<memory>"

    @property
    def document_name(self) -> str:
        if self.document:
            return self.document
        if self.title:
            return f"《{self.title.zh}》"
        return f"study plan {self.id or self.file}"

    @property
    def deadline(self) -> pendulum.DateTime | None:
        """The first instant after the submission deadline: 1 May of the plan's year, Shanghai."""
        return submission_deadline(self.year) if self.year else None


def submission_deadline(year: int) -> pendulum.DateTime:
    """Plans are due by the end of April (§4(1)): the first instant that is late, 1 May 00:00 Shanghai."""
    return pendulum.datetime(year, 5, 1, tz=SHANGHAI)


def load_plan(path: str | os.PathLike[str]) -> StudyPlan:
    """Read a plan file. Raises FormError when it is unusable (not TOML, a wrong type, an unknown key)."""
    file, document = read_form(path)
    return plan_from_dict(document, file=file)


def parse_plan(text: str, *, file: str = "<string>") -> StudyPlan:
    return plan_from_dict(parse_form(text, file), file=file)


def plan_from_dict(document: Mapping[str, Any], *, file: str = "<memory>") -> StudyPlan:
    """Build a plan from the mapping its TOML file parses to."""
    r = TableReader(file)
    tables = r.fields(document, _FILE_FIELDS, "")
    meta = r.fields(tables["plan"] or {}, _PLAN_FIELDS, "plan")
    scope = content = hours = form = None
    if (table := tables["scope"]) is not None:
        scope = PlanScope(**r.fields(table, _SCOPE_FIELDS, "scope"))
    if (table := tables["content"]) is not None:
        content = PlanContent(**r.fields(table, _CONTENT_FIELDS, "content"))
    if (table := tables["hours"]) is not None:
        hours = PlanHours(**r.fields(table, _HOURS_FIELDS, "hours"))
    if (table := tables["form"]) is not None:
        values = r.fields(table, _FORM_FIELDS, "form")
        sites = []
        for index, site in enumerate(values["sites"]):
            site_values = r.fields(site, _SITE_FIELDS, f"form.sites[{index}]")
            sites.append(Site(**{**site_values, "kind": _word(_SITE_KIND_WORDS, site_values["kind"])}))
        form = PlanForm(
            organisation=_word(_ORGANISATION_WORDS, values["organisation"]),
            modes=tuple(_MODE_WORDS.get(mode, mode) for mode in values["modes"]),
            sites=tuple(sites),
        )
    other = tables["other"]
    return StudyPlan(
        **meta,
        scope=scope,
        content=content,
        hours=hours,
        form=form,
        other=r.fields(other, _OTHER_FIELDS, "other")["text"] if other is not None else None,
        other_present=other is not None,
        file=file,
    )


def _word(words: Mapping[str, str], value: str | None) -> str | None:
    """The code of a word a form may use (`分级` → `level-by-level`); other values as given."""
    return words.get(value or "", value)


__all__ = [
    "MODES",
    "ORGANISATIONS",
    "PARTS",
    "PART_NAMES",
    "SITE_KINDS",
    "PlanContent",
    "PlanForm",
    "PlanHours",
    "PlanScope",
    "Site",
    "StudyPlan",
    "Vocabulary",
    "load_plan",
    "parse_plan",
    "plan_from_dict",
    "submission_deadline",
]
