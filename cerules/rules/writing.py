"""Writing rule layers as TOML: the inverse of reading them (`cerules.rules.files`).

What a layer holds is written back as the tables a rule author would write, so a draft built in
Python can be exported, read again and give the same rules (and the same digest).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomli_w

from .model import CitedValue, Layer, Text


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    """The mapping a rule file for this layer holds (inverse of `layer_from_dict`)."""
    meta: dict[str, Any] = {"id": layer.id, "rank": layer.rank, "title": _text_dict(layer.title)}
    if layer.source:
        meta["source"] = layer.source
    if layer.version:
        meta["version"] = layer.version
    if layer.years:
        meta["years"] = sorted(layer.years)
    for key, value in (("from", layer.first_year), ("until", layer.last_year), ("pack", layer.pack), ("based_on", layer.based_on)):
        if value is not None:
            meta[key] = value
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
