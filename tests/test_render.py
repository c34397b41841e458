"""Output forms live in `cerules.render`, one module per form; the views above hand it what to show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cerules
from cerules.base.text import Text
from cerules.render import FORMATS, html, table
from cerules.render.csv import to_csv
from cerules.render.files import atomic_output, write_atomic
from cerules.render.json import to_json
from cerules.render.labels import profile_name, unit_level_choice, unit_level_name
from cerules.render.report import render
from cerules.render.text import NONE_LABEL, cell_text, display_width, pad
from cerules.rules import Profile
from cerules.rules.vocabulary import UNIT_LEVELS
from cerules.whatif.draft import Draft, diff
from cerules.whatif.impact import Baseline
from tests.conftest import person, record

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def evaluation(rules, examples):
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


@pytest.fixture(scope="module")
def what_if(rules):
    persons = [person("a"), person("b", city="370100", unit_level="province")]
    records = [record("public", 30, person_id="a"), record("professional", 60, person_id="a"), record("public", 36, person_id="b")]
    return Baseline(rules, (persons, records)).impact(Draft.from_dict({"public.required_hours": 35}))


def test_chinese_characters_take_two_columns_and_padding_counts_them():
    assert display_width("青岛市") == 6 and display_width("P001") == 4
    assert pad("青岛", 6) == "青岛  " and pad("7.5", 5, right=True) == "  7.5"
    assert pad("青岛市青岛", 4) == "青岛市青岛"  # never cut
    assert display_width("e\u0301") == 1 and display_width("全角　") == 6  # a combining accent takes no column of its own


def test_cells_of_impact_tables_show_shares_changes_and_missing_values():
    assert cell_text("rate_before", 0.8345) == "83.5%" and cell_text("change", -0.015) == "-1.5 pp"
    assert cell_text("rate_after", float("nan")) == NONE_LABEL and cell_text("title_series", None) == NONE_LABEL
    assert cell_text("shortfall_after", 7.5) == "7.5" and cell_text("met", True) == "✓"


def test_unit_levels_are_named_from_the_vocabulary_table():
    for code, label in UNIT_LEVELS.items():
        assert unit_level_name(code) == label.zh
        assert unit_level_name(code, "en") == label.en
    assert unit_level_choice("city") == "市属 city units"
    assert unit_level_name("unheard-of") == "unheard-of"
    assert profile_name(Profile(city="370200", unit_level="province"), "zh") == "青岛市 省直"
    assert profile_name(Profile(unit_level="city", title_series="卫生")) == "any city, city units, 卫生"


def test_the_table_reads_unit_levels_from_the_one_table(evaluation, monkeypatch):
    before = table.to_table(evaluation)
    monkeypatch.setitem(UNIT_LEVELS, "city", Text("市级", "municipal unit"))
    after = table.to_table(evaluation)
    assert "市属" in before and "市属" not in after and "市级" in after


def test_the_report_dispatches_each_format_to_its_module(evaluation):
    assert FORMATS == ("json", "csv", "table", "xlsx", "html")
    assert render(evaluation, "json", "en") == to_json(evaluation, "en")
    assert json.loads(render(evaluation, "json"))["summary"] == evaluation.summary()
    assert render(evaluation, "csv") == to_csv(evaluation)
    assert render(evaluation, "table", "en") == table.to_table(evaluation, "en")
    assert render(evaluation, "html", "en").startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="to_xlsx"):
        render(evaluation, "xlsx")
    with pytest.raises(ValueError, match="expected one of json, csv, table, xlsx, html"):
        render(evaluation, "xml")


def test_every_html_repr_is_the_render_modules_view(evaluation, what_if, rules):
    assert evaluation._repr_html_() == html.evaluation_html(evaluation)
    first = next(iter(evaluation))
    assert first._repr_html_() == html.person_html(first)
    assert what_if._repr_html_() == html.impact_html(what_if)
    assert what_if.by("city")._repr_html_() == html.impact_table_html(what_if.by("city"))
    draft = Draft.from_dict({"public.required_hours": 35})
    assert draft._repr_html_() == html.draft_html(draft)
    changes = diff(rules, draft.apply(rules))
    assert changes._repr_html_() == html.changes_html(changes)
    assert str(changes) == table.changes_text(changes)


def test_the_person_card_names_the_unit_level_and_the_rule_behind_each_requirement(evaluation):
    card = html.person_html(next(iter(evaluation)))
    assert "市属单位" in card and "SD-2023 §2(1)" in card and "学时" in card


def test_impact_text_and_html_agree_on_the_numbers(what_if):
    summary = what_if.summary()
    line = table.impact_summary_line(what_if, "en")
    assert line.startswith(f"{summary['people']} people: {summary['compliant_before']} compliant")
    assert html.explorer_impact_html(what_if).count("cerules-impact-table") == 3
    text = what_if.by("unit_level").text()
    assert "市属" in text and "省直" in text


def test_a_file_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    with pytest.raises(RuntimeError), atomic_output(target) as stream:
        stream.write(b"half")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "{}\n" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_render_imports_none_of_the_layers_it_renders():
    probe = (
        "import sys, cerules.render.report, cerules.render.html, cerules.render.chart, cerules.render.files\n"
        "print(sorted(m for m in sys.modules if m.startswith(('cerules.evaluation', 'cerules.whatif', 'cerules.ui'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
