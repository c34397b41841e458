"""`cerules evaluate`: a cohort's year, streamed as the contract's JSON or CSV, or as a table for people."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..render import FORMATS
from .common import EXIT_OK, UsageError, add_rule_options, add_sheet_options, add_unit_level_default, load_rules_for, sheets

if TYPE_CHECKING:
    from ..evaluation.quality import DataQuality, RejectedLimit

LARGE_INPUT = 1_000_000
"""Records above which a progress bar is shown (on a terminal)."""


def add_commands(commands: Any) -> None:
    evaluate = commands.add_parser("evaluate", help="evaluate persons' learning records for a year")
    evaluate.add_argument("--year", type=int, required=True)
    evaluate.add_argument("--persons", required=True, help="persons file (.csv, .jsonl, .parquet or an Excel workbook)")
    evaluate.add_argument("--records", required=True, help="records file (.csv, .jsonl, .parquet or an Excel workbook)")
    add_sheet_options(evaluate)
    evaluate.add_argument("--format", choices=FORMATS, help="default: from --out's suffix, else table on a terminal, else json")
    evaluate.add_argument("--out", help="write here instead of standard output (all or nothing)")
    evaluate.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_rule_options(evaluate)
    evaluate.add_argument("--strict", action="store_true", help="any invalid input row fails the run (exit 2)")
    evaluate.add_argument(
        "--max-rejected",
        type=_rejected_limit,
        metavar="FRACTION|COUNT",
        help="fail the run (exit 2) when more input rows than this cannot be used: a count (50), a fraction (0.05) or 5%%",
    )
    add_unit_level_default(evaluate)
    evaluate.add_argument(
        "--max-record-amount",
        type=_record_amount,
        metavar="AMOUNT",
        help="the most hours (or credits) one record may carry; a record above it is invalid (default 10000)",
    )
    evaluate.add_argument(
        "--scheduler",
        metavar="local|tcp://HOST:PORT",
        help="evaluate Parquet datasets (a file or a folder of part files) on a Dask cluster, writing a dataset to --out DIR",
    )
    evaluate.add_argument("--workers", type=_positive, metavar="N", help="with --scheduler local: worker processes (default: the cores)")
    evaluate.add_argument("--partitions", type=_positive, metavar="N", help="with --scheduler: partitions of people (default: by size)")
    evaluate.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _record_amount(text: str) -> str:
    from ..inputs.bounds import record_bound

    try:
        record_bound(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _rejected_limit(text: str) -> RejectedLimit:
    from ..evaluation.quality import RejectedLimit

    try:
        return RejectedLimit.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out:
        suffix = Path(args.out).suffix.lower()
        return {".csv": "csv", ".txt": "table", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}.get(suffix, "json")
    return "table" if sys.stdout.isatty() else "json"


def run(args: argparse.Namespace) -> int:
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import evaluate, read_inputs
    from ..render.csv import write_csv_stream
    from ..render.json import write_json_stream
    from ..render.report import render
    from ..render.xlsx import write_xlsx

    if args.scheduler or args.workers or args.partitions:
        return run_distributed(args)
    _check_out(args)
    rules = load_rules_for(args)
    persons, records = read_inputs(args.persons, args.records, **sheets(args))
    fmt = _output_format(args)
    if fmt == "xlsx" and not args.out and sys.stdout.isatty():
        raise UsageError("Excel 工作簿是二进制文件：请用 --out 文件.xlsx", "an Excel workbook is a binary file: give --out FILE.xlsx")
    limit: RejectedLimit | None = args.max_rejected
    where = f"{args.persons}, {args.records}"
    if fmt in ("table", "html"):  # for people: one evaluation, a table at a terminal or the report page
        evaluation = evaluate(
            rules,
            persons,
            records,
            strict=args.strict,
            unit_level_default=args.unit_level_default,
            max_record_amount=args.max_record_amount,
        )
        quality = evaluation.data_quality()
        if limit is not None:
            limit.check(quality, where)
        _emit(args, lambda stream: stream.write(render(evaluation, fmt, args.lang).encode("utf-8")))
        _report(quality, args.lang)
        return EXIT_OK
    run = ChunkedRun(rules, persons, records, unit_level_default=args.unit_level_default, max_record_amount=args.max_record_amount)
    problem = run.strict_problem() if args.strict else None
    if problem is not None:
        raise problem
    options: dict[str, Any] = {"progress": _progress_bar(len(records), args.lang)}

    def write(stream: BinaryIO) -> None:
        if fmt == "json":
            write_json_stream(run, stream, args.lang, **options)
        elif fmt == "xlsx":
            write_xlsx(run, stream, args.lang, **options)
        else:
            write_csv_stream(run, stream, **options)
        late = run.strict_problem() if args.strict else None
        if late is not None:
            raise late
        if limit is not None:  # counted as the chunks went by: known only now, before anything is kept
            limit.check(run.data_quality(), where)

    _emit(args, write, buffered=args.strict or limit is not None or fmt == "xlsx")
    _report(run.data_quality(), args.lang)
    return EXIT_OK


def run_distributed(args: argparse.Namespace) -> int:
    """`--scheduler`: the cohort's datasets evaluated on a Dask cluster, written as a dataset in --out DIR."""
    if not args.scheduler:
        raise UsageError("--workers 和 --partitions 需要 --scheduler", "--workers and --partitions need --scheduler")
    if not (args.scheduler == "local" or args.scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://"))):
        raise UsageError(
            f"--scheduler 应为 local 或调度器地址（tcp://HOST:PORT），实际为 {args.scheduler!r}",
            f"--scheduler is local or a scheduler's address (tcp://HOST:PORT), got {args.scheduler!r}",
        )
    if not args.out:
        raise UsageError("--scheduler 需要 --out 文件夹", "--scheduler needs --out DIR (a folder for the results)")
    asked = {"--format": args.format, "--strict": args.strict, "--max-rejected": args.max_rejected}
    refused = [flag for flag, given in asked.items() if given]
    refused += ["--sheet"] if any(sheets(args).values()) else []
    if refused:
        raise UsageError(f"{refused[0]} 不能与 --scheduler 同用", f"{refused[0]} cannot be used with --scheduler")
    from ..distributed.cluster import connect, require_dask

    require_dask()
    from ..distributed.run import evaluate_dataset

    rules = load_rules_for(args)
    with connect(args.scheduler, workers=args.workers) as client:
        result = evaluate_dataset(
            rules,
            args.persons,
            args.records,
            args.out,
            client=client,
            partitions=args.partitions,
            unit_level_default=args.unit_level_default,
            max_record_amount=args.max_record_amount,
            lang=args.lang,
        )
    s = result.summary
    done = (
        f"{result.out}：{s['people']} 人（{s['compliant']} 人达标），{s['records']} 条记录（{s['credited']} 条计入），"
        f"{result.partitions} 个分区"
        if args.lang == "zh"
        else f"{result.out}: {s['people']} people ({s['compliant']} compliant), {s['records']} records "
        f"({s['credited']} credited), {result.partitions} partitions"
    )
    print(done, file=sys.stderr)
    _report(result.data_quality, args.lang)
    return EXIT_OK


def _report(quality: DataQuality, lang: str) -> None:
    """The data-quality report on standard error: a few lines, none when the input is clean."""
    lines = quality.lines(lang)
    if lines:
        print("\n".join(lines), file=sys.stderr)


def _input_files(args: argparse.Namespace) -> list[str]:
    """The files --out must never overwrite: the persons, the records and any --rules file."""
    return [args.persons, args.records, *args.rules]


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an --out that is an input, read-only or a folder before any work is done (exit 2)."""
    from ..render.files import check_output

    if args.out:
        check_output(args.out, _input_files(args))


def _emit(args: argparse.Namespace, write: Callable[[BinaryIO], object], *, buffered: bool = False) -> None:
    """Write to --out (all or nothing, never over an input) or to standard output (buffered when a late
    error must leave nothing)."""
    from ..inputs.reading import InputError
    from ..render.files import atomic_output

    if args.out:
        try:
            with atomic_output(args.out, inputs=_input_files(args)) as stream:
                write(stream)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(args.out, f"无法写入输出文件：{reason}", f"cannot write the output: {reason}") from None
        return
    if buffered:
        buffer = io.BytesIO()
        write(buffer)
        sys.stdout.buffer.write(buffer.getvalue())
    else:
        write(sys.stdout.buffer)
    sys.stdout.flush()


def _progress_bar(records: int, lang: str) -> Callable[[int, int], None] | None:
    """A progress bar on standard error, when it is a terminal and the input is large."""
    if records < LARGE_INPUT or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=None, unit="块" if lang == "zh" else "chunk", desc="评估" if lang == "zh" else "evaluating", file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return update
