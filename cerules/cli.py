"""The `cerules` command line, on the interface of the data contract.

Exit status: 0 when the work completed (whatever the verdicts), 2 for a usage error or input
that cannot be used, always with one line naming the file, line and column; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .api import load_rules
from .evaluation import evaluate_files
from .io import InputError
from .report import FORMATS, render, write_atomic
from .rules import RulesError, lint_layer, load_layer
from .rules.model import Layer
from .rules.ruleset import RuleSet

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cerules", description="山东省专业技术人员继续教育规则引擎 · continuing-education rules engine")
    parser.add_argument("--version", action="version", version=f"cerules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    evaluate = commands.add_parser("evaluate", help="evaluate persons' learning records for a year")
    evaluate.add_argument("--year", type=int, required=True)
    evaluate.add_argument("--persons", required=True, help="persons file (.csv, .jsonl or .parquet)")
    evaluate.add_argument("--records", required=True, help="records file (.csv, .jsonl or .parquet)")
    evaluate.add_argument("--format", choices=FORMATS, help="default: from --out's suffix, else table on a terminal, else json")
    evaluate.add_argument("--out", help="write here instead of standard output (all or nothing)")
    evaluate.add_argument("--lang", choices=("zh", "en"), default="zh")
    evaluate.add_argument("--rules", action="append", default=[], metavar="FILE", help="a draft rules file (TOML), applied last")
    evaluate.add_argument("--no-plugins", action="store_true", help="the provincial rules alone")
    evaluate.add_argument("--strict", action="store_true", help="any invalid input row fails the run (exit 2)")
    evaluate.set_defaults(handler=_evaluate)

    rules = commands.add_parser("rules", help="look at rule files")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    show = rule_commands.add_parser("show", help="print the effective rules of a year with their citations")
    show.add_argument("--year", type=int, required=True)
    show.add_argument("--rules", action="append", default=[], metavar="FILE")
    show.add_argument("--no-plugins", action="store_true")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--lang", choices=("zh", "en"), default="zh")
    show.set_defaults(handler=_rules_show)
    lint = rule_commands.add_parser("lint", help="check rule files: every value needs a citation")
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--lang", choices=("zh", "en"), default="zh")
    lint.set_defaults(handler=_rules_lint)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", "zh")
    try:
        return int(args.handler(args))
    except InputError as exc:
        print(f"cerules: {exc.localized(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except RulesError as exc:
        print(f"cerules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


def _rules(args: argparse.Namespace) -> RuleSet:
    return load_rules(args.year, rules=args.rules, plugins=not args.no_plugins)


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out:
        suffix = Path(args.out).suffix.lower()
        return {".csv": "csv", ".txt": "table"}.get(suffix, "json")
    return "table" if sys.stdout.isatty() else "json"


def _evaluate(args: argparse.Namespace) -> int:
    rules = _rules(args)
    evaluation = evaluate_files(rules, args.persons, args.records, strict=args.strict)
    text = render(evaluation, _output_format(args), args.lang)
    if args.out:
        try:
            write_atomic(args.out, text)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(args.out, f"cannot write the output: {reason}", f"无法写入输出文件：{reason}") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _rules_show(args: argparse.Namespace) -> int:
    rules = _rules(args)
    if args.json:
        print(json.dumps(describe_rules(rules), ensure_ascii=False, indent=2))
        return EXIT_OK
    zh = args.lang == "zh"
    print(f"{args.year} {'年度生效规则' if zh else 'effective rules'} · sha256 {rules.sha256}")
    for layer in rules.layers:
        print(f"\n[{layer.rank}] {layer.id} — {layer.title.in_lang(args.lang)}")
        print(f"  {'来源' if zh else 'source'}: {layer.source or layer.file}  ({layer.file})")
        if layer.scope:
            print(f"  {'适用' if zh else 'scope'}: {_scope_text(layer.scope.as_dict())}")
        for path, value in layer.cited_values():
            when = f"  [{_scope_text(value.when.as_dict())}]" if value.when else ""
            flag = (" （未核实）" if zh else " (unverified)") if not value.verified else ""
            shown = ", ".join(value.value) if isinstance(value.value, tuple) else value.value
            print(f"  {path} = {shown}{when}  — {value.citation or ('（无依据）' if zh else '(no citation)')}{flag}")
    return EXIT_OK


def _scope_text(scope: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}={','.join(values)}" for key, values in scope.items())


def describe_rules(rules: RuleSet) -> dict[str, Any]:
    """The effective rules as data: every layer and every value with its citation."""
    return {
        "year": rules.year,
        "sha256": rules.sha256,
        "layers": [_describe_layer(layer) for layer in rules.layers],
    }


def _describe_layer(layer: Layer) -> dict[str, Any]:
    return {
        "id": layer.id,
        "rank": layer.rank,
        "plugin": layer.plugin,
        "file": layer.file,
        "source": layer.source,
        "version": layer.version,
        "scope": layer.scope.as_dict(),
        "values": [
            {
                "path": path,
                "value": list(value.value) if isinstance(value.value, tuple) else value.value,
                "citation": value.citation,
                "when": value.when.as_dict(),
                "verified": value.verified,
            }
            for path, value in layer.cited_values()
        ],
    }


def _rules_lint(args: argparse.Namespace) -> int:
    errors = 0
    for file in args.files:
        layer = load_layer(file, default_rank="draft")
        for problem in lint_layer(layer):
            message = problem.message_zh if args.lang == "zh" else problem.message_en
            print(f"{problem.file}: {problem.severity}: key '{problem.key}': {message}")
            errors += problem.severity == "error"
    return EXIT_FAILED if errors else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
