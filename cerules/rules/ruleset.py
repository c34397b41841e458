"""A rule set: the layers in force for one year, and what they resolve to for a profile.

Resolution walks the layers in rank order (province → city → department → draft); for each
parameter the highest-ranked layer whose scope (and the value's `when`) covers the profile wins,
and the result keeps that layer's provenance. Rule sets are immutable: `with_layer` returns a new
one, so a draft never changes the baseline it was built on.
"""

from __future__ import annotations

import functools
import graphlib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..base.hours import to_hundredths
from .files import RulesError
from .jurisdiction import check_layers
from .model import ANY, RANKS, Catalog, CatalogEntry, Layer, Profile, Provenance, Resolved, Text
from .packs import DEFAULT_PACK, Pack
from .regions import Regions
from .schema import GLOBAL_ROOTS, SUBJECTS, default_for, requirement_of
from .shipped import default_regions
from .writing import layer_to_dict


@attrs.frozen
class Window:
    """The calendar years a requirement counts over, first and last included (Asia/Shanghai)."""

    first_year: int
    last_year: int

    @classmethod
    def of(cls, year: int, years: int = 1, cycle_start: int | None = None) -> Window:
        """The window of the evaluated `year`: the `years` years ending with it, or the cycle of
        `years` years (counted from `cycle_start`, both ways) that holds it."""
        if cycle_start is None:
            return cls(year - years + 1, year)
        first = cycle_start + (year - cycle_start) // years * years
        return cls(first, first + years - 1)

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def first_day(self) -> str:
        return f"{self.first_year:04d}-01-01"

    @property
    def last_day(self) -> str:
        return f"{self.last_year:04d}-12-31"

    def __str__(self) -> str:
        return str(self.first_year) if self.years == 1 else f"{self.first_year}–{self.last_year}"


@attrs.frozen
class Requirement:
    """One requirement as it applies to a profile: what counts and how much is needed."""

    id: str
    subject: str
    unit: str
    label: Text
    required: int
    """Hundredths of the unit (3000 = 30 hours)."""
    provenance: Provenance
    count_topics: frozenset[str] | None = None
    count_kinds: frozenset[str] | None = None
    counts_at_most: int | None = None
    """Hundredths of the unit: the most that counts towards it."""
    sum_of: tuple[str, ...] = ()
    """When given, the requirement is met by the sum of these requirements."""
    hours_per_credit: int | None = None
    """Hundredths of an hour per credit, for records without credits (unit `credits`)."""
    subjects: tuple[str, ...] = ()
    """The subjects whose records count towards it: its own, or `count_subjects`."""
    window: Window | None = None
    """The years it counts over (None: the evaluated calendar year)."""
    window_provenance: Provenance | None = None
    """Who set the window, when a layer did."""

    @property
    def counted_subjects(self) -> tuple[str, ...]:
        return self.subjects or (self.subject,)


@attrs.frozen
class ListedCourse:
    """A course in a course list that applies to a profile, and the layer that lists it."""

    entry: CatalogEntry
    provenance: Provenance


@attrs.frozen
class Policy:
    """Everything the rules say for one profile, each value with its provenance.

    A parameter no layer sets takes its default from the schema (`cerules.rules.schema`).
    """

    profile: Profile
    values: Mapping[str, Resolved]
    requirements: tuple[Requirement, ...]
    courses: Mapping[str, ListedCourse] = attrs.field(factory=dict)
    """Listed courses by course id: the highest-ranked layer covering the profile lists it."""

    def value(self, path: str, default: Any = None) -> Any:
        resolved = self.values.get(path)
        return default if resolved is None else resolved.value

    def setting(self, path: str) -> Any:
        """The value of a path, or the schema's default when no layer sets it."""
        return self.value(path, default_for(path))

    def accepted(self, subject: str, what: str) -> frozenset[str] | None:
        """Accepted `platforms` or `topics` for a subject; None means any."""
        codes = self.setting(f"{subject}.{what}")
        if codes is None or ANY in codes:
            return None
        return frozenset(codes)

    def deadline(self, subject: str) -> str | None:
        """The last day (ISO date, Asia/Shanghai) on which learning of a subject counts, if any."""
        return self.setting(f"{subject}.deadline")

    def listed_courses_only(self, subject: str) -> bool:
        return bool(self.setting(f"{subject}.listed_courses_only"))

    @property
    def teacher_multiplier(self) -> int:
        """Hundredths: 200 means twice the hours."""
        return to_hundredths(self.setting("quality_course.teacher_multiplier"))

    @property
    def declared_requires_approval(self) -> bool:
        return bool(self.setting("declared.requires_approval"))

    @property
    def declared_cap(self) -> int | None:
        """Hundredths of an hour per person per day, or None for no cap."""
        cap = self.setting("declared.max_hours_per_day")
        return None if cap is None else to_hundredths(cap)

    @property
    def daily_cap(self) -> int | None:
        """Hundredths of an hour of all learning (as `daily_cap_applies` limits it) per day, or None."""
        cap = self.setting("daily_cap.max_hours")
        return None if cap is None else to_hundredths(cap)

    def daily_cap_applies(self, declared: bool, online: bool, subject: str) -> bool:
        """Does the general daily cap count a record of this source, mode and subject?"""
        sources, modes, subjects = (self.setting(f"daily_cap.{key}") for key in ("sources", "modes", "subjects"))
        return (
            (sources is None or ANY in sources or ("declared" if declared else "provider") in sources)
            and (modes is None or ANY in modes or ("online" if online else "offline") in modes)
            and (subjects is None or ANY in subjects or subject in subjects)
        )

    @property
    def minutes_per_hour(self) -> int:
        """Hundredths of a minute that make one hour (6000 = 60 minutes)."""
        return to_hundredths(self.setting("counting.minutes_per_hour"))


@attrs.frozen(eq=False)
class RuleSet:
    """The layers in force for one year, in resolution order.

    Compared by identity; two rule sets with the same effective rules share a `sha256`.
    """

    year: int
    layers: tuple[Layer, ...] = attrs.field(converter=lambda layers: tuple(sorted(layers, key=_layer_order)))
    skipped_plugins: tuple[str, ...] = attrs.field(default=(), converter=lambda names: tuple(sorted(names)))
    """Installed plugins the user chose to leave out (`--skip-plugin`): results say so."""
    pack: Pack | None = None
    """The rule pack the layers stand on (None: the default pack)."""
    based_on: int | None = None
    """For a year without published rules: the year whose layers a draft stands on."""
    _policies: dict[Profile, Policy] = attrs.field(factory=dict, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        first_file: dict[str, str] = {}
        for layer in self.layers:
            if layer.id in first_file:  # the later file re-uses an id: name it, and the file that had it first
                raise RulesError(
                    layer.file,
                    "layer.id",
                    f"规则层编号 {layer.id!r} 已被 {first_file[layer.id]} 使用",
                    f"layer id {layer.id!r} is used by more than one file (also {first_file[layer.id]})",
                )
            first_file[layer.id] = layer.file
            year = self.year if layer.rank == "draft" or self.based_on is None else self.based_on
            if not layer.applies_to_year(year):
                raise RulesError(
                    layer.file,
                    "layer.years",
                    f"规则层适用于 {layer.years_text} 年度，不适用于 {year} 年度",
                    f"layer applies to {layer.years_text}, not to {year}",
                )
        check_layers(self.layers)
        refuse_unknown_members(self.layers)
        for layer in self.layers:
            for path in layer.parameters:
                requirement = requirement_of(path) or path.rpartition(".")[0]
                subject = requirement.split(".")[0]
                if (
                    subject not in GLOBAL_ROOTS
                    and subject not in self.catalog.entries("subjects")
                    and not self._spans_subjects(requirement)
                ):
                    known = ", ".join(self.subjects)
                    raise RulesError(
                        layer.file, path, f"未知的科目 {subject!r}；已知科目：{known}", f"unknown subject {subject!r}; known: {known}"
                    )

    def __repr__(self) -> str:
        layers = ", ".join(f"{layer.rank}:{layer.id}" for layer in self.layers)
        based = f", based_on={self.based_on}" if self.based_on is not None else ""
        return f"RuleSet(year={self.year}{based}, pack={self.pack_id}, layers=[{layers}], sha256={self.sha256[:12]}…)"

    def _spans_subjects(self, requirement: str) -> bool:
        """Is a requirement whose id names no subject one over several (`count_subjects` or `sum_of`)?"""
        return any(f"{requirement}.{key}" in layer.parameters for layer in self.layers for key in ("count_subjects", "sum_of"))

    def with_layer(self, layer: Layer) -> RuleSet:
        """A new rule set with one more layer on top; this one is unchanged."""
        return attrs.evolve(self, layers=(*self.layers, layer))

    @property
    def regions(self) -> Regions:
        """The regions (and unit-level words) of the pack the rules stand on."""
        return self.pack.regions if self.pack is not None else default_regions()

    def profile(self, city: str | None = None, unit_level: str | None = None, **more: str | None) -> Profile:
        """A profile from the words people use (`青岛`, `省直`), read with this rule set's regions."""
        return Profile.of(city, unit_level, regions=self.regions, **more)

    @property
    def pack_id(self) -> str:
        return self.pack.id if self.pack is not None else DEFAULT_PACK

    @functools.cached_property
    def catalog(self) -> Catalog:
        merged = Catalog()
        for layer in self.layers:
            merged = merged.merged_with(layer.catalog)
        return merged

    @property
    def subjects(self) -> tuple[str, ...]:
        """The catalogue's subjects: `public` and `professional` first, then any others by code."""
        codes = list(self.catalog.entries("subjects"))
        return tuple(sorted(codes, key=lambda c: (SUBJECTS.index(c) if c in SUBJECTS else len(SUBJECTS), c)))

    def subject_name(self, subject: str) -> Text:
        """How people call a subject (`公需科目` / `Public subjects`): its catalogue name, else its code."""
        entry = self.catalog.entries("subjects").get(subject)
        return entry.name if entry else Text(subject, subject)

    @functools.cached_property
    def sha256(self) -> str:
        """Digest of the effective rules: equal rules, equal digest, whatever the files' layout."""
        facts: dict[str, Any] = {"year": self.year, "layers": [_digestible(layer) for layer in self.layers]}
        if self.based_on is not None:
            facts["based_on"] = self.based_on
        canonical = json.dumps(
            facts,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def resolve(self, profile: Profile) -> Policy:
        """The policy for one profile: each parameter from the highest-ranked layer covering it."""
        policy = self._policies.get(profile)
        if policy is None:
            policy = self._policies[profile] = self._resolve(profile)
        return policy

    def _resolve(self, profile: Profile) -> Policy:
        values: dict[str, Resolved] = {}
        winners: dict[str, Layer] = {}
        for layer in self.layers:
            if not layer.scope.matches(profile):
                continue
            for path, cited in layer.cited_values():
                if not cited.when.matches(profile):
                    continue
                previous = winners.get(path)
                if previous is not None and previous.rank == layer.rank:
                    raise RulesError(
                        layer.file,
                        path,
                        f"与同级规则层 {previous.id!r}（{previous.file}）对同一批人的设定冲突",
                        f"conflicts with layer {previous.id!r} ({previous.file}) of the same rank for the same people",
                    )
                winners[path] = layer
                values[path] = Resolved(cited.value, Provenance.of(layer, cited))
        courses: dict[str, ListedCourse] = {}
        for layer in self.layers:
            if layer.scope.matches(profile):
                for code, entry in layer.catalog.entries("courses").items():
                    provenance = Provenance(layer.id, layer.rank, layer.file, entry.citation, layer.plugin)
                    courses[code] = ListedCourse(entry, provenance)
        return Policy(profile, values, self._requirements(values), courses)

    def _requirements(self, values: Mapping[str, Resolved]) -> tuple[Requirement, ...]:
        found: list[Requirement] = []
        for path, resolved in values.items():
            requirement_id = requirement_of(path)
            if requirement_id is None:
                continue
            subject = requirement_id.split(".")[0]
            subjects = values.get(f"{requirement_id}.count_subjects")
            if subjects is not None:
                unknown = [code for code in subjects.value if code not in self.catalog.entries("subjects")]
                if unknown:
                    p = subjects.provenance
                    raise RulesError(
                        p.file, f"{requirement_id}.count_subjects", f"未知的科目 {unknown[0]!r}", f"unknown subject {unknown[0]!r}"
                    )
            window_years = values.get(f"{requirement_id}.window_years")
            cycle_start = values.get(f"{requirement_id}.cycle_start")
            window = Window.of(self.year, window_years.value if window_years else 1, cycle_start.value if cycle_start else None)
            set_by = window_years or cycle_start
            unit = "hours" if path.endswith("required_hours") else self._unit(requirement_id)
            found.append(
                Requirement(
                    id=requirement_id,
                    subject=subject,
                    unit=unit,
                    label=self._label(requirement_id),
                    required=to_hundredths(resolved.value),
                    provenance=resolved.provenance,
                    count_topics=_codes(values.get(f"{requirement_id}.count_topics")),
                    count_kinds=_codes(values.get(f"{requirement_id}.count_kinds")),
                    counts_at_most=_amount(values.get(f"{requirement_id}.counts_at_most")),
                    sum_of=tuple(values[f"{requirement_id}.sum_of"].value) if f"{requirement_id}.sum_of" in values else (),
                    hours_per_credit=_amount(values.get(f"{requirement_id}.hours_per_credit")),
                    subjects=tuple(subjects.value) if subjects is not None else (subject,),
                    window=window,
                    window_provenance=set_by.provenance if set_by is not None else None,
                )
            )
        ids = {r.id for r in found}
        summed_by = {
            r.id: values[f"{r.id}.sum_of"].provenance for r in found if r.sum_of
        }  # who set each sum: at fault when it cannot be made
        for requirement in found:
            for member in requirement.sum_of:
                if member not in ids:
                    p = summed_by[requirement.id]
                    raise RulesError(
                        p.file,
                        f"{requirement.id}.sum_of",
                        f"'{member}' 不是同一批人的要求",
                        f"'{member}' is not a requirement of the same people",
                    )
        _refuse_circular_sums(found, summed_by)
        order = {subject: i for i, subject in enumerate(self.subjects)}
        return tuple(sorted(found, key=lambda r: (order.get(r.subject, len(order)), r.id.count("."), r.id)))

    def _unit(self, requirement_id: str) -> str:
        for layer in reversed(self.layers):
            if requirement_id in layer.units:
                return layer.units[requirement_id]
        return "hours"

    def _label(self, requirement_id: str) -> Text:
        for layer in reversed(self.layers):
            if requirement_id in layer.labels:
                return layer.labels[requirement_id]
        return self.subject_name(requirement_id)

    def requirement_ids(self, profiles: Iterable[Profile]) -> tuple[str, ...]:
        """All requirement ids any of the profiles has, in output order."""
        seen: dict[str, None] = {}
        for profile in profiles:
            for requirement in self.resolve(profile).requirements:
                seen.setdefault(requirement.id, None)
        return tuple(seen)

    def document_entry(self) -> dict[str, Any]:
        """The contract's `rules` object: the digest, the layers and (an extension) the skipped plugins."""
        entry: dict[str, Any] = {"sha256": self.sha256, "layers": self.layer_summaries(), "skipped_plugins": list(self.skipped_plugins)}
        entry["pack"] = self.pack_id
        if self.based_on is not None:
            entry["based_on"] = self.based_on
        return entry

    def layer_summaries(self) -> list[dict[str, Any]]:
        """The contract's `rules.layers` list."""
        return [
            {"id": layer.id, "rank": layer.rank, "source": layer.source or layer.file, "version": layer.version, "plugin": layer.plugin}
            for layer in self.layers
        ]


def _layer_order(layer: Layer) -> tuple[int, str]:
    return (RANKS.index(layer.rank), layer.id)


def _amount(resolved: Resolved | None) -> int | None:
    return None if resolved is None else to_hundredths(resolved.value)


def _codes(resolved: Resolved | None) -> frozenset[str] | None:
    if resolved is None or ANY in resolved.value:
        return None
    return frozenset(resolved.value)


def _digestible(layer: Layer) -> dict[str, Any]:
    document = layer_to_dict(layer)
    document["layer"]["plugin"] = layer.plugin
    return document


def refuse_unknown_members(layers: Sequence[Layer]) -> None:
    """A `sum_of` may name only requirements that some layer in force sets (checked again per profile)."""
    requirements = {requirement_of(path) for layer in layers for path in layer.parameters} - {None}
    for layer in layers:
        for path, variants in layer.parameters.items():
            if not path.endswith(".sum_of"):
                continue
            for variant in variants:
                for member in variant.value:
                    if member not in requirements:
                        raise RulesError(
                            layer.file,
                            path,
                            f"'{member}' 不是任何规则层设定的要求",
                            f"'{member}' is not a requirement any layer sets",
                        )


def _refuse_circular_sums(requirements: list[Requirement], summed_by: dict[str, Provenance]) -> None:
    """A requirement may not be, through its members, a sum of itself: it would have no value.

    The error names the `sum_of` of the circle set by the highest-ranking layer (a draft over the
    province's rules, say): that is the value that closed the circle."""
    sorter = graphlib.TopologicalSorter({r.id: r.sum_of for r in requirements})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = error.args[1]
        closing = max(dict.fromkeys(cycle), key=lambda member: RANKS.index(summed_by[member].rank))
        p = summed_by[closing]
        circle = " → ".join(cycle)
        raise RulesError(p.file, f"{closing}.sum_of", f"合计循环引用：{circle}", f"sums go round in a circle: {circle}") from None
