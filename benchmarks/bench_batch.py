"""Batch path against a bare numpy kernel, on the same in-memory cohort, in one run.

First (unless --kernel-only) the whole batch path from string columns (normalisation included)
and the peak memory of that path against the size of its input columns. Then the kernels on the
same typed columns and the same join of records to persons: (a) a bare numpy kernel that sums
credited hours per person and category, (b) the cerules kernel with every rule on (provincial
rules and the installed plugins), each on the records grouped by person (as generated) and on
the same records in random order (as an export sorted by completion time would list them). The
four are timed in turns, --repeat runs, and each run's ratio cerules/bare is printed with the
median, least and greatest, since one run on a shared machine measures the load as much as the
kernel. Last, grouped, on one thread each (the bare kernel has one).

    python benchmarks/bench_batch.py [--people 1000000] [--seed 2023] [--repeat 5] [--kernel-only]
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import attrs
import numba
import numpy as np
import pyarrow as pa

import cerules
from cerules.evaluation.batch import evaluate_batch
from cerules.evaluation.cohort import as_table
from cerules.inputs.normalise import RecordColumns, normalise_persons, normalise_records
from cerules.inputs.synth import generate
from cerules.kernel.run import evaluate_columns, lookup


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_kernel(person: np.ndarray, subject: np.ndarray, hours: np.ndarray, year: np.ndarray, people: int) -> np.ndarray:
    """Credited hours per person and category: valid, in the year, summed. Nothing else."""
    keep = (person >= 0) & (subject >= 0) & (year == 2023)
    return np.bincount(person[keep] * 2 + subject[keep], weights=hours[keep], minlength=people * 2)


def best_of_each(repeat: int, **runs: Callable[[], object]) -> dict[str, float]:
    """Best time of each run, taking turns, so that a noisy neighbour slows both alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kernel-only", action="store_true", help="the kernels alone, without the batch path")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}")
    print(f"peak RSS at start: {peak_rss_mb():.0f} MB")

    start = time.perf_counter()
    cohort = generate(args.people, seed=args.seed)
    n = cohort.records.num_rows
    input_mb = (cohort.persons.nbytes + cohort.records.nbytes) / 2**20
    print(
        f"cohort: {args.people:,} people, {n:,} records, input columns {input_mb:.0f} MB (generated in {time.perf_counter() - start:.1f} s)"
    )
    rules = cerules.load_rules(2023)
    print(f"rules: {' → '.join(layer.id for layer in rules.layers)}")
    if not args.kernel_only:
        batch_path(rules, cohort, input_mb)
    kernels(rules, cohort, n, args)


def batch_path(rules: cerules.RuleSet, cohort: Any, input_mb: float) -> None:
    """The whole batch path from string columns, and its peak memory."""
    n = cohort.records.num_rows
    people = cohort.persons.num_rows
    baseline = peak_rss_mb()
    start = time.perf_counter()
    batch = evaluate_batch(rules, cohort.persons, cohort.records)
    whole_path = time.perf_counter() - start
    peak = peak_rss_mb()
    print(
        f"batch path from string columns (normalise + rules, chunked): {whole_path:.1f} s, {n / whole_path / 1e6:.2f} M records/s; "
        f"compliant {batch.summary()['compliant'] / people:.1%}"
    )
    print(
        f"peak RSS during the batch path: {peak:.0f} MB; above the loaded input: {peak - baseline:.0f} MB "
        f"= {(peak - baseline) / input_mb:.2f}× the input columns"
    )
    del batch
    gc.collect()


def kernels(rules: cerules.RuleSet, cohort: Any, n: int, args: argparse.Namespace) -> None:
    """The bare kernel against the cerules kernel on the same typed columns, grouped by person and
    in random order, timed in turns (--repeat runs, each run's ratio); then on one thread each."""
    start = time.perf_counter()
    persons, _ = normalise_persons(as_table(cohort.persons, "persons"))
    records = normalise_records(as_table(cohort.records, "records"), rules)
    print(f"normalised to typed columns once, for the kernels: {time.perf_counter() - start:.1f} s")
    person = lookup(persons.person_id, records.person_id)
    subject, hours, year = records.subject.astype(np.int64), records.hours, records.year
    # The synthetic cohort, like most exports, lists each person's records together, which the
    # kernel reads in place. The same records in random order (e.g. sorted by completion time) are
    # partitioned by blocks of people first:
    permutation = np.random.default_rng(args.seed).permutation(n)
    scattered = shuffled(records, permutation)
    scattered_person = lookup(persons.person_id, scattered.person_id)
    scattered_subject, scattered_hours, scattered_year = scattered.subject.astype(np.int64), scattered.hours, scattered.year

    grouped_ledger = evaluate_columns(rules, persons, records, person_index=person)  # loads the compiled kernel
    scattered_ledger = evaluate_columns(rules, persons, scattered, person_index=scattered_person)
    same = all(
        np.array_equal(getattr(grouped_ledger, name)[permutation], getattr(scattered_ledger, name)) for name in ("reason", "credited")
    ) and all(np.array_equal(getattr(grouped_ledger, name), getattr(scattered_ledger, name)) for name in ("required", "achieved", "met"))
    print(f"outcomes in random order identical to grouped (every record's reason and credited, every requirement): {same}")
    del grouped_ledger, scattered_ledger

    times = times_in_turns(
        args.repeat,
        grouped_bare=lambda: bare_kernel(person, subject, hours, year, len(persons)),
        grouped_cerules=lambda: evaluate_columns(rules, persons, records, person_index=person),
        random_bare=lambda: bare_kernel(scattered_person, scattered_subject, scattered_hours, scattered_year, len(persons)),
        random_cerules=lambda: evaluate_columns(rules, persons, scattered, person_index=scattered_person),
    )
    grouped = [bare / ours for bare, ours in zip(times["grouped_bare"], times["grouped_cerules"], strict=True)]
    scattered_ratio = [bare / ours for bare, ours in zip(times["random_bare"], times["random_cerules"], strict=True)]
    slowdown = [ours / grouped for ours, grouped in zip(times["random_cerules"], times["grouped_cerules"], strict=True)]
    print("run   grouped: bare    cerules  ratio   random order: bare    cerules  ratio   cerules random/grouped")
    for run in range(args.repeat):
        print(
            f"{run + 1:>3}   {times['grouped_bare'][run]:>14.3f} s {times['grouped_cerules'][run]:>6.3f} s {grouped[run]:>5.2f}×"
            f"   {times['random_bare'][run]:>13.3f} s {times['random_cerules'][run]:>6.3f} s {scattered_ratio[run]:>5.2f}×"
            f"   {slowdown[run]:>5.2f}×"
        )
    print(f"ratio cerules/bare, grouped by person: {spread(grouped)}")
    print(f"ratio cerules/bare, random order:      {spread(scattered_ratio)}")
    print(f"cerules random order / grouped:        {spread(slowdown)} (time)")
    print(
        f"records per second, median: bare {n / np.median(times['grouped_bare']) / 1e6:.1f} M grouped, "
        f"{n / np.median(times['random_bare']) / 1e6:.1f} M random; cerules {n / np.median(times['grouped_cerules']) / 1e6:.1f} M grouped, "
        f"{n / np.median(times['random_cerules']) / 1e6:.1f} M random (all rules: every disposition, every person's result)"
    )

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    best = best_of_each(
        args.repeat,
        bare=lambda: bare_kernel(person, subject, hours, year, len(persons)),
        ours=lambda: evaluate_columns(rules, persons, records, person_index=person),
    )
    numba.set_num_threads(threads)
    print(
        f"one thread each, grouped, best of {args.repeat}: bare {best['bare']:.3f} s, cerules {best['ours']:.3f} s, "
        f"ratio {best['bare'] / best['ours']:.2f}×"
    )


def times_in_turns(repeat: int, **runs: Callable[[], object]) -> dict[str, list[float]]:
    """Each run's time of each, taking turns, so that a noisy neighbour slows a run's pair alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def spread(ratios: list[float]) -> str:
    """The median of some ratios, and their least and greatest."""
    return f"median {np.median(ratios):.2f}×, min {min(ratios):.2f}×, max {max(ratios):.2f}× over {len(ratios)} runs"


def shuffled(records: RecordColumns, permutation: np.ndarray) -> RecordColumns:
    """The same records in another order."""
    take = pa.array(permutation)
    columns = {}
    for field in attrs.fields(RecordColumns):
        values = getattr(records, field.name)
        if isinstance(values, np.ndarray) and len(values) == len(records):
            columns[field.name] = values[permutation]
        elif isinstance(values, pa.Array):
            columns[field.name] = values.take(take)
    where = np.empty_like(permutation)
    where[permutation] = np.arange(len(permutation))
    problems = {int(where[row]): problem for row, problem in records.problems.items()}
    return attrs.evolve(records, **columns, problems=problems)


if __name__ == "__main__":
    sys.exit(main())
