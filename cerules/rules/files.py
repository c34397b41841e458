"""Reading and writing rule layers as TOML.

A rule file holds one layer. Its `[layer]` table says who issued it; `[catalog.*]` tables name
subjects, platforms and topics; every other table is a tree of parameters whose leaves are cited
values: `{ value = 30, citation = "SD-2023 §2(1)" }`, optionally with `when`, `verified` and
`note`; an array of such tables gives variants for different people. A bare value (`35`) is
accepted for drafts; it has no citation, which `lint` reports.

The text is read by the one TOML reader (`cerules.base.toml_file`); every problem becomes a
`RulesError` naming the file and the key path, in Chinese and English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..base.errors import CeruleError
from ..base.text import Text
from ..base.toml_file import TomlError, parse_toml, read_toml_text
from .kinds import shown
from .model import RANKS, SCOPE_KEYS, Catalog, CatalogEntry, CitedValue, Layer, Scope
from .schema import REQUIREMENT_PARAMETERS, UNITS, SchemaError, parameter_for
from .writing import dumps_layer, layer_to_dict, write_layer

_VALUE_KEYS = frozenset({"value", "citation", "when", "verified", "note"})
_LAYER_KEYS = frozenset({"id", "rank", "title", "source", "version", "years", "from", "until", "scope", "pack", "based_on"})
_ENTRY_KEYS = frozenset({"name", "citation", "group", "aliases"})
_COURSE_KEYS = frozenset({"title", "subject", "topic", "hours", "platform", "citation"})
CATALOG_KINDS = ("subjects", "platforms", "topics", "courses")
MAX_DEPTH = 10
"""Segments a parameter path may have (`professional.cme.class1.required` has 4): a rule file nested
deeper is refused by name, never by a RecursionError."""


__all__ = ["RulesError", "dumps_layer", "layer_from_dict", "layer_to_dict", "load_layer", "parse_layer", "write_layer"]


class RulesError(CeruleError, ValueError):
    """A rule file that cannot be used, naming the file, the key path and what was expected.

    `problem` (and `message`, its English form) is what is wrong without the file and key;
    `str(error)` is `file: key 'path': message`, the English text the CLI prints.
    """

    def __init__(self, file: str, key: str | None, zh: str, en: str) -> None:
        self.file, self.key = file, key
        self.problem = Text(zh, en)
        self.message = en
        where_zh = f"{file}：键 '{key}'" if key else file
        where_en = f"{file}: key '{key}'" if key else file
        super().__init__(f"{where_zh}：{zh}", f"{where_en}: {en}")


def load_layer(path: str | os.PathLike[str], *, plugin: str | None = None, default_rank: str | None = None) -> Layer:
    """Load one layer from a TOML file."""
    file = str(path)
    try:
        text = read_toml_text(path, file=file)
    except TomlError as exc:
        raise RulesError(file, None, exc.problem.zh, exc.problem.en) from None
    return parse_layer(text, file=file, plugin=plugin, default_rank=default_rank)


def parse_layer(text: str, *, file: str = "<string>", plugin: str | None = None, default_rank: str | None = None) -> Layer:
    """Parse one layer from TOML text; `default_rank` fills in a missing `[layer] rank` (drafts)."""
    return layer_from_dict(read_rules_text(text, file=file), file=file, plugin=plugin, default_rank=default_rank)


def read_rules_text(text: str, *, file: str = "<string>") -> dict[str, Any]:
    """The parsed TOML of a rule file, or a RulesError naming the file (also for what the TOML
    reader cannot hold: tables nested thousands deep, integers of thousands of digits)."""
    try:
        return parse_toml(text, file=file)
    except TomlError as exc:
        raise RulesError(file, None, exc.problem.zh, exc.problem.en) from None
    except RecursionError:
        raise RulesError(file, None, "表或数组嵌套过深，无法读取", "tables or arrays nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer beyond Python's limit on digits
        raise RulesError(file, None, f"无法读取的取值：{exc}", f"a value that cannot be read: {exc}") from None


def layer_from_dict(
    document: Mapping[str, Any], *, file: str = "<memory>", plugin: str | None = None, default_rank: str | None = None
) -> Layer:
    """Build a layer from the mapping a TOML file parses to, validating every key."""
    reader = _LayerReader(file)
    if not isinstance(document, Mapping):
        raise reader.expected("<document>", "规则文件的表", "the tables of a rule file", document)
    meta = document.get("layer", {})
    if not isinstance(meta, Mapping):
        raise reader.expected("layer", " [layer] 表", "a [layer] table", meta)
    meta = dict(meta)
    if default_rank and "rank" not in meta:
        meta.setdefault("id", default_rank)
        meta["rank"] = default_rank
    reader.check_keys(meta, _LAYER_KEYS, "layer")
    rank = reader.require(meta, "rank", "layer", str)
    if rank not in RANKS:
        raise RulesError(
            file, "layer.rank", f"应为 {' / '.join(RANKS)} 之一，实际为 {rank!r}", f"expected one of {', '.join(RANKS)}, got {rank!r}"
        )
    years = meta.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) and 1 <= y <= 9999 for y in years):
        raise reader.expected("layer.years", "年份列表，例如 [2023]", "a list of years such as [2023]", years)
    first, last, based_on = (reader.year(meta, key) for key in ("from", "until", "based_on"))
    if first is not None and last is not None and last < first:
        raise reader.fail("layer.until", f"截止年份 {last} 早于起始年份 {first}", f"the last year {last} is before the first year {first}")
    if based_on is not None and rank != "draft":
        raise reader.fail("layer.based_on", "只有草案（draft）可以声明所依据的年度", "only a draft says which year's rules it is based on")
    pack = meta.get("pack")
    if pack is not None and (not isinstance(pack, str) or not pack):
        raise reader.expected("layer.pack", "规则包的编号（字符串）", "a rule pack's id (a string)", pack)
    for key in ("source", "version"):
        if key in meta and (isinstance(meta[key], bool) or not isinstance(meta[key], (str, int, float) if key == "version" else str)):
            raise reader.expected(f"layer.{key}", "字符串", "a string", meta[key])
    parameters: dict[str, list[CitedValue]] = {}
    labels: dict[str, Text] = {}
    units: dict[str, str] = {}
    for key, value in document.items():
        if key in ("layer", "catalog"):
            continue
        reader.walk(value, str(key), parameters, labels, units)
    return Layer(
        id=reader.require(meta, "id", "layer", str),
        rank=rank,
        title=reader.text(meta.get("title", meta.get("id", "")), "layer.title"),
        source=str(meta.get("source", "")),
        version=str(meta.get("version", "")),
        years=frozenset(years),
        first_year=first,
        last_year=last,
        pack=pack,
        based_on=based_on,
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

    def fail(self, key: str, zh: str, en: str) -> RulesError:
        return RulesError(self.file, key, zh, en)

    def expected(self, key: str, zh: str, en: str, value: Any) -> RulesError:
        """`expected <what>, got <value>` in both languages."""
        return self.fail(key, f"应为{zh}，实际为 {shown(value)}", f"expected {en}, got {shown(value)}")

    def unknown(self, key: str, zh: str, en: str, allowed: Any) -> RulesError:
        """An unknown key or code, listing what is allowed."""
        listing = ", ".join(map(str, allowed))
        return self.fail(key, f"未知的{zh}；应为以下之一：{listing}", f"unknown {en}; expected one of {listing}")

    def check_keys(self, table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.unknown(f"{where}.{key}", "键", "key", sorted(allowed))

    def require(self, table: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}", "缺少该项", "missing")
        if not isinstance(table[key], kind) or isinstance(table[key], bool) or table[key] == "":
            raise self.expected(f"{where}.{key}", f"非空的 {kind.__name__}", f"a non-empty {kind.__name__}", table[key])
        return table[key]

    def year(self, meta: Mapping[str, Any], key: str) -> int | None:
        """`[layer] from`, `until` or `based_on`: a year, when given."""
        value = meta.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9999:
            raise self.expected(f"layer.{key}", "年份，例如 2023", "a year such as 2023", value)
        return value

    def text(self, value: Any, where: str) -> Text:
        if isinstance(value, str):
            return Text(zh=value, en=value)
        if isinstance(value, Mapping) and set(value) <= {"zh", "en"} and all(isinstance(v, str) for v in value.values()) and "zh" in value:
            return Text(zh=value["zh"], en=value.get("en", value["zh"]))
        raise self.expected(where, '字符串或 { zh = "…", en = "…" }', 'a string or { zh = "…", en = "…" }', value)

    def scope(self, value: Any, where: str) -> Scope:
        if not isinstance(value, Mapping):
            raise self.expected(where, "“属性 = [取值]”的表", "a table of attribute = [values]", value)
        value = dict(value)
        excluded = self.criteria(value.pop("except", {}), f"{where}.except")
        return Scope.of(self.criteria(value, where), excluded)

    def criteria(self, value: Any, where: str) -> dict[str, list[str]]:
        if not isinstance(value, Mapping):
            raise self.expected(where, "“属性 = [取值]”的表", "a table of attribute = [values]", value)
        criteria: dict[str, list[str]] = {}
        for key, values in value.items():
            if key not in SCOPE_KEYS:
                raise self.unknown(f"{where}.{key}", "范围属性", "scope attribute", SCOPE_KEYS)
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise self.expected(f"{where}.{key}", "非空的字符串列表", "a non-empty list of strings", values)
            criteria[key] = values
        return criteria

    def catalog(self, value: Any) -> Catalog:
        if not isinstance(value, Mapping):
            raise self.fail("catalog", "应为 [catalog.platforms.sdou] 这样的表", "expected tables such as [catalog.platforms.sdou]")
        kinds: dict[str, dict[str, CatalogEntry]] = {}
        for kind, entries in value.items():
            if kind not in CATALOG_KINDS:
                raise self.unknown(f"catalog.{kind}", "目录", "catalog", CATALOG_KINDS)
            if not isinstance(entries, Mapping):
                raise self.expected(
                    f"catalog.{kind}", f" [catalog.{kind}.<代码>] 这样的表", f"tables such as [catalog.{kind}.<code>]", entries
                )
            for code, entry in entries.items():
                where = f"catalog.{kind}.{code}"
                if not isinstance(entry, Mapping):
                    raise self.fail(where, "应为包含 name 和 citation 的表", "expected a table with name and citation")
                if kind == "courses":
                    kinds.setdefault(kind, {})[code] = self.course(code, entry, where)
                    continue
                self.check_keys(entry, _ENTRY_KEYS, where)
                aliases = entry.get("aliases", [])
                if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                    raise self.expected(f"{where}.aliases", "字符串列表", "a list of strings", aliases)
                self.strings(entry, ("citation", "group"), where)
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
                raise self.fail(f"{where}.hours", exc.zh, exc.en) from None
        self.strings(entry, ("topic", "platform", "citation"), where)
        return CatalogEntry(
            code=code,
            name=self.text(entry.get("title", code), f"{where}.title"),
            citation=entry.get("citation"),
            subject=subject,
            topic=entry.get("topic"),
            hours=hours,
            platform=entry.get("platform"),
        )

    def strings(self, table: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
        """Each of `keys` present in `table` is a string."""
        for key in keys:
            if key in table and not isinstance(table[key], str):
                raise self.expected(f"{where}.{key}", "字符串", "a string", table[key])

    def walk(
        self,
        value: Any,
        path: str,
        parameters: dict[str, list[CitedValue]],
        labels: dict[str, Text],
        units: dict[str, str],
    ) -> None:
        if path.count(".") >= MAX_DEPTH:
            shown_path = ".".join(path.split(".")[:MAX_DEPTH]) + ".…"
            raise self.fail(
                shown_path,
                f"嵌套过深：参数路径最多 {MAX_DEPTH} 段",
                f"nested too deeply: a parameter path has at most {MAX_DEPTH} segments",
            )
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
                    if not isinstance(child, str) or child not in UNITS:
                        raise self.expected(child_path, f" {' / '.join(sorted(UNITS))} 之一", f"one of {', '.join(sorted(UNITS))}", child)
                    units[path] = child
                else:
                    self.walk(child, child_path, parameters, labels, units)
        else:
            self.parameter(path, [{"value": value}], parameters)

    def parameter(self, path: str, variants: list[Mapping[str, Any]], parameters: dict[str, list[CitedValue]]) -> None:
        try:
            parameter = parameter_for(path)
        except SchemaError as exc:
            raise self.fail(path, exc.zh, exc.en) from None
        values: list[CitedValue] = []
        for index, variant in enumerate(variants):
            where = path if len(variants) == 1 else f"{path}[{index}]"
            self.check_keys(variant, _VALUE_KEYS, where)
            try:
                checked = parameter.check(variant["value"])
            except SchemaError as exc:
                raise self.fail(f"{where}.value" if len(variants) > 1 or "citation" in variant else where, exc.zh, exc.en) from None
            citation = variant.get("citation")
            if citation is not None and (not isinstance(citation, str) or not citation.strip()):
                raise self.expected(f"{where}.citation", "非空字符串", "a non-empty string", citation)
            verified = variant.get("verified", True)
            if not isinstance(verified, bool):
                raise self.expected(f"{where}.verified", " true 或 false", "true or false", verified)
            self.strings(variant, ("note",), where)
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
                    raise self.fail(
                        path,
                        "两个取值适用于同一批人；请给它们互不重叠的 `when` 范围",
                        "two variants apply to the same people; give them disjoint `when` scopes",
                    )
        parameters.setdefault(path, []).extend(values)
