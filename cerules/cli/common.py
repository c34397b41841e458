"""What the commands share: exit statuses, the parser that exits 2 on one line, loading a year's rules."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..rules.ruleset import RuleSet

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def add_skip_plugin(parser: argparse.ArgumentParser) -> None:
    """`--skip-plugin NAME` (repeatable): go on without an installed plugin, on purpose and on record."""
    parser.add_argument(
        "--skip-plugin",
        action="append",
        default=[],
        metavar="NAME",
        dest="skip_plugin",
        help="leave this installed plugin out (entry-point or distribution name); results list it as skipped. "
        "Without it, a plugin that fails to load fails the command",
    )


def load_rules_for(args: argparse.Namespace) -> RuleSet:
    """The rules a command's --year, --rules, --no-plugins, --skip-plugin and --strict ask for."""
    from ..plugins.loading import load_rules

    rules = load_rules(
        args.year,
        rules=args.rules,
        plugins=not args.no_plugins,
        strict=getattr(args, "strict", False),
        skip=getattr(args, "skip_plugin", ()),
    )
    if rules.skipped_plugins:  # on record in the JSON document; said here for every other output
        names = ", ".join(rules.skipped_plugins)
        said = f"已按要求跳过插件：{names}" if getattr(args, "lang", "zh") == "zh" else f"plugins skipped as asked: {names}"
        print(f"cerules: {said}", file=sys.stderr)
    return rules


def scope_text(scope: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}={','.join(values)}" for key, values in scope.items())
