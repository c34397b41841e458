"""The `cerules` command line, on the interface of the data contract.

Exit status: 0 when the work completed (whatever the verdicts), 2 for a usage error or input
that cannot be used, always with one line naming the file, line and column; never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..authoring.ruletests import RuleTestError, find_files, load_cases
from ..base.version import __version__
from ..evaluation.batch import ChunkedRun
from ..evaluation.cohort import evaluate, read_inputs
from ..inputs.reading import InputError
from ..plugins.loading import load_rules
from ..plugins.manager import PluginError, Plugins
from ..render.report import FORMATS, atomic_output, render, write_csv_stream, write_json_stream
from ..rules import RulesError, available_years, lint_layer, load_layer
from ..rules.model import Layer
from ..rules.ruleset import RuleSet
from .forms import register as register_forms

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

    plugins = commands.add_parser("plugins", help="list the installed plugins: name, version, layers, scopes, hooks")
    plugins.add_argument("--year", type=int, default=None, help="the year whose layers to show (default: every shipped year)")
    plugins.add_argument("--json", action="store_true")
    plugins.add_argument("--strict", action="store_true", help="a broken plugin is an error")
    plugins.set_defaults(handler=_plugins)

    test = commands.add_parser("test", help="run rule-test files (test_*.yaml)")
    test.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    test.add_argument("--installed", action="store_true", help="also the rule tests the installed plugins register")
    test.set_defaults(handler=_test)

    new = commands.add_parser("new-plugin", help="scaffold a city or department plugin package")
    new.add_argument("kind", choices=("city", "department"))
    new.add_argument("name", help="lowercase name, e.g. yantai")
    new.add_argument("--city", help="city code or name (default: from NAME)")
    new.add_argument("--title-series", action="append", default=[], metavar="SERIES", help="for a department: 卫生, 会计, …")
    new.add_argument("--year", type=int, default=2023)
    new.add_argument("--dir", default=".", help="where to create the package folder")
    new.set_defaults(handler=_new_plugin)

    synth = commands.add_parser("synth", help="write a synthetic cohort (persons and records) for tests and benchmarks")
    synth.add_argument("--people", type=int, required=True)
    synth.add_argument("--seed", type=int, default=2023)
    synth.add_argument("--records-per-person", type=float, default=20.0)
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    synth.add_argument("--out", required=True, help="folder for persons.<format> and records.<format>")
    synth.set_defaults(handler=_synth)

    register_forms(commands)
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
    except (RulesError, PluginError, RuleTestError) as exc:
        print(f"cerules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, FileExistsError) as exc:
        if args.command != "new-plugin":
            raise
        print(f"cerules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


def _rules(args: argparse.Namespace) -> RuleSet:
    return load_rules(args.year, rules=args.rules, plugins=not args.no_plugins, strict=getattr(args, "strict", False))


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out:
        suffix = Path(args.out).suffix.lower()
        return {".csv": "csv", ".txt": "table"}.get(suffix, "json")
    return "table" if sys.stdout.isatty() else "json"


LARGE_INPUT = 1_000_000
"""Records above which a progress bar is shown (on a terminal)."""


def _evaluate(args: argparse.Namespace) -> int:
    rules = _rules(args)
    persons, records = read_inputs(args.persons, args.records)
    fmt = _output_format(args)
    if fmt == "table":  # for people at a terminal: one evaluation, aligned columns
        evaluation = evaluate(rules, persons, records, strict=args.strict)
        _emit(args, lambda stream: stream.write(render(evaluation, fmt, args.lang).encode("utf-8")))
        return EXIT_OK
    run = ChunkedRun(rules, persons, records)
    problem = run.strict_problem() if args.strict else None
    if problem is not None:
        raise problem
    options: dict[str, Any] = {"progress": _progress_bar(len(records), args.lang)}

    def write(stream: BinaryIO) -> None:
        if fmt == "json":
            write_json_stream(run, stream, args.lang, **options)
        else:
            write_csv_stream(run, stream, **options)
        late = run.strict_problem() if args.strict else None
        if late is not None:
            raise late

    _emit(args, write, buffered=args.strict)
    return EXIT_OK


def _emit(args: argparse.Namespace, write: Callable[[BinaryIO], object], *, buffered: bool = False) -> None:
    """Write to --out (all or nothing) or to standard output (buffered when a late error must leave nothing)."""
    if args.out:
        try:
            with atomic_output(args.out) as stream:
                write(stream)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(args.out, f"cannot write the output: {reason}", f"无法写入输出文件：{reason}") from None
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


def _plugins(args: argparse.Namespace) -> int:
    plugins = Plugins(strict=args.strict)
    years = [args.year] if args.year else list(available_years())
    layers = {year: plugins.layers(year) for year in years}
    listing: list[dict[str, Any]] = []
    for info in plugins.info():
        label = info.distribution or info.name
        own = [
            {"year": year, "id": layer.id, "rank": layer.rank, "scope": layer.scope.as_dict(), "file": layer.file}
            for year in years
            for layer in layers[year]
            if layer.plugin == label
        ]
        listing.append(
            {
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "module": info.module,
                "hooks": list(info.hooks),
                "layers": own,
            }  # fmt: skip
        )
    errors = [{"plugin": e.plugin, "error": e.error} for e in plugins.errors]
    if args.json:
        print(json.dumps({"plugins": listing, "errors": errors}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not listing:
        print("no plugins installed (entry-point group 'cerules')")
    for entry in listing:
        print(f"{entry['distribution'] or entry['name']} {entry['version'] or ''}  [{entry['name']}]  hooks: {', '.join(entry['hooks'])}")
        for layer in entry["layers"]:
            print(f"  {layer['year']} {layer['rank']} layer '{layer['id']}'  scope: {_scope_text(layer['scope'])}")
    for error in errors:
        print(f"broken: {error['plugin']}: {error['error']}")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    paths = list(args.paths)
    if args.installed:
        paths += [str(item) for _, item in Plugins(strict=True).rule_test_paths()]
    if not paths:
        raise RuleTestError("nothing to test: give files or folders, or --installed")
    files = [file for path in paths for file in find_files(path)]
    if not files:
        raise RuleTestError(f"no rule-test files (test_*.yaml) in {', '.join(paths)}")
    passed = failed = 0
    for file in files:
        for case in load_cases(file):
            problems = case.run()
            if problems:
                failed += 1
                print(f"FAIL {case.name} ({file})")
                for problem in problems:
                    print(f"     {problem}")
            else:
                passed += 1
                print(f"ok   {case.name}")
    print(f"{passed} passed, {failed} failed")
    return EXIT_FAILED if failed else EXIT_OK


def _synth(args: argparse.Namespace) -> int:
    from ..inputs.synth import generate

    if args.people < 0:
        raise InputError(args.out, "--people must be >= 0", "--people 不能为负数")
    cohort = generate(args.people, seed=args.seed, records_per_person=args.records_per_person)
    persons, records = cohort.write(args.out, args.format)
    print(f"{persons} ({cohort.persons.num_rows} persons), {records} ({cohort.records.num_rows} records)")
    return EXIT_OK


def _new_plugin(args: argparse.Namespace) -> int:
    from ..authoring.scaffold import create_plugin

    folder = create_plugin(args.kind, args.name, args.dir, city=args.city, title_series=args.title_series, year=args.year)
    print(f"created {folder}")
    print(f"next: pip install -e {folder} && cerules test {folder} && cerules plugins")
    return EXIT_OK


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
