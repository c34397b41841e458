"""The JSON document written column-wise: byte for byte the whole document `to_json` dumps.

`write_json_stream` (chunk by chunk) and `write_json` (one evaluation) render people, requirements
and records from the ledger with Arrow, wording each distinct disposition once;
`to_json(evaluate(...))` (json.dumps of `Evaluation.to_document`) is the reference they must equal
on every cohort, in both languages.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cerules
from cerules.base.errors import CeruleError
from cerules.evaluation.batch import ChunkedRun
from cerules.inputs.synth import generate
from cerules.render.json import to_json, write_json, write_json_stream
from cerules.render.json_people import factorize, flat_object, json_strings, listed_bytes, people_json
from cerules.render.record_messages import record_message
from tests.strategies import CITIES, HOURS, PLATFORMS, TIMES, TOPICS
from tests.test_batch import PLUGINS
from tests.test_windows import WINDOWED, cohorts_over_years, rules_with

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def streamed(rules: cerules.RuleSet, persons: Any, records: Any, lang: str = "zh", **run: Any) -> str:
    buffer = io.BytesIO()
    write_json_stream(ChunkedRun(rules, persons, records, **run), buffer, lang, workers=2)
    return buffer.getvalue().decode("utf-8")


def written(evaluation: cerules.Evaluation, lang: str) -> str:
    buffer = io.BytesIO()
    write_json(evaluation, buffer, lang)
    return buffer.getvalue().decode("utf-8")


def assert_same_document(rules: cerules.RuleSet, persons: Any, records: Any, lang: str, **run: Any) -> str:
    evaluation = cerules.evaluate(rules, persons, records)
    whole = to_json(evaluation, lang)
    text = streamed(rules, persons, records, lang, **run)
    assert text == whole
    assert written(evaluation, lang) == whole
    return text


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chunk_records", [500_000, 40])
def test_the_example_cohort_is_written_as_the_whole_document(rules, examples, lang, chunk_records) -> None:
    persons, records = examples / "persons.csv", examples / "records.csv"
    evaluation = cerules.evaluate_files(rules, persons, records)
    whole = to_json(evaluation, lang)
    assert streamed(rules, persons, records, lang, chunk_records=chunk_records) == whole
    assert written(evaluation, lang) == whole
    assert json.loads(whole)["summary"]["people"] == 42


def test_blocks_of_any_size_make_the_same_text(rules, examples) -> None:
    ledger = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv").ledger

    def text(**block: int) -> bytes:
        return b"".join(bytes(listed_bytes(part, first=False)) for part in people_json(ledger, "zh", **block))

    whole = text()
    assert whole.startswith(b',\n    {\n      "person_id": ')
    assert text(block=1) == text(block=7) == whole


@pytest.mark.installed_plugins
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_installed_plugins_and_their_citations_are_written_alike(examples, lang) -> None:
    rules = cerules.load_rules(2023)
    persons, records = examples / "persons.csv", examples / "records.csv"
    whole = to_json(cerules.evaluate_files(rules, persons, records), lang)
    assert streamed(rules, persons, records, lang, chunk_records=100) == whole
    cohort = generate(400, seed=11)
    text = assert_same_document(rules, cohort.persons, cohort.records, lang, chunk_records=900)
    assert '"plugin": "cerules-' in text  # requirements set by a plugin say so


@pytest.mark.parametrize("seed", [1, 2023])
def test_synthetic_cohorts_in_several_chunks(seed) -> None:
    rules = cerules.load_rules(2023, plugins=PLUGINS)
    cohort = generate(600, seed=seed)
    text = assert_same_document(rules, cohort.persons, cohort.records, "en", chunk_records=1_000)
    document = json.loads(text)
    reasons = {record["reason"] for person in document["people"] for record in person["records"]}
    assert {None, "out_of_year", "past_deadline", "platform_not_accepted", "invalid_record"} <= reasons
    assert any("defaults" in person for person in document["people"])
    assert document["rejected_input"]


def test_rejected_persons_their_records_and_people_without_records() -> None:
    rules = cerules.load_rules(2023, plugins=False)
    persons = [
        {"person_id": "p1", "city": "370200", "unit_level": "city"},
        {"person_id": "p1", "city": "370100", "unit_level": "city"},  # a repeated id: rejected
        {"person_id": "bad", "city": "no such city", "unit_level": "city"},
        {"person_id": "idle", "city": "370100", "unit_level": ""},
        {"person_id": 'q"\\\n', "city": "370100", "unit_level": "province"},
    ]
    records = [
        {"record_id": "r1", "person_id": "p1", "subject": "public", "hours": "8", "completed_at": "2023-05-01"},
        {"record_id": "r2", "person_id": "bad", "subject": "public", "hours": "8", "completed_at": "2023-05-01"},
        {"record_id": None, "person_id": "ghost", "subject": "public", "hours": "8", "completed_at": "2023-05-01"},
        {"record_id": "r4", "person_id": None, "subject": "public", "hours": "8", "completed_at": "2023-05-01"},
        {"record_id": "r5", "person_id": 'q"\\\n', "subject": "public", "hours": "x", "completed_at": "2023-05-01"},
    ]
    for lang in ("zh", "en"):
        for chunk_records in (1, 500_000):
            text = assert_same_document(rules, persons, records, lang, chunk_records=chunk_records)
    document = json.loads(text)
    assert document["rejected_persons"] and len(document["rejected_input"]) == 3
    assert next(p for p in document["people"] if p["person_id"] == "idle")["records"] == []


def test_no_usable_person_at_all() -> None:
    rules = cerules.load_rules(2023, plugins=False)
    persons = [{"person_id": "p1", "city": "nowhere", "unit_level": "city"}]
    records = [{"record_id": "r1", "person_id": "p1", "subject": "public", "hours": "8", "completed_at": "2023-05-01"}]
    text = assert_same_document(rules, persons, records, "en")
    assert json.loads(text)["people"] == []


@SETTINGS
@given(cohorts_over_years(max_records=30), st.integers(min_value=1, max_value=8))
def test_records_of_other_years_and_outside_windows(cohort, chunk_records) -> None:
    people, records = cohort
    assert_same_document(rules_with(WINDOWED), people, records, "zh", chunk_records=chunk_records)


ODD = [
    '"',
    "\\",
    "\x00",
    "\x1f",
    "\n\r\t\b\f",
    "\x7f",
    "\u2028",
    "😀",
    "𠀀x",
    "",
    " ",
    'a"b\\c',
    "null",
    "é",
]
TEXT = st.one_of(st.sampled_from(ODD), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=5))
"""Cells as a file may hold them: quotes, backslashes, control characters, non-BMP characters, empty."""


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a usual value, sometimes an odd one (so that most records reach the rules)."""
    return st.sampled_from([True, True, True, False]).flatmap(lambda usually: usual if usually else odd)


@st.composite
def odd_cohorts(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """People and records whose ids and text cells hold anything, with unknown, invalid and repeated ones."""
    ids = draw(st.lists(st.builds("p{}".format, TEXT), min_size=1, max_size=4))
    people = [
        {
            "person_id": draw(mostly(st.just(person_id), TEXT)),
            "city": draw(st.sampled_from([*CITIES, *CITIES, "nowhere"])),
            "unit_level": draw(st.sampled_from(["city", "province", "", None])),
            "title_series": draw(st.sampled_from([None, "卫生", "工程"])),
        }
        for person_id in ids
    ]
    one = st.fixed_dictionaries(
        {
            "record_id": mostly(st.builds("r{}".format, TEXT), st.one_of(st.none(), TEXT)),
            "person_id": mostly(st.sampled_from(ids), TEXT),
            "subject": mostly(st.sampled_from(["public", "professional"]), st.just("选修")),
            "hours": mostly(st.sampled_from(HOURS[:10]), st.sampled_from(HOURS)),
            "completed_at": mostly(st.sampled_from(TIMES[:5]), st.sampled_from(TIMES)),
            "platform": mostly(st.sampled_from(PLATFORMS), TEXT),
            "topic": mostly(st.sampled_from(TOPICS), TEXT),
            "course_id": mostly(st.sampled_from([None, "C1", "C2"]), TEXT),
            "role": st.sampled_from([None, "teacher"]),
            "quality_course": st.sampled_from([None, "true"]),
            "source": st.sampled_from([None, None, "declared"]),
            "approved": st.sampled_from([None, "false"]),
            "kind": mostly(st.sampled_from([None, "cme-1"]), TEXT),
            "credits": st.sampled_from([None, None, "1", "2.5", "x"]),
        }
    )
    return people, draw(st.lists(one, max_size=25))


@pytest.fixture(scope="module")
def rules_with_plugins() -> cerules.RuleSet:
    return cerules.load_rules(2023, plugins=PLUGINS, strict=True)


@SETTINGS
@given(odd_cohorts(), st.integers(min_value=1, max_value=8), st.sampled_from(["zh", "en"]))
def test_any_ids_and_cells_are_escaped_as_json_dumps_escapes_them(rules_with_plugins, cohort, chunk_records, lang) -> None:
    people, records = cohort
    try:
        evaluation = cerules.evaluate(rules_with_plugins, people, records)
    except CeruleError:
        with pytest.raises(CeruleError):
            streamed(rules_with_plugins, people, records, lang, chunk_records=chunk_records)
        return
    whole = to_json(evaluation, lang)
    assert streamed(rules_with_plugins, people, records, lang, chunk_records=chunk_records) == whole
    assert written(evaluation, lang) == whole


@pytest.mark.installed_plugins
def test_every_record_is_worded_as_the_explain_view_words_it(examples) -> None:
    rules = cerules.load_rules(2023)
    cohort = generate(300, seed=5)
    examples_evaluated = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    for evaluation in (examples_evaluated, cerules.evaluate(rules, cohort.persons, cohort.records)):
        ledger = evaluation.ledger
        for index, person in enumerate(evaluation):
            for outcome, position in zip(person.records, ledger.record_positions(index), strict=True):
                assert record_message(ledger, int(position)) == outcome.message


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs"])), st.sampled_from(ODD))))
def test_strings_are_quoted_as_json_dumps_quotes_them(values) -> None:
    expected = [json.dumps(value, ensure_ascii=False) for value in values]
    assert json_strings(pa.array(values, type=pa.string())).to_pylist() == expected
    assert json_strings(pa.array(values, type=pa.string()).dictionary_encode()).to_pylist() == expected


@given(
    st.dictionaries(
        st.text(max_size=4),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=4)),
        max_size=5,
    ),
    st.sampled_from(["", "  ", "    "]),
)
def test_a_flat_object_is_dumped_as_the_indenting_encoder_dumps_it(entry, prefix) -> None:
    assert flat_object(entry, prefix) == json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)


@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-(2**62), 2**62), st.booleans()), max_size=40))
def test_rows_get_the_same_number_exactly_when_they_are_equal(rows) -> None:
    fields = [np.array([row[k] for row in rows], dtype=np.int64) for k in range(3)]
    codes, first = factorize(fields)
    assert len(codes) == len(rows)
    for i, j in np.ndindex(len(rows), len(rows)):
        assert (codes[i] == codes[j]) == (rows[i] == rows[j])
    assert len(first) == len(set(rows))
    assert all(codes[int(row)] == number for number, row in enumerate(first))
