"""Fuzzing the command line with hostile files: the contract's exit statuses, never a traceback.

`cerules evaluate` exits 0 (the evaluation completed, and the JSON document lists every input
record exactly once) or 2 (one line on standard error naming the file, and nothing written);
`cerules rules lint` exits 0, 1 (findings) or 2 (a file it cannot read). Most runs are in-process
(`cerules.cli.main.main`); a few are real subprocesses, so that what a shell sees is checked too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import attrs
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cerules.cli.main import main
from tests.hostile import (
    DEEP,
    FUZZ,
    INSTANTS,
    NUMBERS,
    RECORD_COLUMNS,
    Cohort,
    Expected,
    arrow_cohorts,
    check_document,
    csv_bytes,
    csv_cohorts,
    jsonl_cohorts,
)
from tests.hostile_rules import RAW_LAYERS, SMALL_PERSONS, SMALL_RECORDS, layer_texts


@attrs.frozen
class Outcome:
    code: Any
    out: bytes
    err: str


def run_cli(*argv: str) -> Outcome:
    """`cerules ARGV` in this process; an exception escaping `main` is the traceback a user would see."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
        out.flush()
    return Outcome(code, out.buffer.getvalue(), err.getvalue())


def _no_constant(name: str) -> None:
    raise AssertionError(f"the JSON document holds {name}, which JSON has not")


def check_usage_error(outcome: Outcome, files: list[Path]) -> None:
    """Exit 2: one line on standard error naming one of the files, nothing on standard output."""
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{outcome.err}"
    assert any(str(file) in lines[0] for file in files), f"the message names none of the files: {lines[0]}"
    assert outcome.out == b"", "a failed run wrote to standard output"


def check_evaluate(outcome: Outcome, files: list[Path], expected: Expected | None, out: Path | None = None) -> dict[str, Any] | None:
    """The contract's promises about one run of `cerules evaluate --format json`; the document when it completed."""
    assert "Traceback" not in outcome.err, outcome.err
    assert outcome.code in (0, 2), f"exit status {outcome.code!r}:\n{outcome.err}"
    if outcome.code == 2:
        check_usage_error(outcome, [*files, *([out] if out else [])])
        assert out is None or not out.exists(), "a failed run left an output file"
        return None
    data = out.read_bytes() if out else outcome.out
    document = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    if expected is not None:
        check_document(document, expected)
    return document


def write_cohort(folder: Path, cohort: Cohort, suffix: str) -> tuple[Path, Path]:
    persons, records = folder / f"persons{suffix}", folder / f"records{suffix}"
    for path, content in ((persons, cohort.persons), (records, cohort.records)):
        if suffix == ".parquet":
            pq.write_table(content, path)
        else:
            path.write_bytes(content)
    return persons, records


OPTIONS = st.fixed_dictionaries(
    {
        "lang": st.sampled_from(["zh", "en"]),
        "strict": st.booleans(),
        "no_plugins": st.booleans(),
        "out": st.sampled_from([None, None, "out.json", "persons", "records", "./records", "link", ".", "missing/out.json"]),
        "more": st.lists(
            st.sampled_from(
                [
                    ("--max-rejected", "0"),
                    ("--max-rejected", "3"),
                    ("--max-rejected", "0.5"),
                    ("--max-rejected", "100%"),
                    ("--unit-level-default", "city"),
                    ("--unit-level-default", "province"),
                    ("--max-record-amount", "0.01"),
                    ("--max-record-amount", "1000000"),
                    ("--format", "json"),
                ]
            ),
            max_size=2,
            unique_by=lambda option: option[0],
        ),
    }
)
"""How a user may call `evaluate`; `out` names the output: a new file, an input (by its path, another
spelling of it or a symbolic link to it), a folder, a file in a folder that does not exist."""


def out_target(folder: Path, persons: Path, records: Path, out: str | None) -> tuple[Path | None, bool]:
    """The `--out` path for an `OPTIONS["out"]`, and whether it names an input file or a folder (which must be refused)."""
    if out is None:
        return None, False
    if out == "link":
        (folder / "out.json").symlink_to(records)
        return folder / "out.json", True
    named = {"persons": persons, "records": records, "./records": folder / "." / records.name}.get(out)
    return (named, True) if named else (folder / out, out == ".")


def evaluate_argv(persons: Path, records: Path, options: dict[str, Any], *more: str) -> list[str]:
    argv = ["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--lang", options["lang"], *more]
    argv += ["--strict"] * options["strict"] + ["--no-plugins"] * options["no_plugins"]
    return argv + [word for option in options.get("more", ()) for word in option]


def _suffix(cohort: Cohort) -> str:
    if not isinstance(cohort.persons, bytes):
        return ".parquet"
    return ".jsonl" if cohort.persons.lstrip()[:1] in (b"{", b"[", b'"') else ".csv"


@pytest.mark.installed_plugins
@FUZZ
@given(csv_cohorts() | jsonl_cohorts() | arrow_cohorts(), OPTIONS)
def test_evaluate_on_hostile_files_exits_0_listing_every_record_once_or_2_naming_the_file(cohort, options):
    with tempfile.TemporaryDirectory() as folder:
        persons, records = write_cohort(Path(folder), cohort, _suffix(cohort))
        inputs = {path: path.read_bytes() for path in (persons, records)}
        target, refused = out_target(Path(folder), persons, records, options["out"])
        more = ["--out", str(target)] if target else []
        outcome = run_cli(*evaluate_argv(persons, records, options, *more))
        if refused:
            assert outcome.code == 2, "--out naming an input file or a folder must be refused"
            check_usage_error(outcome, [persons, records, target])
        else:
            document = check_evaluate(outcome, [persons, records], cohort.expected, target)
            if document is not None and options["strict"]:
                assert not document["rejected_input"] and not document.get("rejected_persons"), "--strict completed with rejected rows"
        assert {path: path.read_bytes() for path in inputs} == inputs, "an input file was changed"


C0 = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@FUZZ
@given(csv_cohorts(), st.sampled_from(["csv", "table"]))
def test_the_csv_and_table_views_of_a_hostile_file_are_safe_to_open(cohort, fmt):
    """CSV cells a spreadsheet would run are neutralised; the table view passes no control characters to the terminal."""
    with tempfile.TemporaryDirectory() as folder:
        persons, records = write_cohort(Path(folder), cohort, ".csv")
        outcome = run_cli(*evaluate_argv(persons, records, {"lang": "en", "strict": False, "no_plugins": True}, "--format", fmt))
    assert "Traceback" not in outcome.err, outcome.err
    assert outcome.code in (0, 2), f"exit status {outcome.code!r}:\n{outcome.err}"
    if outcome.code == 2:
        check_usage_error(outcome, [persons, records])
        return
    text = outcome.out.decode("utf-8")
    if fmt == "table":
        assert not C0.findall(text), f"control characters reach the terminal: {sorted(set(C0.findall(text)))}"
        return
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not value.startswith(FORMULA_START) or _numeric(value), f"a spreadsheet would run this cell: {value!r}"


def small_cohort_files(folder: Path) -> tuple[Path, Path]:
    persons = folder / "persons.csv"
    persons.write_bytes(csv_bytes(list(SMALL_PERSONS[0]), [list(p.values()) for p in SMALL_PERSONS]))
    records = folder / "records.csv"
    records.write_bytes(csv_bytes(list(RECORD_COLUMNS), [[r.get(c, "") for c in RECORD_COLUMNS] for r in SMALL_RECORDS]))
    return persons, records


def check_lint(folder: Path, text: str, lang: str) -> None:
    """`rules lint` on a file of `text` exits 0, 1 or 2; `rules show --rules` and `evaluate --rules` with it exit 0 or 2."""
    rules = folder / "hostile.toml"
    rules.write_text(text, encoding="utf-8")
    lint = run_cli("rules", "lint", str(rules), "--lang", lang)
    assert "Traceback" not in lint.err, lint.err
    assert lint.code in (0, 1, 2), f"rules lint exit status {lint.code!r}:\n{lint.err}"
    if lint.code == 2:
        check_usage_error(attrs.evolve(lint, out=b""), [rules])
    for form in ([], ["--json"]):
        show = run_cli("rules", "show", "--year", "2023", "--no-plugins", "--rules", str(rules), "--lang", lang, *form)
        assert "Traceback" not in show.err and show.code in (0, 2), f"rules show exit status {show.code!r}:\n{show.err}"
        if show.code == 2:
            check_usage_error(show, [rules])
    persons, records = small_cohort_files(folder)
    outcome = run_cli(*evaluate_argv(persons, records, {"lang": lang, "strict": False, "no_plugins": True}, "--rules", str(rules)))
    check_evaluate(outcome, [persons, records, rules], Expected(Counter(r["record_id"] for r in SMALL_RECORDS)))
    if lint.code == 0 and not _is_provincial(text):  # lint runs every check that loading runs
        # (a provincial layer is linted standing alone; `--rules` puts a file on top of the shipped
        # provincial layer, and a second provincial layer is refused by design)
        assert outcome.code == 0, f"rules lint passed a file that evaluate refuses: {outcome.err}"


def _is_provincial(text: str) -> bool:
    try:
        layer = tomllib.loads(text).get("layer")
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(layer, dict) and layer.get("rank") == "province"


@FUZZ
@given(layer_texts(), st.sampled_from(["zh", "en"]))
def test_rules_lint_of_a_hostile_file_exits_0_1_or_2_and_evaluate_with_it_exits_0_or_2(text, lang):
    with tempfile.TemporaryDirectory() as folder:
        check_lint(Path(folder), text, lang)


@pytest.mark.parametrize("text", RAW_LAYERS, ids=range(len(RAW_LAYERS)))
def test_rules_lint_and_evaluate_with_each_rule_file_met_in_the_field_exit_as_the_contract_says(tmp_path, text):
    check_lint(tmp_path, text, "en")


def test_a_folder_named_like_a_rule_file_exits_2_naming_it(tmp_path):
    folder = tmp_path / "x.toml"
    folder.mkdir()
    lint = run_cli("rules", "lint", str(folder))
    assert lint.code == 2 and "Traceback" not in lint.err
    check_usage_error(attrs.evolve(lint, out=b""), [folder])
    persons, records = small_cohort_files(tmp_path)
    check_evaluate(
        run_cli("evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--rules", str(folder)), [folder], None
    )


# --- real processes: what a shell sees ----------------------------------------------------------


def _kitchen_sink(folder: Path) -> list[list[str]]:
    """One command line per kind of hostile input, each in files of its own."""
    persons, records = small_cohort_files(folder)
    csv_records = folder / "hostile.csv"
    rows = [[f"k{i}", "a", "public", v, "2023-05-01"] for i, v in enumerate(NUMBERS)]
    rows += [[f"t{i}", "a", "public", "2", v] for i, v in enumerate(INSTANTS)]
    rows += [["=cmd|' /C calc'!A0", "a\x1b[31m", "public", "1", "2023/9/16 9:50"], [",", "", "", "", ""], ["", "", "", "", ""]]
    csv_records.write_bytes(csv_bytes(list(RECORD_COLUMNS[:5]), rows, "utf-8-sig") + b",,,,\r\n" * 3)
    jsonl_records = folder / "hostile.jsonl"
    jsonl_records.write_text(
        '{"record_id": "j1", "person_id": "a", "subject": "public", "hours": "1\\ud800", "completed_at": "2023-05-01"}\n'
        '{"record_id": "j2", "person_id": "a", "subject": "public", "hours": 1e400, "completed_at": "0001-01-01"}\n' + DEEP + "\n",
        encoding="utf-8",
    )
    deep_rules = folder / "deep.toml"
    deep_rules.write_text("public = { required_hours = " + "{ a = " * 3000 + "1" + " }" * 3000 + " }", encoding="utf-8")
    evaluate = ["evaluate", "--year", "2023", "--persons", str(persons), "--no-plugins"]
    return [
        [*evaluate, "--records", str(csv_records)],
        [*evaluate, "--records", str(jsonl_records), "--format", "table"],
        [*evaluate, "--records", str(records), "--rules", str(deep_rules)],
    ]


def test_hostile_input_never_shows_a_shell_a_traceback(tmp_path):
    environment = {**os.environ, "CERULES_LOAD_PLUGINS": ""}
    for argv in _kitchen_sink(tmp_path):
        done = subprocess.run([sys.executable, "-m", "cerules.cli.main", *argv], capture_output=True, env=environment, timeout=300)
        stderr = done.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr, f"cerules {' '.join(argv[:2])}:\n{stderr[-2000:]}"
        assert done.returncode in (0, 2), f"exit status {done.returncode}: {stderr[-2000:]}"


PLUGIN_NAMES = ["yantai", "x" * 300, "Yantai", "烟台", "yan tai", "-y", "../up", "a/b", "con", "", "y\x1b", "test", "province", "draft"]
PLUGIN_OPTIONS = {
    "city": [[], ["--city", "烟台"], ["--city", "370600.0"], ["--city", "山东省烟台市"], ["--city", "nowhere"], ["--title-series", "卫生"]],
    "department": [[], ["--title-series", "卫生"], ["--title-series", "\x1b"], ["--title-series", "x" * 300], ["--city", "烟台"]],
}


@FUZZ
@example(("city", ["--city", "烟台"]), "x" * 300, [])
@example(("department", ["--title-series", "卫生"]), "x" * 300, [])
@given(
    st.sampled_from(["city", "department"]).flatmap(lambda kind: st.tuples(st.just(kind), st.sampled_from(PLUGIN_OPTIONS[kind]))),
    st.sampled_from(PLUGIN_NAMES) | st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from([[], ["--year", "99999"], ["--year", "2023"]]),
)
def test_new_plugin_with_a_hostile_name_exits_0_or_2_naming_what_is_wrong(kind_and_options, name, year):
    kind, options = kind_and_options
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / "work"
        work.mkdir()
        outcome = run_cli("new-plugin", kind, name, "--dir", str(work), *options, *year)
        assert "Traceback" not in outcome.err, outcome.err
        assert outcome.code in (0, 2), f"exit status {outcome.code!r}:\n{outcome.err}"
        if outcome.code == 2:
            assert len(outcome.err.strip().splitlines()) == 1, f"expected one line on stderr:\n{outcome.err}"
            assert not any(work.iterdir()), "a refused new-plugin left files behind"
        assert all(work in path.parents for path in Path(folder).rglob("*") if path != work), "new-plugin wrote outside --dir"
