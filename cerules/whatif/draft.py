"""Drafts as data: a what-if layer built from rule paths, validated whole, never touching the baseline.

A draft is a mapping of dotted rule paths to values — the same paths as in rule files
(`docs/rules.md`) — or a TOML layer::

    draft = Draft.from_dict(
        {
            "public.required_hours": 35,
            "public.platforms": {"value": ["qdjxjy"], "when": {"city": ["青岛"], "unit_level": ["市属"]}},
            "public.focus": {"required_hours": 10, "count_topics": ["xi-thought", "congress-20"]},
        },
        scope={"city": ["370200"]},
        citation="2024 年度草案 / 2024 draft",
    )
    what_if = draft.apply(rules)          # a new RuleSet; `rules` is unchanged
    print(draft.to_toml())                # the draft as a rule file (tomli-w)
    print(diff(rules, what_if))           # resolved values before and after, with provenance

Every path and value is checked before anything is built: the draft is refused with a
`DraftError` that names each bad path and what was expected, and nothing is applied. The draft
is a `Layer` of rank `draft` (the top of the resolution order), so it may set anything, and its
scope and `when` narrow it to some people as in any rule file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..base.toml_file import TomlError, parse_toml, read_toml_text
from ..render.html import draft_html
from ..rules.files import RulesError, dumps_layer, layer_to_dict
from ..rules.model import Layer, Scope
from ..rules.ruleset import RuleSet
from ..rules.schema import GLOBAL_ROOTS, requirement_of
from .diff import Change, Changes, diff, profiles_of, shown_value
from .paths import DRAFT_RANK, LEAF_KEYS, Entry, build_layer, cite, entries_of_document, flatten, plain, with_scopes
from .problems import DraftError, DraftProblem, problem_of

_GLOBAL_SUBJECTS = GLOBAL_ROOTS
"""Rule paths under these set values for every subject, not for a subject of the catalogue."""


@attrs.frozen
class Draft:
    """A what-if layer (rank `draft`), validated as a whole; applying it never changes the baseline."""

    layer: Layer

    @classmethod
    def from_dict(
        cls,
        values: Mapping[str, Any],
        *,
        scope: Mapping[str, Iterable[str] | str] | Scope | None = None,
        id: str = "draft",
        citation: str | None = "draft",
        title: str | Mapping[str, str] | None = None,
        years: Iterable[int] = (),
        based_on: int | None = None,
        source: str = "",
        file: str = "<draft>",
    ) -> Draft:
        """A draft from dotted rule paths.

        Each value is a bare value (`35`, `["sdou"]`), a cited table
        (`{"value": [...], "when": {"city": ["370200"]}, "citation": "…"}`), a list of such tables
        (variants for different people), or a table of parameters under a requirement
        (`"public.focus": {"required_hours": 10, "count_topics": [...]}`). `label` and `unit`
        paths name a requirement; `catalog.<kind>.<code>` adds a catalogue entry. Values without
        a citation get `citation`. `scope` (attribute → values; cities and unit levels may be
        given by name, `青岛`, `市属`) narrows the whole draft to some people. `years` and
        `based_on` make a draft for a year without published rules (`years=[2024], based_on=2023`).

        Raises DraftError naming every bad path and value; nothing is built then.
        """
        problems: list[DraftProblem] = []
        entries: list[Entry] = []
        if not isinstance(values, Mapping):
            raise DraftError([DraftProblem("<draft>", f"expected a mapping of rule paths to values, got {type(values).__name__}")], file)
        for path, value in values.items():
            flatten(str(path), plain(value), entries, problems)
        cited: list[Entry] = []
        for entry in entries:
            name = entry.path.rpartition(".")[2]
            if entry.path.startswith("catalog.") or name in LEAF_KEYS:
                cited.append(entry)
            else:
                node = with_scopes(cite(entry.node, citation), entry.path, problems)
                cited.append(Entry(entry.path, node))
        meta: dict[str, Any] = {"id": id, "rank": DRAFT_RANK, "years": sorted(years)}
        if based_on is not None:
            meta["based_on"] = based_on
        if title is not None:
            meta["title"] = dict(title) if isinstance(title, Mapping) else title
        if source:
            meta["source"] = source
        if scope:
            meta["scope"] = scope.as_dict() if isinstance(scope, Scope) else plain(dict(scope))
        return cls(build_layer(meta, cited, file, problems))

    @classmethod
    def from_text(cls, text: str, *, file: str = "<string>") -> Draft:
        """A draft from the text of a rule file; a missing `[layer] rank` means `draft`."""
        try:
            document = parse_toml(text, file=file)
        except TomlError as exc:
            raise DraftError([DraftProblem("<file>", exc.problem.en)], file) from None
        meta = document.get("layer", {})
        if not isinstance(meta, Mapping):
            raise DraftError([DraftProblem("layer", f"expected a [layer] table, got {meta!r}")], file)
        problems: list[DraftProblem] = []
        entries = [Entry(e.path, with_scopes(e.node, e.path, problems)) for e in entries_of_document(document, problems)]
        return cls(build_layer(meta, entries, file, problems))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Draft:
        """A draft from a rule file, every problem in it reported at once (as `cerules evaluate --rules` loads it)."""
        file = str(path)
        try:
            text = read_toml_text(path, file=file)
        except TomlError as exc:
            raise DraftError([DraftProblem("<file>", exc.problem.en)], file) from None
        return cls.from_text(text, file=file)

    @classmethod
    def from_layer(cls, layer: Layer) -> Draft:
        return cls(layer)

    # --- what it holds ---

    @property
    def id(self) -> str:
        return self.layer.id

    @property
    def scope(self) -> Scope:
        return self.layer.scope

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self.layer.parameters)

    def __len__(self) -> int:
        return len(self.layer.parameters)

    def to_dict(self) -> dict[str, Any]:
        """Dotted paths to cited tables (a list for variants): `Draft.from_dict` of it gives this draft back."""
        out: dict[str, Any] = {}
        document = layer_to_dict(self.layer)
        for path in self.layer.parameters:
            prefix, _, name = path.rpartition(".")
            node: Any = document
            for key in prefix.split(".") if prefix else []:
                node = node[key]
            out[path] = node[name]
        for path, label in self.layer.labels.items():
            out[f"{path}.label"] = {"zh": label.zh, "en": label.en}
        for path, unit in self.layer.units.items():
            out[f"{path}.unit"] = unit
        for kind, entries in document.get("catalog", {}).items():
            for code, entry in entries.items():
                out[f"catalog.{kind}.{code}"] = entry
        return out

    def values(self) -> dict[str, Any]:
        """Dotted paths to bare values (the first variant's when there are several)."""
        return {path: shown_value(variants[0].value) for path, variants in self.layer.parameters.items()}

    # --- using it ---

    def check(self, rules: RuleSet) -> None:
        """Raise DraftError listing every path the rules cannot take (unknown subject, layer id in use, year…)."""
        problems: list[DraftProblem] = []
        layer = self.layer
        subjects = set(rules.catalog.entries("subjects")) | set(layer.catalog.entries("subjects")) | _GLOBAL_SUBJECTS
        spanning = {path.rpartition(".")[0] for path in layer.parameters if path.endswith((".count_subjects", ".sum_of"))}
        for path in layer.parameters:
            requirement = requirement_of(path) or path.rpartition(".")[0]
            subject = requirement.split(".")[0]
            if subject not in subjects and requirement not in spanning:  # a requirement over several subjects names none
                known = ", ".join(sorted(subjects - _GLOBAL_SUBJECTS))
                problems.append(DraftProblem(path, f"unknown subject {subject!r}; known subjects: {known}"))
        if layer.id in {other.id for other in rules.layers}:
            problems.append(DraftProblem("layer.id", f"layer id {layer.id!r} is in use already; give the draft another id"))
        if not layer.applies_to_year(rules.year):
            problems.append(DraftProblem("layer.years", f"the draft applies to {sorted(layer.years)}, not to {rules.year}"))
        requirements = {requirement_of(p) for other in (*rules.layers, layer) for p in other.parameters} - {None}
        for path, variants in layer.parameters.items():
            if path.endswith(".sum_of"):
                for variant in variants:
                    for member in variant.value:
                        if member not in requirements:
                            problems.append(DraftProblem(path, f"{member!r} is not a requirement the rules or the draft set"))
        if problems:
            raise DraftError(problems, layer.file)

    def apply(self, rules: RuleSet) -> RuleSet:
        """A new rule set with this draft on top; `rules` is unchanged (same object, same sha256)."""
        self.check(rules)
        try:
            return rules.with_layer(self.layer)
        except RulesError as exc:
            raise DraftError([problem_of(exc, "layer")], self.layer.file) from None

    def diff(self, rules: RuleSet, target: Any = None) -> Changes:
        """What the draft changes in the resolved rules (see `diff`)."""
        return diff(rules, self.apply(rules), target)

    def to_toml(self) -> str:
        """The draft as a rule file (tomli-w); `cerules evaluate --rules FILE` loads it."""
        return dumps_layer(self.layer)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the draft's TOML to a file and return its path."""
        target = Path(path)
        target.write_text(self.to_toml(), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        scope = f", scope={self.scope.as_dict()}" if self.scope else ""
        return f"Draft(id={self.id!r}, paths={list(self.paths)}{scope})"

    def _repr_html_(self) -> str:
        return draft_html(self)


__all__ = ["Change", "Changes", "Draft", "DraftError", "DraftProblem", "diff", "profiles_of"]
