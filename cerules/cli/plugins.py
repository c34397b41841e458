"""`cerules plugins`, `cerules test`, `cerules new-plugin`: plugins as installed, their rule tests, a new one."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_skip_plugin, scope_text


def add_commands(commands: Any) -> None:
    plugins = commands.add_parser("plugins", help="list the installed plugins: name, version, layers, scopes, hooks")
    plugins.add_argument("--year", type=int, default=None, help="the year whose layers to show (default: every shipped year)")
    plugins.add_argument("--json", action="store_true")
    plugins.add_argument("--strict", action="store_true", help="stop at the first broken plugin instead of listing them all")
    add_skip_plugin(plugins)
    plugins.set_defaults(handler=list_plugins)

    test = commands.add_parser("test", help="run rule-test files (test_*.yaml)")
    test.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    test.add_argument("--installed", action="store_true", help="also the rule tests the installed plugins register")
    test.set_defaults(handler=run_rule_tests)

    new = commands.add_parser("new-plugin", help="scaffold a city or department plugin package")
    new.add_argument("kind", choices=("city", "department"))
    new.add_argument("name", help="lowercase name, e.g. yantai")
    new.add_argument("--city", help="city code or name (default: from NAME)")
    new.add_argument("--title-series", action="append", default=[], metavar="SERIES", help="for a department: 卫生, 会计, …")
    new.add_argument("--year", type=int, default=2023)
    new.add_argument("--dir", default=".", help="where to create the package folder")
    new.set_defaults(handler=new_plugin)


def list_plugins(args: argparse.Namespace) -> int:
    from ..plugins.listing import plugin_listing
    from ..plugins.manager import Plugins
    from ..rules import available_years

    plugins = Plugins(skip=args.skip_plugin, strict=args.strict, keep_going=True)
    years = [args.year] if args.year else list(available_years())
    document = plugin_listing(plugins, years)
    builtin, listing, errors, skipped = document["builtin"], document["plugins"], document["errors"], document["skipped"]
    status = _broken(errors)
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return status
    for entry in builtin + listing:
        marked = "  built-in" if entry["builtin"] else ""
        hooks = ", ".join(entry["hooks"])
        print(f"{entry['distribution'] or entry['name']} {entry['version'] or ''}  [{entry['name']}]{marked}  hooks: {hooks}")
        for pack in entry["packs"]:
            print(f"  pack '{pack['id']}' ({pack['name']})  years: {pack['years']}  {pack['folder']}")
        for layer in entry["layers"]:
            print(f"  {layer['year']} {layer['rank']} layer '{layer['id']}'  scope: {scope_text(layer['scope']) or 'everyone'}")
    if not listing:
        print("no plugins installed (entry-point group 'cerules')")
    for name in skipped:
        print(f"skipped: {name}")
    for error in errors:
        print(f"broken: {error['plugin']}: {error['error']}")
    return status


def _broken(errors: list[dict[str, str]]) -> int:
    """Exit 2 when a plugin is broken: an evaluation would fail on it (the listing still shows everything)."""
    if not errors:
        return EXIT_OK
    names = ", ".join(dict.fromkeys(error["plugin"] for error in errors))
    print(
        f"cerules: 插件无法使用 / plugins that cannot be used: {names} (evaluate fails on them; --skip-plugin NAME goes on without one)",
        file=sys.stderr,
    )
    return EXIT_USAGE


def run_rule_tests(args: argparse.Namespace) -> int:
    from ..authoring.ruletests import RuleTestError, find_files, load_cases
    from ..plugins.manager import Plugins

    paths = list(args.paths)
    if args.installed:
        paths += [str(item) for _, item in Plugins(strict=True).rule_test_paths()]
    if not paths:
        raise RuleTestError(
            "没有可测试的内容：请给出文件或文件夹，或使用 --installed", "nothing to test: give files or folders, or --installed"
        )
    files = [file for path in paths for file in find_files(path)]
    if not files:
        raise RuleTestError(
            f"{'、'.join(paths)} 中没有规则测试文件（test_*.yaml）", f"no rule-test files (test_*.yaml) in {', '.join(paths)}"
        )
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


def new_plugin(args: argparse.Namespace) -> int:
    from ..authoring.scaffold import ScaffoldError, create_plugin

    try:
        folder = create_plugin(args.kind, args.name, args.dir, city=args.city, title_series=args.title_series, year=args.year)
    except OSError as exc:
        if exc.errno is None:  # the scaffold's own "exists already", in both languages
            raise
        reason = exc.strerror or str(exc)
        where = exc.filename or args.dir
        raise ScaffoldError(f"无法写入插件文件夹 {where}：{reason}", f"cannot write the plugin folder {where}: {reason}") from None
    print(f"created {folder}")
    print(f"next: pip install -e {folder} && cerules test {folder} && cerules plugins")
    return EXIT_OK
