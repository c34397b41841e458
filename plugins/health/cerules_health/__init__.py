"""卫生系列专业技术人员继续医学教育规则 (cerules plugin)."""

from importlib import resources

import cerules

LAYERS = {2023: "health-2023.toml"}
"""The rule layer of each year; add a line for next year's file."""


@cerules.hookimpl
def register_layers(register, year):
    if year in LAYERS:
        register(resources.files(__name__) / LAYERS[year])


@cerules.hookimpl
def register_rule_tests(register):
    register(resources.files(__name__) / "tests")
