"""`cerules explain` prints what the library says of a person: the explanation, or the contract's entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cerules
from cerules.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def explain(examples: Path, *more: str) -> list[str]:
    return ["explain", "--year", "2023", "--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv"), *more]


@pytest.fixture(scope="module")
def evaluation(rules, examples):
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_text_is_the_library_explanation(capsys, examples, evaluation, lang):
    code, out, err = run(capsys, *explain(examples, "--person", "P003", "--lang", lang))
    assert code == 0 and err == ""
    assert out == evaluation.person("P003").explain(lang) + "\n"
    assert ("公需科目 差 12 学时" if lang == "zh" else "Public subjects 12 hours short") in out


def test_several_people_are_explained_one_after_another_in_the_order_asked(capsys, examples, evaluation):
    code, out, _ = run(capsys, *explain(examples, "--person", "P016", "--person", "P003"))
    assert code == 0
    assert out == evaluation.person("P016").explain("zh") + "\n\n" + evaluation.person("P003").explain("zh") + "\n"


def test_json_is_the_persons_entry_of_the_contract_document(capsys, examples, evaluation):
    code, out, _ = run(capsys, *explain(examples, "--person", "P003", "--format", "json", "--lang", "en"))
    assert code == 0 and json.loads(out) == evaluation.person("P003").to_dict("en")
    assert json.loads(out) in evaluation.to_document("en")["people"]


def test_json_for_several_people_is_one_entry_a_line(capsys, examples, evaluation):
    code, out, _ = run(capsys, *explain(examples, "--person", "P003", "--person", "P004", "--format", "json"))
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and entries == [evaluation.person(pid).to_dict("zh") for pid in ("P003", "P004")]


@pytest.mark.parametrize(("lang", "words"), [("zh", "人员信息中没有 P999"), ("en", "no person 'P999' in the persons file")])
def test_a_person_not_in_the_persons_file_exits_2_with_one_line(capsys, examples, lang, words):
    code, out, err = run(capsys, *explain(examples, "--person", "P003", "--person", "P999", "--lang", lang))
    assert code == 2 and out == ""  # nothing for P003 either: all found, or nothing said
    assert len(err.splitlines()) == 1 and words in err and str(examples / "persons.csv") in err


def test_a_person_whose_row_is_invalid_is_named_with_the_line(capsys, tmp_path):
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,青岛,市属\np2,nowhere,市属\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nr1,p1,public,30,2023-05-01\n", encoding="utf-8")
    argv = ["explain", "--year", "2023", "--persons", str(persons), "--records", str(records), "--lang", "en"]
    code, out, err = run(capsys, *argv, "--person", "p2")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "line 3" in err and "'p2'" in err and str(persons) in err
    code, out, _ = run(capsys, *argv, "--person", "p1")
    assert code == 0 and out.startswith("p1: does not meet the 2023 requirements")


def test_an_id_with_control_characters_is_shown_escaped(capsys, examples):
    code, _, err = run(capsys, *explain(examples, "--person", "P\x1b[2J"))
    assert code == 2 and "\x1b" not in err and "P\\x1b[2J" in err


def test_the_rule_options_are_those_of_evaluate(capsys, tmp_path):
    draft = tmp_path / "draft.toml"
    draft.write_text('[layer]\nid = "draft"\n\n[public]\nrequired_hours = 10\n', encoding="utf-8")
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city\np1,青岛\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nr1,p1,public,12,2023-05-01\n", encoding="utf-8")
    argv = ["explain", "--year", "2023", "--persons", str(persons), "--records", str(records), "--person", "p1", "--no-plugins"]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "unit_level" in err  # no unit_level column: refused unless a default is given
    code, out, _ = run(capsys, *argv, "--unit-level-default", "city", "--rules", str(draft), "--lang", "en")
    drafted = cerules.load_rules(2023, plugins=False, rules=[draft])
    expected = cerules.evaluate_files(drafted, persons, records, unit_level_default="city").person("p1")
    assert code == 0 and out == expected.explain("en") + "\n"
    assert "Public subjects (public): 12 / 10 hours" in out and "set by draft" in out


def test_control_characters_from_the_input_reach_the_terminal_escaped(capsys, tmp_path):
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,青岛,市属\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nr\x1b[2J,p1,public,30,2023-05-01\n", encoding="utf-8")
    argv = ["explain", "--year", "2023", "--persons", str(persons), "--records", str(records), "--person", "p1"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "\x1b" not in out and "r\\x1b[2J" in out
    said = cerules.evaluate_files(cerules.load_rules(2023, plugins=False), persons, records).person("p1").explain()
    assert "\x1b" in said and out.count("\n") == len(said.splitlines())  # the same lines, the control escaped
