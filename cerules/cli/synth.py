"""`cerules synth`: a synthetic cohort for tests and benchmarks."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_OK


def add_commands(commands: Any) -> None:
    synth = commands.add_parser("synth", help="write a synthetic cohort (persons and records) for tests and benchmarks")
    synth.add_argument("--people", type=int, required=True)
    synth.add_argument("--seed", type=int, default=2023)
    synth.add_argument("--records-per-person", type=float, default=20.0)
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    synth.add_argument("--out", required=True, help="folder for persons.<format> and records.<format>")
    synth.set_defaults(handler=write_cohort)


def write_cohort(args: argparse.Namespace) -> int:
    from ..inputs.reading import InputError
    from ..inputs.synth import generate

    if args.people < 0:
        raise InputError(args.out, "--people 不能为负数", "--people must be >= 0")
    cohort = generate(args.people, seed=args.seed, records_per_person=args.records_per_person)
    persons, records = cohort.write(args.out, args.format)
    print(f"{persons} ({cohort.persons.num_rows} persons), {records} ({cohort.records.num_rows} records)")
    return EXIT_OK
