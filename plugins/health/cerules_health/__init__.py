"""卫生系列专业技术人员继续医学教育规则 (cerules plugin)."""

from importlib import resources

import cerules


@cerules.hookimpl
def register_layers(register):
    """Every layer in `rules/`: each file says which years it covers (`[layer] years`), the engine picks."""
    register(resources.files(__name__) / "rules")


@cerules.hookimpl
def register_rule_tests(register):
    register(resources.files(__name__) / "tests")
