"""卫生系列专业技术人员继续医学教育规则 (cerules plugin)."""

from importlib import resources

import cerules


@cerules.hookimpl
def register_layers(register, year):
    if year == 2023:
        register(resources.files(__name__) / "health-2023.toml")


@cerules.hookimpl
def register_rule_tests(register):
    register(resources.files(__name__) / "tests")
