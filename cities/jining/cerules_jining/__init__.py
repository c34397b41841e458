"""济宁市专业技术人员继续教育规则 (cerules plugin)."""

from importlib import resources

import cerules

LAYERS = {2023: "jining-2023.toml"}
"""The rule layer of each year; add a line for next year's file."""


@cerules.hookimpl
def register_layers(register, year):
    if year in LAYERS:
        register(resources.files(__name__) / LAYERS[year])


@cerules.hookimpl
def register_rule_tests(register):
    register(resources.files(__name__) / "tests")
