"""How soon the impact of a draft shows after a slider moves, on a 100,000-person synthetic cohort.

Builds the cohort and its baseline once (inputs normalised, baseline evaluated), then applies a
series of draft changes like those of the explorer's sliders and toggles — hours, a scoped focus
requirement, platform lists, the teacher multiplier, the daily cap — and times, for each:

  (a) impact: from the changed value to an updated `Impact` with its summary and breakdown by city
      (draft built and validated, applied, the cohort re-evaluated under the draft);
  (b) views: (a) plus every breakdown, the shortfall distribution, the HTML and the chart as SVG;
  (c) explorer: setting the widget's value in `cerules.widgets.explore` until every view of the
      explorer is refreshed (needs ipywidgets and matplotlib).

Prints the median of each over the changes.

    python benchmarks/bench_impact.py [--people 100000] [--seed 2023] [--no-plugins]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

import cerules
from cerules.inputs.synth import generate
from cerules.ui.widgets import DraftEditor
from cerules.whatif.impact import Baseline

FOCUS = ["xi-thought", "congress-20", "yellow-river", "ethics"]

CHANGES: list[tuple[str, dict[str, object], dict[str, str | None]]] = [
    ("public hours 32", {"public.required_hours": 32}, {}),
    ("public hours 35", {"public.required_hours": 35}, {}),
    ("professional hours 66", {"professional.required_hours": 66}, {}),
    ("Qingdao focus 10 h", {"public.focus.required_hours": 10}, {"city": "370200", "unit_level": "city"}),
    ("Qingdao focus 12 h", {"public.focus.required_hours": 12}, {}),
    ("provincial platforms only", {"public.platforms": ["sdou", "xkyx", "zjzd"]}, {"city": None, "unit_level": None}),
    ("teacher multiplier 3", {"quality_course.teacher_multiplier": 3}, {}),
    ("declared cap 6 h/day", {"declared.max_hours_per_day": 6}, {}),
]


def timed(editor: DraftEditor, baseline: Baseline, values: dict[str, object], scope: dict[str, str | None], views: bool) -> float:
    start = time.perf_counter()
    if scope:
        editor.set_scope(**scope)
    for path, value in values.items():
        editor.set(path, value)
    draft = editor.draft()
    result = baseline.impact(draft.apply(baseline.rules))
    result.summary()
    result.by("city")
    if views:
        result.breakdowns()
        result.html()  # the shortfall distribution, flips and changed records are in it
        result.chart().to_svg()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--no-plugins", action="store_true", help="the provincial rules alone (default: the installed plugins too)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}")

    start = time.perf_counter()
    cohort = generate(args.people, seed=args.seed)
    print(
        f"cohort: {cohort.persons.num_rows:,} people, {cohort.records.num_rows:,} records ({time.perf_counter() - start:.1f} s to generate)"
    )
    rules = cerules.load_rules(2023, plugins=not args.no_plugins)
    print(f"rules: {', '.join(f'{layer.rank}:{layer.id}' for layer in rules.layers)}")

    start = time.perf_counter()
    baseline = Baseline(rules, cohort)
    print(f"baseline (once): {time.perf_counter() - start:.2f} s — inputs normalised, baseline evaluated")

    results: dict[str, list[float]] = {"impact": [], "views": []}
    for kind in results:
        editor = DraftEditor(rules)
        for label, values, scope in CHANGES:
            took = timed(editor, baseline, values, scope, views=kind == "views")
            results[kind].append(took)
            print(f"  {kind:<7} {label:<28} {took:6.3f} s")

    try:
        from cerules.ui.widgets import explore

        explorer = explore(baseline, year=2023, plugins=False if args.no_plugins else True)
        slider = explorer.controls["public.required_hours"]
        moves: list[float] = []
        for hours in (32, 34, 36, 38, 31):
            start = time.perf_counter()
            slider.value = hours
            moves.append(time.perf_counter() - start)
        results["explorer"] = moves
        print("  explorer public-hours slider: " + ", ".join(f"{s:.3f}" for s in moves) + " s")
    except ImportError as exc:
        print(f"  explorer: skipped ({exc})")

    print()
    for kind, seconds in results.items():
        print(f"median {kind:<9} {statistics.median(seconds):.3f} s  (min {min(seconds):.3f}, max {max(seconds):.3f}, n={len(seconds)})")
    assert np.all(np.isfinite([s for values in results.values() for s in values]))


if __name__ == "__main__":
    main()
