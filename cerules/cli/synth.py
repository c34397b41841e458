"""`cerules synth`: a synthetic cohort for tests and benchmarks."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_OK, UsageError


def add_commands(commands: Any) -> None:
    synth = commands.add_parser("synth", help="write a synthetic cohort (persons and records) for tests and benchmarks")
    synth.add_argument("--people", type=int, required=True)
    synth.add_argument("--seed", type=int, default=2023)
    synth.add_argument("--records-per-person", type=float, default=20.0)
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    synth.add_argument(
        "--parts", type=int, metavar="N", help="write persons/ and records/ as Parquet datasets of N part files (part-00000.parquet …)"
    )
    synth.add_argument(
        "--typed", action="store_true", help="typed Parquet columns (numbers, timestamps, booleans, dictionary text), as a database exports"
    )
    synth.add_argument("--out", required=True, help="folder for persons.<format> and records.<format> (or persons/ and records/)")
    synth.set_defaults(handler=write_cohort)


def write_cohort(args: argparse.Namespace) -> int:
    from ..inputs.reading import InputError
    from ..inputs.synth import generate

    if args.people < 0:
        raise InputError(args.out, "--people 不能为负数", "--people must be >= 0")
    if args.parts is not None and args.parts < 1:
        raise UsageError("--parts 应至少为 1", "--parts must be at least 1")
    for flag, given in (("--parts", args.parts is not None), ("--typed", args.typed)):
        if given and args.format != "parquet":
            raise UsageError(f"{flag} 只适用于 Parquet（--format parquet）", f"{flag} applies to Parquet only (--format parquet)")
    cohort = generate(args.people, seed=args.seed, records_per_person=args.records_per_person)
    if args.typed:
        cohort = cohort.typed()
    persons, records = cohort.write(args.out, args.format, parts=args.parts)
    print(f"{persons} ({cohort.persons.num_rows} persons), {records} ({cohort.records.num_rows} records)")
    return EXIT_OK
