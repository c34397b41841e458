"""What starting cerules costs: `import cerules`, `cerules --version`, `cerules rules lint`, the pytest plugin.

Each figure is the median of several fresh processes, with the bare interpreter's start-up
subtracted (what Python itself costs is not ours to cut). `import cerules` is also read from
`python -X importtime` (the cumulative time of the `cerules` module, as Python counts it).

    python benchmarks/bench_imports.py [--runs 9]

Targets (issue: the package in layers): import ≤ 0.15 s, --version and rules lint ≤ 0.3 s,
the pytest plugin adds ≤ 0.05 s to a pytest session that has no rule-test files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CERULES = str(Path(PYTHON).with_name("cerules"))
PYTEST = str(Path(PYTHON).with_name("pytest"))
PROVINCIAL = str(ROOT / "cerules" / "rules" / "data" / "sd-2023.toml")


def wall(command: list[str], runs: int, cwd: str) -> float:
    """Median wall time of a command, in seconds, over fresh processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_difference(a: list[str], b: list[str], runs: int, cwd: str) -> float:
    """Median of (A - B) over runs taken in turns, A B A B …, so drift on a shared machine cancels out."""
    differences = [wall(a, 1, cwd) - wall(b, 1, cwd) for _ in range(runs)]
    return statistics.median(differences)


def importtime_of(module: str, cwd: str) -> float:
    """Cumulative import time of a module as `python -X importtime` reports it, in seconds."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", f"import {module}"], cwd=cwd, capture_output=True, text=True, check=True)
    for line in done.stderr.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise RuntimeError(f"{module} not in the importtime report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as empty:
        Path(empty, "test_nothing.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
        environment_note = os.environ.get("CERULES_LOAD_PLUGINS", "(all installed plugins)")
        bare = wall([PYTHON, "-c", "pass"], runs, empty)
        figures = {
            "import cerules (importtime, cumulative)": (importtime_of("cerules", empty), 0.15),
            "import cerules (process - bare python)": (wall([PYTHON, "-c", "import cerules"], runs, empty) - bare, 0.15),
            "cerules --version (process - bare python)": (wall([CERULES, "--version"], runs, empty) - bare, 0.3),
            "cerules rules lint sd-2023.toml (process - bare python)": (
                wall([CERULES, "rules", "lint", PROVINCIAL], runs, empty) - bare,
                0.3,
            ),
        }
        session = [PYTEST, "-q", "-p", "no:cacheprovider", empty]
        added = paired_difference(session, [*session, "-p", "no:cerules"], 2 * runs + 1, empty)
        figures["pytest plugin: added to a session with no rule tests"] = (added, 0.05)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {runs} runs; plugins: {environment_note}")
    print(f"bare interpreter start-up: {bare:.3f} s")
    for name, (seconds, target) in figures.items():
        verdict = "met" if seconds <= target else "NOT MET"
        print(f"{name:60s} {seconds:6.3f} s   target ≤ {target:.2f} s   {verdict}")


if __name__ == "__main__":
    main()
