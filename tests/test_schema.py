"""The rule schema: each parameter defined once, and everything that speaks of parameters reads it."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from cerules.base.errors import CeruleError
from cerules.base.hours import to_hundredths
from cerules.kernel import reasons
from cerules.rules import Profile, RulesError, RuleSet, parse_layer, provincial_layer
from cerules.rules.docs import BEGIN, END, REGENERATE, parameter_table_markdown, with_table
from cerules.rules.kinds import SchemaError
from cerules.rules.schema import (
    GLOBAL_PARAMETERS,
    GLOBAL_ROOTS,
    PARAMETERS,
    SUBJECTS,
    UNITS,
    default_for,
    parameter_for,
    unit_name,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_reason_the_schema_names_is_a_reason_code_of_the_contract():
    named = {p.reason for p in PARAMETERS if p.reason}
    assert named, "the schema names the reasons its parameters produce"
    assert named <= set(reasons.NAMES), f"not in cerules.kernel.reasons.NAMES: {sorted(named - set(reasons.NAMES))}"


def test_each_parameter_is_defined_once_with_its_meaning_in_chinese_and_english():
    patterns = [p.pattern for p in PARAMETERS]
    assert len(patterns) == len(set(patterns))
    for p in PARAMETERS:
        assert p.meaning.zh and p.meaning.en and p.meaning.zh != p.meaning.en, p.pattern
        assert p.kind.name.zh and p.kind.name.en, p.pattern


def test_an_explain_template_asks_for_the_same_fields_in_both_languages():
    worded = [p for p in PARAMETERS if p.explain is not None]
    assert worded
    for p in worded:
        assert _fields(p.explain.zh) == _fields(p.explain.en), p.pattern


def test_a_template_fills_a_bilingual_field_with_each_language_s_form():
    from cerules.rules.model import Text

    words = parameter_for("public.topics").words(topic="astrology", subject=Text("公需科目", "public"))
    assert words.zh == "主题“astrology”不在认可的公需科目主题内"
    assert words.en == "topic 'astrology' is not an accepted public topic"


def test_paths_find_their_parameter_by_pattern():
    assert parameter_for("public.required_hours").pattern == "<requirement>.required_hours"
    assert parameter_for("public.focus.count_topics").pattern == "<requirement>.count_topics"
    assert parameter_for("professional.platforms").pattern == "<subject>.platforms"
    assert parameter_for("declared.max_hours_per_day") is GLOBAL_PARAMETERS["declared.max_hours_per_day"]
    assert parameter_for("daily_cap.max_hours") is GLOBAL_PARAMETERS["daily_cap.max_hours"]
    assert parameter_for("total.count_subjects").pattern == "<requirement>.count_subjects"
    assert parameter_for("professional.window_years").pattern == "<requirement>.window_years"
    assert GLOBAL_ROOTS == {"quality_course", "declared", "daily_cap", "counting"}
    with pytest.raises(SchemaError) as caught:
        parameter_for("public.focus.platforms")
    assert str(caught.value).startswith("unknown rule parameter; known parameters: ")
    assert caught.value.in_lang("zh").startswith("未知的规则参数")


def test_a_policy_takes_what_no_layer_sets_from_the_schema():
    bare = parse_layer(
        "[layer]\nid = 'bare'\nrank = 'province'\n[catalog.subjects.public]\nname = '公需科目'\n[public]\nrequired_hours = 30\n",
        file="bare.toml",
    )
    policy = RuleSet(2023, [bare]).resolve(Profile())
    assert policy.teacher_multiplier == to_hundredths(default_for("quality_course.teacher_multiplier")) == 100
    assert policy.declared_requires_approval is default_for("declared.requires_approval") is True
    assert policy.declared_cap is default_for("declared.max_hours_per_day") is None
    assert policy.listed_courses_only("public") is default_for("public.listed_courses_only") is False
    assert policy.accepted("public", "platforms") is None and policy.deadline("public") is None
    assert policy.value("declared.requires_approval") is None  # the value itself stays unset


def test_an_unknown_path_has_no_default():
    assert default_for("public.nonsense") is None
    assert default_for("public.focus.required_hours") == 0


def test_the_two_subjects_every_person_has_are_named_by_the_provincial_catalogue():
    catalogue = provincial_layer(2023).catalog.entries("subjects")
    assert SUBJECTS == ("public", "professional")
    assert {code: catalogue[code].name.zh for code in SUBJECTS} == {"public": "公需科目", "professional": "专业科目"}


def test_units_have_names_in_both_languages():
    assert unit_name("hours").zh == "学时" and unit_name("credits").en == "credits"
    assert set(UNITS) == {"hours", "credits"}


def test_the_parameter_table_of_docs_rules_md_is_the_schema_s():
    document = DOCS.read_text(encoding="utf-8")
    assert BEGIN in document and END in document
    assert with_table(document) == document, f"docs/rules.md's parameter table differs from the schema; run `{REGENERATE}`"


def test_the_generated_table_lists_every_parameter_with_its_reason():
    table = parameter_table_markdown()
    for p in PARAMETERS:
        assert f"`{p.pattern}`" in table
    assert "`platform_not_accepted`" in table and "`past_deadline`" in table


def test_a_schema_error_speaks_both_languages_and_str_is_english():
    with pytest.raises(SchemaError) as caught:
        parameter_for("public.required_hours").check(-1)
    error = caught.value
    assert isinstance(error, CeruleError) and isinstance(error, ValueError)
    assert str(error) == "expected a number >= 0, got -1"
    assert error.in_lang("zh") == "应为不小于 0 的数，实际为 -1"


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("[public]\nrequired_hours = { value = -1, citation = 'x' }\n", "bad.toml：键 'public.required_hours.value'：应为不小于 0 的数"),
        ("[public]\nrequired_minutes = 3\n", "bad.toml：键 'public.required_minutes'：未知的规则参数"),
        ("[layer]\nid = 'x'\nrank = 'county'\n", "bad.toml：键 'layer.rank'：应为 province / city / department / draft 之一"),
        ("[public]\nrequired_hours = = 3\n", "bad.toml：不是有效的 TOML：第 2 行第 18 列"),
    ],
)
def test_a_rules_error_names_file_and_key_in_chinese_too(text, zh):
    with pytest.raises(RulesError) as caught:
        parse_layer(text, file="bad.toml", default_rank="draft")
    error = caught.value
    assert isinstance(error, CeruleError) and isinstance(error, ValueError)
    assert error.in_lang("zh").startswith(zh)
    assert str(error) == error.in_lang("en") and str(error).startswith("bad.toml: ")
    assert error.problem.en == error.message and error.problem.zh in error.in_lang("zh")


def test_a_missing_rule_file_is_reported_by_the_one_toml_reader(tmp_path):
    from cerules.rules import load_layer

    with pytest.raises(RulesError) as caught:
        load_layer(tmp_path / "nowhere.toml")
    assert str(caught.value) == f"{tmp_path / 'nowhere.toml'}: file not found"
    assert caught.value.in_lang("zh").endswith("文件不存在")


def test_a_jurisdiction_error_names_the_subject_as_the_catalogue_does(rules):
    city = parse_layer(
        "[layer]\nid = 'qd'\nrank = 'city'\nscope = { city = ['370200'], unit_level = ['city'] }\n"
        "[professional]\nrequired_hours = { value = 70, citation = 'QD' }\n",
        file="qd.toml",
    )
    with pytest.raises(RulesError) as caught:
        rules.with_layer(city)
    assert "a city layer sets public subjects only" in str(caught.value)
    assert "市级规则层只能设定公需科目" in caught.value.in_lang("zh")


def test_a_draft_error_is_a_bilingual_rules_error():
    from cerules.whatif.draft import Draft, DraftError

    with pytest.raises(DraftError) as caught:
        Draft.from_dict({"public.required_hours": -1})
    error = caught.value
    assert isinstance(error, RulesError) and isinstance(error, CeruleError)
    assert "draft refused, nothing applied" in str(error)
    assert error.in_lang("zh").startswith("<draft>：草案未采用")
