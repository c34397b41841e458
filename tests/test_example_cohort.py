"""The bundled example cohort agrees with the oracle computed beside it (examples/expected.csv)."""

from __future__ import annotations

import csv

import cerules


def test_every_example_person_gets_the_verdict_hours_and_reasons_the_oracle_expects(rules, examples):
    evaluation = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    expected = {row["person_id"]: row for row in csv.DictReader((examples / "expected.csv").open(encoding="utf-8"))}
    got = {}
    for result in evaluation:
        reasons = sorted({r.reason for r in result.records if r.reason})
        got[result.person_id] = {
            "person_id": result.person_id,
            "compliant": str(result.compliant).lower(),
            "public_credited_hours": f"{result.requirement('public').credited / 100:.2f}",
            "professional_credited_hours": f"{result.requirement('professional').credited / 100:.2f}",
            "reasons": ";".join(reasons),
        }
    assert got == expected


def test_the_example_cohort_fails_in_several_different_ways(rules, examples):
    evaluation = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    assert 0 < len(evaluation.failing) < len(evaluation)
    assert set(evaluation.reason_counts()) >= {
        "out_of_year", "platform_not_accepted", "duplicate_course", "not_approved",
        "cap_exceeded", "topic_not_accepted", "invalid_record", "unknown_person",
    }  # fmt: skip


def test_the_gb18030_export_of_the_persons_reads_like_the_utf8_one(rules, examples):
    utf8 = cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")
    gbk = cerules.evaluate_files(rules, examples / "persons-gbk.csv", examples / "records.csv")
    assert gbk.to_document() == utf8.to_document()
