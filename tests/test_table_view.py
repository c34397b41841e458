"""The evaluation table (`cerules evaluate --format table`) says why, for people reading a terminal.

Read against the example cohort with the bundled plugins (17 people fail, health staff have CME
credits): every failing row names each unmet requirement and its shortfall, compliant rows none;
requirements, units, cities, unit levels and reasons are words in the chosen language; it fits 160
columns; the summary by city adds up.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rich.cells import cell_len

import cerules
from cerules.base.hours import format_amount
from cerules.evaluation.cohort import Evaluation
from cerules.evaluation.explain import RequirementOutcome
from cerules.kernel.reasons import BY_NAME, NAMES
from cerules.render.labels import unit_level_name
from cerules.render.table import TABLE_WIDTH, to_table
from cerules.rules.schema import unit_name
from tests.conftest import person, record

BUNDLED_PLUGINS = ["qingdao", "jining", "jinan", "health"]
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


@pytest.fixture(scope="module")
def cohort(examples: Path) -> Evaluation:
    rules = cerules.load_rules(2023, plugins=BUNDLED_PLUGINS, strict=True)
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


@pytest.fixture(scope="module")
def views(cohort: Evaluation) -> dict[str, str]:
    return {lang: to_table(cohort, lang) for lang in ("zh", "en")}


def person_rows(text: str, evaluation: Evaluation) -> dict[str, str]:
    """Each person's row: the line that starts with their id and the lines its cells wrap onto."""
    ids = [str(pid) for pid in evaluation.ledger.persons.person_id]
    lines = text.splitlines()
    starts = {pid: next(i for i, line in enumerate(lines) if line.startswith(pid + " ")) for pid in ids}
    rows = {}
    for pid, start in starts.items():
        end = start + 1
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        rows[pid] = "\n".join(lines[start:end])
    return rows


def shortfall(r: RequirementOutcome, lang: str) -> str:
    """What the why column says of an unmet requirement, built from the person's explanation."""
    amount, unit, label = format_amount(r.shortfall), unit_name(r.unit).in_lang(lang), r.label.in_lang(lang)
    return f"{label} 差 {amount} {unit}" if lang == "zh" else f"{label} {amount} {unit} short"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_failing_row_names_each_unmet_requirement_with_its_shortfall(cohort, views, lang):
    rows = person_rows(views[lang], cohort)
    assert len(cohort.failing) == 17
    for pid in cohort.failing:
        unmet = [r for r in cohort.person(pid).requirements if not r.met]
        assert unmet, pid
        for requirement in unmet:
            assert shortfall(requirement, lang) in rows[pid], (pid, requirement.id)
        assert "✗" in rows[pid] and ("未达标" if lang == "zh" else "FAIL") in rows[pid]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compliant_rows_show_no_unmet_requirement(cohort, views, lang):
    rows = person_rows(views[lang], cohort)
    compliant = [pid for pid in rows if pid not in cohort.failing]
    assert len(compliant) == 25
    for pid in compliant:
        assert "✗" not in rows[pid] and ("差" if lang == "zh" else " short") not in rows[pid], pid
        assert ("达标" if lang == "zh" else "pass") in rows[pid]


def test_a_row_shows_credited_over_required_with_the_unit(cohort, views):
    rows = person_rows(views["zh"], cohort)
    for pid in ("P003", "P042", "P017"):
        for r in cohort.person(pid).requirements:
            credited, required = (format_amount(v) for v in (r.credited, r.required))
            assert f"{r.label.zh} {credited}/{required}" in rows[pid] or f"{credited}/{required} {unit_name(r.unit).zh}" in rows[pid]
    assert "18/30 学时 ✗" in rows["P003"] and "64/60 学时" in rows["P003"]


def test_requirements_that_apply_to_few_people_fold_into_one_column(cohort, views):
    zh, en = views["zh"], views["en"]
    header_zh, header_en = zh.split("─")[0], en.split("─")[0]
    assert "公需科目" in header_zh and "专业科目" in header_zh and "其他要求" in header_zh
    assert "继续医学教育学分" not in header_zh and "Ⅰ类学分" not in header_zh
    assert "Public" in header_en and "other requirements" in header_en
    assert not any(rid in header_zh + header_en for rid in ("public", "professional", "professional.cme"))
    rows = person_rows(zh, cohort)
    health = [pid for pid in rows if any(r.id == "professional.cme" for r in cohort.person(pid).requirements)]
    assert 0 < len(health) < len(rows) / 2
    for pid in health:
        for r in cohort.person(pid).requirements[2:]:
            mark = "" if r.met else " ✗"
            amounts = f"{format_amount(r.credited)}/{format_amount(r.required)}"
            assert f"{r.label.zh} {amounts}{mark}" in rows[pid], (pid, r.id)
    assert "Ⅱ类学分 12/15 ✗" in rows["P042"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_line_fits_160_columns(views, lang):
    assert TABLE_WIDTH == 160
    assert max(cell_len(line) for line in views[lang].splitlines()) <= 160


def test_the_zh_view_has_no_reason_codes_and_the_en_view_no_chinese(cohort, views):
    zh, en = views["zh"], views["en"]
    assert not SNAKE_CASE.findall(zh)
    assert not any(re.search(rf"\b{name}\b", zh) for name in NAMES)
    assert not HAN.findall(en)
    assert not SNAKE_CASE.findall(en)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cities_and_unit_levels_are_words_in_the_language(cohort, views, lang):
    rows = person_rows(views[lang], cohort)
    attributes = cohort.ledger.persons.attributes
    for index, pid in enumerate(rows):
        city = cohort.rules.regions.city_name(attributes["city"][index], lang)
        level = unit_level_name(attributes["unit_level"][index], lang)
        first_line = rows[pid].splitlines()[0]
        assert city in first_line and level in first_line, pid
    assert not re.search(r"\b37\d{4}\b", "\n".join(rows.values()))  # no city codes


def test_rejected_records_are_counted_by_reason_name_per_person_and_in_the_summary(cohort, views):
    zh = views["zh"]
    rows = person_rows(zh, cohort)
    for result in cohort:
        reasons = Counter(r.reason for r in result.records if r.reason)
        for name, n in reasons.items():
            assert f"{BY_NAME[name].text.zh} ×{n}" in rows[result.person_id], (result.person_id, name)
    summary = zh.split("未认定记录，按原因")[1]
    for name, n in cohort.reason_counts().items():
        assert re.search(rf"{re.escape(BY_NAME[name].text.zh)}\s+{n}\b", summary), name
    assert "该网络学习平台不予认定 ×3" in rows["P003"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_by_city_adds_up_to_the_people(cohort, views, lang):
    text = views[lang]
    title, total = ("按城市", "合计") if lang == "zh" else ("by city", "total")
    block = text.split("\n" + title)[1].splitlines()
    names = {cohort.rules.regions.city_name(code, lang) for code in cohort.ledger.persons.attributes["city"]}
    cities = {}
    for line in block:
        match = re.match(r"(\S+)\s+(\d+)\s+(\d+)\s+(\d+\.\d)%", line)
        if match and match[1] in names:
            cities[match[1]] = (int(match[2]), int(match[3]))
    assert set(cities) == names
    people = Counter(cohort.rules.regions.city_name(code, lang) for code in cohort.ledger.persons.attributes["city"])
    assert {city: n for city, (n, _) in cities.items()} == dict(people)
    summary = cohort.summary()
    assert sum(n for n, _ in cities.values()) == summary["people"] == 42
    assert sum(c for _, c in cities.values()) == summary["compliant"]
    assert re.search(rf"^{total}\s+{summary['people']}\s+{summary['compliant']}\s+59\.5%", text, re.MULTILINE)


def test_the_end_keeps_the_rejected_input_and_the_rules_line(cohort, views):
    lines = views["zh"].splitlines()
    assert "  未归属记录: R0656 (第657行) 人员信息中没有 P099" in lines
    assert lines[-1].startswith(f"规则 sha256 {cohort.rules.sha256[:16]}  province → ")
    assert "2023 年度：42 人，达标 25 人；记录 656 条，认定 636 条，未认定 20 条" in lines
    assert views["en"].splitlines()[-2].startswith("  rejected input: R0656 (line 657) no person 'P099'")


def test_a_cohort_with_the_same_requirements_for_all_has_no_other_column(rules):
    evaluation = cerules.evaluate(rules, [person("a"), person("b")], [record("public", 30, person_id="a")])
    text = to_table(evaluation, "zh")
    assert "其他要求" not in text and "公需科目" in text and "专业科目 差 60 学时" in text
    rows = person_rows(text, evaluation)
    assert "公需科目 差 30 学时" in rows["b"] and "公需科目 差" not in rows["a"]


def test_rejected_persons_and_control_characters_are_shown_escaped(rules):
    persons = [person("a\x1b[2J"), person("b", city="nowhere")]
    text = to_table(cerules.evaluate(rules, persons, [record("public", 1, person_id="a\x1b[2J")]), "zh")
    assert "\x1b" not in text and "a\\x1b[2J" in text
    assert any(line.startswith("  无效人员: b (第") for line in text.splitlines())
