"""The report page in a real browser: it opens from a file with no network, and its table searches, sorts, pages and explains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cerules
from cerules.inputs.synth import generate
from cerules.render.report_page import report_page


@pytest.fixture(scope="module")
def evaluation(rules, examples):
    return cerules.evaluate_files(rules, examples / "persons.csv", examples / "records.csv")


def open_report(page: Any, path: Path, text: str) -> list[str]:  # noqa: F811
    """Write the page, open it from its file, and abort (and record) every request that is not file: or data:."""
    path.write_text(text, encoding="utf-8")
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:")) else elsewhere.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_selector("#people-table tbody tr.person")
    return elsewhere


def row_ids(page: Any) -> list[str]:  # noqa: F811
    return page.locator("#people-table tbody tr.person td.id").all_inner_texts()


@pytest.fixture
def opened(page, evaluation, tmp_path):  # noqa: F811
    elsewhere = open_report(page, tmp_path / "report.html", report_page(evaluation, "zh"))
    yield page
    assert elsewhere == []
    assert page.console.errors == []


def test_it_renders_the_headline_figures(opened, evaluation):
    s = evaluation.summary()
    people = opened.locator("#headline .card.people .value")
    assert people.is_visible() and people.inner_text() == str(s["people"])
    assert opened.locator("#headline .card.pass .value").inner_text() == str(s["compliant"])
    assert str(s["credited"]) in opened.locator("#headline .card.records").inner_text()


def test_the_charts_are_drawn_with_a_bar_for_each_city(opened, evaluation):
    cities = {result.profile.city for result in evaluation}
    city_chart = opened.locator("svg.chart").first
    assert city_chart.is_visible()
    assert city_chart.locator("g.bar").count() == len(cities)
    assert city_chart.locator("rect.pass").count() == len(cities)
    assert opened.locator("svg.chart").count() == 4  # city, series, unit level, reasons
    assert opened.locator("svg.chart g.bar rect").first.bounding_box()["width"] > 0


def test_typing_in_the_search_box_filters_the_rows(opened, evaluation):
    assert row_ids(opened) == [result.person_id for result in evaluation]
    from playwright.sync_api import expect

    rows = opened.locator("#people-table tbody tr.person")
    opened.fill("#search", "P003")
    expect(rows).to_have_count(1)
    assert row_ids(opened) == ["P003"]
    opened.fill("#search", "")
    expect(rows).to_have_count(len(evaluation))


def test_choosing_a_verdict_keeps_only_those_people(opened, evaluation):
    opened.select_option("#verdict", "fail")
    assert row_ids(opened) == evaluation.failing


def test_clicking_a_column_header_sorts_and_clicking_again_reverses(opened, evaluation):
    ids = sorted(result.person_id for result in evaluation)
    header = opened.locator("#people-table th[data-key='id']")
    header.click()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert row_ids(opened) == ids[::-1]
    verdict = opened.locator("#people-table th[data-key='verdict']")
    verdict.click()
    assert verdict.get_attribute("aria-sort") == "ascending"
    failing = len(evaluation.failing)
    assert row_ids(opened)[:failing] == evaluation.failing  # not compliant first, in input order among equals


def test_clicking_a_person_shows_their_explanation_naming_the_unmet_requirement(opened, evaluation):
    result = evaluation.person("P003")
    unmet = [r for r in result.requirements if not r.met]
    assert unmet, "P003 fails the example year"
    opened.locator("#people-table tr.person", has_text="P003").click()
    detail = opened.locator("#people-table tr.detail")
    assert detail.is_visible()
    missed = detail.locator("tr.missed").all_inner_texts()
    assert [unmet[0].label.zh in row for row in missed] == [True]
    assert result.explain("zh") == detail.locator("pre.explain").inner_text()
    opened.locator("#people-table tr.person", has_text="P003").click()
    assert opened.locator("#people-table tr.detail").count() == 0


def test_a_large_cohort_is_shown_a_page_at_a_time(page, rules, tmp_path):  # noqa: F811
    cohort = generate(300, seed=7)
    evaluation = cerules.evaluate(rules, cohort.persons, cohort.records)
    elsewhere = open_report(page, tmp_path / "large.html", report_page(evaluation, "en", explain_limit=100))
    ids = [result.person_id for result in evaluation]
    assert row_ids(page) == ids[:50]
    page.click("#next")
    assert row_ids(page) == ids[50:100]
    assert page.locator("#page-number").inner_text() == "2 / 6"
    page.locator("#people-table tr.person").first.click()
    detail = page.locator("#people-table tr.detail")
    assert "100" in detail.inner_text() and detail.locator("pre").count() == 0  # no full explanation above the limit
    assert elsewhere == [] and page.console.errors == []
