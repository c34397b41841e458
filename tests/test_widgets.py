"""The draft explorer, driven as a person would drive it (by setting widget values), without a browser."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import cerules
from cerules.cli.main import main as cli
from cerules.inputs.synth import generate
from cerules.whatif.draft import Draft, DraftError
from cerules.whatif.impact import impact
from tests.plugin_helpers import city_layer, layer_plugin

pytest.importorskip("ipywidgets")

from cerules.ui.widgets import CONTROLS, DraftEditor, explore

FOCUS = ["xi-thought", "congress-20", "yellow-river", "ethics"]


@pytest.fixture(scope="module")
def cohort():
    return generate(1500, seed=5)


@pytest.fixture(scope="module")
def files(cohort, tmp_path_factory):
    return cohort.write(tmp_path_factory.mktemp("cohort"), "parquet")


@pytest.fixture
def explorer(cohort):
    return explore(cohort, year=2023, plugins=False, chart=False)


def run_cli(files, *extra: str, capsys) -> dict:
    persons, records = files
    code = cli(["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--format", "json", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_the_explorer_starts_at_the_baseline(explorer):
    assert len(explorer.draft) == 0 and explorer.error is None
    summary = explorer.summary()
    assert summary["compliant_before"] == summary["compliant_after"] and summary["pass_to_fail"] == 0
    assert explorer.controls["public.required_hours"].value == 30
    assert explorer.controls["professional.required_hours"].value == 60
    assert explorer.controls["public.focus.required_hours"].value == 0
    assert explorer.any_boxes["public.platforms"].value is True  # city staff: any platform
    assert explorer.controls["quality_course.teacher_multiplier"].value == 2
    assert explorer.controls["declared.requires_approval"].value is True
    assert set(explorer.controls) == {control.path for control in CONTROLS}


def test_moving_a_slider_makes_the_draft_and_updates_the_impact(explorer, cohort):
    explorer.controls["public.required_hours"].value = 36
    assert explorer.draft.values() == {"public.required_hours": 36}
    expected = impact(explorer.rules, Draft.from_dict({"public.required_hours": 36}), cohort).summary()
    assert explorer.impact.summary() == expected
    assert expected["pass_to_fail"] > 0
    assert "[public.required_hours]" in explorer.toml_view.value and "value = 36" in explorer.toml_view.value
    assert "public.required_hours" in explorer.diff_view.value and "36" in explorer.diff_view.value
    assert "pass→fail" in explorer.summary_view.value
    # back to the baseline's value: nothing left in the draft
    explorer.controls["public.required_hours"].value = 30
    assert len(explorer.draft) == 0 and explorer.impact.summary()["pass_to_fail"] == 0


def test_scope_and_focus_topics_make_a_scoped_new_requirement(explorer, cohort):
    explorer.scope_widgets["city"].value = "370200"
    explorer.scope_widgets["unit_level"].value = "city"
    explorer.controls["public.focus.required_hours"].value = 10
    draft = explorer.draft
    assert draft.scope.as_dict() == {"city": ["370200"], "unit_level": ["city"]}
    assert draft.values() == {"public.focus.required_hours": 10, "public.focus.count_topics": FOCUS}
    assert draft.layer.labels["public.focus"].en == "Focus topics"
    expected = Draft.from_dict(
        {"public.focus": {"required_hours": 10, "count_topics": FOCUS}}, scope={"city": ["青岛"], "unit_level": ["市属"]}
    )
    assert explorer.impact.summary() == impact(explorer.rules, expected, cohort).summary()
    assert set(explorer.impact.flips.column("city")) <= {"370200"}
    # fewer focus topics: a narrower requirement
    explorer.controls["public.focus.count_topics"].value = ("xi-thought",)
    assert explorer.draft.values()["public.focus.count_topics"] == ["xi-thought"]
    assert explorer.impact.summary()["compliant_after"] <= impact(explorer.rules, expected, cohort).summary()["compliant_after"]


def test_platform_and_topic_lists_and_the_any_toggle(explorer):
    explorer.any_boxes["public.platforms"].value = False  # from "any" to a list: every offered code, then narrow it
    offered = [code for _, code in explorer.controls["public.platforms"].options]
    assert {"sdou", "xkyx", "zjzd", "qdjxjy"} <= set(offered)  # the catalogue and what the records use
    explorer.controls["public.platforms"].value = ("sdou",)
    assert explorer.draft.values() == {"public.platforms": ["sdou"]}
    assert explorer.impact.summary()["records_changed"] > 0
    assert {row["reason_after"] for row in explorer.impact.changed_records.rows()} == {"platform_not_accepted"}
    explorer.any_boxes["public.platforms"].value = True
    assert len(explorer.draft) == 0
    explorer.any_boxes["public.topics"].value = True
    assert explorer.draft.values() == {"public.topics": ["*"]}


def test_multipliers_and_declarations(explorer):
    explorer.controls["quality_course.teacher_multiplier"].value = 3.0
    explorer.controls["declared.requires_approval"].value = False
    explorer.controls["declared.max_hours_per_day"].value = 4.0
    assert explorer.draft.values() == {
        "quality_course.teacher_multiplier": 3,
        "declared.requires_approval": False,
        "declared.max_hours_per_day": 4,
    }
    assert "value = 3\n" in explorer.draft.to_toml()  # whole numbers from sliders are written as integers


def test_set_changes_widgets_and_refuses_a_bad_value_whole(explorer):
    explorer.set({"public.required_hours": 32, "professional.required_hours": 64}, city="370200")
    assert explorer.controls["public.required_hours"].value == 32
    assert explorer.scope_widgets["city"].value == "370200"
    before = (explorer.draft, explorer.impact)
    with pytest.raises(DraftError) as caught:
        explorer.set({"public.required_hours": 33, "professional.required_hours": -1, "public.gadgets": 1})
    assert set(caught.value.paths) == {"professional.required_hours.value", "public.gadgets"}
    assert (explorer.draft, explorer.impact) == before  # nothing half-applied
    assert explorer.editor.values == {"public.required_hours": 32, "professional.required_hours": 64}
    assert explorer.controls["public.required_hours"].value == 32
    explorer.set("public.deadline", "2023-10-31")  # a path without a control
    assert explorer.draft.values()["public.deadline"] == "2023-10-31"
    explorer.reset()
    assert len(explorer.draft) == 0 and explorer.controls["public.required_hours"].value == 30


def test_an_invalid_widget_change_is_shown_and_the_last_valid_draft_kept(explorer):
    explorer.controls["public.required_hours"].value = 34
    valid = explorer.draft
    explorer.editor.values["public.platforms"] = "sdou"  # not a list: as a buggy control would give
    explorer.update()
    assert explorer.error is not None and "public.platforms" in explorer.error
    assert "草案未采用" in explorer.status.value
    assert explorer.draft is valid
    with pytest.raises(DraftError):
        explorer.export("never.toml")


def test_a_draft_exported_from_the_explorer_gives_its_numbers_on_the_command_line(explorer, files, tmp_path, capsys):
    explorer.set({"public.required_hours": 33, "public.focus.required_hours": 8}, city="370200", unit_level="city")
    explorer.any_boxes["public.platforms"].value = False
    explorer.controls["public.platforms"].value = ("qdjxjy", "sdou")
    shown = explorer.impact.summary()
    path = explorer.export(tmp_path / "draft.toml")
    document = run_cli(files, "--rules", str(path), "--no-plugins", capsys=capsys)
    assert document["summary"]["people"] == shown["people"]
    assert document["summary"]["compliant"] == shown["compliant_after"]
    verdicts = {entry["person_id"]: entry["compliant"] for entry in document["people"]}
    assert [verdicts[str(pid)] for pid in explorer.impact.person_id] == explorer.impact.after.tolist()
    assert document["rules"]["sha256"] == explorer.draft_rules.sha256
    baseline = run_cli(files, "--no-plugins", capsys=capsys)
    assert baseline["summary"]["compliant"] == shown["compliant_before"]
    assert explorer.cli_command("persons.parquet", "records.parquet", "draft.toml").endswith("--no-plugins")


def test_the_export_button_writes_the_file_and_says_where_in_full(explorer, tmp_path, monkeypatch):
    explorer.controls["public.required_hours"].value = 31
    monkeypatch.chdir(tmp_path)
    explorer.export_path.value = "out.toml"
    explorer.export_button.click()
    assert f"exported: <code>{tmp_path / 'out.toml'}</code>" in explorer.export_status.value  # absolute, not `out.toml`
    assert Draft.from_toml(tmp_path / "out.toml").values() == {"public.required_hours": 31}
    explorer.export_path.value = str(tmp_path / "no" / "such" / "dir" / "x.toml")
    explorer.export_button.click()
    assert "No such file" in explorer.export_status.value


def test_plugins_offered_as_modules_can_be_switched_off(cohort):
    qingdao = city_layer("qd", "370200", '[public]\nrequired_hours = { value = 40, citation = "QD §1" }\n')
    module = layer_plugin("cerules-qd-test", qingdao)
    explorer = explore(cohort, plugins=[module], chart=False)
    assert list(explorer.plugin_boxes) == ["cerules-qd-test"]
    assert [layer.id for layer in explorer.rules.layers] == ["province", "qd"]
    with_plugin = explorer.summary()["compliant_before"]
    explorer.scope_widgets["city"].value = "370200"
    assert explorer.controls["public.required_hours"].value == 40  # the baseline of the scope, plugin included
    explorer.plugin_boxes["cerules-qd-test"].value = False
    assert [layer.id for layer in explorer.rules.layers] == ["province"]
    assert explorer.controls["public.required_hours"].value == 30
    assert explorer.summary()["compliant_before"] > with_plugin
    explorer.set_plugins(["cerules-qd-test"])
    assert explorer.summary()["compliant_before"] == with_plugin
    with pytest.raises(ValueError, match="unknown plugin"):
        explorer.set_plugins(["nope"])


@pytest.mark.installed_plugins
def test_with_the_installed_plugins_the_command_line_agrees_too(cohort, files, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CERULES_LOAD_PLUGINS", raising=False)
    explorer = explore(cohort, plugins=True, chart=False)
    names = list(explorer.plugin_boxes)
    explorer.set({"public.required_hours": 34})
    path = explorer.export(tmp_path / "draft.toml")
    document = run_cli(files, "--rules", str(path), capsys=capsys)
    assert document["summary"]["compliant"] == explorer.summary()["compliant_after"]
    assert sorted(layer["plugin"] for layer in document["rules"]["layers"] if layer["plugin"]) == sorted(
        {layer.plugin for layer in explorer.rules.layers if layer.plugin}
    )
    if names:
        assert explorer.cli_command("p", "r").startswith(f"CERULES_LOAD_PLUGINS={','.join(names)} ")


def test_the_chart_tab_holds_the_svg(cohort):
    pytest.importorskip("matplotlib")
    explorer = explore(cohort, plugins=False, chart=True)
    explorer.controls["public.required_hours"].value = 35
    assert "<svg" in explorer.chart_view.value and "Qingdao" in explorer.chart_view.value
    assert explorer.seconds > 0


def test_the_editor_is_plain_python():
    rules = cerules.load_rules(2023, plugins=False)
    editor = DraftEditor(rules)
    editor.set_scope(unit_level="province")
    assert editor.reference("public.platforms") == ["sdou", "xkyx", "zjzd"]
    editor.set("public.platforms", ("sdou", "zjzd", "xkyx"))
    assert editor.values == {}  # the same list in another order is no change
    editor.set("public.focus.count_topics", ["ethics"])
    assert editor.entries() == {}  # topics of a requirement nobody has yet
    editor.set("public.focus.required_hours", 12)
    assert editor.draft().values() == {"public.focus.required_hours": 12, "public.focus.count_topics": ["ethics"]}
    assert editor.draft().scope.as_dict() == {"unit_level": ["province"]}


def test_a_missing_ipywidgets_is_a_clear_error(cohort, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"pip install 'cerules\[notebook\]'"):
        explore(cohort, plugins=False)


def test_explorer_numbers_match_direct_batch_evaluation(explorer, cohort):
    from cerules.evaluation.batch import evaluate_batch

    explorer.set({"public.required_hours": 28, "professional.required_hours": 66})
    direct = evaluate_batch(explorer.draft_rules, cohort.persons, cohort.records)
    assert np.array_equal(direct.compliant, explorer.impact.after)


def test_the_export_never_writes_over_the_cohort_files(explorer, tmp_path):
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city\n", encoding="utf-8")
    explorer.inputs = (persons,)
    explorer.controls["public.required_hours"].value = 32
    explorer.export_path.value = str(persons)
    explorer.export_button.click()
    assert "persons.csv" in explorer.export_status.value and "exported" not in explorer.export_status.value
    assert persons.read_text(encoding="utf-8") == "person_id,city\n"


def test_the_headline_beside_the_controls_follows_the_draft(explorer):
    assert "0 → <b>0</b>" not in explorer.headline_view.value
    summary = explorer.summary()
    assert f"{summary['compliant_before']} → <b>{summary['compliant_after']}</b>" in explorer.headline_view.value
    assert "no city changes" in explorer.headline_view.value
    explorer.controls["public.required_hours"].value = 40
    summary = explorer.summary()
    shown = explorer.headline_view.value
    assert f"{summary['compliant_before']} → <b>{summary['compliant_after']}</b>" in shown
    assert f"pass→fail <b style='color:#cf222e'>{summary['pass_to_fail']}</b>" in shown
    moved = [row for row in explorer.impact.by("city").rows() if row["pass_to_fail"] or row["fail_to_pass"]]
    most = max(moved, key=lambda row: row["pass_to_fail"] + row["fail_to_pass"])
    assert f"<td>{most['name']} {most['name_en']}</td><td>{most['compliant_before']} → {most['compliant_after']}" in shown
    assert shown.count("<tr>") == min(len(moved), 8)
    assert (f"{len(moved) - 8} more cities" in shown) == (len(moved) > 8)


def test_every_control_has_its_label_on_a_line_of_its_own(explorer):
    """Not a description squeezed into 15em beside the widget (`专业科目学时 Professional ho…`): HTML that wraps."""
    for control in CONTROLS:
        box = next(b for b in _boxes(explorer.widget) if f"cerules-control-{control.path.replace('.', '-')}" in b._dom_classes)
        label = box.children[0]
        assert control.label.en in label.value and control.label.zh in label.value
        assert "cerules-label" in label._dom_classes
        assert not getattr(explorer.controls[control.path], "description", "").startswith(control.label.zh)


def _boxes(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _boxes(child)


def test_the_person_tab_shows_somebody_who_flips_under_the_draft_and_the_baseline(explorer):
    assert explorer.person_view.value == ""  # nobody chosen yet
    explorer.controls["public.required_hours"].value = 40
    flipped = [str(pid) for pid in explorer.impact.pass_to_fail]
    assert list(explorer.person_id.options[: len(flipped)]) == flipped[: len(explorer.person_id.options)]
    explorer.person_id.value = flipped[0]
    draft_card, baseline_card = explorer.person_view.value.split("<div class='cerules-person-under'>")[1:]
    assert draft_card.startswith("<p><b>草案 draft</b></p>") and "未达标" in draft_card
    assert baseline_card.startswith("<p><b>现行规则 baseline</b></p>") and "未达标" not in baseline_card
    assert "<th style='white-space:nowrap'>学时</th><th style='white-space:nowrap'>认定</th>" in draft_card
    explorer.controls["public.required_hours"].value = 30  # back to the baseline: the card follows
    assert "未达标" not in explorer.person_view.value.split("<div class='cerules-person-under'>")[1]
    explorer.person_id.value = "nobody"
    assert "no person with the id <code>nobody</code>" in explorer.person_view.value
