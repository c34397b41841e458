"""The parameter table of `docs/rules.md`, generated from the schema so the two never disagree.

    python -m cerules.rules.docs --markdown            # print the table
    python -m cerules.rules.docs --update docs/rules.md  # rewrite it between the marker comments

A test compares the file with the schema and says to run the second command when they differ.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..base.errors import CeruleError
from .schema import PARAMETERS, Parameter

BEGIN = "<!-- parameter table: generated from cerules/rules/schema.py; do not edit by hand -->"
END = "<!-- end of parameter table -->"
REGENERATE = "python -m cerules.rules.docs --update docs/rules.md"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _when_unset(parameter: Parameter) -> str:
    parts = []
    if parameter.default is not None:
        parts.append(f"`{_toml(parameter.default)}`")
    if parameter.unset is not None:
        parts.append(parameter.unset.en if not parts else f"({parameter.unset.en})")
    return " ".join(parts) or "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def parameter_table_markdown() -> str:
    """The table of every rule parameter: path, value, default, unit, reason code, meaning in en and zh."""
    lines = [
        "| parameter | value | if not set | unit | rejects with | meaning | 含义 |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        cells = (
            f"`{p.pattern}`",
            p.kind.name.en,
            _when_unset(p),
            p.unit.en if p.unit else "",
            f"`{p.reason}`" if p.reason else "",
            p.meaning.en,
            p.meaning.zh,
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def with_table(document: str) -> str:
    """The document with the text between the markers replaced by the generated table."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise CeruleError(f"文档中没有 {BEGIN!r} … {END!r} 标记", f"the document has no {BEGIN!r} … {END!r} markers")
    return document[: start + len(BEGIN)] + "\n" + parameter_table_markdown() + document[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cerules.rules.docs", description="The rule parameter table, from the schema.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--markdown", action="store_true", help="print the table")
    group.add_argument("--update", metavar="FILE", help="rewrite the table between the marker comments of FILE")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(parameter_table_markdown())
        return 0
    path = Path(args.update)
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
