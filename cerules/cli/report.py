"""`cerules report`: a cohort's year as one HTML page to read and pass on (figures, charts, people, rules)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, add_rule_options, add_sheet_options, add_unit_level_default, load_rules_for, sheets


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="write a cohort's year as one self-contained HTML report")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--persons", required=True, help="persons file (.csv, .jsonl, .parquet or a workbook)")
    report.add_argument("--records", required=True, help="records file (.csv, .jsonl, .parquet or a workbook)")
    add_sheet_options(report)
    report.add_argument("--out", required=True, help="the HTML file to write (all or nothing, never over an input)")
    report.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_rule_options(report)
    add_unit_level_default(report)
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation.cohort import evaluate, read_inputs
    from ..inputs.reading import InputError
    from ..render.files import atomic_output, check_output
    from ..render.report_page import write_report

    inputs = [args.persons, args.records, *args.rules]
    check_output(args.out, inputs)  # before any work: an --out that is an input, a folder or read-only
    rules = load_rules_for(args)
    persons, records = read_inputs(args.persons, args.records, **sheets(args))
    evaluation = evaluate(rules, persons, records, unit_level_default=args.unit_level_default)
    try:
        with atomic_output(args.out, inputs=inputs) as stream:
            write_report(evaluation, stream, args.lang)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(args.out, f"无法写入输出文件：{reason}", f"cannot write the output: {reason}") from None
    lines = evaluation.data_quality().lines(args.lang)
    if lines:  # the quality of the input, as `evaluate` reports it
        print("\n".join(lines), file=sys.stderr)
    return EXIT_OK
