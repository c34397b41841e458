"""`cerules rules show|lint`: the effective rules of a year with their citations; checking rule files."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..base.errors import CeruleError
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Parser, add_pack_options, add_skip_plugin, load_rules_for, scope_text


def add_commands(commands: Any) -> None:
    rules = commands.add_parser("rules", help="look at rule files")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True, parser_class=Parser)
    show = rule_commands.add_parser("show", help="print the effective rules of a year with their citations")
    show.add_argument("--year", type=int, required=True)
    show.add_argument("--rules", action="append", default=[], metavar="FILE")
    show.add_argument("--no-plugins", action="store_true")
    add_skip_plugin(show)
    add_pack_options(show)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--lang", choices=("zh", "en"), default="zh")
    show.set_defaults(handler=show_rules)
    lint = rule_commands.add_parser(
        "lint",
        help="check rule files as loading does (schema, ranges, jurisdiction, floors) and more (citations, placeholders, "
        "catalogue codes); exit 1 for findings, 2 when a file cannot be read",
    )
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--lang", choices=("zh", "en"), default="zh")
    lint.set_defaults(handler=lint_rules)


def show_rules(args: argparse.Namespace) -> int:
    from ..rules.describe import describe_rules

    rules = load_rules_for(args)
    if args.json:
        print(json.dumps(describe_rules(rules), ensure_ascii=False, indent=2))
        return EXIT_OK
    zh = args.lang == "zh"
    print(
        f"{args.year} {'年度生效规则' if zh else 'effective rules'} · {'规则包' if zh else 'pack'} {rules.pack_id} · sha256 {rules.sha256}"
    )
    if rules.based_on is not None:
        print(f"{'依据' if zh else 'based on'} {rules.based_on} {'年度的规则，草案叠加其上' if zh else 'rules, with the drafts on top'}")
    if rules.skipped_plugins:
        print(f"{'已跳过的插件' if zh else 'skipped plugins'}: {', '.join(rules.skipped_plugins)}")
    for layer in rules.layers:
        print(f"\n[{layer.rank}] {layer.id} — {layer.title.in_lang(args.lang)}")
        print(f"  {'来源' if zh else 'source'}: {layer.source or layer.file}  ({layer.file})")
        if layer.scope:
            print(f"  {'适用' if zh else 'scope'}: {scope_text(layer.scope.as_dict())}")
        for path, value in layer.cited_values():
            when = f"  [{scope_text(value.when.as_dict())}]" if value.when else ""
            flag = (" （未核实）" if zh else " (unverified)") if not value.verified else ""
            shown = ", ".join(value.value) if isinstance(value.value, tuple) else value.value
            print(f"  {path} = {shown}{when}  — {value.citation or ('（无依据）' if zh else '(no citation)')}{flag}")
    return EXIT_OK


def lint_rules(args: argparse.Namespace) -> int:
    """Exit 0 when clean (warnings allowed), 1 for findings, 2 when a file cannot be linted at all."""
    from ..rules.lint import lint_file

    status = EXIT_OK
    for file in args.files:
        try:
            problems = lint_file(file)
        except CeruleError as exc:  # missing, a folder, unreadable, not TOML
            print(f"cerules: {exc.in_lang(args.lang)}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except Exception as exc:  # a defect of lint itself: never a traceback, never mistaken for a finding
            print(f"cerules: {file}: 无法检查 / cannot be linted: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        for problem in problems:
            message = problem.message_zh if args.lang == "zh" else problem.message_en
            print(f"{problem.file}: {problem.severity}: key '{problem.key}': {message}")
        if status == EXIT_OK and any(problem.severity == "error" for problem in problems):
            status = EXIT_FAILED
    return status
