"""`cerules explain`: why one person (or a few) meets the year's requirements or not, in words or as data.

The words are the library's own (`PersonResult.explain`), the data the person's entry of the contract
document (`PersonResult.to_dict`), so the command line, the notebook and the service say the same thing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from .common import EXIT_OK, add_rule_options, add_sheet_options, add_unit_level_default, load_rules_for, sheets

if TYPE_CHECKING:
    from ..evaluation.cohort import Evaluation
    from ..evaluation.explain import PersonResult


def add_commands(commands: Any) -> None:
    explain = commands.add_parser("explain", help="explain one person's year: each requirement, its rule, every record")
    explain.add_argument("--year", type=int, required=True)
    explain.add_argument("--persons", required=True, help="persons file (.csv, .jsonl, .parquet or a workbook)")
    explain.add_argument("--records", required=True, help="records file (.csv, .jsonl, .parquet or a workbook)")
    add_sheet_options(explain)
    explain.add_argument(
        "--person", action="append", required=True, metavar="ID", dest="person_ids", help="the person to explain (repeatable)"
    )
    explain.add_argument("--lang", choices=("zh", "en"), default="zh")
    explain.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: the explanation, person after person; json: each person's entry of the contract document, one a line",
    )
    add_rule_options(explain)
    add_unit_level_default(explain)
    explain.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..base.printable import escape_unsafe as shown
    from ..evaluation.cohort import evaluate, read_inputs

    rules = load_rules_for(args)
    evaluation = evaluate(rules, *read_inputs(args.persons, args.records, **sheets(args)), unit_level_default=args.unit_level_default)
    people = [_person(evaluation, person_id, args.persons) for person_id in args.person_ids]  # all found, or nothing said
    if args.format == "json":
        text = "".join(json.dumps(person.to_dict(args.lang), ensure_ascii=False) + "\n" for person in people)
    else:
        # the library's words; a control character from the input (an id, a cell quoted) is shown escaped, never obeyed
        text = "\n".join(shown(person.explain(args.lang), keep="\n") + "\n" for person in people)
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_OK


def _person(evaluation: Evaluation, person_id: str, persons_path: str) -> PersonResult:
    """The person's explanation, or an error naming the id and the persons file (exit 2)."""
    from ..base.printable import escape_unsafe as shown
    from ..inputs.reading import InputError

    try:
        return evaluation.person(person_id)
    except KeyError:
        pass
    named = shown(person_id)  # an id from the command line is shown, never obeyed by the terminal
    invalid = next((row for row in evaluation.rejected_persons if str(row.person_id) == person_id), None)
    if invalid is not None:
        problem = invalid.problem.text
        raise InputError(
            persons_path,
            f"人员 {named} 的数据无效，无法解释：{problem.zh}",
            f"person '{named}' cannot be explained, their row is invalid: {problem.en}",
            line=invalid.line,
        ) from None
    raise InputError(persons_path, f"人员信息中没有 {named}", f"no person '{named}' in the persons file") from None
