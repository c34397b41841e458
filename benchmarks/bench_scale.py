"""A province on one machine: the same cohort as text and as typed Parquet, beside a polars script of the core rule.

    python benchmarks/bench_scale.py [--people 1000000] [--repeat 3] [--dir /tmp/cerules-bench]

The cohort is written once with `cerules synth` and `cerules synth --typed` (the same seed, so the
same people and records; kept in --dir). Then, in turns, `repeat` times each: `cerules evaluate`
(Parquet → CSV, every rule) on the text file and on the typed file, and `polars_core_rule.py` (the
30/60 rule alone) on each. Each run is a child process, so its wall time and peak memory are its
own; medians are compared as ratios within this one run, since the machine's speed varies.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent


def cohort(folder: Path, people: int, seed: int, typed: bool) -> tuple[Path, Path]:
    """The cohort's files, written once."""
    persons, records = folder / "persons.parquet", folder / "records.parquet"
    if not records.exists():
        command = [str(BIN / "cerules"), "synth", "--people", str(people), "--seed", str(seed), "--out", str(folder)]
        subprocess.run(command + (["--typed"] if typed else []), check=True, stdout=subprocess.DEVNULL)
    return persons, records


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of a child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/cerules-bench")
    args = parser.parse_args()
    base = Path(args.dir)
    files = {
        "text": cohort(base / f"{args.people}-{args.seed}", args.people, args.seed, typed=False),
        "typed": cohort(base / f"{args.people}-{args.seed}-typed", args.people, args.seed, typed=True),
    }
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(files["text"][1]).metadata.num_rows
    out = base / "bench-scale.csv"
    commands = {}
    for kind, (persons, records) in files.items():
        cerules = [str(BIN / "cerules"), "evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records)]
        commands[f"cerules, {kind}"] = cerules + ["--format", "csv", "--out", str(out)]
        commands[f"polars core rule, {kind}"] = [sys.executable, str(HERE / "polars_core_rule.py"), str(persons), str(records), str(out)]
    for command in commands.values():  # a first run each: compiled code cached, files in the page cache
        timed(command)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(args.repeat):
        for name, command in commands.items():
            wall, peak = timed(command)
            walls[name].append(wall)
            peaks[name] = max(peaks[name], peak)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print(f"cohort: {args.people:,} people, {rows:,} records; {args.repeat} runs each, in turns (median, min-max)")
    median = {name: statistics.median(values) for name, values in walls.items()}
    for name, values in walls.items():
        print(f"  {name:26s} {median[name]:6.1f} s ({min(values):.1f}-{max(values):.1f})  peak {peaks[name]:6.0f} MB")
    for kind in files:
        ratio = median[f"cerules, {kind}"] / median[f"polars core rule, {kind}"]
        print(f"  cerules / polars on the {kind} file: {ratio:.2f}×")
    print(f"  typed / text (cerules): {median['cerules, typed'] / median['cerules, text']:.2f}×")


if __name__ == "__main__":
    main()
