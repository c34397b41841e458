"""`cerules history`: a cohort over several years, each under that year's rules (title applications).

Exit status as `cerules evaluate`: 0 when the work completed, whatever the verdicts (who did not
meet a year is in the output, not in the status); 2 for a usage error or input that cannot be used.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from .common import EXIT_OK, add_rule_options, add_unit_level_default, chosen_pack

FORMATS = ("table", "json", "csv")
MAX_YEARS = 50
"""The most years one history evaluates (each is a full evaluation of the cohort)."""


def add_commands(commands: Any) -> None:
    history = commands.add_parser("history", help="each year's verdicts over several years (title applications)")
    history.add_argument("--persons", required=True, help="persons file (.csv, .jsonl or .parquet)")
    history.add_argument("--records", required=True, help="records file (.csv, .jsonl or .parquet), any number of years")
    history.add_argument("--years", required=True, type=parse_years, metavar="YEARS", help="2019-2023, 2019,2021,2023 or 2023")
    history.add_argument("--format", choices=FORMATS, help="default: from --out's suffix, else table on a terminal, else json")
    history.add_argument("--out", help="write here instead of standard output (all or nothing)")
    history.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_rule_options(history, drafts="for the years it covers")
    add_unit_level_default(history)
    history.set_defaults(handler=run)


_RANGE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")
_LIST = re.compile(r"^\s*\d{4}\s*(,\s*\d{4}\s*)*$")


def parse_years(text: str) -> tuple[int, ...]:
    """`2019-2023` (both included), `2019,2021,2023` or `2023`, as sorted distinct years."""
    found = _RANGE.match(text)
    if found:
        first, last = int(found[1]), int(found[2])
        if last < first:
            raise argparse.ArgumentTypeError(f"the last year {last} is before the first year {first}: {text!r}")
        years = tuple(range(first, last + 1))
    elif _LIST.match(text):
        years = tuple(sorted({int(year) for year in text.split(",")}))
    else:
        raise argparse.ArgumentTypeError(f"expected a year, FIRST-LAST or a list Y1,Y2,… (e.g. 2019-2023), not {text!r}")
    if len(years) > MAX_YEARS:
        raise argparse.ArgumentTypeError(f"at most {MAX_YEARS} years, not {len(years)}: {text!r}")
    return years


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out:
        return {".csv": "csv", ".txt": "table"}.get(Path(args.out).suffix.lower(), "json")
    return "table" if sys.stdout.isatty() else "json"


def run(args: argparse.Namespace) -> int:
    from ..evaluation.history import history
    from ..render.files import check_output, write_atomic
    from ..render.history import render_history

    inputs = [args.persons, args.records, *args.rules]
    if args.out:
        check_output(args.out, inputs)
    result = history(
        args.persons,
        args.records,
        args.years,
        pack=chosen_pack(args),
        plugins=not args.no_plugins,
        rules=args.rules,
        skip=args.skip_plugin,
        unit_level_default=args.unit_level_default,
    )
    _say_skipped(result, args.lang)
    text = render_history(result, _output_format(args), args.lang)
    if args.out:
        write_atomic(args.out, text, inputs=inputs)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    quality = result.data_quality()
    lines = quality.lines(args.lang) if quality is not None else []
    if lines:
        print("\n".join(lines), file=sys.stderr)
    return EXIT_OK


def _say_skipped(result: Any, lang: str) -> None:
    """Plugins left out on purpose: on record in the JSON document, said once here for every output."""
    skipped = sorted({name for year in result.years_with_rules for name in result.rules(year).skipped_plugins})
    if skipped:
        names = ", ".join(skipped)
        said = f"已按要求跳过插件：{names}" if lang == "zh" else f"plugins skipped as asked: {names}"
        print(f"cerules: {said}", file=sys.stderr)
