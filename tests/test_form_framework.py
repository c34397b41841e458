"""What plans, postings, bids and registries share: unusable files, findings, tables read by field types."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w

from cerules.base.errors import CeruleError
from cerules.base.text import Text
from cerules.forms.call_lifecycle import TransitionRefused, transition
from cerules.forms.calls import load_call
from cerules.forms.framework import FindingList, FormError, Moment, TableReader, missing_library
from cerules.forms.plans import load_plan
from cerules.forms.registry import load_registry


def test_an_unusable_form_is_a_cerule_error_naming_file_and_key() -> None:
    error = FormError("应为整数，实为 'x'", "expected a whole number, got 'x'", file="plan.toml", key="plan.year")
    assert isinstance(error, CeruleError) and isinstance(error, ValueError)
    assert str(error) == "plan.toml: key 'plan.year': expected a whole number, got 'x'"
    assert error.in_lang("zh") == "plan.toml: key 'plan.year': 应为整数，实为 'x'"
    assert (error.message_en, error.message_zh) == ("expected a whole number, got 'x'", "应为整数，实为 'x'")


def test_a_form_that_is_not_toml_says_where_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nid = "a"\nyear 2023\n', encoding="utf-8")
    with pytest.raises(FormError) as caught:
        load_plan(path)
    assert str(caught.value).startswith(f"{path}: not valid TOML: ")
    assert str(caught.value).endswith("(at line 3, column 6)")
    assert "第 3 行第 6 列" in caught.value.in_lang("zh")


def test_a_folder_is_not_a_form(tmp_path: Path) -> None:
    with pytest.raises(FormError, match="is a folder, not a file"):
        load_call(tmp_path)


def test_a_table_is_read_by_its_field_types() -> None:
    reader = TableReader("f.toml")
    table = {"name": " 甲 ", "tags": "one", "title": {"zh": "题"}, "hours": 1.5, "year": 2023, "open": True, "on": "2023-04-28"}
    types = {"name": str, "tags": tuple, "title": Text, "hours": Decimal, "year": int, "open": bool, "on": Moment, "absent": str}
    values = reader.fields(table, types, "x")
    assert values["name"] == "甲" and values["tags"] == ("one",) and values["title"] == Text("题", "题")
    assert values["hours"] == Decimal("1.5") and values["year"] == 2023 and values["open"] is True
    assert values["on"].iso() == "2023-04-28" and values["absent"] is None


def test_an_unknown_key_lists_the_keys_a_table_may_hold() -> None:
    with pytest.raises(FormError) as caught:
        TableReader("f.toml").fields({"colour": "red"}, {"name": str, "year": int}, "x")
    assert caught.value.key == "x.colour"
    assert caught.value.message_en == "unknown key; expected one of name, year"
    assert caught.value.message_zh == "未知的键；应为 name, year 之一"


def test_a_value_outside_its_choices_is_worded_from_the_choices() -> None:
    found = FindingList("f.toml")
    assert found.one_of("k", "r", "a", (("a", "甲"), ("b", "乙")), "类别", None)
    assert not found.one_of("k", "r", "c", (("a", "甲"), ("b", "乙"), ("d", "丁")), "类别", "§1")
    (finding,) = found
    assert finding.message_en == 'expected "a" (甲), "b" (乙) or "d" (丁), got \'c\''
    assert finding.message_zh == "类别应为甲（a）、乙（b）或丁（d），实为 'c'"
    assert finding.citation == "§1"


def test_findings_come_errors_first_each_in_the_order_found() -> None:
    found = FindingList("f.toml")
    found.warning("w1", "r", "w", "w")
    found.missing("e1", "r", "an id", "标识", None)
    found.required("r", "§2", [("e2", None, "a year", "年度"), ("ok", 2023, "x", "x")])
    assert [f.key for f in found.in_order()] == ["e1", "e2", "w1"]
    assert found.in_order()[1].message_zh == "缺少年度" and found.in_order()[1].citation == "§2"


def test_a_refused_transition_is_a_cerule_error_in_both_languages() -> None:
    with pytest.raises(TransitionRefused) as caught:
        transition("draft", "publish")
    assert isinstance(caught.value, CeruleError)
    assert str(caught.value).startswith("cannot publish a call that is draft: ")
    assert caught.value.in_lang("zh").startswith("在“草拟”状态下不能发布张榜：")


def test_a_registry_whose_bases_are_not_an_array_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "bases.toml"
    path.write_text(tomli_w.dumps({"bases": {"name": "x"}}), encoding="utf-8")
    with pytest.raises(FormError) as caught:
        load_registry(path)
    assert caught.value.key == "bases"
    assert caught.value.message_en.startswith("expected an array of tables ([[bases]])")


def test_a_missing_optional_library_says_how_to_install_it() -> None:
    error = missing_library("reportlab")
    assert str(error) == "reportlab: reportlab is not installed: pip install 'cerules[forms]'"
