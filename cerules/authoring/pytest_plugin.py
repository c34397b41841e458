"""Pytest collects rule-test files (`test_*.yaml`): each case is a test item.

Installed as a pytest entry point, this module is imported by every pytest session on the
machine, so it imports nothing of the engine until a rule-test file is actually collected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .naming import is_rule_test_file

if TYPE_CHECKING:
    from .ruletests import RuleTestCase


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if is_rule_test_file(file_path):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .ruletests import load_cases

        for case in load_cases(self.path):
            yield RuleTestItem.from_parent(self, name=case.name, case=case)


class RuleTestItem(pytest.Item):
    def __init__(self, *, case: RuleTestCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from .ruletests import RuleTestFailure

        problems = self.case.run()
        if problems:
            raise RuleTestFailure(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from .ruletests import RuleTestFailure

        if isinstance(excinfo.value, RuleTestFailure):
            return "\n".join([f"rule test failed: {self.case.name} ({self.case.file})", *excinfo.value.problems])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"rule test: {self.case.name}"
