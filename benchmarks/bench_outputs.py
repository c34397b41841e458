"""Each output of `cerules evaluate` on the same cohort, side by side: wall time, peak memory and size.

    python benchmarks/bench_outputs.py [--people 20000] [--seed 7] [--formats csv,json,xlsx,html] [--runs 1]

The cohort (Parquet, `cerules synth`) is written once; each format runs in its own child process in
turns (so a busy machine slows them alike), and the ratio to CSV is printed beside each time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one child process (its own rusage, from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="csv,json,xlsx,html")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as folder:
        cohort = Path(folder)
        subprocess.run([str(BIN / "cerules"), "synth", "--people", str(args.people), "--seed", str(args.seed), "--out", folder],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        import pyarrow.parquet as pq

        records = pq.ParquetFile(cohort / "records.parquet").metadata.num_rows
        times: dict[str, list[float]] = {fmt: [] for fmt in formats}
        peaks: dict[str, float] = {}
        sizes: dict[str, int] = {}
        for _ in range(args.runs):
            for fmt in formats:  # in turns
                out = cohort / f"out.{fmt}"
                command = [str(BIN / "cerules"), "evaluate", "--year", "2023", "--persons", str(cohort / "persons.parquet"),
                           "--records", str(cohort / "records.parquet"), "--format", fmt, "--out", str(out)]  # fmt: skip
                elapsed, peak = run(command)
                times[fmt].append(elapsed)
                peaks[fmt] = peak
                sizes[fmt] = out.stat().st_size
        print(f"cerules evaluate outputs, {datetime.datetime.now().isoformat(timespec='seconds')}")
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"cohort: {args.people:,} people, {records:,} records (Parquet in); median of {args.runs} run(s) in turns\n")
        base = statistics.median(times[formats[0]])
        print(f"{'format':<8}{'seconds':>9}{'records/s':>12}{'× ' + formats[0]:>9}{'peak MiB':>10}{'size MiB':>10}")
        for fmt in formats:
            seconds = statistics.median(times[fmt])
            print(f"{fmt:<8}{seconds:>9.2f}{records / seconds:>12,.0f}{seconds / base:>9.1f}{peaks[fmt]:>10.0f}{sizes[fmt] / 2**20:>10.1f}")


if __name__ == "__main__":
    main()
