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
from typing import Any


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
    check.set_defaults(handler=_lazy("plan_check"))

    layer = plan_commands.add_parser("layer", help="print (or write) the department rule layer the plan amounts to")
    layer.add_argument("file", metavar="FILE")
    layer.add_argument("--out", metavar="TOML", help="write the layer here (all or nothing)")
    layer.add_argument("--submitted-at", metavar="ISO")
    layer.add_argument("--no-plugins", action="store_true")
    layer.add_argument("--lang", choices=("zh", "en"), default="zh")
    layer.set_defaults(handler=_lazy("plan_layer"))

    plan_export = plan_commands.add_parser("export", help="write the plan as a Word (.docx) or PDF document")
    plan_export.add_argument("file", metavar="FILE")
    plan_export.add_argument("--out", required=True, metavar="X.docx|X.pdf")
    plan_export.add_argument("--lang", choices=("zh", "en"), default="zh")
    plan_export.set_defaults(handler=_lazy("export_form"))

    call = commands.add_parser("call", help="check or export an open-call posting (Annex 2) or bid (Annex 3)")
    call_commands = call.add_subparsers(dest="call_command", required=True, parser_class=type(call))

    call_check = call_commands.add_parser("check", help="check a posting or a bid")
    call_check.add_argument("file", metavar="FILE")
    call_check.add_argument("--posting", metavar="FILE", help="for a bid: the posting (default: the bid's posting_file)")
    call_check.add_argument("--registry", metavar="TOML", help="the registry of CE bases (default: the shipped illustrative sample)")
    call_check.add_argument("--lenient-uscc", action="store_true", help="a wrong USCC check character is a warning (early legal codes)")
    call_check.add_argument("--json", action="store_true", help="machine-readable output")
    call_check.add_argument("--lang", choices=("zh", "en"), default="zh")
    call_check.set_defaults(handler=_lazy("call_check"))

    call_export = call_commands.add_parser("export", help="write a posting or bid on its form as .docx or .pdf")
    call_export.add_argument("file", metavar="FILE")
    call_export.add_argument("--out", required=True, metavar="X.docx|X.pdf")
    call_export.add_argument("--lang", choices=("zh", "en"), default="zh")
    call_export.set_defaults(handler=_lazy("export_form"))


def _lazy(name: str) -> Any:
    """A handler that imports the form commands (and the form libraries) only when one runs."""

    def run(args: argparse.Namespace) -> int:
        from . import form_commands

        return int(form_commands.guarded(getattr(form_commands, name))(args))

    run.__name__ = name
    return run
