"""Which files are rule-test files: a name any tool can check without loading the engine."""

from __future__ import annotations

from pathlib import Path


def is_rule_test_file(path: Path) -> bool:
    """`test_*.yaml` or `test_*.yml`, as pytest and `cerules test` both collect them."""
    return path.name.startswith("test_") and path.suffix in (".yaml", ".yml") and path.is_file()
