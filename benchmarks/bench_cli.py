"""`cerules evaluate` end to end on a Parquet cohort, writing CSV: wall time and peak memory.

    python benchmarks/bench_cli.py [--people 1000000] [--seed 2023] [--dir /tmp/cerules-bench]

The cohort is written once with `cerules synth` (kept in --dir for later runs); the evaluation
runs in a child process, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--dir", default="/tmp/cerules-bench")
    args = parser.parse_args()
    folder = Path(args.dir) / f"{args.people}-{args.seed}"
    persons, records = folder / "persons.parquet", folder / "records.parquet"
    if not records.exists():
        subprocess.run(
            [str(BIN / "cerules"), "synth", "--people", str(args.people), "--seed", str(args.seed), "--out", str(folder)], check=True
        )
    rows = pq.ParquetFile(records).metadata.num_rows
    table = pq.read_table(records)
    input_mb = (table.nbytes + pq.read_table(persons).nbytes) / 2**20
    del table
    out = folder / "result.csv"
    command = [
        str(BIN / "cerules"),
        "evaluate",
        "--year",
        "2023",
        "--persons",
        str(persons),
        "--records",
        str(records),
        "--format",
        "csv",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cohort: {args.people:,} people, {rows:,} records; input columns in memory {input_mb:.0f} MB")
    print(
        f"cerules evaluate → CSV: {wall:.1f} s ({rows / wall / 1e6:.2f} M records/s), "
        f"peak memory {peak_mb:.0f} MB = {peak_mb / input_mb:.2f}× the input columns"
    )


if __name__ == "__main__":
    main()
