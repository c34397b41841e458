"""Certificates of credited hours (学时证明): what they state, in Word and PDF, one person or a whole cohort."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.hours import format_amount
from cerules.certificates import CertificateError, certificate_document, file_name, issuer
from cerules.cli.main import main

from .conftest import person, record

docx = pytest.importorskip("docx")
pypdf = pytest.importorskip("pypdf")
pytest.importorskip("reportlab")

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


@pytest.fixture(scope="module")
def evaluation(rules, examples):
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


def run(examples: Path, *options: str) -> int:
    return main(
        ["certificate", "--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv"), "--no-plugins", *options]
    )


def docx_text(path: Path) -> str:
    """Every paragraph and every table cell of a Word file, one per line."""
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def compact(text: str) -> str:
    return re.sub(r"\s", "", text)


def expected_figures(evaluation, person_id: str) -> tuple[list[str], list[str], list[str]]:
    """The credited and rejected record ids, and each requirement's label, required and credited, as the evaluation has them."""
    result = evaluation.person(person_id)
    credited = [r.record_id for r in result.records if r.status == "credited"]
    rejected = [r.record_id for r in result.records if r.status != "credited"]
    totals = [
        f"{r.label.zh}{format_amount(r.required)}学时{format_amount(r.credited)}学时{'√' if r.met else '×'}" for r in result.requirements
    ]
    return credited, rejected, totals


@pytest.mark.parametrize(("suffix", "read"), [(".docx", docx_text), (".pdf", pdf_text)])
def test_the_certificate_states_the_person_every_credited_record_the_totals_and_the_rules_digest(
    tmp_path, examples, evaluation, rules, suffix, read
):
    out = tmp_path / f"P003-2023{suffix}"
    assert run(examples, "--person", "P003", "--year", "2023", "--out", str(out)) == 0
    text = compact(read(out))
    credited, rejected, totals = expected_figures(evaluation, "P003")
    assert credited and rejected, "P003 has both credited and rejected records in 2023"
    assert "学时证明" in text and "P003" in text and "济南市" in text
    for record_id in credited:
        assert record_id in text
    for record_id in rejected:  # rejected records are counted, not listed
        assert record_id not in text
    assert f"另有{len(rejected)}条学习记录未予认定" in text
    for row in totals:
        assert row in text
    assert rules.sha256 in text
    assert "cerulesrulesshow--year2023--no-plugins" in text
    assert cerules.__version__ in text


def test_the_totals_are_the_evaluations_requirements(examples, evaluation):
    """The library view: every requirement of every person, as `evaluation.person(id).requirements`."""
    issued = issuer(examples / "persons.csv", examples / "records.csv", [2023], plugins=False)
    for person_id in issued.person_ids:
        year = issued.certificate(person_id).year(2023)
        expected = evaluation.person(person_id)
        assert [r.outcome for r in year.requirements] == list(expected.requirements)
        assert year.compliant == expected.compliant
        assert {r.record_id for r in year.records} == {r.record_id for r in expected.records if r.status == "credited"}
        assert year.rules_sha256 == evaluation.rules.sha256


def test_credited_records_are_in_the_order_they_were_completed(examples):
    issued = issuer(examples / "persons.csv", examples / "records.csv", [2023], plugins=False)
    for person_id in issued.person_ids:
        days = [r.completed_on for r in issued.certificate(person_id).year(2023).records]
        assert days == sorted(days)


def test_the_date_of_issue_is_today_in_shanghai(tmp_path, examples):
    before = pendulum.now("Asia/Shanghai")
    out = tmp_path / "cert.docx"
    assert run(examples, "--person", "P003", "--year", "2023", "--out", str(out)) == 0
    after = pendulum.now("Asia/Shanghai")
    text = docx_text(out)
    assert any(f"签发日期：{day.year}年{day.month}月{day.day}日" in text for day in (before, after))


def test_the_english_certificate_has_no_chinese_but_the_datas_own_words(tmp_path, examples, evaluation):
    out = tmp_path / "P003-2023.docx"
    assert run(examples, "--person", "P003", "--year", "2023", "--lang", "en", "--out", str(out)) == 0
    text = docx_text(out)
    with open(examples / "persons.csv", encoding="utf-8") as persons, open(examples / "records.csv", encoding="utf-8") as records:
        data = [row for row in csv.reader(persons) if row[0] == "P003"] + [row for row in csv.reader(records) if row[1] == "P003"]
    values = {cell for row in data for cell in row}
    chinese = set(CJK.findall(text))
    assert chinese, "the data itself holds Chinese (title series, industry, topics)"
    assert chinese <= values, f"Chinese words not from the data: {sorted(chinese - values)}"
    assert "Statement of credited continuing-education hours" in text and "Jinan" in text
    for r in evaluation.person("P003").requirements:
        assert r.label.en in text
    assert "\u00d7 not met" in text and "\u221a met" in text


def test_a_range_names_the_years_without_rules(tmp_path, examples, rules):
    out = tmp_path / "P003-2021-2023.docx"
    assert run(examples, "--person", "P003", "--years", "2021-2023", "--out", str(out)) == 0
    text = docx_text(out)
    for year in (2021, 2022):
        assert f"没有 {year} 年度的规则" in text
    assert "没有 2023 年度的规则" not in text
    assert text.count(rules.sha256) == 1, "only 2023 has rules, and a digest"
    assert "有规则的年度（2023 年度）均达标：否" in text


def test_a_range_of_years_without_any_rules_credits_nothing(examples):
    issued = issuer(examples / "persons.csv", examples / "records.csv", [2019, 2020], plugins=False)
    certificate = issued.certificate("P001")
    assert certificate.years_with_rules == () and certificate.met_every_year is None
    text = "\n".join(block.text for block in certificate_document(certificate, "zh").blocks)
    assert "所列年度均无规则" in text and "sha256" not in text


def test_all_persons_go_to_a_folder_and_one_archive(tmp_path, examples, evaluation):
    folder, archive = tmp_path / "certs", tmp_path / "certs.zip"
    assert run(examples, "--all", "--year", "2023", "--out-dir", str(folder), "--zip", str(archive)) == 0
    expected = sorted(f"{person_id}-2023.docx" for person_id in evaluation.ledger.persons.person_id)
    assert len(expected) == 42
    assert sorted(path.name for path in folder.iterdir()) == expected
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.testzip() is None
        assert sorted(zipped.namelist()) == expected
        assert zipped.read("P003-2023.docx") == (folder / "P003-2023.docx").read_bytes()
    assert "P017" in docx_text(folder / "P017-2023.docx")


def test_several_persons_as_pdf_in_an_archive_only(tmp_path, examples):
    archive = tmp_path / "two.zip"
    assert run(examples, "--person", "P003", "--person", "P001", "--years", "2021,2023", "--zip", str(archive), "--format", "pdf") == 0
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["P001-2021_2023.pdf", "P003-2021_2023.pdf"]
        assert zipped.read("P003-2021_2023.pdf").startswith(b"%PDF-")


def test_an_unknown_person_exits_2_with_one_line_and_writes_nothing(tmp_path, examples, capsys):
    out = tmp_path / "cert.docx"
    assert run(examples, "--person", "P999", "--year", "2023", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "P999" in err and "Traceback" not in err
    assert not out.exists()


def test_an_unknown_person_in_a_batch_writes_no_file(tmp_path, examples, capsys):
    folder = tmp_path / "certs"
    assert run(examples, "--person", "P003", "--person", "P999", "--year", "2023", "--out-dir", str(folder)) == 2
    assert "P999" in capsys.readouterr().err
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize("option", ["--out", "--zip"])
def test_an_output_naming_an_input_exits_2_and_leaves_it_alone(tmp_path, examples, capsys, option):
    records = tmp_path / "records.csv"
    records.write_bytes((examples / "records.csv").read_bytes())
    before = records.read_bytes()
    code = main(
        ["certificate", "--persons", str(examples / "persons.csv"), "--records", str(records), "--no-plugins"]
        + ["--person", "P003", "--year", "2023", option, str(records)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "输入" in err
    assert records.read_bytes() == before


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--all", "--out", "x.docx"], "--out-dir"),
        (["--person", "P003", "--out", "x.txt"], ".docx 或 .pdf"),
        (["--person", "P003", "--out", "x.docx", "--format", "pdf"], "--format pdf"),
        (["--person", "P003"], "--out FILE"),
        (["--person", "P003", "--zip", "x.tar"], ".zip"),
    ],
)
def test_options_that_do_not_fit_exit_2_with_one_line(tmp_path, examples, capsys, monkeypatch, options, said):
    monkeypatch.chdir(tmp_path)
    assert run(examples, "--year", "2023", *options) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and said in err
    assert list(tmp_path.iterdir()) == []


def test_a_person_whose_row_is_invalid_gets_no_certificate():
    persons = [person("ok"), person("bad", city="不存在的市")]
    records = [record(person_id="ok"), record(person_id="bad")]
    issued = issuer(persons, records, [2023], plugins=False)
    assert issued.person_ids == ("ok",)
    with pytest.raises(CertificateError, match="bad"):
        issued.certificate("bad")


def test_only_credited_records_are_listed_and_the_others_counted():
    persons = [person("p1", unit_level="province")]
    records = [
        record(person_id="p1", record_id="kept", platform="sdou", hours=6),
        record(person_id="p1", record_id="refused", platform="nowhere", hours=6),
        record(person_id="p1", record_id="last-year", completed_at="2022-06-01", platform="sdou"),
    ]
    year = issuer(persons, records, [2023], plugins=False).certificate("p1").year(2023)
    assert [r.record_id for r in year.records] == ["kept"]
    assert year.records[0].platform_name is not None and year.records[0].platform_name.zh == "山东开放大学"
    assert year.uncredited == 1, "the record of 2022 is not this year's to count"


@given(st.text(min_size=1, max_size=30), st.sampled_from(["docx", "pdf"]))
def test_a_file_name_is_one_plain_name_whatever_the_person_id(person_id, fmt):
    name = file_name(person_id, [2021, 2022, 2023], fmt)
    assert Path(name).name == name and "/" not in name and "\\" not in name
    assert not name.startswith(".") and name.endswith(f"-2021-2023.{fmt}")


def test_a_certificate_under_an_illustrative_pack_says_it_is_no_formal_recognition(examples):
    pack = examples / "packs" / "shanghai-cycle"
    issued = issuer(pack / "cohort" / "persons.csv", pack / "cohort" / "records.csv", [2023], pack=pack, plugins=False)
    certificate = issued.certificate(issued.person_ids[0])
    assert not certificate.pack_verified
    for lang, said in (("zh", "不能作为正式认定"), ("en", "no formal recognition")):
        assert any(said in block.text for block in certificate_document(certificate, lang).blocks)
    shandong = issuer(examples / "persons.csv", examples / "records.csv", [2023], plugins=False).certificate("P003")
    assert not any("正式认定" in block.text for block in certificate_document(shandong, "zh").blocks)


def test_the_command_the_certificate_names_prints_the_same_digest(tmp_path, examples, capsys):
    out = tmp_path / "cert.docx"
    assert run(examples, "--person", "P003", "--year", "2023", "--out", str(out)) == 0
    text = docx_text(out)
    command = re.search(r"`cerules (rules show [^`]+)`", text)
    assert command is not None
    capsys.readouterr()
    assert main(command.group(1).split()) == 0
    digest = re.search(r"sha256 ([0-9a-f]{64})", capsys.readouterr().out)
    assert digest is not None and f"sha256：{digest.group(1)}" in text
