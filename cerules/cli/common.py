"""What the commands share: exit statuses, the parser that exits 2 on one line, loading a year's rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..rules.ruleset import RuleSet

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def load_rules_for(args: argparse.Namespace) -> RuleSet:
    """The rules a command's --year, --rules, --no-plugins and --strict ask for."""
    from ..plugins.loading import load_rules

    return load_rules(args.year, rules=args.rules, plugins=not args.no_plugins, strict=getattr(args, "strict", False))


def scope_text(scope: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}={','.join(values)}" for key, values in scope.items())
