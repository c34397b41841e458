"""`cerules certificate`: statements of credited hours (学时证明) for title applications, as Word or PDF.

One person to one file (`--out cert.docx|cert.pdf`), or several (`--person` again, or `--all`)
to one file each in a folder (`--out-dir DIR`, `<person_id>-<years>.docx`) and/or one zip archive
(`--zip FILE.zip`). Each year asked for is judged under that year's rules; a year without rules is
stated as such. Exit status 0 when the certificates were written, 2 for a usage error, input that
cannot be used, an unknown person or an output that would overwrite an input, on one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..base.errors import CeruleError
from .common import EXIT_OK, EXIT_USAGE, add_rule_options, add_unit_level_default, chosen_pack
from .history import parse_years

FORMATS = ("docx", "pdf")


class UsageError(CeruleError):
    """Options that do not fit together (exit 2)."""


def add_commands(commands: Any) -> None:
    certificate = commands.add_parser(
        "certificate",
        help="statements of credited hours (学时证明) as Word or PDF, one year or several",
        description="学时证明 · a statement of a person's credited continuing-education hours, each year under that year's rules",
    )
    certificate.add_argument("--persons", required=True, help="persons file (.csv, .jsonl, .parquet or a workbook)")
    certificate.add_argument("--records", required=True, help="records file, any number of years")
    who = certificate.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", action="append", metavar="ID", help="the person's id (repeat for several)")
    who.add_argument("--all", action="store_true", help="every person of the persons file")
    when = certificate.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, help="one year")
    when.add_argument("--years", type=parse_years, metavar="YEARS", help="2021-2023, 2021,2023 or 2023: each year under its own rules")
    certificate.add_argument("--out", help="one person's certificate: FILE.docx or FILE.pdf (by the suffix), or an existing folder")
    certificate.add_argument("--out-dir", metavar="DIR", help="one file per person in this folder: <person_id>-<years>.docx|.pdf")
    certificate.add_argument("--zip", metavar="FILE.zip", help="the certificates in one zip archive")
    certificate.add_argument("--format", choices=FORMATS, help="docx or pdf when writing to a folder or an archive (default docx)")
    certificate.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_rule_options(certificate, drafts="for the years it covers")
    add_unit_level_default(certificate)
    certificate.set_defaults(handler=run)


def _usage(zh: str, en: str) -> UsageError:
    return UsageError(f"certificate：{zh}", f"certificate: {en}")


def _plan(args: argparse.Namespace, inputs: list[str]) -> tuple[str | None, str | None, str | None, str]:
    """Where to write (one file, a folder, an archive) and in which format; refuses what does not fit,
    and an output that is an input, before any work is done."""
    from ..certificates.output import format_of
    from ..render.files import check_output

    out, folder, archive = args.out, args.out_dir, args.zip
    if out is not None and Path(out).is_dir():
        out, folder = None, folder or out
        if args.out_dir is not None:
            raise _usage("--out 是文件夹时不能再给 --out-dir", "--out names a folder: give it or --out-dir, not both")
    if out is None and folder is None and archive is None:
        raise _usage("需要 --out FILE、--out-dir DIR 或 --zip FILE.zip", "expected --out FILE, --out-dir DIR or --zip FILE.zip")
    if out is not None:
        if folder is not None or archive is not None:
            raise _usage("--out 只写一份证明，不能与 --out-dir 或 --zip 同用", "--out writes one certificate: not with --out-dir or --zip")
        if args.all or len(args.person) > 1:
            raise _usage(
                "多人的学时证明请用 --out-dir DIR 或 --zip FILE.zip",
                "certificates for several persons need --out-dir DIR or --zip FILE.zip",
            )
        check_output(out, inputs)
        fmt = format_of(out)
        if args.format is not None and args.format != fmt:
            raise _usage(
                f"--format {args.format} 与 --out 的后缀 .{fmt} 不一致",
                f"--format {args.format} contradicts --out's suffix .{fmt}",
            )
        return out, None, None, fmt
    if archive is not None:
        check_output(archive, inputs)
        if Path(archive).suffix.lower() != ".zip":
            raise _usage(f"--zip 应为 .zip 文件：{archive}", f"--zip expects a .zip file: {archive}")
    return None, folder, archive, args.format or "docx"


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except OSError as exc:  # a folder that cannot be made, a disk that is full
        where = exc.filename or args.out or args.out_dir or args.zip
        print(f"cerules: {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from ..certificates.output import batch_names, check_batch, write_batch, write_certificate
    from ..certificates.statement import issuer, today_in_shanghai

    inputs = [args.persons, args.records, *args.rules]
    out, folder, archive, fmt = _plan(args, inputs)
    years = (args.year,) if args.year is not None else args.years
    issued = issuer(
        args.persons,
        args.records,
        years,
        pack=chosen_pack(args),
        plugins=not args.no_plugins,
        rules=args.rules,
        skip=args.skip_plugin,
        unit_level_default=args.unit_level_default,
    )
    person_ids = list(issued.person_ids) if args.all else list(dict.fromkeys(args.person))
    issued.check(person_ids)
    _report_quality(issued, args.lang)
    day = today_in_shanghai()
    if out is not None:
        path = write_certificate(issued.certificate(person_ids[0], issued=day), out, lang=args.lang, inputs=inputs)
        print(f"{'wrote' if args.lang == 'en' else '已写入'} {path}")
        return EXIT_OK
    names = batch_names(person_ids, years, fmt)
    check_batch(names.values(), folder=folder, archive=archive, inputs=inputs)
    certificates = (issued.certificate(person_id, issued=day) for person_id in person_ids)
    written = write_batch(certificates, names, fmt=fmt, lang=args.lang, folder=folder, archive=archive, inputs=inputs)
    places = " ".join(str(place) for place in (folder, archive) if place is not None)
    if args.lang == "en":
        print(f"wrote {len(written)} certificate{'s' * (len(written) != 1)} to {places}")
    else:
        print(f"已写入 {len(written)} 份学时证明：{places}")
    return EXIT_OK


def _report_quality(issued: Any, lang: str) -> None:
    """What of the input could not be used, on standard error (as `cerules history` says it)."""
    quality = issued.history.data_quality()
    lines = quality.lines(lang) if quality is not None else []
    if lines:
        print("\n".join(lines), file=sys.stderr)
