"""One machine against Dask workers on the same partitioned cohort: wall time and peak memory per worker.

    python benchmarks/bench_distributed.py [--people 200000] [--parts 8] [--runs 3] [--warm] [--dir /tmp/cerules-bench-dask]

The cohort is written once (`cerules synth`, seed 2023) both as two Parquet files and as datasets of
--parts part files. In turns, --runs times each: `cerules evaluate` on the files, writing CSV (the
single-machine path), and `cerules evaluate --scheduler local --workers W` on the datasets with 1 and
2 workers, each in a child process, from start to exit (the cluster's start-up included). Memory is
sampled every 50 ms with psutil: the whole single-machine process; for a run on Dask, each worker
process (the child processes of the command) and the command itself (scheduler and client).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
MB = 2**20


def sampled(command: list[str]) -> tuple[float, int, int]:
    """Run a command: (seconds, peak RSS of the process itself, peak RSS of its largest descendant)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    own = child = 0
    while process.poll() is None:
        try:
            own = max(own, watched.memory_info().rss)
            for descendant in watched.children(recursive=True):
                try:
                    child = max(child, descendant.memory_info().rss)
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode() if process.stderr else ''}")
    return seconds, own, child


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--dir", default="/tmp/cerules-bench-dask")
    parser.add_argument("--warm", action="store_true", help="also time runs on a cluster already started and warmed")
    args = parser.parse_args()
    folder = Path(args.dir) / f"{args.people}-{args.seed}-{args.parts}"
    files, parts = folder / "files", folder / "parts"
    cerules = str(BIN / "cerules")
    if not (files / "records.parquet").exists():
        common = ["synth", "--people", str(args.people), "--seed", str(args.seed)]
        subprocess.run([cerules, *common, "--out", str(files)], check=True)
        subprocess.run([cerules, *common, "--parts", str(args.parts), "--out", str(parts)], check=True)
    year = ["evaluate", "--year", "2023"]
    single = [cerules, *year, "--persons", str(files / "persons.parquet"), "--records", str(files / "records.parquet")]
    single += ["--out", str(folder / "result.csv")]

    def on_dask(workers: int) -> list[str]:
        out = folder / f"result-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        command = [cerules, *year, "--persons", str(parts / "persons"), "--records", str(parts / "records")]
        return [*command, "--scheduler", "local", "--workers", str(workers), "--out", str(out)]

    subprocess.run([*single], check=True, capture_output=True)  # warm: compiled code cached, files in the page cache
    times: dict[str, list[float]] = {"single": [], "dask-1": [], "dask-2": []}
    memory: dict[str, list[tuple[int, int]]] = {name: [] for name in times}
    for _ in range(args.runs):
        for name, command in (("single", single), ("dask-1", on_dask(1)), ("dask-2", on_dask(2))):
            seconds, own, child = sampled(command if name == "single" else on_dask(int(name[-1])))
            times[name].append(seconds)
            memory[name].append((own, child))
    summary = json.loads((folder / "result-2" / "summary.json").read_text(encoding="utf-8"))["summary"]
    base = statistics.median(times["single"])
    print(f"cohort: {args.people:,} people, {summary['records']:,} records; {args.parts} part files; {psutil.cpu_count()} cores")
    print(f"runs: {args.runs} in turns; medians")
    print(f"{'run':<8} {'median s':>9} {'× single':>9} {'peak MB (process)':>18} {'peak MB per worker':>19}")
    for name, values in times.items():
        median = statistics.median(values)
        own = max(m[0] for m in memory[name]) / MB
        worker = max(m[1] for m in memory[name]) / MB
        shown = "" if name == "single" else f"{worker:,.0f}"
        print(f"{name:<8} {median:>9.2f} {median / base:>9.2f} {own:>18,.0f} {shown:>19}")
    single_peak = max(m[0] for m in memory["single"]) / MB
    worker_peak = max(m[1] for m in memory["dask-2"]) / MB
    ratio = statistics.median(times["dask-2"]) / base
    print(f"target: 2 workers ≤ 1.3× single: {ratio:.2f}× ({'met' if ratio <= 1.3 else 'not met'})")
    print(
        f"target: peak per worker ≤ single-machine peak: {worker_peak:,.0f} MB vs {single_peak:,.0f} MB "
        f"({'met' if worker_peak <= single_peak else 'not met'})"
    )
    print(f"summary (2 workers): {summary}")
    if args.warm:
        warm = warm_cluster(parts, folder / "result-warm", args.runs)
        print(f"a standing cluster of 2 workers (started and warmed once): median {warm:.2f} s, {warm / base:.2f}× single")


def warm_cluster(parts: Path, out: Path, runs: int) -> float:
    """Median seconds of `evaluate_dataset` on a LocalCluster of 2 workers that has already run once:
    what a standing cluster (`dask scheduler`, `dask worker`) pays, without start-up and first loads."""
    import cerules
    from cerules.distributed.cluster import connect
    from cerules.distributed.run import evaluate_dataset

    rules = cerules.load_rules(2023)
    seconds = []
    with connect("local", workers=2) as client:
        for run in range(runs + 1):
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            evaluate_dataset(rules, parts / "persons", parts / "records", out, client=client)
            if run:  # the first run loads the compiled code on the workers
                seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


if __name__ == "__main__":
    main()
