"""Fuzzing rule files and drafts: a hostile layer is refused with a RulesError naming what is wrong,
or it loads into rules the engine can use; it never crashes loading, linting or evaluating.

The layers are `BASE_LAYER` (every part of a rule file) broken in a few places at a time — values
of the wrong type or of extreme size, keys added and removed, deep nesting — and hand-written
cases met in the field (`RAW_LAYERS`); the drafts are `Draft.from_dict` calls with hostile paths
and values. A failure prints the smallest file or draft hypothesis found.
"""

from __future__ import annotations

import sys
import tempfile
import types
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from hypothesis import example, given
from hypothesis import strategies as st

import cerules
from cerules.base.errors import CeruleError
from cerules.rules import RulesError, lint_layer, load_layer, parse_layer
from cerules.whatif.problems import DraftError
from tests.hostile import FUZZ, Expected, arrow_cohorts, check_document, provincial
from tests.hostile_rules import RAW_LAYERS, SMALL_PERSONS, SMALL_RECORDS, drafts, extreme_layer_documents, layer_texts


def evaluate_under(rules: cerules.RuleSet) -> None:
    """Evaluate the small cohort under `rules` and render its document: only a CeruleError may stop it."""
    try:
        evaluation = cerules.evaluate(rules, SMALL_PERSONS, SMALL_RECORDS)
    except CeruleError:
        return
    document = evaluation.to_document("en")
    check_document(document, Expected(Counter(r["record_id"] for r in SMALL_RECORDS)))


@FUZZ
@given(layer_texts())
def test_a_hostile_rule_file_is_refused_with_a_rules_error_or_loads_lints_and_evaluates(text):
    try:
        layer = parse_layer(text, file="hostile.toml", default_rank="draft")
    except RulesError:
        return
    for problem in lint_layer(layer):
        assert problem.severity in ("error", "warning")
    try:
        rules = cerules.load_rules(2023, plugins=False, rules=[layer])
    except RulesError:
        return
    evaluate_under(rules)


@FUZZ
@given(layer_texts())
def test_loading_a_hostile_rule_file_from_disk_raises_only_rules_errors(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_layer(path, default_rank="draft")
        except RulesError:
            pass


@FUZZ
@example(({"public.required_hours": {"value": 30, "when": {"city": [[]]}}}, {}))
@example(({"public.platforms": {"value": ["sdou"], "when": {"unit_level": [{}]}}}, {}))
@given(drafts())
def test_a_hostile_draft_is_refused_with_a_draft_error_or_applies_and_evaluates(draft):
    values, options = draft
    try:
        built = cerules.Draft.from_dict(values, **options)
    except DraftError:
        return
    for problem in lint_layer(built.layer):
        assert problem.severity in ("error", "warning")
    built.to_toml()
    try:
        what_if = built.apply(provincial())
    except RulesError:
        return
    evaluate_under(what_if)


@pytest.mark.parametrize("text", RAW_LAYERS, ids=range(len(RAW_LAYERS)))
def test_each_rule_file_met_in_the_field_is_refused_with_a_rules_error_or_evaluates(text):
    try:
        layer = parse_layer(text, file="field.toml", default_rank="draft")
        lint_layer(layer)
        rules = cerules.load_rules(2023, plugins=False, rules=[layer])
    except RulesError:
        return
    evaluate_under(rules)


def test_a_folder_named_like_a_rule_file_is_refused_with_a_rules_error(tmp_path):
    folder = tmp_path / "x.toml"
    folder.mkdir()
    with pytest.raises(RulesError, match="x.toml"):
        load_layer(folder)
    with pytest.raises(RulesError, match="x.toml"):
        cerules.load_rules(2023, plugins=False, rules=[folder])


@FUZZ
@given(extreme_layer_documents(), arrow_cohorts())
def test_rules_of_extreme_values_evaluate_hostile_records_or_are_refused_with_a_rules_error(document, cohort):
    """Values lint may accept (huge, tiny, zero, dates at the ends of the calendar) under hostile input."""
    try:
        rules = cerules.load_rules(2023, plugins=False, rules=[parse_layer(tomli_w.dumps(document), file="extreme.toml")])
    except RulesError:
        return
    evaluate_under(rules)
    try:
        evaluation = cerules.evaluate(rules, cohort.persons, cohort.records)
    except CeruleError:
        return
    check_document(evaluation.to_document("en"), cohort.expected)


REGISTRATIONS = ["file", "layer", "folder", "missing", "number", "none", "raise", "exit 0", "exit 2", "recursion"]
"""What a hostile plugin's hook does: register a rule file, a Layer, a folder, a missing file, a number or None; or raise, exit, recurse."""


def hostile_plugin(folder: Path, doing: str, text: str, rank: str) -> types.ModuleType:
    """A plugin module whose `register_layers` does `doing` (with `text` as its rule file, of `rank` as a Layer)."""
    module = types.ModuleType("fuzz_plugin")

    @cerules.hookimpl
    def register_layers(register: Any, year: int) -> None:
        path = folder / "plugin.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        outcomes: dict[str, Any] = {"folder": folder, "missing": folder / "missing.toml", "number": 5, "none": None, "file": path}
        if doing in outcomes:
            register(outcomes[doing])
        elif doing == "layer":
            register(dataclass_free_layer(text, rank))
        elif doing == "raise":
            raise ValueError("a plugin's own bug")
        elif doing.startswith("exit"):
            sys.exit(int(doing[-1]))
        else:
            register_layers(register, year)

    module.register_layers = register_layers  # type: ignore[attr-defined]
    return module


def dataclass_free_layer(text: str, rank: str) -> Any:
    """The layer of `text` with its rank replaced, as a plugin building Layer objects may give it (None when it does not parse)."""
    try:
        layer = parse_layer(text, file="plugin-layer.toml", default_rank="city")
    except RulesError:
        return None
    return attrs.evolve(layer, rank=rank)


@FUZZ
@given(st.sampled_from(REGISTRATIONS), layer_texts(), st.sampled_from(["province", "city", "department", "draft", "nonsense"]))
def test_a_hostile_plugin_fails_the_load_with_a_cerule_error_or_gives_a_city_or_department_layer(doing, text, rank):
    with tempfile.TemporaryDirectory() as folder:
        try:
            rules = cerules.load_rules(2023, plugins=[hostile_plugin(Path(folder), doing, text, rank)])
        except CeruleError:
            return
    assert [layer.rank for layer in rules.layers].count("province") == 1
    assert all(layer.rank in ("city", "department") for layer in rules.layers[1:]), [layer.rank for layer in rules.layers]
    evaluate_under(rules)
