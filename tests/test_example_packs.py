"""The example packs of other provinces (examples/packs/) and the TOML examples of docs/packs.md.

Each pack's cohort has its verdicts written here by hand from the pack's rules: per person and
year, whether they comply and the shortfall (hours) of every requirement they do not meet. The
same verdicts must come out of the library and of the command line.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any

import pytest

import cerules
from cerules.base.errors import BadValue
from cerules.cli.main import main
from cerules.rules import RulesError, parse_layer
from cerules.rules.model import Profile
from cerules.rules.packs import load_pack
from cerules.rules.ruleset import Window

ROOT = Path(__file__).resolve().parent.parent
PACKS = ROOT / "examples" / "packs"
GUANGDONG = PACKS / "guangdong"
SHANGHAI = PACKS / "shanghai-cycle"
DOC = ROOT / "docs" / "packs.md"

Verdicts = dict[str, dict[str, float]]
"""Per person: the shortfall of each unmet requirement (empty: compliant)."""

# Guangdong (gd-2021.toml): public ≥ 30, professional ≥ 42, elective ≥ 18, total ≥ 90 of the three;
# 8 hours a day of all learning; 45 minutes to the hour; the calendar year in Shanghai time.
NOTHING = {"public": 30, "professional": 42, "elective": 18, "total": 90}
GUANGDONG_VERDICTS: dict[int, Verdicts] = {
    2023: {
        "G01": {},  # 30 / 45 / 20, total 95
        "G02": {"elective": 6},  # 36 / 48 / 12: the total (96) is met, a surplus never makes up the elective
        "G03": {},  # exactly 30 / 42 / 18 / 90: boundary seconds of the year, 360 and 135 minutes, a day of exactly 8 hours
        "G04": {"professional": 2},  # 6 h + 180 min (4 h) on one day: 8 count, 40 of 42; total 32 + 40 + 18 = 90 met
        "G05": {},  # public 6 × 225 minutes = 30 h at 45 minutes (22.5 h at 60)
        "G06": {"public": 22, "professional": 42, "elective": 18, "total": 82},  # 8 h public in 2023; the rest in 2021, 2022, 2024
        "G07": NOTHING,  # no records
        "G08": {},  # 2022-12-31T16:30:00Z is 2023 in Shanghai: public 32, professional 50, elective 18
        "G09": {},  # 32 / 42 / 18
        "G10": {},  # 30 / 42 / 20, subjects written 公需 / 专业 / 选修
    },
    2024: {  # the open range `from = 2021` covers 2024
        "G01": {},  # 32 / 42 / 18
        "G02": NOTHING,
        "G03": {"public": 30, "professional": 42, "elective": 16, "total": 88},  # 2 h elective at 2024-01-01 00:00:00
        "G04": NOTHING,
        "G05": NOTHING,
        "G06": {},  # 32 / 42 / 18
        "G07": NOTHING,
        "G08": NOTHING,
        "G09": {"public": 2},  # 28 / 48 / 20, total 96
        "G10": NOTHING,
    },
}

# Shanghai (sh-2021.toml): professional ≥ 180 over the 3-year cycles 2021–2023, 2024–2026.
SHANGHAI_VERDICTS: dict[int, Verdicts] = {
    2022: {
        "S01": {},  # 40 + 60 in 2021, 80 in 2022
        "S02": {"professional": 60},  # 60 + 60; the 90 of 2024 belong to the next cycle
        "S03": {"professional": 90},  # the 100 hours of 2020 are before the cycle
        "S04": {"professional": 180},  # all in 2024
    },
    2024: {
        "S01": {"professional": 180},  # all in the previous cycle
        "S02": {"professional": 90},
        "S03": {},  # 3 × 60
        "S04": {},  # 2023-12-31T16:30:00Z is 2024-01-01 in Shanghai: 20 + 160
    },
}


def cohort(pack: Path) -> tuple[str, str]:
    return str(pack / "cohort" / "persons.csv"), str(pack / "cohort" / "records.csv")


def library_document(pack: Path, year: int) -> dict[str, Any]:
    rules = cerules.load_rules(year, pack=str(pack), plugins=False)
    return cerules.evaluate_files(rules, *cohort(pack)).to_document()


def cli_document(capsys: pytest.CaptureFixture[str], pack: Path, year: int) -> dict[str, Any]:
    persons, records = cohort(pack)
    args = ["evaluate", "--year", str(year), "--rules-dir", str(pack), "--persons", persons, "--records", records]
    code = main([*args, "--format", "json", "--no-plugins"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def verdicts(document: dict[str, Any]) -> Verdicts:
    """Each person's unmet requirements and shortfalls, checked against `compliant`."""
    found: Verdicts = {}
    for person in document["people"]:
        unmet = {r["id"]: r["shortfall"] for r in person["requirements"] if not r["met"]}
        assert person["compliant"] == (not unmet), person["person_id"]
        assert all(r["shortfall"] == 0 for r in person["requirements"] if r["met"]), person["person_id"]
        found[person["person_id"]] = unmet
    return found


def person_entry(document: dict[str, Any], person_id: str) -> dict[str, Any]:
    return next(p for p in document["people"] if p["person_id"] == person_id)


def credited(document: dict[str, Any], person_id: str) -> dict[str, float]:
    return {r["id"]: r["credited"] for r in person_entry(document, person_id)["requirements"]}


def reasons(document: dict[str, Any], person_id: str) -> dict[str, str | None]:
    return {r["record_id"]: r["reason"] for r in person_entry(document, person_id)["records"]}


# -- the Guangdong pack ------------------------------------------------------------------------


GUANGDONG_CITIES = {
    "440100": ("广州市", "Guangzhou"),
    "440200": ("韶关市", "Shaoguan"),
    "440300": ("深圳市", "Shenzhen"),
    "440400": ("珠海市", "Zhuhai"),
    "440500": ("汕头市", "Shantou"),
    "440600": ("佛山市", "Foshan"),
    "440700": ("江门市", "Jiangmen"),
    "440800": ("湛江市", "Zhanjiang"),
    "440900": ("茂名市", "Maoming"),
    "441200": ("肇庆市", "Zhaoqing"),
    "441300": ("惠州市", "Huizhou"),
    "441400": ("梅州市", "Meizhou"),
    "441500": ("汕尾市", "Shanwei"),
    "441600": ("河源市", "Heyuan"),
    "441700": ("阳江市", "Yangjiang"),
    "441800": ("清远市", "Qingyuan"),
    "441900": ("东莞市", "Dongguan"),
    "442000": ("中山市", "Zhongshan"),
    "445100": ("潮州市", "Chaozhou"),
    "445200": ("揭阳市", "Jieyang"),
    "445300": ("云浮市", "Yunfu"),
}


def test_the_guangdong_pack_lists_the_21_prefecture_level_cities() -> None:
    pack = load_pack(GUANGDONG)
    assert (pack.id, pack.name.zh, pack.regions.province) == ("guangdong", "广东省", "440000")
    assert {code: (name.zh, name.en) for code, name in pack.regions.cities.items()} == GUANGDONG_CITIES
    regions = pack.regions
    assert regions.city_code("440106") == "440100"  # 天河区 belongs to 广州
    assert regions.city_code("广东省云浮市") == "445300"
    assert regions.city_code("东莞") == regions.city_code("Dongguan") == "441900"
    assert regions.unit_level("省属") == "province" and regions.unit_level("市直") == "city"
    with pytest.raises(BadValue):
        regions.city_code("青岛")


@pytest.mark.parametrize("folder", [GUANGDONG, SHANGHAI], ids=["guangdong", "shanghai-cycle"])
def test_an_illustrative_pack_says_so_on_the_pack_and_on_every_value(folder: Path) -> None:
    pack = load_pack(folder)
    assert pack.verified is False
    assert pack.note is not None and "illustrative" in pack.note and "示例" in pack.note
    assert "二手资料" in pack.source
    for layer in pack.layers:
        values = [value for _, value in layer.cited_values()]
        assert values and all(value.verified is False for value in values), layer.file
        assert all(re.search("secondary|assumption", value.citation or "") for value in values), layer.file
        entries = [entry for kind in ("subjects", "platforms", "topics") for entry in layer.catalog.entries(kind).values()]
        assert all(entry.citation for entry in entries), layer.file


def test_the_shanghai_cycle_start_is_cited_as_an_assumption() -> None:
    (layer,) = load_pack(SHANGHAI).layers
    (cycle_start,) = layer.parameters["professional.cycle_start"]
    assert cycle_start.value == 2021 and "assumption" in cycle_start.citation and "假设" in cycle_start.citation
    assert "weak" in layer.parameters["professional.required_hours"][0].citation


def test_the_guangdong_base_layer_covers_2021_and_every_later_year() -> None:
    pack = load_pack(GUANGDONG)
    (layer,) = pack.layers
    assert (layer.rank, layer.first_year, layer.last_year) == ("province", 2021, None)
    assert [year for year in (2020, 2021, 2024, 2030) if pack.covers(year)] == [2021, 2024, 2030]
    with pytest.raises(RulesError, match="no provincial rules for 2020"):
        cerules.load_rules(2020, pack=str(GUANGDONG), plugins=False)


@pytest.mark.parametrize("year", [2021, 2023, 2024])
def test_the_guangdong_rules_resolve_to_three_categories_a_total_a_daily_cap_and_45_minutes(year: int) -> None:
    rules = cerules.load_rules(year, pack=str(GUANGDONG), plugins=False)
    assert rules.pack_id == "guangdong" and rules.subjects == ("public", "professional", "elective")
    policy = rules.resolve(Profile(city="440100"))
    requirements = {r.id: r for r in policy.requirements}
    assert {key: r.required for key, r in requirements.items()} == {"public": 3000, "professional": 4200, "elective": 1800, "total": 9000}
    assert requirements["total"].counted_subjects == ("public", "professional", "elective")
    assert all(r.window == Window(year, year) for r in requirements.values())
    assert policy.daily_cap == 800 and policy.minutes_per_hour == 4500
    assert all(
        policy.daily_cap_applies(declared, online, s) for declared in (True, False) for online in (True, False) for s in rules.subjects
    )


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_guangdong_cohort_through_the_library(year: int) -> None:
    document = library_document(GUANGDONG, year)
    assert document["rules"]["pack"] == "guangdong"
    assert verdicts(document) == GUANGDONG_VERDICTS[year]
    assert document["rejected_input"] == []
    assert all({r["id"] for r in p["requirements"]} == set(NOTHING) for p in document["people"])


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_guangdong_cohort_through_the_command_line(capsys: pytest.CaptureFixture[str], year: int) -> None:
    document = cli_document(capsys, GUANGDONG, year)
    assert document["rules"]["pack"] == "guangdong"
    assert verdicts(document) == GUANGDONG_VERDICTS[year]


def test_the_guangdong_records_at_the_boundaries_count_exactly() -> None:
    document = library_document(GUANGDONG, 2023)
    assert credited(document, "G03") == {"public": 30, "professional": 42, "elective": 18, "total": 90}
    seen = reasons(document, "G03")
    assert [record for record, reason in seen.items() if reason] == ["GR040", "GR056"]  # 2022-12-31 23:59:59 and 2024-01-01 00:00:00
    assert {seen["GR040"], seen["GR056"]} <= {"out_of_year", "out_of_window"}
    assert credited(document, "G10") == {"public": 30, "professional": 42, "elective": 20, "total": 92}


def test_a_day_beyond_8_hours_is_cut_to_8() -> None:
    document = library_document(GUANGDONG, 2023)
    assert credited(document, "G04") == {"public": 32, "professional": 40, "elective": 18, "total": 90}
    records = {r["record_id"]: r for r in person_entry(document, "G04")["records"]}
    assert (records["GR061"]["status"], records["GR061"]["credited_hours"]) == ("credited", 6)  # 09:00, first in the day
    assert (records["GR062"]["status"], records["GR062"]["credited_hours"], records["GR062"]["reason"]) == ("credited", 2, "cap_exceeded")


def test_records_in_minutes_count_45_minutes_to_the_hour() -> None:
    document = library_document(GUANGDONG, 2023)
    assert credited(document, "G05")["public"] == 30  # 6 × 225 minutes
    assert all(reason is None for reason in reasons(document, "G05").values())


def test_the_guangdong_pack_is_found_on_the_rules_path(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CERULES_RULES_PATH", str(PACKS))
    assert cerules.load_rules(2023, pack="guangdong", plugins=False).pack_id == "guangdong"
    assert cerules.load_rules(2022, pack="shanghai-cycle", plugins=False).pack_id == "shanghai-cycle"
    monkeypatch.setenv("CERULES_RULES_PATH", str(GUANGDONG))
    assert cerules.load_rules(2023, plugins=False).pack_id == "guangdong"  # the first pack on the path is the default
    persons, records = cohort(GUANGDONG)
    assert main(["evaluate", "--year", "2023", "--persons", persons, "--records", records, "--format", "json", "--no-plugins"]) == 0
    assert verdicts(json.loads(capsys.readouterr().out)) == GUANGDONG_VERDICTS[2023]


def test_a_plugin_registers_the_guangdong_pack() -> None:
    plugin = types.ModuleType("guangdong_pack")

    @cerules.hookimpl
    def register_packs(register: Any) -> None:
        register(GUANGDONG)

    plugin.register_packs = register_packs  # type: ignore[attr-defined]
    rules = cerules.load_rules(2024, pack="guangdong", plugins=[plugin])
    assert rules.pack_id == "guangdong" and rules.pack is not None and rules.pack.folder == str(GUANGDONG)


# -- the Shanghai cycle pack -------------------------------------------------------------------


@pytest.mark.parametrize(("year", "first", "last"), [(2021, 2021, 2023), (2022, 2021, 2023), (2024, 2024, 2026), (2026, 2024, 2026)])
def test_the_shanghai_professional_requirement_counts_over_its_cycle(year: int, first: int, last: int) -> None:
    rules = cerules.load_rules(year, pack=str(SHANGHAI), plugins=False)
    (professional,) = rules.resolve(Profile(city="310101")).requirements
    assert (professional.id, professional.required) == ("professional", 18000)
    assert professional.window == Window(first, last)
    assert professional.window_provenance is not None and professional.window_provenance.layer == "province"


def test_the_shanghai_pack_reads_district_codes_and_municipal_unit_levels() -> None:
    regions = load_pack(SHANGHAI).regions
    assert len(regions.cities) == 16
    assert regions.city_code("浦东") == regions.city_code("上海市浦东新区") == "310115"
    assert regions.unit_level("市属") == "province" and regions.unit_level("区属") == "city"


@pytest.mark.parametrize("year", [2022, 2024])
def test_the_shanghai_cohort_through_the_library(year: int) -> None:
    document = library_document(SHANGHAI, year)
    assert document["rules"]["pack"] == "shanghai-cycle"
    assert verdicts(document) == SHANGHAI_VERDICTS[year]


@pytest.mark.parametrize("year", [2022, 2024])
def test_the_shanghai_cohort_through_the_command_line(capsys: pytest.CaptureFixture[str], year: int) -> None:
    assert verdicts(cli_document(capsys, SHANGHAI, year)) == SHANGHAI_VERDICTS[year]


def test_records_before_a_cycle_or_in_the_next_do_not_count() -> None:
    assert credited(library_document(SHANGHAI, 2022), "S03") == {"professional": 90}  # not the 100 hours of 2020
    assert credited(library_document(SHANGHAI, 2024), "S01") == {"professional": 0}  # 180 hours, all in 2021–2022


# -- the examples of docs/packs.md -------------------------------------------------------------


def doc_blocks() -> dict[str, str]:
    """The TOML blocks of docs/packs.md by the file name each names in its first line."""
    blocks: dict[str, str] = {}
    for block in re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        first = block.splitlines()[0]
        assert re.fullmatch(r"# [\w.-]+\.toml", first), f"a TOML block of docs/packs.md names its file first: {first!r}"
        blocks[first[2:]] = block
    return blocks


def write_pack(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        (folder / name).write_text(doc_blocks()[name], encoding="utf-8")
    return folder


def test_every_toml_example_of_the_doc_is_tested() -> None:
    assert set(doc_blocks()) == {
        "pack.toml",
        "gd-2021.toml",
        "gd-2025.toml",
        "draft-2024.toml",
        "teachers-cycle.toml",
        "title-five-years.toml",
        "sh-2021.toml",
        "third-category.toml",
        "minutes-and-cap.toml",
    }
    for name, text in doc_blocks().items():
        if name != "pack.toml":
            parse_layer(text, file=name)


def test_the_doc_pack_and_its_years(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path / "gd", "pack.toml", "gd-2021.toml", "gd-2025.toml"))
    assert pack.id == "guangdong" and pack.verified is False
    assert pack.regions.city_code("穗") == "440100" and pack.regions.city_code("441900") == "441900"
    assert [Path(pack.base_layer(year).file).name for year in (2021, 2024, 2025, 2040)] == [  # type: ignore[union-attr]
        "gd-2021.toml",
        "gd-2021.toml",
        "gd-2025.toml",
        "gd-2025.toml",
    ]
    assert not pack.covers(2020)
    rules = cerules.load_rules(2025, pack=pack, plugins=False)
    assert {r.id: r.required for r in rules.resolve(Profile(city="440100")).requirements} == {"public": 3000, "professional": 6000}


def test_the_doc_pack_refuses_an_open_range_left_open(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "gd", "pack.toml", "gd-2021.toml", "gd-2025.toml")
    opened = (folder / "gd-2021.toml").read_text(encoding="utf-8").replace("until = 2024", "")
    (folder / "gd-2021.toml").write_text(opened, encoding="utf-8")
    with pytest.raises(RulesError, match="a year has one base layer"):
        load_pack(folder)


def test_the_doc_draft_stands_on_the_year_it_names(tmp_path: Path) -> None:
    draft = tmp_path / "draft-2024.toml"
    draft.write_text(doc_blocks()["draft-2024.toml"], encoding="utf-8")
    rules = cerules.load_rules(2024, rules=[draft], plugins=False)
    assert rules.based_on == 2023 and rules.document_entry()["based_on"] == 2023


def test_the_doc_cycle_and_rolling_window(tmp_path: Path) -> None:
    blocks = doc_blocks()
    cycle = parse_layer(blocks["teachers-cycle.toml"], file="teachers-cycle.toml")
    rolling = parse_layer(blocks["title-five-years.toml"], file="title-five-years.toml")
    rules = cerules.load_rules(2023, rules=[cycle, rolling], plugins=False)
    teacher = {r.id: r for r in rules.resolve(Profile(city="370200", title_series="中小学教师")).requirements}
    assert teacher["cycle"].window == Window(2021, 2025) and teacher["cycle"].counted_subjects == ("public", "professional")
    assert teacher["title"].window == Window(2019, 2023) and teacher["title"].required == 45000
    engineer = {r.id for r in rules.resolve(Profile(city="370200", title_series="工程")).requirements}
    assert "cycle" not in engineer and "title" in engineer
    shanghai = write_pack(tmp_path / "sh", "sh-2021.toml")
    (shanghai / "pack.toml").write_text((SHANGHAI / "pack.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (professional,) = cerules.load_rules(2022, pack=shanghai, plugins=False).resolve(Profile(city="310101")).requirements
    assert professional.window == Window(2021, 2023) and professional.required == 18000


def test_the_doc_third_category_minutes_and_daily_cap() -> None:
    blocks = doc_blocks()
    drafts = [parse_layer(blocks[name], file=name) for name in ("third-category.toml", "minutes-and-cap.toml")]
    rules = cerules.load_rules(2023, rules=drafts, plugins=False)
    assert rules.subjects == ("public", "professional", "elective")
    policy = rules.resolve(Profile(city="370200"))
    requirements = {r.id: r for r in policy.requirements}
    assert requirements["elective"].required == 1800 and requirements["total"].required == 9000
    assert requirements["total"].counted_subjects == ("public", "professional", "elective")
    assert policy.minutes_per_hour == 4500 and policy.daily_cap == 800
    assert policy.daily_cap_applies(False, True, "public") and not policy.daily_cap_applies(False, False, "public")


def test_the_rules_doc_points_to_the_packs_doc() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for heading in ("## Adding a year", "## Adding a province", "## Windows and cycles"):
        assert heading in text
    assert "(packs.md" in text
