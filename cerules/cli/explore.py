"""`cerules explore`: the draft explorer in the browser, for people who never open a notebook.

Voilà serves it on 127.0.0.1 with a token; the page shows the widgets, never code. The inputs are read
once here first, so a bad file is one line and exit 2 rather than an error inside the page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import EXIT_FAILED, EXIT_OK


def add_commands(commands: Any) -> None:
    explore = commands.add_parser("explore", help="open the draft explorer in the browser (Voilà)")
    explore.add_argument("--persons", required=True, help="persons file (.csv, .jsonl or .parquet)")
    explore.add_argument("--records", required=True, help="records file (.csv, .jsonl or .parquet)")
    explore.add_argument("--year", type=int, default=2023)
    explore.add_argument("--port", type=_port, default=8866, help="port on 127.0.0.1 (default 8866; 0: any free port)")
    explore.add_argument("--no-browser", action="store_true", help="print the address and do not open a browser")
    explore.add_argument("--no-plugins", action="store_true", help="the provincial rules alone")
    explore.add_argument("--lang", choices=("zh", "en"), default="zh")
    explore.set_defaults(handler=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text!r} (0 to 65535)")
    return port


def run(args: argparse.Namespace) -> int:
    from ..evaluation.cohort import read_inputs
    from ..plugins.loading import load_rules
    from ..ui.app.server import App, free_port, require_voila, running, signals_interrupt

    require_voila()
    read_inputs(args.persons, args.records)  # refused here, in one line, rather than inside the page
    load_rules(args.year, plugins=not args.no_plugins)  # a year without rules, likewise
    app = App(
        persons=Path(args.persons).absolute(),
        records=Path(args.records).absolute(),
        year=args.year,
        lang=args.lang,
        plugins=not args.no_plugins,
        port=args.port or free_port(),
    )
    try:
        with signals_interrupt(), running(app) as server:
            print(f"规则草案浏览器 draft explorer: {app.url}", flush=True)
            print("按 Ctrl+C 结束 · press Ctrl+C to stop", flush=True)
            if not args.no_browser:
                import webbrowser

                webbrowser.open(app.url)
            status = server.wait()
    except KeyboardInterrupt:  # Ctrl+C, SIGTERM or SIGHUP, at any moment: Voilà is stopped on the way out
        return EXIT_OK
    print(f"cerules: Voilà 意外退出（状态 {status}）· Voilà stopped unexpectedly (status {status})", file=sys.stderr)
    return EXIT_FAILED
