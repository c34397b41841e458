"""The report page is one self-contained HTML file: every figure, person and rule of the evaluation, nothing from the network."""

from __future__ import annotations

import html
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cerules
from cerules.base.hours import format_amount
from cerules.cli.main import main
from cerules.kernel.reasons import BY_NAME
from cerules.render.report_page import _json_for_script, report_page, write_report
from cerules.rules.describe import describe_rules
from tests.conftest import person, record

MADE = "2024-01-02 09:30 (北京时间)"
BY_NAME_BY_CODE = {reason.code: name for name, reason in BY_NAME.items()}


@pytest.fixture(scope="module")
def evaluation(rules, examples):
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


@pytest.fixture(scope="module", params=["zh", "en"])
def page(request, evaluation) -> tuple[str, str]:
    return request.param, report_page(evaluation, request.param, generated_at=MADE)


class Resources(HTMLParser):
    """Every place a page could fetch from: src, href, srcset, and url(…) or @import in its styles."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.csp: str | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.references += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action", "data", "poster")]
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = found.get("content")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references += re.findall(r"url\(\s*['\"]?([^'\")]*)", data) + re.findall(r"@import\s+['\"]([^'\"]+)", data)


def blob(page: str) -> dict:
    """The people as the page carries them (the JSON in its data script)."""
    found = re.search(r"<script type='application/json' id='cerules-data'>(.*?)</script>", page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def section(page: str, name: str) -> str:
    found = re.search(rf"<section[^>]*id='{name}'.*?</section>", page, re.S)
    assert found is not None, name
    return found.group(0)


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_page_names_the_rules_by_their_full_digest_and_cites_every_value(page, evaluation):
    lang, text = page
    assert evaluation.rules.sha256 in text
    rules = section(text, "rules")
    described = describe_rules(evaluation.rules)
    for layer in described["layers"]:
        assert f"<b>{html.escape(layer['id'])}</b>" in rules
        for value in layer["values"]:
            assert html.escape(value["path"]) in rules
            assert html.escape(value["citation"]) in rules
    assert "cerules " + cerules.__version__ in text
    assert MADE in text


def test_the_headline_holds_the_figures_of_the_summary(page, evaluation):
    _, text = page
    s = evaluation.summary()
    headline = section(text, "headline")
    values = [text_of(v).strip() for v in re.findall(r"<div class='value'>(.*?)</div>", headline)]
    assert values == [
        f"{s['people']:,}",
        f"{s['compliant']:,}",
        f"{s['people'] - s['compliant']:,}",
        f"{s['records']:,}",
        str(evaluation.year),
    ]
    details = text_of(headline)
    assert f"{s['credited']:,}" in details and f"{s['rejected']:,}" in details
    assert f"{100 * s['compliant'] / s['people']:.1f}%" in details
    assert evaluation.rules.pack_id in details


def test_every_person_is_in_the_page_with_their_verdict_and_explanation(page, evaluation):
    lang, text = page
    data = blob(text)
    people = list(evaluation)
    assert data["id"] == [p.person_id for p in people]
    assert data["ok"] == [int(p.compliant) for p in people]
    assert data["explain"] == [p.explain(lang) for p in people]
    for position, result in enumerate(people):
        ids = data["requirements"]
        missed = {ids[r]["id"] for r in data["miss"][position]}
        assert missed == {r.id for r in result.requirements if not r.met}
        counted = Counter(rec.reason or "credited" for rec in result.records)
        flat = data["reasons"][position]
        assert {BY_NAME_BY_CODE[code]: n for code, n in zip(flat[::2], flat[1::2], strict=True)} == counted


def test_a_large_cohort_carries_the_structured_view_without_the_full_explanations(evaluation):
    data = blob(report_page(evaluation, "en", generated_at=MADE, explain_limit=len(evaluation) - 1))
    assert data["explain"] is None
    assert len(data["id"]) == len(evaluation)


def test_compliance_by_city_is_drawn_for_every_city_with_its_counts(page, evaluation):
    lang, text = page
    regions = evaluation.rules.regions
    people, passed = Counter(), Counter()
    for result in evaluation:
        people[result.profile.city] += 1
        passed[result.profile.city] += result.compliant
    titles = re.findall(r"<title>(.*?)</title>", text)
    for city, count in people.items():
        name = regions.city_name(city, lang)
        rate = f"{100 * passed[city] / count:.1f}%"
        said = (
            f"{name}：{passed[city]}/{count} 人达标（{rate}）" if lang == "zh" else f"{name}: {passed[city]} of {count} compliant ({rate})"
        )
        assert html.escape(said) in titles


def test_the_reasons_are_named_in_the_language_of_the_page_with_their_counts(page, evaluation):
    lang, text = page
    chart = text[text.index("aria-label='" + ("未认定记录的主要原因" if lang == "zh" else "Why records were not credited")) :]
    for code, count in evaluation.reason_counts().items():
        assert html.escape(BY_NAME[code].text.in_lang(lang)) in chart
        assert f"<title>{code}: {count:,}</title>" in chart


def test_the_requirements_most_often_unmet_sum_the_shortfall_of_everyone_missing_them(page, evaluation):
    _, text = page
    missing, shortfall = Counter(), Counter()
    for result in evaluation:
        for requirement in result.requirements:
            if not requirement.met:
                missing[requirement.id] += 1
                shortfall[requirement.id] += requirement.shortfall
    assert missing, "the example cohort has people who fail"
    rows = re.findall(
        r"<tr data-requirement='(.*?)'>.*?<td class='num people'>(.*?)</td>.*?<td class='num shortfall'>(\S+) ", section(text, "unmet")
    )
    assert {rid: (int(people), amount) for rid, people, amount in rows} == {
        rid: (missing[rid], format_amount(shortfall[rid])) for rid in missing
    }
    assert [int(people) for _, people, _ in rows] == sorted((int(p) for _, p, _ in rows), reverse=True)


def test_nothing_is_fetched_from_anywhere(page):
    _, text = page
    parser = Resources()
    parser.feed(text)
    assert all(ref.startswith(("data:", "#")) for ref in parser.references), parser.references
    assert "http://" not in text and "https://" not in text  # the example rules cite no web page either
    assert parser.csp is not None and "default-src 'none'" in parser.csp
    assert re.findall(r"<script[^>]*>", text) == ["<script type='application/json' id='cerules-data'>", "<script>"]


def test_input_is_escaped_in_markup_and_in_the_data(rules):
    hostile = "<script>alert('x')</script>&\u2028x"
    evaluation = cerules.evaluate(
        rules,
        [person(hostile, title_series="</script><img src=x onerror=alert(1)>"), person("p2")],
        [record("public", 30, person_id=hostile), record("public", 3, person_id="p2")],
    )
    text = report_page(evaluation, "zh", generated_at=MADE)
    assert "<script>alert" not in text and "<img" not in text
    assert len(re.findall(r"<script", text)) == 2 and text.count("</script>") == 2
    data = blob(text)
    assert data["id"] == [result.person_id for result in evaluation] and "<script>alert('x')</script>" in data["id"][0]
    assert "</script><img src=x onerror=alert(1)>" in data["seriesNames"]


@given(st.recursive(st.text() | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_the_data_script_can_never_be_closed_by_what_it_carries(value):
    carried = _json_for_script(value)
    assert "<" not in carried and ">" not in carried and "\u2028" not in carried
    assert json.loads(carried) == value


def test_write_report_writes_the_page_as_utf8(evaluation):
    stream = io.BytesIO()
    write_report(evaluation, stream, "en")
    text = stream.getvalue().decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and evaluation.rules.sha256 in text
    assert "<html lang='en'>" in text


def test_cerules_report_writes_the_page_and_refuses_to_overwrite_an_input(tmp_path: Path, examples: Path, evaluation, capsys):
    out = tmp_path / "report.html"
    arguments = ["report", "--year", "2023", "--persons", str(examples / "persons.csv"), "--records", str(examples / "records.csv")]
    assert main([*arguments, "--out", str(out), "--lang", "en", "--no-plugins"]) == 0
    written = out.read_text(encoding="utf-8")
    assert evaluation.rules.sha256 in written and blob(written)["id"] == [p.person_id for p in evaluation]
    persons_before = (examples / "persons.csv").read_bytes()
    assert main([*arguments, "--out", str(examples / "persons.csv")]) == 2
    assert (examples / "persons.csv").read_bytes() == persons_before
    assert "cerules:" in capsys.readouterr().err


def test_cerules_report_says_what_is_wrong_with_its_input_on_one_line(tmp_path: Path, examples: Path, capsys):
    out = tmp_path / "report.html"
    code = main(
        [
            "report",
            "--year",
            "2023",
            "--persons",
            str(tmp_path / "missing.csv"),
            "--records",
            str(examples / "records.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert not out.exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_evaluate_writes_the_same_page_with_format_html(tmp_path: Path, examples: Path, evaluation) -> None:
    out = tmp_path / "report.html"
    args = ["evaluate", "--year", "2023", "--no-plugins", "--persons", str(examples / "persons.csv")]
    assert main([*args, "--records", str(examples / "records.csv"), "--out", str(out)]) == 0  # the suffix chooses html
    written = out.read_text(encoding="utf-8")
    expected = report_page(evaluation, "zh")
    made_at = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # the page says when it was made
    assert made_at.sub("…", written) == made_at.sub("…", expected)
