"""Building a draft layer from dotted rule paths: each leaf checked on its own, every problem collected.

A draft given as `{"public.focus": {"required_hours": 10, ...}}` or as a parsed rule file is split
into leaves (`Entry`), each leaf is validated alone as a one-value layer (so every bad path is
named, not just the first), and only then is the whole layer built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..rules.files import RulesError, layer_from_dict
from ..rules.model import Layer
from ..rules.shipped import city_code
from ..rules.vocabulary import normalise_unit_level
from .problems import DraftError, DraftProblem, problem_of

DRAFT_RANK = "draft"
LEAF_KEYS = ("label", "unit")
"""Paths ending in these name a requirement rather than set a value."""


@attrs.frozen
class Entry:
    """One leaf of a draft: a rule value (cited table or variants), a label, a unit or a catalog entry."""

    path: str
    node: Any


def plain(value: Any) -> Any:
    """Values as TOML holds them: lists not tuples, whole floats as ints (sliders give 35.0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):  # numpy scalars
        return plain(value.item())
    return value


def _is_cited(value: Any) -> bool:
    return isinstance(value, Mapping) and "value" in value


def _is_variants(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(_is_cited(item) for item in value)


def flatten(path: str, value: Any, entries: list[Entry], problems: list[DraftProblem], *, empty_ok: bool = False) -> None:
    """Split a value given at `path` into leaves (a sub-tree such as a new requirement is walked)."""
    name = path.rpartition(".")[2]
    if not path or any(not part.strip() for part in path.split(".")):
        problems.append(DraftProblem(path or "<empty>", "expected a dotted rule path such as public.required_hours"))
    elif path == "catalog" or path.startswith("catalog."):
        parts = path.split(".")
        if len(parts) < 3 and isinstance(value, Mapping) and value:
            for key, child in value.items():
                flatten(f"{path}.{key}", child, entries, problems, empty_ok=empty_ok)
        elif len(parts) == 3:
            entries.append(Entry(path, value))
        else:
            problems.append(DraftProblem(path, "expected catalog.<kind>.<code> = { name = …, citation = … }"))
    elif name in LEAF_KEYS or _is_cited(value) or _is_variants(value):
        entries.append(Entry(path, value))
    elif isinstance(value, Mapping):
        if not value and not empty_ok:
            problems.append(DraftProblem(path, "expected a value, or a table of rule parameters; got an empty table"))
        for key, child in value.items():
            flatten(f"{path}.{key}", child, entries, problems, empty_ok=empty_ok)
    else:
        entries.append(Entry(path, value))


def cite(node: Any, citation: str | None) -> Any:
    """A value as a cited table (a bare value gets the draft's citation)."""
    if _is_cited(node):
        table = dict(node)
        if citation is not None:
            table.setdefault("citation", citation)
        return table
    if _is_variants(node):
        return [cite(item, citation) for item in node]
    table = {"value": node}
    if citation is not None:
        table["citation"] = citation
    return table


def scope_words(value: Any, where: str, problems: list[DraftProblem]) -> Any:
    """A scope with cities and unit levels as people write them (`青岛`, `市属`) turned into codes."""
    if not isinstance(value, Mapping):
        return value  # layer_from_dict says what was expected
    out: dict[str, Any] = {}
    for key, values in value.items():
        if key == "except":
            out[key] = scope_words(values, f"{where}.except", problems)
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
            values = codes if not all(isinstance(code, str) for code in codes) else list(dict.fromkeys(codes))  # non-text: refused below
        elif isinstance(values, (list, tuple)):
            values = list(values)
        out[key] = values
    return out


def with_scopes(node: Any, path: str, problems: list[DraftProblem]) -> Any:
    """A value node with the city and unit-level words of its `when` scopes turned into codes."""
    if _is_cited(node) and "when" in node:
        return {**node, "when": scope_words(node["when"], f"{path}.when", problems)}
    if _is_variants(node):
        return [with_scopes(item, f"{path}[{i}]", problems) for i, item in enumerate(node)]
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


def build_layer(meta: Mapping[str, Any], entries: Sequence[Entry], file: str, problems: list[DraftProblem]) -> Layer:
    """Validate each part of a draft on its own (collecting every problem), then build the whole."""
    meta = dict(meta)
    meta.setdefault("rank", DRAFT_RANK)
    meta.setdefault("id", meta["rank"])
    if "scope" in meta:
        meta["scope"] = scope_words(meta["scope"], "layer.scope", problems)
    try:
        layer_from_dict({"layer": meta}, file=file)
    except RulesError as exc:
        problems.append(problem_of(exc, "layer"))
    probe = {"id": "draft", "rank": DRAFT_RANK}
    document: dict[str, Any] = {}
    for entry in entries:
        part: dict[str, Any] = {"layer": probe}
        _place(part, entry.path, entry.node)
        try:
            layer_from_dict(part, file=file)
        except RulesError as exc:
            problems.append(problem_of(exc, entry.path))
            continue
        if not _place(document, entry.path, entry.node):
            problems.append(DraftProblem(entry.path, "given twice (or inside another value given at a shorter path)"))
    if problems:
        raise DraftError(problems, file)
    document["layer"] = meta
    try:
        return layer_from_dict(document, file=file)
    except RulesError as exc:  # a problem only the whole shows (e.g. overlapping variants given apart)
        raise DraftError([problem_of(exc, "layer")], file) from None


def entries_of_document(document: Mapping[str, Any], problems: list[DraftProblem]) -> list[Entry]:
    """The leaves of a parsed rule file: each value, label and unit by path, and each catalog entry."""
    entries: list[Entry] = []
    for key, value in document.items():
        if key != "layer":
            flatten(key, value, entries, problems, empty_ok=True)
    return entries
