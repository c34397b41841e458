"""The `cerules` command line, on the interface of the data contract.

Exit status: 0 when the work completed (whatever the verdicts), 2 for a usage error or input
that cannot be used, always with one line naming the file, line and column; never a traceback.

Each command lives in a module of its own and imports what it needs when it runs, so
`cerules --version` or `cerules rules lint` never load the kernel, Arrow or the form libraries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..base.errors import CeruleError
from ..base.version import __version__
from . import certificate, evaluate, explain, explore, forms, history, plugins, report, rules, serve, synth
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Parser

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cerules", description="山东省专业技术人员继续教育规则引擎 · continuing-education rules engine")
    parser.add_argument("--version", action="version", version=f"cerules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in (evaluate, explain, report, certificate, history, rules, plugins, synth, serve, explore):
        command.add_commands(commands)
    forms.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", "zh")
    try:
        return int(args.handler(args))
    except CeruleError as exc:
        print(f"cerules: {exc.in_lang(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, FileExistsError) as exc:
        if args.command != "new-plugin":
            raise
        print(f"cerules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
