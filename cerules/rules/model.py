"""The rule model: layers of cited values, each remembering where it came from.

Everything here is immutable (frozen attrs with tuples and read-only mappings), so a rule set
can be shared between a baseline and any number of what-if drafts without leaking changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..base.text import Text
from .regions import Regions
from .vocabulary import normalise_unit_level

RANKS: tuple[str, ...] = ("province", "city", "department", "draft")
"""Layer ranks in resolution order: a later rank overrides an earlier one."""

SCOPE_KEYS: tuple[str, ...] = ("city", "unit_level", "title_series", "industry", "specialty")
"""Person attributes a scope may look at (the policy profile)."""

ANY = "*"
"""In a list of accepted platforms or topics, `*` accepts everything."""


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Profile:
    """The attributes of a person that scopes look at; people with equal profiles share a policy."""

    city: str | None = None
    unit_level: str = "city"
    title_series: str | None = None
    industry: str | None = None
    specialty: str | None = None

    def get(self, key: str) -> str | None:
        return getattr(self, key)

    @classmethod
    def of(cls, city: str | None = None, unit_level: str | None = None, *, regions: Regions | None = None, **more: str | None) -> Profile:
        """A profile from the words people use (`青岛`, `省直`), normalised as input files are by a
        pack's `regions` (`RuleSet.profile` passes its own); without them, `city` is taken as a code."""
        if regions is None:
            return cls(city=city or None, unit_level=normalise_unit_level(unit_level) if unit_level else "city", **more)
        return cls(
            city=regions.city_code(city) if city else None,
            unit_level=regions.unit_level(unit_level) if unit_level else "city",
            **more,
        )


Criteria = tuple[tuple[str, frozenset[str]], ...]


def _criteria(mapping: Mapping[str, Iterable[str]] | None) -> Criteria:
    return tuple(sorted((key, frozenset(values)) for key, values in (mapping or {}).items()))


@attrs.frozen
class Scope:
    """Who a layer or value applies to: for each named attribute, the accepted values.

    An empty scope applies to everyone. A person matches when, for every criterion, their
    attribute is one of the listed values, and for no exclusion (`except`) it is a listed one.
    """

    criteria: Criteria = ()
    excluded: Criteria = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]] | None = None, excluded: Mapping[str, Iterable[str]] | None = None) -> Scope:
        return cls(_criteria(mapping), _criteria(excluded))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: sorted(values) for key, values in self.criteria}
        if self.excluded:
            out["except"] = {key: sorted(values) for key, values in self.excluded}
        return out

    def get(self, key: str) -> frozenset[str] | None:
        """The accepted values of one attribute, or None when the scope does not restrict it."""
        return dict(self.criteria).get(key)

    def matches(self, profile: Profile) -> bool:
        return all(profile.get(key) in values for key, values in self.criteria) and not any(
            profile.get(key) in values for key, values in self.excluded
        )

    def intersect(self, other: Scope) -> Scope:
        """The people both scopes cover."""
        criteria = dict(self.criteria)
        for key, values in other.criteria:
            criteria[key] = criteria[key] & values if key in criteria else values
        excluded = dict(self.excluded)
        for key, values in other.excluded:
            excluded[key] = excluded.get(key, frozenset()) | values
        return Scope.of(criteria, excluded)

    def is_empty(self) -> bool:
        """True when no person can match (an attribute with no value left)."""
        excluded = dict(self.excluded)
        return any(not (values - excluded.get(key, frozenset())) for key, values in self.criteria)

    def overlaps(self, other: Scope) -> bool:
        """Could one person match both scopes?"""
        return not self.intersect(other).is_empty()

    def within(self, other: Scope) -> bool:
        """Does every person this scope covers fall in `other` too (as far as lists can tell)?"""
        mine, excluded = dict(self.criteria), dict(self.excluded)
        for key, values in other.criteria:
            if key not in mine or not (mine[key] - excluded.get(key, frozenset())) <= values:
                return False
        return all(values <= excluded.get(key, frozenset()) or not (dict(self.criteria).get(key, values) & values)
                   for key, values in other.excluded)  # fmt: skip

    def __bool__(self) -> bool:
        return bool(self.criteria or self.excluded)


@attrs.frozen
class CitedValue:
    """One rule value with its citation, the people it applies to, and whether it is verified."""

    value: Any
    citation: str | None
    when: Scope = Scope()
    verified: bool = True
    note: str | None = None


@attrs.frozen
class CatalogEntry:
    """A named thing rules refer to by code: a subject, platform or topic."""

    code: str
    name: Text
    citation: str | None
    group: str | None = None
    aliases: tuple[str, ...] = ()
    subject: str | None = None
    """For a listed course: its subject, topic, hours and platform."""
    topic: str | None = None
    hours: Any = None
    platform: str | None = None


@attrs.frozen
class Catalog:
    """Vocabularies of a layer, by kind (`subjects`, `platforms`, `topics`) then code."""

    kinds: Mapping[str, Mapping[str, CatalogEntry]] = attrs.field(
        factory=dict, converter=lambda kinds: MappingProxyType({k: _frozen_mapping(v) for k, v in kinds.items()})
    )

    def entries(self, kind: str) -> Mapping[str, CatalogEntry]:
        return self.kinds.get(kind, MappingProxyType({}))

    def merged_with(self, other: Catalog) -> Catalog:
        """This catalog with the other's entries added (the other's win on equal codes)."""
        kinds = {kind: dict(entries) for kind, entries in self.kinds.items()}
        for kind, entries in other.kinds.items():
            kinds.setdefault(kind, {}).update(entries)
        return Catalog(kinds)


@attrs.frozen
class Layer:
    """One rule file: who issued it, whom it covers, and its cited values by parameter path."""

    id: str
    rank: str
    title: Text
    source: str
    version: str
    years: frozenset[int]
    scope: Scope
    parameters: Mapping[str, tuple[CitedValue, ...]] = attrs.field(converter=_frozen_mapping)
    labels: Mapping[str, Text] = attrs.field(factory=dict, converter=_frozen_mapping)
    units: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    catalog: Catalog = Catalog()
    file: str = "<memory>"
    plugin: str | None = None
    first_year: int | None = None
    """`[layer] from`: the first year of an open range the layer covers."""
    last_year: int | None = None
    """`[layer] until`: the last year of the range (None: open)."""
    pack: str | None = None
    """The rule pack the layer extends (`shandong`); None: the default pack."""
    based_on: int | None = None
    """A draft for a year without published rules: the year whose rules it stands on."""

    def applies_to_year(self, year: int) -> bool:
        """Does the layer cover a year? `years` lists years; `from`/`until` give a range; neither: every year."""
        if self.years and year in self.years:
            return True
        if self.first_year is None and self.last_year is None:
            return not self.years
        return (self.first_year is None or year >= self.first_year) and (self.last_year is None or year <= self.last_year)

    @property
    def years_text(self) -> str:
        """The years covered, as people read them: `2023`, `2021–`, `2019–2023`, `every year`."""
        parts = [str(year) for year in sorted(self.years)]
        if self.first_year is not None or self.last_year is not None:
            parts.append(f"{self.first_year or ''}–{self.last_year or ''}")
        return ", ".join(parts) or "*"

    def cited_values(self) -> Iterator[tuple[str, CitedValue]]:
        for path, variants in self.parameters.items():
            for variant in variants:
                yield path, variant

    @property
    def rank_order(self) -> int:
        return RANKS.index(self.rank)


@attrs.frozen
class Provenance:
    """Where a resolved value came from: the explanation of a verdict."""

    layer: str
    rank: str
    file: str
    citation: str | None
    plugin: str | None = None
    verified: bool = True
    note: str | None = None

    @classmethod
    def of(cls, layer: Layer, value: CitedValue) -> Provenance:
        return cls(
            layer=layer.id,
            rank=layer.rank,
            file=layer.file,
            citation=value.citation,
            plugin=layer.plugin,
            verified=value.verified,
            note=value.note,
        )


@attrs.frozen
class Resolved:
    """A value as it applies to one profile, with the provenance of the layer that set it."""

    value: Any
    provenance: Provenance
