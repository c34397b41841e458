"""Drafts as data: built from rule paths or TOML, validated whole, never changing the baseline."""

from __future__ import annotations

import pytest

import cerules
from cerules.rules import RulesError, lint_layer, load_layer
from cerules.rules.model import Profile
from cerules.whatif.draft import Change, Changes, Draft, DraftError, diff, profiles_of

QINGDAO_CITY = Profile(city="370200", unit_level="city")
QINGDAO_PROVINCIAL = Profile(city="370200", unit_level="province")
JINAN_CITY = Profile(city="370100", unit_level="city")
FOCUS = ["xi-thought", "congress-20", "yellow-river", "ethics"]


def test_a_draft_from_paths_is_a_draft_layer_with_a_citation_for_every_value():
    draft = Draft.from_dict(
        {"public.required_hours": 35, "public.platforms": {"value": ["sdou"], "when": {"city": ["青岛"]}}},
        citation="2024 年度草案 §1",
    )
    layer = draft.layer
    assert layer.rank == "draft" and layer.id == "draft"
    assert draft.paths == ("public.required_hours", "public.platforms")
    assert draft.values() == {"public.required_hours": 35, "public.platforms": ["sdou"]}
    assert all(value.citation == "2024 年度草案 §1" for _, value in layer.cited_values())
    assert layer.parameters["public.platforms"][0].when.as_dict() == {"city": ["370200"]}  # 青岛 read as its code
    assert [p for p in lint_layer(layer) if p.severity == "error"] == []


def test_a_new_requirement_can_be_given_as_a_table_under_its_path():
    draft = Draft.from_dict(
        {"public.focus": {"required_hours": 10, "count_topics": FOCUS, "label": {"zh": "重点内容", "en": "Focus topics"}}},
        scope={"city": "青岛", "unit_level": "市属"},
    )
    assert set(draft.paths) == {"public.focus.required_hours", "public.focus.count_topics"}
    assert draft.scope.as_dict() == {"city": ["370200"], "unit_level": ["city"]}
    rules = cerules.load_rules(2023, plugins=False)
    what_if = draft.apply(rules)
    focus = next(r for r in what_if.resolve(QINGDAO_CITY).requirements if r.id == "public.focus")
    assert (focus.required, focus.label.en, focus.count_topics) == (1000, "Focus topics", frozenset(FOCUS))
    assert [r.id for r in what_if.resolve(QINGDAO_PROVINCIAL).requirements] == ["public", "professional"]
    assert [r.id for r in what_if.resolve(JINAN_CITY).requirements] == ["public", "professional"]


def test_a_bad_draft_is_refused_whole_naming_every_bad_path_and_value():
    with pytest.raises(DraftError) as caught:
        Draft.from_dict(
            {
                "public.required_hours": -1,
                "public.requried_hours": 35,
                "public.platforms": "sdou",
                "quality_course.teacher_multiplier": 0,
                "public.topics": {"value": ["digital"], "when": {"city": ["Atlantis"]}},
                "public.deadline": "2023-02-30",
                "public.required_hours.value": 3,
            },
            scope={"city": ["北京"], "colour": ["blue"]},
        )
    error = caught.value
    assert isinstance(error, RulesError) and isinstance(error, ValueError)  # the CLI and callers catch it as one
    named = set(error.paths)
    for path in (
        "public.required_hours.value",
        "public.requried_hours",
        "public.platforms.value",
        "quality_course.teacher_multiplier.value",
        "public.topics.when.city",
        "public.deadline.value",
        "layer.scope.city",
        "layer.scope.colour",
    ):
        assert path in named, path
    message = str(error)
    assert "expected a number >= 0, got -1" in message
    assert "unknown rule parameter" in message
    assert "not a Shandong city code or name: 'Atlantis'" in message
    assert "nothing applied" in message


def test_a_value_given_twice_or_inside_another_is_refused():
    with pytest.raises(DraftError) as caught:
        Draft.from_dict({"public.focus": {"required_hours": 10}, "public.focus.required_hours": 12})
    assert caught.value.paths == ("public.focus.required_hours",)


def test_variants_for_the_same_people_are_refused():
    with pytest.raises(DraftError) as caught:
        Draft.from_dict({"public.required_hours": [{"value": 32, "when": {"city": ["370200"]}}, {"value": 35}]})
    assert "public.required_hours" in caught.value.paths


def test_applying_a_draft_never_changes_the_baseline():
    rules = cerules.load_rules(2023, plugins=False)
    layers, digest = rules.layers, rules.sha256
    draft = Draft.from_dict({"public.required_hours": 35})
    what_if = draft.apply(rules)
    assert what_if is not rules
    assert rules.layers is layers and rules.sha256 == digest
    assert rules.resolve(JINAN_CITY).value("public.required_hours") == 30
    assert what_if.resolve(JINAN_CITY).value("public.required_hours") == 35
    assert what_if.sha256 != digest
    assert what_if.layers[:-1] == layers and what_if.layers[-1] is draft.layer


def test_what_only_the_rules_can_tell_is_checked_when_applying_and_refused_whole():
    rules = cerules.load_rules(2023, plugins=False)
    draft = Draft.from_dict(
        {"gardening.required_hours": 3, "public.total.sum_of": ["public.focus"], "public.total.required_hours": 40}, id="province"
    )
    digest = rules.sha256
    with pytest.raises(DraftError) as caught:
        draft.apply(rules)
    assert set(caught.value.paths) == {"gardening.required_hours", "public.total.sum_of", "layer.id"}
    assert "unknown subject 'gardening'" in str(caught.value)
    assert rules.sha256 == digest and len(rules.layers) == 1


def test_a_draft_for_another_year_is_refused():
    with pytest.raises(DraftError, match="not to 2023"):
        Draft.from_dict({"public.required_hours": 35}, years=[2024]).apply(cerules.load_rules(2023, plugins=False))


def test_the_toml_of_a_draft_loads_back_as_the_same_layer(tmp_path):
    draft = Draft.from_dict(
        {
            "public.focus": {"required_hours": 10, "count_topics": FOCUS, "label": {"zh": "重点内容", "en": "Focus topics"}},
            "public.platforms": [
                {"value": ["qdjxjy"], "when": {"city": ["370200"], "unit_level": ["city"]}},
                {"value": ["sdou", "xkyx", "zjzd"], "when": {"unit_level": ["province"]}},
            ],
            "declared.max_hours_per_day": 6.5,
            "catalog.platforms.qdjxjy": {
                "name": {"zh": "青岛市继续教育平台", "en": "Qingdao platform"},
                "citation": "青人社发〔2023〕10号",
            },
        },
        scope={"city": ["370200"]},
        id="qingdao-2024",
        citation="青岛 2024 草案",
    )
    path = draft.write(tmp_path / "draft.toml")
    rules = cerules.load_rules(2023, plugins=False)
    for again in (
        Draft.from_toml(path),
        Draft.from_text(draft.to_toml()),
        Draft.from_dict(draft.to_dict(), scope=draft.scope, id="qingdao-2024"),
    ):
        assert again.layer.parameters == draft.layer.parameters
        assert (again.scope, again.layer.labels, again.layer.catalog) == (draft.scope, draft.layer.labels, draft.layer.catalog)
        assert again.apply(rules).sha256 == draft.apply(rules).sha256
    # what `cerules evaluate --rules` does with the file gives the same effective rules
    assert cerules.load_rules(2023, plugins=False, rules=[path]).sha256 == draft.apply(rules).sha256
    assert load_layer(path, default_rank="draft").parameters == draft.layer.parameters


def test_every_problem_of_a_draft_file_is_reported_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[layer]\nid = "bad"\nscope = { city = ["Gotham"] }\n\n'
        "[public]\nrequired_hours = { value = -5, citation = 'x' }\nplatform = ['sdou']\n\n"
        "[professional]\nrequired_hours = { value = 'sixty', citation = 'y' }\n",
        encoding="utf-8",
    )
    with pytest.raises(DraftError) as caught:
        Draft.from_toml(path)
    assert set(caught.value.paths) == {
        "layer.scope.city",
        "public.required_hours.value",
        "public.platform",
        "professional.required_hours.value",
    }
    assert str(path) in str(caught.value)
    with pytest.raises(DraftError, match="not valid TOML"):
        Draft.from_text("[public\n")
    with pytest.raises(DraftError, match="file not found"):
        Draft.from_toml(tmp_path / "missing.toml")


def test_diff_lists_the_resolved_values_that_change_with_their_provenance():
    rules = cerules.load_rules(2023, plugins=False)
    draft = Draft.from_dict(
        {"public.required_hours": 35, "public.platforms": ["qdjxjy"], "professional.required_hours": 60},
        scope={"city": ["370200"], "unit_level": ["city"]},
        citation="青岛 2024 草案",
    )
    what_if = draft.apply(rules)
    changes = diff(rules, what_if, QINGDAO_CITY)
    assert isinstance(changes, Changes)
    by_path = {change.path: change for change in changes}
    assert set(by_path) == {"public.required_hours", "public.platforms"}  # 60 restated is not a change
    hours = by_path["public.required_hours"]
    assert (hours.before, hours.after) == (30, 35)
    assert hours.provenance is not None and hours.provenance.layer == "draft" and hours.provenance.citation == "青岛 2024 草案"
    assert hours.before_provenance is not None and hours.before_provenance.citation == "SD-2023 §2(1)"
    assert by_path["public.platforms"].before == ["*"] and by_path["public.platforms"].after == ["qdjxjy"]
    assert diff(rules, what_if, JINAN_CITY) == []
    assert diff(rules, what_if, {"city": ["济南"]}) == []
    assert str(diff(rules, rules)) == "没有变化 / no changes"
    # without a target: the people the draft covers
    assert {c.path for c in diff(rules, what_if)} == {"public.required_hours", "public.platforms"}
    assert draft.diff(rules, QINGDAO_CITY) == changes


def test_a_change_that_holds_for_several_profiles_is_listed_once_with_all_of_them():
    rules = cerules.load_rules(2023, plugins=False)
    what_if = Draft.from_dict({"public.required_hours": 35}).apply(rules)
    changes = diff(rules, what_if, {"city": ["青岛", "济南"]})
    assert len(changes) == 1
    change = changes[0]
    assert isinstance(change, Change)
    assert set(change.profiles) == set(profiles_of({"city": ["370200", "370100"]}))
    assert len(change.profiles) == 4  # two cities, both unit levels
    text = changes.text()
    assert text.startswith("public.required_hours: 30 → 35")
    html = changes._repr_html_()
    assert html == diff(rules, what_if, {"city": ["青岛", "济南"]})._repr_html_()  # deterministic
    assert "<code>public.required_hours</code>" in html and "SD-2023 §2(1)" in html


def test_catalogue_entries_and_labels_can_be_drafted():
    draft = Draft.from_dict(
        {
            "catalog.platforms.yantai": {"name": {"zh": "烟台平台", "en": "Yantai platform"}, "citation": "烟台 2024"},
            "public.platforms": {"value": ["yantai"], "when": {"city": ["烟台"], "unit_level": ["市属"]}},
        }
    )
    assert "yantai" in draft.layer.catalog.entries("platforms")
    what_if = draft.apply(cerules.load_rules(2023, plugins=False))
    assert what_if.resolve(Profile(city="370600", unit_level="city")).accepted("public", "platforms") == {"yantai"}
    with pytest.raises(DraftError) as caught:
        Draft.from_dict({"catalog.platforms.x": {"name": {"zh": "x"}, "colour": "red"}, "catalog.gadgets.y": {"name": "y"}})
    assert set(caught.value.paths) == {"catalog.platforms.x.colour", "catalog.gadgets"}


def test_from_dict_takes_a_mapping_only():
    with pytest.raises(DraftError, match="expected a mapping"):
        Draft.from_dict([("public.required_hours", 35)])  # type: ignore[arg-type]
    with pytest.raises(DraftError, match="empty table"):
        Draft.from_dict({"public.focus": {}})


def test_the_draft_shows_itself_as_toml():
    draft = Draft.from_dict({"public.required_hours": 35})
    assert "[public.required_hours]" in draft.to_toml() and "value = 35" in draft.to_toml()
    assert draft._repr_html_().startswith("<div class='cerules-draft'><pre>[layer]")
    assert repr(draft) == "Draft(id='draft', paths=['public.required_hours'])"
