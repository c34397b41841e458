"""What the commands share: exit statuses, the parser that exits 2 on one line, loading a year's rules."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..base.errors import CeruleError

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


def add_pack_options(parser: argparse.ArgumentParser) -> None:
    """`--rules-dir DIR` or `--pack ID`: the rule pack (a province's rules) to evaluate with."""
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--rules-dir",
        metavar="DIR",
        help="a rule pack folder (pack.toml and base layers by year); default: the first pack in CERULES_RULES_PATH, else Shandong's",
    )
    choice.add_argument("--pack", metavar="ID", help="a rule pack by id, as a plugin or CERULES_RULES_PATH gives it (e.g. shandong)")


def add_rule_options(parser: argparse.ArgumentParser, *, drafts: str = "applied last") -> None:
    """The rules a command evaluates with: `--rules FILE` drafts, `--no-plugins`, `--skip-plugin NAME`, `--rules-dir`/`--pack`."""
    parser.add_argument("--rules", action="append", default=[], metavar="FILE", help=f"a draft rules file (TOML), {drafts}")
    parser.add_argument("--no-plugins", action="store_true", help="the rule pack's layers alone")
    add_skip_plugin(parser)
    add_pack_options(parser)


def add_unit_level_default(parser: argparse.ArgumentParser) -> None:
    """`--unit-level-default city|province`: the unit level of persons without one."""
    parser.add_argument(
        "--unit-level-default",
        choices=("city", "province"),
        help="the unit level of persons without one (a persons file without the unit_level column is refused otherwise)",
    )


def add_sheet_options(parser: argparse.ArgumentParser) -> None:
    """`--sheet NAME` (both files), `--persons-sheet`, `--records-sheet`: which sheet of an Excel workbook to read."""
    parser.add_argument("--sheet", metavar="NAME", help="the sheet of an Excel workbook to read (default: the first)")
    parser.add_argument("--persons-sheet", metavar="NAME", help="the persons' sheet, when it differs from --sheet")
    parser.add_argument("--records-sheet", metavar="NAME", help="the records' sheet, when it differs from --sheet")


def sheets(args: argparse.Namespace) -> dict[str, str | None]:
    """The sheets `read_inputs` is to read, from --sheet, --persons-sheet and --records-sheet."""
    return {
        "persons_sheet": getattr(args, "persons_sheet", None) or getattr(args, "sheet", None),
        "records_sheet": getattr(args, "records_sheet", None) or getattr(args, "sheet", None),
    }


class UsageError(CeruleError):
    """A command asked for something it cannot do as given (exit 2)."""


def chosen_pack(args: argparse.Namespace) -> str | None:
    """The pack `--rules-dir` or `--pack` names, if any."""
    return getattr(args, "rules_dir", None) or getattr(args, "pack", None)


def load_rules_for(args: argparse.Namespace, year: int | None = None) -> RuleSet:
    """The rules a command's --year, --rules, --rules-dir/--pack, --no-plugins, --skip-plugin and --strict ask for."""
    from ..plugins.loading import load_rules

    rules = load_rules(
        args.year if year is None else year,
        rules=args.rules,
        plugins=not args.no_plugins,
        strict=getattr(args, "strict", False),
        skip=getattr(args, "skip_plugin", ()),
        pack=chosen_pack(args),
    )
    if rules.skipped_plugins:  # on record in the JSON document; said here for every other output
        names = ", ".join(rules.skipped_plugins)
        said = f"已按要求跳过插件：{names}" if getattr(args, "lang", "zh") == "zh" else f"plugins skipped as asked: {names}"
        print(f"cerules: {said}", file=sys.stderr)
    return rules


def scope_text(scope: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}={','.join(values)}" for key, values in scope.items())
