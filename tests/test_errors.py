"""Errors raised on purpose: one base class, a message in zh and en, the same after crossing a process."""

from __future__ import annotations

import pickle

import pytest

from cerules.authoring.ruletests import RuleTestError
from cerules.base.errors import BadValue, CeruleError
from cerules.base.toml_file import TomlError
from cerules.forms.framework import FormError
from cerules.inputs.table import InputError
from cerules.plugins.errors import PluginError
from cerules.rules.files import RulesError
from cerules.whatif.problems import DraftError, DraftProblem

ERRORS = [
    BadValue("不是数字：'x'", "not a decimal number: 'x'"),
    RulesError("city.toml", "public.required_hours", "应为数字", "expected a number"),
    TomlError("文件不存在", "file not found", file="draft.toml"),
    FormError("缺少必填项", "missing required key", file="plan.toml", key="plan.title"),
    PluginError("cerules-yantai", "无法导入", "cannot be imported"),
    DraftError([DraftProblem("public.required_hours", "expected a number")], "draft.toml"),
    RuleTestError("没有规则测试文件", "no rule-test files"),
    InputError("persons.csv", "缺少必需的列", "missing required column", line=1, column="city"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_every_error_is_a_cerule_error_with_both_languages(error: CeruleError) -> None:
    assert isinstance(error, CeruleError)
    assert error.in_lang("en") == error.en and error.in_lang("zh") == error.zh
    assert error.zh != error.en and str(error)


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_every_error_pickles_whole(error: CeruleError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert (str(again), again.zh, again.en) == (str(error), error.zh, error.en)
    assert vars(again) == vars(error)
