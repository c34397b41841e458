"""Reading and writing rule layers as TOML.

A rule file holds one layer. Its `[layer]` table says who issued it; `[catalog.*]` tables name
subjects, platforms and topics; every other table is a tree of parameters whose leaves are cited
values: `{ value = 30, citation = "SD-2023 §2(1)" }`, optionally with `when`, `verified` and
`note`; an array of such tables gives variants for different people. A bare value (`35`) is
accepted for drafts; it has no citation, which `lint` reports.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from .model import RANKS, SCOPE_KEYS, Catalog, CatalogEntry, CitedValue, Layer, Scope, Text
from .schema import REQUIREMENT_PARAMETERS, UNITS, SchemaError, parameter_for

_VALUE_KEYS = frozenset({"value", "citation", "when", "verified", "note"})
_LAYER_KEYS = frozenset({"id", "rank", "title", "source", "version", "years", "scope"})
_ENTRY_KEYS = frozenset({"name", "citation", "group", "aliases"})
_COURSE_KEYS = frozenset({"title", "subject", "topic", "hours", "platform", "citation"})
CATALOG_KINDS = ("subjects", "platforms", "topics", "courses")


class RulesError(ValueError):
    """A rule file that cannot be used, naming the file, the key path and what was expected."""

    def __init__(self, file: str, key: str | None, message: str) -> None:
        self.file, self.key, self.message = file, key, message
        where = f"{file}: key '{key}'" if key else file
        super().__init__(f"{where}: {message}")


def load_layer(path: str | os.PathLike[str], *, plugin: str | None = None, default_rank: str | None = None) -> Layer:
    """Load one layer from a TOML file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(file, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise RulesError(file, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_layer(text, file=file, plugin=plugin, default_rank=default_rank)


def parse_layer(text: str, *, file: str = "<string>", plugin: str | None = None, default_rank: str | None = None) -> Layer:
    """Parse one layer from TOML text; `default_rank` fills in a missing `[layer] rank` (drafts)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(file, None, f"not valid TOML: {exc}") from None
    return layer_from_dict(document, file=file, plugin=plugin, default_rank=default_rank)


def layer_from_dict(
    document: Mapping[str, Any], *, file: str = "<memory>", plugin: str | None = None, default_rank: str | None = None
) -> Layer:
    """Build a layer from the mapping a TOML file parses to, validating every key."""
    reader = _LayerReader(file)
    meta = dict(document.get("layer", {}))
    if default_rank and "rank" not in meta:
        meta.setdefault("id", default_rank)
        meta["rank"] = default_rank
    reader.check_keys(meta, _LAYER_KEYS, "layer")
    rank = reader.require(meta, "rank", "layer", str)
    if rank not in RANKS:
        raise RulesError(file, "layer.rank", f"expected one of {', '.join(RANKS)}, got {rank!r}")
    years = meta.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise RulesError(file, "layer.years", f"expected a list of years such as [2023], got {years!r}")
    parameters: dict[str, list[CitedValue]] = {}
    labels: dict[str, Text] = {}
    units: dict[str, str] = {}
    for key, value in document.items():
        if key in ("layer", "catalog"):
            continue
        reader.walk(value, key, parameters, labels, units)
    return Layer(
        id=reader.require(meta, "id", "layer", str),
        rank=rank,
        title=reader.text(meta.get("title", meta.get("id", "")), "layer.title"),
        source=str(meta.get("source", "")),
        version=str(meta.get("version", "")),
        years=frozenset(years),
        scope=reader.scope(meta.get("scope", {}), "layer.scope"),
        parameters={path: tuple(values) for path, values in parameters.items()},
        labels=labels,
        units=units,
        catalog=reader.catalog(document.get("catalog", {})),
        file=file,
        plugin=plugin,
    )


class _LayerReader:
    """Walks a parsed TOML document, turning tables into model objects or precise errors."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> RulesError:
        return RulesError(self.file, key, message)

    def check_keys(self, table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def require(self, table: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}", "missing")
        if not isinstance(table[key], kind) or table[key] == "":
            raise self.fail(f"{where}.{key}", f"expected a non-empty {kind.__name__}, got {table[key]!r}")
        return table[key]

    def text(self, value: Any, where: str) -> Text:
        if isinstance(value, str):
            return Text(zh=value, en=value)
        if isinstance(value, Mapping) and set(value) <= {"zh", "en"} and "zh" in value:
            return Text(zh=str(value["zh"]), en=str(value.get("en", value["zh"])))
        raise self.fail(where, f'expected a string or {{ zh = "…", en = "…" }}, got {value!r}')

    def scope(self, value: Any, where: str) -> Scope:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a table of attribute = [values], got {value!r}")
        value = dict(value)
        excluded = self.criteria(value.pop("except", {}), f"{where}.except")
        return Scope.of(self.criteria(value, where), excluded)

    def criteria(self, value: Any, where: str) -> dict[str, list[str]]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a table of attribute = [values], got {value!r}")
        criteria: dict[str, list[str]] = {}
        for key, values in value.items():
            if key not in SCOPE_KEYS:
                raise self.fail(f"{where}.{key}", f"unknown scope attribute; expected one of {', '.join(SCOPE_KEYS)}")
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise self.fail(f"{where}.{key}", f"expected a non-empty list of strings, got {values!r}")
            criteria[key] = values
        return criteria

    def catalog(self, value: Any) -> Catalog:
        if not isinstance(value, Mapping):
            raise self.fail("catalog", "expected tables such as [catalog.platforms.sdou]")
        kinds: dict[str, dict[str, CatalogEntry]] = {}
        for kind, entries in value.items():
            if kind not in CATALOG_KINDS:
                raise self.fail(f"catalog.{kind}", f"unknown catalog; expected one of {', '.join(CATALOG_KINDS)}")
            for code, entry in entries.items():
                where = f"catalog.{kind}.{code}"
                if not isinstance(entry, Mapping):
                    raise self.fail(where, "expected a table with name and citation")
                if kind == "courses":
                    kinds.setdefault(kind, {})[code] = self.course(code, entry, where)
                    continue
                self.check_keys(entry, _ENTRY_KEYS, where)
                aliases = entry.get("aliases", [])
                if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                    raise self.fail(f"{where}.aliases", f"expected a list of strings, got {aliases!r}")
                kinds.setdefault(kind, {})[code] = CatalogEntry(
                    code=code,
                    name=self.text(entry.get("name", code), f"{where}.name"),
                    citation=entry.get("citation"),
                    group=entry.get("group"),
                    aliases=tuple(aliases),
                )
        return Catalog(kinds)

    def course(self, code: str, entry: Mapping[str, Any], where: str) -> CatalogEntry:
        """A listed course: its title, subject, topic, hours and platform, with a citation."""
        self.check_keys(entry, _COURSE_KEYS, where)
        subject = self.require(entry, "subject", where, str)
        hours = entry.get("hours")
        if hours is not None:
            try:
                hours = REQUIREMENT_PARAMETERS["counts_at_most"].check(hours)
            except SchemaError as exc:
                raise self.fail(f"{where}.hours", str(exc)) from None
        for key in ("topic", "platform", "citation"):
            if key in entry and not isinstance(entry[key], str):
                raise self.fail(f"{where}.{key}", f"expected a string, got {entry[key]!r}")
        return CatalogEntry(
            code=code,
            name=self.text(entry.get("title", code), f"{where}.title"),
            citation=entry.get("citation"),
            subject=subject,
            topic=entry.get("topic"),
            hours=hours,
            platform=entry.get("platform"),
        )

    def walk(
        self,
        value: Any,
        path: str,
        parameters: dict[str, list[CitedValue]],
        labels: dict[str, Text],
        units: dict[str, str],
    ) -> None:
        if isinstance(value, Mapping) and "value" in value:
            self.parameter(path, [value], parameters)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) and "value" in v for v in value):
            self.parameter(path, value, parameters)
        elif isinstance(value, Mapping):
            for key, child in value.items():
                child_path = f"{path}.{key}"
                if key == "label":
                    labels[path] = self.text(child, child_path)
                elif key == "unit":
                    if child not in UNITS:
                        raise self.fail(child_path, f"expected one of {', '.join(sorted(UNITS))}, got {child!r}")
                    units[path] = child
                else:
                    self.walk(child, child_path, parameters, labels, units)
        else:
            self.parameter(path, [{"value": value}], parameters)

    def parameter(self, path: str, variants: list[Mapping[str, Any]], parameters: dict[str, list[CitedValue]]) -> None:
        try:
            parameter = parameter_for(path)
        except SchemaError as exc:
            raise self.fail(path, str(exc)) from None
        values: list[CitedValue] = []
        for index, variant in enumerate(variants):
            where = path if len(variants) == 1 else f"{path}[{index}]"
            self.check_keys(variant, _VALUE_KEYS, where)
            try:
                checked = parameter.check(variant["value"])
            except SchemaError as exc:
                raise self.fail(f"{where}.value" if len(variants) > 1 or "citation" in variant else where, str(exc)) from None
            citation = variant.get("citation")
            if citation is not None and (not isinstance(citation, str) or not citation.strip()):
                raise self.fail(f"{where}.citation", f"expected a non-empty string, got {citation!r}")
            verified = variant.get("verified", True)
            if not isinstance(verified, bool):
                raise self.fail(f"{where}.verified", f"expected true or false, got {verified!r}")
            values.append(
                CitedValue(
                    value=checked,
                    citation=citation,
                    when=self.scope(variant.get("when", {}), f"{where}.when"),
                    verified=verified,
                    note=variant.get("note"),
                )
            )
        for i, first in enumerate(values):
            for second in values[i + 1 :]:
                if first.when.overlaps(second.when):
                    raise self.fail(path, "two variants apply to the same people; give them disjoint `when` scopes")
        parameters.setdefault(path, []).extend(values)


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    """The mapping a rule file for this layer holds (inverse of `layer_from_dict`)."""
    meta: dict[str, Any] = {"id": layer.id, "rank": layer.rank, "title": _text_dict(layer.title)}
    if layer.source:
        meta["source"] = layer.source
    if layer.version:
        meta["version"] = layer.version
    if layer.years:
        meta["years"] = sorted(layer.years)
    if layer.scope:
        meta["scope"] = layer.scope.as_dict()
    document: dict[str, Any] = {"layer": meta}
    catalog: dict[str, Any] = {}
    for kind, entries in layer.catalog.kinds.items():
        for code, entry in entries.items():
            if kind == "courses":
                course: dict[str, Any] = {"title": _text_dict(entry.name), "subject": entry.subject}
                for key in ("topic", "hours", "platform", "citation"):
                    if getattr(entry, key) is not None:
                        course[key] = getattr(entry, key)
                catalog.setdefault(kind, {})[code] = course
                continue
            out: dict[str, Any] = {"name": _text_dict(entry.name)}
            if entry.group:
                out["group"] = entry.group
            if entry.aliases:
                out["aliases"] = list(entry.aliases)
            if entry.citation:
                out["citation"] = entry.citation
            catalog.setdefault(kind, {})[code] = out
    if catalog:
        document["catalog"] = catalog
    for path, label in layer.labels.items():
        _subtable(document, path)["label"] = _text_dict(label)
    for path, unit in layer.units.items():
        _subtable(document, path)["unit"] = unit
    for path, variants in layer.parameters.items():
        prefix, _, name = path.rpartition(".")
        tables = [_cited_dict(v) for v in variants]
        _subtable(document, prefix)[name] = tables[0] if len(tables) == 1 else tables
    return document


def dumps_layer(layer: Layer) -> str:
    """The layer as TOML text (tomli-w), loadable again with `parse_layer`."""
    return tomli_w.dumps(layer_to_dict(layer), multiline_strings=False)


def write_layer(layer: Layer, path: str | os.PathLike[str]) -> None:
    """Write the layer to a TOML file."""
    Path(path).write_text(dumps_layer(layer), encoding="utf-8")


def _text_dict(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _cited_dict(value: CitedValue) -> dict[str, Any]:
    raw = value.value
    out: dict[str, Any] = {"value": list(raw) if isinstance(raw, tuple) else raw}
    if value.citation is not None:
        out["citation"] = value.citation
    if value.when:
        out["when"] = value.when.as_dict()
    if not value.verified:
        out["verified"] = False
    if value.note:
        out["note"] = value.note
    return out


def _subtable(document: dict[str, Any], path: str) -> dict[str, Any]:
    table = document
    for key in path.split(".") if path else []:
        table = table.setdefault(key, {})
    return table
