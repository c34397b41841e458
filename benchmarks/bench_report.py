"""The report page for a large cohort: how long it takes to build, how big the file is, and (with --browser)
how long headless Chromium takes to open it, search it and sort it.

Builds a synthetic cohort (`cerules.inputs.synth.generate`, fixed seed), evaluates it with the 2023 rules
(the provincial layer alone unless --plugins), then times `report_page` (best of --repeat) and prints the
size of the page, of its people blob, and the time for the same page without the full explanations.

    python benchmarks/bench_report.py [--people 100000] [--seed 2023] [--repeat 3] [--plugins] [--browser] [--out report.html]
"""

from __future__ import annotations

import argparse
import gc
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import cerules
from cerules.inputs.synth import generate
from cerules.render.report_page import EXPLAIN_LIMIT, report_page


def best_time(repeat: int, run) -> tuple[float, str]:
    best, made = float("inf"), ""
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        made = run()
        best = min(best, time.perf_counter() - start)
    return best, made


def in_browser(path: Path, people: int) -> dict[str, float]:
    """Seconds to open the page until the first rows show, to filter by a search and to sort by a column."""
    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import chromium_path

    figures: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("#people-table tbody tr.person")
            figures["open"] = time.perf_counter() - start
            start = time.perf_counter()
            rows = page.locator("#people-table tbody tr.person")
            page.fill("#search", "P0000012")
            expect(rows).to_have_count(10, timeout=60_000)  # P00000120 … P00000129
            figures["search (the first builds the index; with 0.2 s of pause for typing)"] = time.perf_counter() - start
            start = time.perf_counter()
            page.fill("#search", "P0000013")
            expect(rows.first).to_contain_text("P0000013", timeout=60_000)
            figures["search again"] = time.perf_counter() - start
            page.fill("#search", "")
            expect(page.locator("#count")).to_contain_text(f"{people:,}", timeout=60_000)
            start = time.perf_counter()
            page.click("#people-table th[data-key='unmet']")  # the click returns once the page has handled it
            figures["sort by shortfall"] = time.perf_counter() - start
            start = time.perf_counter()
            page.locator("#people-table tr.person").first.click()
            page.wait_for_selector("#people-table tr.detail")
            figures["open a person"] = time.perf_counter() - start
        finally:
            browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plugins", action="store_true", help="the installed plugins too (default: the provincial rules alone)")
    parser.add_argument("--browser", action="store_true", help="also time opening, searching and sorting in headless Chromium")
    parser.add_argument("--out", help="keep the page here")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.machine()}, cerules {cerules.__version__}")
    cohort = generate(args.people, seed=args.seed)
    rules = cerules.load_rules(2023, plugins=args.plugins)
    start = time.perf_counter()
    evaluation = cerules.evaluate(rules, cohort.persons, cohort.records)
    print(f"cohort: {len(evaluation):,} people, {cohort.records.num_rows:,} records; evaluated in {time.perf_counter() - start:.2f} s")

    seconds, page = best_time(args.repeat, lambda: report_page(evaluation, "zh"))
    size = len(page.encode("utf-8"))
    blob = re.search(r"id='cerules-data'>(.*?)</script>", page, re.S)
    blob_size = len(blob.group(1).encode("utf-8")) if blob else 0
    explained = "with" if len(evaluation) <= EXPLAIN_LIMIT else f"without (above {EXPLAIN_LIMIT:,} people)"
    print(f"report_page, {explained} full explanations: {seconds:.2f} s (best of {args.repeat})")
    print(f"page: {size / 1e6:.2f} MB ({size / len(evaluation):.0f} bytes a person); people blob {blob_size / 1e6:.2f} MB")
    if len(evaluation) > EXPLAIN_LIMIT:
        small = evaluation  # the same cohort, with explanations, shows what they would cost per person
        count = EXPLAIN_LIMIT
        start = time.perf_counter()
        for _, person in zip(range(count), small, strict=False):
            person.explain("zh")
        per = (time.perf_counter() - start) / count
        print(f"(a full explanation costs {per * 1e3:.2f} ms a person: {per * len(evaluation):.0f} s for this cohort)")

    target = Path(args.out) if args.out else Path(tempfile.mkdtemp()) / "report.html"
    target.write_text(page, encoding="utf-8")
    print(f"written to {target}")
    if args.browser:
        for name, value in in_browser(target, len(evaluation)).items():
            print(f"browser: {name}: {value:.2f} s")


if __name__ == "__main__":
    main()
