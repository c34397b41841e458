"""`cerules plan …` and `cerules call …`: study plans and open calls on the command line.

`register(commands)` adds the two commands to the `cerules` argparse subparsers:

    cerules plan check FILE [--submitted-at ISO] [--no-plugins] [--json] [--lang zh|en]
    cerules plan layer FILE [--out TOML] [--submitted-at ISO] [--no-plugins] [--lang zh|en]
    cerules plan export FILE --out X.docx|X.pdf
    cerules call check FILE [--posting FILE] [--registry TOML] [--lenient-uscc] [--json] [--lang zh|en]
    cerules call export FILE --out X.docx|X.pdf

Exit status: 0 when the file is valid (warnings allowed), 1 when it has errors, 2 when it cannot
be used (not found, not TOML, a wrong type or unknown key) or the command is misused, always with
one line naming the file and key.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..forms.calls import Bid, CallState, Posting, call_state, check_bid, check_posting, load_call, load_posting, load_registry
from ..forms.documents import export
from ..forms.plans import Finding, FormError, StudyPlan, Vocabulary, check_plan, has_errors, load_plan, plan_to_layer
from ..plugins.loading import load_rules
from ..plugins.manager import PluginError
from ..render.report import write_atomic
from ..rules import RulesError, available_years, dumps_layer

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    """Add the `plan` and `call` commands to the subparsers object of the `cerules` parser."""
    plan = commands.add_parser("plan", help="check a professional-subject study plan (Annex 1), make its rule layer, export it")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True, parser_class=type(plan))

    check = plan_commands.add_parser("check", help="check a study plan: its five parts, hours, sites, scope and deadline")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--submitted-at", metavar="ISO", help="when it was (or will be) submitted; Asia/Shanghai unless an offset is given")
    check.add_argument("--no-plugins", action="store_true", help="check against the provincial rules alone")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--lang", choices=("zh", "en"), default="zh")
    check.set_defaults(handler=_guard(_plan_check))

    layer = plan_commands.add_parser("layer", help="print (or write) the department rule layer the plan amounts to")
    layer.add_argument("file", metavar="FILE")
    layer.add_argument("--out", metavar="TOML", help="write the layer here (all or nothing)")
    layer.add_argument("--submitted-at", metavar="ISO")
    layer.add_argument("--no-plugins", action="store_true")
    layer.add_argument("--lang", choices=("zh", "en"), default="zh")
    layer.set_defaults(handler=_guard(_plan_layer))

    plan_export = plan_commands.add_parser("export", help="write the plan as a Word (.docx) or PDF document")
    plan_export.add_argument("file", metavar="FILE")
    plan_export.add_argument("--out", required=True, metavar="X.docx|X.pdf")
    plan_export.add_argument("--lang", choices=("zh", "en"), default="zh")
    plan_export.set_defaults(handler=_guard(_export))

    call = commands.add_parser("call", help="check or export an open-call posting (Annex 2) or bid (Annex 3)")
    call_commands = call.add_subparsers(dest="call_command", required=True, parser_class=type(call))

    call_check = call_commands.add_parser("check", help="check a posting or a bid")
    call_check.add_argument("file", metavar="FILE")
    call_check.add_argument("--posting", metavar="FILE", help="for a bid: the posting (default: the bid's posting_file)")
    call_check.add_argument("--registry", metavar="TOML", help="the registry of CE bases (default: the shipped illustrative sample)")
    call_check.add_argument("--lenient-uscc", action="store_true", help="a wrong USCC check character is a warning (early legal codes)")
    call_check.add_argument("--json", action="store_true", help="machine-readable output")
    call_check.add_argument("--lang", choices=("zh", "en"), default="zh")
    call_check.set_defaults(handler=_guard(_call_check))

    call_export = call_commands.add_parser("export", help="write a posting or bid on its form as .docx or .pdf")
    call_export.add_argument("file", metavar="FILE")
    call_export.add_argument("--out", required=True, metavar="X.docx|X.pdf")
    call_export.add_argument("--lang", choices=("zh", "en"), default="zh")
    call_export.set_defaults(handler=_guard(_export))


def _guard(handler: Any) -> Any:
    """Turn an unusable input into one line on standard error and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except FormError as exc:
            print(f"cerules: {exc.localized(args.lang)}", file=sys.stderr)
        except (RulesError, PluginError) as exc:
            print(f"cerules: {exc}", file=sys.stderr)
        except OSError as exc:
            where = getattr(args, "out", None) or args.file
            print(f"cerules: {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE

    run.__name__ = handler.__name__
    return run


def _plan_findings(args: argparse.Namespace) -> tuple[StudyPlan, list[Finding]]:
    plan = load_plan(args.file)
    known = Vocabulary.default()
    rules = None
    if plan.year in available_years():
        rules = load_rules(plan.year, plugins=not args.no_plugins)
        known = known.with_layers(rules.layers)
    return plan, check_plan(plan, submitted_at=args.submitted_at, known=known, rules=rules)


def _print_findings(findings: list[Finding], lang: str, stream: Any = None) -> None:
    for finding in findings:
        print(finding.line(lang), file=stream or sys.stdout)


def _summary(file: str, what: tuple[str, str], findings: list[Finding], lang: str, state: Any = None) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if lang == "en":
        verdict = "valid" if not errors else "invalid"
        stage = f"; call state: {state.value}" if state is not None else ""
        return f"{file}: {what[1]} {verdict}{stage} ({errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)})"
    verdict = "有效" if not errors else "有误"
    stage = f"；流程状态：{state.label.zh}" if state is not None else ""
    return f"{file}：{what[0]}{verdict}{stage}（{errors} 个错误，{warnings} 个警告）"


def _document(kind: str, file: str, findings: list[Finding], **more: Any) -> dict[str, Any]:
    errors = sum(f.severity == "error" for f in findings)
    return {
        "kind": kind,
        "file": file,
        "valid": not errors,
        "errors": errors,
        "warnings": len(findings) - errors,
        **more,
        "findings": [f.as_dict() for f in findings],
    }


def _plan_check(args: argparse.Namespace) -> int:
    plan, findings = _plan_findings(args)
    if args.json:
        extra: dict[str, Any] = {"id": plan.id, "year": plan.year}
        if plan.deadline is not None:
            extra["deadline"] = plan.deadline.isoformat()
        print(json.dumps(_document("plan", plan.file, findings, **extra), ensure_ascii=False, indent=2))
    else:
        _print_findings(findings, args.lang)
        print(_summary(plan.file, ("学习计划", "study plan"), findings, args.lang))
    return EXIT_FAILED if has_errors(findings) else EXIT_OK


def _plan_layer(args: argparse.Namespace) -> int:
    plan, findings = _plan_findings(args)
    if has_errors(findings):
        _print_findings(findings, args.lang, sys.stderr)
        print(_summary(plan.file, ("学习计划", "study plan"), findings, args.lang), file=sys.stderr)
        return EXIT_FAILED
    _print_findings(findings, args.lang, sys.stderr)
    header = (
        f"# Department rule layer generated by `cerules plan layer` from {plan.file}\n"
        f"# 由学习计划 {plan.file} 生成的行业部门规则层（cerules plan layer）\n\n"
    )
    text = header + dumps_layer(plan_to_layer(plan))
    if args.out:
        write_atomic(args.out, text)
        print(f"{'wrote' if args.lang == 'en' else '已写入'} {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    item: StudyPlan | Posting | Bid = load_plan(args.file) if args.command == "plan" else load_call(args.file)
    path = export(item, args.out)
    print(f"{'wrote' if args.lang == 'en' else '已写入'} {path}")
    return EXIT_OK


def _call_check(args: argparse.Namespace) -> int:
    item = load_call(args.file)
    state: CallState | None
    if isinstance(item, Posting):
        findings = check_posting(item)
        state, _ = call_state(item)
        what = ("张榜申请", "posting")
        extra: dict[str, Any] = {"id": item.id, "state": state.value}
    else:
        registry = load_registry(args.registry, lenient_uscc=args.lenient_uscc)
        posting_path = args.posting or item.posting_path()
        posting = load_posting(posting_path) if posting_path else None
        findings = check_bid(item, posting=posting, registry=registry, lenient_uscc=args.lenient_uscc)
        state = call_state(posting, [item])[0] if posting is not None else None
        what = ("揭榜申请", "bid")
        extra = {
            "posting_id": item.posting_id,
            "posting_file": posting.file if posting else None,
            "registry": registry.file,
            "registry_illustrative": registry.illustrative,
            "state": state.value if state else None,
        }
    if args.json:
        print(json.dumps(_document(what[1], item.file, findings, **extra), ensure_ascii=False, indent=2))
    else:
        _print_findings(findings, args.lang)
        print(_summary(item.file, what, findings, args.lang, state))
    return EXIT_FAILED if has_errors(findings) else EXIT_OK


__all__ = ["register"]
