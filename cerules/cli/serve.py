"""`cerules serve`: the engine over HTTP (the optional `service` extra: FastAPI and uvicorn)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..base.errors import CeruleError
from .common import EXIT_OK, add_pack_options, add_skip_plugin, chosen_pack


class ServeError(CeruleError):
    """The service cannot start: a missing extra, an unreadable token file."""


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="serve the engine over HTTP (POST /v1/evaluate, /v1/explain, /v1/drafts/impact; GET /v1/rules/{year}, …)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (each loads the rules once)")
    serve.add_argument("--no-plugins", action="store_true", help="the pack's rules alone")
    add_skip_plugin(serve)
    add_pack_options(serve)
    serve.add_argument(
        "--token-file", metavar="FILE", help="require `Authorization: Bearer <token>` with the token in FILE (or CERULES_SERVICE_TOKEN)"
    )
    serve.add_argument("--max-body-mb", type=_positive(float), default=64.0, help="largest request body, MiB (default 64)")
    serve.add_argument("--max-records", type=_positive(int), default=1_000_000, help="most records in one request (default 1000000)")
    serve.add_argument("--max-persons", type=_positive(int), default=200_000, help="most persons in one request (default 200000)")
    serve.add_argument("--timeout", type=_positive(float), default=120.0, help="seconds before an evaluation is given up (504)")
    serve.add_argument("--threads", type=_positive(int), default=2, help="evaluations run at once in one worker (default 2)")
    serve.add_argument(
        "--cors-origin", action="append", default=[], metavar="URL", help="allow browser calls from this origin (off by default)"
    )
    serve.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    serve.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the command's own messages")
    serve.set_defaults(handler=run)


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value

    return parse


def _token(args: argparse.Namespace) -> str | None:
    if args.token_file is None:
        return os.environ.get("CERULES_SERVICE_TOKEN") or None
    try:
        with open(args.token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ServeError(
            f"无法读取令牌文件 {args.token_file}：{reason}", f"cannot read the token file {args.token_file}: {reason}"
        ) from None
    if not token:
        raise ServeError(f"令牌文件 {args.token_file} 为空", f"the token file {args.token_file} is empty")
    return token


def run(args: argparse.Namespace) -> int:
    try:
        from ..service.rules_store import build_snapshot
        from ..service.server import serve
        from ..service.settings import ServiceSettings
    except ImportError as exc:
        raise ServeError(
            f"cerules serve 需要 service 扩展（缺少 {exc.name}）：pip install 'cerules[service]'",
            f"cerules serve needs the service extra (missing {exc.name}): pip install 'cerules[service]'",
        ) from None
    settings = ServiceSettings(
        pack=chosen_pack(args),
        plugins=not args.no_plugins,
        skip_plugins=tuple(args.skip_plugin),
        token=_token(args),
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        max_records=args.max_records,
        max_persons=args.max_persons,
        timeout_seconds=args.timeout,
        evaluation_threads=args.threads,
        cors_origins=tuple(args.cors_origin),
    )
    build_snapshot(settings)  # rules that cannot be used stop here, on one line (exit 2), before any port is opened
    serve(settings, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)
    return EXIT_OK
