"""The bundled example cohort agrees with the oracles computed beside it: examples/expected.csv (the
provincial rules alone) and examples/expected-with-plugins.csv (with the four bundled plugins)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import cerules
from cerules.cli.main import main
from cerules.evaluation.cohort import Evaluation

BUNDLED_PLUGINS = ["qingdao", "jining", "jinan", "health"]


def expected(path: Path) -> dict[str, dict[str, str]]:
    return {row["person_id"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}


def outcomes(evaluation: Evaluation, *, cme: bool = False) -> dict[str, dict[str, str]]:
    """Each person's verdict in the columns of the expected files."""
    got = {}
    for result in evaluation:
        row = {
            "person_id": result.person_id,
            "compliant": str(result.compliant).lower(),
            "public_credited_hours": f"{result.requirement('public').credited / 100:.2f}",
            "professional_credited_hours": f"{result.requirement('professional').credited / 100:.2f}",
        }
        if cme:
            applies = any(requirement.id == "professional.cme" for requirement in result.requirements)
            row["cme_credits"] = f"{result.requirement('professional.cme').credited / 100:.2f}" if applies else ""
        row["reasons"] = ";".join(sorted({r.reason for r in result.records if r.reason}))
        got[result.person_id] = row
    return got


def test_every_example_person_gets_the_verdict_hours_and_reasons_the_oracle_expects(rules, examples):
    evaluation = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    assert outcomes(evaluation) == expected(examples / "expected.csv")


@pytest.mark.installed_plugins
def test_with_the_bundled_plugins_every_example_person_gets_what_the_plugin_oracle_expects(examples):
    rules = cerules.load_rules(2023, plugins=BUNDLED_PLUGINS, strict=True)
    assert [layer.id for layer in rules.layers] == ["province", "jinan", "jining", "qingdao", "health"]
    evaluation = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    assert outcomes(evaluation, cme=True) == expected(examples / "expected-with-plugins.csv")


def test_the_example_cohort_fails_in_several_different_ways(rules, examples):
    evaluation = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    assert 0 < len(evaluation.failing) < len(evaluation)
    assert set(evaluation.reason_counts()) >= {
        "out_of_year", "platform_not_accepted", "duplicate_course", "not_approved",
        "cap_exceeded", "topic_not_accepted", "invalid_record", "unknown_person",
    }  # fmt: skip
    assert "past_deadline" not in evaluation.reason_counts()  # a city layer's rule


@pytest.mark.installed_plugins
def test_the_default_cli_run_names_the_requirements_and_rules_of_the_city_and_department_layers(examples, capsys):
    files = ["--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv")]
    assert main(["evaluate", "--year", "2023", *files, "--format", "table", "--lang", "en"]) == 0
    table = capsys.readouterr().out
    header = "\n".join(table.splitlines()[:2])  # column titles: the rules' labels, a long one wrapped
    assert "Public" in header and "Professional" in header and "other requirements" in header and "public" not in header
    footnote = table.split("requirement ids: ")[1].split("\n2023: ")[0].replace("\n", " ")  # the ids, under the tables
    assert {"public", "professional", "professional.cme", "professional.cme.class1", "professional.cme.class2"} <= {
        name.split(" = ")[1] for name in footnote.split("; ")
    }
    layers = table.splitlines()[-1].split("  ")[-1].split(" → ")  # "rules sha256 …  province → jinan → …"
    assert layers[0] == "province" and set(BUNDLED_PLUGINS) <= set(layers)

    # The same default rules (installed plugins), as a document: who set each requirement, and
    # the city layers that set no requirement but reject records, named in the records' messages.
    document = cerules.evaluate_files(cerules.load_rules(2023), examples / "persons.csv", examples / "records.csv").to_document("en")
    people = {person["person_id"]: person for person in document["people"]}
    set_by = {(pid, requirement["id"]): requirement["set_by"] for pid, person in people.items() for requirement in person["requirements"]}
    assert set_by["P018", "public"] == "qingdao"  # Qingdao restates the 30 public hours for its city staff
    assert set_by["P034", "public"] == "province"  # a provincial-unit person in Qingdao
    assert set_by["P017", "professional.cme"] == set_by["P017", "professional.cme.class2"] == "health"
    assert set_by["P017", "professional"] == "province"
    assert {set_by[key] for key in set_by if key[1] == "public"} >= {"province", "qingdao"}
    assert not any(key[0] == "P018" and key[1].startswith("professional.cme") for key in set_by)  # not health staff
    rejected = {
        (pid, record["reason"]): record["message"] for pid, person in people.items() for record in person["records"] if record["reason"]
    }
    assert "set by jining" in rejected["P040", "past_deadline"]
    assert "set by jinan" in rejected["P045", "platform_not_accepted"]
    assert "set by qingdao" in rejected["P041", "platform_not_accepted"]
    assert "set by province" in rejected["P003", "platform_not_accepted"]


def test_the_gb18030_export_of_the_persons_reads_like_the_utf8_one(rules, examples):
    utf8 = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    gbk = cerules.evaluate_files(rules, examples / "persons-gbk.csv", examples / "records.csv")
    assert gbk.to_document() == utf8.to_document()
