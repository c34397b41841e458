"""Lint for rule files: every check that loading makes, and what loading cannot see.

A rule file is linted as the engine would load it, on top of the shipped provincial layer of each
year it applies to: its shape and value ranges (the schema), jurisdiction, floors, conflicts with
the provincial layer, units and sums. Then what loading lets pass but a rule author must fix:
values and catalogue entries without a citation, placeholder citations (`待填写 TODO`), and codes
in `platforms`, `topics` and `count_topics` lists, or in a listed course, that no catalogue knows
(a misspelt code never matches a record, silently). Unverified values are warnings.

`lint_file` reports every problem of a file at once: a value the schema refuses is reported and
left out, and the rest of the file is still checked. It raises `RulesError` only when the file
cannot be read as TOML at all (missing, a folder, not UTF-8, not TOML): an error of lint itself.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ..base.text import Text
from ..base.toml_file import TomlError, read_toml_text
from . import jurisdiction
from .files import RulesError, layer_from_dict, read_rules_text
from .model import ANY, Catalog, Layer, Profile, Scope
from .packs import DEFAULT_PACK, PACK_FILE, Pack, default_pack, load_pack
from .ruleset import RuleSet, refuse_unknown_members

PLACEHOLDER = re.compile(r"\b(?:TODO|FIXME|TBD|XXX)\b|待填写|待补充|待定", re.IGNORECASE)
"""What marks a citation as not filled in yet (the scaffold writes `待填写 TODO: …`)."""

CODE_LISTS = {"platforms": "platforms", "topics": "topics", "count_topics": "topics", "count_subjects": "subjects", "subjects": "subjects"}
"""Parameters holding catalogue codes, by their last segment, with the catalogue they name.
(`count_kinds` is not among them: activity kinds have no catalogue; the layers that count a kind
define it.)"""

_MAX_ROUNDS = 1000


@attrs.frozen
class LintProblem:
    """One thing a rule author must fix (`error`) or should look at (`warning`)."""

    file: str
    key: str
    severity: str
    message_zh: str
    message_en: str

    @property
    def text(self) -> Text:
        return Text(self.message_zh, self.message_en)

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: key '{self.key}': {self.message_en}"


def lint_file(path: str | os.PathLike[str], *, pack: Pack | None = None) -> list[LintProblem]:
    """Every problem of one rule file (or of every file of a rule pack's folder); RulesError when
    it cannot be read as TOML (lint cannot start). A layer is checked on top of the base layers of
    `pack` (default: the pack it names, when that is the default pack)."""
    file = str(path)
    if os.path.isdir(file) and os.path.isfile(os.path.join(file, PACK_FILE)):
        return lint_pack(file)
    try:
        text = read_toml_text(path, file=file)
    except TomlError as exc:
        raise RulesError(file, None, exc.problem.zh, exc.problem.en) from None
    layer, problems = read_collecting(read_rules_text(text, file=file), file=file)
    if layer is not None:
        problems += lint_layer(layer, pack=pack)
    return problems


def lint_pack(folder: str | os.PathLike[str]) -> list[LintProblem]:
    """Every problem of a rule pack: what reading it refuses (RulesError), then each of its files."""
    pack = load_pack(folder)
    problems: list[LintProblem] = []
    for layer in pack.layers:
        problems += lint_file(layer.file, pack=pack)
    if not any(layer.rank == "province" for layer in pack.layers):
        problems.append(
            LintProblem(pack.folder, "<pack>", "error", "规则包没有省级基础规则层", "the rule pack has no provincial base layer")
        )
    return problems


def read_collecting(document: Mapping[str, Any], *, file: str) -> tuple[Layer | None, list[LintProblem]]:
    """The layer of a parsed rule file, with each value the schema refuses reported and left out.

    A missing `[layer] rank` reads as a draft, as `--rules` reads it. The layer is None when what
    is left cannot make one.
    """
    problems: list[LintProblem] = []
    try:
        document = copy.deepcopy(dict(document)) if isinstance(document, Mapping) else document
    except RecursionError:
        return None, [LintProblem(file, "<document>", "error", "嵌套过深", "nested too deeply")]
    for _ in range(_MAX_ROUNDS):
        try:
            return layer_from_dict(document, file=file, default_rank="draft"), problems
        except RulesError as exc:
            problems.append(_problem(exc, file))
            if not isinstance(document, dict) or not _drop(document, exc.key):
                return None, problems
    return None, problems


def lint_layer(layer: Layer, *, base: Sequence[Layer] | None = None, pack: Pack | None = None) -> list[LintProblem]:
    """Problems in one layer, checked on top of `base` (default: the provincial layer of `pack`, or
    of the default pack, for each year the layer applies to; nothing for a provincial layer, which
    stands alone)."""
    problems = list(_citations(layer))
    for year, under in _bases(layer, base, pack, problems):
        problems += _loading(layer, year, under)
        problems += _codes(layer, under)
    return _unique(problems)


def _bases(layer: Layer, base: Sequence[Layer] | None, pack: Pack | None, problems: list[LintProblem]) -> Iterator[tuple[int, list[Layer]]]:
    """The years to load the layer for, each with the layers it stands on."""
    if pack is None and (layer.pack or DEFAULT_PACK) == DEFAULT_PACK:
        pack = default_pack()
    if pack is None:
        problems.append(
            LintProblem(
                layer.file,
                "layer.pack",
                "warning",
                f"规则包 {layer.pack!r} 不在此处：请对规则包文件夹运行 lint，以检查管辖范围和下限",
                f"rule pack {layer.pack!r} is not at hand: lint the pack's folder to check jurisdiction and floors",
            )
        )
        return
    shipped = pack.known_years()
    years = sorted(set(layer.years) | {year for year in shipped if layer.applies_to_year(year)})
    if not years:
        years = [year for year in (layer.first_year, layer.last_year) if year is not None][:1] or list(shipped)
    for year in years:
        if base is not None:
            yield year, [each for each in base if each.applies_to_year(year)]
        elif layer.rank == "province":
            yield year, []
        elif year in shipped:
            yield year, [each for each in pack.layers_for(year) if each.rank == "province"]
        else:
            listing = pack.years_text
            problems.append(
                LintProblem(
                    layer.file,
                    "layer.years",
                    "warning",
                    f"没有 {year} 年度的省级规则，无法检查该年度的管辖范围和下限（已有年度：{listing}）",
                    f"no provincial rules for {year} to check jurisdiction and floors against (shipped years: {listing})",
                )
            )


def _citations(layer: Layer) -> Iterator[LintProblem]:
    """Values and catalogue entries without a citation or with a placeholder one; unverified values."""
    for path, value in layer.cited_values():
        if not value.citation:
            yield LintProblem(layer.file, path, "error", "规则取值缺少依据（citation）", "value has no citation")
        elif PLACEHOLDER.search(value.citation):
            yield _placeholder(layer.file, path, value.citation)
        elif not value.verified:
            yield LintProblem(
                layer.file,
                path,
                "warning",
                f"规则取值尚未核实（依据：{value.citation}）",
                f"value is unverified (cites {value.citation})",
            )
    for kind, entries in layer.catalog.kinds.items():
        for code, entry in entries.items():
            key = f"catalog.{kind}.{code}"
            if not entry.citation:
                yield LintProblem(layer.file, key, "error", "目录条目缺少依据（citation）", "catalog entry has no citation")
            elif PLACEHOLDER.search(entry.citation):
                yield _placeholder(layer.file, key, entry.citation)
    if PLACEHOLDER.search(layer.source):
        yield LintProblem(
            layer.file,
            "layer.source",
            "warning",
            f"规则层的来源是占位内容，请填写发文机关、文件名称和文号：{layer.source}",
            f"the layer's source is a placeholder; give the issuing body, title and number: {layer.source}",
        )


def _placeholder(file: str, key: str, citation: str) -> LintProblem:
    return LintProblem(
        file,
        key,
        "error",
        f"依据是待填写的占位内容，请填写文件名称、文号和条款：{citation}",
        f"the citation is a placeholder to fill in with the document, its number and article: {citation}",
    )


def _loading(layer: Layer, year: int, base: list[Layer]) -> list[LintProblem]:
    """What loading the layer for `year` on top of `base` refuses. Loading stops at its first
    problem; lint makes each of its checks on its own, so that one problem does not hide another."""
    layers = [*base, layer]
    provincial = [each for each in layers if each.rank == "province"]
    subjects = {code: entry.name for each in layers for code, entry in each.catalog.entries("subjects").items()}
    checks: list[Callable[[], Any]] = [
        lambda: jurisdiction.check_jurisdiction(layer, subjects),
        lambda: jurisdiction.check_floors(layer, provincial),
        lambda: jurisdiction.check_conflicts(layers),
        lambda: jurisdiction.check_units(layers),
        lambda: refuse_unknown_members(layers),
        lambda: _resolved(RuleSet(year, layers), layer),
    ]
    problems = []
    for check in checks:
        try:
            check()
        except RulesError as exc:  # named on the linted file, whichever of the layers the message names
            problems.append(LintProblem(layer.file, exc.key or "<file>", "error", exc.problem.zh, exc.problem.en))
    return problems


def _resolved(rules: RuleSet, layer: Layer) -> None:
    for profile in _profiles(layer):
        rules.resolve(profile)


def _profiles(layer: Layer) -> Iterator[Profile]:
    """A person the layer covers, and one for each `when` of its values: resolving their rules makes
    the checks that depend on whom a value applies to (sums of requirements, for instance)."""
    yield from filter(None, [_someone(layer.scope)])
    for _, value in layer.cited_values():
        if value.when:
            someone = _someone(layer.scope.intersect(value.when))
            if someone is not None:
                yield someone


def _someone(scope: Scope) -> Profile | None:
    if scope.is_empty():
        return None
    excluded = dict(scope.excluded)
    attributes: dict[str, str | None] = {}
    for key, values in scope.criteria:
        allowed = sorted(values - excluded.get(key, frozenset()))
        attributes[key] = allowed[0] if allowed else None
    unit_level = attributes.pop("unit_level", None) or "city"
    return Profile(unit_level=unit_level, **attributes)


def _codes(layer: Layer, base: list[Layer]) -> Iterator[LintProblem]:
    """Codes in code lists and listed courses that the catalogue (the layer's and those below) does not know."""
    catalog = Catalog()
    for each in (*base, layer):
        catalog = catalog.merged_with(each.catalog)
    for path, value in layer.cited_values():
        kind = CODE_LISTS.get(path.rpartition(".")[2])
        if kind is not None and isinstance(value.value, tuple):
            for code in value.value:
                if code != ANY and code not in catalog.entries(kind):
                    yield _unknown_code(layer.file, path, kind, code, catalog)
    for code, course in layer.catalog.entries("courses").items():
        for key, kind in (("subject", "subjects"), ("topic", "topics"), ("platform", "platforms")):
            given = getattr(course, key)
            if given is not None and given not in catalog.entries(kind):
                yield _unknown_code(layer.file, f"catalog.courses.{code}.{key}", kind, given, catalog)


def _unknown_code(file: str, key: str, kind: str, code: str, catalog: Catalog) -> LintProblem:
    entries = catalog.entries(kind)
    named = [known for known, entry in entries.items() if code in (entry.name.zh, entry.name.en, *entry.aliases)]
    close = named or difflib.get_close_matches(code, list(entries), n=1)
    hint_zh = f"；是否应为 '{close[0]}'？" if close else ""
    hint_en = f"; did you mean '{close[0]}'?" if close else ""
    listing = ", ".join(sorted(entries)) or "-"
    return LintProblem(
        file,
        key,
        "error",
        f"目录 {kind} 中没有代码 '{code}'，记录永远不会与它匹配{hint_zh}（已知代码：{listing}）",
        f"no code '{code}' in the {kind} catalogue: no record would ever match it{hint_en} (known codes: {listing})",
    )


def _problem(exc: RulesError, file: str) -> LintProblem:
    return LintProblem(exc.file or file, exc.key or "<file>", "error", exc.problem.zh, exc.problem.en)


def _drop(document: dict[str, Any], key: str | None) -> bool:
    """Remove the value a schema error names, so the rest of the file can be checked; False when nothing was removed."""
    if not key or key == "<document>":
        return False
    parts = key.split("[", 1)[0].split(".")
    parent: dict[str, Any] = document
    name = parts[0]
    if name not in parent:
        return False
    for part in parts[1:]:
        node = parent[name]
        if not isinstance(node, dict) or "value" in node or part not in node:
            break
        parent, name = node, part
    del parent[name]  # a bad `[layer] rank` goes too: what is left reads as a draft
    return True


def _unique(problems: list[LintProblem]) -> list[LintProblem]:
    """Each problem once (a layer linted for several years finds the same ones each time)."""
    return list(dict.fromkeys(problems))
