"""Rule files: the shipped provincial layer, loading errors, round trips, lint and immutability."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.rules import (
    CitedValue,
    Profile,
    RulesError,
    RuleSet,
    Scope,
    dumps_layer,
    layer_from_dict,
    lint_layer,
    parse_layer,
    provincial_layer,
    write_layer,
)


def test_the_2023_provincial_layer_sets_30_public_and_60_professional_hours_with_citations(rules):
    policy = rules.resolve(Profile(city="370200"))
    public, professional = policy.requirements
    assert (public.id, public.required, public.provenance.citation) == ("public", 3000, "SD-2023 §2(1)")
    assert (professional.id, professional.required, professional.provenance.citation) == ("professional", 6000, "SD-2023 §3(1)")
    assert public.provenance.layer == professional.provenance.layer == "province"


def test_provincial_unit_staff_study_public_subjects_on_the_three_named_platforms(rules):
    provincial = rules.resolve(Profile(city="370100", unit_level="province"))
    assert provincial.accepted("public", "platforms") == {"sdou", "xkyx", "zjzd"}
    assert provincial.values["public.platforms"].provenance.citation == "SD-2023 §2(2)"
    names = {code: entry.name.zh for code, entry in rules.catalog.entries("platforms").items()}
    assert names == {"sdou": "山东开放大学", "xkyx": "蟹壳云学", "zjzd": "专技知到"}


def test_city_staff_public_platforms_are_left_to_their_city(rules):
    assert rules.resolve(Profile(city="370100", unit_level="city")).accepted("public", "platforms") is None


def test_topics_list_the_focus_series_and_the_self_chosen_areas(rules):
    topics = rules.catalog.entries("topics")
    focus = {code for code, entry in topics.items() if entry.group == "focus"}
    assert focus == {"xi-thought", "congress-20", "yellow-river", "ethics"}
    assert len(topics) - len(focus) == 9
    assert rules.resolve(Profile()).accepted("public", "topics") == frozenset(topics)


def test_quality_course_teachers_get_twice_the_hours(rules):
    policy = rules.resolve(Profile())
    assert policy.teacher_multiplier == 200
    assert policy.values["quality_course.teacher_multiplier"].provenance.citation == "SD-2023 §2(3)"


def test_the_declared_hours_cap_is_marked_unverified(rules):
    cap = rules.resolve(Profile()).values["declared.max_hours_per_day"]
    assert cap.value == 8 and cap.provenance.verified is False


def test_the_provincial_layer_applies_to_2023_only():
    layer = provincial_layer(2023)
    assert layer.years == {2023}
    with pytest.raises(RulesError, match="no provincial rules for 2031"):
        provincial_layer(2031)


def test_every_provincial_value_has_a_citation():
    assert [p for p in lint_layer(provincial_layer(2023)) if p.severity == "error"] == []


def test_lint_reports_a_value_without_citation_by_file_and_key():
    layer = parse_layer("[public]\nrequired_hours = 35\n", file="draft.toml", default_rank="draft")
    (problem,) = lint_layer(layer)
    assert (problem.file, problem.key, problem.severity) == ("draft.toml", "public.required_hours", "error")


def test_writing_then_loading_a_layer_gives_the_same_layer(tmp_path):
    layer = provincial_layer(2023)
    write_layer(layer, tmp_path / "copy.toml")
    again = cerules.load_layer(tmp_path / "copy.toml")
    assert attrs.evolve(again, file=layer.file) == layer


@given(
    hours=st.integers(min_value=0, max_value=500),
    platforms=st.lists(st.sampled_from(["sdou", "xkyx", "zjzd", "qdjxjy"]), min_size=1, unique=True),
    citation=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(str.strip),
    city=st.sampled_from(["370200", "370800"]),
)
def test_any_draft_layer_round_trips_through_toml(hours, platforms, citation, city):
    document = {
        "layer": {"id": "draft-x", "rank": "draft", "title": {"zh": "草案", "en": "draft"}, "years": [2023]},
        "public": {
            "required_hours": {"value": hours, "citation": citation},
            "platforms": [{"value": platforms, "citation": citation, "when": {"city": [city]}}],
        },
    }
    layer = layer_from_dict(document)
    assert parse_layer(dumps_layer(layer), file=layer.file) == layer


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[public]\nrequired_hours = { value = 'thirty', citation = 'x' }\n", "public.required_hours.value", "expected a number"),
        ("[public]\nrequired_hours = { value = -1, citation = 'x' }\n", "public.required_hours.value", ">= 0"),
        ("[public]\nplatforms = { value = 'sdou', citation = 'x' }\n", "public.platforms.value", "list of codes"),
        ("[public]\nrequired_minutes = { value = 3, citation = 'x' }\n", "public.required_minutes", "unknown rule parameter"),
        ("[public]\nrequired_hours = { value = 3, citation = 'x', sourse = 'y' }\n", "public.required_hours.sourse", "unknown key"),
        ("[layer]\nid = 'x'\nrank = 'county'\n", "layer.rank", "expected one of province, city, department, draft"),
        ("[layer]\nid = 'x'\nrank = 'city'\nscope = { town = ['a'] }\n", "layer.scope.town", "unknown scope attribute"),
        ("[declared]\nrequires_approval = { value = 'yes', citation = 'x' }\n", "declared.requires_approval.value", "true or false"),
        (
            "[[public.platforms]]\nvalue = ['sdou']\ncitation = 'a'\n[[public.platforms]]\nvalue = ['xkyx']\ncitation = 'b'\n",
            "public.platforms",
            "disjoint",
        ),
    ],
)
def test_a_bad_rule_file_is_reported_with_file_key_and_what_was_expected(text, key, expected):
    with pytest.raises(RulesError) as caught:
        parse_layer(text, file="bad.toml", default_rank="draft")
    assert caught.value.file == "bad.toml"
    assert caught.value.key == key
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"bad.toml: key '{key}'")


def test_invalid_toml_syntax_names_the_file_and_position():
    with pytest.raises(RulesError, match=r"bad.toml: not valid TOML: .*line 2"):
        parse_layer("[public]\nrequired_hours = = 3\n", file="bad.toml")


def test_a_requirement_for_an_unknown_subject_is_refused_when_the_rules_are_assembled(rules):
    draft = parse_layer("[elective]\nrequired_hours = 18\n", file="d.toml", default_rank="draft")
    with pytest.raises(RulesError, match="unknown subject 'elective'"):
        rules.with_layer(draft)


def test_rule_objects_are_immutable(rules):
    layer = rules.layers[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        layer.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        layer.parameters["public.required_hours"] = ()  # type: ignore[index]


def test_a_draft_on_top_never_changes_the_baseline(rules):
    before = rules.sha256
    draft = parse_layer("[public]\nrequired_hours = 35\n", file="d.toml", default_rank="draft")
    what_if = rules.with_layer(draft)
    assert what_if.resolve(Profile()).requirements[0].required == 3500
    assert what_if.resolve(Profile()).requirements[0].provenance.layer == "draft"
    assert rules.resolve(Profile()).requirements[0].required == 3000
    assert rules.sha256 == before != what_if.sha256


def test_the_digest_depends_on_the_rules_not_on_how_the_file_is_laid_out(tmp_path):
    layer = provincial_layer(2023)
    reordered = layer_from_dict(dict(reversed(list(cerules.rules.layer_to_dict(layer).items()))), file="other.toml")
    assert RuleSet(2023, [layer]).sha256 == RuleSet(2023, [attrs.evolve(reordered, file=layer.file)]).sha256


def test_scopes_overlap_unless_some_attribute_rules_it_out():
    province = Scope.of({"unit_level": ["province"]})
    city = Scope.of({"unit_level": ["city"]})
    qingdao = Scope.of({"city": ["370200"]})
    assert not province.overlaps(city)
    assert province.overlaps(qingdao) and qingdao.overlaps(city)
    assert Scope().overlaps(province)


def test_a_value_applies_only_to_the_people_its_when_names():
    value = CitedValue(["sdou"], "x", when=Scope.of({"unit_level": ["province"]}))
    assert value.when.matches(Profile(unit_level="province"))
    assert not value.when.matches(Profile(unit_level="city"))
