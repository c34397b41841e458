"""Fuzzing rule files and drafts: a hostile layer is refused with a RulesError naming what is wrong,
or it loads into rules the engine can use; it never crashes loading, linting or evaluating.

The layers are `BASE_LAYER` (every part of a rule file) broken in a few places at a time — values
of the wrong type or of extreme size, keys added and removed, deep nesting — and hand-written
cases met in the field (`RAW_LAYERS`); the drafts are `Draft.from_dict` calls with hostile paths
and values. A failure prints the smallest file or draft hypothesis found.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given

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
