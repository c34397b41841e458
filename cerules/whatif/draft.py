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

import html
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import attrs

from ..rules.files import RulesError, dumps_layer, layer_from_dict, layer_to_dict
from ..rules.model import SCOPE_KEYS, Layer, Profile, Provenance, Scope
from ..rules.regions import city_code, city_name
from ..rules.ruleset import RuleSet
from ..rules.schema import requirement_of
from ..rules.vocabulary import normalise_unit_level

DRAFT_RANK = "draft"
_LEAF_KEYS = ("label", "unit")
_VALUE_KEYS = frozenset({"value", "citation", "when", "verified", "note"})
_GLOBAL_SUBJECTS = frozenset({"quality_course", "declared"})


@attrs.frozen
class DraftProblem:
    """One bad path of a draft and what was expected there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DraftError(RulesError):
    """A draft refused whole: every bad path, each with what was expected. Nothing was applied."""

    def __init__(self, problems: Sequence[DraftProblem], file: str = "<draft>") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        listing = "\n".join(f"  key '{problem.path}': {problem.message}" for problem in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(file, None, f"draft refused, nothing applied ({count} {noun}; 草案未采用):\n{listing}")

    @property
    def paths(self) -> tuple[str, ...]:
        """The bad paths, in the order found."""
        return tuple(problem.path for problem in self.problems)


# --- building a layer from paths -------------------------------------------------------------


@attrs.frozen
class _Entry:
    """One leaf of a draft: a rule value (cited table or variants), a label, a unit or a catalog entry."""

    path: str
    node: Any


def _plain(value: Any) -> Any:
    """Values as TOML holds them: lists not tuples, whole floats as ints (sliders give 35.0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):  # numpy scalars
        return _plain(value.item())
    return value


def _is_cited(value: Any) -> bool:
    return isinstance(value, Mapping) and "value" in value


def _is_variants(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(_is_cited(item) for item in value)


def _flatten(path: str, value: Any, entries: list[_Entry], problems: list[DraftProblem], *, empty_ok: bool = False) -> None:
    """Split a value given at `path` into leaves (a sub-tree such as a new requirement is walked)."""
    name = path.rpartition(".")[2]
    if not path or any(not part.strip() for part in path.split(".")):
        problems.append(DraftProblem(path or "<empty>", "expected a dotted rule path such as public.required_hours"))
    elif path == "catalog" or path.startswith("catalog."):
        parts = path.split(".")
        if len(parts) < 3 and isinstance(value, Mapping) and value:
            for key, child in value.items():
                _flatten(f"{path}.{key}", child, entries, problems, empty_ok=empty_ok)
        elif len(parts) == 3:
            entries.append(_Entry(path, value))
        else:
            problems.append(DraftProblem(path, "expected catalog.<kind>.<code> = { name = …, citation = … }"))
    elif name in _LEAF_KEYS or _is_cited(value) or _is_variants(value):
        entries.append(_Entry(path, value))
    elif isinstance(value, Mapping):
        if not value and not empty_ok:
            problems.append(DraftProblem(path, "expected a value, or a table of rule parameters; got an empty table"))
        for key, child in value.items():
            _flatten(f"{path}.{key}", child, entries, problems, empty_ok=empty_ok)
    else:
        entries.append(_Entry(path, value))


def _cite(node: Any, citation: str | None) -> Any:
    """A value as a cited table (a bare value gets the draft's citation)."""
    if _is_cited(node):
        table = dict(node)
        if citation is not None:
            table.setdefault("citation", citation)
        return table
    if _is_variants(node):
        return [_cite(item, citation) for item in node]
    table = {"value": node}
    if citation is not None:
        table["citation"] = citation
    return table


def _scope_words(value: Any, where: str, problems: list[DraftProblem]) -> Any:
    """A scope with cities and unit levels as people write them (`青岛`, `市属`) turned into codes."""
    if not isinstance(value, Mapping):
        return value  # layer_from_dict says what was expected
    out: dict[str, Any] = {}
    for key, values in value.items():
        if key == "except":
            out[key] = _scope_words(values, f"{where}.except", problems)
            continue
        if isinstance(values, str):
            values = [values]
        if key in ("city", "unit_level") and isinstance(values, (list, tuple)):
            read = city_code if key == "city" else normalise_unit_level
            codes = []
            for item in values:
                try:
                    codes.append(read(item) if isinstance(item, str) else item)
                except ValueError as exc:
                    problems.append(DraftProblem(f"{where}.{key}", str(exc)))
                    codes.append(item)
            values = list(dict.fromkeys(codes))
        elif isinstance(values, (list, tuple)):
            values = list(values)
        out[key] = values
    return out


def _with_scopes(node: Any, path: str, problems: list[DraftProblem]) -> Any:
    """A value node with the city and unit-level words of its `when` scopes turned into codes."""
    if _is_cited(node) and "when" in node:
        return {**node, "when": _scope_words(node["when"], f"{path}.when", problems)}
    if _is_variants(node):
        return [_with_scopes(item, f"{path}[{i}]", problems) for i, item in enumerate(node)]
    return node


def _place(document: dict[str, Any], path: str, node: Any) -> bool:
    """Put a node at a dotted path of a nested document; False when the path is taken already."""
    *parents, last = path.split(".")
    table = document
    for key in parents:
        child = table.setdefault(key, {})
        if not isinstance(child, dict) or _is_cited(child):
            return False
        table = child
    if last in table:
        return False
    table[last] = node
    return True


def _problem_of(exc: RulesError, path: str) -> DraftProblem:
    return DraftProblem(exc.key or path, exc.message)


def _build(meta: Mapping[str, Any], entries: Sequence[_Entry], file: str, problems: list[DraftProblem]) -> Layer:
    """Validate each part of a draft on its own (collecting every problem), then build the whole."""
    meta = dict(meta)
    meta.setdefault("rank", DRAFT_RANK)
    meta.setdefault("id", meta["rank"])
    if "scope" in meta:
        meta["scope"] = _scope_words(meta["scope"], "layer.scope", problems)
    try:
        layer_from_dict({"layer": meta}, file=file)
    except RulesError as exc:
        problems.append(_problem_of(exc, "layer"))
    probe = {"id": "draft", "rank": DRAFT_RANK}
    document: dict[str, Any] = {}
    for entry in entries:
        part: dict[str, Any] = {"layer": probe}
        _place(part, entry.path, entry.node)
        try:
            layer_from_dict(part, file=file)
        except RulesError as exc:
            problems.append(_problem_of(exc, entry.path))
            continue
        if not _place(document, entry.path, entry.node):
            problems.append(DraftProblem(entry.path, "given twice (or inside another value given at a shorter path)"))
    if problems:
        raise DraftError(problems, file)
    document["layer"] = meta
    try:
        return layer_from_dict(document, file=file)
    except RulesError as exc:  # a problem only the whole shows (e.g. overlapping variants given apart)
        raise DraftError([_problem_of(exc, "layer")], file) from None


def _entries_of_document(document: Mapping[str, Any], problems: list[DraftProblem]) -> list[_Entry]:
    """The leaves of a parsed rule file: each value, label and unit by path, and each catalog entry."""
    entries: list[_Entry] = []
    for key, value in document.items():
        if key != "layer":
            _flatten(key, value, entries, problems, empty_ok=True)
    return entries


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
        given by name, `青岛`, `市属`) narrows the whole draft to some people.

        Raises DraftError naming every bad path and value; nothing is built then.
        """
        problems: list[DraftProblem] = []
        entries: list[_Entry] = []
        if not isinstance(values, Mapping):
            raise DraftError([DraftProblem("<draft>", f"expected a mapping of rule paths to values, got {type(values).__name__}")], file)
        for path, value in values.items():
            _flatten(str(path), _plain(value), entries, problems)
        cited: list[_Entry] = []
        for entry in entries:
            name = entry.path.rpartition(".")[2]
            if entry.path.startswith("catalog.") or name in _LEAF_KEYS:
                cited.append(entry)
            else:
                node = _with_scopes(_cite(entry.node, citation), entry.path, problems)
                cited.append(_Entry(entry.path, node))
        meta: dict[str, Any] = {"id": id, "rank": DRAFT_RANK, "years": sorted(years)}
        if title is not None:
            meta["title"] = dict(title) if isinstance(title, Mapping) else title
        if source:
            meta["source"] = source
        if scope:
            meta["scope"] = scope.as_dict() if isinstance(scope, Scope) else _plain(dict(scope))
        return cls(_build(meta, cited, file, problems))

    @classmethod
    def from_text(cls, text: str, *, file: str = "<string>") -> Draft:
        """A draft from the text of a rule file; a missing `[layer] rank` means `draft`."""
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DraftError([DraftProblem("<file>", f"not valid TOML: {exc}")], file) from None
        meta = document.get("layer", {})
        if not isinstance(meta, Mapping):
            raise DraftError([DraftProblem("layer", f"expected a [layer] table, got {meta!r}")], file)
        problems: list[DraftProblem] = []
        entries = [_Entry(e.path, _with_scopes(e.node, e.path, problems)) for e in _entries_of_document(document, problems)]
        return cls(_build(meta, entries, file, problems))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Draft:
        """A draft from a rule file, every problem in it reported at once (as `cerules evaluate --rules` loads it)."""
        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DraftError([DraftProblem("<file>", "file not found")], file) from None
        except UnicodeDecodeError as exc:
            raise DraftError([DraftProblem("<file>", f"not UTF-8 text ({exc.reason} at byte {exc.start})")], file) from None
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
        return {path: _shown_value(variants[0].value) for path, variants in self.layer.parameters.items()}

    # --- using it ---

    def check(self, rules: RuleSet) -> None:
        """Raise DraftError listing every path the rules cannot take (unknown subject, layer id in use, year…)."""
        problems: list[DraftProblem] = []
        layer = self.layer
        subjects = set(rules.catalog.entries("subjects")) | set(layer.catalog.entries("subjects")) | _GLOBAL_SUBJECTS
        for path in layer.parameters:
            subject = (requirement_of(path) or path.rpartition(".")[0]).split(".")[0]
            if subject not in subjects:
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
            raise DraftError([_problem_of(exc, "layer")], self.layer.file) from None

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
        return f"<div class='cerules-draft'><pre>{html.escape(self.to_toml())}</pre></div>"


# --- what a draft changes ---------------------------------------------------------------------


@attrs.frozen
class Change:
    """One resolved value that differs between two rule sets, for some profiles."""

    path: str
    before: Any
    """The value before (None when the baseline does not set it)."""
    after: Any
    """The value after (None when the draft rules do not set it)."""
    provenance: Provenance | None
    """Where the value after comes from (layer, file, citation); None when removed."""
    before_provenance: Provenance | None
    profiles: tuple[Profile, ...]
    """The profiles compared for which this change holds."""

    def text(self, lang: str = "en") -> str:
        before, after = _shown(self.before), _shown(self.after)
        source = self.provenance or self.before_provenance
        by = f"{source.citation or '-'}, {source.layer}" if source else "-"
        who = "; ".join(_profile_text(p, lang) for p in self.profiles)
        return f"{self.path}: {before} → {after}  ({by})  [{who}]"


class Changes(list[Change]):
    """Changes of resolved values, shown as text (`str`) or a table in notebooks."""

    def text(self, lang: str = "en") -> str:
        if not self:
            return "没有变化 / no changes"
        return "\n".join(change.text(lang) for change in self)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        e = html.escape
        if not self:
            return "<p class='cerules-diff'>没有变化 / no changes</p>"
        rows = []
        for change in self:
            source = change.provenance or change.before_provenance
            was = change.before_provenance
            rows.append(
                "<tr>"
                f"<td><code>{e(change.path)}</code></td>"
                f"<td style='color:#cf222e'>{e(_shown(change.before))}</td>"
                f"<td style='color:#1a7f37'>{e(_shown(change.after))}</td>"
                f"<td>{e(source.layer if source else '-')} · {e((source.citation or '-') if source else '-')}</td>"
                f"<td>{e(was.layer if was else '-')} · {e((was.citation or '-') if was else '-')}</td>"
                f"<td>{e('; '.join(_profile_text(p, 'zh') for p in change.profiles))}</td>"
                "</tr>"
            )
        head = "".join(
            f"<th>{h}</th>" for h in ("规则 path", "原值 before", "新值 after", "新依据 set by", "原依据 was set by", "适用 for")
        )
        return f"<table class='cerules-diff'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _shown_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def _profile_text(profile: Profile, lang: str = "en") -> str:
    parts = []
    if profile.city:
        parts.append(city_name(profile.city, lang))
    else:
        parts.append("全省" if lang == "zh" else "any city")
    level = {"city": ("市属", "city units"), "province": ("省直", "provincial units")}.get(profile.unit_level)
    parts.append((level[0] if lang == "zh" else level[1]) if level else str(profile.unit_level))
    parts += [str(value) for value in (profile.title_series, profile.industry, profile.specialty) if value]
    return " ".join(parts) if lang == "zh" else ", ".join(parts)


def profiles_of(scope: Scope | Mapping[str, Iterable[str]] | None) -> tuple[Profile, ...]:
    """Representative profiles of a scope: every combination of the values it lists.

    Attributes the scope does not list are left open (no city, no title series…), except the
    unit level, which takes both `city` and `province` since the provincial rules tell them apart.
    """
    if scope is None:
        scope = Scope()
    if not isinstance(scope, Scope):
        problems: list[DraftProblem] = []
        words = _scope_words(dict(scope), "scope", problems)
        if problems:
            raise DraftError(problems)
        excluded = words.pop("except", None)
        scope = Scope.of(words, excluded)
    excluded = dict(scope.excluded)
    choices: list[list[str | None]] = []
    for key in SCOPE_KEYS:
        listed = scope.get(key)
        if listed is None:
            options: list[str | None] = ["city", "province"] if key == "unit_level" else [None]
        else:
            options = sorted(listed - excluded.get(key, frozenset()))
        choices.append([o for o in options if o is None or o not in excluded.get(key, frozenset())])
    profiles = [Profile(**dict(zip(SCOPE_KEYS, combo, strict=True))) for combo in product(*choices)]  # type: ignore[arg-type]
    return tuple(p for p in profiles if scope.matches(p))


def _target_profiles(baseline: RuleSet, draft_rules: RuleSet, target: Any) -> tuple[Profile, ...]:
    if isinstance(target, Profile):
        return (target,)
    if isinstance(target, (Scope, Mapping)):
        return profiles_of(target)
    if target is not None:
        return tuple(target)
    known = {id(layer) for layer in baseline.layers}
    found: dict[Profile, None] = {}
    for layer in draft_rules.layers:
        if id(layer) in known:
            continue
        scopes = [layer.scope.intersect(value.when) for _, value in layer.cited_values()] or [layer.scope]
        for scope in scopes:
            found.update(dict.fromkeys(profiles_of(scope)))
    return tuple(found) or profiles_of(None)


def diff(baseline: RuleSet, draft_rules: RuleSet, target: Any = None) -> Changes:
    """Resolved values that differ between two rule sets, with where the new value comes from.

    `target` says for whom to compare: a Profile, a scope (a Scope or a mapping such as
    `{"city": ["青岛"], "unit_level": ["市属"]}`, compared for each combination it lists), a
    sequence of profiles, or None for the people the draft layers cover. A change that holds
    for several of the profiles is listed once, with all of them.
    """
    merged: dict[tuple[str, Any, Any, Provenance | None], list[Profile]] = {}
    order: list[tuple[str, Any, Any, Provenance | None]] = []
    before_of: dict[tuple[str, Any, Any, Provenance | None], Provenance | None] = {}
    for profile in _target_profiles(baseline, draft_rules, target):
        old, new = baseline.resolve(profile).values, draft_rules.resolve(profile).values
        for path in sorted(set(old) | set(new)):
            was, now = old.get(path), new.get(path)
            if was is not None and now is not None and was.value == now.value and was.provenance == now.provenance:
                continue
            before = None if was is None else _shown_value(was.value)
            after = None if now is None else _shown_value(now.value)
            if before == after and (was is None) == (now is None):
                continue  # the same value restated by another layer: not a change people feel
            key = (path, _hashable(before), _hashable(after), now.provenance if now else None)
            if key not in merged:
                merged[key] = []
                order.append(key)
                before_of[key] = was.provenance if was else None
            merged[key].append(profile)
    changes = Changes()
    for key in sorted(order, key=lambda k: (k[0], order.index(k))):
        path, before, after, provenance = key
        changes.append(Change(path, _unhashable(before), _unhashable(after), provenance, before_of[key], tuple(merged[key])))
    return changes


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


__all__ = ["Change", "Changes", "Draft", "DraftError", "DraftProblem", "diff", "profiles_of"]
