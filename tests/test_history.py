"""`cerules history`: each year's verdicts under that year's rules, the window requirements, and the
layers behind them, as a title application reads a person's last five years."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.cli.history import parse_years
from cerules.cli.main import main
from cerules.rules import RulesError

ROOT = Path(__file__).resolve().parent.parent
SHANDONG = ROOT / "cerules" / "rules" / "data" / "shandong"
PROFESSIONAL_60 = 'required_hours = { value = 60, citation = "SD-2023 §3(1)" }'
PUBLIC_30 = 'required_hours = { value = 30, citation = "SD-2023 §2(1)" }'


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# The example cohort: the Shandong pack has rules for 2023 alone.


@pytest.fixture(scope="module")
def five_years(examples: Path) -> cerules.History:
    return cerules.history(examples / "persons.csv", examples / "records.csv", range(2019, 2024), plugins=False)


def test_years_before_the_first_published_rules_say_no_rules_and_are_not_an_error(five_years):
    assert five_years.years == (2019, 2020, 2021, 2022, 2023)
    assert five_years.years_with_rules == (2023,)
    assert five_years.rules(2019) is None and five_years.rules(2023) is not None
    assert "2019" in five_years.no_rules[2019].zh and "no rules for 2019" in five_years.no_rules[2019].en
    for person in five_years:
        assert [verdict.status for verdict in person.years[:4]] == ["no_rules"] * 4
        assert person.years[4].status in ("compliant", "not_compliant")


def test_the_2023_column_is_what_evaluate_says_for_2023(five_years, examples):
    evaluation = cerules.evaluate(cerules.load_rules(2023, plugins=False), examples / "persons.csv", examples / "records.csv")
    assert five_years.rules(2023).sha256 == evaluation.rules.sha256
    expected = {result.person_id: result for result in evaluation}
    assert [person.person_id for person in five_years] == list(expected)
    for person in five_years:
        year = person.year(2023)
        result = expected[person.person_id]
        assert year.compliant == result.compliant
        assert [r.outcome for r in year.requirements] == list(result.requirements)
        assert person.met_every_year == result.compliant  # the only year with rules
    assert five_years.summary()["met_every_year"] == evaluation.summary()["compliant"]
    assert five_years.summary()["years"][-1] == {"year": 2023, "status": "rules", **evaluation.summary()}


def test_the_history_document_holds_2023_as_the_evaluate_document_does(capsys, examples):
    persons, records = str(examples / "persons.csv"), str(examples / "records.csv")
    code, out, _ = run(capsys, "evaluate", "--year", "2023", "--persons", persons, "--records", records, "--format", "json")
    assert code == 0
    evaluated = json.loads(out)
    code, out, _ = run(capsys, "history", "--persons", persons, "--records", records, "--years", "2019-2023", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["rules"][-1]["sha256"] == evaluated["rules"]["sha256"]
    assert document["rejected_input"] == evaluated["rejected_input"]
    for person, expected in zip(document["people"], evaluated["people"], strict=True):
        last = person["years"][-1]
        assert person["person_id"] == expected["person_id"] and last["compliant"] == expected["compliant"]
        assert [{k: v for k, v in r.items() if k not in ("file", "window")} for r in last["requirements"]] == expected["requirements"]


def test_the_table_has_a_column_per_year_the_reason_of_a_failure_and_the_every_year_column(five_years):
    from cerules.render.history import history_table

    table = history_table(five_years, "zh")
    header = table.splitlines()[0]
    assert header.split() == ["人员", "2019", "2020", "2021", "2022", "2023", "近5年均达标"]
    p001 = next(line for line in table.splitlines() if line.startswith("P001"))
    assert p001.split() == ["P001", "无规则", "无规则", "无规则", "无规则", "未达标：公需科目", "否"]
    assert "2019 年度：无规则（不计入）" in table
    english = history_table(five_years, "en")
    assert "met all 5 years" in english.splitlines()[0]
    assert next(line for line in english.splitlines() if line.startswith("P001")).split()[-3:] == ["FAIL:", "public", "no"]


# A pack of our own: base layers for 2022 and from 2023, the 2023 one with a five-year window.


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    pack_file = (SHANDONG / "pack.toml").read_text(encoding="utf-8")
    assert 'id = "shandong"' in pack_file
    (folder / "pack.toml").write_text(pack_file.replace('id = "shandong"', 'id = "history-test"'), encoding="utf-8")
    base = (SHANDONG / "sd-2023.toml").read_text(encoding="utf-8")
    assert 'id = "province"' in base and "years = [2023]" in base and PROFESSIONAL_60 in base and PUBLIC_30 in base
    earlier = base.replace('id = "province"', 'id = "base-2022"').replace("years = [2023]", "years = [2022]")
    (folder / "base-2022.toml").write_text(earlier.replace(PUBLIC_30, PUBLIC_30.replace("30", "20", 1)), encoding="utf-8")
    window = 'window_years = { value = 5, citation = "TEST-2023 §5" }'
    later = base.replace('id = "province"', 'id = "base-2023"').replace("years = [2023]", "from = 2023")
    (folder / "base-2023.toml").write_text(later.replace(PROFESSIONAL_60, f"{PROFESSIONAL_60}\n{window}"), encoding="utf-8")
    return folder


def learning(record_id: str, person_id: str, subject: str, hours: int, day: str) -> dict[str, str]:
    return {
        "record_id": record_id,
        "person_id": person_id,
        "subject": subject,
        "hours": str(hours),
        "completed_at": day,
        "mode": "offline",
        "topic": "ethics" if subject == "public" else "",
    }


PERSONS = [
    {"person_id": "p1", "city": "青岛市", "unit_level": "city"},
    {"person_id": "p2", "city": "370800", "unit_level": "city"},
]
RECORDS = [
    learning("a1", "p1", "public", 20, "2022-03-01"),  # enough for 2022 (20 hours), not for 2023 (30)
    learning("a2", "p1", "professional", 60, "2022-04-01"),
    learning("a3", "p1", "public", 12, "2023-03-01"),
    learning("a4", "p1", "professional", 60, "2023-04-01"),
    learning("b1", "p2", "public", 30, "2023-03-01"),  # nothing in 2022
    learning("b2", "p2", "professional", 60, "2023-05-01"),
]


def test_each_year_is_judged_on_its_own_records_under_its_own_rules(pack):
    result = cerules.history(PERSONS, RECORDS, [2021, 2022, 2023, 2024], pack=pack, plugins=False)
    assert result.years_with_rules == (2022, 2023, 2024) and result.pack.id == "history-test"
    p1, p2 = result.person("p1"), result.person("p2")
    assert [v.status for v in p1.years] == ["no_rules", "compliant", "not_compliant", "not_compliant"]
    assert [v.status for v in p2.years] == ["no_rules", "not_compliant", "compliant", "not_compliant"]
    public_2022, public_2023 = (p1.year(year).requirements[0].outcome for year in (2022, 2023))
    assert (public_2022.credited, public_2022.required) == (2000, 2000)  # the 2023 record does not count in 2022
    assert (public_2023.credited, public_2023.required) == (1200, 3000)  # nor the 2022 one in 2023
    assert [r.id for r in p1.year(2023).unmet] == ["public"]
    assert p1.met_every_year is False and p2.met_every_year is False
    assert result.summary()["met_every_year"] == 0


def test_each_year_cites_the_layer_that_set_its_requirements(pack):
    result = cerules.history(PERSONS, RECORDS, [2022, 2023], pack=pack, plugins=False)
    p1 = result.person("p1")
    assert [layer["id"] for layer in p1.year(2022).layers()] == ["base-2022"]
    layer = p1.year(2023).layers()[0]
    assert layer["id"] == "base-2023" and layer["file"].endswith("base-2023.toml")
    assert set(layer["citations"]) == {"SD-2023 §2(1)", "SD-2023 §3(1)", "TEST-2023 §5"}
    entries = result.rules_entries()
    assert [entry["layers"][0]["file"].rsplit("/", 1)[-1] for entry in entries] == ["base-2022.toml", "base-2023.toml"]
    assert [entry["layers"][0]["years"] for entry in entries] == ["2022", "2023–"]


def test_the_window_requirements_of_the_last_year_with_rules_are_shown(pack):
    result = cerules.history(PERSONS, RECORDS, [2022, 2023], pack=pack, plugins=False)
    evaluation = result.evaluations[2023]
    for person in result:
        (window,) = person.windows
        assert window.id == "professional" and (window.window.first_year, window.window.last_year) == (2019, 2023)
        assert window.window_provenance.layer == "base-2023" and window.window_provenance.citation == "TEST-2023 §5"
        assert window.outcome == evaluation.person(person.person_id).requirement("professional")  # the kernel's numbers
        assert not person.year(2022).requirements[1].spans_years  # 2022's rules count the calendar year
    entry = result.to_document()["people"][0]["windows"][0]
    assert entry["year"] == 2023 and entry["window"] == {
        "first_year": 2019, "last_year": 2023, "years": 5, "set_by": "base-2023", "citation": "TEST-2023 §5",
    }  # fmt: skip
    from cerules.render.history import history_table

    assert "professional 2019–2023" in history_table(result, "en").splitlines()[0]


def test_a_draft_applies_to_the_years_it_covers(pack, tmp_path):
    draft = tmp_path / "draft.toml"
    draft.write_text(
        '[layer]\nid = "more-public"\nyears = [2023]\n\n[public]\nrequired_hours = { value = 35, citation = "draft" }\n', encoding="utf-8"
    )
    result = cerules.history(PERSONS, RECORDS, [2022, 2023], pack=pack, plugins=False, rules=[draft])
    p2 = result.person("p2")
    assert p2.year(2022).requirements[0].outcome.required == 2000
    assert p2.year(2023).requirements[0].outcome.required == 3500 and p2.year(2023).requirements[0].outcome.set_by == "more-public"


def test_a_problem_with_the_rules_other_than_a_missing_year_is_raised(pack, tmp_path):
    draft = tmp_path / "draft.toml"
    draft.write_text('[layer]\nid = "bad"\n\n[public]\nrequired_hourz = { value = 35, citation = "draft" }\n', encoding="utf-8")
    with pytest.raises(RulesError):
        cerules.history(PERSONS, RECORDS, [2021, 2022], pack=pack, plugins=False, rules=[draft])
    (pack / "base-2023.toml").write_text("[layer]\nid = 1\n", encoding="utf-8")
    with pytest.raises(RulesError):
        cerules.history(PERSONS, RECORDS, [2021], pack=pack, plugins=False)


def test_a_person_who_cannot_be_used_is_reported_once(pack):
    persons = [*PERSONS, {"person_id": "p3", "city": "火星", "unit_level": "city"}]
    result = cerules.history(persons, RECORDS, [2021, 2022, 2023], pack=pack, plugins=False)
    assert [person.person_id for person in result] == ["p1", "p2"]
    document = result.to_document("en")
    assert [entry["person_id"] for entry in document["rejected_persons"]] == ["p3"]
    assert "p3" not in {entry["person_id"] for entry in document["people"]}


def test_no_year_with_rules_leaves_every_verdict_open(pack):
    result = cerules.history(PERSONS, RECORDS, [2019, 2020], pack=pack, plugins=False)
    assert result.summary()["met_every_year"] is None
    assert all(person.met_every_year is None and person.windows == () for person in result)
    assert "data_quality" not in result.to_document()


# The command line.


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    persons, records = tmp_path / "persons.csv", tmp_path / "records.csv"
    for path, rows in ((persons, PERSONS), (records, RECORDS)):
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return str(persons), str(records)


def history_cli(capsys, files, pack, *more: str) -> tuple[int, str, str]:
    return run(capsys, "history", "--persons", files[0], "--records", files[1], "--rules-dir", str(pack), "--no-plugins", *more)


def test_the_json_document_has_years_rules_people_and_a_summary(capsys, files, pack):
    code, out, _ = history_cli(capsys, files, pack, "--years", "2021-2023", "--format", "json")
    assert code == 0  # people who did not meet a year are in the output, not in the exit status
    document = json.loads(out)
    assert set(document) >= {"years", "pack", "rules", "engine", "people", "summary", "rejected_persons", "rejected_input", "data_quality"}
    assert document["years"] == [2021, 2022, 2023] and document["pack"] == "history-test"
    assert [entry["status"] for entry in document["rules"]] == ["no_rules", "rules", "rules"]
    assert len(document["rules"][1]["sha256"]) == 64 and document["rules"][1]["layers"][0]["id"] == "base-2022"
    p1 = document["people"][0]
    assert p1["person_id"] == "p1" and p1["met_every_year"] is False
    assert [year["status"] for year in p1["years"]] == ["no_rules", "compliant", "not_compliant"]
    assert p1["years"][2]["unmet"] == ["public"]
    assert set(p1["years"][2]["requirements"][0]) >= {"id", "required", "credited", "met", "set_by", "citation", "file", "window"}
    assert document["summary"]["years_with_rules"] == [2022, 2023] and document["summary"]["met_every_year"] == 0


def test_csv_has_one_row_per_person_and_year(capsys, files, pack):
    code, out, _ = history_cli(capsys, files, pack, "--years", "2021,2023", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["person_id"], row["year"], row["status"]) for row in rows] == [
        ("p1", "2021", "no_rules"), ("p1", "2023", "not_compliant"), ("p2", "2021", "no_rules"), ("p2", "2023", "compliant"),
    ]  # fmt: skip
    assert rows[1]["unmet"] == "public" and rows[1]["public.credited"] == "12.0" and rows[1]["public.required"] == "30"
    assert rows[1]["professional.window"] == "2019–2023" and rows[1]["professional.set_by"] == "base-2023"
    assert rows[0]["compliant"] == "" and rows[0]["public.required"] == ""


def test_the_table_in_english_and_written_to_a_file(capsys, files, pack, tmp_path):
    out_file = tmp_path / "history.txt"
    code, out, _ = history_cli(capsys, files, pack, "--years", "2023", "--lang", "en", "--out", str(out_file))
    assert code == 0 and out == ""
    table = out_file.read_text(encoding="utf-8")
    assert table.splitlines()[0].split() == ["person", "2023", "professional", "2019–2023", "met", "all", "1", "years"]
    assert "2023 rules sha256" in table and "base-2023" in table


@pytest.mark.parametrize("years", ["20x", "2023-2019", "2019-", "2019;2020", "1900-2100", ""])
def test_bad_years_are_a_one_line_usage_error_naming_the_option(capsys, files, pack, years):
    with pytest.raises(SystemExit) as exit:
        history_cli(capsys, files, pack, "--years", years)
    out, err = capsys.readouterr()
    assert exit.value.code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--years" in err


def test_an_unreadable_pack_is_a_one_line_error(capsys, files, tmp_path):
    code, _, err = run(capsys, "history", "--persons", files[0], "--records", files[1], "--years", "2023", "--rules-dir", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "pack.toml" in err


@given(st.sets(st.integers(1000, 9999), min_size=1, max_size=10))
def test_a_list_of_years_reads_as_its_sorted_years(years):
    assert parse_years(",".join(map(str, years))) == tuple(sorted(years))


@given(st.integers(1000, 9950), st.integers(0, 49))
def test_a_range_of_years_includes_both_ends(first, span):
    assert parse_years(f"{first}-{first + span}") == tuple(range(first, first + span + 1))
