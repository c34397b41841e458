"""`cerules serve` under load: requests/s and latency of single-person calls, and a whole cohort uploaded.

Starts the service as a child process on a free port, then measures
  single: POST /v1/evaluate and /v1/explain with the schema's example person, C concurrent
          connections for D seconds after a warm-up: requests/s, p50/p90/p99 latency, errors;
  upload: a synthetic cohort (10,000 people) uploaded as CSV files R times, in turns with
          `cerules evaluate` on the same files: latency, records/s, the ratio service/CLI and
          whether the service's JSON is byte for byte the CLI's.

    .venv/bin/python benchmarks/bench_service.py [--workers 1] [--concurrency 8] [--duration 15]
        [--uploads 5] [--people 10000] [--scenario single|upload|all]

The client runs on the same machine as the server and takes CPU from it (the `client CPU` column: 100% is
one core): compare figures taken alike.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cerules.service.examples import EXAMPLE_PERSON, EXAMPLE_RECORDS

YEAR = 2023
SEED = 7
WARMUP_SECONDS = 2.0
READY_TIMEOUT = 120.0
DEFAULT_BODY_MB = 64.0  # `cerules serve --max-body-mb` default


@dataclass
class Load:
    """What one endpoint did under load: every successful latency (s) and how many calls failed."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0
    first_error: str | None = None


def free_port() -> int:
    """A port nobody listens on now, so runs by other sessions on this machine are left alone."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str) -> list[str]:
    """The `cerules` command of this interpreter (the project's virtualenv), whatever is on PATH."""
    return [sys.executable, "-m", "cerules.cli.main", *args]


@contextmanager
def server(port: int, workers: int, body_mb: float, log: Path) -> Iterator[str]:
    """A running `cerules serve` (its base URL), stopped at the end however the benchmark ends."""
    command = cli("serve", "--port", str(port), "--workers", str(workers), "--max-body-mb", f"{body_mb:g}")
    with log.open("wb") as sink:  # a file, not a pipe: the access log (a line per request) must never block the server
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Poll GET /readyz until 200: the rules are loaded and every worker answers."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"cerules serve exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"cerules serve not ready after {READY_TIMEOUT:g} s:\n{log.read_text(errors='replace')[-2000:]}")


async def hammer(client: httpx.AsyncClient, url: str, body: bytes, until: float, load: Load) -> None:
    """One connection's loop: a request as soon as the last one is answered."""
    headers = {"content-type": "application/json"}
    while time.perf_counter() < until:
        start = time.perf_counter()
        try:
            response = await client.post(url, content=body, headers=headers)
            await response.aread()
            ok = response.status_code == 200
            problem = None if ok else f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, problem = False, f"{type(exc).__name__}: {exc}"
        if ok:
            load.latencies.append(time.perf_counter() - start)
        else:
            load.errors += 1
            load.first_error = load.first_error or problem


async def run_load(url: str, body: bytes, concurrency: int, seconds: float) -> Load:
    """C connections posting the same body for a while (the body is encoded once: the client's JSON is not measured)."""
    load = Load()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        start, cpu = time.perf_counter(), time.process_time()
        until = start + seconds
        await asyncio.gather(*(hammer(client, url, body, until, load) for _ in range(concurrency)))
        load.seconds = time.perf_counter() - start
        load.client_cpu = (time.process_time() - cpu) / load.seconds
    return load


def measure_endpoint(url: str, body: bytes, concurrency: int, duration: float) -> Load:
    """A warm-up (connections opened, code paths compiled and cached), then the measured run."""
    asyncio.run(run_load(url, body, concurrency, WARMUP_SECONDS))
    return asyncio.run(run_load(url, body, concurrency, duration))


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: no interpolation between two requests that never happened."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else float("nan")


def single_scenario(base: str, concurrency: int, duration: float) -> None:
    """The example person's year, evaluated and explained, as many times as the service manages."""
    bodies = {
        "/v1/evaluate": {"year": YEAR, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS},
        "/v1/explain": {"year": YEAR, "person": EXAMPLE_PERSON, "records": EXAMPLE_RECORDS},
    }
    each = f"{duration:g} s each after {WARMUP_SECONDS:g} s warm-up"
    print(f"\nsingle person ({len(EXAMPLE_RECORDS)} records), {concurrency} connections, {each}")
    print(f"{'endpoint':<14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7} {'client CPU':>11}")
    for path, payload in bodies.items():
        load = measure_endpoint(base + path, json.dumps(payload).encode(), concurrency, duration)
        ms = [s * 1000 for s in load.latencies]
        rate = len(ms) / load.seconds
        print(
            f"{path:<14} {len(ms):>9,} {rate:>8.1f} {percentile(ms, 50):>8.1f} {percentile(ms, 90):>8.1f} "
            f"{percentile(ms, 99):>8.1f} {load.errors:>7} {load.client_cpu:>10.0%}"
        )
        if load.first_error:
            print(f"  first error: {load.first_error}")


@dataclass
class Files:
    """The cohort's CSV files and their sizes."""

    folder: Path
    persons: Path
    records: Path
    people: int
    records_count: int

    @property
    def megabytes(self) -> float:
        return (self.persons.stat().st_size + self.records.stat().st_size) / 2**20


def write_cohort(people: int, folder: Path) -> Files:
    """A synthetic cohort as the CSV files a user would upload (fixed seed: the same files every run)."""
    from cerules.inputs.synth import generate

    cohort = generate(people, seed=SEED)
    persons, records = cohort.write(folder, "csv")
    return Files(folder, persons, records, cohort.persons.num_rows, cohort.records.num_rows)


def upload(client: httpx.Client, base: str, files: Files, parts: dict[str, bytes]) -> tuple[float, bytes]:
    """One multipart upload of both files: the seconds until the whole answer is in, and the answer."""
    start = time.perf_counter()
    response = client.post(
        f"{base}/v1/evaluate",
        data={"year": str(YEAR)},
        files={name: (f"{name}.csv", data, "text/csv") for name, data in parts.items()},
    )
    took = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"upload failed: HTTP {response.status_code}: {response.text[:500]}")
    return took, response.content


def cli_evaluate(files: Files, out: Path) -> float:
    """`cerules evaluate` on the same files, from their folder (relative names, as the upload's file names)."""
    command = cli("evaluate", "--year", str(YEAR), "--persons", "persons.csv", "--records", "records.csv", "--format", "json")
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run([*command, "--out", str(out)], cwd=files.folder, check=True, capture_output=True)
    return time.perf_counter() - start


def first_difference(a: bytes, b: bytes) -> str:
    """Where two documents part, for a report that says more than 'different'."""
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    around = slice(max(0, at - 40), at + 40)
    return f"{len(a):,} vs {len(b):,} bytes, first difference at byte {at:,}: service {a[around]!r} / CLI {b[around]!r}"


def upload_scenario(base: str, files: Files, uploads: int) -> None:
    """The cohort uploaded R times, each followed by the CLI on the same files, so both see the same machine load."""
    parts = {"persons": files.persons.read_bytes(), "records": files.records.read_bytes()}
    out = files.folder / "cli.json"
    service_s: list[float] = []
    cli_s: list[float] = []
    identical: bool | None = None
    note = ""
    with httpx.Client(timeout=300) as client:
        upload(client, base, files, parts)  # warm-up: numba caches loaded, first-call imports done
        for _ in range(uploads):
            took, body = upload(client, base, files, parts)
            service_s.append(took)
            cli_s.append(cli_evaluate(files, out))
            if identical is None:
                expected = out.read_bytes()
                identical = body == expected
                note = "" if identical else f" — {first_difference(body, expected)}"
    size = f"persons.csv {files.persons.stat().st_size / 2**20:.2f} MiB, records.csv {files.records.stat().st_size / 2**20:.2f} MiB"
    print(f"\nupload: {files.people:,} people, {files.records_count:,} records ({size}); {uploads} timed uploads after one warm-up")
    print(f"{'measure':<34} {'p50 s':>7} {'max s':>7} {'records/s (p50)':>16}")
    for label, seconds in (("POST /v1/evaluate (multipart CSV)", service_s), ("cerules evaluate --format json", cli_s)):
        median = statistics.median(seconds)
        print(f"{label:<34} {median:>7.2f} {max(seconds):>7.2f} {files.records_count / median:>16,.0f}")
    ratios = [s / c for s, c in zip(service_s, cli_s, strict=True)]
    print(f"service / CLI, paired by turn: median {statistics.median(ratios):.2f}× (range {min(ratios):.2f}–{max(ratios):.2f})")
    print(f"service JSON byte-identical to the CLI's --out file: {'yes' if identical else 'NO'}{note}")


def header(args: argparse.Namespace) -> None:
    """Where and when: figures from a shared 2-core machine mean little without it."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cerules serve benchmark, {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load average {load}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}, httpx {httpx.__version__}")
    print(
        f"settings: scenario {args.scenario}, workers {args.workers}, concurrency {args.concurrency}, duration {args.duration:g} s, "
        f"uploads {args.uploads}, people {args.people:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (cerules serve --workers)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections for the single-person calls")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds each single-person endpoint is measured")
    parser.add_argument("--uploads", type=int, default=5, help="timed uploads of the cohort (each paired with a CLI run)")
    parser.add_argument("--people", type=int, default=10_000, help="people in the uploaded cohort")
    parser.add_argument("--scenario", choices=("single", "upload", "all"), default="all")
    args = parser.parse_args()
    header(args)
    with tempfile.TemporaryDirectory(prefix="cerules-bench-service-") as tmp:
        folder = Path(tmp)
        files = write_cohort(args.people, folder / "cohort") if args.scenario != "single" else None
        body_mb = max(DEFAULT_BODY_MB, math.ceil(files.megabytes * 1.1) + 1) if files else DEFAULT_BODY_MB
        with server(free_port(), args.workers, body_mb, folder / "server.log") as base:
            if args.scenario in ("single", "all"):
                single_scenario(base, args.concurrency, args.duration)
            if files is not None:
                upload_scenario(base, files, args.uploads)


if __name__ == "__main__":
    main()
